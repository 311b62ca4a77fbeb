"""Inside tests and extents (dm.md §2.3, §2.4; vectors R1-R5, R7, R9-R11 of §8.1).

Expected values come from the spec (real CIAO / region-library results), from geometry done
by hand, or from astropy-regions as an independent implementation of the same shapes."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pyciao.dm.regions import Region, RegionError, parse_region, region_from_table
from pyciao.dm.regions.evaluate import inside_shape

# --- §8.1 vectors ---------------------------------------------------------------------------


def test_r1_ellipse():
    r = parse_region("ellipse(256 ,256 , 25, 10, 0)")
    assert r.contains([254, 275, 256, 1], [254, 255, 256, 1]).tolist() == [1, 1, 1, 0]
    assert r.contains([254, 255, 256], [254, 275, 256]).tolist() == [1, 0, 1]
    assert r.contains([1, 2, 3], [1, 2, 3]).tolist() == [0, 0, 0]


def test_r2_box_and_its_negation():
    r = parse_region("box(100,100,10,20)")
    x, y = [50, 95, 105], [50, 105, 115]
    assert r.contains(x, y).tolist() == [0, 1, 0]
    assert r.invert().contains(x, y).tolist() == [1, 0, 1]


@pytest.mark.parametrize("make", [
    lambda: parse_region("rect(100, 100, 104, 106)").invert(),
    lambda: parse_region("field()-rect(100, 100, 104, 106)"),
    lambda: parse_region("!rect(100, 100, 104, 106)"),
])
def test_r3_negated_rectangle_on_a_grid(make):
    y, x = np.mgrid[99:108, 100:106]
    m = make().contains(x.ravel(), y.ravel())
    assert m.size == 54 and m.sum() == 19
    expected = ~((x >= 100) & (x <= 104) & (y >= 100) & (y <= 106)).ravel()
    assert (m == expected).all()


GRID_Y, GRID_X = np.mgrid[0:101, 0:102]
GRID_Z = np.arange(GRID_X.size)


def _r4_r5_stats(region):
    m = region.contains(GRID_X.ravel(), GRID_Y.ravel())
    z = GRID_Z[m]
    return int(m.sum()), int(z.min()), int(z.max()), int(z.sum())


def test_r4_file_style_exclusion_applies_to_the_previous_shape_only(tmp_path):
    f = tmp_path / "t.reg"
    f.write_text("circle(50,50,30)\nellipse(40,75,30,20,320)\n-rotbox(30,30,10,5,45)\n")
    r = parse_region(f"region({f})")
    assert str(r) == "Circle(50,50,30)|Ellipse(40,75,30,20,320)&!RotBox(30,30,10,5,45)"
    assert _r4_r5_stats(r) == (3757, 2090, 10133, 22671256)


def test_r5_explicit_exclusion_on_both_components():
    r = parse_region("circle(50,50,30)-rotbox(30,30,10,5,45)+ellipse(40,75,30,20,320)"
                     "-rotbox(30,30,10,5,45)")
    assert str(r) == ("Circle(50,50,30)&!RotBox(30,30,10,5,45)|"
                      "Ellipse(40,75,30,20,320)&!RotBox(30,30,10,5,45)")
    assert _r4_r5_stats(r) == (3722, 2090, 10133, 22558471)


def test_r5_file_written_explicitly(tmp_path):
    f = tmp_path / "t.reg"
    f.write_text("circle(50,50,30)-rotbox(30,30,10,5,45)\n"
                 "ellipse(40,75,30,20,320)-rotbox(30,30,10,5,45)\n")
    assert _r4_r5_stats(parse_region(f"region({f})")) == (3722, 2090, 10133, 22558471)


def test_r7_circle_boundary_is_inside():
    assert parse_region("circle(0,0,1)").contains(1, 0)
    assert parse_region("circle(0,0,1)").contains([1, 0, -1, 0], [0, 1, 0, -1]).all()


def test_r9_polygon_edges_count_as_inside():
    r = parse_region("polygon(0,0,10,0,0,10)")
    assert r.contains([5, 1, 6], [5, 1, 6]).tolist() == [1, 1, 0]
    assert r.contains([0, 10, 0, 5, 0], [0, 0, 10, 0, 5]).all()  # vertices and edges


def test_r10_pie_wraps_through_zero_and_holds_its_centre():
    r = parse_region("pie(0,0,0,10,350,10)")
    assert r.contains([5, 0, 0], [0, 5, 0]).tolist() == [1, 0, 1]


def test_r11_point_needs_exact_equality():
    assert parse_region("point(3,4)").contains([3, 3], [4, 4.0001]).tolist() == [1, 0]


# --- boundaries and shape details -------------------------------------------------------------

def test_box_and_rectangle_boundaries():
    b = parse_region("box(0,0,4,2)")
    assert b.contains([2, -2, 2, 2.0000001], [1, -1, -1, 0]).tolist() == [1, 1, 1, 0]
    r = parse_region("rect(0,0,4,2)")
    assert r.contains([0, 4, 4, 4.0000001], [0, 2, 0, 1]).tolist() == [1, 1, 1, 0]


def test_reversed_rectangle_corners_are_empty():
    # "no swapping of reversed corners" (dm.md §2.1)
    assert not parse_region("rect(4,2,0,0)").contains([2, 0, 4], [1, 0, 2]).any()


def test_annulus_boundaries():
    r = parse_region("annulus(0,0,2,4)")
    assert r.contains([0, 2, 4, 4.01, 1.99, 3], [0, 0, 0, 0, 0, 0]).tolist() == \
        [0, 1, 1, 0, 0, 1]


def test_pie_without_wrap_and_sector():
    r = parse_region("pie(0,0,1,5,45,135)")
    # 45 and 135 degree rays are inside, 44 degrees is not; radius limits too
    pts = [(2, 2), (-2, 2), (0, 3), (3, 2.9), (0, 0.5), (0, 5), (0, 5.01)]
    x, y = zip(*pts)
    assert r.contains(x, y).tolist() == [1, 1, 1, 0, 0, 1, 0]
    sec = parse_region("sector(0,0,90,180)")
    assert sec.contains([-100, 0, 100, 0], [0, 1e6, 0, 0]).tolist() == [1, 1, 0, 0]
    # a sector has no radius limit and its centre is at angle 0 (outside 90..180)


def test_pie_angles_beyond_360_and_negative():
    a = parse_region("pie(0,0,0,5,-45,45)").contains([3, -3, 0], [0, 0, 3])
    b = parse_region("pie(0,0,0,5,315,405)").contains([3, -3, 0], [0, 0, 3])
    assert a.tolist() == b.tolist() == [1, 0, 0]


def test_equal_pie_angles_mean_a_full_annulus():
    r = parse_region("pie(0,0,1,2,30,30)")
    ang = np.radians(np.arange(0, 360, 7))
    assert r.contains(1.5 * np.cos(ang), 1.5 * np.sin(ang)).all()


def test_rotated_box_by_hand():
    r = parse_region("rotbox(0,0,10,2,90)")   # rotated a quarter turn: 2 wide, 10 tall
    assert r.contains([0, 0, 0.9, 1.1, 4], [4.9, -4.9, 0, 0, 0]).tolist() == [1, 1, 1, 0, 0]


def test_point_and_field_inside_compound_regions():
    assert parse_region("field()").contains([1e300, -5], [0, np.inf]).tolist() == [1, 0]
    # points at +-inf lie outside the +-DBL_MAX field box, as in the library
    assert parse_region("point(1,1)|point(2,2)").contains([1, 2, 1.5], [1, 2, 1.5]).tolist() \
        == [1, 1, 0]


def test_nan_points_follow_the_library():
    r = parse_region("field()-circle(0,0,1)")
    assert r.contains([np.nan], [0.0]).tolist() == [True]   # not rejected by the box test
    assert not parse_region("circle(0,0,1)").contains([np.nan], [0.0]).any()


def test_contains_keeps_the_input_shape_and_broadcasts():
    r = parse_region("circle(0,0,2)")
    x = np.arange(-3, 4).reshape(7, 1)
    m = r.contains(x, np.zeros((1, 5)))
    assert m.shape == (7, 5) and m[:, 0].tolist() == [0, 1, 1, 1, 1, 1, 0]
    assert r.contains(0, 0).shape == ()


def test_empty_region():
    r = Region([])
    assert not r.contains([0, 1], [0, 1]).any()
    assert r.invert() == r and str(r) == ""


def test_invert_is_de_morgan_in_library_order():
    r = parse_region("circle(0,0,1)&box(0,0,1,1)|point(5,5)")
    assert str(r.invert()) == "!Circle(0,0,1)&!Point(5,5)|!Box(0,0,1,1)&!Point(5,5)"


def test_invert_partitions_the_plane():
    """F12: [exclude sky=region(r)] and [sky=region(r)] split every table in two."""
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-20, 20, 20000), rng.uniform(-20, 20, 20000)
    x[:50], y[:50] = 0.0, 5.0  # exactly on the circle
    r = parse_region("circle(0,0,5)-box(2,2,3,3)+ellipse(5,-5,6,2,30)&!pie(5,-5,0,3,0,90)")
    inside, outside = r.contains(x, y), r.invert().contains(x, y)
    assert (inside ^ outside).all()


# --- agreement with astropy-regions away from boundaries ---------------------------------------

def _astropy_region(kind, p):
    regions = pytest.importorskip("regions")
    from astropy.coordinates import Angle
    c = regions.PixCoord(p[0], p[1])
    if kind == "circle":
        return regions.CirclePixelRegion(c, p[2])
    if kind == "ellipse":
        return regions.EllipsePixelRegion(c, 2 * p[2], 2 * p[3], angle=Angle(p[4], "deg"))
    if kind == "rotbox":
        return regions.RectanglePixelRegion(c, p[2], p[3], angle=Angle(p[4], "deg"))
    if kind == "annulus":
        return regions.CircleAnnulusPixelRegion(c, p[2], p[3])
    raise AssertionError(kind)


@pytest.mark.parametrize("kind, params", [
    ("circle", (10.3, -4.2, 7.7)),
    ("ellipse", (3.0, 4.0, 9.0, 3.5, 0.0)),
    ("ellipse", (3.0, 4.0, 9.0, 3.5, 37.0)),
    ("ellipse", (-2.0, 1.0, 2.0, 8.0, 317.017)),
    ("rotbox", (0.5, 0.5, 12.0, 5.0, 19.0384)),
    ("rotbox", (0.5, 0.5, 12.0, 5.0, 0.0)),
    ("rotbox", (0.5, 0.5, 12.0, 5.0, 135.0)),
    ("annulus", (1.0, 2.0, 3.0, 9.0)),
])
def test_shapes_agree_with_astropy_regions(kind, params):
    text = f"{kind}({','.join(repr(v) for v in params)})"
    rng = np.random.default_rng(7)
    x, y = rng.uniform(-25, 25, 200000), rng.uniform(-25, 25, 200000)
    ours = parse_region(text).contains(x, y)
    theirs = _astropy_region(kind, params).contains(
        __import__("regions").PixCoord(x, y))
    assert (ours == theirs).mean() > 0.99999
    assert ours.sum() > 1000


def test_polygon_agrees_with_astropy_regions():
    regions = pytest.importorskip("regions")
    vx = [3160.87, 4107.39, 4150.39, 4528.83, 4528.83, 3582.31, 3539.25, 3160.92]
    vy = [4408.14, 4032.27, 4032.26, 4977.76, 5020.78, 5396.99, 5396.97, 4451.29]
    text = "polygon(" + ",".join(f"{a},{b}" for a, b in zip(vx, vy)) + ")"
    rng = np.random.default_rng(3)
    x, y = rng.uniform(3100, 4600, 300000), rng.uniform(4000, 5450, 300000)
    ours = parse_region(text).contains(x, y)
    theirs = regions.PolygonPixelRegion(regions.PixCoord(vx, vy)).contains(
        regions.PixCoord(x, y))
    assert (ours == theirs).mean() > 0.99999


def test_self_intersecting_polygon_uses_the_winding_number():
    # a pentagram: the centre has winding number 2, so it is inside (non-zero rule)
    ang = np.radians(90 + 144 * np.arange(5))
    pts = ",".join(f"{float(np.cos(a))!r},{float(np.sin(a))!r}" for a in ang)
    assert parse_region(f"polygon({pts})").contains(0.0, 0.0)


# --- compound regions: the fast paths agree with a plain evaluation ------------------------------

def _plain(region, x, y):
    """OR over components of AND over shapes, no bounding boxes at all."""
    out = np.zeros(x.shape, bool)
    for comp in region.components:
        acc = np.ones(x.shape, bool)
        for shape in comp:
            acc &= inside_shape(shape, x, y)
        out |= acc
    return out


def _ciao(region, x, y):
    """regInsideRegion: reject points outside the region's box, then the plain test."""
    x0, y0, x1, y1 = region.extent()
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & _plain(region, x, y)


