"""mkinstmap: the instrument map of one ACIS chip, in cm**2 counts/photon.

Thread step: ``mkinstmap 1.instmap NONE 2.3 pixelgrid=1:1024:#1024,1:1024:#1024
obsfile=11823.evt2 detsubsys=ACIS-1 maskfile=msk1.fits``.

Each map pixel holds what a photon arriving there is worth: the HRMA effective area at that
off-axis angle (on-axis area x vignetting, for the SIM position of the observation) times
the chip's quantum efficiency (filter and contamination at the observation date), zero on
bad pixels (ardlib's bad-pixel setting for the chip) and outside the window mask. With a
spectrum file the map is the weighted sum of monochromatic maps at its energies. The
calibration is the one the simulator draws photons from (:func:`pyciao.caldb.chip_area_map`
is the mono-energy, full-chip special case).

Decisions (CIAO's C source is not available): ``pixelgrid`` ranges are inclusive chip pixel
numbers (see :mod:`pyciao.expmap.grid`); a map pixel covering several chip pixels holds the
area x QE at its centre times the fraction of good chip pixels it covers; the window mask
keeps whole chip pixels inside each ``rectangle`` of the chip's rows; ``BPMASK=0`` ignores
bad pixels, other masks keep every listed bad pixel (our bad-pixel products carry no
status bits worth selecting); ACIS dead area is not in pyciao's calibration (factor 1).
"""
from __future__ import annotations

import dataclasses
import os
import re

import numpy as np

from . import caldb, geom
from .dm.writer import creator_card
from .errors import ToolError
from .expmap.grid import parse_pixelgrid
from .messages import info, warn
from .task import get_param, tool_main

__all__ = ["DetSubsys", "parse_detsubsys", "read_weights", "instrument_map", "mask_window",
           "good_fraction", "run"]

CHIP_LETTERS = {f"I{i}": i for i in range(4)} | {f"S{i}": i + 4 for i in range(6)}
BUNIT = "cm**2 counts/photon"


# --------------------------------------------------------------------------- parameters

@dataclasses.dataclass
class DetSubsys:
    """A parsed ``detsubsys``: ``ACIS-7``, ``ACIS-S3;IDEAL``, ``ACIS-1;BPMASK=0x03ffff``."""

    text: str
    ccd_id: int
    ideal: bool = False
    bpmask: int | None = None
    time: float | None = None        # MET from a ``time=`` qualifier

    @property
    def detnam(self):
        return f"ACIS-{self.ccd_id}"


def parse_detsubsys(text):
    """Parse ``detsubsys`` (chip numbers ACIS-0..9 or names ACIS-I0..I3, ACIS-S0..S5, with
    ``;IDEAL``, ``;BPMASK=<int or 0x..>``, ``;time=<MET>`` qualifiers)."""
    raw = str(text or "").strip()
    if not raw:
        raise ToolError("detsubsys is empty: give the chip, e.g. ACIS-7 or ACIS-S3")
    parts = [p.strip() for p in raw.split(";")]
    head = parts[0].upper()
    m = re.fullmatch(r"ACIS-?([0-9]|[IS][0-9])", head)
    if not m:
        if head.startswith("HRC"):
            raise ToolError(f"detsubsys '{raw}': HRC instrument maps are not available in pyciao "
                            "(no HRC geometry or QE in its calibration)")
        raise ToolError(f"Invalid detsubsys '{raw}': expected ACIS-<0-9> or ACIS-I0..I3/S0..S5")
    code = m.group(1)
    if code.isdigit():
        ccd = int(code)
    elif code in CHIP_LETTERS:
        ccd = CHIP_LETTERS[code]
    else:
        raise ToolError(f"Invalid detsubsys '{raw}': ACIS-I chips are I0-I3 and ACIS-S chips S0-S5")
    out = DetSubsys(raw, ccd)
    for q in parts[1:]:
        if not q:
            continue
        key, _, val = q.partition("=")
        key = key.strip().upper()
        if key == "IDEAL" and not val:
            out.ideal = True
        elif key == "BPMASK" and val:
            try:
                out.bpmask = int(val.strip(), 0)
            except ValueError:
                raise ToolError(f"Invalid BPMASK '{val}' in detsubsys '{raw}'") from None
        elif key == "TIME" and val:
            try:
                out.time = float(val)
            except ValueError:
                raise ToolError(f"Invalid time '{val}' in detsubsys '{raw}'") from None
        else:
            raise ToolError(f"Unknown detsubsys qualifier '{q}' in '{raw}'")
    return out


