"""dmlist: list the blocks, columns, header, data or subspace of a (virtual) file.

Layouts follow spec dm.md §4.1 (checked against dmlist output captured in the CIAO threads).
The functions ``list_*`` return text; ``run`` only chooses, prints or writes it.
"""
from __future__ import annotations

import re

import numpy as np

from .dm.fitsfile import _COLKEY, open_dataset
from .dm.subspace import GTIValue, RangeSet, RegionValue
from .dm.syntax import parse_intervals, parse_virtual_file
from .dm.textformat import cell_width, format_cell, format_real
from .dm.virtual import _resolve_path, open_virtual
from .errors import ToolError
from .outputs import output_file
from .task import tool_main

__all__ = ["list_blocks", "list_cols", "list_header", "list_data", "list_subspace", "run", "main"]

RULE = "-" * 80
OPTIONS = {"blocks", "header", "keys", "comments", "cols", "subspace", "data", "array", "full",
           "all", "clean", "raw", "struct", "counts"}


def _heading(title):
    return [" ", RULE, title, RULE, " "]


# --------------------------------------------------------------------------- blocks
def _block_line(b):
    """``Block    2: EVENTS                         Table        15 cols x 489454   rows``,
    ``... Table         1 cols x 0        rows`` and ``... Null        `` (threads dm_intro,
    acisfptemp, param_files): the column count in 4 columns, a null block's type in 12."""
    if b.kind == "table":
        dims = f"{len(b.columns):>4d} cols x {b.nrows:<8d} rows"
        kind = "Table"
    elif b.kind == "image":
        dims = _type_of_image(b) + "(" + "x".join(str(n) for n in reversed(b.shape)) + ")"
        kind = "Image"
    else:
        kind, dims = "Null", " "
    return f"Block {b.number:>4d}: {b.name:<30s} {kind:<10s} {dims}"


def _type_of_image(b):
    bitpix = int(b.header.get("BITPIX", 8))
    if bitpix in (16, 32) and float(b.header.get("BSCALE", 1.0)) == 1.0 and b.header.get("BZERO") in (32768, 2147483648):
        return {16: "UInt2", 32: "UInt4"}[bitpix]
    return {8: "Byte", 16: "Int2", 32: "Int4", 64: "Int8", -32: "Real4", -64: "Real8"}[bitpix]


def list_blocks(path):
    ds = open_dataset(path)
    lines = _heading(f"Dataset: {path}")
    lines.append("     Block Name                          Type         Dimensions")
    lines.append(RULE)
    lines += [_block_line(b) for b in ds.blocks]
    return "\n".join(lines)


# --------------------------------------------------------------------------- cols
def _range_text(col, subspace, header=None):
    """The column's own TLMIN:TLMAX, not its subspace: the threads show an energy column
    filtered to 500:7000 as `0:  1000000.0` (phase_bin) and a light curve's TIME with the
    same range as TIME_MIN and TIME_MAX (lightcurve). Only a column with neither takes its
    time subspace, as TSTART:TSTOP (an event file's time, which has no TLMIN/TLMAX: dm_intro
    `84270902.1685000062: 84280645.8188659996`). The upper end is padded as in vector cells
    (`0.50:     8192.50`, `0:     3.402823466E+38`, `0:+Inf`, `-Inf:+Inf`)."""
    if col.kind in ("string", "bit", "logical"):
        return ""
    lo, hi = col.tlmin, col.tlmax
    rs = subspace.value(col.name) if subspace is not None and lo is None and hi is None else None
    if isinstance(rs, GTIValue) and len(rs.intervals):
        lo, hi = float(rs.intervals[0, 0]), float(rs.intervals[-1, 1])
        if header is not None and isinstance(header.get("TSTART"), float) and isinstance(header.get("TSTOP"), float):
            lo, hi = header["TSTART"], header["TSTOP"]
    if col.kind == "int":
        if lo is None and hi is None:
            return "-"
        info = np.iinfo(col.native_dtype)
        lo = info.min if lo is None else lo
        hi = info.max if hi is None else hi
        return f"{int(lo)}:{int(hi)}"
    lo = float("-inf") if lo is None else lo
    hi = float("inf") if hi is None else hi
    return f"{format_real(lo)}:{format_real(hi, 20)}"


