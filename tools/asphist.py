"""asphist: bin the aspect solution into a histogram of dwell time per pointing offset.

Thread step: ``asphist @acisf11823_asol1.lis 1.asphist "11823.evt2[ccd_id=1]"``.

The aspect solution(s) (a stack: ``@file.lis`` or a comma list; time-sorted together) give
the optical-axis pointing every 0.256 s. ``evtfile`` supplies the good time intervals (filter
it to one chip: each chip has its own GTIs), the dead-time correction (ACIS DTCOR) and the
observation keywords carried into the output. ``dtffile`` gives HRC's time-dependent dead
time factors. The numeric core is :func:`pyciao.expmap.aspect.aspect_histogram`.

Output block ``ASPHIST``: columns ``X_OFFBIN, Y_OFFBIN`` (vector ``POS_OFFBIN``, 1-based bin
numbers, as dmstat shows them in the CIAO threads), ``ROLL_OFFBIN``, ``X_OFFSET, Y_OFFSET``
(vector ``POS_OFFSET``, duration-weighted mean offset of the optical axis from the nominal
pointing, sky pixels), ``ROLL_OFFSET`` (deg), ``DURATION`` (live s: GTI and dead time
applied; the column sums to the chip's live time), ``DY, DZ`` (mm), ``DTHETA`` (deg): the
mean SIM drift in the cell. A ``GTI`` block records the intervals used.
"""
from __future__ import annotations

import os

import numpy as np

from .dm.writer import creator_card
from .errors import ToolError
from .expmap.aspect import aspect_histogram
from .messages import info, warn
from .task import get_param, tool_main

__all__ = ["read_aspect", "read_gti_and_header", "read_dtf", "histogram_hdus", "run"]

PIXEL_ARCSEC = {"ACIS": 0.492, "HRC": 0.13175}



def _stack(text, what):
    from .dm import StackError, expand_stack

    text = str(text or "").strip()
    if not text or text.upper() == "NONE":
        return []
    try:
        items = [s for s in expand_stack(text) if s.strip()]
    except StackError as exc:
        raise ToolError(str(exc)) from None
    if not items:
        raise ToolError(f"{what} '{text}' names no files")
    return items


def read_aspect(items):
    """Concatenated aspect-solution columns {time, ra, dec, roll, dy, dz, dtheta} of a list
    of files (dy/dz/dtheta zero when a file lacks them)."""
    from .dm import open_virtual

    parts = {k: [] for k in ("time", "ra", "dec", "roll", "dy", "dz", "dtheta")}
    for item in items:
        view = open_virtual(item)
        if view.kind != "table":
            raise ToolError(f"Aspect solution {item} is not a table")
        names = {c.name.lower(): c.name for c in view.columns}
        missing = [c for c in ("time", "ra", "dec", "roll") if c not in names]
        if missing:
            raise ToolError(f"Aspect solution {item} has no {', '.join(missing)} column")
        want = [names[c] for c in parts if c in names]
        d = view.read(want)
        n = len(d[names["time"]])
        for c in parts:
            parts[c].append(np.asarray(d[names[c]], float).ravel() if c in names else np.zeros(n))
    return {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}


def read_gti_and_header(evtfile):
    """(GTI intervals, header) of the event file view (its filters applied). Several GTI
    blocks (no chip filter) are combined with a warning."""
    from .dm import open_virtual

    view = open_virtual(str(evtfile))
    if view.kind != "table":
        raise ToolError(f"Event file {evtfile} is not a table")
    header = view.updated_header()
    gtis = view.gti_intervals()
    if not gtis:
        t0, t1 = header.get("TSTART"), header.get("TSTOP")
        if t0 is None or t1 is None:
            raise ToolError(f"Event file {evtfile} has no GTI and no TSTART/TSTOP")
        return np.array([[float(t0), float(t1)]]), header
    if len(gtis) > 1:
        warn(f"event file {evtfile} has {len(gtis)} GTI blocks ({', '.join(gtis)}); "
             "using their union. Filter it to one chip, e.g. evt2.fits[ccd_id=7]")
    iv = np.concatenate([np.asarray(v, float).reshape(-1, 2) for v in gtis.values()])
    return iv, header


