"""Row filters: compile a filter tree against a table's columns, then evaluate it chunk by chunk.

Semantics (spec dm.md §1.4): real columns keep ``lo <= v < hi`` (a single value means
equality); integer columns keep ``lo <= v <= hi``; commas OR values of one column and AND
different columns; ``||`` ORs groups; ``exclude`` negates a group; NaN never passes a range.
Bounds are converted to the column's own type so float32 columns compare exactly as if in
double precision, without converting the data.
"""
from __future__ import annotations

import numpy as np

from ..errors import ToolError
from . import gti as gtimod
from .syntax import (
    And,
    AxisFilter,
    CompareFilter,
    DMSyntaxError,
    FileFilter,
    Interval,
    Or,
    RangeFilter,
    RegionFilter,
    RowFilter,
)

__all__ = ["Predicate", "compile_group", "compile_groups", "bit_pattern_mask", "interval_mask",
           "FilterContext"]


class Predicate:
    """A compiled filter: ``columns`` it needs (stored names); ``mask(chunk, rows)``."""

    def __init__(self, columns, fn):
        self.columns = list(dict.fromkeys(columns))
        self._fn = fn

    def mask(self, chunk, rows):
        return self._fn(chunk, rows)

    @staticmethod
    def all_of(preds):
        preds = list(preds)
        if not preds:
            return None
        if len(preds) == 1:
            return preds[0]
        def fn(chunk, rows):
            m = preds[0].mask(chunk, rows)
            for p in preds[1:]:
                m &= p.mask(chunk, rows)
            return m
        return Predicate([c for p in preds for c in p.columns], fn)

    @staticmethod
    def any_of(preds):
        def fn(chunk, rows):
            m = preds[0].mask(chunk, rows)
            for p in preds[1:]:
                m |= p.mask(chunk, rows)
            return m
        return Predicate([c for p in preds for c in p.columns], fn)

    def negated(self):
        return Predicate(self.columns, lambda chunk, rows: ~self._fn(chunk, rows))


class FilterContext:
    """What compiling needs from the table: column lookup, vectors, region and GTI helpers.

    ``block``: BlockInfo of the table; ``source``: the full virtual-file string (for error
    positions); ``region_parser(text, colx, coly, pos)`` -> Region; ``gti_reader(spec)`` ->
    intervals of an ``@file``.
    """

    def __init__(self, block, source, region_parser=None, gti_reader=None, dataset_name=""):
        self.block, self.source = block, source
        self.region_parser, self.gti_reader = region_parser, gti_reader
        self.dataset_name = dataset_name

    def error(self, message, pos):
        raise DMSyntaxError(message, self.source, pos, kind=None)

    def column(self, name, pos):
        col = self.block.column(name)
        if col is None:
            self.error(f"column '{name}' not found in block {self.block.name}", pos)
        return col

    def vector(self, name, pos):
        """Component columns of a vector name (``sky`` -> x, y) or a 2-element column."""
        vec = self.block.vectors.get(name.lower())
        if vec:
            return [self.column(c, pos) for c in vec[1]]
        col = self.block.column(name)
        if col is not None and col.repeat == 2 and col.kind in ("int", "real"):
            return [col]
        self.error(f"'{name}' is not a vector column (like sky) of block {self.block.name}", pos)

    def time_column(self, pos):
        for c in self.block.columns:
            if c.name.lower() == "time":
                return c
        self.error(f"block {self.block.name} has no TIME column for a time filter", pos)


# --------------------------------------------------------------------------- helpers
def _bound(value, dtype, side):
    """Bound ``value`` converted to ``dtype`` so that comparing in that type is exact.

    side: 'ge' (v >= value), 'lt' (v < value), 'le' (v <= value), 'gt' (v > value).
    """
    if dtype.kind != "f" or dtype.itemsize >= 8:
        return value
    b = dtype.type(value)
    if np.isinf(b) and np.isfinite(value):
        return b
    if side in ("ge", "lt") and float(b) < value:   # smallest representable >= value
        b = np.nextafter(b, dtype.type(np.inf))
    if side in ("le", "gt") and float(b) > value:   # largest representable <= value
        b = np.nextafter(b, dtype.type(-np.inf))
    return b