def _col_groups(view):
    """Visible columns grouped into vectors: [(display name, [cols])]."""
    cols = view.columns
    out, used = [], set()
    vectors = view.vectors
    first_of = {}
    for vname, (stored, comps) in vectors.items():
        first_of[comps[0].lower()] = (stored, comps)
    for c in cols:
        if c.name.lower() in used:
            continue
        vec = first_of.get(c.name.lower())
        if vec:
            stored, comps = vec
            members = [view.column(n) for n in comps]
            out.append((f"{stored}({','.join(m.name for m in members)})", members))
            used.update(m.name.lower() for m in members)
        else:
            name = c.name
            if c.shape:
                name += "[" + ",".join(str(n) for n in reversed(c.shape)) + "]"
            elif c.kind == "bit":
                name += f"[{(c.repeat + 7) // 8}]"
            out.append((name, [c]))
            used.add(c.name.lower())
    return out


def list_cols(view):
    if view.kind == "image":
        return _image_cols(view)
    if view.kind != "table":
        raise ToolError(f"block {view.name} has no columns")
    groups = _col_groups(view)
    has_null = any(c.tnull is not None for _, cs in groups for c in cs)
    lines = _heading(f"Columns for Table Block {view.name}")
    lines.append("ColNo  Name                 Unit        Type             Range" + ("            Null" if has_null else ""))
    for i, (name, cs) in enumerate(groups, start=1):
        c = cs[0]
        tname = c.type_name if c.kind != "bit" else f"Bit({(c.repeat + 7) // 8})"
        if c.shape and c.kind not in ("string", "bit"):
            tname += "(" + ",".join(str(n) for n in reversed(c.shape)) + ")"
        rng = _range_text(c, view.subspace, view.header)
        line = f"{i:4d}   {name:<20s} {c.unit or '':<12s} {tname:<14s} {rng:<20s} "
        if has_null:
            line += f"{str(c.tnull) if c.tnull is not None else '-':<10s} "
        line += c.comment or ""
        lines.append(line)
    wcs_lines = []
    for i, (name, cs) in enumerate(groups, start=1):
        w = _column_world_text(view, cs)
        if w:
            wcs_lines.append(f"{i}:    {w[0]}")
            wcs_lines += w[1:]
    if wcs_lines:
        lines += _heading(f"World Coord Transforms for Columns in Table Block {view.name}")
        lines.append("ColNo    Name")
        lines += wcs_lines
    return "\n".join(lines)


def _column_world_text(view, cs):
    from .dm.wcs import column_world
    if len(cs) != 2:
        return None
    wx, wy = column_world(cs[0]), column_world(cs[1])
    if not wx or not wy:
        return None
    from .dm.binning import world_names
    mtype, mform = world_names(view.info, cs[0])
    if not mtype:
        return None
    n1, n2 = (s.strip() for s in mform.split(","))
    proj = wx["ctype"][5:].strip("-") or "LIN"
    vec = cs[0].name
    for stored, comps in view.vectors.values():
        if comps[0].lower() == cs[0].name.lower():
            vec = stored
    unit = wx["cunit"] or "deg"
    return [f"{mtype}({n1:<3s}) = ({wx['crval']:+.4f})[{unit}] +{proj}[({wx['cdelt']:+.9g})* ({vec}({cs[0].name})-({wx['crpix']:+.2f}))]",
            f"{'':{len(mtype) + 1}s}({n2:<3s})   ({wy['crval']:+.4f} )           ({wy['cdelt']:+.9g})  (   ({cs[1].name}) ({wy['crpix']:+.2f}))"]