def read_dtf(items, asol_time):
    """(times, factors) of HRC dead-time-factor files; records outside the aspect time range
    are skipped with CIAO's warning."""
    from .dm import open_virtual

    ts, fs = [], []
    for item in items:
        view = open_virtual(item)
        names = {c.name.lower(): c.name for c in view.columns} if view.kind == "table" else {}
        if "time" not in names or "dtf" not in names:
            raise ToolError(f"Dead-time factor file {item} has no TIME and DTF columns")
        d = view.read([names["time"], names["dtf"]])
        ts.append(np.asarray(d[names["time"]], float))
        fs.append(np.asarray(d[names["dtf"]], float))
    t, f = np.concatenate(ts), np.concatenate(fs)
    lo, hi = float(np.min(asol_time)), float(np.max(asol_time))
    out = (t < lo) | (t > hi)
    if out.any():
        warn(f"skipping {int(out.sum())} livetime correction records "
             f"(from time: {t[out].min():.6f} to time: {t[out].max():.6f})")
    if out.all():
        raise ToolError("No dead-time factor records fall in the aspect solution's time range")
    return t[~out], f[~out]


_SKIP = ("TTYPE", "TFORM", "TUNIT", "TLMIN", "TLMAX", "TNULL", "TCTYP", "TCRVL", "TCRPX",
         "TCDLT", "TCUNI", "TCNA", "TDIM", "TSCAL", "TZERO", "MTYPE", "MFORM", "LONP", "LATP")


def _carried_cards(header):
    import re

    skip = re.compile(r"^(" + "|".join(_SKIP) + r")\d+$|^\d*DS(TYP|VAL|FORM|UNIT|REF)\d+$|"
                      r"^(XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|EXTNAME|HDUNAME|EXTVER|"
                      r"CHECKSUM|DATASUM|NROWS|FIRSTROW|CONTENT|HDUCLASS|HDUCLAS\d|HISTORY|"
                      r"COMMENT|SIMPLE|EXTEND)$")
    return [c for c in header.cards if c.keyword and not skip.match(c.keyword)]


def histogram_hdus(hist, gti, header, asol_names):
    """astropy HDUs (primary, ASPHIST, GTI) of an aspect histogram."""
    from astropy.io import fits

    cols = [
        fits.Column("X_OFFBIN", "1J", unit="bin", array=hist.x_offbin.astype("i4")),
        fits.Column("Y_OFFBIN", "1J", unit="bin", array=hist.y_offbin.astype("i4")),
        fits.Column("ROLL_OFFBIN", "1J", unit="bin", array=hist.roll_offbin.astype("i4")),
        fits.Column("X_OFFSET", "1D", unit="pixel", array=hist.x_offset),
        fits.Column("Y_OFFSET", "1D", unit="pixel", array=hist.y_offset),
        fits.Column("ROLL_OFFSET", "1D", unit="deg", array=hist.roll_offset),
        fits.Column("DURATION", "1D", unit="s", array=hist.duration),
        fits.Column("DY", "1D", unit="mm", array=hist.dy),
        fits.Column("DZ", "1D", unit="mm", array=hist.dz),
        fits.Column("DTHETA", "1D", unit="deg", array=hist.dtheta),
    ]
    tab = fits.BinTableHDU.from_columns(cols, name="ASPHIST")
    h = tab.header
    comments = {"X_OFFBIN": "x offset bin", "Y_OFFBIN": "y offset bin",
                "ROLL_OFFBIN": "roll offset bin", "X_OFFSET": "mean x offset of the optical axis",
                "Y_OFFSET": "mean y offset of the optical axis",
                "ROLL_OFFSET": "mean roll offset", "DURATION": "live time in the cell",
                "DY": "mean SIM drift dy", "DZ": "mean SIM drift dz",
                "DTHETA": "mean SIM drift dtheta"}
    for i, c in enumerate(cols, start=1):
        h.comments[f"TTYPE{i}"] = comments[c.name]
    h["HDUNAME"] = "ASPHIST"
    for card in _carried_cards(header):
        if card.keyword not in h:
            h.append(card, end=True)
    h["CONTENT"] = ("ASPHIST", "what data product")
    h["HDUCLASS"] = "ASC"
    h["HDUCLAS1"] = "ASPHIST"
    h["MTYPE1"], h["MFORM1"] = ("POS_OFFBIN", "DM Keyword: Descriptor name."), "X_OFFBIN,Y_OFFBIN"
    h["MTYPE2"], h["MFORM2"] = ("POS_OFFSET", "DM Keyword: Descriptor name."), "X_OFFSET,Y_OFFSET"
    h["RES_XY"] = (float(hist.res_xy), "[arcsec] x/y offset bin size")
    h["RES_ROLL"] = (float(hist.res_roll), "[arcsec] roll offset bin size")
    h["PIXSIZE"] = (float(hist.pixel_arcsec), "[arcsec] sky pixel of the offsets")
    h["ASOLFILE"] = ",".join(os.path.basename(a) for a in asol_names)[:68]
    h.set(*creator_card("asphist"))
    g = np.asarray(gti, float).reshape(-1, 2)
    gh = fits.BinTableHDU.from_columns([fits.Column("START", "1D", unit="s", array=g[:, 0]),
                                        fits.Column("STOP", "1D", unit="s", array=g[:, 1])],
                                       name="GTI")
    gh.header["HDUNAME"] = "GTI"
    for key in ("MISSION", "TELESCOP", "INSTRUME", "TIMESYS", "MJDREF", "TIMEUNIT", "TSTART",
                "TSTOP"):
        if key in header:
            gh.header[key] = header[key]
    gh.header["HDUCLASS"], gh.header["HDUCLAS1"] = "OGIP", "GTI"
    prim = fits.PrimaryHDU()
    for key in ("MISSION", "TELESCOP", "INSTRUME", "DETNAM", "OBS_ID", "DATE-OBS"):
        if key in header:
            prim.header[key] = header[key]
    return [prim, tab, gh]


