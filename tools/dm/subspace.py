"""The data subspace (DSS): per column, the values the data may take, per component.

Reads ``DSTYPn/DSVALn/DSFORMn/DSUNITn/DSREFn`` (and ``mDSVALn``/``mDSREFn`` for component
m >= 2), fills columns without a descriptor from TLMIN/TLMAX, narrows it with filters, and
writes it back as header cards — all descriptors for images, only explicit ones for tables
(a table's TLMIN/TLMAX already carry the rest), as CIAO does (spec dm.md §3).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from . import gti as gtimod

__all__ = ["RangeSet", "GTIValue", "RegionValue", "Descriptor", "Subspace", "format_number"]


def format_number(v):
    """Numbers in DSVAL strings: integers without a point, others in shortest form."""
    if v is None:
        return ""
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v) if "e" not in repr(v) else f"{v:.15g}"


@dataclass
class RangeSet:
    """A union of intervals; integer sets are inclusive [lo, hi], real ones [lo, hi)."""
    intervals: list
    integer: bool = False

    @classmethod
    def full(cls, integer=False):
        return cls([(None, None)], integer)

    @classmethod
    def parse(cls, text, integer):
        ivs = []
        for part in str(text).split(","):
            part = part.strip()
            if not part:
                continue
            lo, sep, hi = part.partition(":")
            lo_v = float(lo) if lo.strip() else None
            hi_v = (float(hi) if hi.strip() else None) if sep else lo_v
            ivs.append((lo_v, hi_v))
        return cls(ivs, integer)

    def is_empty(self):
        return not self.intervals

    def intersect(self, other):
        out = []
        for a0, a1 in self.intervals:
            for b0, b1 in other.intervals:
                lo = a0 if b0 is None else b0 if a0 is None else max(a0, b0)
                hi = a1 if b1 is None else b1 if a1 is None else min(a1, b1)
                if lo is not None and hi is not None:
                    if hi < lo or (not self.integer and hi == lo and not (a0 == a1 or b0 == b1)):
                        continue
                out.append((lo, hi))
        return RangeSet(_merge(out, self.integer), self.integer)

    def complement(self):
        """Complement (used for ``exclude``)."""
        out = []
        ivs = sorted(self.intervals, key=lambda iv: -math.inf if iv[0] is None else iv[0])
        step = 1 if self.integer else 0
        start = None
        for lo, hi in ivs:
            if lo is not None:
                out.append((start, lo - step))
            start = None if hi is None else hi + step
            if hi is None:
                break
        else:
            out.append((start, None))
        return RangeSet([iv for iv in out if not (iv[0] is not None and iv[1] is not None and iv[1] < iv[0])],
                        self.integer)

    def bounds(self):
        """(lowest lo, highest hi); None where open."""
        if not self.intervals:
            return None, None
        los = [iv[0] for iv in self.intervals]
        his = [iv[1] for iv in self.intervals]
        return (None if None in los else min(los)), (None if None in his else max(his))

    def text(self):
        """The DSVAL string: ``0:0,2:2,3:3`` / ``500:7000`` / ``0:``."""
        return ",".join(f"{format_number(lo)}:{format_number(hi)}" for lo, hi in self.intervals)


def _merge(ivs, integer):
    ivs = sorted(set(ivs), key=lambda iv: (-math.inf if iv[0] is None else iv[0]))
    return ivs


@dataclass
class GTIValue:
    """A time descriptor given as a table of good time intervals (``DSVAL='TABLE'``)."""
    block: str
    intervals: np.ndarray


@dataclass
class RegionValue:
    """A region on a vector column (``sky``): its CIAO string and component names."""
    text: str
    names: tuple = ("x", "y")
    region: object = None


@dataclass
class Descriptor:
    name: str
    form: str
    unit: str | None = None
    explicit: bool = False
    vector: str | None = None          # the MTYPE vector it belongs to, if any

    @property
    def integer(self):
        return self.form in ("B", "I", "J", "K")


@dataclass
class Subspace:
    descriptors: dict = field(default_factory=dict)     # lower name -> Descriptor (ordered)
    components: list = field(default_factory=lambda: [{}])

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_header(cls, header, columns=(), vectors=None, gti_reader=None):
        """Build the subspace of a block from its header and columns.

        ``gti_reader(block_name) -> intervals`` resolves ``DSREF`` references; without it
        time descriptors keep empty interval lists.
        """
        found = {}
        ncomp = 1
        for key in header:
            m = re.fullmatch(r"(\d*)DS(TYP|VAL|FORM|UNIT|REF)(\d+)", key)
            if m:
                comp = int(m.group(1) or 1)
                ncomp = max(ncomp, comp)
                found.setdefault(int(m.group(3)), {})[(comp, m.group(2))] = header[key]
        vec_of = {}
        for vname, (_, comps) in (vectors or {}).items():
            for c in comps:
                vec_of[c.lower()] = vname
        col_by_name = {c.name.lower(): c for c in columns}
        raw = {}
        for n in sorted(found):
            d = found[n]
            name = str(d.get((1, "TYP"), "")).strip()
            if not name:
                continue
            col = col_by_name.get(name.lower())
            form = str(d.get((1, "FORM"), col.code if col is not None else "D")).strip() or "D"
            unit = d.get((1, "UNIT"))
            raw[name.lower()] = (Descriptor(name, form, str(unit).strip() if unit else None, True,
                                            vec_of.get(name.lower())), n, d)
        self = cls({}, [dict() for _ in range(ncomp)])
        order = [c.name.lower() for c in columns] + [k for k in raw if k not in col_by_name]
        for low in order:
            if low in raw:
                desc, n, d = raw[low]
                self.descriptors[low] = desc
                for m in range(1, ncomp + 1):
                    self.components[m - 1][low] = _parse_value(desc, d, m, gti_reader)
            else:
                col = col_by_name[low]
                if col.kind == "bit":
                    self.descriptors[low] = Descriptor(col.name, "X", col.unit, False, vec_of.get(low))
                    continue
                if col.kind not in ("int", "real") or col.shape:
                    continue
                if col.tlmin is None and col.tlmax is None:
                    continue
                desc = Descriptor(col.name, col.code, col.unit, False, vec_of.get(low))
                self.descriptors[low] = desc
                for comp in self.components:
                    comp[low] = RangeSet([(col.tlmin, col.tlmax)], col.kind == "int")
        return self

    def copy(self):
        return Subspace(dict(self.descriptors), [dict(c) for c in self.components])

    # ------------------------------------------------------------------ queries
    def value(self, name, component=0):
        return self.components[component].get(name.lower()) if self.components else None

    def range_bounds(self, name):
        """Union over components of a numeric descriptor's range: (lo, hi) or None."""
        lows, highs = [], []
        for comp in self.components:
            v = comp.get(name.lower())
            if isinstance(v, RangeSet) and v.intervals:
                lo, hi = v.bounds()
                lows.append(lo)
                highs.append(hi)
        if not lows:
            return None
        return (None if None in lows else min(lows)), (None if None in highs else max(highs))

    def gti_blocks(self):
        """[(component index, GTIValue)] for the time descriptor, if it is a table."""
        out = []
        for i, comp in enumerate(self.components):
            for v in comp.values():
                if isinstance(v, GTIValue):
                    out.append((i, v))
        return out

    def region(self, names):
        """The RegionValue on the vector whose components are ``names``, if any."""
        low = tuple(n.lower() for n in names)
        for comp in self.components[:1]:
            for v in comp.values():
                if isinstance(v, RegionValue) and tuple(n.lower() for n in v.names) == low:
                    return v
        return None

    # ------------------------------------------------------------------ updates
    def restrict(self, name, rangeset, form=None, unit=None):
        """Intersect a column's set in every component; drop components left empty."""
        low = name.lower()
        if low not in self.descriptors:
            self.descriptors[low] = Descriptor(name, form or ("J" if rangeset.integer else "D"), unit, True)
        desc = self.descriptors[low]
        desc.explicit = True
        keep = []
        for comp in self.components:
            cur = comp.get(low)
            if isinstance(cur, GTIValue):
                iv = _rangeset_to_intervals(rangeset)
                comp[low] = GTIValue(cur.block, gtimod.intersect(cur.intervals, iv))
                keep.append(comp)
                continue
            new = rangeset if not isinstance(cur, RangeSet) else cur.intersect(rangeset)
            comp[low] = new
            if not new.is_empty():
                keep.append(comp)
        self.components = keep

    def restrict_time(self, name, intervals):
        """Intersect the time GTIs of every component with ``intervals``."""
        low = name.lower()
        for comp in self.components:
            cur = comp.get(low)
            if isinstance(cur, GTIValue):
                comp[low] = GTIValue(cur.block, gtimod.intersect(cur.intervals, gtimod.normalize(intervals)))
            else:
                iv = gtimod.normalize(intervals)
                lo = float(iv[0, 0]) if len(iv) else 0.0
                hi = float(iv[-1, 1]) if len(iv) else 0.0
                rs = RangeSet([(lo, hi)], False)
                comp[low] = rs if not isinstance(cur, RangeSet) else cur.intersect(rs)
        if low in self.descriptors:
            self.descriptors[low].explicit = True
        else:
            self.descriptors[low] = Descriptor(name, "D", "s", True)

    def set_region(self, vector, names, text, form="D", unit=None, region=None):
        low = vector.lower()
        self.descriptors[low] = Descriptor(vector, form, unit, True)
        for comp in self.components:
            comp[low] = RegionValue(text, tuple(names), region)

    def remove(self, name):
        low = name.lower()
        self.descriptors.pop(low, None)
        for comp in self.components:
            comp.pop(low, None)

    # ------------------------------------------------------------------ writing
    def cards(self, mode="table", exclude=()):
        """Header cards (key, value, comment) for the DSS.

        mode 'table': explicit descriptors only; 'image': every range/time/region descriptor.
        ``exclude``: lower-case names left out (binned axes).
        """
        excl = {e.lower() for e in exclude}
        chosen = []
        for low, d in self.descriptors.items():
            if low in excl or d.form == "X":
                continue
            if mode == "table" and not d.explicit:
                continue
            vals = [c.get(low) for c in self.components]
            if not vals or any(v is None for v in vals):
                continue
            chosen.append((low, d, vals))
        groups = []
        for item in chosen:
            if groups and item[1].vector and groups[-1][0][1].vector == item[1].vector:
                groups[-1].append(item)
            else:
                groups.append([item])
        cards, n = [], 0
        for group in groups:
            numbered = []
            for low, d, vals in group:
                n += 1
                numbered.append((n, d, vals))
                cards.append((f"DSTYP{n}", d.name, "DM Keyword: Descriptor name."))
                v0 = vals[0]
                unit_comment = f"[{d.unit}]" if d.unit else None
                if isinstance(v0, GTIValue):
                    cards.append((f"DSVAL{n}", "TABLE", unit_comment or "DM Keyword: Descriptor value."))
                else:
                    cards.append((f"DSVAL{n}", _value_text(v0), unit_comment or "DM Keyword: Descriptor value."))
                cards.append((f"DSFORM{n}", d.form, "DM Keyword: Descriptor datatype."))
                if d.unit:
                    cards.append((f"DSUNIT{n}", d.unit, "DM Keyword: Descriptor unit."))
                if isinstance(v0, GTIValue):
                    cards.append((f"DSREF{n}", f":{v0.block}", ""))
                    for m, v in enumerate(vals[1:], start=2):
                        cards.append((f"{m}DSREF{n}", f":{v.block}", ""))
            for m in range(2, len(self.components) + 1):
                for k, d, vals in numbered:
                    v = vals[m - 1]
                    if isinstance(v, GTIValue):
                        continue
                    cards.append((f"{m}DSVAL{k}", _value_text(v), f"[{d.unit}]" if d.unit else ""))
        return cards


def _value_text(v):
    if isinstance(v, RangeSet):
        return v.text()
    if isinstance(v, RegionValue):
        return v.text
    if isinstance(v, GTIValue):
        return "TABLE"
    return str(v)


def _rangeset_to_intervals(rs):
    return np.array([(-np.inf if lo is None else lo, np.inf if hi is None else hi)
                     for lo, hi in rs.intervals], dtype="f8").reshape(-1, 2)


def _parse_value(desc, d, m, gti_reader):
    val = d.get((m, "VAL"), d.get((1, "VAL"), ""))
    ref = d.get((m, "REF"), d.get((1, "REF")) if m == 1 else None)
    text = str(val).strip()
    if text.upper() == "TABLE" or (ref is not None and not text):
        block = str(ref or "").strip().lstrip(":") or "GTI"
        iv = gti_reader(block) if gti_reader else np.zeros((0, 2))
        return GTIValue(block, gtimod.normalize(iv))
    if re.match(r"!?\s*[A-Za-z]", text) and "(" in text:
        return RegionValue(text)
    try:
        return RangeSet.parse(text, desc.integer)
    except ValueError:
        return RegionValue(text)
