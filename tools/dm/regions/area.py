"""Region areas (dm.md §2.5), as the CXC library's ``regArea`` computes them.

dmextract writes these numbers as AREA / BG_AREA and the data subspace shows them as
"Region area", so this module reproduces the library's decisions exactly, including its
quirks, rather than computing the mathematically exact area:

* one shape wholly inside the field: the analytic area (circle pi r^2, annulus
  pi (ro^2 - ri^2), box w h, ellipse pi rx ry, pie pi (ro^2 - ri^2) dtheta/360, polygon by the
  shoelace formula, point 0, field = the field's area; a negated shape: field minus shape;
  a sector is not analytic).
* otherwise per component: a component made of one included shape, inside the field, whose
  box overlaps no negated shape, keeps its analytic area; components whose boxes overlap are
  merged; everything else is *pixellated*: the grid points ``x0 + bin*i``, ``y0 + bin*j``
  (``i = 0 .. ceil((x1 - x0)/bin)``) of the component box that are inside the whole region,
  times bin^2.
* library quirks kept: once any component had two overlapping included shapes, all later
  components are pixellated too; a component with no included shape contributes nothing; a
  sector's "analytic" area is 1; a self-intersecting polygon is pixellated at bin 1.

Pixellation is vectorised (rows of the grid at a time). An unbounded result (a negated
shape or ``field()`` with no field given) is ``inf``.
"""
import math
from dataclasses import replace

import numpy as np

from .errors import RegionError
from .evaluate import component_boxes as evaluate_boxes
from .evaluate import inside_region
from .extent import (
    DBL_MAX,
    mod_angle,
    overlap,
    region_extent,
    rotated,
    shape_extent_raw,
    trim_extent,
    union_extent,
)

FLT_MIN = 1.17549435082228750797e-38
_MAX_GRID_POINTS = 2_000_000_000
_CHUNK = 4_000_000


def bounds_area(fieldx, fieldy):
    """Library ``reg_bounds_area``: the field's area, DBL_MAX when unbounded."""
    if fieldx[1] >= DBL_MAX or fieldx[0] <= -DBL_MAX or fieldy[1] >= DBL_MAX \
            or fieldy[0] <= -DBL_MAX:
        return DBL_MAX
    return (fieldx[1] - fieldx[0]) * (fieldy[1] - fieldy[0])


def _polygon_self_intersects(xs, ys):
    """Library ``check_overlap``: do two non-adjacent edges of the closed polygon cross?
    (Same arithmetic, vectorised over the second edge.)"""
    n = len(xs)
    xa, ya = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    # ua, ub overflow only far outside [0, 1], and are NaN only for a zero denom (rejected)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(n - 3):
            x1, x2, y1, y2 = xa[i], xa[i + 1], ya[i], ya[i + 1]
            j = np.arange(i + 2, n - 1)
            if i == 0:
                j = j[j != n - 2]
            if j.size == 0:
                continue
            x3, x4, y3, y4 = xa[j], xa[j + 1], ya[j], ya[j + 1]
            denom = (y4 - y3) * (x2 - x1) - (x4 - x3) * (y2 - y1)
            ua = ((x4 - x3) * (y1 - y3) - (y4 - y3) * (x1 - x3)) / denom
            ub = ((x2 - x1) * (y1 - y3) - (y2 - y1) * (x1 - x3)) / denom
            hit = (np.abs(denom) >= FLT_MIN) & (0 <= ua) & (ua <= 1) & (0 <= ub) & (ub <= 1)
            if hit.any():
                return True
    return False


def shape_area(shape, region_bounds=None):
    """The library's analytic area of one shape, ignoring its include flag
    (``calcArea``; sectors give 1 and fields 0 there, see ``analytic_area``)."""
    k, r, a = shape.kind, shape.radii, shape.angles
    if k == "circle":
        return math.pi * r[0] * r[0]
    if k == "annulus":
        return math.pi * (r[1] * r[1] - r[0] * r[0])
    if k == "box":
        return r[1] * r[0]
    if k == "ellipse":
        return math.pi * r[0] * r[1]
    if k == "pie":
        a1, a2 = mod_angle(a[0]), mod_angle(a[1])
        theta = a2 - a1 if a1 < a2 else 360.0 - (a1 - a2)
        return math.pi * (theta / 360.0) * (r[1] * r[1] - r[0] * r[0])
    if k == "rectangle":
        if a[0] == 0.0:
            return (shape.xs[1] - shape.xs[0]) * (shape.ys[1] - shape.ys[0])
        xcen, ycen = (shape.xs[1] + shape.xs[0]) / 2.0, (shape.ys[1] + shape.ys[0]) / 2.0
        xr, yr = rotated(a[0], shape.xs[0], shape.ys[0], xcen, ycen)
        return (2.0 * xr) * (2.0 * yr)
    if k == "polygon":
        xs, ys = shape.xs, shape.ys
        if _polygon_self_intersects(xs, ys):
            return _complex_polygon_area(shape, region_bounds)
        total = 0.0
        for i in range(len(xs) - 1):
            total += xs[i] * ys[i + 1] - xs[i + 1] * ys[i]
        return abs(total / 2.0)
    if k == "sector":
        return 1.0
    return 0.0  # point, field


def _complex_polygon_area(shape, region_bounds):
    """A self-intersecting polygon: count unit-grid points inside it (the library's
    brute force), within its vertex box clamped to the region's box."""
    poly = replace(shape, include=True)
    bx, by = shape_extent_raw(poly, None, None)
    if region_bounds is not None:
        trim_extent(bx, by, list(region_bounds[0]), list(region_bounds[1]))
    return pixellated_area([[poly]], (bx, by), None, (bx, by), 1.0)


