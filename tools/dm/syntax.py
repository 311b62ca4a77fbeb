"""The virtual-file syntax: one parser from ``"file[block][filter][bin ...][cols ...]"`` to a tree.

Owns the grammar of DM virtual-file strings (spec dm.md §1) and nothing else: it knows no
column types and reads no files. Evaluation lives in ``filters``, ``binning`` and ``virtual``.

    >>> vf = parse_virtual_file("evt2.fits[EVENTS][ccd_id=7,energy=500:7000][bin sky=2]")
    >>> vf.path, vf.block, vf.bin.axes[0].names
    ('evt2.fits', 'EVENTS', ('sky',))

Every node records ``pos``, its 0-based offset in the original string, so errors found later
(unknown column, bad region) can still point at the offending text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ToolError

__all__ = [
    "DMSyntaxError", "Value", "Interval", "RangeFilter", "CompareFilter", "RegionFilter",
    "FileFilter", "RowFilter", "AxisFilter", "And", "Or", "FilterGroup", "BinAxis", "BinSpec",
    "ColItem", "VirtualFile", "parse_virtual_file", "parse_filter", "parse_intervals",
    "split_top_level",
]


class DMSyntaxError(ToolError):
    """A malformed virtual-file string; the message names the column where it went wrong."""

    def __init__(self, reason, text, pos, kind="DM Parse error"):
        self.reason, self.text, self.pos = reason, text, max(0, min(pos, len(text)))
        where = text[self.pos:self.pos + 30] or "<end>"
        lead = f"{kind}: " if kind else ""
        super().__init__(
            f"{lead}{reason} at column {self.pos + 1} of '{text}' (near '{where}')")

    def caret(self):
        """Two lines: the string and a caret under the offending column."""
        return f"{self.text}\n{' ' * self.pos}^"


# --------------------------------------------------------------------------- tree nodes
@dataclass(frozen=True)
class Value:
    """One literal as the user typed it (number, string, bit pattern...)."""
    text: str
    pos: int = 0

    def number(self, source=None):
        try:
            return float(self.text)
        except ValueError:
            raise DMSyntaxError(f"'{self.text}' is not a number", source or self.text,
                                self.pos if source else 0) from None


@dataclass(frozen=True)
class Interval:
    """``lo:hi``, ``:hi``, ``lo:`` or a single value ``v`` (then ``single`` and lo is hi)."""
    lo: Value | None
    hi: Value | None
    single: bool = False


@dataclass(frozen=True)
class RangeFilter:
    """``name=i1,i2,...`` — the row passes if the column is in any interval."""
    name: str
    intervals: tuple
    pos: int = 0


@dataclass(frozen=True)
class CompareFilter:
    """``name<v``, ``name>v``, ``name<=v``, ``name>=v``, ``name!=v``."""
    name: str
    op: str
    value: Value
    pos: int = 0


@dataclass(frozen=True)
class RegionFilter:
    """``sky=circle(...)``, ``(x,y)=region(f.reg)``: a region on a vector column.

    ``name`` is the vector name as written (``sky``) or None when the pair was written out;
    ``pair`` holds the explicit component names (``('x', 'y')``) or None.
    ``text`` is the region expression, handed untouched to the region library.
    """
    name: str | None
    pair: tuple | None
    text: str
    pos: int = 0
    text_pos: int = 0


@dataclass(frozen=True)
class FileFilter:
    """``@file`` — a filter (GTI intervals) taken from another (virtual) file."""
    spec: str
    pos: int = 0


@dataclass(frozen=True)
class RowFilter:
    """``#row=1:3,7`` — 1-based row numbers, both ends inclusive."""
    intervals: tuple
    pos: int = 0


@dataclass(frozen=True)
class AxisFilter:
    """``#3=10`` — logical pixel range on image axis 3 (1-based, inclusive)."""
    axis: int
    intervals: tuple
    pos: int = 0


@dataclass(frozen=True)
class And:
    terms: tuple


