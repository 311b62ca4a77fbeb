"""dmextract: spectra, histograms, counts in regions, radial profiles and light curves.

Thread steps (spec dm.md §5, §8.6; science.md §6.4)::

    dmextract "evt2.fits[sky=region(src.reg)][bin pi]" src.pi                    # a spectrum
    dmextract "evt2.fits[sky=region(obj.reg)][bin energy=500:7000:50]" e.fits op=generic
    dmextract "evt2.fits[bin sky=circle(4060.87,4239.33,20)]" src.fits \\
              bkg="evt2.fits[bin sky=annulus(4060.87,4239.33,86,114)]" opt=generic
    dmextract "evt2.fits[bin sky=@annuli.reg]" prof.fits bkg=... opt=generic     # one row per annulus
    dmextract "evt2.fits[ccd_id=3,sky=region(src.reg)][bin time=::2000]" lc.fits \\
              bkg="evt2.fits[ccd_id=3,sky=region(bkg.reg)]" opt=ltc1

Three extractions, one arithmetic:

* **regions** (``[bin sky=<region>]``, ``[bin sky=@stack]``, annulus radius grids): one row per
  region; COUNTS = events inside (boundary inclusive) or the sum of the good pixels whose
  centres are inside (image input); AREA = the region library's area (events; analytic as
  CIAO computes it) or the number of those pixels times the pixel area (images) [I].
* **scalar histograms** (``[bin pi]``, ``[bin energy=500:7000:50]``): the DM binning grid
  (integer columns centred on integers); ``opt=pha1`` writes an OGIP SPECTRUM, ``generic``
  a HISTOGRAM.
* **light curves** (``[bin time=...]`` with ``opt=ltc1``): bins from the first good time;
  EXPOSURE per bin = the bin's overlap with the GTI x DTCOR (edges ``lo + k*step``, which
  reproduces CIAO's rates to the last printed digit).

Errors (``error``/``bkgerror``): ``gaussian`` sqrt(N), ``gehrels`` 1 + sqrt(N + 0.75).
Background: NET_COUNTS = COUNTS - BG_COUNTS * (AREA/BG_AREA) * (EXPOSURE/BG_EXPOSURE) * bkgnorm,
NET_ERR = sqrt(ERR^2 + (BG_ERR * same factor)^2); rates divide by EXPOSURE (0 when the
exposure is 0); surface brightnesses divide by AREA. A number as ``bkg`` is a fixed level in
counts/pixel/s [I]. Not supported yet (clear errors): ``exp``/``bkgexp`` exposure maps,
``wmap``, variance-file errors, opt ``pha2``/``ltc2``/``generic2``.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import numpy as np

from .dm import gti as gtimod
from .dm.binning import histogram, resolve_grid
from .dm.regions import RegionError, expand_annulus_grid, parse_region, read_region_list
from .dm.stack import expand_grids, expand_stack
from .dm.syntax import parse_virtual_file
from .dm.virtual import CaseInsensitiveDict, open_virtual
from .dm.wcs import pair_wcs, physical_world_wcs
from .dm.writer import (
    NewColumn,
    creator_card,
    new_table_hdu,
    null_primary_hdu,
    other_hdus,
    write_fits,
)
from .errors import ToolError
from .messages import warn
from .outputs import check_clobber, output_file
from .task import tool_main

__all__ = ["count_errors", "net_columns", "region_counts_events", "region_counts_image",
           "Extraction", "extract", "light_curve_exposure", "run", "main"]

OPTS = ("pha1", "pha2", "ltc1", "ltc2", "generic", "generic2")


# =========================================================================== arithmetic
def count_errors(counts, method="gaussian"):
    """Errors on counts: ``gaussian`` sqrt(N) (0 for N <= 0), ``gehrels`` 1 + sqrt(N + 0.75)."""
    n = np.asarray(counts, dtype=np.float64)
    m = str(method or "gaussian").strip().lower()
    if m == "gaussian":
        return np.sqrt(np.clip(n, 0.0, None))
    if m == "gehrels":
        return 1.0 + np.sqrt(np.clip(n, 0.0, None) + 0.75)
    raise ToolError(f"error method '{method}' is not supported (use gaussian or gehrels)")


def _rate(x, t):
    x = np.asarray(x, dtype=np.float64)
    t = np.broadcast_to(np.asarray(t, dtype=np.float64), x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, x / np.where(t > 0, t, 1.0), 0.0)


def _ratio(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b != 0, a / np.where(b != 0, b, 1.0), np.nan)


def net_columns(counts, err, area, exposure, bg_counts=None, bg_err=None, bg_area=None,
                bg_exposure=None, bkgnorm=1.0):
    """The derived columns of an extraction (spec dm.md §5.3), as float arrays.

    Without a background the NET values equal the source values."""
    counts = np.asarray(counts, dtype=np.float64)
    out = {"COUNT_RATE": _rate(counts, exposure), "COUNT_RATE_ERR": _rate(err, exposure)}
    if bg_counts is None:
        net, net_err = counts, np.asarray(err, dtype=np.float64)
    else:
        t, bt = np.broadcast_arrays(np.asarray(exposure, np.float64), np.asarray(bg_exposure, np.float64))
        # no time in either (a light-curve bin in a GTI gap): the same coverage, ratio 1
        exp_ratio = np.where((t == 0) & (bt == 0), 1.0, _ratio(t, bt))
        scale = _ratio(area, bg_area) * exp_ratio * float(bkgnorm)
        norm, norm_err = np.asarray(bg_counts) * scale, np.asarray(bg_err) * scale
        net = counts - norm
        net_err = np.sqrt(np.asarray(err, dtype=np.float64) ** 2 + norm_err ** 2)
        out.update(BG_RATE=_rate(bg_counts, bg_exposure), NORM_BG_COUNTS=norm,
                   NORM_BG_ERR=norm_err, BG_SUR_BRI=_ratio(bg_counts, bg_area),
                   BG_SUR_BRI_ERR=_ratio(bg_err, bg_area))
    out.update(NET_COUNTS=net, NET_ERR=net_err, NET_RATE=_rate(net, exposure),
               ERR_RATE=_rate(net_err, exposure), SUR_BRI=_ratio(net, area),
               SUR_BRI_ERR=_ratio(net_err, area))
    return out


# =========================================================================== regions
def region_counts_events(view, regions, names):
    """Events of a TableView inside each region: float array (one value per region).

    ``names``: the (x, y) column names. The columns are read once, chunk by chunk."""
    counts = np.zeros(len(regions))
    boxes = [r.extent() for r in regions]
    for chunk in view.iter_chunks(list(names)):
        x = np.asarray(chunk[names[0]], dtype=np.float64)
        y = np.asarray(chunk[names[1]], dtype=np.float64)
        for i, (r, (x0, y0, x1, y1)) in enumerate(zip(regions, boxes)):
            sel = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
            if sel.any():
                counts[i] += np.count_nonzero(r.contains(x[sel], y[sel]))
    return counts


def region_counts_image(view, regions, pair=(0, 1)):
    """(sums, npix) per region: the good pixels of an ImageView whose centres are inside."""
    data = np.asarray(view.data, dtype=np.float64)
    good = view.good_mask()
    ix, iy = pair
    if data.ndim != 2:
        raise ToolError(f"image {view.name} has {data.ndim} axes; dmextract needs a 2-D image")
    cx, cy = view.centres(ix), view.centres(iy)
    sums, npix = np.zeros(len(regions)), np.zeros(len(regions), dtype=np.int64)
    for i, r in enumerate(regions):
        x0, y0, x1, y1 = r.extent()
        jx = np.flatnonzero((cx >= x0) & (cx <= x1))
        jy = np.flatnonzero((cy >= y0) & (cy <= y1))
        if not len(jx) or not len(jy):
            continue
        X, Y = np.meshgrid(cx[jx], cy[jy])
        inside = r.contains(X, Y) & good[np.ix_(jy, jx)]
        sums[i] = data[np.ix_(jy, jx)][inside].sum()
        npix[i] = np.count_nonzero(inside)
    return sums, npix


_RADII = {"circle": 1, "annulus": 2, "box": 2, "ellipse": 2, "pie": 2}


def _shape_columns(regions, wcs):
    """sky(X,Y), EQPOS, SHAPE, R[2], RMID, ROTANG[2] and COMPONENT of each region's first
    shape (one row per region)."""
    n = len(regions)
    x, y = np.zeros(n), np.zeros(n)
    shape, r, rot, rmid = [], np.zeros((n, 2)), np.zeros((n, 2)), np.zeros(n)
    for i, reg in enumerate(regions):
        s = reg.components[0][0]
        if s.xs:
            x[i], y[i] = float(np.mean(s.xs[:-1] if s.kind == "polygon" else s.xs)), \
                float(np.mean(s.ys[:-1] if s.kind == "polygon" else s.ys))
        shape.append(("" if s.include else "!") + s.name)
        r[i, :len(s.radii[:2])] = s.radii[:2]
        rot[i, :len(s.angles[:2])] = s.angles[:2]
        k = _RADII.get(s.kind, 0)
        rmid[i] = float(np.mean(s.radii[:k])) if k and len(s.radii) >= k else 0.0
    ra = dec = None
    if wcs is not None:
        ra, dec = wcs.all_pix2world(x, y, 1)
    return x, y, ra, dec, np.array(shape), r, rmid, rot, np.arange(1, n + 1, dtype=np.int16)


# =========================================================================== inputs
@dataclass
class _Source:
    """One opened extraction input: the view without its [bin], the bin axis, regions."""
    spec: str
    vf: object
    view: object
    axis: object
    regions: list = field(default_factory=list)
    region_names: tuple = ()
    image_pair: tuple = (0, 1)


def _without_bin(vf):
    plain = copy.copy(vf)
    plain.bin = None
    plain.out_block = None
    return plain


def _spec_without_bin(vf):
    """The virtual-file text with its [bin ...] group removed (for messages)."""
    text = vf.text
    start = text.rfind("[", 0, vf.bin.pos + 1) if vf.bin is not None else -1
    if start < 0:
        return text
    depth = 0
    for i in range(start, len(text)):
        if text[i] in "[(":
            depth += 1
        elif text[i] in "])":
            depth -= 1
            if depth == 0:
                return text[:start] + text[i + 1:]
    return text


def _region_wcs(view, names):
    if view.kind == "image":
        return physical_world_wcs(view.header_with_world())
    cx, cy = view.info.column(names[0]), view.info.column(names[1])
    return pair_wcs(cx, cy) if cx is not None and cy is not None else None


def _open_table_for_regions(spec):
    v = open_virtual(spec)
    if v.kind != "table":
        raise ToolError(f"region file {spec} is not a table")
    return CaseInsensitiveDict(v.read())


def _regions_of(axis, view, names):
    """The list of regions a spatial [bin] names (one output row each)."""
    wcs = _region_wcs(view, names)
    try:
        if axis.stack is not None:
            name = axis.stack.lstrip("-+").strip()
            if not name:
                raise ToolError("missing region stack after '@'")
            regions = read_region_list(name, wcs=wcs, open_table=_open_table_for_regions)
        else:
            texts = expand_annulus_grid(axis.region)
            if len(texts) == 1 and re.search(r"\b[rp]grid\s*\(", axis.region, re.I):
                texts = expand_grids(axis.region)
            regions = [parse_region(t, wcs=wcs, open_table=_open_table_for_regions) for t in texts]
    except RegionError as exc:
        raise ToolError(f"bad region in [bin {','.join(axis.names)}=...]: {exc}") from None
    except OSError as exc:
        raise ToolError(f"cannot read region stack: {exc}") from None
    if not regions:
        raise ToolError(f"the region specification '{axis.stack or axis.region}' has no shapes")
    return regions


def _spatial_names(view, axis):
    """(x, y) column names (tables) or axis names (images) of a spatial bin axis."""
    if view.kind == "image":
        pair = view.vector_axes(axis.names[0] if len(axis.names) == 1 else None,
                                pair=axis.names if len(axis.names) == 2 else None)
        return tuple(view.axes[i].name or n for i, n in zip(pair, ("x", "y"))), tuple(pair)
    if len(axis.names) == 2:
        cols = [view.info.column(n) for n in axis.names]
        if None in cols:
            raise ToolError(f"column '{axis.names[cols.index(None)]}' not found in block {view.name}")
        return tuple(c.name for c in cols), (0, 1)
    vec = _pairs(view).get(axis.names[0].lower())
    if not vec:
        raise ToolError(f"'{axis.names[0]}' is not a vector column (like sky) of block {view.name}")
    return tuple(vec[1]), (0, 1)


def _open_source(spec, need_bin=True):
    vf = parse_virtual_file(spec)
    if vf.bin is None:
        if need_bin:
            raise ToolError(f"no binning specification in '{spec}' (add [bin pi], [bin sky=region(...)] ...)")
        return _Source(spec, vf, open_virtual(vf), None)
    if len(vf.bin.axes) != 1:
        raise ToolError(f"dmextract bins one column (or one region list), not "
                        f"{len(vf.bin.axes)}: '{spec}'")
    axis = vf.bin.axes[0]
    view = open_virtual(_without_bin(vf))
    src = _Source(spec, vf, view, axis)
    if axis.region is not None or axis.stack is not None:
        src.region_names, src.image_pair = _spatial_names(view, axis)
        src.regions = _regions_of(axis, view, src.region_names)
    elif view.kind != "table":
        raise ToolError(f"'{spec}': a histogram of a column needs a table, and {view.name} is an image")
    if view.kind == "image" and vf.filters:
        warn(f'Input file, "{_spec_without_bin(vf)}", has no rows in it.')
    elif view.kind == "table" and view.nrows == 0:
        warn(f'Input file, "{_spec_without_bin(vf)}", has no rows in it.')
    return src


# =========================================================================== exposure and areas
def _dtcor(header):
    d = header.get("DTCOR")
    if isinstance(d, (int, float)) and not isinstance(d, bool):
        return float(d)
    on, live = header.get("ONTIME"), header.get("LIVETIME")
    if isinstance(on, (int, float)) and isinstance(live, (int, float)) and on:
        return float(live) / float(on)
    return 1.0


def _exposure(header):
    for key in ("EXPOSURE", "LIVETIME", "ONTIME"):
        v = header.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    return 0.0


def _header(view):
    return view.updated_header() if view.kind == "table" else view.header


def _first_gti(view):
    """The good time intervals of the view's first component, or None."""
    if view.kind != "table":
        return None
    blocks = view.subspace.gti_blocks()
    return blocks[0][1].intervals if blocks else None


