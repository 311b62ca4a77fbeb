"""dmcoords: convert between Chandra coordinate systems (ACIS).

Thread step: ``dmcoords 11823.evt2 asolfile=@acisf11823_asol1.lis`` (an interactive
``dmcoords>:`` session: ``sky 4181 3942``, ``q``), or the parameter form
``dmcoords 11823.evt2 asolfile=@... x=4181 y=3942 option=sky`` then ``pget dmcoords chip_id``.

Systems: ``cel`` (ra, dec), ``sky`` (x, y), ``logical`` (image pixels; the sky pixels for an
event list), ``det`` (detx, dety), ``tdet`` (tdetx, tdety), ``chip`` (chip_id, chipx, chipy)
and ``msc`` (theta arcmin, phi deg off the optical axis). From any of them the others follow
through :mod:`pyciao.geom`: sky <-> det uses the mean aspect pointing (the average of the
aspect solution when ``asolfile`` is given, else RA_PNT/DEC_PNT/ROLL_PNT), with the sky
tangent point at RA_NOM/DEC_NOM; det <-> chip uses the SIM position (SIM_X/Y/Z plus the mean
drift). The ``ra_nom ... roll_asp`` and ``sim`` parameters override the file's values.
"""
from __future__ import annotations

import dataclasses
import math
import re
import sys

import numpy as np

from . import geom
from .errors import ToolError
from .messages import info
from .task import get_param, tool_main

__all__ = ["Frame", "Position", "frame_from_header", "convert", "parse_ra", "parse_dec",
           "format_ra", "format_dec", "format_block", "session", "run"]

OPTIONS = ("cel", "sky", "logical", "det", "tdet", "chip", "msc")
_ALIASES = {"log": "logical", "celestial": "cel", "eqpos": "cel", "physical": "sky"}


# --------------------------------------------------------------------------- angles

def _sexagesimal(text):
    parts = re.split(r"[:\s]+", text.strip())
    if not 1 <= len(parts) <= 3:
        raise ValueError(text)
    sign = -1.0 if parts[0].strip().startswith("-") else 1.0
    vals = [abs(float(parts[0]))] + [float(v) for v in parts[1:]]
    total = sum(v / 60.0 ** i for i, v in enumerate(vals))
    return sign * total


def parse_ra(value):
    """Right ascension in degrees from ``hh:mm:ss.s`` (or ``hh mm ss``) or decimal degrees."""
    text = str(value).strip()
    try:
        if re.search(r"[:\s]", text):
            return _sexagesimal(text) * 15.0
        return float(text)
    except ValueError:
        raise ToolError(f"Invalid RA '{value}': use degrees or hh:mm:ss.s") from None


def parse_dec(value):
    """Declination in degrees from ``+dd:mm:ss.s`` (or ``dd mm ss``) or decimal degrees."""
    text = str(value).strip()
    try:
        d = _sexagesimal(text) if re.search(r"[:\s]", text) else float(text)
    except ValueError:
        raise ToolError(f"Invalid Dec '{value}': use degrees or dd:mm:ss.s") from None
    if not -90.0 <= d <= 90.0:
        raise ToolError(f"Invalid Dec '{value}': must be within -90 .. +90 degrees")
    return d


def format_ra(deg):
    """``hh:mm:ss.sss`` (seconds to 3 decimals)."""
    ms = int(round((float(deg) % 360.0) / 15.0 * 3600.0 * 1000.0)) % (24 * 3600 * 1000)
    h, rem = divmod(ms, 3600 * 1000)
    m, rem = divmod(rem, 60 * 1000)
    return f"{h:02d}:{m:02d}:{rem // 1000:02d}.{rem % 1000:03d}"