def parse_mirror(text):
    """``HRMA`` -> False; ``HRMA;area=1`` -> True (a unit-area mirror: geometry only)."""
    parts = [p.strip() for p in str(text or "HRMA").split(";") if p.strip()]
    if not parts or parts[0].upper() != "HRMA":
        raise ToolError(f"Invalid mirror '{text}': only HRMA (optionally HRMA;area=1) is supported")
    unit = False
    for q in parts[1:]:
        key, _, val = q.partition("=")
        if key.strip().lower() == "area" and val.strip() in ("1", "1.0"):
            unit = True
        else:
            raise ToolError(f"Unknown mirror qualifier '{q}' in '{text}'")
    return unit


def read_weights(path):
    """A spectral weights file: (energies keV, weights, energ_lo, energ_hi).

    Two columns (bin-centre energy in keV, weight), ``#`` comment lines; ``# ENERG_LO = x``
    and ``# ENERG_HI = x`` give the band; without them it is ``(3 x1 - x2)/2`` ..
    ``(3 xn - x(n-1))/2`` (one bin beyond each end, as fluximage derives it)."""
    try:
        with open(path) as fh:
            lines = fh.readlines()
    except OSError as exc:
        raise ToolError(f"Unable to read spectrum file {path}: {exc.strerror}") from None
    e, w, lo, hi = [], [], None, None
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            m = re.match(r"#\s*(ENERG_LO|ENERG_HI)\s*=\s*([-+\d.eE]+)", s, re.I)
            if m:
                val = float(m.group(2))
                if m.group(1).upper() == "ENERG_LO":
                    lo = val
                else:
                    hi = val
            continue
        fields = s.replace(",", " ").split()
        try:
            e.append(float(fields[0]))
            w.append(float(fields[1]))
        except (ValueError, IndexError):
            raise ToolError(f"{path}:{n}: expected 'energy weight'") from None
    e, w = np.array(e), np.array(w)
    if e.size == 0:
        raise ToolError(f"Spectrum file {path} has no rows")
    if np.any(e <= 0) or np.any(w < 0) or not w.sum() > 0:
        raise ToolError(f"Spectrum file {path}: energies must be > 0 and weights >= 0, not all 0")
    if lo is None:
        lo = (3 * e[0] - e[1]) / 2 if e.size > 1 else e[0]
    if hi is None:
        hi = (3 * e[-1] - e[-2]) / 2 if e.size > 1 else e[-1]
    return e, w, float(lo), float(hi)


# --------------------------------------------------------------------------- the core

def good_fraction(bad, xaxis, yaxis):
    """Fraction of good chip pixels in each map pixel. ``bad``: 1024x1024 bool, index
    [chipy-1, chipx-1]; pixels off the chip count as bad."""
    ny_c, nx_c = bad.shape
    good = (~bad).astype(float)

    def aligned(ax):
        return (abs(ax.step - round(ax.step)) < 1e-9 and round(ax.step) >= 1
                and abs((ax.lo - 0.5) - round(ax.lo - 0.5)) < 1e-9)

    if aligned(xaxis) and aligned(yaxis):
        sx, sy = int(round(xaxis.step)), int(round(yaxis.step))
        x0, y0 = int(round(xaxis.lo - 0.5)), int(round(yaxis.lo - 0.5))   # 0-based first chip pixel
        H, W = yaxis.n * sy, xaxis.n * sx
        big = np.zeros((H, W))                    # the covered chip pixels, 0 off the chip
        ya, yb = max(y0, 0), min(y0 + H, ny_c)
        xa, xb = max(x0, 0), min(x0 + W, nx_c)
        if ya < yb and xa < xb:
            big[ya - y0:yb - y0, xa - x0:xb - x0] = good[ya:yb, xa:xb]
        return big.reshape(yaxis.n, sy, xaxis.n, sx).mean(axis=(1, 3))
    # unaligned grids: the chip pixel under each map pixel centre
    ix = np.floor(xaxis.centres - 0.5).astype(int)
    iy = np.floor(yaxis.centres - 0.5).astype(int)
    okx, oky = (ix >= 0) & (ix < nx_c), (iy >= 0) & (iy < ny_c)
    out = np.zeros((yaxis.n, xaxis.n))
    out[np.ix_(oky, okx)] = good[np.ix_(iy[oky], ix[okx])]
    return out