def light_curve_exposure(edges_lo, edges_hi, gti, dtcor=1.0):
    """Exposure of each time bin: its overlap with the intervals ``gti`` x ``dtcor``
    (the whole bin when there is no GTI)."""
    lo = np.asarray(edges_lo, dtype=np.float64)
    hi = np.asarray(edges_hi, dtype=np.float64)
    if gti is None:
        return (hi - lo) * dtcor
    iv = gtimod.normalize(gti)
    out = np.zeros(len(lo))
    for a, b in iv:
        out += np.clip(np.minimum(hi, b) - np.maximum(lo, a), 0.0, None)
    # a bin wholly inside one interval keeps its exact width (no rounding from the clipping)
    full = np.zeros(len(lo), bool)
    for a, b in iv:
        full |= (lo >= a) & (hi <= b)
    out[full] = (hi - lo)[full]
    return out * dtcor


def _field(view, names):
    """(xmin, ymin, xmax, ymax) of the x/y data subspace, or None."""
    if view.kind != "table":
        return None
    bounds = [view.subspace.range_bounds(n) for n in names]
    out = []
    for n, b in zip(names, bounds):
        col = view.info.column(n)
        lo = b[0] if b and b[0] is not None else (col.tlmin if col is not None else None)
        hi = b[1] if b and b[1] is not None else (col.tlmax if col is not None else None)
        if lo is None or hi is None:
            return None
        out.append((lo, hi))
    return (out[0][0], out[1][0], out[0][1], out[1][1])


