"""Bounding boxes of shapes, components and regions (dm.md §2.4).

The arithmetic follows the CXC library (``region_extent.c``, ``regShape_utils.c`` and the
shapes' ``calcExtent``) step for step, because these boxes are not only informative: every
inside test first rejects points outside the region's box, and the area algorithm decides
between analytic and pixellated areas from them. Bounds are ``[lo, hi]`` lists; an unbounded
field is ``[-DBL_MAX, DBL_MAX]`` as in the library.

* circle/annulus: centre +- outer radius; box/ellipse: min/max over the four rotated corners
  (for an ellipse the corners of its rotated bounding box); rectangle: its corners; pie: the
  library's quadrant table; polygon: vertex min/max; point: the point; field and sector:
  the field. A negated shape's extent is the field.
* a component's box is the intersection (by clamping) of its shapes' boxes; the region's box
  is the union of its components' boxes, then clamped to the field.
"""
import math
import sys

DBL_MAX = sys.float_info.max
NO_FIELD = ((-DBL_MAX, DBL_MAX), (-DBL_MAX, DBL_MAX))


def cos_sin(angle):
    """The cosine and sine the library stores for a rotation angle in degrees."""
    theta = angle * math.pi / 180.0
    return math.cos(theta), math.sin(theta)


def rotated_invert(angle, xr, yr, xcen, ycen):
    """Library ``reg_rotated_coords_invert``: rotate (xr, yr) by +angle about the centre."""
    ct, st = cos_sin(angle) if angle != 0.0 else (1.0, 0.0)
    return ct * xr - st * yr + xcen, st * xr + ct * yr + ycen


def rotated(angle, xp, yp, xcen, ycen):
    """Library ``reg_rotated_coords`` (used by rotated rectangles; note its sign choice)."""
    if angle != 0.0:
        c, s = cos_sin(angle)
        ct, st = -c, -s
    else:
        ct, st = 1.0, 0.0
    return ct * (xp - xcen) - st * (yp - ycen), st * (xp - xcen) + ct * (yp - ycen)


def _corner_bounds(cx, cy):
    return [min(cx), max(cx)], [min(cy), max(cy)]


def _box_corners(shape):
    if shape.kind == "ellipse":
        dx, dy = shape.radii[0], shape.radii[1]
    else:
        dx, dy = shape.radii[0] / 2.0, shape.radii[1] / 2.0
    a, xc, yc = shape.angles[0], shape.xs[0], shape.ys[0]
    pts = [rotated_invert(a, sx * dx, sy * dy, xc, yc)
           for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1))]
    return [p[0] for p in pts], [p[1] for p in pts]


def rectangle_corners(shape):
    """Library ``reg_rectangle_corners``."""
    (x0, x1), (y0, y1) = shape.xs[:2], shape.ys[:2]
    a = shape.angles[0]
    if a == 0.0:
        return [x0, x1, x0, x1], [y0, y1, y1, y0]
    xcen, ycen = (x1 + x0) / 2.0, (y1 + y0) / 2.0
    xr, yr = rotated(a, x0, y0, xcen, ycen)
    x2, y2 = rotated_invert(a, xr, -yr, xcen, ycen)
    x3, y3 = rotated_invert(a, -xr, yr, xcen, ycen)
    return [x0, x1, x2, x3], [y0, y1, y2, y3]


def mod_angle(angle):
    """Library ``reg_mod_angle``: the angle mapped to [0, 360)."""
    a = math.fmod(angle, 360.0)
    return a + 360.0 if a < 0.0 else a


def _quadrant(angle):
    while angle < 0.0:
        angle += 360.0
    if angle == 360.0:
        return 4
    return int(math.fmod(angle, 360.0) / 90.0) + 1


def _pie_offsets(ang1, ang2, r2, r1):
    """Library ``reg_pie_bounds``: box offsets of a pie (r2 inner, r1 outer radius)."""
    ang1, ang2 = mod_angle(ang1), mod_angle(ang2)
    q1, q2 = _quadrant(ang1), _quadrant(ang2)
    xo, yo = [-r1, r1], [-r1, r1]
    if q1 == q2 and ang1 >= ang2:
        return xo, yo
    c1, c2 = math.cos(math.pi * ang1 / 180.0), math.cos(math.pi * ang2 / 180.0)
    s1, s2 = math.sin(math.pi * ang1 / 180.0), math.sin(math.pi * ang2 / 180.0)
    if q1 == 1:
        if q2 == 1:
            xo[0], xo[1], yo[0], yo[1] = r2 * c2, r1 * c1, r2 * s1, r1 * s2
        elif q2 == 2:
            xo[0], xo[1] = r1 * c2, r1 * c1
            yo[0] = min(r2 * s1, r2 * s2)
        elif q2 == 3:
            xo[1], yo[0] = r1 * c1, r1 * s2
        else:
            xo[1] = max(r1 * c1, r1 * c2)
    elif q1 == 2:
        if q2 == 1:
            yo[1] = max(r1 * s1, r1 * s2)
        elif q2 == 2:
            xo[0], xo[1], yo[0], yo[1] = r1 * c2, r2 * c1, r2 * s2, r1 * s1
        elif q2 == 3:
            xo[1] = max(r2 * c1, r2 * c2)
            yo[0], yo[1] = r1 * s2, r1 * s1
        else:
            xo[1], yo[1] = r1 * c2, r1 * s1
    elif q1 == 3:
        if q2 == 1:
            xo[0], yo[1] = r1 * c1, r1 * s2
        elif q2 == 2:
            xo[0] = min(r1 * c1, r1 * c2)
        elif q2 == 3:
            xo[0], xo[1], yo[0], yo[1] = r1 * c1, r2 * c2, r1 * s2, r2 * s1
        else:
            xo[0], xo[1] = r1 * c1, r1 * c2
            yo[1] = max(r2 * s1, r2 * s2)
    else:
        if q2 == 1:
            xo[0] = min(r2 * c1, r2 * c2)
            yo[0], yo[1] = r1 * s1, r1 * s2
        elif q2 == 2:
            xo[0], yo[0] = r1 * c2, r1 * s1
        elif q2 == 3:
            yo[0] = min(r1 * s1, r1 * s2)
        else:
            xo[0], xo[1], yo[0], yo[1] = r2 * c1, r1 * c2, r1 * s1, r2 * s2
    return xo, yo


