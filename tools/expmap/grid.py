"""Regular grids from CIAO grid strings.

``xygrid`` (mkexpmap, get_sky_limits): ``"x0:x1:#nx,y0:y1:#ny"`` or ``"x0:x1:dx,y0:y1:dy"``;
x0 and x1 are the *outer edges* of the grid. With ``#n`` the bin size is (x1-x0)/n; with a bin
size the number of bins is (x1-x0)/dx, and when that is not a whole number the range is
rounded up to the next whole bin (``4470:5670:32`` -> ``4470:5686:32``, 38 bins) with a
warning, as mkexpmap does.

``pixelgrid`` (mkinstmap): the same syntax, but x0 and x1 are the first and last chip pixel
*numbers* of an inclusive range: ``1:1024:#1024`` is the 1024 pixels of an ACIS chip (edges
0.5 and 1024.5, bin 1) and ``1:16384:#2048`` bins an HRC-I plate by 8.
"""
from __future__ import annotations

import dataclasses
import math
import re

import numpy as np

from ..errors import ToolError
from ..messages import warn

__all__ = ["Axis", "parse_xygrid", "parse_pixelgrid", "format_xygrid"]

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^\s*(?:\w+\s*=\s*)?({_NUM})\s*:\s*({_NUM})\s*:\s*(#\s*)?({_NUM})\s*$")


@dataclasses.dataclass(frozen=True)
class Axis:
    """A regular axis: ``n`` bins of width ``step`` starting at the edge ``lo``."""

    lo: float
    step: float
    n: int

    @property
    def hi(self):
        return self.lo + self.n * self.step

    @property
    def centres(self):
        return self.lo + (np.arange(self.n) + 0.5) * self.step

    @property
    def edges(self):
        return self.lo + np.arange(self.n + 1) * self.step

    def index(self, value):
        """0-based bin index containing ``value`` (bins are [lo + i step, lo + (i+1) step))."""
        return np.floor((np.asarray(value, float) - self.lo) / self.step).astype(np.int64)


_SYNTAX = "expected x0:x1:#nx,y0:y1:#ny or x0:x1:dx,y0:y1:dy"


def _split(text, what):
    parts = [p for p in str(text or "").split(",")]
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise ToolError(f"Invalid {what} '{text}': {_SYNTAX}")
    return parts


def _range(part, text, what):
    m = _RANGE.match(part)
    if not m:
        raise ToolError(f"Invalid {what} '{text}': {_SYNTAX}")
    lo, hi, count, val = float(m.group(1)), float(m.group(2)), bool(m.group(3)), float(m.group(4))
    return lo, hi, count, val


def _axis(lo, hi, count, val, text, what, *, quiet=False):
    if not hi > lo:
        raise ToolError(f"Invalid {what} '{text}': the upper limit must exceed the lower limit")
    if count:
        n = int(round(val))
        if n < 1 or abs(n - val) > 1e-9:
            raise ToolError(f"Invalid {what} '{text}': "
                            "the number of bins must be a positive integer")
        return Axis(lo, (hi - lo) / n, n)
    if not val > 0:
        raise ToolError(f"Invalid {what} '{text}': the bin size must be positive")
    nb = (hi - lo) / val
    n = int(round(nb))
    if abs(nb - n) > 1e-6 * max(1.0, nb):
        n = int(math.ceil(nb))
        if not quiet:
            warn(f"{what} range {lo:g}:{hi:g} is not a whole number of {val:g} bins; "
                 f"using {lo:g}:{lo + n * val:g}:{val:g}")
    return Axis(lo, float(val), max(n, 1))


def parse_xygrid(text, *, quiet=False):
    """(x axis, y axis) of an ``xygrid`` string (outer edges)."""
    what = "xygrid"
    px, py = _split(text, what)
    return tuple(_axis(*_range(p, text, what), text, what, quiet=quiet) for p in (px, py))


def parse_pixelgrid(text):
    """(x axis, y axis) of a ``pixelgrid`` string (inclusive pixel-number ranges)."""
    what = "pixelgrid"
    out = []
    for p in _split(text, what):
        lo, hi, count, val = _range(p, text, what)
        if hi < lo:
            raise ToolError(f"Invalid {what} '{text}': "
                            "the upper limit must not be below the lower limit")
        out.append(_axis(lo - 0.5, hi + 0.5, count, val, text, what))
    return tuple(out)


def format_xygrid(ax, ay):
    """The ``x0:x1:#nx,y0:y1:#ny`` string of two axes."""
    return f"{ax.lo:g}:{ax.hi:g}:#{ax.n},{ay.lo:g}:{ay.hi:g}:#{ay.n}"