def _pairs(view):
    """{vector name: (stored name, [x, y])}: the table's vectors, with sky = (x, y) when the
    file declares none (no MTYPE)."""
    pairs = dict(view.info.vectors)
    if "sky" not in pairs and view.info.column("x") is not None and view.info.column("y") is not None:
        pairs["sky"] = ("sky", [view.info.column("x").name, view.info.column("y").name])
    return pairs


def _filter_area(view):
    """Area of the spatial filter region of a table (light curves, spectra), or of the sky
    field when there is none; 0 without sky columns."""
    if view.kind != "table":
        return 0.0
    for vname, (stored, comps) in _pairs(view).items():
        names = tuple(comps)
        fld = _field(view, names)
        reg = view.subspace.region(names)
        if reg is not None and reg.region is not None:
            return float(reg.region.area(field=fld))
        if vname in ("sky", "pos") and fld is not None:
            return float((fld[2] - fld[0]) * (fld[3] - fld[1]))
    return 0.0


# =========================================================================== extraction
@dataclass
class Extraction:
    """The result of one extraction: the output block name, its columns and keywords."""
    name: str
    columns: list
    cards: list
    source: object
    mtypes: list = field(default_factory=list)


def _background_columns(bg, derived):
    """The background columns every dmextract layout starts its background part with."""
    return [_col("BG_COUNTS", np.asarray(bg["BG_COUNTS"], float), "count", "Background Counts"),
            _col("BG_ERR", bg["BG_ERR"], "count", "Error on Background counts"),
            _col("BG_AREA", bg["BG_AREA"], "pixel**2", "Background Area of Extraction"),
            _col("BG_EXPOSURE", bg["BG_EXPOSURE"], "s", "Exposure time of background file"),
            _col("BG_RATE", derived["BG_RATE"], "count/s", "Background Rate")]


