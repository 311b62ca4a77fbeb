"""mkexpmap: project an instrument map through the aspect histogram onto a sky grid.

Thread step: ``mkexpmap 1.asphist 1.expmap 1.instmap xygrid=4098.2:5288.2:#595,2973.7:4165.7:#596
normalize=no``.

Each pixel of the ``xygrid`` gets ``sum_k DURATION_k x instmap(chip position of the pixel
centre for aspect cell k)``: BUNIT cm**2 s, or with ``normalize=yes`` divided by the
total duration (cm**2). ``useavgaspect=yes`` uses only the duration-weighted
mean pointing. The output has the physical (sky x, y) and celestial WCS of a counts image
binned on the same grid, so ``dmimgcalc img.fits expmap.fits flux.fits div`` lines up.

The default method is :func:`pyciao.expmap.project.expmap_fast` (roll groups, exact chip
edges from the dither distribution); :func:`~pyciao.expmap.project.expmap_direct` is the
cell-by-cell reference (``benchmarks/mkexpmap_methods.py`` compares them).
"""
from __future__ import annotations

import numpy as np

from .dm.writer import creator_card
from .errors import ToolError
from .expmap.aspect import AspectHistogram
from .expmap.grid import Axis, parse_xygrid
from .expmap.project import InstrumentMap, cell_pointings, expmap_direct, expmap_fast
from .messages import info, verbosity
from .task import get_param, tool_main

__all__ = ["exposure_map", "read_asphist", "read_instmap", "run", "SKY_CDELT"]

#: |TCDLT| of the sky columns as CIAO writes them (deg per sky pixel)
SKY_CDELT = {"ACIS": 0.00013666666666667, "HRC": 0.000036605555555556}
SKY_REFPIX = 4096.5
METHODS = {"fast": expmap_fast, "direct": expmap_direct}


def exposure_map(imap, hist, xaxis, yaxis, *, ra_nom, dec_nom, roll_nom, sim,
                 normalize=False, useavgaspect=False, method="fast", progress=None):
    """The exposure map on the sky grid (``xaxis``, ``yaxis``; numpy order [y, x]).

    ``imap``: :class:`~pyciao.expmap.project.InstrumentMap`; ``hist``:
    :class:`~pyciao.expmap.aspect.AspectHistogram` (offsets from ``ra_nom/dec_nom/roll_nom``);
    ``sim``: the SIM position (mm) the histogram's DY/DZ drift is added to.
    """
    if method not in METHODS:
        raise ToolError(f"Unknown method '{method}' (fast or direct)")
    if useavgaspect:
        hist = hist.mean()
    total = hist.total
    if not total > 0:
        raise ToolError("The aspect histogram has no exposure (total duration is 0)")
    pointing = cell_pointings(hist, ra_nom, dec_nom, roll_nom, sim)
    emap = METHODS[method](imap, pointing, xaxis, yaxis, ra_nom, dec_nom, progress=progress)
    return emap / total if normalize else emap


# --------------------------------------------------------------------------- file I/O


def read_asphist(path):
    """(AspectHistogram, header) from an asphist file (block ASPHIST or the given one)."""
    from .dm import open_virtual

    view = open_virtual(str(path))
    if view.kind != "table":
        raise ToolError(f"Aspect histogram {path} is not a table")
    names = {c.name.upper(): c.name for c in view.columns}
    need = ("X_OFFSET", "Y_OFFSET", "ROLL_OFFSET", "DURATION")
    missing = [c for c in need if c not in names]
    if missing:
        raise ToolError(f"{path} is not an aspect histogram (no {', '.join(missing)} column)")
    opt = [c for c in ("X_OFFBIN", "Y_OFFBIN", "ROLL_OFFBIN", "DY", "DZ", "DTHETA") if c in names]
    d = view.read([names[c] for c in need + tuple(opt)])
    n = len(d[names["DURATION"]])

    def col(c, dtype=float):
        return np.asarray(d[names[c]], dtype).ravel() if c in names else np.zeros(n, dtype)

    h = view.header
    hist = AspectHistogram(col("X_OFFBIN", np.int32), col("Y_OFFBIN", np.int32),
                           col("ROLL_OFFBIN", np.int32), col("X_OFFSET"), col("Y_OFFSET"),
                           col("ROLL_OFFSET"), col("DURATION"), col("DY"), col("DZ"),
                           col("DTHETA"), float(h.get("RES_XY", 0.5)),
                           float(h.get("RES_ROLL", 600.0)),
                           float(h.get("PIXSIZE", 0.492)))
    return hist, h