def format_dec(deg):
    """``+dd:mm:ss.ss`` (sign always, seconds to 2 decimals)."""
    sign = "-" if deg < 0 else "+"
    cs = int(round(abs(float(deg)) * 3600.0 * 100.0))
    d, rem = divmod(cs, 3600 * 100)
    m, rem = divmod(rem, 60 * 100)
    return f"{sign}{d:02d}:{m:02d}:{rem // 100:02d}.{rem % 100:02d}"


def _g16(v):
    return None if v is None or not np.isfinite(v) else f"{float(v):.16g}"


# --------------------------------------------------------------------------- the frame

@dataclasses.dataclass
class Frame:
    """What the conversions need: the sky tangent point, the mean aspect pointing, the SIM
    position, the chips to search and (for an image) the logical <-> sky axes."""

    ra_nom: float
    dec_nom: float
    roll_nom: float
    ra_asp: float
    dec_asp: float
    roll_asp: float
    sim: np.ndarray
    chips: tuple = tuple(range(10))
    axes: tuple | None = None            # (AxisTransform x, AxisTransform y) of an image
    geometry: object = None

    def __post_init__(self):
        if self.geometry is None:
            self.geometry = geom.acis_geometry()


@dataclasses.dataclass
class Position:
    """One position in every system (None where undefined, e.g. off the chips)."""

    ra: float
    dec: float
    x: float
    y: float
    logicalx: float
    logicaly: float
    detx: float
    dety: float
    theta: float
    phi: float
    chip_id: int | None
    chipx: float | None
    chipy: float | None
    tdetx: float | None
    tdety: float | None


def _chips_of(detnam):
    m = re.fullmatch(r"\s*ACIS-?([0-9]+)\s*", str(detnam or ""), re.I)
    return tuple(int(c) for c in m.group(1)) if m else tuple(range(10))


def frame_from_header(header, aspect=None, overrides=None, axes=None):
    """A :class:`Frame` from a file header (and the mean of an aspect solution, if given).

    ``aspect``: dict of asol columns (ra, dec, roll, dy, dz) or None; ``overrides``: dict of
    the dmcoords configuration parameters that were set (ra_nom, ..., roll_asp, sim)."""
    ov = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}
    instrument = str(header.get("INSTRUME", "ACIS")).strip().upper()
    if instrument.startswith("HRC"):
        raise ToolError("dmcoords: HRC geometry is not available in pyciao (ACIS only)")

    def key(name, alt=None):
        for k in (name, alt):
            if k and k in header:
                return float(header[k])
        raise ToolError(f"The input file has no {name} keyword "
                        "(set the dmcoords parameter instead)")

    ra_nom = parse_ra(ov["ra_nom"]) if "ra_nom" in ov else key("RA_NOM")
    dec_nom = parse_dec(ov["dec_nom"]) if "dec_nom" in ov else key("DEC_NOM")
    roll_nom = float(ov["roll_nom"]) if "roll_nom" in ov else key("ROLL_NOM")
    dy = dz = 0.0
    if aspect is not None and len(aspect["ra"]):
        dra = (np.asarray(aspect["ra"]) - ra_nom + 180.0) % 360.0 - 180.0
        ra_asp = float((ra_nom + dra.mean()) % 360.0)
        dec_asp = float(np.mean(aspect["dec"]))
        roll_asp = float(np.mean(aspect["roll"]))
        dy, dz = float(np.mean(aspect["dy"])), float(np.mean(aspect["dz"]))
    else:
        ra_asp = float(header.get("RA_PNT", ra_nom))
        dec_asp = float(header.get("DEC_PNT", dec_nom))
        roll_asp = float(header.get("ROLL_PNT", roll_nom))
        dy = float(header.get("DY_AVG", 0.0) or 0.0)
        dz = float(header.get("DZ_AVG", 0.0) or 0.0)
    if "ra_asp" in ov:
        ra_asp = parse_ra(ov["ra_asp"])
    if "dec_asp" in ov:
        dec_asp = parse_dec(ov["dec_asp"])
    if "roll_asp" in ov:
        roll_asp = float(ov["roll_asp"])
    if "sim" in ov:
        try:
            sim = np.array([float(v) for v in re.split(r"[,\s]+", str(ov["sim"]).strip())])
        except ValueError:
            sim = np.zeros(0)
        if sim.shape != (3,):
            raise ToolError(f"Invalid sim '{ov['sim']}': expected three numbers (mm)")
    else:
        try:
            sim = np.array([float(header[k]) for k in ("SIM_X", "SIM_Y", "SIM_Z")])
        except KeyError:                   # no SIM keywords: the nominal aimpoint
            chips = _chips_of(header.get("DETNAM"))
            sim = geom.default_sim("ACIS-I" if set(chips) & {0, 1, 2, 3} else "ACIS-S")
        sim = sim + np.array([0.0, dy, dz])
    return Frame(ra_nom, dec_nom, roll_nom, ra_asp, dec_asp, roll_asp, sim,
                 _chips_of(header.get("DETNAM")), axes)