def _image_cols(view):
    shape = view.shape_fits
    dims = ",".join(str(n) for n in shape)
    tname = {"u1": "Byte", "i2": "Int2", "i4": "Int4", "i8": "Int8", "f4": "Real4", "f8": "Real8",
             "u2": "UInt2", "u4": "UInt4"}.get(view.data.dtype.newbyteorder("=").str[1:], "Real8")
    typ = f"{tname}({'x'.join(str(n) for n in shape)})"
    name = f"{view.name}[{dims}]"
    null = view.null is not None
    lines = _heading(f"Columns for Image Block {view.name}")
    lines.append("ColNo  Name                 Unit        Type             Range" + ("            Null" if null else ""))
    unit = str(view.header.get("BUNIT", "") or "")
    line = f"{1:4d}   {name:<20s} {unit:<12s} {typ:<14s} {'-':<20s} "
    if null:
        line += f"{view.null}"
    lines.append(line)
    lines += _heading(f"Physical Axis Transforms for Image Block {view.name}")
    lines.append("Group# Axis# ")
    g, i = 0, 0
    axes = view.axes
    while i < len(axes):
        ax = axes[i]
        g += 1
        if ax.vector and i + 1 < len(axes) and axes[i + 1].vector == ax.vector:
            b = axes[i + 1]
            lines.append(f"{g:4d}   {i + 1},{i + 2}    {ax.vector}({ax.name}) = {ax.dmlist_text(f'#{i + 1}')}")
            pad = " " * (len(f"{g:4d}   {i + 1},{i + 2}    {ax.vector}"))
            lines.append(f"{pad}({b.name})   ({b.crval:+.2f})  ({b.cdelt:+.1f})  ((#{i + 2}) ({b.crpix:+.2f}))")
            i += 2
        else:
            name = ax.name or f"#{i + 1}"
            unit = f" [{ax.unit}]" if ax.unit else ""
            lines.append(f"{g:4d}   {i + 1}      {name} = {format_real(ax.crval) if ax.crval else '0'}{unit} "
                         f"+{format_real(ax.cdelt)} * (#{i + 1}  {-ax.crpix:+.2f})")
            i += 1
    if view.world and view.world.get("mtype"):
        cards = {k: v for k, v, _ in view.world["cards"]}
        n1, n2 = (s.strip() for s in view.world["mform"].split(","))
        proj = str(cards.get("CTYPE1", ""))[5:].strip("-") or "LIN"
        vec = axes[0].vector or "sky"
        lines += _heading(f"World Coordinate Axis Transforms for Image Block {view.name}")
        lines.append("Group# Axis# ")
        # expressed against the physical axes, as dmlist does
        cx = axes[0].phys(float(cards.get("CRPIX1", 0)))
        cy = axes[1].phys(float(cards.get("CRPIX2", 0)))
        dx = float(cards.get("CDELT1", 1)) / axes[0].cdelt
        dy = float(cards.get("CDELT2", 1)) / axes[1].cdelt
        lines.append(f"   1   1,2    {view.world['mtype']}({n1:<3s}) = ({float(cards.get('CRVAL1', 0)):+.4f})[deg] "
                     f"+{proj}[({dx:+.9g})* ({vec}({axes[0].name})-({cx:+.2f}))]")
        lines.append(f"{'':{17 + len(view.world['mtype'])}s}({n2:<3s})   ({float(cards.get('CRVAL2', 0)):+.4f} )"
                     f"           ({dy:+.9g})  (   ({axes[1].name}) ({cy:+.2f})) ")
    return "\n".join(lines)


# --------------------------------------------------------------------------- header
def _key_type(value):
    if isinstance(value, bool):
        return "Logical"
    if isinstance(value, int):
        return "Int4"
    if isinstance(value, float):
        return "Real8"
    return "String"