def mask_window(rects, size=(1024, 1024)):
    """Bad-pixel-style boolean image (True = outside the window) from window rectangles
    [(x0, x1, y0, y1)] in chip pixels (inclusive). No rectangles: the whole chip is out."""
    out = np.ones((size[1], size[0]), bool)
    for x0, x1, y0, y1 in rects:
        out[max(y0, 1) - 1:min(y1, size[1]), max(x0, 1) - 1:min(x1, size[0])] = False
    return out


def instrument_map(ccd_id, energies, weights, xaxis, yaxis, *, sim, obs_date=None,
                   badpix="CALDB", window=None, ideal=False, unit_area=False, contam=True):
    """The instrument map (cm**2 counts/photon) of chip ``ccd_id`` on the chip grid
    (``xaxis``, ``yaxis``: :class:`pyciao.expmap.grid.Axis` in chip pixel coordinates).

    ``energies`` (keV) and ``weights``: one energy with weight 1 for a monochromatic map.
    ``sim``: SIM position (mm) for the off-axis angles. ``badpix``: an ardlib-style setting
    (``CALDB``, ``NONE``, ``file[BADPIXn]`` or an ardlib mapping). ``window``: rectangles
    [(x0, x1, y0, y1)] of the window mask, None for the whole chip. ``ideal``: QE = 1;
    ``unit_area``: mirror area 1 (with both, a 0/1 geometry map).
    """
    e = np.atleast_1d(np.asarray(energies, float))
    w = np.atleast_1d(np.asarray(weights, float))
    if e.shape != w.shape or e.size == 0:
        raise ToolError("energies and weights must have the same, non-zero length")
    cx, cy = np.meshgrid(xaxis.centres, yaxis.centres)
    detx, dety = geom.chip_to_det(np.full(cx.shape, int(ccd_id)), cx, cy, sim)
    theta, _ = geom.theta_phi(detx, dety)
    keep = w != 0
    e, w = e[keep], w[keep]
    if e.size <= 4 or unit_area:
        # a few energies: every pixel's angle directly (the simulator's own arithmetic)
        total = np.zeros(cx.shape)
        for ei, wi in zip(e, w):
            a = (1.0 if unit_area else
                 caldb.onaxis_area(ei, obs_date) * caldb.vignetting(ei, theta, obs_date))
            q = 1.0 if ideal else caldb.qe(int(ccd_id), ei, obs_date, contam=contam)
            total = total + wi * a * q
    else:
        # a spectrum: the response depends on the pixel only through theta, so tabulate
        # sum_i w_i A(E_i, theta) QE(E_i) on a fine theta grid (the vignetting is piecewise
        # linear in theta: interpolation error < 1e-5) and interpolate
        lo, hi = float(theta.min()), float(theta.max())
        grid = np.linspace(lo, hi, max(2, min(20001, int((hi - lo) / 5e-4) + 2)))
        resp = np.zeros(grid.size)
        for ei, wi in zip(e, w):
            q = 1.0 if ideal else caldb.qe(int(ccd_id), ei, obs_date, contam=contam)
            resp += wi * q * caldb.onaxis_area(ei, obs_date) * caldb.vignetting(ei, grid, obs_date)
        total = np.interp(theta, grid, resp)
    bad = caldb.bad_pixel_mask(int(ccd_id), badpix, obs_date)
    if window is not None:
        bad = bad | mask_window(window, bad.shape[::-1])
    return np.broadcast_to(total, cx.shape) * good_fraction(bad, xaxis, yaxis)


# --------------------------------------------------------------------------- file I/O


def _is_none(text):
    return str(text or "").strip().upper() in ("", "NONE")


def read_obs_header(obsfile):
    """The header of the observation file (event file or aspect histogram)."""
    from .dm import open_virtual

    if _is_none(obsfile):
        raise ToolError("obsfile is empty: give the event file "
                        "(it supplies the date and SIM position)")
    return open_virtual(str(obsfile)).header