def _net_columns(derived):
    return [_col("NET_COUNTS", derived["NET_COUNTS"], "count", "Net Counts"),
            _col("NET_ERR", derived["NET_ERR"], "count", "Error on Net Counts"),
            _col("NET_RATE", derived["NET_RATE"], "count/s", "Net Count Rate"),
            _col("ERR_RATE", derived["ERR_RATE"], "count/s", "Error Rate")]


def _col(name, values, unit=None, comment=None, **kw):
    return NewColumn(name, values, unit, comment, **kw)


def _bkg_number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _background_regions(bkg_src, n):
    regions = bkg_src.regions
    if not regions and bkg_src.view.kind == "table":
        for vname, (stored, comps) in _pairs(bkg_src.view).items():
            reg = bkg_src.view.subspace.region(tuple(comps))
            if reg is not None and reg.region is not None:
                regions, bkg_src.region_names = [reg.region], tuple(comps)
                break
    if not regions:
        raise ToolError(f"the background '{bkg_src.spec}' names no region ([bin sky=region(...)] or a sky filter)")
    if len(regions) not in (1, n):
        raise ToolError(f"the background has {len(regions)} regions but the source has {n}; "
                        "give one background region or one per source region")
    return regions


def _spatial(src, bkg, opts):
    view, regions, names = src.view, src.regions, src.region_names
    n = len(regions)
    header = _header(view)
    exposure = np.full(n, _exposure(header))
    if view.kind == "image":
        counts, npix = region_counts_image(view, regions, src.image_pair)
        pix = abs(view.axes[src.image_pair[0]].cdelt * view.axes[src.image_pair[1]].cdelt)
        area = npix * pix
    else:
        counts = region_counts_events(view, regions, names)
        fld = _field(view, names)
        area = np.array([r.area(field=fld) for r in regions], dtype=np.float64)
    err = count_errors(counts, opts["error"])
    bg = None
    if bkg is not None:
        level = _bkg_number(bkg) if isinstance(bkg, str) else None
        if level is not None:
            bg = dict(BG_COUNTS=level * area * exposure, BG_ERR=np.zeros(n), BG_AREA=area.copy(),
                      BG_EXPOSURE=exposure.copy())
        else:
            b = bkg if isinstance(bkg, _Source) else _open_source(bkg, need_bin=False)
            bregs = _background_regions(b, n)
            bnames = b.region_names or names
            bexp = _exposure(_header(b.view))
            if b.view.kind == "image":
                bc, bpix = region_counts_image(b.view, bregs, b.image_pair or (0, 1))
                barea = bpix * abs(b.view.axes[0].cdelt * b.view.axes[1].cdelt)
            else:
                bc = region_counts_events(b.view, bregs, bnames)
                bfld = _field(b.view, bnames)
                barea = np.array([r.area(field=bfld) for r in bregs], dtype=np.float64)
            if len(bregs) == 1 and n > 1:
                bc, barea = np.repeat(bc, n), np.repeat(barea, n)
            bg = dict(BG_COUNTS=bc, BG_ERR=count_errors(bc, opts["bkgerror"]), BG_AREA=barea,
                      BG_EXPOSURE=np.full(n, bexp))
    derived = net_columns(counts, err, area, exposure,
                          *(None,) * 4 if bg is None else (bg["BG_COUNTS"], bg["BG_ERR"],
                                                           bg["BG_AREA"], bg["BG_EXPOSURE"]),
                          bkgnorm=opts["bkgnorm"])
    wcs = _region_wcs(view, names)
    x, y, ra, dec, shape, r, rmid, rot, comp = _shape_columns(regions, wcs)
    scale = _arcsec_per_pixel(view, names, src.image_pair)
    def cel(ctype, unit, factor):
        """Column WCS in arcsec (CEL_R, CEL_AREA, CEL_BRI ...) when the sky scale is known."""
        return {"TCTYP": ctype, "TCRVL": 0.0, "TCRPX": 0.0, "TCDLT": factor, "TCUNI": unit} if scale else None
    s1, s2, sm2 = (scale, scale * scale, 1.0 / (scale * scale)) if scale else (0, 0, 0)
    cols = [_col("X", x, "pixel", "Position"), _col("Y", y, "pixel", "Position")]
    mtypes = [("sky", "X,Y", "pixel")]
    if ra is not None:
        cols += [_col("RA", ra, "deg", "Position", tlmin=-360.0, tlmax=360.0),
                 _col("Dec", dec, "deg", "Position", tlmin=-360.0, tlmax=360.0)]
        mtypes.append(("EQPOS", "RA,Dec", "deg"))
    cols += [_col("SHAPE", shape, None, "Region shape type", width=16),
             _col("R", r, "pixel", "Radius", keys=cel("CEL_R", "arcsec", s1)),
             _col("RMID", rmid, "pixel", "Mean of valid R[2] values", keys=cel("CEL_RMID", "arcsec", s1)),
             _col("ROTANG", rot, "pixel", "Angle"),
             _col("COMPONENT", comp, None, "Component number"),
             _col("COUNTS", counts, "count", "Counts"),
             _col("ERR_COUNTS", err, "count", "Error on counts"),
             _col("AREA", area, "pixel**2", "Area of extraction", keys=cel("CEL_AREA", "arcsec**2", s2)),
             _col("EXPOSURE", exposure, "s", "Exposure time of source file"),
             _col("COUNT_RATE", derived["COUNT_RATE"], "count/s", "Rate"),
             _col("COUNT_RATE_ERR", derived["COUNT_RATE_ERR"], "count/s", "Rate Error")]
    if bg is not None:
        cols += _background_columns(bg, derived) + [
                 _col("BG_SUR_BRI", derived["BG_SUR_BRI"], "count/pixel**2",
                      "Background Counts per square pixel", keys=cel("BG_CEL_BRI", "count/arcsec**2", sm2)),
                 _col("BG_SUR_BRI_ERR", derived["BG_SUR_BRI_ERR"], "count/pixel**2",
                      "Error on background counts per square pixel",
                      keys=cel("BG_CEL_BRI_ERR", "count/arcsec**2", sm2))]
    cols += _net_columns(derived) + [
             _col("SUR_BRI", derived["SUR_BRI"], "count/pixel**2", "Net Counts per square pixel",
                  keys=cel("CEL_BRI", "count/arcsec**2", sm2)),
             _col("SUR_BRI_ERR", derived["SUR_BRI_ERR"], "count/pixel**2",
                  "Error on net counts per square pixel", keys=cel("CEL_BRI_ERR", "count/arcsec**2", sm2))]
    cards = _histogram_cards(counts, opts)
    fld = _field(view, names)
    if fld is not None:
        cards.append(("HISTORY", f"dmextract binning: File {view.name} Col {src.axis.names[0]} "
                                 f"Binning {fld[0]:g}:{fld[2]:g}:1", ""))
    return Extraction("HISTOGRAM", cols, cards, view, mtypes)