def shape_extent_raw(shape, fieldx, fieldy):
    """The box of the shape itself, ignoring its include flag (library ``calcExtent``)."""
    k = shape.kind
    if k in ("circle", "annulus"):
        r = shape.radii[-1]
        x, y = shape.xs[0], shape.ys[0]
        return [x - r, x + r], [y - r, y + r]
    if k in ("box", "ellipse"):
        return _corner_bounds(*_box_corners(shape))
    if k == "rectangle":
        return _corner_bounds(*rectangle_corners(shape))
    if k == "pie":
        xo, yo = _pie_offsets(shape.angles[0], shape.angles[1], shape.radii[0], shape.radii[1])
        x, y = shape.xs[0], shape.ys[0]
        return [xo[0] + x, xo[1] + x], [yo[0] + y, yo[1] + y]
    if k == "polygon":
        xs, ys = shape.xs[:-1] or shape.xs, shape.ys[:-1] or shape.ys
        return [min(xs), max(xs)], [min(ys), max(ys)]
    if k == "point":
        return [shape.xs[0], shape.xs[0]], [shape.ys[0], shape.ys[0]]
    return list(fieldx), list(fieldy)  # field, sector


def shape_extent(shape, fieldx, fieldy):
    """The box used for a shape inside a region: the field when the shape is negated."""
    if not shape.include:
        return list(fieldx), list(fieldy)
    return shape_extent_raw(shape, fieldx, fieldy)


def _trim_value(bounds, k, lo, hi):
    v = bounds[k]
    if v < lo and v < hi:
        bounds[k] = lo
        return True
    if v > lo and v > hi:
        bounds[k] = hi
        return True
    return False


def trim_extent(cx, cy, sx, sy, start=False):
    """Library ``reg_trim_extent``: clamp box c into box s (in place).

    Returns True when nothing had to be clamped (c was inside s)."""
    if start:
        cx[:], cy[:] = sx, sy
        return False
    outside = _trim_value(cx, 0, sx[0], sx[1])
    outside = _trim_value(cx, 1, sx[0], sx[1]) or outside
    outside = _trim_value(cy, 0, sy[0], sy[1]) or outside
    outside = _trim_value(cy, 1, sy[0], sy[1]) or outside
    return not outside


def union_extent(cx, cy, sx, sy, start=False):
    """Library ``reg_union_extent``: grow box c to include box s (in place).

    Returns True when c changed."""
    changed = False
    if start or sx[0] < cx[0]:
        cx[0], changed = sx[0], True
    if start or sx[1] > cx[1]:
        cx[1], changed = sx[1], True
    if start or sy[0] < cy[0]:
        cy[0], changed = sy[0], True
    if start or sy[1] > cy[1]:
        cy[1], changed = sy[1], True
    if changed:
        cx[0] = min(cx[0], cx[1])
        cy[0] = min(cy[0], cy[1])
    return changed


def overlap(ax, ay, bx, by):
    """Library ``reg_rectangle_overlap`` (touching boxes overlap)."""
    return not (ax[1] < bx[0] or ax[0] > bx[1] or ay[1] < by[0] or ay[0] > by[1])


def component_extent(shapes, fieldx, fieldy):
    """The box of one component: its shapes' boxes clamped into each other in order."""
    cx, cy = [0.0, 0.0], [0.0, 0.0]
    for i, shape in enumerate(shapes):
        sx, sy = shape_extent(shape, fieldx, fieldy)
        trim_extent(cx, cy, sx, sy, start=(i == 0))
    return cx, cy


def region_extent(components, fieldx=NO_FIELD[0], fieldy=NO_FIELD[1]):
    """Library ``regExtent``: ``(xbounds, ybounds, within_field, component_boxes)``.

    ``within_field`` is True when the union of the components did not need clamping to the
    field. An empty region has the box [0, 0] x [0, 0] (then clamped to the field)."""
    x, y = [0.0, 0.0], [0.0, 0.0]
    boxes = []
    for i, shapes in enumerate(components):
        cx, cy = component_extent(shapes, fieldx, fieldy)
        boxes.append((cx, cy))
        union_extent(x, y, cx, cy, start=(i == 0))
    within = trim_extent(x, y, list(fieldx), list(fieldy))
    return x, y, within, boxes