# --------------------------------------------------------------------------- conversions

def _complete_from_det(frame, detx, dety, x=None, y=None):
    g = frame.geometry
    if x is None:
        x, y = geom.det_to_sky(detx, dety, frame.ra_asp, frame.dec_asp, frame.roll_asp,
                               frame.ra_nom, frame.dec_nom)
    ra, dec = geom.sky_to_celestial(x, y, frame.ra_nom, frame.dec_nom)
    theta, phi = geom.theta_phi(detx, dety)
    chip = cx = cy = tx = ty = None
    for chips in (frame.chips, tuple(c for c in range(10) if c not in frame.chips)):
        if not chips:
            continue
        c, u, v = geom.det_to_chip(detx, dety, frame.sim, chips=list(chips), geom=g)
        if int(c) >= 0:
            chip, cx, cy = int(c), float(u), float(v)
            tx, ty = (float(t) for t in geom.chip_to_tdet(chip, cx, cy, g))
            break
    if frame.axes is not None:
        lx, ly = float(frame.axes[0].logical(x)), float(frame.axes[1].logical(y))
    else:
        lx, ly = float(x), float(y)
    return Position(float(ra), float(dec), float(x), float(y), lx, ly, float(detx), float(dety),
                    float(theta), float(phi), chip, cx, cy, tx, ty)


def _from_sky(frame, x, y):
    detx, dety = geom.sky_to_det(x, y, frame.ra_asp, frame.dec_asp, frame.roll_asp,
                                 frame.ra_nom, frame.dec_nom)
    return _complete_from_det(frame, float(detx), float(dety), float(x), float(y))


def _from_chip(frame, chip, cx, cy):
    if chip is None or not 0 <= int(chip) <= 9:
        raise ToolError(f"Invalid chip_id {chip}: ACIS chips are 0-9")
    detx, dety = geom.chip_to_det(int(chip), cx, cy, frame.sim, frame.geometry)
    pos = _complete_from_det(frame, float(detx), float(dety))
    # the chip asked for, even if a chip gap or overlap would name another
    tx, ty = geom.chip_to_tdet(int(chip), cx, cy, frame.geometry)
    return dataclasses.replace(pos, chip_id=int(chip), chipx=float(cx), chipy=float(cy),
                               tdetx=float(tx), tdety=float(ty))


def _from_tdet(frame, tx, ty):
    for c in list(frame.chips) + [c for c in range(10) if c not in frame.chips]:
        cx, cy = geom.tdet_to_chip(c, tx, ty, frame.geometry)
        if 0.5 <= cx < 1024.5 and 0.5 <= cy < 1024.5:
            return _from_chip(frame, c, float(cx), float(cy))
    raise ToolError(f"TDET position ({tx}, {ty}) is not on an ACIS chip")


def _from_msc(frame, theta, phi):
    r = math.tan(math.radians(float(theta) / 60.0)) / math.radians(0.492 / 3600.0)
    detx = geom.SKY_REFPIX + r * math.cos(math.radians(float(phi)))
    dety = geom.SKY_REFPIX + r * math.sin(math.radians(float(phi)))
    return _complete_from_det(frame, detx, dety)


