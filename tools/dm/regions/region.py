"""The Region object: components of shapes, and what a region can do."""
import math
from itertools import product

import numpy as np

from . import area as _area
from .errors import RegionError
from .evaluate import component_boxes, inside_region
from .extent import DBL_MAX, NO_FIELD, region_extent
from .format import region_string


class Region:
    """A CIAO region: an OR of components, each component an AND of shapes.

    ``Region(components)`` takes a sequence of non-empty sequences of
    :class:`~pyciao.dm.regions.shapes.Shape`. Regions are immutable; ``str(region)`` is
    CIAO's string form (``Circle(10,10,3)&!Box(12,10,2,2)|Point(0,0)``).
    """

    __slots__ = ("components", "_bounds", "_boxes")

    def __init__(self, components):
        comps = tuple(tuple(c) for c in components)
        if any(len(c) == 0 for c in comps):
            raise ValueError("a region component needs at least one shape")
        self.components = comps
        x, y, _, _ = region_extent(comps)
        self._bounds = (tuple(x), tuple(y))     # the library's box: rejects points first
        self._boxes = component_boxes(comps)    # our own, only to skip work

    # --- structure ----------------------------------------------------------------------
    @property
    def shapes(self):
        """All shapes, in order (the component of each is given by ``components``)."""
        return tuple(s for comp in self.components for s in comp)

    @property
    def is_world(self):
        """True while some shape still needs a WCS (see ``parse_region(..., wcs=)``)."""
        return any(s.is_world for s in self.shapes)

    def _need_pixels(self):
        if self.is_world:
            raise RegionError("the region uses celestial coordinates; give a WCS to convert "
                              "it to sky pixels first")

    # --- evaluation -------------------------------------------------------------------------
    def contains(self, x, y):
        """Boolean array: which points (x, y) are inside (boundaries inclusive, §2.3).

        ``x`` and ``y`` broadcast against each other; the result has their shape."""
        self._need_pixels()
        x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        shape = x.shape
        flat = inside_region(self.components, self._bounds, self._boxes,
                             np.ascontiguousarray(x).ravel(), np.ascontiguousarray(y).ravel())
        return flat.reshape(shape)

    def extent(self, field=None):
        """``(xmin, ymin, xmax, ymax)``: the region's bounding box (§2.4).

        ``field = (xmin, ymin, xmax, ymax)`` clamps it to an image/data footprint; without
        one, unbounded sides (``field()``, negated shapes) are +-inf."""
        self._need_pixels()
        if field is None:
            (x0, x1), (y0, y1) = self._bounds
        else:
            fx, fy = _field(field)
            (x0, x1), (y0, y1), _, _ = region_extent(self.components, fx, fy)
        return tuple(_inf(v) for v in (x0, y0, x1, y1))

    def area(self, field=None, bin=1.0):
        """Area in square pixels as CIAO computes it (§2.5): analytic for isolated shapes,
        pixellated on a grid of step ``bin`` where shapes overlap.

        ``field = (xmin, ymin, xmax, ymax)`` is the data footprint (image bounds or the
        TLMIN/TLMAX range); without it an unbounded region has area inf."""
        self._need_pixels()
        if not bin > 0:
            raise RegionError(f"area grid step must be positive, not {bin}")
        fx, fy = _field(field) if field is not None else NO_FIELD
        value = _area.region_area(self.components, self._bounds, self._boxes, fx, fy,
                                  float(bin))
        return _inf(value)

    # --- algebra ------------------------------------------------------------------------------
    def invert(self):
        """The complement, written as CIAO writes it (library ``regInvert``, De Morgan):
        ``!(a&b | c)`` = ``!a&!c | !b&!c``. Used for ``[exclude sky=...]``."""
        if not self.components:
            return Region([])
        return Region([[s.negated() for s in combo] for combo in product(*self.components)])

    def union(self, other):
        """``self | other``: the components of both (library ``regUnionRegion``)."""
        if self == other:
            return self
        return Region(self.components + other.components)

    # --- text -----------------------------------------------------------------------------------
    def to_string(self, maxlen=None):
        """CIAO's string form; ``maxlen`` cuts it with ``...[truncated]``."""
        return region_string(self.components, maxlen)

    def __str__(self):
        return region_string(self.components)

    def __repr__(self):
        return f"Region('{self}')"

    def __eq__(self, other):
        return isinstance(other, Region) and self.components == other.components

    def __hash__(self):
        return hash(self.components)

    def __len__(self):
        return len(self.components)


def _field(field):
    try:
        xmin, ymin, xmax, ymax = (float(v) for v in field)
    except (TypeError, ValueError):
        raise RegionError(f"field must be (xmin, ymin, xmax, ymax), not {field!r}") from None
    return (max(xmin, -DBL_MAX), min(xmax, DBL_MAX)), (max(ymin, -DBL_MAX), min(ymax, DBL_MAX))


def _inf(v):
    if v >= DBL_MAX:
        return math.inf
    if v <= -DBL_MAX:
        return -math.inf
    return float(v)