def observation_setup(header, det):
    """(obs_date, sim) from an observation header: DATE-OBS (or the detsubsys time), and the
    SIM position SIM_X/Y/Z plus the mean drift DY_AVG/DZ_AVG."""
    if det.time is not None:
        date = caldb.date_from_met(det.time)
    else:
        date = header.get("DATE-OBS")
        if not date:
            tstart = header.get("TSTART")
            if tstart is None:
                raise ToolError("obsfile has neither DATE-OBS nor TSTART")
            date = caldb.date_from_met(float(tstart))
    try:
        sim = np.array([float(header["SIM_X"]), float(header["SIM_Y"]), float(header["SIM_Z"])])
    except KeyError as exc:
        raise ToolError(f"obsfile lacks the SIM position keyword {exc.args[0]}") from None
    sim[1] += float(header.get("DY_AVG", 0.0) or 0.0)
    sim[2] += float(header.get("DZ_AVG", 0.0) or 0.0)
    return str(date), sim


def read_window(maskfile, ccd_id):
    """Window rectangles of one chip from a mask (msk1) file; None when maskfile is NONE."""
    from .dm import open_virtual

    if _is_none(maskfile):
        return None
    view = open_virtual(str(maskfile))
    if view.kind != "table":
        raise ToolError(f"Mask file {maskfile} is not a table")
    cols = {c.name.upper(): c.name for c in view.columns}
    for need in ("CCD_ID", "CHIPX", "CHIPY"):
        if need not in cols:
            raise ToolError(f"Mask file {maskfile} has no {need} column")
    d = view.read([cols["CCD_ID"], cols["CHIPX"], cols["CHIPY"]])
    ccd = np.asarray(d[cols["CCD_ID"]]).ravel()
    cx = np.asarray(d[cols["CHIPX"]]).reshape(len(ccd), -1)
    cy = np.asarray(d[cols["CHIPY"]]).reshape(len(ccd), -1)
    rows = np.flatnonzero(ccd == int(ccd_id))
    if rows.size == 0:
        warn(f"mask file {maskfile} has no window for ccd_id {ccd_id}: the instrument map is zero")
    return [(int(cx[i].min()), int(cx[i].max()), int(cy[i].min()), int(cy[i].max())) for i in rows]


def ardlib_settings(parfile="ardlib.par"):
    """{name: value} of the ardlib parameter file (through PFILES); empty if there is none."""
    name = str(parfile or "ardlib.par").strip() or "ardlib.par"
    try:
        import paramio

        session = paramio.paramopen(name, "rH")
    except Exception:          # noqa: BLE001 - no ardlib.par anywhere: CALDB defaults
        return {}
    try:
        return {n: session.get(n) for n in paramio.plist_names(session)}
    except Exception:          # noqa: BLE001
        return {}
    finally:
        try:
            session.close()
        except Exception:      # noqa: BLE001
            pass


def write_instmap(path, data, xaxis, yaxis, header, clobber, keywords):
    """Write the map as a primary image with chip physical axes and the observation header."""
    from .dm import image_hdu, write_fits
    from .dm.image import ImageView
    from .dm.wcs import AxisTransform
    from .outputs import output_file

    ax = [AxisTransform("chipx", float(xaxis.lo), 0.5, float(xaxis.step), "pixel", "chip"),
          AxisTransform("chipy", float(yaxis.lo), 0.5, float(yaxis.step), "pixel", "chip")]
    h = _carry(header)
    for k, v, c in keywords:
        h[k] = v if isinstance(v, str) and len(v) + len(c) > 60 else (v, c)   # no truncation
    view = ImageView(np.asarray(data, np.float32), ax, h, "INSTMAP")
    with output_file(path, clobber) as tmp:
        write_fits(tmp, [image_hdu(view, primary=True)])


_NOT_CARRIED = re.compile(r"^(T(TYPE|FORM|UNIT|LMIN|LMAX|NULL|CTYP|CRVL|CRPX|CDLT|CUNI|CNA|DIM|"
                          r"SCAL|ZERO)\d+|"
                          r"\d*DS(TYP|VAL|FORM|UNIT|REF)\d+|M(TYPE|FORM)\d+|(LONP|LATP)\d+|"
                          r"NAXIS\d*|BITPIX|XTENSION|SIMPLE|EXTEND|PCOUNT|GCOUNT|TFIELDS|EXTNAME|"
                          r"HDUNAME|EXTVER|CHECKSUM|DATASUM|NROWS|FIRSTROW|HISTORY|COMMENT|"
                          r"HDUCLAS\d|HDUCLASS|CONTENT|BUNIT)$")