def _ccd_of(header, path):
    if "CCD_ID" in header:
        return int(header["CCD_ID"])
    det = str(header.get("DETNAM", "")).strip().upper()
    if det.startswith("ACIS-") and det[5:].isdigit() and len(det) == 6:
        return int(det[5:])
    raise ToolError(f"Instrument map {path} names no single chip (CCD_ID or DETNAM=ACIS-n)")


def read_instmap(path):
    """(InstrumentMap, header) from an instrument-map image with chip physical axes."""
    from .dm import open_virtual

    view = open_virtual(str(path))
    if view.kind != "image" or view.data.ndim != 2:
        raise ToolError(f"Instrument map {path} is not a 2-D image")
    ny, nx = view.data.shape
    ax, ay = view.axes[0], view.axes[1]
    xaxis = Axis(float(ax.phys(0.5)), float(ax.cdelt), nx)
    yaxis = Axis(float(ay.phys(0.5)), float(ay.cdelt), ny)
    if not (xaxis.step > 0 and yaxis.step > 0):
        raise ToolError(f"Instrument map {path}: chip axes must increase with the pixel index")
    data = np.asarray(view.data, float)
    if view.valid is not None:
        data = np.where(view.valid, data, 0.0)
    return InstrumentMap(data, _ccd_of(view.header, path), xaxis, yaxis), view.header


def _observation(header, path):
    try:
        pointing = tuple(float(header[k]) for k in ("RA_NOM", "DEC_NOM", "ROLL_NOM"))
        sim = np.array([float(header[k]) for k in ("SIM_X", "SIM_Y", "SIM_Z")])
    except KeyError as exc:
        raise ToolError(f"{path} lacks the observation keyword {exc.args[0]}") from None
    return pointing, sim


_CARRY_FROM_INSTMAP = ("SPECTRUM", "WGTFILE", "ENERG_LO", "ENERG_HI", "GRATING", "MONOENER",
                       "DETNAM", "CCD_ID")


def expmap_unit(instmap_unit, normalize):
    """BUNIT of the exposure map: ``cm**2 s`` (``cm**2`` when normalized), as CIAO's maps
    read in dmstat (``EXPMAP[cm**2 s]``); the instrument map's dimensionless counts/photon
    is not repeated. A unit-less map (IDEAL, area=1) gives seconds."""
    area = instmap_unit.removesuffix("counts/photon").strip()
    if normalize:
        return area
    if not area:
        return "s"
    return "cm**2 s" if area == "cm**2" else f"({area}) s"


def expmap_header(asp_header, inst_header, bunit):
    """Observation keywords from the aspect histogram, band keywords from the instrument map."""
    from .mkinstmap import _carry

    h = _carry(asp_header)
    for k in ("RES_XY", "RES_ROLL", "PIXSIZE"):
        if k in h:
            del h[k]
    for k in _CARRY_FROM_INSTMAP:
        if k in inst_header:
            h[k] = (inst_header[k], inst_header.comments[k])
    h["CONTENT"] = ("EXPMAP", "what data product")
    h["BUNIT"] = (bunit, "exposure map units")
    h.set(*creator_card("mkexpmap"))
    return h