def test_many_components_sorted_path_matches_plain_evaluation(shared_data):
    r = parse_region(f"region({shared_data / 'regions/funtools/snr100.reg'})")
    assert len(r.components) == 100
    rng = np.random.default_rng(5)
    x, y = rng.uniform(300, 700, 100000), rng.uniform(300, 700, 100000)
    x[:3] = [350.0, 354.0, np.nan]
    y[:3] = [350.0, 350.0, 350.0]
    m = r.contains(x, y)
    assert (m == _plain(r, x, y)).all()
    assert m[0] and m[1] and not m[2]


shape_text = st.sampled_from([
    "circle({a},{b},{r})", "annulus({a},{b},{r},{r2})", "box({a},{b},{r},{r2})",
    "rotbox({a},{b},{r},{r2},{t})", "ellipse({a},{b},{r},{r2},{t})",
    "pie({a},{b},{r},{r2},{t},{t2})", "sector({a},{b},{t},{t2})", "point({a},{b})",
    "rect({a},{b},{c},{d})", "polygon({a},{b},{c},{b},{a},{d})", "field()",
])


@st.composite
def compound(draw):
    parts = []
    for i in range(draw(st.integers(1, 5))):
        v = {k: draw(st.integers(-20, 20)) for k in "abcd"}
        r = draw(st.integers(0, 15))
        v.update(r=r, r2=r + draw(st.integers(0, 10)), t=draw(st.integers(-400, 400)),
                 t2=draw(st.integers(-400, 400)))
        text = draw(shape_text).format(**v)
        op = draw(st.sampled_from(["+", "-", "&", "|", " ", "-!"])) if i else ""
        parts.append(op + (draw(st.sampled_from(["", "!"])) if op in ("+", "|", " ", "")
                           else "") + text)
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compound())
def test_bounding_boxes_never_change_the_answer(text):
    """Only the library's region box test changes answers; our own shortcuts (component
    boxes, boxes of negated shapes, bucketing) only skip points that are outside."""
    r = parse_region(text)
    y, x = np.mgrid[-45:46:1.0, -45:46:1.0]
    x = np.concatenate([x.ravel(), np.random.default_rng(0).uniform(-45, 45, 3000)])
    y = np.concatenate([y.ravel(), np.random.default_rng(1).uniform(-45, 45, 3000)])
    assert (r.contains(x, y) == _ciao(r, x, y)).all()


