"""Stacks: lists of files (or regions) given as one parameter string (spec dm.md §1.11).

``expand_stack("a.fits,b.fits[sky=circle(1,2,3)]")`` -> ``['a.fits', 'b.fits[sky=circle(1,2,3)]']``.
Owns item splitting, ``@file`` lists (relative paths, ``@-``, ``@+``, ``!``), globbing and the
grid generators ``igrid``/``lgrid``/``rgrid``/``pgrid``. Knows nothing about FITS.
"""
from __future__ import annotations

import glob
import math
import os
import re

from ..errors import ToolError

__all__ = ["StackError", "split_stack", "expand_stack", "expand_grids"]


class StackError(ToolError):
    """A stack that cannot be read; printed by the runner as ``# stklib : ERROR: ...``."""
    origin = "stklib"


_PAIRS = {"[": "]", "(": ")", "{": "}"}


def split_stack(text):
    """Split at spaces, ',' or ';' outside ``[] () {}`` (and ``<>``); backslash escapes."""
    items, cur, depth, angle, i = [], [], [], 0, 0
    text = text or ""
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            cur.append(text[i + 1])
            i += 2
            continue
        if c in _PAIRS:
            depth.append(_PAIRS[c])
        elif depth and c == depth[-1]:
            depth.pop()
        elif not depth and c == "<":
            angle += 1
        elif not depth and c == ">" and angle:
            angle -= 1
        elif not depth and not angle and c in " \t\n,;":
            if cur:
                items.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    if cur:
        items.append("".join(cur))
    return items


def _split_suffix(item):
    """``name[filter]`` -> (``name``, ``[filter]``)."""
    i = item.find("[")
    return (item, "") if i < 0 else (item[:i], item[i:])


def _read_stack_file(path, display):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            raw = fh.read().splitlines()
    except OSError:
        raise StackError(f"can not open stack '{display}'") from None
    lines, pending = [], ""
    for line in raw:
        line = line.rstrip()
        if line.endswith("\\"):
            pending += line[:-1].rstrip()
            continue
        line = pending + line
        pending = ""
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lines.append(line.strip())
    if pending.strip():
        lines.append(pending.strip())
    return lines


def _expand_at(item, base_dir, depth):
    name, suffix = _split_suffix(item[1:])
    prefix_paths, recursive = True, False
    while name[:1] in "-+" and name:
        if name[0] == "-":
            prefix_paths = False
        else:
            recursive = True
        name = name[1:]
    path = name if os.path.isabs(name) or base_dir is None else os.path.join(base_dir, name)
    lines = _read_stack_file(path, name)
    prefix = os.path.dirname(name)
    out = []
    for line in lines:
        keep_literal = line.startswith("!")
        if keep_literal:
            line = line[1:].strip()
        if recursive and line.startswith("@") and depth < 20:
            sub = os.path.join(prefix, line[1:]) if prefix and not os.path.isabs(line[1:]) else line[1:]
            out.extend(_expand_at("@" + sub, base_dir, depth + 1))
            continue
        for entry in split_stack(line) if not line.startswith("@") else [line]:
            if prefix_paths and not keep_literal and prefix and not os.path.isabs(entry) \
                    and not entry.startswith("@"):
                entry = prefix + "/" + entry
            out.append(entry + suffix)
    return out


def _glob(item, base_dir):
    name, suffix = _split_suffix(item)
    if not any(c in name for c in "*?"):
        return [item]
    pattern = name if os.path.isabs(name) or base_dir is None else os.path.join(base_dir, name)
    matches = sorted(glob.glob(pattern))
    if not matches:
        return [item]
    if base_dir is not None and not os.path.isabs(name):
        matches = [os.path.relpath(m, base_dir) for m in matches]
    return [m + suffix for m in matches]


def expand_stack(text, *, base_dir=None, globbing=True):
    """Expand a stack string into its list of items (an empty string gives ``['']``).

    ``base_dir``: directory relative ``@file`` names and glob patterns are resolved in
    (default: the current directory). Entries read from a stack file keep the stack file's
    directory as a prefix, as the CXC stack library does.
    """
    items = split_stack(text)
    if not items:
        return [""]
    out = []
    for item in items:
        entries = _expand_at(item, base_dir, 0) if item.startswith("@") else [item]
        for entry in entries:
            for grid_item in expand_grids(entry):
                out.extend(_glob(grid_item, base_dir) if globbing else [grid_item])
    return out


# --------------------------------------------------------------------------- grids
_GRID = re.compile(r"(?i)\b([ilrp])grid\(([^()]*)\)")


def _frange(lo, hi, step, inclusive=True):
    if step <= 0:
        raise StackError(f"grid step must be positive: {step:g}")
    n = math.floor((hi - lo) / step + 1e-9)
    if not inclusive:
        n -= 1
    return [lo + k * step for k in range(n + 1)] if n >= 0 else []


def _nums(text, item):
    try:
        return [float(v) for v in text.split(":")]
    except ValueError:
        raise StackError(f"bad grid specification in '{item}'") from None


def _g(v):
    return f"{v:g}"


def _grid_values(kind, args, item):
    parts = [p.strip() for p in args.split(",")]
    if kind in "il":
        if len(parts) != 1 or len(_nums(parts[0], item)) != 3:
            raise StackError(f"bad grid specification in '{item}'")
        lo, hi, step = _nums(parts[0], item)
        vals = _frange(lo, hi, step)
        return [str(int(round(v))) for v in vals] if kind == "i" else [_g(v) for v in vals]
    if kind == "r":
        if len(parts) != 2:
            raise StackError(f"bad grid specification in '{item}'")
        (x0, x1, dx), (y0, y1, dy) = _nums(parts[0], item), _nums(parts[1], item)
        return [f"rectangle({_g(x)},{_g(y)},{_g(x + dx)},{_g(y + dy)})"
                for y in _frange(y0, y1 - dy, dy) for x in _frange(x0, x1 - dx, dx)]
    if len(parts) != 4:
        raise StackError(f"bad grid specification in '{item}'")
    xc, yc = parts[0], parts[1]
    (r0, r1, dr), (a0, a1, da) = _nums(parts[2], item), _nums(parts[3], item)
    return [f"pie({xc},{yc},{_g(r)},{_g(r + dr)},{_g(a)},{_g(a + da)})"
            for r in _frange(r0, r1 - dr, dr) for a in _frange(a0, a1 - da, da)]


def expand_grids(item):
    """Expand the first ``igrid/lgrid/rgrid/pgrid(...)`` of an item, recursively."""
    m = _GRID.search(item)
    if not m:
        return [item]
    out = []
    for v in _grid_values(m.group(1).lower(), m.group(2), item):
        out.extend(expand_grids(item[:m.start()] + v + item[m.end():]))
    return out
