"""Binning a table into an image: grid rules, the histogram, and the image's coordinates.

Grid rules (spec dm.md §1.7): a real column's ``lo:hi:step`` gives N = ceil((hi-lo)/step)
bins from ``lo`` (events >= hi are dropped even when the last bin reaches beyond it);
``lo:hi:#n`` gives n bins; integer columns are centred on integers (edges at k-0.5, both ends
inclusive); default limits come from the data subspace (TLMIN/TLMAX, narrowed by filters, or
a region's bounding box; for time the GTIs, else TSTART/TSTOP), moved out by half a unit
when they are whole numbers (not time limits: those are exact GTI edges).
The histogram is accumulated chunk by chunk with ``np.bincount``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ToolError
from .image import ImageView
from .subspace import GTIValue
from .wcs import AxisTransform, column_world

__all__ = ["GridAxis", "resolve_grid", "bin_table", "histogram"]

_TYPES = {"i2": np.int16, "i4": np.int32, "i8": np.int64, "r4": np.float32, "r8": np.float64,
          "short": np.int16, "long": np.int32, "int": np.int32, "float": np.float32,
          "double": np.float64, "u1": np.uint8, "byte": np.uint8}


@dataclass
class GridAxis:
    """One image axis of a binned table: column, lower edge, bin size, bins, upper cut."""
    column: object          # ColumnInfo
    lo: float               # lower edge of bin 1
    step: float
    n: int
    hi_cut: float           # values must be < hi_cut
    vector: str | None = None

    @property
    def transform(self):
        col = self.column
        return AxisTransform(col.name, self.lo, 0.5, self.step, None, self.vector, col.comment)


def _ceil_bins(span, step):
    r = span / step
    n = math.ceil(r - 1e-9 * max(1.0, abs(r)))
    return max(n, 1)


def _default_limits(view, col, vector_pair):
    """Default (lo, hi) for a column from the subspace, a region, or the data."""
    ss = view.subspace
    lo = hi = None
    if vector_pair:
        reg = ss.region(vector_pair)
        if reg is not None and reg.region is not None:
            xmin, ymin, xmax, ymax = reg.region.extent()
            k = [n.lower() for n in vector_pair].index(col.name.lower())
            lo, hi = (xmin, xmax) if k == 0 else (ymin, ymax)
            lo = None if not np.isfinite(lo) else float(lo)
            hi = None if not np.isfinite(hi) else float(hi)
    rb = ss.range_bounds(col.name)
    if rb is not None:
        rlo, rhi = rb
        lo = rlo if lo is None else (lo if rlo is None else max(lo, rlo))
        hi = rhi if hi is None else (hi if rhi is None else min(hi, rhi))
    if lo is None or hi is None:
        v = ss.value(col.name)
        if isinstance(v, GTIValue) or (v is None and col.name.lower() == "time"):
            # the time subspace is its GTIs: bins start at the first good time (dmextract
            # [bin time=::200] light curves); TSTART/TSTOP only when there are none
            ivs = [iv for _, g in ss.gti_blocks() for iv in g.intervals]
            tstart, tstop = view.header.get("TSTART"), view.header.get("TSTOP")
            if ivs:
                arr = np.array(ivs)
                lo = float(arr[:, 0].min()) if lo is None else lo
                hi = float(arr[:, 1].max()) if hi is None else hi
            elif isinstance(tstart, (int, float)) and isinstance(tstop, (int, float)):
                lo = float(tstart) if lo is None else lo
                hi = float(tstop) if hi is None else hi
    if lo is None or hi is None:
        dmin, dmax = _data_range(view, col)
        lo = dmin if lo is None else lo
        hi = dmax if hi is None else hi
    return lo, hi


def _data_range(view, col):
    lo, hi = np.inf, -np.inf
    for chunk in view.iter_chunks([col.name]):
        v = chunk[col.name]
        if v.size:
            v = v[np.isfinite(v)] if v.dtype.kind == "f" else v
            if v.size:
                lo, hi = min(lo, float(v.min())), max(hi, float(v.max()))
    if not np.isfinite(lo):
        raise ToolError(f"cannot choose a binning range for column '{col.name}': no data")
    return lo, hi


def _grid_axis(view, col, ax, vector, vector_pair):
    integer = col.kind == "int"
    lo = float(ax.lo.text) if ax.lo else None
    hi = float(ax.hi.text) if ax.hi else None
    default = lo is None or hi is None
    if default:
        dlo, dhi = _default_limits(view, col, vector_pair)
        # time limits are GTI edges: bins start exactly at the first good time
        timelike = isinstance(view.subspace.value(col.name), GTIValue) or col.name.lower() == "time"
        if not integer and not timelike:
            if lo is None and float(dlo).is_integer():
                dlo -= 0.5
            if hi is None and float(dhi).is_integer():
                dhi += 0.5
        lo = dlo if lo is None else lo
        hi = dhi if hi is None else hi
    if hi < lo:
        raise ToolError(f"bin range {lo:g}:{hi:g} for column '{col.name}' is reversed")
    if integer:
        lo_i, hi_i = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
        edge_lo, span = lo_i - 0.5, hi_i - lo_i + 1
        hi_cut = hi_i + 0.5
    else:
        edge_lo, span, hi_cut = lo, hi - lo, hi
    if ax.nbins:
        n = ax.nbins
        step = span / n
    else:
        step = float(ax.step.text) if ax.step is not None else 1.0
        n = _ceil_bins(span, step) if span > 0 else 1
    if n > 1 << 28:
        raise ToolError(f"binning column '{col.name}' would make {n} bins; give a larger bin size")
    return GridAxis(col, float(edge_lo), float(step), int(n), float(hi_cut), vector)


def resolve_grid(view, spec):
    """The GridAxis list (FITS axis order) for a ``[bin ...]`` on a TableView."""
    axes = []
    vectors = view.info.vectors
    for ax in spec.axes:
        if ax.region or ax.stack:
            raise ToolError("region bin specifications ([bin sky=circle(...)]) are for dmextract; "
                            "dmcopy bins on a grid")
        if len(ax.names) == 2:
            cols = [view.source_column(n) for n in ax.names]
            if None in cols:
                missing = ax.names[cols.index(None)]
                raise ToolError(f"column '{missing}' not found in block {view.name}")
            vname = None
            for key, (stored, comps) in vectors.items():
                if [c.lower() for c in comps] == [c.name.lower() for c in cols]:
                    vname = stored
            for c in cols:
                axes.append(_grid_axis(view, c, ax, vname, tuple(x.name for x in cols)))
            continue
        name = ax.names[0]
        if name.lower() in vectors and view.info.column(name) is None:
            stored, comps = vectors[name.lower()]
            cols = [view.info.column(c) for c in comps]
            for c in cols:
                axes.append(_grid_axis(view, c, ax, stored, tuple(x.name for x in cols)))
            continue
        col = view.source_column(name)
        if col is None:
            raise ToolError(f"column '{name}' not found in block {view.name}")
        if col.kind not in ("int", "real") or col.shape:
            raise ToolError(f"cannot bin column '{col.name}' of type {col.type_name}")
        pair = None
        for key, (stored, comps) in vectors.items():
            if col.name.lower() in [c.lower() for c in comps]:
                pair = tuple(comps)
        axes.append(_grid_axis(view, col, ax, None, pair))
    # consecutive scalar axes that spell out a vector (x then y) form that vector
    for i in range(len(axes) - 1):
        a, b = axes[i], axes[i + 1]
        if a.vector or b.vector:
            continue
        for key, (stored, comps) in vectors.items():
            if [c.lower() for c in comps] == [a.column.name.lower(), b.column.name.lower()]:
                a.vector = b.vector = stored
    return axes


def histogram(view, grid, weight=None):
    """Accumulate the image (numpy order) chunk by chunk; returns float64 or int64 counts."""
    size = 1
    for g in grid:
        size *= g.n
    names = [g.column.name for g in grid]
    wname = None
    if weight:
        wcol = view.source_column(weight)
        if wcol is None:
            raise ToolError(f"weight column '{weight}' not found in block {view.name}")
        wname = wcol.name
    acc = np.zeros(size, np.float64 if wname else np.int64)
    read = list(dict.fromkeys(names + ([wname] if wname else [])))
    rows = 1 << 21
    pending, npending = [], 0                         # indices waiting for one bincount

    def flush():
        nonlocal pending, npending
        if pending:
            idx = pending[0] if len(pending) == 1 else np.concatenate(pending)
            pending, npending = [], 0
            acc[:] += np.bincount(idx, minlength=size)
    with np.errstate(invalid="ignore", over="ignore"):
        for chunk, mask in view.iter_chunks(read, chunk_rows=rows, with_mask=True):
            n = len(chunk[names[0]]) if names else 0
            if n == 0:
                continue
            ok = np.ones(n, bool) if mask is None else mask
            flat, stride = None, 1
            for g in grid:
                v = chunk[g.column.name]
                f = np.subtract(v, g.lo, dtype=np.float64)
                f /= g.step
                ok &= f >= 0
                ok &= f < g.n
                if g.hi_cut < g.lo + g.n * g.step:        # partially filled last bin
                    ok &= v < g.hi_cut
                i = f.astype(np.intp)
                del f
                if flat is None:
                    flat = i
                else:
                    i *= stride
                    flat += i
                stride *= g.n
            sel = flat[ok]
            if wname:
                acc += np.bincount(sel, weights=chunk[wname][ok].astype(np.float64), minlength=size)
                continue
            # one bincount (a full-size array) per ~image-size events, not per chunk
            pending.append(sel)
            npending += len(sel)
            if npending >= size:
                flush()
        flush()
    shape = tuple(g.n for g in reversed(grid))
    return acc.reshape(shape)


def _output_type(counts, weighted, opt_type):
    if opt_type:
        try:
            return np.dtype(_TYPES[str(opt_type).lower()])
        except KeyError:
            raise ToolError(f"unknown image type '{opt_type}' (use i2, i4, r4 or r8)") from None
    if weighted:
        return np.dtype(np.float32)
    top = int(counts.max()) if counts.size else 0
    return np.dtype(np.int16) if top <= np.iinfo(np.int16).max else np.dtype(np.int32)


def bin_table(view, spec, options=None, name=None):
    """Bin a TableView into an ImageView (header, WCS, subspace and GTIs carried)."""
    options = options or {}
    grid = resolve_grid(view, spec)
    counts = histogram(view, grid, spec.weight)
    dtype = _output_type(counts, bool(spec.weight), options.get("type"))
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if counts.size and (counts.max() > info.max or counts.min() < info.min):
            raise ToolError(f"binned counts overflow the image type {dtype.name}; use [opt type=i4]")
    data = counts.astype(dtype)
    axes = [g.transform for g in grid]
    world = _binned_world(grid)
    if world:
        world["mtype"], world["mform"] = world_names(view.info, grid[0].column)
    header = view.updated_header().copy()
    img = ImageView(data, axes, header, name or f"{view.name}_IMAGE", world, None,
                    None, view.subspace.copy(), source=view)
    img.exclude_dss = {g.column.name.lower() for g in grid}
    if len(grid) >= 2:
        reg = view.subspace.region((grid[0].column.name, grid[1].column.name))
        if reg is not None and reg.region is not None:
            img._null_outside(reg.region, [0, 1])       # pixels centred outside are null
    if spec.weight:
        wcol = view.source_column(spec.weight)
        if wcol is not None and wcol.unit:
            header["BUNIT"] = wcol.unit
    null = options.get("null")
    if null not in (None, True) and dtype.kind in "iu":
        img.null = int(float(null))
    return img


def _binned_world(grid):
    """World cards for a binned sky pair: the column WCS re-expressed in logical pixels."""
    pairs = [g for g in grid[:2] if column_world(g.column)]
    if len(grid) < 2 or len(pairs) < 2 or grid[0].vector is None:
        return None
    cards = []
    for n, g in enumerate(grid[:2], start=1):
        w = column_world(g.column)
        ax = g.transform
        cards += [(f"CTYPE{n}", w["ctype"], ""), (f"CRVAL{n}", w["crval"], ""),
                  (f"CRPIX{n}", float(ax.logical(w["crpix"])), ""),
                  (f"CDELT{n}", w["cdelt"] * g.step, ""), (f"CUNIT{n}", w["cunit"] or "deg", "")]
    return {"mtype": None, "mform": None, "unit": column_world(grid[0].column)["cunit"] or "deg",
            "cards": cards}


def world_names(block, colx):
    """(MTYPE, MFORM) naming the world system of a sky column: ('EQPOS', 'RA,DEC')."""
    w = column_world(colx)
    if not w:
        return None, None
    key = str(colx.keys.get("TCNA") or w["ctype"].split("-")[0]).strip().upper()
    names = {c.name.lower() for c in block.columns}
    for k in block.header:
        if k.startswith("MTYPE") and k[5:].isdigit():
            form = str(block.header.get("MFORM" + k[5:], ""))
            comps = [c.strip() for c in form.split(",")]
            if comps and comps[0].upper() == key and not any(c.lower() in names for c in comps):
                return str(block.header[k]).strip(), form.strip()
    if key == "RA":
        return "EQPOS", "RA,DEC"
    return None, None
