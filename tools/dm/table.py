"""TableView: a table block seen through a virtual-file string (filters, columns, subspace).

Columns are read lazily and only when asked for; filters are evaluated chunk by chunk on
the columns they need, so a 10-million-row event list is never held whole in memory unless a
caller asks for whole columns.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ToolError
from . import gti as gtimod
from .subspace import GTIValue, RangeSet, Subspace
from .syntax import And, CompareFilter, FileFilter, Or, RangeFilter, RegionFilter

__all__ = ["TableView", "CHUNK_ROWS"]

CHUNK_ROWS = 1 << 21


class TableView:
    """A filtered, column-selected view of one table block.

    Attributes: ``dataset``, ``info`` (BlockInfo), ``name`` (block name), ``header`` (a copy,
    with the subspace and exposure keywords brought up to date by :meth:`updated_header`),
    ``columns`` (visible ColumnInfo, renamed where asked), ``subspace``.
    """

    kind = "table"

    def __init__(self, dataset, info, predicate=None, columns=None, subspace=None, name=None):
        self.dataset, self.info = dataset, info
        self.name = name or info.name
        self.header = info.header.copy()
        self.predicate = predicate
        self._cols = columns if columns is not None else [(c, c) for c in info.columns]
        self.subspace = subspace if subspace is not None else Subspace()
        self._rows = None
        self.gti_changed = False
        self.regions = []          # [(RegionFilter node, Region, cols)] met in the filters

    # ------------------------------------------------------------------ columns
    @property
    def columns(self):
        """Visible columns (ColumnInfo; renamed copies carry the new name)."""
        return [vis for vis, _ in self._cols]

    def column_pairs(self):
        """[(visible ColumnInfo, stored ColumnInfo)] in output order."""
        return list(self._cols)

    def column(self, name):
        low = name.lower()
        for vis, _ in self._cols:
            if vis.name.lower() == low:
                return vis
        return None

    def source_column(self, name):
        low = name.lower()
        for vis, src in self._cols:
            if vis.name.lower() == low:
                return src
        src = self.info.column(name)
        return src

    @property
    def vectors(self):
        """Vectors whose components are all visible: {'sky': ('sky', ['x', 'y'])}."""
        visible = {c.name.lower() for c in self.columns}
        return {k: v for k, v in self.info.vectors.items() if all(c.lower() in visible for c in v[1])}

    def select_columns(self, items, source_text="", error=None):
        """Apply one ``[cols ...]`` list (tuple of ColItem)."""
        def fail(msg, pos):
            if error:
                error(msg, pos)
            raise ToolError(msg)
        current = list(self._cols)
        by_name = {vis.name.lower(): (vis, src) for vis, src in current}
        vectors = self.vectors
        def expand(item):
            low = item.name.lower()
            if low in by_name:
                return [by_name[low]]
            if low in vectors:
                return [by_name[c.lower()] for c in vectors[low][1]]
            virtual = self.info.column(item.name)      # a world-coordinate column (DT)
            if virtual is not None and virtual.name.lower() == low:
                return [(virtual, virtual)]
            fail(f"column '{item.name}' not found in block {self.name}", item.pos)
        if all(it.drop for it in items):
            drop = set()
            for it in items:
                drop.update(id(p[0]) for p in expand(it))
            self._cols = [p for p in current if id(p[0]) not in drop]
            return
        out = []
        for it in items:
            pairs = expand(it)
            if it.new_name:
                if len(pairs) != 1:
                    fail(f"cannot rename the vector '{it.name}'", it.pos)
                vis, src = pairs[0]
                out.append((dataclasses.replace(vis, name=it.new_name), src))
            else:
                out.extend(pairs)
        self._cols = out

    # ------------------------------------------------------------------ rows
    def _decode(self, raw_slice, names):
        """Decode stored columns ``names`` of a raw row slice: {stored name: values}."""
        out = {}
        for n in names:
            src = self.info.column(n)
            out[src.name] = src.decode(raw_slice[f"c{src.index}"])
        return out

    def row_indices(self):
        """Indices (0-based, into the stored table) of the rows that pass the filters."""
        if self._rows is None:
            n = self.info.nrows
            if self.predicate is None:
                self._rows = slice(0, n)
            else:
                raw = self.dataset.raw_rows(self.info)
                parts = []
                for start in range(0, n, CHUNK_ROWS):
                    stop = min(n, start + CHUNK_ROWS)
                    chunk = self._decode(raw[start:stop], self.predicate.columns)
                    m = self.predicate.mask(chunk, np.arange(start, stop))
                    parts.append(np.flatnonzero(m) + start)
                self._rows = np.concatenate(parts) if parts else np.zeros(0, np.intp)
        return self._rows

    @property
    def nrows(self):
        rows = self.row_indices()
        return rows.stop - rows.start if isinstance(rows, slice) else len(rows)

    def _resolve(self, names):
        if names is None:
            return [(vis.name, src) for vis, src in self._cols]
        out = []
        for n in names:
            src = self.source_column(n)
            if src is None:
                raise ToolError(f"column '{n}' not found in block {self.name}")
            vis = self.column(n)
            out.append((vis.name if vis is not None else src.name, src))
        return out

    def read(self, names=None):
        """Filtered values of the named (visible) columns: {visible name: array}."""
        pairs = self._resolve(names)
        raw = self.dataset.raw_rows(self.info)
        rows = self.row_indices()
        out = {}
        for vis, src in pairs:
            field = raw[f"c{src.index}"]
            out[vis] = src.decode(field[rows])
        return out

    def iter_chunks(self, names, chunk_rows=CHUNK_ROWS, with_mask=False):
        """Yield {visible name: filtered values} chunk by chunk (filters applied per chunk).

        With ``with_mask`` yield ``(values, mask)`` instead: when most rows of a chunk pass,
        the values are left unfiltered and ``mask`` says which rows pass (saving a copy of
        every column); otherwise the values are filtered and ``mask`` is None.
        """
        pairs = self._resolve(names)
        raw = self.dataset.raw_rows(self.info)
        n = self.info.nrows
        if self._rows is not None and not isinstance(self._rows, slice):
            rows = self._rows
            for start in range(0, len(rows), chunk_rows):
                idx = rows[start:start + chunk_rows]
                vals = {vis: src.decode(raw[f"c{src.index}"][idx]) for vis, src in pairs}
                yield (vals, None) if with_mask else vals
            return
        need = {src.name: src for _, src in pairs}
        if self.predicate is not None:
            for c in self.predicate.columns:
                need.setdefault(c, self.info.column(c))
        for start in range(0, n, chunk_rows):
            stop = min(n, start + chunk_rows)
            sl = raw[start:stop]
            chunk = {name: src.decode(sl[f"c{src.index}"]) for name, src in need.items()}
            m = None if self.predicate is None else self.predicate.mask(chunk, np.arange(start, stop))
            if with_mask and m is not None and np.count_nonzero(m) * 2 >= len(m):
                yield {vis: chunk[src.name] for vis, src in pairs}, m
                continue
            vals = {vis: (chunk[src.name] if m is None else chunk[src.name][m]) for vis, src in pairs}
            yield (vals, None) if with_mask else vals

    def raw_selected(self):
        """The selected rows of the stored table as raw (FITS-encoded) structured records."""
        raw = self.dataset.raw_rows(self.info)
        rows = self.row_indices()
        return raw[rows]

    # ------------------------------------------------------------------ time / GTI
    def gti_intervals(self):
        """{GTI block name: intervals} for every component's time descriptor."""
        return {v.block: v.intervals for _, v in self.subspace.gti_blocks()}

    def updated_header(self):
        """The header with exposure keywords recomputed if the GTIs changed."""
        h = self.header
        if self.gti_changed:
            per, first = {}, None
            for i, v in self.subspace.gti_blocks():
                sfx = ""
                try:
                    ccd = self.dataset.block(v.block).header.get("CCD_ID")
                    sfx = str(int(ccd)) if ccd is not None else ""
                except ToolError:
                    pass
                per[sfx] = v.intervals
                if first is None:
                    first = sfx
            if per:
                gtimod.update_exposure_keywords(h, per, first)
        return h