@settings(max_examples=150, deadline=None)
@given(compound())
def test_extent_holds_every_inside_point(text):
    """The library's boxes hold their shapes up to rounding (a pie's box can miss its
    boundary ray by sin(180 deg) = 1.2e-16, which is why our own shortcuts use padded
    boxes)."""
    r = parse_region(text)
    y, x = np.mgrid[-45:46:0.5, -45:46:0.5]
    x, y = x.ravel(), y.ravel()
    m = _plain(r, x, y)
    x0, y0, x1, y1 = r.extent()
    tol = 1e-12
    assert ((x[m] >= x0 - tol) & (x[m] <= x1 + tol) & (y[m] >= y0 - tol)
            & (y[m] <= y1 + tol)).all()


def test_pie_box_rounding_follows_the_library():
    """pie(...,0,180): the library's box starts at y = r*sin(180 deg) = 1.2e-16, so alone
    the pie loses its y = 0 ray to the box test; inside a larger region (or cut out of a
    field) the ray is tested by the pie itself."""
    ray_x, ray_y = [-0.5, 0.5, 0.0], [0.0, 0.0, 0.0]
    assert not parse_region("pie(0,0,0,1,0,180)").contains(ray_x, ray_y).any()
    assert parse_region("pie(0,0,0,1,0,180)|circle(0,-5,1)").contains(ray_x, ray_y).all()
    assert not parse_region("field()-pie(0,0,0,1,0,180)").contains(ray_x, ray_y).any()
    many = parse_region("field()-pie(0,0,0,1,0,180)" +
                        "".join(f"-circle({10 * i},50,1)" for i in range(12)))
    # 1200 points and 13 negated shapes: the bucketed path
    assert not many.contains(np.tile(ray_x, 400), np.tile(ray_y, 400)).any()