def _arcsec_per_pixel(view, names, pair):
    """Size of one physical pixel in arcsec (from the sky WCS), or None."""
    try:
        if view.kind == "image":
            w = (view.world or {}).get("cards", [])
            cd = {k: v for k, v, _ in w}
            cdelt = cd.get("CDELT1")
            if cdelt is None:
                return None
            return abs(float(cdelt)) * 3600.0 / abs(view.axes[pair[0]].cdelt)
        col = view.info.column(names[0])
        d = col.keys.get("TCDLT") if col is not None else None
        return abs(float(d)) * 3600.0 if d is not None else None
    except (TypeError, ValueError):
        return None


def _histogram_cards(counts, opts):
    return [("CONTENT", "HISTOGRAM", "Histogram file"),
            ("HDUCLASS", "CXC", "format conforms to CXC standards"),
            ("HDUDOC", "Rots et al ASC-FITS-1.1", "Documentation for format"),
            ("HDUCLAS1", "HISTOGRAM", "Extension contains a binned table"),
            ("HDUCLAS2", "TOTAL", "Total counts"), ("HDUCLAS3", "TYPE:I", "One histogram in the file"),
            ("HDUCLAS4", "COUNT", "Total counts"), ("HDUVERS1", "1.0", "Format version"),
            ("SYS_ERR", float(opts["sys_err"]), "Systematic errors"),
            ("TOTCTS", int(round(float(np.sum(counts)))), "[count] Total counts")]