def _split_unit(comment):
    comment = comment or ""
    if comment.startswith("["):
        end = comment.find("]")
        if end > 0:
            return comment[1:end], comment[end + 1:].strip()
    return None, comment


def _value_field(value, unit):
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
        return f"{text:<30s}"
    if isinstance(value, float):
        text = f"{format_real(value):>20s}" + (f" [{unit}]" if unit else "")
        return f"{text:<30s}"
    return f"{str(value):<30s}"


_HIDDEN = re.compile(r"^(SIMPLE|XTENSION|BITPIX|EXTEND|PCOUNT|GCOUNT|TFIELDS|THEAP|EXTNAME|HDUNAME|EXTVER|"
                     r"NAXIS\d*|BLANK|BSCALE|BZERO)$|" + _COLKEY.pattern[1:-1].join(["^(?:", ")$"]) +
                     r"|^\d*DS(TYP|VAL|FORM|UNIT|REF)\d+$|^M(TYPE|FORM)\d+$|"
                     r"^(CTYPE|CRVAL|CRPIX|CDELT|CUNIT|WCSTY)\d+P?$|^LTV\d+$|^LTM\d+_\d+$|^(CD|PC)\d+_\d+$")


def list_header(header, name, clean=False):
    lines = [] if clean else _heading(f"Header keys for block {name}")
    n = 0
    for card in header.cards:
        k = card.keyword
        if k in ("COMMENT", "HISTORY", ""):
            if not clean:
                lines.append(f" --  {k or 'COMMENT':<20s} {card.value}".rstrip() if str(card.value).strip()
                             else f" --  {k or 'COMMENT':<20s} ")
            continue
        if _HIDDEN.match(k):
            continue
        n += 1
        unit, comment = _split_unit(card.comment)
        value = card.value
        if clean:
            lines.append(f"{k:<20s} {_value_field(value, unit)} {comment}".rstrip())
        else:
            lines.append(f"{n:04d} {k:<20s} {_value_field(value, unit)} {_key_type(value):<12s} {comment}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- data
def _row_range(rows, n):
    if not rows:
        return np.arange(n)
    ivs = parse_intervals(rows)
    idx = []
    for iv in ivs:
        lo = int(float(iv.lo.text)) if iv.lo else 1
        hi = int(float(iv.hi.text)) if iv.hi else n
        idx.extend(range(max(lo, 1), min(hi, n) + 1))
    return np.array(idx, dtype=np.intp) - 1


def _field_width(cs, clean):
    """Width of a data field, leading space included (ornate mode; for real vectors and
    arrays in both modes). A real vector or 2-element array takes 41 columns: a space and
    two 20-column elements (radial_profile thread: `ROW    R[2]                                     RMID`;
    fluxes thread, clean: `#  SHAPE              R[2]                                     AREA`)."""
    c = cs[0]
    if len(cs) > 1:
        return 2 * cell_width(c, False) + 3 if c.kind == "int" else 41
    if c.kind == "string":
        return 1 + max(c.repeat, 1)
    if c.kind == "bit":
        return 1 + c.repeat
    if c.shape:
        n = int(np.prod(c.shape))
        return 2 + n * 12 if c.kind == "int" else 1 + n * 20
    return cell_width(c, clean)


def list_data(view, clean=False, rows=None, cells=None):
    if view.kind == "image":
        return _image_data(view, clean, cells)
    if view.kind != "table":
        raise ToolError(f"block {view.name} has no data")
    groups = _col_groups(view)
    data = view.read()
    idx = _row_range(rows, view.nrows)
    lines = []
    if clean:
        head = "#  "
        for name, cs in groups:
            if len(cs) > 1:
                name = f"{name.split('(')[0]}({','.join(c.name.upper() for c in cs)})"
            wide = cs[0].kind == "real" and (len(cs) > 1 or cs[0].shape)
            head += f"{name:<{_field_width(cs, True) - 1 if wide else 20}s} "
        lines.append(head.rstrip())
    else:
        lines += _heading(f"Data for Table Block {view.name}")
        head = "ROW    "
        for name, cs in groups:
            head += f"{name:<{max(_field_width(cs, False), len(name) + 1)}s}"
        lines.append(head.rstrip())
        lines.append(" ")
    arrays = [[data[c.name] for c in cs] for _, cs in groups]
    for r in idx:
        parts = [_cell(cs, [a[r] for a in arrs], clean) for (_, cs), arrs in zip(groups, arrays)]
        lines.append(("" if clean else f"{r + 1:6d}") + "".join(parts))
    return "\n".join(lines)


def _cell(cs, values, clean):
    """One field of a data row. Real vector and array elements are padded to 20 before
    their zeros are stripped (``format_real(v, 20)``); recorded in the threads:
    vector, ornate (tg_piled_zero), not aligned: ` (     4098.4541015625,     4125.5781250)`;
    vector, clean (masks), right-aligned in 41: `      3951.3040935673      3719.5614035088`,
    `                                  NaN NaN`;
    array, ornate (radial_profile), right-aligned in 41: `                [       10.0        15.0]`;
    array, clean (fluxes, masks): `            9.624140                    0`,
    `                       115.2232360840 NaN`; longer texts push the next field right."""
    c = cs[0]
    if len(cs) > 1:                                   # vector column (x,y)
        if c.kind == "int":
            texts = [format_cell(c, v) for v in values]
            if clean:
                return "".join(f"{t:>21s}" for t in texts)
            return f" {'(' + ','.join(texts) + ')':>{_field_width(cs, False) - 1}s}"
        texts = [format_cell(c, v, 20) for v in values]
        if clean:
            return f"{''.join(' ' + t for t in texts):>{_field_width(cs, True)}s}"
        return " (" + ",".join(texts) + ")"
    text = format_cell(c, values[0], 20 if c.shape else 0)
    if isinstance(text, list):
        if c.kind == "int":
            if clean:
                return "".join(f"{t:>21s}" for t in text)
            return " [" + " ".join(f"{t:>11s}" for t in text) + "]"
        if clean:
            return f"{''.join(' ' + t for t in text):>{_field_width(cs, True)}s}"
        return f" {'[' + ' '.join(text) + ']':>{_field_width(cs, False) - 1}s}"
    if c.kind in ("string", "bit"):
        return f" {text:<{_field_width(cs, clean) - 1}s}"
    w = cell_width(c, clean)
    return f"{text:>{w}s}" if clean else f" {text:>{w - 1}s}"


def _image_data(view, clean, cells):
    data = view.data
    lines = [] if clean else _heading(f"Data for Image Block {view.name}")
    if data.ndim == 1:
        data = data[np.newaxis, :]
    flat2 = data.reshape(-1, data.shape[-1])
    fmt = (lambda v: format_real(v)) if data.dtype.kind == "f" else (lambda v: str(int(v)))
    if not clean:
        lines.append("LOGICAL  " + "".join(f"{f'#1={i + 1}':>21s}" for i in range(flat2.shape[1])).rstrip())
    for j, row in enumerate(flat2):
        cellsx = "".join(f"{fmt(v):>21s}" for v in row)
        lines.append(cellsx if clean else f"{f'#2={j + 1}':<9s}{cellsx}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- subspace
def _dss_value_lines(v, desc):
    if isinstance(v, GTIValue):
        out = [f"TABLE {v.block}", ""]
        for a, b in v.intervals:
            out.append(f" {format_real(a)}: {format_real(b)}")
        return out
    if isinstance(v, RegionValue):
        return [v.text]
    if isinstance(v, RangeSet):
        if v.integer:
            info = np.iinfo({"B": np.uint8, "I": np.int16, "J": np.int32, "K": np.int64}.get(desc.form, np.int32))
            return [",".join(f"{info.min if lo is None else int(lo)}:{info.max if hi is None else int(hi)}"
                             for lo, hi in v.intervals)]
        # both ends padded as in cols ranges (dm_intro: `detx               0.50:     8192.50`,
        # `Real4                                  0:  1000000.0`); an open end stays blank
        end = lambda x: format_real(x, 20) if x is not None else " " * 11
        return [",".join(f"{end(lo)}:{end(hi)}" for lo, hi in v.intervals)]
    return [str(v)]


def list_subspace(view):
    ss = view.subspace
    # vector components (chipx, chipy of chip) share one descriptor number
    entries, numbers, n = [], {}, 0
    for low, d in ss.descriptors.items():
        key = (d.vector or low).lower()
        if key not in numbers:
            n += 1
            numbers[key] = n
        entries.append((numbers[key], low, d))
    lines = [" ", RULE,
             f"Data subspace for block {view.name}: Components: {len(ss.components)} Descriptors: {n} ",
             RULE, " "]
    for i, comp in enumerate(ss.components, start=1):
        lines.append(f" --- Component {i} --- ")
        k = {}
        for num, low, d in entries:
            v = comp.get(low)
            typ = {"D": "Real8", "E": "Real4", "I": "Int2", "J": "Int4", "K": "Int8", "B": "Byte",
                   "X": "Bit"}.get(d.form, d.form)
            vals = _dss_value_lines(v, d) if v is not None else [""]
            if d.vector:
                k[num] = k.get(num, 0) + 1
                lines.append(f"{num:4d} {d.vector:<20s} [{k[num]:2d}] {d.name:<14s} {vals[0]} ")
            else:
                lines.append(f"{num:4d} {d.name:<20s} {typ:<20s}{vals[0]} ")
            for extra in vals[1:]:
                lines.append(f"{'':46s}{extra}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- tool
def dmlist_text(infile, opt="data", rows=None, cells=None):
    """The full dmlist output for ``infile`` and option list ``opt``."""
    opts = [o.strip().lower() for o in str(opt or "data").split(",") if o.strip()]
    bad = [o for o in opts if o not in OPTIONS]
    if bad:
        raise ToolError(f"unknown dmlist option '{bad[0]}' (use {', '.join(sorted(OPTIONS))})")
    clean = "clean" in opts
    vf = parse_virtual_file(infile)
    if "blocks" in opts and not vf.has_modifiers and vf.block is None:
        first = [list_blocks(_resolve_path(vf.path, None))]
        opts = [o for o in opts if o != "blocks"]
        if not opts:
            return first[0]
    else:
        first = []
        if "blocks" in opts:
            first.append(list_blocks(_resolve_path(vf.path, None)))
    view = open_virtual(vf)
    out = list(first)
    if "counts" in opts:
        if view.kind != "table":
            raise ToolError(f"block {view.name} is not a table")
        out.append(str(view.nrows))
    if any(o in opts for o in ("header", "keys", "full", "all")):
        header = view.updated_header() if view.kind == "table" else view.header
        out.append(list_header(header, view.name, clean))
    if any(o in opts for o in ("cols", "full", "all")):
        out.append(list_cols(view))
    if any(o in opts for o in ("subspace", "full", "all")):
        out.append(list_subspace(view))
    if any(o in opts for o in ("data", "array", "all")) or (opts == ["clean"]):
        out.append(list_data(view, clean, rows, cells))
    return "\n".join(out)


def run(p):
    text = dmlist_text(p.infile, p.opt, getattr(p, "rows", None) or None, getattr(p, "cells", None) or None)
    outfile = getattr(p, "outfile", None)
    if outfile and str(outfile).strip().lower() not in ("", "none", "stdout"):
        with output_file(outfile, True) as tmp:
            with open(tmp, "w") as fh:
                fh.write(text + "\n")
    else:
        print(text)
    return None


main = tool_main("dmlist", run)