@dataclass(frozen=True)
class Or:
    terms: tuple


@dataclass(frozen=True)
class FilterGroup:
    """One bracketed filter group; ``exclude`` negates the whole group."""
    expr: object
    exclude: bool
    text: str
    pos: int = 0


@dataclass(frozen=True)
class BinAxis:
    """One binning axis specification.

    ``names``: ``('sky',)`` (vector name or a scalar column), ``('x', 'y')`` for ``(x,y)=``,
    ``('#1',)`` for an image axis number. ``lo``/``hi``/``step`` are Values or None (default
    from the data subspace); ``nbins`` is set for ``lo:hi:#n``. ``region`` / ``stack`` hold a
    region expression or ``@stack`` given as the bin specification (dmextract style).
    """
    names: tuple
    lo: Value | None = None
    hi: Value | None = None
    step: Value | None = None
    nbins: int | None = None
    region: str | None = None
    stack: str | None = None
    pos: int = 0


@dataclass(frozen=True)
class BinSpec:
    axes: tuple
    weight: str | None = None
    modifier: str | None = None
    pos: int = 0


@dataclass(frozen=True)
class ColItem:
    """``name`` (keep), ``-name`` (drop) or ``new=old`` (keep ``old`` renamed ``new``)."""
    name: str
    drop: bool = False
    new_name: str | None = None
    pos: int = 0


@dataclass
class VirtualFile:
    """The parsed form of one virtual-file string."""
    text: str
    path: str
    block: str | int | None = None
    filters: list = field(default_factory=list)        # FilterGroup, ANDed in order
    bin: BinSpec | None = None
    cols: list = field(default_factory=list)           # list of tuples of ColItem, applied in order
    options: dict = field(default_factory=dict)        # lower-case key -> str (True for flags)
    subspace_removals: list = field(default_factory=list)
    out_block: str | None = None
    block_pos: int = 0

    @property
    def has_modifiers(self):
        return bool(self.filters or self.bin or self.cols or self.options
                     or self.subspace_removals or self.out_block)


