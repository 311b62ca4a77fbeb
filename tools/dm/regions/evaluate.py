"""Vectorised inside tests (dm.md §2.3): numpy arrays of points in, boolean arrays out.

Each test repeats the CXC library's arithmetic (``regInside*``), so points on a boundary
land on the same side as in CIAO: all boundaries are inclusive, circles compare the square
root of dx*dx + dy*dy with r, unrotated boxes compare with centre +- half-width, polygons
count a point on an edge as inside, points need exact equality.

The region test (``inside_region``) first rejects every point outside the region's bounding
box, as ``regInsideRegion`` does, then evaluates only the surviving points: each component
(AND of its shapes) on the points inside that component's box, OR-ed together. The
component boxes are our own (``component_boxes``), built to be never too small, so they
only save work. Loops run over shapes and polygon edges, never over points; with many
components or negated shapes, or long polygons, points are bucketed by coordinate once
(``_XIndex``) so each shape or edge only visits the points near it.
"""
import math

import numpy as np

from .extent import cos_sin, mod_angle, rotated, shape_extent_raw

_SORT_THRESHOLD = 8  # components above which points are sorted by x once


def _circle(s, x, y):
    dx, dy = x - s.xs[0], y - s.ys[0]
    return np.sqrt(dx * dx + dy * dy) <= s.radii[0]


def _annulus(s, x, y):
    dx, dy = x - s.xs[0], y - s.ys[0]
    d = np.sqrt(dx * dx + dy * dy)
    return (d <= s.radii[1]) & (d >= s.radii[0])


def _box(s, x, y):
    hx, hy = s.radii[0] / 2.0, s.radii[1] / 2.0
    xc, yc, a = s.xs[0], s.ys[0], s.angles[0]
    if a != 0.0:
        c, sn = cos_sin(a)
        xm, ym = x - xc, y - yc
        return (np.abs(c * xm + sn * ym) <= hx) & (np.abs(-sn * xm + c * ym) <= hy)
    return (x >= xc - hx) & (x <= xc + hx) & (y >= yc - hy) & (y <= yc + hy)


def _rectangle(s, x, y):
    (x0, x1), (y0, y1), a = s.xs[:2], s.ys[:2], s.angles[0]
    if a == 0.0:
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    xcen, ycen = (x1 + x0) / 2.0, (y1 + y0) / 2.0
    c, sn = cos_sin(a)
    ct, st = -c, -sn  # the library's reg_rotated_coords
    xp = ct * (x - xcen) - st * (y - ycen)
    yp = st * (x - xcen) + ct * (y - ycen)
    xr0, yr0 = rotated(a, x0, y0, xcen, ycen)
    xr1, yr1 = rotated(a, x1, y1, xcen, ycen)
    return (xp >= xr0) & (xp <= xr1) & (yp >= yr0) & (yp <= yr1)


def _ellipse(s, x, y):
    xc, yc, (rx, ry), a = s.xs[0], s.ys[0], s.radii[:2], s.angles[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        if a == 0:
            xr, yr = (x - xc) / rx, (y - yc) / ry
        else:
            c, sn = cos_sin(a)
            xm, ym = x - xc, y - yc
            xr = (c * xm + sn * ym) / rx
            yr = (-sn * xm + c * ym) / ry
        return (xr * xr + yr * yr) <= 1.0


def _pie(s, x, y):
    xc, yc = s.xs[0], s.ys[0]
    a1, a2 = mod_angle(s.angles[0]), mod_angle(s.angles[1])
    ang = np.fmod(np.arctan2(y - yc, x - xc) * 180.0 / math.pi, 360.0)
    ang = np.where(ang < 0.0, ang + 360.0, ang)
    if a1 < a2:
        inside = (ang >= a1) & (ang <= a2)
    else:
        inside = (ang >= a1) | (ang <= a2)
    if s.kind == "pie":
        dx, dy = x - xc, y - yc
        d = np.sqrt(dx * dx + dy * dy)
        inside &= (d <= s.radii[1]) & (d >= s.radii[0])
        if s.radii[0] == 0.0:
            inside |= (x == xc) & (y == yc)
    return inside


def _polygon(s, x, y):
    """Winding number != 0, or the point lies on an edge (library ``regInsidePolygon``).

    An edge can only matter to points whose y lies within the edge's y range (crossings
    need y1 <= y < y2 or y2 <= y < y1; edge hits need y between them), so for many points
    and many edges each edge only looks at the points of its y range."""
    xs, ys = s.xs, s.ys
    wn = np.zeros(np.shape(x), dtype=np.int64)
    on_edge = np.zeros(np.shape(x), dtype=bool)
    index = _XIndex(y) if len(xs) > 9 and np.size(x) > 2000 else None
    for i in range(len(xs) - 1):
        x1, y1, x2, y2 = xs[i], ys[i], xs[i + 1], ys[i + 1]
        if index is None:
            _edge(x1, y1, x2, y2, x, y, wn, on_edge, None)
        else:
            cand = index.between(min(y1, y2), max(y1, y2))
            if cand.size:
                _edge(x1, y1, x2, y2, x[cand], y[cand], wn, on_edge, cand)
    return on_edge | (wn != 0)


def _edge(x1, y1, x2, y2, x, y, wn, on_edge, at):
    """Add one edge's winding contribution and edge hits for points (x, y) (at ``at``)."""
    sel = slice(None) if at is None else at
    is_left = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1)
    colinear = is_left == 0
    if colinear.any():
        on_edge[sel] |= (colinear & (((x <= x1) & (x >= x2)) | ((x <= x2) & (x >= x1)))
                         & (((y <= y1) & (y >= y2)) | ((y <= y2) & (y >= y1))))
    # upward crossing with the point on the left / downward with the point on the right
    wn[sel] += ((y1 <= y) & (y2 > y) & (is_left > 0)).astype(np.int64) \
        - ((y1 > y) & (y2 <= y) & (is_left < 0))