# ---------------------------------------------------------------------- subspace updates
def _rangeset_for(node, col):
    """The RangeSet a simple filter clause allows on ``col`` (None if not expressible)."""
    integer = col.kind == "int"
    if isinstance(node, RangeFilter):
        ivs = []
        try:
            for iv in node.intervals:
                lo = float(iv.lo.text) if iv.lo else None
                hi = float(iv.hi.text) if iv.hi else None
                ivs.append((lo, hi))
        except ValueError:
            return None
        return RangeSet(ivs, integer)
    if isinstance(node, CompareFilter) and node.op in ("<", "<=", ">", ">="):
        try:
            v = float(node.value.text)
        except ValueError:
            return None
        if node.op in ("<", "<="):
            hi = v - 1 if integer and node.op == "<" else v
            return RangeSet([(None, hi)], integer)
        lo = v + 1 if integer and node.op == ">" else v
        return RangeSet([(lo, None)], integer)
    return None


def update_subspace(view, groups, info, region_text):
    """Narrow ``view.subspace`` with the filter groups (spec dm.md §3)."""
    ss = view.subspace
    file_gtis = {id(node): iv for node, iv in info.get("gtis", [])}
    regions = {id(node): (region, cols) for node, region, cols in info.get("regions", [])}
    for g in groups:
        terms = g.expr.terms if isinstance(g.expr, And) else (g.expr,)
        if isinstance(g.expr, Or):
            continue
        for node in terms:
            if isinstance(node, FileFilter) and not g.exclude:
                ss.restrict_time(view.info.column("time").name if view.info.column("time") else "time",
                                 file_gtis[id(node)])
                view.gti_changed = True
            elif isinstance(node, (RangeFilter, CompareFilter)):
                col = view.info.column(node.name)
                if col is None or col.kind not in ("int", "real"):
                    continue
                rs = _rangeset_for(node, col)
                if rs is None:
                    continue
                if g.exclude:
                    if len(terms) != 1:
                        continue
                    rs = rs.complement()
                cur = ss.value(col.name)
                ss.restrict(col.name, rs, col.code, col.unit)
                if isinstance(cur, GTIValue):
                    view.gti_changed = True
            elif isinstance(node, RegionFilter) and id(node) in regions:
                if g.exclude and len(terms) != 1:
                    continue
                region, cols = regions[id(node)]
                if g.exclude:
                    region = region.invert()
                names = tuple(c.name for c in cols)
                vec = node.name
                if vec is None:
                    for vname, (stored, comps) in view.info.vectors.items():
                        if [c.lower() for c in comps] == [n.lower() for n in names]:
                            vec = stored
                vec = vec or "pos"
                ss.set_region(vec, names, region_text(region), "D", cols[0].unit, region)