def sky_axes_and_world(xaxis, yaxis, ra_nom, dec_nom, instrument="ACIS"):
    """Physical sky axes and celestial WCS cards of a grid, exactly as the DM writes them for
    an event file binned on the same grid (dm.md 1.7 rule 11)."""
    from .dm.wcs import AxisTransform

    axes = [AxisTransform(name, float(ax.lo), 0.5, float(ax.step), None, "sky", "sky coordinates")
            for name, ax in (("x", xaxis), ("y", yaxis))]
    cdelt = SKY_CDELT["HRC" if instrument.upper().startswith("HRC") else "ACIS"]
    cards = []
    for n, (ctype, crval, sign, ax) in enumerate((("RA---TAN", ra_nom, -1.0, axes[0]),
                                                  ("DEC--TAN", dec_nom, 1.0, axes[1])), start=1):
        cards += [(f"CTYPE{n}", ctype, ""), (f"CRVAL{n}", float(crval), ""),
                  (f"CRPIX{n}", float(ax.logical(SKY_REFPIX)), ""),
                  (f"CDELT{n}", sign * cdelt * ax.cdelt, ""), (f"CUNIT{n}", "deg", "")]
    world = {"mtype": "EQPOS", "mform": "RA,DEC", "unit": "deg", "cards": cards}
    return axes, world


def write_expmap(path, emap, xaxis, yaxis, header, pointing, clobber):
    from .dm import image_hdu, write_fits
    from .dm.image import ImageView
    from .outputs import output_file

    axes, world = sky_axes_and_world(xaxis, yaxis, pointing[0], pointing[1],
                                     str(header.get("INSTRUME", "ACIS")))
    view = ImageView(np.asarray(emap, np.float32), axes, header, "EXPMAP", world=world)
    with output_file(path, clobber) as tmp:
        write_fits(tmp, [image_hdu(view, primary=True)])


class _Progress:
    """A rich progress bar over aspect cells (verbose >= 2), else nothing."""

    def __init__(self, total, enabled):
        self.bar = None
        if enabled:
            from rich.progress import Progress

            self.bar = Progress(transient=False)
            self.task = self.bar.add_task("mkexpmap", total=total)
            self.bar.start()

    def __call__(self, done, total):
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total)

    def close(self):
        if self.bar is not None:
            self.bar.stop()


def run(p):
    """mkexpmap: parameters -> exposure map file."""
    outfile = str(get_param(p, "outfile", "") or "").strip()
    if not outfile:
        raise ToolError("Please specify outfile")
    asphistfile = str(get_param(p, "asphistfile", "") or "").strip()
    instmapfile = str(get_param(p, "instmapfile", "") or "").strip()
    if not asphistfile:
        raise ToolError("Please specify asphistfile")
    if not instmapfile:
        raise ToolError("Please specify instmapfile")
    xaxis, yaxis = parse_xygrid(get_param(p, "xygrid", ""))
    if xaxis.n * yaxis.n > 64_000_000:
        raise ToolError(f"xygrid has {xaxis.n} x {yaxis.n} pixels: too large")
    normalize = bool(get_param(p, "normalize", True))
    useavg = bool(get_param(p, "useavgaspect", False))
    method = str(get_param(p, "method", "fast") or "fast").lower()
    hist, asp_h = read_asphist(asphistfile)
    imap, inst_h = read_instmap(instmapfile)
    (ra_nom, dec_nom, roll_nom), sim = _observation(asp_h, asphistfile)
    info(f"mkexpmap: {len(hist)} aspect bins, {xaxis.n} x {yaxis.n} pixels, chip {imap.ccd_id}", 1)
    bar = _Progress(len(hist), verbosity() >= 2 and not useavg)
    try:
        emap = exposure_map(imap, hist, xaxis, yaxis, ra_nom=ra_nom, dec_nom=dec_nom,
                            roll_nom=roll_nom, sim=sim, normalize=normalize,
                            useavgaspect=useavg, method=method, progress=bar)
    finally:
        bar.close()
    bunit = expmap_unit(str(inst_h.get("BUNIT", "") or "").strip(), normalize)
    header = expmap_header(asp_h, inst_h, bunit)
    write_expmap(outfile, emap, xaxis, yaxis, header, (ra_nom, dec_nom),
                 bool(get_param(p, "clobber", False)))
    return None


main = tool_main("mkexpmap", run)