# --------------------------------------------------------------------------- scanning helpers
_OPEN = {"[": "]", "(": ")", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$")


def _starts_quote(text, i):
    """A quote opens a string only at the start of an argument (after '(' or ','); after a
    number it is the arcsecond mark of a region size (``9.84"``)."""
    if text[i] not in "\"'":
        return False
    j = i - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    return j >= 0 and text[j] in "(,"


def _match_close(text, start, source, offset):
    """Index of the bracket closing the one at ``text[start]`` (quotes respected)."""
    stack = []
    quote = None
    i = start
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = None
        elif stack and stack[-1][0] == "(" and _starts_quote(text, i):
            quote = c
        elif c in _OPEN:
            stack.append((c, i))
        elif c in _CLOSE:
            if not stack:
                raise DMSyntaxError(f"unexpected '{c}'", source, offset + i)
            if stack[-1][0] != _CLOSE[c]:
                raise DMSyntaxError(f"unmatched {stack[-1][0]}", source, offset + stack[-1][1])
            stack.pop()
            if not stack:
                return i
        i += 1
    raise DMSyntaxError("unmatched [ or (", source, offset + start)


def split_top_level(text, seps=",", offset=0, source=None):
    """Split ``text`` at separator characters outside brackets; yields (piece, start) pairs."""
    source = text if source is None else source
    pieces, depth, quote, start = [], 0, None, 0
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
            continue
        if depth and _starts_quote(text, i):
            quote = c
        elif c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            if depth < 0:
                raise DMSyntaxError(f"unexpected '{c}'", source, offset + i)
        elif depth == 0 and c in seps:
            pieces.append((text[start:i], offset + start))
            start = i + 1
    if depth:
        raise DMSyntaxError("unmatched [ or (", source, offset + len(text))
    pieces.append((text[start:], offset + start))
    return pieces


def _strip(piece, pos):
    """Strip spaces, moving ``pos`` past the leading ones."""
    lead = len(piece) - len(piece.lstrip())
    return piece.strip(), pos + lead


# --------------------------------------------------------------------------- top level
def parse_virtual_file(text):
    """Parse a virtual-file string into a :class:`VirtualFile`."""
    if text is None:
        raise DMSyntaxError("empty file name", "", 0)
    src = str(text)
    stripped = src.rstrip()
    lead = len(stripped) - len(stripped.lstrip())
    i = stripped.find("[", lead)
    path = (stripped[lead:] if i < 0 else stripped[lead:i]).strip()
    for j, c in enumerate(path):
        if c in "]()":
            raise DMSyntaxError(f"unexpected '{c}' in file name", src, lead + j)
    if not path:
        raise DMSyntaxError("no file name", src, lead)
    vf = VirtualFile(text=src, path=path)
    seen_other = False
    while i >= 0 and i < len(stripped):
        if stripped[i].isspace():
            i += 1
            continue
        if stripped[i] != "[":
            raise DMSyntaxError("text after ']' (expected '[')", src, i)
        end = _match_close(stripped, i, src, 0)
        body, bpos = _strip(stripped[i + 1:end], i + 1)
        seen_other = _classify_group(vf, body, bpos, src, seen_other)
        i = end + 1
    return vf


_KEYWORD = re.compile(r"(?i)(bin|cols|col|columns|opt|option|options|subspace|exclude|filter)(?=[\s/]|$)")
_BARE_BLOCK = re.compile(r"[A-Za-z_][A-Za-z0-9_.+\-]*$")


def _classify_group(vf, body, pos, src, seen_other):
    if not body:
        raise DMSyntaxError("empty []", src, pos - 1)
    m = _KEYWORD.match(body)
    if m:
        word = m.group(1).lower()
        rest, rpos = _strip(body[m.end():], pos + m.end())
        if word == "bin":
            if vf.bin is not None:
                raise DMSyntaxError("only one [bin ...] is allowed", src, pos)
            vf.bin = _parse_bin(rest, rpos, src, pos)
        elif word in ("cols", "col", "columns"):
            vf.cols.append(_parse_cols(rest, rpos, src))
        elif word in ("opt", "option", "options"):
            vf.options.update(_parse_options(rest, rpos, src))
        elif word == "subspace":
            vf.subspace_removals.extend(_parse_subspace(rest, rpos, src))
        else:  # exclude / filter
            if not rest:
                raise DMSyntaxError(f"nothing after '{word}'", src, rpos)
            vf.filters.append(FilterGroup(parse_filter(rest, rpos, src), word == "exclude",
                                          rest, rpos))
        return True
    if body.isdigit():
        if vf.block is not None or seen_other:
            raise DMSyntaxError("a block number must come first", src, pos)
        vf.block, vf.block_pos = int(body), pos
        return False
    if _BARE_BLOCK.match(body):
        if vf.block is None and not seen_other:
            vf.block, vf.block_pos = body, pos
            return False
        if vf.out_block is not None:
            raise DMSyntaxError(f"'{body}' is not a filter", src, pos)
        vf.out_block = body
        return True
    vf.filters.append(FilterGroup(parse_filter(body, pos, src), False, body, pos))
    return True


# --------------------------------------------------------------------------- filters
class _FilterParser:
    """Recursive descent: expr := conj ('||' conj)* ; conj := clause ((','|'&&') clause)*."""

    def __init__(self, text, offset, source):
        self.t, self.off, self.src, self.i = text, offset, source, 0

    def error(self, reason, i=None):
        raise DMSyntaxError(reason, self.src, self.off + (self.i if i is None else i))

    def ws(self):
        while self.i < len(self.t) and self.t[self.i].isspace():
            self.i += 1

    def peek(self, s):
        return self.t.startswith(s, self.i)

    def parse(self):
        expr = self.expr()
        self.ws()
        if self.i < len(self.t):
            self.error(f"unexpected '{self.t[self.i]}'")
        return expr

    def expr(self):
        terms = [self.conj()]
        self.ws()
        while self.peek("||"):
            self.i += 2
            terms.append(self.conj())
            self.ws()
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def conj(self):
        terms = [self.clause()]
        while True:
            self.ws()
            if self.peek("&&"):
                self.i += 2
            elif self.peek(",") :
                self.i += 1
            else:
                break
            terms.append(self.clause())
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def clause(self):
        self.ws()
        start = self.i
        if self.i >= len(self.t):
            self.error("missing filter")
        c = self.t[self.i]
        if c == "@":
            end = self._value_end(self.i + 1, stop_colon=False)
            spec = self.t[self.i + 1:end].strip()
            if not spec:
                self.error("missing file name after '@'")
            self.i = end
            return FileFilter(spec, self.off + start)
        if c == "#":
            m = re.compile(r"#\s*(row|\d+)\s*=", re.I).match(self.t, self.i)
            if not m:
                self.error("expected '#row=' or '#<axis>='")
            self.i = m.end()
            ivs = self.intervals()
            if m.group(1).lower() == "row":
                return RowFilter(ivs, self.off + start)
            axis = int(m.group(1))
            if axis < 1:
                self.error("image axes are numbered from 1", start + 1)
            return AxisFilter(axis, ivs, self.off + start)
        if c == "(":
            m = re.compile(r"\(\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)\s*\)\s*=").match(self.t, self.i)
            if m:
                self.i = m.end()
                return self.region(None, (m.group(1), m.group(2)), start)
            self.i += 1
            inner = self.expr()
            self.ws()
            if not self.peek(")"):
                self.error("missing ')'")
            self.i += 1
            return inner
        m = _IDENT.match(self.t, self.i)
        if not m:
            self.error("expected a column name")
        name = m.group(0)
        self.i = m.end()
        self.ws()
        op = None
        for cand in ("<=", ">=", "!=", "==", "=", "<", ">"):
            if self.peek(cand):
                op = cand
                break
        if op is None:
            self.error(f"expected '=', '<' or '>' after '{name}'")
        self.i += len(op)
        self.ws()
        if op in ("=", "=="):
            if self._looks_like_region():
                return self.region(name, None, start)
            return RangeFilter(name, self.intervals(), self.off + start)
        vstart = self.i
        end = self._value_end(self.i, stop_colon=False)
        text = self.t[vstart:end].strip()
        if not text:
            self.error(f"missing value after '{op}'")
        self.i = end
        return CompareFilter(name, op, Value(text, self.off + vstart), self.off + start)

    def _looks_like_region(self):
        return bool(re.compile(r"!?\s*[A-Za-z_]\w*\s*\(").match(self.t, self.i))

    def region(self, name, pair, start):
        self.ws()
        rstart = self.i
        end = self._region_end(self.i)
        text = self.t[rstart:end].strip()
        if not text:
            self.error("missing region")
        self.i = end
        return RegionFilter(name, pair, text, self.off + start, self.off + rstart)

    def _region_end(self, i):
        depth, quote = 0, None
        while i < len(self.t):
            c = self.t[i]
            if quote:
                if c == quote:
                    quote = None
            elif _starts_quote(self.t, i):
                quote = c
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    return i
                depth -= 1
            elif depth == 0 and (c == "," or self.t.startswith("||", i) or self.t.startswith("&&", i)):
                return i
            i += 1
        if depth:
            self.error("unmatched (", i)
        return i

    def _value_end(self, i, stop_colon):
        """End of one value: the next top-level ',', ')', '||', '&&' (and ':' if asked)."""
        depth = 0
        while i < len(self.t):
            c = self.t[i]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    return i
                depth -= 1
            elif depth == 0 and (c == "," or (stop_colon and c == ":")
                                 or self.t.startswith("||", i) or self.t.startswith("&&", i)):
                return i
            i += 1
        return i

    _NEW_CLAUSE = re.compile(r"\s*([#@(]|[A-Za-z_]\w*\s*(<|>|=|!=))")

    def intervals(self):
        """One or more intervals separated by commas (a comma followed by a new clause ends)."""
        ivs = [self.interval()]
        while True:
            save = self.i
            self.ws()
            if not self.peek(","):
                self.i = save
                break
            if self._NEW_CLAUSE.match(self.t, self.i + 1):
                self.i = save
                break
            self.i += 1
            ivs.append(self.interval())
        return tuple(ivs)

    def interval(self):
        self.ws()
        vstart = self.i
        end = self._value_end(self.i, stop_colon=False)
        text = self.t[vstart:end]
        self.i = end
        if not text.strip():
            self.error("missing value", vstart)
        parts = text.split(":")
        if len(parts) > 2:
            self.error(f"too many ':' in '{text.strip()}'", vstart)
        vals = []
        p = vstart
        for part in parts:
            s, sp = _strip(part, p)
            vals.append(Value(s, self.off + sp) if s else None)
            p += len(part) + 1
        if len(vals) == 1:
            return Interval(vals[0], vals[0], True)
        if vals[0] is None and vals[1] is None:
            self.error("empty range ':'", vstart)
        return Interval(vals[0], vals[1], False)


def parse_filter(text, offset=0, source=None):
    """Parse the inside of one filter group (without brackets) into a filter expression."""
    return _FilterParser(text, offset, text if source is None else source).parse()


def parse_intervals(text, offset=0, source=None):
    """Parse ``"1:3,490:495"`` (e.g. dmlist's ``rows=``) into a tuple of Intervals."""
    p = _FilterParser(text, offset, text if source is None else source)
    ivs = p.intervals()
    p.ws()
    if p.i < len(p.t):
        p.error(f"unexpected '{p.t[p.i]}'")
    return ivs


# --------------------------------------------------------------------------- bin / cols / opt
def _parse_bin(text, pos, src, group_pos):
    modifier = None
    if text.startswith("/"):
        m = re.match(r"/(\w+)", text)
        if not m:
            raise DMSyntaxError("bad bin modifier", src, pos)
        modifier = m.group(1).lower()
        text, pos = _strip(text[m.end():], pos + m.end())
    weight = None
    pieces = split_top_level(text, ";", pos, src)
    if len(pieces) > 2:
        raise DMSyntaxError("more than one ';' in [bin]", src, pieces[2][1] - 1)
    if len(pieces) == 2:
        weight, wpos = _strip(*pieces[1])
        if not _IDENT.fullmatch(weight or ""):
            raise DMSyntaxError("expected a weight column name after ';'", src, wpos)
        text, pos = pieces[0]
    if not text.strip():
        raise DMSyntaxError("nothing to bin", src, pos)
    axes = [_parse_bin_axis(piece, ppos, src) for piece, ppos in split_top_level(text, ",", pos, src)]
    return BinSpec(tuple(axes), weight, modifier, group_pos)


_BIN_NAME = re.compile(r"\s*(\(\s*[A-Za-z_]\w*\s*,\s*[A-Za-z_]\w*\s*\)|#\d+|[A-Za-z_]\w*)\s*")


def _parse_bin_axis(piece, pos, src):
    piece, pos = _strip(piece, pos)
    if not piece:
        raise DMSyntaxError("empty bin specification", src, pos)
    m = _BIN_NAME.match(piece)
    if not m:
        raise DMSyntaxError("expected a column name", src, pos)
    raw = m.group(1)
    names = tuple(s.strip() for s in raw.strip("()").split(",")) if raw.startswith("(") else (raw,)
    rest = piece[m.end():]
    rpos = pos + m.end()
    if not rest:
        return BinAxis(names, pos=pos)
    if not rest.startswith("="):
        raise DMSyntaxError("expected '=' in bin specification", src, rpos)
    spec, spos = _strip(rest[1:], rpos + 1)
    if not spec:
        raise DMSyntaxError("missing bin specification after '='", src, spos)
    if re.match(r"!?\s*[A-Za-z_]\w*\s*\(", spec):
        return BinAxis(names, region=spec, pos=pos)
    if spec.startswith("@"):
        return BinAxis(names, stack=spec[1:].strip(), pos=pos)
    parts = spec.split(":")
    if len(parts) > 3:
        raise DMSyntaxError("too many ':' in bin specification", src, spos)
    vals, p = [], spos
    for part in parts:
        s, sp = _strip(part, p)
        vals.append((s, sp))
        p += len(part) + 1
    if len(vals) == 1:                      # sky=2 / sky=#100
        lo = hi = None
        step_txt, step_pos = vals[0]
    elif len(vals) == 2:                    # x=3900:4400 (step 1)
        (lo, hi), (step_txt, step_pos) = vals, ("", p)
    else:
        lo, hi, (step_txt, step_pos) = vals[0], vals[1], vals[2]
    nbins = step = None
    if step_txt.startswith("#"):
        try:
            nbins = int(step_txt[1:])
        except ValueError:
            raise DMSyntaxError("expected an integer number of bins after '#'", src, step_pos) from None
        if nbins < 1:
            raise DMSyntaxError("the number of bins must be positive", src, step_pos)
    elif step_txt:
        step = _num_value(step_txt, step_pos, src)
        if step.number() <= 0:
            raise DMSyntaxError("the bin size must be positive", src, step_pos)
    lo_v = _num_value(*lo, src) if lo and lo[0] else None
    hi_v = _num_value(*hi, src) if hi and hi[0] else None
    return BinAxis(names, lo_v, hi_v, step, nbins, pos=pos)


def _num_value(text, pos, src):
    if not _NUMBER.match(text):
        raise DMSyntaxError(f"'{text}' is not a number", src, pos)
    return Value(text.replace("d", "e").replace("D", "e"), pos)


def _parse_cols(text, pos, src):
    if not text:
        raise DMSyntaxError("no columns listed", src, pos)
    items = []
    for piece, ppos in split_top_level(text, ",", pos, src):
        piece, ppos = _strip(piece, ppos)
        m = re.fullmatch(r"(-?)\s*([A-Za-z_][\w\[\]]*)(?:\s*=\s*([A-Za-z_][\w\[\]]*))?", piece)
        if not m:
            raise DMSyntaxError("bad column name", src, ppos)
        drop = bool(m.group(1))
        if m.group(3):
            if drop:
                raise DMSyntaxError("cannot both drop and rename a column", src, ppos)
            items.append(ColItem(m.group(3), False, m.group(2), ppos))
        else:
            items.append(ColItem(m.group(2), drop, None, ppos))
    if any(it.drop for it in items) and not all(it.drop for it in items):
        raise DMSyntaxError("cannot mix kept and dropped (-name) columns", src, pos)
    return tuple(items)


def _parse_options(text, pos, src):
    if not text:
        raise DMSyntaxError("no options given", src, pos)
    opts = {}
    for piece, ppos in split_top_level(text, ", \t", pos, src):
        piece, ppos = _strip(piece, ppos)
        if not piece:
            continue
        key, eq, val = piece.partition("=")
        if not re.fullmatch(r"[A-Za-z_]\w*", key.strip()):
            raise DMSyntaxError("bad option name", src, ppos)
        if eq and not val.strip():
            raise DMSyntaxError(f"missing value for option '{key}'", src, ppos + len(piece))
        opts[key.strip().lower()] = val.strip() if eq else True
    return opts


def _parse_subspace(text, pos, src):
    names = []
    for piece, ppos in split_top_level(text, ",", pos, src):
        piece, ppos = _strip(piece, ppos)
        m = re.fullmatch(r"-\s*([A-Za-z_]\w*)", piece)
        if not m:
            raise DMSyntaxError("expected '-column' in [subspace]", src, ppos)
        names.append(m.group(1))
    return names