# --- extents (§2.4) ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("circle(10,20,5)", (5, 15, 15, 25)),
    ("annulus(10,20,2,5)", (5, 15, 15, 25)),
    ("box(4182,4392,1172,1184)", (3596, 3800, 4768, 4984)),   # dm.md §1.7 rule 6
    ("box(16712.5,15912.5,7072,5344)", (13176.5, 13240.5, 20248.5, 18584.5)),  # B7
    ("circle(4082.25,4076.25,20)", (4062.25, 4056.25, 4102.25, 4096.25)),     # B8
    ("ellipse(0,0,4,2,0)", (-4, -2, 4, 2)),
    ("rect(1,2,3,4)", (1, 2, 3, 4)),
    ("polygon(0,0,10,0,0,10)", (0, 0, 10, 10)),
    ("point(3,4)", (3, 4, 3, 4)),
    ("pie(0,0,1,2,0,90)", (0, 0, 2, 2)),
    ("circle(0,0,5)&box(4,0,2,2)", (3, -1, 5, 1)),                  # intersection
    ("circle(0,0,1)|circle(10,10,1)", (-1, -1, 11, 11)),            # union
    ("circle(0,0,5)-circle(0,0,1)", (-5, -5, 5, 5)),                # exclusions: no effect
])
def test_extents(text, expected):
    assert parse_region(text).extent() == pytest.approx(expected, abs=1e-9)