def convert(frame, option, *values):
    """The :class:`Position` of a point given in system ``option`` (one of OPTIONS): values
    are (ra, dec) strings or degrees for ``cel``, (chip_id, chipx, chipy) for ``chip``, else
    two numbers."""
    opt = _ALIASES.get(str(option).strip().lower(), str(option).strip().lower())
    if opt not in OPTIONS:
        raise ToolError(f"Invalid option '{option}': use one of {', '.join(OPTIONS)}")
    want = 3 if opt == "chip" else 2
    if len(values) != want or any(v is None or v == "" for v in values):
        names = ", ".join(_INPUTS[opt])
        raise ToolError(f"option={opt} needs {names}")
    if opt == "cel":
        x, y = geom.celestial_to_sky(parse_ra(values[0]), parse_dec(values[1]), frame.ra_nom,
                                     frame.dec_nom)
        return _from_sky(frame, float(x), float(y))
    if opt == "chip":
        return _from_chip(frame, int(values[0]), float(values[1]), float(values[2]))
    a, b = float(values[0]), float(values[1])
    if opt == "sky":
        return _from_sky(frame, a, b)
    if opt == "logical":
        if frame.axes is None:
            return _from_sky(frame, a, b)
        return _from_sky(frame, float(frame.axes[0].phys(a)), float(frame.axes[1].phys(b)))
    if opt == "det":
        return _complete_from_det(frame, a, b)
    if opt == "tdet":
        return _from_tdet(frame, a, b)
    return _from_msc(frame, a, b)


# --------------------------------------------------------------------------- output

def format_block(pos):
    """The lines dmcoords prints for a position (the layout of the CIAO thread)."""
    lines = [f"(RA,Dec): {format_ra(pos.ra):>16s} {format_dec(pos.dec):>15s}   ",
             f"(RA,Dec): {pos.ra:14.5f} {pos.dec:14.5f} deg",
             f"THETA,PHI {pos.theta:14.3f}' {pos.phi:13.2f} deg",
             f"(Logical): {pos.logicalx:14.2f} {pos.logicaly:13.2f}",
             f"SKY(X,Y): {pos.x:15.2f} {pos.y:13.2f}",
             f"DETX,DETY {pos.detx:15.2f} {pos.dety:13.2f}"]
    if pos.chip_id is None:
        lines.append("CHIP      (the position is not on an ACIS chip)")
    else:
        name = "ACIS-" + geom.CHIP_NAMES[pos.chip_id]
        lines.append(f"CHIP {name:<7s} {pos.chipx:12.2f} {pos.chipy:13.2f}")
        lines.append(f"TDET {pos.tdetx:20.2f} {pos.tdety:13.2f}")
    return lines


def output_parameters(pos, celfmt="hms"):
    """The values dmcoords stores for ``pget`` (reals as 16 significant digits)."""
    deg = str(celfmt or "hms").strip().lower() == "deg"
    return {
        "ra": _g16(pos.ra) if deg else format_ra(pos.ra),
        "dec": _g16(pos.dec) if deg else format_dec(pos.dec),
        "x": _g16(pos.x), "y": _g16(pos.y),
        "logicalx": _g16(pos.logicalx), "logicaly": _g16(pos.logicaly),
        "detx": _g16(pos.detx), "dety": _g16(pos.dety),
        "theta": _g16(pos.theta), "phi": _g16(pos.phi),
        "chip_id": pos.chip_id, "chipx": _g16(pos.chipx), "chipy": _g16(pos.chipy),
        "tdetx": _g16(pos.tdetx), "tdety": _g16(pos.tdety),
    }


_HELP = """Commands (coordinates separated by spaces):
  sky x y          cel ra dec       logical x y      det detx dety
  tdet tdetx tdety chip id x y      msc theta phi    q (quit)"""


