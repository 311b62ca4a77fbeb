"""dmstat: statistics of table columns or of an image (spec dm.md §4.2).

``column_stats`` / ``image_stats`` compute (plain arrays in, a Stats out); ``format_*``
lay the results out as dmstat prints them; ``run`` loops over the input stack and returns
the output parameters (``out_mean`` ...) of the last block processed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .dm.stack import expand_stack
from .dm.textformat import format_g11 as g
from .dm.virtual import open_virtual
from .errors import ToolError
from .task import tool_main

__all__ = ["Stats", "column_stats", "image_stats", "format_column", "format_image", "run", "main"]


@dataclass
class Stats:
    """Per-component statistics (lists have one entry per vector component)."""
    label: str
    minimum: list = field(default_factory=list)
    min_loc: list = field(default_factory=list)
    maximum: list = field(default_factory=list)
    max_loc: list = field(default_factory=list)
    mean: list = field(default_factory=list)
    median: list = field(default_factory=list)
    sigma: list = field(default_factory=list)
    total: list = field(default_factory=list)
    good: list = field(default_factory=list)
    null: list = field(default_factory=list)
    converged: bool = True
    cntrd_log: list | None = None
    cntrd_phys: list | None = None
    sigma_cntrd: list | None = None


def _clip(values, nsigma, maxiter):
    """Iterative nsigma clipping; returns (mask of kept values, converged)."""
    keep = np.ones(len(values), bool)
    for _ in range(maxiter):
        v = values[keep]
        if v.size == 0:
            return keep, True
        m, s = v.mean(), v.std()
        new = keep & (np.abs(values - m) <= nsigma * s)
        if np.array_equal(new, keep):
            return keep, True
        keep = new
    return keep, False


def _one(values, good, median, clip, nsigma, maxiter):
    """min, min index, max, max index, mean, median, sigma, sum, ngood, converged."""
    idx = np.flatnonzero(good)
    v = values[idx].astype(np.float64)
    converged = True
    if clip and v.size:
        keep, converged = _clip(v, nsigma, maxiter)
        idx, v = idx[keep], v[keep]
    if v.size == 0:
        nan = float("nan")
        return nan, 0, nan, 0, nan, nan, nan, 0.0, 0, converged
    imin, imax = int(np.argmin(v)), int(np.argmax(v))
    med = float(np.median(v)) if median else float("nan")
    return (float(v[imin]), int(idx[imin]), float(v[imax]), int(idx[imax]), float(v.mean()), med,
            float(v.std()), float(v.sum()), int(v.size), converged)


def column_stats(label, arrays, *, median=False, clip=False, nsigma=3.0, maxiter=20):
    """Statistics of one column (or the components of a vector column); locations 1-based."""
    st = Stats(label)
    for a in arrays:
        a = np.asarray(a)
        good = np.isfinite(a) if a.dtype.kind == "f" else np.ones(a.shape, bool)
        r = _one(a, good, median, clip, nsigma, maxiter)
        st.minimum.append(r[0]); st.min_loc.append(r[1] + 1)
        st.maximum.append(r[2]); st.max_loc.append(r[3] + 1)
        st.mean.append(r[4]); st.median.append(r[5]); st.sigma.append(r[6]); st.total.append(r[7])
        st.good.append(r[8]); st.null.append(int(a.size - good.sum()))
        st.converged &= r[9]
    return st


def image_stats(label, data, good, axes, *, centroid=True, median=False, sigma=True, clip=False,
                nsigma=3.0, maxiter=20):
    """Statistics of an image; locations are physical pixel centres (first in storage order)."""
    flat = np.asarray(data).ravel()
    gmask = np.asarray(good).ravel()
    r = _one(flat, gmask, median, clip, nsigma, maxiter)
    st = Stats(label, [r[0]], [], [r[2]], [], [r[4]], [r[5]], [r[6]], [r[7]], [r[8]],
               [int(flat.size - r[8]) if not clip else int(flat.size - gmask.sum())], r[9])
    shape = np.asarray(data).shape
    def loc(i):
        idx = np.unravel_index(i, shape)                 # numpy order: last axis = FITS axis 1
        logical = [idx[len(shape) - 1 - k] + 1 for k in range(len(shape))]
        return [float(axes[k].phys(logical[k])) for k in range(len(shape))]
    st.min_loc, st.max_loc = loc(r[1]), loc(r[3])
    if centroid:
        v = np.where(np.asarray(good), np.asarray(data, np.float64), 0.0)
        tot = v.sum()
        clog, cphys, sig = [], [], []
        for k in range(v.ndim):
            npax = v.ndim - 1 - k
            coords = np.arange(1, shape[npax] + 1, dtype=np.float64)
            prof = v.sum(axis=tuple(j for j in range(v.ndim) if j != npax))
            c = float((prof * coords).sum() / tot) if tot else float("nan")
            s = float(np.sqrt((prof * (coords - c) ** 2).sum() / tot)) if tot else float("nan")
            clog.append(c)
            cphys.append(float(axes[k].phys(c)))
            sig.append(s * abs(axes[k].cdelt))
        st.cntrd_log, st.cntrd_phys, st.sigma_cntrd = clog, cphys, sig
    return st


# --------------------------------------------------------------------------- layout
def _fmt(values, tuple_form):
    if tuple_form:
        return "( " + " ".join(g(v) for v in values) + " )"
    return g(values[0]) + " "


def format_column(st, *, median=False, sigma=True):
    t = len(st.minimum) > 1
    def loc(v):
        return "( " + " ".join(str(x) for x in v) + " )" if t else f"{v[0]} "
    lines = [st.label,
             f"    min:\t{_fmt(st.minimum, t)}\t      @:\t{loc(st.min_loc)}",
             f"    max:\t{_fmt(st.maximum, t)}\t      @:\t{loc(st.max_loc)}",
             f"   mean:\t{_fmt(st.mean, t)}"]
    if median:
        lines.append(f" median:\t{_fmt(st.median, t)}")
    if sigma:
        lines.append(f"  sigma:\t{_fmt(st.sigma, t)}")
    lines += [f"    sum:\t{_fmt(st.total, t)}",
              f"   good:\t{_fmt(st.good, t)}",
              f"   null:\t{_fmt(st.null, t)}", ""]
    return "\n".join(lines)


def format_image(st, *, centroid=True, median=False, sigma=True):
    lines = [st.label,
             f"    min:\t{g(st.minimum[0])} \t      @:\t{_fmt(st.min_loc, True)}",
             f"    max:\t{g(st.maximum[0])} \t      @:\t{_fmt(st.max_loc, True)}"]
    if centroid:
        lines.append(f"cntrd[log] :\t{_fmt(st.cntrd_log, True)}")
        lines.append(f"cntrd[phys]:\t{_fmt(st.cntrd_phys, True)}")
        if sigma:
            lines.append(f"sigma_cntrd:\t{_fmt(st.sigma_cntrd, True)}")
    else:
        lines.append(f"   mean:\t{g(st.mean[0])} ")
        if median:
            lines.append(f" median:\t{g(st.median[0])} ")
        if sigma:
            lines.append(f"  sigma:\t{g(st.sigma[0])} ")
        lines.append(f"    sum:\t{g(st.total[0])} ")
    lines += [f"   good:\t{st.good[0]} ", f"   null:\t{st.null[0]} "]
    return "\n".join(lines)


def outputs(st, columns):
    def join(vals):
        return ",".join(g(v) if isinstance(v, float) else str(v) for v in vals)
    out = {"out_columns": columns, "out_min": join(st.minimum), "out_min_loc": join(st.min_loc),
           "out_max": join(st.maximum), "out_max_loc": join(st.max_loc), "out_mean": join(st.mean),
           "out_median": "" if all(np.isnan(v) for v in st.median) else join(st.median),
           "out_sigma": join(st.sigma), "out_sum": join(st.total),
           "out_good": join(st.good), "out_null": join(st.null),
           "out_cnvrgd": "yes" if st.converged else "no"}
    if st.cntrd_log is not None:
        out.update(out_cntrd_log=join(st.cntrd_log), out_cntrd_phys=join(st.cntrd_phys),
                   out_sigma_cntrd=join(st.sigma_cntrd))
    return out


# --------------------------------------------------------------------------- tool
def _column_groups(view):
    """Numeric visible columns, vector components grouped: [(label, [names])]."""
    cols = [c for c in view.columns if c.kind in ("int", "real")]
    names = {c.name.lower() for c in cols}
    groups, used = [], set()
    for c in cols:
        if c.name.lower() in used:
            continue
        vec = None
        for stored, comps in view.vectors.values():
            if comps[0].lower() == c.name.lower() and all(x.lower() in names for x in comps):
                vec = (stored, comps)
        unit = f"[{c.unit}]" if c.unit else ""
        if vec:
            stored, comps = vec
            members = [view.column(x) for x in comps]
            groups.append((f"{stored}({', '.join(m.name for m in members)}){unit}", [m.name for m in members]))
            used.update(x.lower() for x in comps)
        elif c.shape == (2,):
            groups.append((f"{c.name}{unit}", [c.name]))
            used.add(c.name.lower())
        else:
            groups.append((f"{c.name}{unit}", [c.name]))
            used.add(c.name.lower())
    if not groups:
        raise ToolError(f"block {view.name} has no numeric columns")
    return groups


def stats_for(spec, *, centroid=True, median=False, sigma=True, clip=False, nsigma=3.0, maxiter=20):
    """[(Stats, text, out_columns)] for one virtual file."""
    view = open_virtual(spec)
    out = []
    if view.kind == "table":
        data = None
        for label, names in _column_groups(view):
            data = view.read(names)
            arrays = [data[n] for n in names]
            if len(arrays) == 1 and arrays[0].ndim == 2:
                arrays = [arrays[0][:, k] for k in range(arrays[0].shape[1])]
            st = column_stats(label, arrays, median=median, clip=clip, nsigma=nsigma, maxiter=maxiter)
            out.append((st, format_column(st, median=median, sigma=sigma), ",".join(names)))
        return out
    if view.kind != "image":
        raise ToolError(f"block {view.name} has no data")
    label = view.name
    if centroid and all(ax.name for ax in view.axes):
        label += "(" + ", ".join(ax.name for ax in view.axes) + ")"
    bunit = str(view.header.get("BUNIT", "") or "").strip()
    if bunit:
        label += f"[{bunit}]"
    st = image_stats(label, view.data, view.good_mask(), view.axes, centroid=centroid,
                     median=median, sigma=sigma, clip=clip, nsigma=nsigma, maxiter=maxiter)
    out.append((st, format_image(st, centroid=centroid, median=median, sigma=sigma), view.name))
    return out


def run(p):
    items = expand_stack(p.infile)
    kw = dict(centroid=bool(p.centroid), median=bool(p.median), sigma=bool(p.sigma), clip=bool(p.clip),
              nsigma=float(p.nsigma if p.nsigma is not None else 3.0),
              maxiter=int(p.maxiter if p.maxiter is not None else 20))
    verbose = int(p.verbose if p.verbose is not None else 1)
    last = None
    for item in items:
        if not item:
            raise ToolError("no input file given")
        results = stats_for(item, **kw)
        if verbose >= 1:
            if len(items) > 1:
                print(f"File={item}")
            for _, text, _ in results:
                print(text)
        last = results[-1]
    return outputs(last[0], last[2])


main = tool_main("dmstat", run)