def _carry(header):
    from astropy.io import fits

    h = fits.Header()
    for card in header.cards:
        if card.keyword and not _NOT_CARRIED.match(card.keyword):
            h.append(card, end=True)
    return h


def run(p):
    """mkinstmap: parameters -> instrument map file."""
    outfile = str(get_param(p, "outfile", "") or "").strip()
    if not outfile:
        raise ToolError("Please specify outfile")
    spectrumfile = str(get_param(p, "spectrumfile", "NONE") or "NONE").strip()
    if _is_none(spectrumfile):
        mono = get_param(p, "monoenergy", None)
        if mono is None or not float(mono) > 0:
            raise ToolError("monoenergy must be a positive energy (keV) when spectrumfile is NONE")
        energies, weights = np.array([float(mono)]), np.array([1.0])
        elo = ehi = float(mono)
        spec_key = "NONE"
    else:
        energies, weights, elo, ehi = read_weights(spectrumfile)
        spec_key = spectrumfile
    xaxis, yaxis = parse_pixelgrid(get_param(p, "pixelgrid", ""))
    det = parse_detsubsys(get_param(p, "detsubsys", ""))
    grating = str(get_param(p, "grating", "NONE") or "NONE").strip().upper()
    if grating != "NONE":
        raise ToolError(f"grating={grating}: zeroth-order grating efficiencies are not in "
                        "pyciao's calibration; only grating=NONE is supported")
    # pbkfile is deprecated (CIAO 4.6): never read, so an empty stored value is fine
    unit_area = parse_mirror(get_param(p, "mirror", "HRMA"))
    dafile = str(get_param(p, "dafile", "CALDB") or "CALDB").strip()
    if dafile.upper() == "CALDB":
        info("ACIS dead area: not in pyciao's calibration, factor 1", 2)
    elif dafile.upper() != "NONE":
        raise ToolError(f"dafile={dafile}: ACIS dead-area files are not supported; "
                        "use CALDB or NONE")
    header = read_obs_header(get_param(p, "obsfile", ""))
    date, sim = observation_setup(header, det)
    window = read_window(get_param(p, "maskfile", "NONE"), det.ccd_id)
    settings = ardlib_settings(get_param(p, "ardlibparfile", "ardlib.par"))
    badpix = caldb.ardlib_badpix_setting(settings, det.ccd_id)
    if det.bpmask == 0:
        badpix = "NONE"
    info(f"mkinstmap: {det.detnam} on {date}, {len(energies)} energies, bad pixels {badpix}", 1)
    data = instrument_map(det.ccd_id, energies, weights, xaxis, yaxis, sim=sim, obs_date=date,
                          badpix=badpix, window=window, ideal=det.ideal, unit_area=unit_area)
    bunit = "" if (det.ideal and unit_area) else BUNIT
    keys = [("CONTENT", "INSTMAP", "what data product"),
            ("BUNIT", bunit, "instrument map units"),
            ("DETNAM", det.detnam, "Detector"), ("CCD_ID", det.ccd_id, "CCD of this map"),
            ("SPECTRUM", spec_key, "spectrum weights file or NONE"),
            ("WGTFILE", "NONE" if spec_key == "NONE" else os.path.basename(spec_key),
             "weights file"),
            ("ENERG_LO", float(elo), "[keV] lower energy of the band"),
            ("ENERG_HI", float(ehi), "[keV] upper energy of the band"),
            ("GRATING", grating, "Grating"),
            ("DETSUBSY", det.text, "detsubsys of mkinstmap"),
            ("BPIXFILE", str(badpix), "bad pixels (ardlib setting)"),
            creator_card("mkinstmap")]
    if spec_key == "NONE":
        keys.append(("MONOENER", float(energies[0]), "[keV] energy of the monochromatic map"))
    write_instmap(outfile, data, xaxis, yaxis, header, bool(get_param(p, "clobber", False)), keys)
    return None


main = tool_main("mkinstmap", run)