def test_rotated_extents_by_hand():
    x0, y0, x1, y1 = parse_region("rotbox(0,0,4,2,90)").extent()
    assert (x0, y0, x1, y1) == pytest.approx((-1, -2, 1, 2), abs=1e-12)
    # an ellipse uses its rotated bounding *box*: at 45 degrees half-width (a+b)/sqrt(2)
    x0, _, x1, _ = parse_region("ellipse(0,0,4,2,45)").extent()
    assert x1 == pytest.approx(6 / np.sqrt(2)) and x0 == pytest.approx(-6 / np.sqrt(2))


def test_unbounded_extents_and_field_clamping():
    inf = float("inf")
    assert parse_region("field()").extent() == (-inf, -inf, inf, inf)
    assert parse_region("!circle(0,0,1)").extent() == (-inf, -inf, inf, inf)
    assert parse_region("sector(0,0,0,90)").extent() == (-inf, -inf, inf, inf)
    assert parse_region("field()").extent(field=(0.5, 0.5, 8192.5, 8192.5)) == \
        (0.5, 0.5, 8192.5, 8192.5)
    assert parse_region("circle(0,0,10)").extent(field=(0, 0, 100, 100)) == (0, 0, 10, 10)


def test_world_region_cannot_be_evaluated():
    from pyciao.dm.regions.grammar import parse_components
    r = Region(parse_components("circle(12:00:00,-30:00:00,1')"))
    for call in (lambda: r.contains(0, 0), r.extent, r.area):
        with pytest.raises(Exception, match="celestial"):
            call()


def test_many_negated_shapes_match_plain_evaluation():
    """``[exclude sky=region(sources.reg)]``: one component of many negated shapes."""
    sources = parse_region("+".join(f"circle({10 + 7 * i},{5 + 3 * i},2.5)" for i in range(40)))
    r = sources.invert()
    assert len(r.components) == 1 and len(r.shapes) == 40
    rng = np.random.default_rng(11)
    x, y = rng.uniform(0, 300, 50000), rng.uniform(0, 130, 50000)
    x[:6] = [np.nan, np.inf, -np.inf, 10.0, 12.5, 17.0]
    y[:6] = [5.0, 5.0, 5.0, 5.0, 5.0, 8.0]
    m = r.contains(x, y)
    # +-inf lie outside the region's +-DBL_MAX box: rejected, as by the library
    assert m[:6].tolist() == [True, False, False, False, False, False]
    finite_or_nan = ~np.isinf(x)
    assert (m == _plain(r, x, y))[finite_or_nan].all()
    assert (m == ~sources.contains(x, y))[finite_or_nan].all()
    # all points with the same x (a degenerate bucket index)
    xs = np.full(5000, 17.0)
    ys = np.linspace(0, 20, 5000)
    assert (r.contains(xs, ys) == _plain(r, xs, ys)).all()