def session(frame, stdin=None, stdout=None, echo=None):
    """The interactive ``dmcoords>:`` loop: read commands, print each position's block.
    ``echo``: repeat each command after the prompt (default: when stdin is not a terminal,
    so a transcript reads like a terminal session)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if echo is None:
        echo = not (hasattr(stdin, "isatty") and stdin.isatty())
    while True:
        stdout.write("dmcoords>: ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            stdout.write("\n")
            break
        if echo:
            stdout.write(line if line.endswith("\n") else line + "\n")
        words = line.split()
        if not words:
            continue
        cmd = words[0].lower()
        if cmd in ("q", "quit", "exit", "bye"):
            break
        if cmd in ("help", "?", "h"):
            stdout.write(_HELP + "\n")
            continue
        opt = _ALIASES.get(cmd, cmd)
        if opt == "chip" and len(words) == 4:
            m = re.fullmatch(r"(?:ACIS-?)?([IS]?)(\d)", words[1].upper())
            if m:
                words[1] = str(int(m.group(2)) + (4 if m.group(1) == "S" else 0))
        try:
            pos = convert(frame, opt, *words[1:])
        except (ToolError, ValueError) as exc:
            stdout.write(f"dmcoords: {exc}\n" if isinstance(exc, ToolError) else
                         f"dmcoords: cannot read '{' '.join(words[1:])}' as coordinates\n")
            continue
        stdout.write("\n".join(format_block(pos)) + "\n")
        stdout.flush()


# --------------------------------------------------------------------------- the tool


_CONFIG = ("ra_nom", "dec_nom", "roll_nom", "ra_asp", "dec_asp", "roll_asp", "sim")
_INPUTS = {"cel": ("ra", "dec"), "sky": ("x", "y"), "logical": ("logicalx", "logicaly"),
           "det": ("detx", "dety"), "tdet": ("tdetx", "tdety"),
           "chip": ("chip_id", "chipx", "chipy"), "msc": ("theta", "phi")}


def _read_frame(p):
    from .asphist import _stack, read_aspect
    from .dm import open_virtual

    infile = str(get_param(p, "infile", "") or "").strip()
    if not infile:
        raise ToolError("Please specify infile (an event file or image)")
    view = open_virtual(infile)
    axes = tuple(view.axes[:2]) if view.kind == "image" and len(view.axes) >= 2 else None
    asol = str(get_param(p, "asolfile", "none") or "").strip()
    aspect = read_aspect(_stack(asol, "asolfile")) if asol and asol.lower() != "none" else None
    overrides = {k: get_param(p, k, "") for k in _CONFIG}
    detector = str(get_param(p, "detector", "") or "").strip().upper()
    if detector and not detector.startswith("ACIS"):
        raise ToolError(f"detector={detector}: only ACIS geometry is available in pyciao")
    grating = str(get_param(p, "grating", "") or "").strip().upper()
    if grating not in ("", "NONE") and int(get_param(p, "order", 0) or 0) != 0:
        raise ToolError("Grating dispersion (order != 0) is not supported by pyciao's dmcoords")
    return frame_from_header(view.header, aspect, overrides, axes)


def run(p):
    """dmcoords: interactive session (option empty) or one conversion (option set)."""
    frame = _read_frame(p)
    option = str(get_param(p, "option", "") or "").strip().lower()
    if not option:
        session(frame)
        return None
    opt = _ALIASES.get(option, option)
    if opt not in _INPUTS:
        raise ToolError(f"Invalid option '{option}': use one of {', '.join(OPTIONS)}")
    values = [get_param(p, name, None) for name in _INPUTS[opt]]
    pos = convert(frame, opt, *values)
    for line in format_block(pos):
        info(line, 1)
    return output_parameters(pos, get_param(p, "celfmt", "hms"))


main = tool_main("dmcoords", run)