def analytic_area(shape, field_area, region_bounds=None):
    """Library ``reg_shape_analytic_area``: ``(area, usable)``; negated shapes negative."""
    area = shape_area(shape, region_bounds)
    usable = shape.kind != "sector"
    if not shape.include:
        area = -area
    if shape.kind == "field":
        area = field_area
    return area, usable


def pixellated_area(components, region_bounds, component_boxes, bounds, step):
    """Library ``regComputePixellatedArea``: grid points of ``bounds`` inside the region,
    times step^2. Unbounded boxes give inf."""
    (x0, x1), (y0, y1) = bounds
    if max(abs(x0), abs(x1), abs(y0), abs(y1)) >= DBL_MAX:
        return math.inf
    nx = math.ceil((x1 - x0) / step + 1)
    ny = math.ceil((y1 - y0) / step + 1)
    if nx <= 0 or ny <= 0:
        return 0.0
    if nx * ny > _MAX_GRID_POINTS:
        raise RegionError(f"region area needs {nx * ny} grid points; too many to pixellate")
    if component_boxes is None:
        component_boxes = evaluate_boxes(components)
    xs = x0 + step * np.arange(nx, dtype=float)
    count = 0
    rows = max(1, _CHUNK // nx)
    for j0 in range(0, ny, rows):
        ys = y0 + step * np.arange(j0, min(ny, j0 + rows), dtype=float)
        gx = np.broadcast_to(xs, (ys.size, nx)).ravel()
        gy = np.repeat(ys, nx)
        count += int(np.count_nonzero(
            inside_region(components, region_bounds, component_boxes, gx, gy)))
    return count * step * step


def region_area(components, region_bounds, component_boxes, fieldx, fieldy, step):
    """Library ``regArea`` for a region given as components (lists of shapes)."""
    field_area = bounds_area(fieldx, fieldy)
    shapes = [s for comp in components for s in comp]
    if not shapes:
        return 0.0
    _, _, within, _ = region_extent(components, fieldx, fieldy)
    if len(shapes) == 1 and within:
        area, usable = analytic_area(shapes[0], field_area, region_bounds)
        if area < 0.0 and shapes[0].kind != "point":
            area = field_area + area
        if usable:
            return area

    compno = [ci + 1 for ci, comp in enumerate(components) for _ in comp]
    includes = [s.include for s in shapes]
    boxes, areas, fully_in = [], [], []
    for s in shapes:
        bx, by = shape_extent_raw(s, fieldx, fieldy)
        fully_in.append(trim_extent(bx, by, list(fieldx), list(fieldy)) if s.include
                        else False)
        boxes.append((bx, by))
        areas.append(max(analytic_area(s, field_area, region_bounds)[0], 0.0))

    ncomp = len(components)
    cbox = {c: ([0.0, 0.0], [0.0, 0.0]) for c in range(1, ncomp + 1)}
    comp_area = {c: 0.0 for c in cbox}
    done = {c: False for c in cbox}
    must_pixellate = {c: False for c in cbox}
    trimmed, trim_ret = False, True   # function-wide in the library, never reset
    n = len(shapes)

    # Pass 1: shrink each component's box to the intersection of its included shapes.
    for c in range(1, ncomp + 1):
        for i in range(n):
            if compno[i] != c or not includes[i]:
                continue
            bx, by = boxes[i]
            cbox[c] = (list(bx), list(by))
            for o in range(n):
                ox, oy = boxes[o]
                if not includes[o] and overlap(bx, by, ox, oy):
                    must_pixellate[c] = True
                if i == o or compno[o] != c or not includes[o]:
                    continue
                if overlap(bx, by, ox, oy):
                    # (the library compares x-max twice and never y-max)
                    if bx[0] == ox[0] and by[0] == oy[0] and bx[1] == ox[1]:
                        trimmed = True
                    else:
                        trim_ret = trim_extent(bx, by, ox, oy)
                    if not trim_ret:
                        trimmed = True
                    cbox[c] = (list(bx), list(by))
                else:
                    done[c] = True   # disjoint shapes ANDed: the component is empty
                    break
        if not trimmed and not done[c] and not must_pixellate[c]:
            for i in range(n):
                if fully_in[i] and includes[i] and compno[i] == c:
                    comp_area[c] += areas[i]
                    done[c] = True

    # Pass 2: components whose boxes overlap grow to cover each other (restart on change).
    c = 1
    while c <= ncomp:
        restart = False
        for o in range(1, ncomp + 1):
            if o == c:
                continue
            if overlap(*cbox[c], *cbox[o]):
                changed = union_extent(*cbox[c], *cbox[o])
                comp_area[c], done[c] = 0.0, False
                if changed:
                    restart = True
                    break
        c = 1 if restart else c + 1

    # Pass 3: pixellate what is left, once per distinct box.
    for c in range(1, ncomp + 1):
        skip = False
        for o in range(1, ncomp + 1):
            if o == c:
                continue
            (cx, cy), (ox, oy) = cbox[c], cbox[o]
            if (cx[0] == 0 and cy[0] == 0 and cx[1] == 0 and cy[1] == 0) or \
                    (cx == ox and cy == oy and done[o]):
                skip = True
                break
        if done[c] or skip:
            continue
        cx, cy = cbox[c]
        if (cx[1] - cx[0] != 0 or cy[1] - cy[0] != 0) and overlap(cx, cy, fieldx, fieldy):
            comp_area[c] = pixellated_area(components, region_bounds, component_boxes,
                                           cbox[c], step)
            done[c] = True
    return sum(comp_area[c] for c in range(1, ncomp + 1))