def test_polygon_edge_index_matches_the_direct_evaluation():
    """Many points and many edges take the y-indexed path; small batches do not."""
    ang = np.radians(np.arange(0, 360, 9.0))
    rad = np.where(np.arange(ang.size) % 2, 10.0, 4.0)          # a 40-vertex star
    vx, vy = np.round(rad * np.cos(ang), 3), np.round(rad * np.sin(ang), 3)
    r = parse_region("polygon(" + ",".join(f"{a!r},{b!r}" for a, b in
                                           zip(vx.tolist(), vy.tolist())) + ")")
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-11, 11, 60000), rng.uniform(-11, 11, 60000)
    x[:40], y[:40] = vx, vy                                      # the vertices themselves
    x[40:80], y[40:80] = (vx + np.roll(vx, -1)) / 2, (vy + np.roll(vy, -1)) / 2
    y[80:90], x[80:90] = np.nan, 0.0
    whole = r.contains(x, y)
    pieces = np.concatenate([r.contains(x[i:i + 1000], y[i:i + 1000])
                             for i in range(0, x.size, 1000)])
    assert (whole == pieces).all()
    assert whole[:40].all() and not whole[80:90].any()


# --- overflow: far points, the largest shapes -------------------------------------------------
BIG = np.finfo(float).max
FAR_X = np.array([BIG, -BIG, BIG, -BIG, np.inf, -np.inf, 0.0, 1e300, 0.0, np.inf])
FAR_Y = np.array([BIG, BIG, -BIG, -BIG, 0.0, 0.0, BIG, -1e300, np.inf, -np.inf])


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("text", [
    "circle(1e150,-1e150,1e150)", "annulus(-1e150,1e150,1e149,1e150)", "box(1e150,1e150,1e150,2e149)",
    "rotbox(-1e150,0,1e150,1e150,30)", "ellipse(0,1e150,1e150,1e149,45)", "ellipse(0,0,1e150,1e-300,0)",
    "pie(1e150,1e150,0,1e150,10,350)", "polygon(-1e150,-1e150,1e150,-1e150,0,1e150)",
    "rect(-1e150,-1e150,1e150,1e150)", "point(1e150,-1e150)"])
def test_far_points_are_outside_without_warnings(text):
    """Points near +-DBL_MAX or at infinity overflow the inside tests' arithmetic (silently in
    the library's C); by geometry they lie outside every shape whose numbers are within
    +-1e150, and inside its negation. Run with warnings as errors."""
    region = parse_region(text)
    (shape,) = region.shapes
    assert not inside_shape(shape, FAR_X, FAR_Y).any()
    assert inside_shape(shape.negated(), FAR_X, FAR_Y).all()
    assert not region.contains(FAR_X, FAR_Y).any()
    assert region.invert().contains(FAR_X, FAR_Y)[np.isfinite(FAR_X) & np.isfinite(FAR_Y)].all()


@pytest.mark.filterwarnings("error")
def test_largest_shapes_still_hold_their_points():
    assert parse_region("polygon(-1e150,-1e150,1e150,-1e150,0,1e150)").contains([0, 0], [1, 1.1e150]).tolist() \
        == [True, False]
    assert parse_region("circle(1e150,-1e150,1e150)").contains([1e150, 0], [-5e149, 0]).tolist() == [True, False]
    # a point 1 away from an ellipse 1e-300 thin: (1 / 1e-300)**2 overflows, still outside
    (thin,) = parse_region("ellipse(0,0,1e150,1e-300,0)").shapes
    assert inside_shape(thin, np.array([0.0, 0.0, 5e149]), np.array([0.0, 1.0, 0.0])).tolist() == [True, False, True]


@pytest.mark.parametrize("text", ["circle(0,0,1e151)", "circle(0,1.3407807929942597e+154,0)",
                                  "rotbox(0,0,1,1,1.7e308)", "polygon(0,0,1,0,1e200,1)", "point(-2e150,0)"])
def test_shape_numbers_beyond_1e150_are_refused(text):
    """Numbers whose squares or products overflow are a RegionError, never a wrong answer
    (rotbox at 1.7e308 degrees was a ValueError from math.cos)."""
    with pytest.raises(RegionError, match=r"within \+-1e\+150"):
        parse_region(text)


def test_table_with_huge_numbers_is_refused():
    """The fuzz test's example that warned (test_regions_fuzz.test_random_region_tables)."""
    with pytest.raises(RegionError):
        region_from_table({"SHAPE": ["!circle"], "X": [[0.0, 0.0, 0.0]], "Y": [[1.3407807929942597e+154, 0.0, 0.0]],
                           "R": [[0.0, 0.0]], "ROTANG": [0.0], "COMPONENT": [0]})