def interval_mask(v, lo, hi, integer, single=False):
    """Mask for one interval on numeric data ``v`` (None bounds are open)."""
    dt = v.dtype
    if single:
        if integer:
            return v == lo
        b = dt.type(lo) if dt.kind == "f" else lo
        if dt.kind == "f" and float(b) != float(lo):
            return np.zeros(v.shape, bool)
        return v == b
    m = None
    if lo is not None:
        m = v >= _bound(lo, dt, "ge")
    if hi is not None:
        h = (v <= _bound(hi, dt, "le")) if integer else (v < _bound(hi, dt, "lt"))
        m = h if m is None else (m & h)
    if m is None:
        m = np.ones(v.shape, bool) if dt.kind != "f" else ~np.isnan(v)
    return m


def bit_pattern_mask(raw, nbits, text):
    """Rows of a packed bit column (uint8 (n, nbytes)) matching a 0/1/x pattern.

    The pattern's first character is the column's first bit (the one dmlist prints first).
    A pattern shorter than the column is aligned to the last bits (padded with x in front);
    a plain decimal number is compared with the unsigned value of the bit field.
    """
    text = text.strip().lower()
    if text.isdigit() and not (len(text) == nbits and set(text) <= {"0", "1"}):
        value = int(text)
        pattern = format(value, "b").zfill(nbits)
        if len(pattern) > nbits:
            return np.zeros(len(raw), bool)
    elif set(text) <= {"0", "1", "x"} and len(text) <= nbits:
        pattern = "x" * (nbits - len(text)) + text
    else:
        raise ValueError(f"bad bit pattern '{text}' for a {nbits}-bit column")
    nbytes = raw.shape[1]
    care = np.zeros(nbytes, np.uint8)
    want = np.zeros(nbytes, np.uint8)
    for i, ch in enumerate(pattern):
        if ch == "x":
            continue
        care[i // 8] |= 1 << (7 - i % 8)
        if ch == "1":
            want[i // 8] |= 1 << (7 - i % 8)
    return np.all((raw & care) == want, axis=1)


_OPS = {"<": ("lt", np.less), ">": ("gt", np.greater), "<=": ("le", np.less_equal),
        ">=": ("ge", np.greater_equal)}


# --------------------------------------------------------------------------- compilation
def _num(ctx, value):
    try:
        return float(value.text)
    except ValueError:
        ctx.error(f"'{value.text}' is not a number", value.pos)


def _compile_range(ctx, node):
    col = ctx.column(node.name, node.pos)
    name = col.name
    if col.shape:
        ctx.error(f"cannot filter on array column '{col.name}'", node.pos)
    kind = col.kind
    if kind == "bit":
        texts = [iv.lo.text for iv in node.intervals if iv.single]
        if len(texts) != len(node.intervals):
            ctx.error(f"bit column '{col.name}' takes a 0/1/x pattern, not a range", node.pos)
        try:
            for t in texts:
                bit_pattern_mask(np.zeros((0, (col.repeat + 7) // 8), np.uint8), col.repeat, t)
        except ValueError as exc:
            ctx.error(str(exc), node.intervals[0].lo.pos)
        def fn(chunk, rows):
            raw = chunk[name]
            m = bit_pattern_mask(raw, col.repeat, texts[0])
            for t in texts[1:]:
                m |= bit_pattern_mask(raw, col.repeat, t)
            return m
        return Predicate([name], fn)
    if kind == "string":
        ivs = [(iv.lo.text if iv.lo else None, iv.hi.text if iv.hi else None, iv.single)
               for iv in node.intervals]
        def fn(chunk, rows):
            v = np.char.strip(chunk[name].astype(str))
            m = np.zeros(len(v), bool)
            for lo, hi, single in ivs:
                if single:
                    m |= v == lo
                else:
                    part = np.ones(len(v), bool)
                    if lo is not None:
                        part &= v >= lo
                    if hi is not None:
                        part &= v <= hi
                    m |= part
            return m
        return Predicate([name], fn)
    if kind == "logical":
        vals = []
        for iv in node.intervals:
            t = (iv.lo.text if iv.lo else "").lower()
            if not iv.single or t not in ("t", "f", "true", "false", "1", "0", "yes", "no"):
                ctx.error(f"logical column '{col.name}' takes T or F", iv.lo.pos if iv.lo else node.pos)
            vals.append(t in ("t", "true", "1", "yes"))
        return Predicate([name], lambda chunk, rows: np.isin(chunk[name], vals))
    if kind not in ("int", "real"):
        ctx.error(f"cannot filter on column '{col.name}' of type {col.type_name}", node.pos)
    integer = kind == "int"
    ivs = []
    for iv in node.intervals:
        lo = _num(ctx, iv.lo) if iv.lo else None
        hi = _num(ctx, iv.hi) if iv.hi else None
        if lo is not None and hi is not None and hi < lo:
            ctx.error(f"range {iv.lo.text}:{iv.hi.text} has its upper end below its lower end", iv.lo.pos)
        ivs.append((lo, hi, iv.single))
    def fn(chunk, rows):
        v = chunk[name]
        m = interval_mask(v, *ivs[0][:2], integer, ivs[0][2])
        for lo, hi, single in ivs[1:]:
            m |= interval_mask(v, lo, hi, integer, single)
        return m
    return Predicate([name], fn)


def _compile_compare(ctx, node):
    col = ctx.column(node.name, node.pos)
    name = col.name
    if node.op == "!=":
        rng = RangeFilter(node.name, (Interval(node.value, node.value, True),), node.pos)
        eq = _compile_range(ctx, rng)
        if col.kind in ("int", "real"):
            def fn(chunk, rows):
                v = chunk[name]
                m = ~eq.mask(chunk, rows)
                return m & ~np.isnan(v) if v.dtype.kind == "f" else m
            return Predicate([name], fn)
        return eq.negated()
    side, op = _OPS[node.op]
    if col.kind == "string":
        val = node.value.text
        return Predicate([name], lambda chunk, rows: op(np.char.strip(chunk[name].astype(str)), val))
    if col.kind not in ("int", "real") or col.shape:
        ctx.error(f"cannot compare column '{col.name}' of type {col.type_name}", node.pos)
    val = _num(ctx, node.value)
    def fn(chunk, rows):
        v = chunk[name]
        return op(v, _bound(val, v.dtype, side))
    return Predicate([name], fn)


def _compile_region(ctx, node):
    if node.pair:
        cols = [ctx.column(n, node.pos) for n in node.pair]
    else:
        cols = ctx.vector(node.name, node.pos)
    if ctx.region_parser is None:
        ctx.error("region filters are not available", node.pos)
    region = ctx.region_parser(node.text, cols[0], cols[-1], node.text_pos)
    if len(cols) == 1:
        c = cols[0].name
        return Predicate([c], lambda chunk, rows: region.contains(chunk[c][:, 0], chunk[c][:, 1])), region, cols
    cx, cy = cols[0].name, cols[1].name
    return (Predicate([cx, cy], lambda chunk, rows: region.contains(chunk[cx], chunk[cy])),
            region, cols)


def _compile_node(ctx, node, info):
    if isinstance(node, And):
        return Predicate.all_of([_compile_node(ctx, t, info) for t in node.terms])
    if isinstance(node, Or):
        return Predicate.any_of([_compile_node(ctx, t, info) for t in node.terms])
    if isinstance(node, RangeFilter):
        return _compile_range(ctx, node)
    if isinstance(node, CompareFilter):
        return _compile_compare(ctx, node)
    if isinstance(node, RegionFilter):
        pred, region, cols = _compile_region(ctx, node)
        info.setdefault("regions", []).append((node, region, cols))
        return pred
    if isinstance(node, FileFilter):
        tcol = ctx.time_column(node.pos)
        if ctx.gti_reader is None:
            ctx.error("@file filters are not available here", node.pos)
        intervals = gtimod.normalize(ctx.gti_reader(node.spec, node.pos))
        info.setdefault("gtis", []).append((node, intervals))
        t = tcol.name
        return Predicate([t], lambda chunk, rows: gtimod.in_intervals(chunk[t], intervals))
    if isinstance(node, RowFilter):
        ivs = []
        for iv in node.intervals:
            lo = int(_num(ctx, iv.lo)) if iv.lo else 1
            hi = int(_num(ctx, iv.hi)) if iv.hi else None
            ivs.append((lo, hi))
        def fn(chunk, rows):
            r = rows + 1
            m = np.zeros(len(r), bool)
            for lo, hi in ivs:
                m |= (r >= lo) & (r <= hi if hi is not None else True)
            return m
        return Predicate([], fn)
    if isinstance(node, AxisFilter):
        ctx.error("'#n=' selects image axes; this block is a table", node.pos)
    raise ToolError(f"unsupported filter {node!r}")


def compile_group(ctx, group, info=None):
    """Compile one FilterGroup; ``info`` collects regions and GTIs met on the way."""
    info = {} if info is None else info
    pred = _compile_node(ctx, group.expr, info)
    return pred.negated() if group.exclude else pred


def compile_groups(ctx, groups, info=None):
    """AND of all groups (None when there are none)."""
    return Predicate.all_of([compile_group(ctx, g, info) for g in groups])
