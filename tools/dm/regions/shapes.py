"""Plain shape objects: what one parsed shape *is*, nothing about what it does.

A shape stores its numbers exactly as the CXC region library does (``xs``/``ys`` positions,
``radii``, ``angles`` in degrees) plus two unit flags recording whether the position and the
sizes were written in world (celestial) or pixel units. Inside tests, extents, areas and the
string form live in their own modules (``evaluate``, ``extent``, ``area``, ``format``).

Kinds and their numbers (dm.md §2.1):

============  ==================  =============  ==========
kind          xs, ys              radii          angles
============  ==================  =============  ==========
circle        centre              r              --
annulus       centre              rin, rout      --
box           centre              width, height  angle (0 = unrotated; printed ``RotBox``)
rectangle     two corners         --             angle (0 unless read from a FITS table)
ellipse       centre              rx, ry         angle
pie           centre              rin, rout      a1, a2
sector        centre              --             a1, a2
polygon       vertices (closed)   --             --
point         the point           --             --
field         --                  --             --
============  ==================  =============  ==========
"""
import math
from dataclasses import dataclass, replace

from .errors import RegionError

# Unit flags for positions and sizes, as the CXC library records them (RC_UNK ... RC_WORLD).
UNKNOWN, LOGICAL, PHYSICAL, WORLD = 0, 1, 2, 3

KINDS = ("circle", "annulus", "box", "rectangle", "ellipse", "pie", "sector", "polygon",
         "point", "field")

MAX_VALUE = 1e150
"""The largest magnitude a shape's number may have. Inside tests, extents and areas repeat the
library's double arithmetic; within +-1e150 no product of two differences of shape numbers
overflows, so every overflow left comes from a point far outside the shape, where it still
gives the right answer (see ``evaluate.inside_shape``). Larger numbers, which overflow the
library's own arithmetic and no real region needs, are refused."""


def check_values(kind, values):
    """RegionError unless every number is finite and within +-MAX_VALUE."""
    if not all(math.isfinite(v) and abs(v) <= MAX_VALUE for v in values):
        raise RegionError(f"{kind} values must be finite numbers within +-{MAX_VALUE:g}")


@dataclass(frozen=True)
class Shape:
    """One shape of a region; ``include=False`` means the shape is negated (``!circle``)."""

    kind: str
    include: bool = True
    xs: tuple = ()
    ys: tuple = ()
    radii: tuple = ()
    angles: tuple = ()
    coord_flag: int = UNKNOWN
    size_flag: int = UNKNOWN
    frame: str | None = None
    """Celestial frame of world positions when it differs from the WCS's own (ds9
    ``galactic``, ``fk4``, ``ecliptic``); ``None`` means "the WCS's frame", as in CIAO."""

    @property
    def name(self):
        """CIAO's name for the shape: ``Circle``, ``Box`` or ``RotBox``, ``Rectangle``..."""
        if self.kind == "box":
            return "RotBox" if self.angles[0] != 0.0 else "Box"
        if self.kind == "rectangle":
            return "RotRectangle" if self.angles[0] != 0.0 else "Rectangle"
        return self.kind.capitalize()

    @property
    def is_world(self):
        """True when a position or a size still needs a WCS to become pixels."""
        return self.coord_flag == WORLD or self.size_flag == WORLD

    @property
    def angle(self):
        """The rotation angle (degrees) of box, rectangle and ellipse; 0 for others."""
        return self.angles[0] if self.kind in ("box", "rectangle", "ellipse") else 0.0

    def negated(self):
        """The same shape with its include flag flipped (``circle`` <-> ``!circle``)."""
        return replace(self, include=not self.include)


def _check(ok, message):
    if not ok:
        raise RegionError(message)


def make_shape(kind, xs=(), ys=(), radii=(), angles=(), *, include=True,
               coord_flag=UNKNOWN, size_flag=UNKNOWN, frame=None):
    """Build a shape, applying the CXC library's checks and normalisation.

    Raises :class:`RegionError` with CIAO's message for negative radii, an inner radius
    above the outer one, or a polygon with fewer than three vertices. Polygons are closed
    by repeating the first vertex when the last one differs, as the library does.
    """
    xs = tuple(float(v) for v in xs)
    ys = tuple(float(v) for v in ys)
    radii = tuple(float(v) for v in radii)
    angles = tuple(float(v) for v in angles)
    check_values(kind, xs + ys + radii + angles)
    if kind == "circle":
        _check(not radii[0] < 0, "circle radius must be positive")
    elif kind == "annulus":
        _check(not (radii[0] < 0 or radii[1] < 0), "annulus radius must be positive")
        _check(not radii[0] > radii[1], "outer annuls radius must be >= inner radius")
    elif kind == "box":
        _check(not (radii[0] < 0 or radii[1] < 0), "box lengths must be positive")
        if not angles:
            angles = (0.0,)
    elif kind == "rectangle":
        if not angles:
            angles = (0.0,)
    elif kind == "ellipse":
        _check(not (radii[0] < 0 or radii[1] < 0), "ellipse radii must be positive")
    elif kind == "pie":
        _check(not (radii[0] < 0 or radii[1] < 0), "pie radii must be positive")
        _check(not radii[0] > radii[1], "outer annuls radius must be >= inner radius")
    elif kind == "polygon":
        _check(len(xs) >= 3, "Polygons must have at least 3 vertices.")
        if xs[0] != xs[-1] or ys[0] != ys[-1]:
            xs, ys = xs + xs[:1], ys + ys[:1]
    elif kind not in KINDS:
        raise RegionError(f"unknown region shape '{kind}'")
    return Shape(kind, bool(include), xs, ys, radii, angles, coord_flag, size_flag, frame)
