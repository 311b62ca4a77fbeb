"""dmsort: sort the rows of a table on one or more columns.

Thread step (dm_intro)::

    dmsort bkg_lc.fits sorted_bkg_lc.fits keys=-count_rate cl+

``keys``: column names separated by commas or spaces, the first the most significant; a
leading ``-`` sorts that column in descending order. Ascending sorts are stable. When every
key is descending the result is the ascending order reversed, so equal rows come out in
reverse file order -- as the thread's two 166.2499996779 rows do [I: one tie observed].
NaN sorts last in ascending order. ``copyall=yes`` copies the file's other blocks after the
sorted one.
"""
from __future__ import annotations

import re

import numpy as np

from .dm.syntax import parse_virtual_file
from .dm.virtual import open_virtual
from .dm.writer import null_primary_hdu, other_hdus, table_hdu, write_fits
from .errors import ToolError
from .outputs import check_clobber, output_file
from .task import tool_main

__all__ = ["parse_keys", "sort_order", "run", "main"]


def parse_keys(text):
    """``"-count_rate, time"`` -> [('count_rate', True), ('time', False)] (name, descending)."""
    keys = []
    for piece in re.split(r"[,\s]+", str(text or "").strip()):
        if not piece:
            continue
        desc = piece.startswith("-")
        name = piece.lstrip("-+").strip()
        if not re.fullmatch(r"[A-Za-z_][\w\[\]]*", name):
            raise ToolError(f"bad sort key '{piece}'")
        keys.append((name, desc))
    if not keys:
        raise ToolError("no sort keys given")
    return keys


def _rank(values):
    """Dense integer ranks (any sortable dtype), NaN last."""
    v = np.asarray(values)
    if v.dtype.kind == "f":
        order = np.argsort(v, kind="stable")
        ranks = np.empty(len(v), np.int64)
        sv = v[order]
        new = np.concatenate([[True], ~((sv[1:] == sv[:-1]) | (np.isnan(sv[1:]) & np.isnan(sv[:-1])))])
        ranks[order] = np.cumsum(new) - 1
        return ranks
    _, inv = np.unique(v, return_inverse=True)
    return inv.astype(np.int64)


def sort_order(columns, descending):
    """Row order for ``columns`` (list of 1-D arrays, most significant first)."""
    if not columns:
        return np.zeros(0, np.intp)
    n = len(columns[0])
    if all(descending):
        ranks = [_rank(c) for c in columns]
        return np.lexsort(ranks[::-1])[::-1] if n else np.zeros(0, np.intp)
    ranks = [(-_rank(c) if d else _rank(c)) for c, d in zip(columns, descending)]
    return np.lexsort(ranks[::-1])


def run(p):
    out = parse_virtual_file(str(p.outfile or ""))
    if not out.path:
        raise ToolError("no output file given")
    check_clobber(out.path, bool(p.clobber))
    # p["keys"]: the runner's parameters are a Mapping, whose .keys is the method
    key_text = p["keys"] if hasattr(p, "__getitem__") else p.keys
    keys = parse_keys(key_text)
    view = open_virtual(p.infile)
    if view.kind != "table":
        raise ToolError(f"{p.infile} is not a table; dmsort sorts table rows")
    cols = []
    for name, _ in keys:
        col = view.column(name)
        if col is None:
            raise ToolError(f"sort key column '{name}' not found in block {view.name}")
        if col.shape or col.kind not in ("int", "real", "string", "logical"):
            raise ToolError(f"cannot sort on column '{col.name}' of type {col.type_name}")
        cols.append(view.read([col.name])[col.name])
    order = sort_order(cols, [d for _, d in keys])
    if out.block:
        view.name = str(out.block)
    params = [("infile", p.infile), ("outfile", p.outfile), ("keys", key_text),
              ("copyall", "yes" if getattr(p, "copyall", True) else "no"),
              ("clobber", "yes" if p.clobber else "no"), ("verbose", getattr(p, "verbose", 0) or 0)]
    prim = view.dataset.blocks[0]
    hdus = [null_primary_hdu(prim.header if prim.kind == "null" else None),
            table_hdu(view, history=("dmsort", params), order=order)]
    if getattr(p, "copyall", True):
        hdus += other_hdus(view)
    with output_file(out.path, bool(p.clobber)) as tmp:
        write_fits(tmp, hdus, compress=out.path.endswith(".gz"))
    return None


main = tool_main("dmsort", run)
