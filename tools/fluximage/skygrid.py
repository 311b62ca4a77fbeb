"""The output grid: which sky pixels the images cover (science.md 4.3).

Computed (``xygrid=""``): the extent of the observation's field of view (the chips' FOV
polygons), intersected with the event file's own sky range (its data subspace: 0.5:8192.5,
or narrower after a spatial filter), each axis aligned on the standard Chandra grid so that
pixel edges fall on 0.5 + k x binsize (CIAO's ``AxisRange``)::

    lo' = lo - ((lo - 0.5) mod b);  n = ceil((hi - lo') / b);  hi' = lo' + n b

Given (``xygrid``): ``xlo:xhi:#nx,ylo:yhi:#ny`` or ``xlo:xhi:dx,ylo:yhi:dy`` used as they are,
or the name of an image whose grid (get_sky_limits, one decimal) is matched.
"""
from __future__ import annotations

import dataclasses
import math

from ..errors import ToolError

__all__ = ["AxisRange", "Grid", "grid_from_extent", "grid_from_xygrid"]


def _clean(value):
    """A float without rounding noise (``4096.499999999999`` -> ``4096.5``)."""
    return float(round(value, 9))


@dataclasses.dataclass(frozen=True)
class AxisRange:
    """``n`` pixels of width ``size`` from ``lo`` to ``hi`` (outer edges, sky pixels)."""

    lo: float
    hi: float
    size: float | int
    n: int

    @classmethod
    def aligned(cls, lo, hi, size):
        """The range covering ``lo..hi`` with edges on 0.5 + k size."""
        if not hi > lo:
            raise ToolError(f"Expected minval < maxval, sent {lo} and {hi}")
        if not size > 0:
            raise ToolError(f"The bin size must be > 0, not {size}")
        if float(size).is_integer():
            size = int(size)
        start = _clean(lo - (lo - 0.5) % size)
        n, rest = divmod(hi - start, size)
        n = int(n) + (1 if rest > 1e-9 * size else 0)
        return cls(start, _clean(start + n * size), size, max(n, 1))

    def intersect(self, other):
        """The aligned overlap of two ranges of one bin size, or None."""
        lo, hi = max(self.lo, other.lo), min(self.hi, other.hi)
        return AxisRange.aligned(lo, hi, self.size) if lo < hi else None

    def __str__(self):
        return f"{self.lo!r}:{self.hi!r}:{self.size!r}"   # a whole bin size is an int: ":2"


@dataclasses.dataclass(frozen=True)
class Grid:
    """The images' grid: ``spec`` is the binning text (``x=lo:hi:b,y=lo:hi:b``)."""

    spec: str
    binsize: float | int          # the (smaller) pixel size, sky pixels
    xrange: tuple                 # (lo, hi)
    yrange: tuple
    size: tuple                   # (nx, ny); may be fractional for a given grid
    computed: bool                # True: from the data (the pixel size is printed)


def grid_from_extent(xmin, xmax, ymin, ymax, binsize, subspace=None):
    """The computed grid: ``xmin..ymax`` (FOV extent) intersected with ``subspace``
    ((xlo, xhi), (ylo, yhi)) of the event file, both aligned."""
    x = AxisRange.aligned(xmin, xmax, binsize)
    y = AxisRange.aligned(ymin, ymax, binsize)
    if subspace is not None:
        (sxl, sxh), (syl, syh) = subspace
        x = x.intersect(AxisRange.aligned(sxl, sxh, binsize))
        y = y.intersect(AxisRange.aligned(syl, syh, binsize))
        if x is None or y is None:
            raise ToolError("There is no spatial overlap between the data and the aspect "
                            "solution.")
    return Grid(f"x={x},y={y}", x.size, (x.lo, x.hi), (y.lo, y.hi), (x.n, y.n), True)


def _parse_range(text, whole):
    parts = [t.strip() for t in text.split(":")]
    usage = ("xygrid should be a filename or xlo:xhi:#nx or dx,ylo:yhi:#ny or dy, "
             f"not '{whole}'!")
    if len(parts) != 3 or not parts[2]:
        raise ToolError(usage)
    try:
        lo, hi = float(parts[0]), float(parts[1])
        if parts[2].startswith("#"):
            nbins = float(parts[2][1:])
            if nbins <= 0:
                raise ToolError(f"Number of bins must be > 0 in {text}")
            size = (hi - lo) / nbins
        else:
            size = float(parts[2])
            if size <= 0:
                raise ToolError(f"The binsize must be > 0 in {text}")
            nbins = (hi - lo) / size
    except ValueError:
        raise ToolError(usage) from None
    if not hi > lo:
        raise ToolError(usage)
    return lo, hi, size, nbins


def grid_from_xygrid(text, image_limits=None):
    """The grid of a given ``xygrid``: a grid string, or (``image_limits``: a function
    returning get_sky_limits' xygrid for an image name, or raising ToolError) an image.

    Returns (Grid, warning lines): the warning when a bin size does not divide its range
    (the last row/column then partly outside the data, as CIAO warns)."""
    text = str(text).strip()
    xygrid = text
    if image_limits is not None:
        try:
            xygrid = image_limits(text)
        except ToolError:
            xygrid = text
    parts = xygrid.split(",")
    if len(parts) != 2:
        raise ToolError(f"xygrid should be a filename or 2 ranges separated by a comma, not "
                        f"'{xygrid}'!")
    (xl, xh, xs, nx), (yl, yh, ys, ny) = (_parse_range(p, xygrid) for p in parts)
    notes = []
    if xs != ys:
        notes.append(f"WARNING: X and Y axis bin sizes are different ({xs} vs {ys}); using "
                     "the smaller.")
    binsize = min(xs, ys)
    if float(binsize).is_integer():
        binsize = int(binsize)
    wide = [name for name, (lo, hi) in (("column", (xl, xh)), ("row", (yl, yh)))
            if not math.isclose((hi - lo) / binsize, round((hi - lo) / binsize), abs_tol=1e-9)]
    if wide:
        which = "row and column" if len(wide) == 2 else wide[0]
        notes += [f"Fluxed image will underestimate the last {which} since the exposure",
                  "map is overestimated there. This is because the requested width and "
                  "height", "is not a whole number of pixels."]
    spec = f"x={parts[0].strip()},y={parts[1].strip()}"
    return Grid(spec, binsize, (xl, xh), (yl, yh), (nx, ny), False), notes
