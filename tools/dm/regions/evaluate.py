"""Vectorised inside tests (dm.md §2.3): numpy arrays of points in, boolean arrays out.

Each test repeats the CXC library's arithmetic (``regInside*``), so points on a boundary
land on the same side as in CIAO: all boundaries are inclusive, circles compare the square
root of dx*dx + dy*dy with r, unrotated boxes compare with centre +- half-width, polygons
count a point on an edge as inside, points need exact equality.

The region test (``inside_region``) first rejects every point outside the region's bounding
box, as ``regInsideRegion`` does, then evaluates only the surviving points: each component
(AND of its shapes) on the points inside that component's box, OR-ed together. Loops run
over shapes and polygon edges, never over points.
"""
import math

import numpy as np

from .extent import cos_sin, mod_angle, rotated

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
    """Winding number != 0, or the point lies on an edge (library ``regInsidePolygon``)."""
    xs, ys = s.xs, s.ys
    wn = np.zeros(np.shape(x), dtype=np.int64)
    on_edge = np.zeros(np.shape(x), dtype=bool)
    for i in range(len(xs) - 1):
        x1, y1, x2, y2 = xs[i], ys[i], xs[i + 1], ys[i + 1]
        is_left = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1)
        colinear = is_left == 0
        if colinear.any():
            on_edge |= (colinear & (((x <= x1) & (x >= x2)) | ((x <= x2) & (x >= x1)))
                        & (((y <= y1) & (y >= y2)) | ((y <= y2) & (y >= y1))))
        wn += (y1 <= y) & (y2 > y) & (is_left > 0)   # upward crossing, point on the left
        wn -= (y1 > y) & (y2 <= y) & (is_left < 0)   # downward crossing, point on the right
    return on_edge | (wn != 0)


def _point(s, x, y):
    return (x == s.xs[0]) & (y == s.ys[0])


def _field(s, x, y):
    return np.ones(np.shape(x), dtype=bool)


_TESTS = {"circle": _circle, "annulus": _annulus, "box": _box, "rectangle": _rectangle,
          "ellipse": _ellipse, "pie": _pie, "sector": _pie, "polygon": _polygon,
          "point": _point, "field": _field}


def inside_shape(shape, x, y):
    """Boolean array: which points (x, y) the shape accepts (its include flag applied)."""
    inside = _TESTS[shape.kind](shape, x, y)
    return inside if shape.include else ~inside


def _in_box(x, y, bx, by):
    # Written as "not outside" so NaN coordinates are not rejected (library semantics).
    return ~((x < bx[0]) | (x > bx[1]) | (y < by[0]) | (y > by[1]))


def _component(shapes, x, y):
    result = inside_shape(shapes[0], x, y)
    for shape in shapes[1:]:
        if not result.any():
            break
        idx = np.flatnonzero(result)
        result[idx] = inside_shape(shape, x[idx], y[idx])
    return result


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
    result = np.zeros(x.shape, dtype=bool)
    if len(components) == 1:
        return _component(components[0], x, y)
    if len(components) > _SORT_THRESHOLD and x.size > 1000:
        return _components_sorted(components, boxes, x, y)
    for shapes, (cx, cy) in zip(components, boxes):
        sel = np.flatnonzero(_in_box(x, y, cx, cy) & ~result)
        if sel.size:
            result[sel] = _component(shapes, x[sel], y[sel])
    return result


def _components_sorted(components, boxes, x, y):
    """Many components (e.g. a grid of source circles): sort the points by x once, then
    each component only looks at the slice of points within its x range."""
    order = np.argsort(x, kind="stable")
    xo, yo = x[order], y[order]
    hit = np.zeros(x.shape, dtype=bool)
    nan_tail = np.searchsorted(xo, np.inf, side="right")  # NaNs sort last
    for shapes, (cx, cy) in zip(components, boxes):
        lo = np.searchsorted(xo, cx[0], side="left")
        hi = np.searchsorted(xo, cx[1], side="right")
        spans = [(lo, hi)]
        if nan_tail < xo.size:
            spans.append((nan_tail, xo.size))
        for a, b in spans:
            if b <= a:
                continue
            ys = yo[a:b]
            sel = np.flatnonzero(~((ys < cy[0]) | (ys > cy[1])) & ~hit[a:b]) + a
            if sel.size:
                hit[sel] = _component(shapes, xo[sel], yo[sel])
    result = np.empty(x.shape, dtype=bool)
    result[order] = hit
    return result