def run(p):
    """asphist: parameters -> aspect histogram file."""
    from .outputs import output_file

    outfile = str(get_param(p, "outfile", "") or "").strip()
    if not outfile:
        raise ToolError("Please specify outfile")
    asols = _stack(get_param(p, "infile", ""), "infile")
    if not asols:
        raise ToolError("Please specify infile (the aspect solution file or @list)")
    evtfile = str(get_param(p, "evtfile", "") or "").strip()
    if not evtfile:
        raise ToolError("Please specify evtfile (the event file, filtered to one chip)")
    res_xy = float(get_param(p, "res_xy", 0.5))
    res_roll = float(get_param(p, "res_roll", 600.0))
    max_bin = float(get_param(p, "max_bin", 10000.0))
    clobber = bool(get_param(p, "clobber", False))

    asol = read_aspect(asols)
    gti, header = read_gti_and_header(evtfile)
    for key in ("RA_NOM", "DEC_NOM", "ROLL_NOM"):
        if key not in header:
            raise ToolError(f"Event file {evtfile} has no {key} keyword")
    instrument = str(header.get("INSTRUME", "ACIS")).strip().upper()
    pix = PIXEL_ARCSEC["HRC" if instrument.startswith("HRC") else "ACIS"]
    dtf, dtcor = None, float(header.get("DTCOR", 1.0))
    if instrument.startswith("HRC"):              # ACIS never reads dtffile: DTCOR applies
        dtf_items = _stack(get_param(p, "dtffile", ""), "dtffile")
        if dtf_items:
            dtf = read_dtf(dtf_items, asol["time"])
        else:
            warn("no dtffile for an HRC observation: using the constant DTCOR")
    hist = aspect_histogram(asol["time"], asol["ra"], asol["dec"], asol["roll"], gti,
                            ra_nom=float(header["RA_NOM"]), dec_nom=float(header["DEC_NOM"]),
                            roll_nom=float(header["ROLL_NOM"]), res_xy=res_xy, res_roll=res_roll,
                            max_bin=max_bin, dy=asol["dy"], dz=asol["dz"], dtheta=asol["dtheta"],
                            dtcor=dtcor, dtf=dtf, pixel_arcsec=pix)
    info(f"asphist: {len(asol['time'])} aspect records -> {len(hist)} bins, "
         f"total duration {hist.total:.3f} s", 1)
    hdus = histogram_hdus(hist, gti, header, asols)
    from astropy.io import fits

    with output_file(outfile, clobber) as tmp:
        fits.HDUList(hdus).writeto(tmp, checksum=True)
    return None


main = tool_main("asphist", run)