def _point(s, x, y):
    return (x == s.xs[0]) & (y == s.ys[0])


def _field(s, x, y):
    return np.ones(np.shape(x), dtype=bool)


_TESTS = {"circle": _circle, "annulus": _annulus, "box": _box, "rectangle": _rectangle,
          "ellipse": _ellipse, "pie": _pie, "sector": _pie, "polygon": _polygon,
          "point": _point, "field": _field}


def inside_shape(shape, x, y):
    """Boolean array: which points (x, y) the shape accepts (its include flag applied).

    A point far outside (coordinates near +-DBL_MAX, or infinite) can overflow the
    arithmetic to +-inf, or to NaN (inf - inf, 0 * inf); that happens silently in the
    library's C and the answer stays right, so numpy's warnings are off here. With shape
    numbers within +-1e150 (``shapes.MAX_VALUE``) an overflowing distance or rotated offset
    is a point beyond every radius and half-width, and a NaN compares False: outside. A
    polygon edge's ``is_left`` keeps its sign when it overflows and is only NaN for points
    beyond the edge's y range, where neither crossings nor edge hits use it."""
    with np.errstate(over="ignore", invalid="ignore"):
        inside = _TESTS[shape.kind](shape, x, y)
    return inside if shape.include else ~inside


def _in_box(x, y, bx, by):
    # Written as "not outside" so NaN coordinates are not rejected (library semantics).
    return ~((x < bx[0]) | (x > bx[1]) | (y < by[0]) | (y > by[1]))


def _component(shapes, x, y):
    """AND of the shapes of one component. AND does not depend on order, so the included
    shapes shrink the candidates first and the negated ones are cut out afterwards, each
    only where its own bounding box lies."""
    first = shapes[0]
    if first.kind == "field" and first.include:
        result = np.ones(x.shape, dtype=bool)
    else:
        result = inside_shape(first, x, y)
    rest = shapes[1:]
    for shape in (s for s in rest if s.include):
        idx = np.flatnonzero(result)
        if idx.size == 0:
            return result
        result[idx] = inside_shape(shape, x[idx], y[idx])
    negated = [s for s in rest if not s.include]
    if negated:
        if result.all():
            return _cut(negated, x, y)
        idx = np.flatnonzero(result)
        if idx.size:
            result[idx] = _cut(negated, x[idx], y[idx])
    return result


def safe_box(shape):
    """A box sure to hold every point the shape itself accepts (include flag ignored), or
    None when the shape is unbounded.

    Only used to skip work, so it must never be too small: circles, annuli and pies get
    their full circle's box (the library's pie box can miss the boundary rays by a rounding
    error), boxes, ellipses and polygons the library's box, and every box is padded by a
    relative 1e-9 against rounding. A rotated rectangle gets None: the library's box for it
    does not always contain it."""
    k = shape.kind
    if k in ("field", "sector") or (k == "rectangle" and shape.angles[0] != 0.0):
        return None
    if k in ("circle", "annulus", "pie"):
        r, xc, yc = shape.radii[-1], shape.xs[0], shape.ys[0]
        (x0, x1), (y0, y1) = (xc - r, xc + r), (yc - r, yc + r)
    else:
        (x0, x1), (y0, y1) = shape_extent_raw(shape, None, None)
    pad = 1e-9 * (max(abs(x0), abs(x1), abs(y0), abs(y1)) + (x1 - x0) + (y1 - y0))
    return (x0 - pad, x1 + pad), (y0 - pad, y1 + pad)