def _grid_columns(grid):
    g = grid[0]
    edges = g.lo + g.step * np.arange(g.n + 1, dtype=np.float64)
    lo, hi = edges[:-1], edges[1:]
    return lo, hi, (lo + hi) / 2.0


def _scalar(src, bkg, opts):
    view = src.view
    grid = resolve_grid(view, src.vf.bin)
    g = grid[0]
    counts = histogram(view, grid).astype(np.int64)
    header = _header(view)
    lo, hi, centre = _grid_columns(grid)
    opt = opts["opt"]
    upper = g.column.name.upper()
    if opt == "ltc1":
        if g.column.name.lower() != "time":
            raise ToolError(f"opt=ltc1 makes a light curve: bin on time, not {g.column.name}")
        return _light_curve(src, bkg, opts, grid, counts, lo, hi, centre)
    exposure = _exposure(header)
    area = _filter_area(view)
    err = count_errors(counts, opts["error"])
    bg = None
    if bkg is not None:
        bg = _scalar_background(bkg, grid, opts, exposure, area, len(counts))
    derived = net_columns(counts, err, area, exposure,
                          *(None,) * 4 if bg is None else (bg["BG_COUNTS"], bg["BG_ERR"], bg["BG_AREA"],
                                                           bg["BG_EXPOSURE"]), bkgnorm=opts["bkgnorm"])
    integer = g.column.kind == "int"
    value = np.rint(centre) if integer else centre
    chan = np.arange(1, g.n + 1, dtype=np.int32)
    binned = _col(upper, value.astype(np.float64), g.column.unit, g.column.comment,
                  tlmin=float(value[0]), tlmax=float(value[-1]))
    cols = [_col("CHANNEL", chan, "channel", upper, tlmin=1, tlmax=int(g.n)), binned,
            _col("COUNTS", counts.astype(np.int32), "count", "Counts")]
    gaussian = opts["error"].lower() == "gaussian"
    if opt == "generic" or not gaussian:
        cols.append(_col("STAT_ERR", err, "count", "Statistical error", tlmin=0.0))
    cols.append(_col("COUNT_RATE", derived["COUNT_RATE"], "count/s", "Rate", tlmin=0.0))
    if opt == "generic":
        cols.append(_col("COUNT_RATE_ERR", derived["COUNT_RATE_ERR"], "count/s", "Rate Error", tlmin=0.0))
    if bg is not None:
        cols += _background_columns(bg, derived) + _net_columns(derived)
    binning = f"{g.lo:g}:{g.lo + g.n * g.step:g}:{g.step:g}"
    hist = ("HISTORY", f"dmextract binning: File {view.name} Col {g.column.name} Binning {binning}", "")
    total = int(counts.sum())
    if opt == "pha1":
        field_area = _field_area(view)
        backscal = area / field_area if field_area and area and _has_region(view) else 1.0
        cards = [("AREASCAL", 1.0, "[pixel] Fractional area"), ("CORRSCAL", 0.0, "[pixel] Fractional area"),
                 ("BACKSCAL", float(backscal), "[pixel] Fractional area"),
                 ("DETCHANS", int(g.n), "Number of channels"), ("TOTCTS", total, "[count] Total counts"),
                 ("POISSERR", bool(gaussian), "Assumed Poisson errs"),
                 ("SYS_ERR", float(opts["sys_err"]), "Systematic errors"),
                 ("QUALITY", 0, "Quality flag"), ("GROUPING", 0, "Grouping flag"),
                 ("CONTENT", "PHA", "PHA file"),
                 ("HDUCLASS", "OGIP", "format conforms to OGIP/GSFC Spectral standards"),
                 ("HDUDOC", "Arnaud et al. 1992a Legacy 2  p 65", "Documentation for format"),
                 ("HDUCLAS1", "SPECTRUM", "Extension contains a Spectrum"),
                 ("HDUCLAS2", "TOTAL", "Spectrum total counts"),
                 ("HDUCLAS3", "TYPE:I", "One spectrum in the file"),
                 ("HDUCLAS4", "COUNT", "Spectrum total counts"),
                 ("HDUVERS", "1.1.0", "Format version"), ("HDUVERS1", "1.1.0", "Format version"),
                 ("CHANTYPE", upper, "PHA type"), ("BACKFILE", "none", ""), ("CORRFILE", "none", ""),
                 ("RESPFILE", "none", ""), ("ANCRFILE", "none", ""), hist]
        return Extraction("SPECTRUM", cols, cards, view)
    return Extraction("HISTOGRAM", cols, _histogram_cards(counts, opts) + [hist], view)


