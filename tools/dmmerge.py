"""dmmerge: append the rows of several tables that share their columns.

Thread steps (combine, blanksky_sample)::

    dmmerge 1843/repro/acisf01843_repro_evt2.fits,1842/repro/reproj_evt2.fits merged.fits
    dmmerge "a.evt[exclude sky=region(r)],b.evt[sky=region(r)]" out.evt

Every input must have the first input's columns (matched by name, any case, any order;
values are converted to the first input's types); extra columns of later inputs are
dropped, a missing one is an error. ``columnList`` keeps only the named columns. Rows
follow in input order. Headers merge by ``lookupTab`` with CIAO's messages. GTI blocks of
the same name are merged (union of intervals) and blocks found in only some inputs are
kept; the exposure keywords (ONTIME, LIVETIME, EXPOSURE and the per-chip ones) are then
recomputed from the merged GTIs. The data subspace is the first input's, with its time
descriptors pointing at the merged GTIs.
"""
from __future__ import annotations

import numpy as np

from .dm import gti as gtimod
from .dm.headermerge import merge_headers, resolve_lookup_table
from .dm.stack import expand_stack
from .dm.subspace import GTIValue
from .dm.syntax import parse_virtual_file
from .dm.virtual import open_virtual
from .dm.writer import gti_hdu, null_primary_hdu, table_hdu, write_fits
from .errors import ToolError
from .outputs import check_clobber, output_file
from .task import tool_main

__all__ = ["merge_records", "merge_gtis", "run", "main"]


def merge_records(views):
    """The rows of all ``views`` in the first view's stored column layout (raw records)."""
    template = views[0]
    pairs = template.column_pairs()
    dtype = np.dtype({"names": [f"c{src.index}" for _, src in pairs],
                      "formats": [src.raw_dtype for _, src in pairs]})
    total = sum(v.nrows for v in views)
    out = np.zeros(total, dtype=dtype)
    start = 0
    for v in views:
        n = v.nrows
        raw = v.raw_selected()
        for vis, src in pairs:
            other = v.column(vis.name)
            if other is None:
                raise ToolError(f"column '{vis.name}' is missing from block {v.name} of "
                                f"{v.dataset.path}; dmmerge needs the same columns in every input")
            osrc = v.source_column(vis.name)
            field = f"c{src.index}"
            if osrc.raw_dtype == src.raw_dtype and osrc.tscal == src.tscal and osrc.tzero == src.tzero:
                out[field][start:start + n] = raw[f"c{osrc.index}"]
            else:
                if (osrc.kind == "string") != (src.kind == "string") or src.kind in ("bit", "vla") \
                        or osrc.shape != src.shape:
                    raise ToolError(f"column '{vis.name}' has type {osrc.type_name} in "
                                    f"{v.dataset.path} but {src.type_name} in the first input")
                out[field][start:start + n] = src.encode(osrc.decode(raw[f"c{osrc.index}"]))
        start += n
    return out


def merge_gtis(views):
    """{GTI block name (lower case): (dataset, block info, union of intervals)} in order."""
    merged = {}
    for v in views:
        filtered = v.gti_intervals()            # GTIs after the input's own time filters
        for b in v.dataset.blocks:
            start, stop = (b.column("START"), b.column("STOP")) if b.kind == "table" else (None, None)
            if start is None or stop is None or b.number == v.info.number:
                continue
            iv = filtered.get(b.name)
            if iv is None:
                raw = v.dataset.raw_rows(b)
                iv = np.column_stack([start.decode(raw[f"c{start.index}"]),
                                      stop.decode(raw[f"c{stop.index}"])])
            key = b.name.lower()
            if key in merged:
                ds, info, old = merged[key]
                merged[key] = (ds, info, gtimod.union(old, iv))
            else:
                merged[key] = (v.dataset, b, gtimod.normalize(iv))
    return merged


def run(p):
    out = parse_virtual_file(str(p.outfile or ""))
    if not out.path:
        raise ToolError("no output file given")
    check_clobber(out.path, bool(p.clobber))
    items = [s for s in expand_stack(str(p.infile or "")) if s.strip()]
    if not items:
        raise ToolError("no input files given")
    collist = str(getattr(p, "columnList", "") or "").strip()
    views = []
    for s in items:
        v = open_virtual(s + (f"[cols {collist}]" if collist else ""))
        if v.kind != "table":
            raise ToolError(f"{s} is not a table; dmmerge appends table rows")
        views.append(v)
    records = merge_records(views)
    rules = resolve_lookup_table(getattr(p, "lookupTab", None))
    header, _ = merge_headers([v.updated_header() for v in views], rules)
    gtis = merge_gtis(views)
    template = views[0]
    # the first input's time descriptors now point at the merged intervals
    for comp in template.subspace.components:
        for key, val in comp.items():
            if isinstance(val, GTIValue) and val.block.lower() in gtis:
                comp[key] = GTIValue(val.block, gtis[val.block.lower()][2])
    per, first = {}, None
    for key, (ds, info, iv) in gtis.items():
        ccd = info.header.get("CCD_ID")
        sfx = str(int(ccd)) if isinstance(ccd, (int, np.integer)) else ""
        per[sfx] = iv
        first = sfx if first is None else first
    if per:
        gtimod.update_exposure_keywords(header, per, first)
    template.header = header
    template.gti_changed = False
    block = str(getattr(p, "outBlock", "") or "").strip() or (str(out.block) if out.block else "")
    if block:
        template.name = block
    params = [("infile", p.infile), ("outfile", p.outfile), ("outBlock", block),
              ("lookupTab", getattr(p, "lookupTab", "") or ""), ("columnList", collist),
              ("clobber", "yes" if p.clobber else "no"), ("verbose", getattr(p, "verbose", 0) or 0)]
    prim = template.dataset.blocks[0]
    hdus = [null_primary_hdu(prim.header if prim.kind == "null" else None),
            table_hdu(template, history=("dmmerge", params), records=records)]
    hdus += [gti_hdu(ds, info, iv) for ds, info, iv in gtis.values()]
    with output_file(out.path, bool(p.clobber)) as tmp:
        write_fits(tmp, hdus, compress=out.path.endswith(".gz"))
    return None


main = tool_main("dmmerge", run)