def component_boxes(components):
    """Per component, the intersection of its included shapes' safe boxes (None when no
    included shape is bounded). Points outside it cannot be in the component."""
    boxes = []
    for shapes in components:
        box = None
        for s in shapes:
            b = safe_box(s) if s.include else None
            if b is None:
                continue
            if box is None:
                box = b
            else:
                box = ((max(box[0][0], b[0][0]), min(box[0][1], b[0][1])),
                       (max(box[1][0], b[1][0]), min(box[1][1], b[1][1])))
        boxes.append(box)
    return tuple(boxes)


def _cut(negated, x, y):
    """Which points survive every negated shape (``!a & !b & ...``). A point with a
    non-finite coordinate is never inside a bounded shape, so bounded shapes only need the
    points of their box."""
    keep = np.ones(x.shape, dtype=bool)
    boxed = []
    for shape in negated:
        box = safe_box(shape)
        if box is None:
            keep &= inside_shape(shape, x, y)
        else:
            boxed.append((shape, box))
    if len(boxed) > _SORT_THRESHOLD and x.size > 1000:
        index = _XIndex(x)
        for shape, (bx, by) in boxed:
            cand = index.between(bx[0], bx[1])
            xc, yc = x[cand], y[cand]
            sel = cand[(xc >= bx[0]) & (xc <= bx[1]) & (yc >= by[0]) & (yc <= by[1])
                       & keep[cand]]
            if sel.size:
                keep[sel] = inside_shape(shape, x[sel], y[sel])
        return keep
    for shape, (bx, by) in boxed:
        sel = np.flatnonzero(_in_box(x, y, bx, by) & keep)
        if sel.size:
            keep[sel] = inside_shape(shape, x[sel], y[sel])
    return keep


class _XIndex:
    """Points bucketed by x into 65536 cells and ordered by cell (numpy's radix sort for
    16-bit keys, linear time), so the points with x in a range come from two binary
    searches. Points with a non-finite x are listed in ``odd``."""

    CELLS = 65535

    def __init__(self, x):
        finite = np.isfinite(x)
        self.odd = np.flatnonzero(~finite)
        fidx = np.flatnonzero(finite) if self.odd.size else None
        xf = x if fidx is None else x[fidx]
        self.empty = xf.size == 0
        if self.empty:
            return
        self.lo, hi = float(xf.min()), float(xf.max())
        self.scale = self.CELLS / (hi - self.lo) if hi > self.lo else 0.0
        cells = self._cells(xf)
        order = np.argsort(cells, kind="stable")
        self.cells = cells[order]
        self.order = order if fidx is None else fidx[order]

    def _cells(self, v):
        with np.errstate(over="ignore", invalid="ignore"):
            c = np.floor((np.asarray(v, dtype=float) - self.lo) * self.scale)
        return np.clip(c, 0, self.CELLS).astype(np.uint16)

    def between(self, x0, x1):
        """Indices of all finite-x points with x0 <= x <= x1 (and some neighbours)."""
        if self.empty or x1 < x0:
            return np.zeros(0, dtype=np.intp)
        if self.scale == 0.0:
            return self.order
        c0, c1 = self._cells([x0, x1])
        a = np.searchsorted(self.cells, c0, side="left")
        b = np.searchsorted(self.cells, c1, side="right")
        return self.order[a:b]


def inside_region(components, bounds, component_boxes, x, y):
    """The region test on flat float arrays x, y (see the module docstring)."""
    out = np.zeros(x.shape, dtype=bool)
    if not components:
        return out
    (bx, by) = bounds
    keep = _in_box(x, y, bx, by)
    if keep.all():
        idx = None
        xs, ys = x, y
    else:
        idx = np.flatnonzero(keep)
        if idx.size == 0:
            return out
        xs, ys = x[idx], y[idx]
    found = _components(components, component_boxes, xs, ys)
    if idx is None:
        return found
    out[idx] = found
    return out


def _components(components, boxes, x, y):
    if len(components) == 1:
        return _component(components[0], x, y)
    result = np.zeros(x.shape, dtype=bool)
    index = _XIndex(x) if len(components) > _SORT_THRESHOLD and x.size > 1000 else None
    for shapes, box in zip(components, boxes):
        if box is None:
            sel = np.flatnonzero(~result)
        elif index is None:
            (cx, cy) = box
            sel = np.flatnonzero(_in_box(x, y, cx, cy) & ~result)
        else:
            (cx, cy) = box
            # finite x from the index; non-finite x (NaN passes the box test) checked too
            cand = np.concatenate([index.between(cx[0], cx[1]), index.odd])
            sel = cand[_in_box(x[cand], y[cand], cx, cy) & ~result[cand]]
        if sel.size:
            result[sel] = _component(shapes, x[sel], y[sel])
    return result