def _has_region(view):
    return any(view.subspace.region(tuple(c)) is not None for _, (_, c) in _pairs(view).items())


def _field_area(view):
    for vname, (stored, comps) in _pairs(view).items():
        fld = _field(view, tuple(comps))
        if vname in ("sky", "pos") and fld is not None:
            return float((fld[2] - fld[0]) * (fld[3] - fld[1]))
    return 0.0


def _scalar_background(bkg, grid, opts, exposure, area, n):
    level = _bkg_number(bkg) if isinstance(bkg, str) else None
    if level is not None:
        return dict(BG_COUNTS=np.full(n, level * area * exposure), BG_ERR=np.zeros(n),
                    BG_AREA=np.full(n, area), BG_EXPOSURE=np.full(n, exposure))
    b = _open_source(bkg, need_bin=False)
    if b.view.kind != "table":
        raise ToolError(f"the background '{bkg}' must be an event table")
    bc = histogram(b.view, grid).astype(np.float64)
    return dict(BG_COUNTS=bc, BG_ERR=count_errors(bc, opts["bkgerror"]),
                BG_AREA=np.full(n, _filter_area(b.view)),
                BG_EXPOSURE=np.full(n, _exposure(_header(b.view))))


def _light_curve(src, bkg, opts, grid, counts, lo, hi, centre):
    view = src.view
    g = grid[0]
    header = _header(view)
    top = np.minimum(hi, g.hi_cut)
    exposure = light_curve_exposure(lo, top, _first_gti(view), _dtcor(header))
    area = _filter_area(view)
    err = count_errors(counts, opts["error"])
    n = g.n
    bg = None
    if bkg is not None:
        level = _bkg_number(bkg)
        if level is not None:
            bg = dict(BG_COUNTS=level * area * exposure, BG_ERR=np.zeros(n), BG_AREA=np.full(n, area),
                      BG_EXPOSURE=exposure.copy())
        else:
            b = _open_source(bkg, need_bin=False)
            if b.view.kind != "table":
                raise ToolError(f"the background '{bkg}' must be an event table")
            bc = histogram(b.view, grid).astype(np.float64)
            bh = _header(b.view)
            bexp = light_curve_exposure(lo, top, _first_gti(b.view), _dtcor(bh))
            bg = dict(BG_COUNTS=bc, BG_ERR=count_errors(bc, opts["bkgerror"]),
                      BG_AREA=np.full(n, _filter_area(b.view)), BG_EXPOSURE=bexp)
    derived = net_columns(counts, err, np.full(n, area), exposure,
                          *(None,) * 4 if bg is None else (bg["BG_COUNTS"], bg["BG_ERR"], bg["BG_AREA"],
                                                           bg["BG_EXPOSURE"]), bkgnorm=opts["bkgnorm"])
    t0 = float(centre[0])
    tlo, thi = float(g.lo), float(g.hi_cut)
    dt = lambda name: {"TCTYP": name, "TCRVL": 0.0, "TCRPX": t0, "TCDLT": 1.0, "TCUNI": "s"}
    unit = g.column.unit or "s"
    cols = [_col("TIME_BIN", np.arange(1, n + 1, dtype=np.int32), "channel",
                 "S/C TT corresponding to mid-exposure", tlmin=1, tlmax=int(n)),
            _col("TIME_MIN", lo, unit, "Minimum Value in Bin", tlmin=tlo, tlmax=thi, keys=dt("DT_MIN")),
            _col("TIME", centre, unit, "S/C TT corresponding to mid-exposure", tlmin=tlo, tlmax=thi,
                 keys=dt("DT")),
            _col("TIME_MAX", hi, unit, "Maximum Value in Bin", tlmin=tlo, tlmax=thi, keys=dt("DT_MAX")),
            _col("COUNTS", counts.astype(np.int32), "count", "Counts"),
            _col("STAT_ERR", err, "count", "Statistical error", tlmin=0.0),
            _col("AREA", np.full(n, area), "pixel**2", "Area of extraction"),
            _col("EXPOSURE", exposure, "s", "Time per interval"),
            _col("COUNT_RATE", derived["COUNT_RATE"], "count/s", "Rate", tlmin=0.0),
            _col("COUNT_RATE_ERR", derived["COUNT_RATE_ERR"], "count/s", "Rate Error", tlmin=0.0)]
    if bg is not None:
        cols += _background_columns(bg, derived) + [
            _col("NORM_BG_COUNTS", derived["NORM_BG_COUNTS"], "count", "Background Counts"),
            _col("NORM_BG_ERR", derived["NORM_BG_ERR"], "count", "Error on Background counts"),
        ] + _net_columns(derived)
    cards = [("TIMEDEL", float(g.step), "[s] bin size of the light curve"),
             ("TIMEPIXR", 0.5, "TIME is the centre of each bin"),
             ("CONTENT", "LIGHTCURVE", "Light curve file"),
             ("HDUCLASS", "OGIP", "format conforms to OGIP/GSFC standards"),
             ("HDUCLAS1", "LIGHTCURVE", "Extension contains a light curve"),
             ("HISTORY", f"dmextract binning: File {view.name} Col {g.column.name} "
                         f"Binning {g.lo:.6f}:{g.hi_cut:.6f}:{g.step:g}", "")]
    return Extraction("LIGHTCURVE", cols, cards, view)


def extract(infile, bkg=None, *, opt="pha1", error="gaussian", bkgerror="gaussian", bkgnorm=1.0,
            sys_err=0.0):
    """One extraction (a virtual-file string with a [bin ...]) -> Extraction.

    ``bkg``: None, a virtual-file string (a region bin or a filtered table), or a number
    as text (a fixed level in counts/pixel/s)."""
    opt = str(opt or "pha1").strip().lower()
    if opt not in OPTS:
        raise ToolError(f"unknown opt '{opt}' (use pha1, ltc1 or generic)")
    if opt in ("pha2", "ltc2", "generic2"):
        raise ToolError(f"opt={opt} is not supported yet (use pha1, ltc1 or generic)")
    opts = dict(opt=opt, error=str(error or "gaussian"), bkgerror=str(bkgerror or "gaussian"),
                bkgnorm=1.0 if bkgnorm is None else float(bkgnorm),
                sys_err=0.0 if sys_err is None else float(sys_err))
    for key in ("error", "bkgerror"):
        if opts[key].strip().lower() not in ("gaussian", "gehrels"):
            raise ToolError(f"{key}={opts[key]}: variance files are not supported yet (use gaussian or gehrels)")
    src = _open_source(infile)
    if bkg is not None and not str(bkg).strip():
        bkg = None
    if src.regions:
        if opt == "ltc1":
            raise ToolError("opt=ltc1 needs a time binning ([bin time=...]); a region goes in a filter")
        return _spatial(src, bkg, opts)
    return _scalar(src, bkg, opts)


def _write(path, ext, history, compress):
    hdr = _header(ext.source)
    prim = null_primary_hdu(ext.source.dataset.blocks[0].header
                            if ext.source.dataset.blocks[0].kind == "null" else None)
    cards = [c for c in ext.cards if c[0] != "HISTORY"]
    cards.append(creator_card("dmextract"))
    extra_history = [c[1] for c in ext.cards if c[0] == "HISTORY"]
    header = hdr.copy()
    for h in extra_history:
        header.add_history(h)
    subspace = ext.source.subspace if ext.source.kind == "table" else None
    table = new_table_hdu(ext.name, ext.columns, header=header, history=history, subspace=subspace,
                          mtypes=ext.mtypes, extra_cards=cards)
    write_fits(path, [prim, table] + other_hdus(ext.source), compress=compress)


def _stack(value, what):
    items = [s for s in expand_stack(str(value or "")) if s.strip()]
    if not items:
        raise ToolError(f"no {what} given")
    return items


def run(p):
    infiles = _stack(p.infile, "input file")
    outfiles = _stack(p.outfile, "output file")
    if len(infiles) != len(outfiles):
        raise ToolError(f"{len(infiles)} input files but {len(outfiles)} output files")
    for name in ("exp", "bkgexp"):
        v = str(getattr(p, name, "") or "").strip()
        if v and v.lower() != "none":
            raise ToolError(f"{name}= (exposure-map weighting) is not supported yet")
    wmap = str(getattr(p, "wmap", "") or "").strip()
    if wmap and wmap.lower() != "none":
        raise ToolError("wmap= is not supported yet")
    bkgs = [None] * len(infiles)
    bkg_text = str(p.bkg or "").strip()
    if bkg_text and bkg_text.lower() != "none":
        items = [bkg_text] if _bkg_number(bkg_text) is not None else _stack(bkg_text, "background")
        if len(items) == 1:
            bkgs = items * len(infiles)
        elif len(items) == len(infiles):
            bkgs = items
        else:
            raise ToolError(f"{len(items)} background files for {len(infiles)} input files")
    clobber = bool(p.clobber)
    for out in outfiles:
        check_clobber(parse_virtual_file(out).path, clobber)
    for inp, out, bkg in zip(infiles, outfiles, bkgs):
        ext = extract(inp, bkg, opt=p.opt, error=p.error, bkgerror=p.bkgerror, bkgnorm=p.bkgnorm,
                      sys_err=p.sys_err)
        params = [("infile", inp), ("outfile", out), ("bkg", bkg or ""), ("error", p.error),
                  ("bkgerror", p.bkgerror), ("bkgnorm", f"{float(p.bkgnorm if p.bkgnorm is not None else 1):g}"),
                  ("exp", ""), ("bkgexp", ""), ("sys_err", f"{float(p.sys_err or 0):g}"), ("opt", p.opt),
                  ("defaults", getattr(p, "defaults", "") or ""), ("wmap", wmap),
                  ("clobber", "yes" if clobber else "no"), ("verbose", getattr(p, "verbose", 0) or 0)]
        vf = parse_virtual_file(out)
        if vf.block:
            ext.name = str(vf.block)
        with output_file(vf.path, clobber) as tmp:
            _write(tmp, ext, ("dmextract", params), vf.path.endswith(".gz"))
    return None


main = tool_main("dmextract", run)
