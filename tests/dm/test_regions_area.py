"""Region areas (dm.md §2.5, §3.2, §5; vectors R12-R14 of §8.1, E2/E3 of §8.6).

Analytic values are formulas; pixellated values are lattice-point counts done here with
plain Python loops (an independent oracle), following the library's rule: the grid
``x0 + i*bin`` over the component box, points inside the whole region, times bin^2."""
import math

import numpy as np
import pytest

from pyciao.dm.regions import parse_region, region_from_table


def lattice(inside, x0, x1, y0, y1, step=1.0):
    """Count grid points x0 + i*step (i = 0 .. ceil((x1-x0)/step)) inside, times step^2."""
    nx, ny = math.ceil((x1 - x0) / step + 1), math.ceil((y1 - y0) / step + 1)
    n = sum(1 for i in range(nx) for j in range(ny) if inside(x0 + step * i, y0 + step * j))
    return n * step * step


def in_circle(xc, yc, r):
    return lambda x, y: math.sqrt((x - xc) ** 2 + (y - yc) ** 2) <= r


# --- §8.1 / §8.6: areas seen in real dmextract output -----------------------------------------

def test_r12_circle():
    assert parse_region("circle(4096.5,4096.5,20)").area() == pytest.approx(1256.6370614359,
                                                                            abs=1e-10)


def test_r13_annulus():
    assert parse_region("annulus(4096.5,4096.5,40,60)").area() == pytest.approx(
        6283.1853071796, abs=1e-10)


def test_r14_two_separate_circles_in_one_region_file(tmp_path):
    f = tmp_path / "stack.reg"
    f.write_text("circle(4072.5,3722.8,20)\ncircle(3952.1,4208.3,6)\n")
    assert parse_region(f"region({f})").area() == pytest.approx(1369.7343969651, abs=1e-10)


def test_e2_e3_source_and_background_areas(tmp_path):
    f = tmp_path / "stackbgd.reg"
    f.write_text("annulus(4072.5,3722.8,40,60)\nannulus(3952.1,4208.3,10,30)\n")
    assert parse_region("circle(0,0,6)").area() == pytest.approx(113.0973355292, abs=1e-10)
    assert parse_region("annulus(0,0,10,30)").area() == pytest.approx(2513.2741228718,
                                                                      abs=1e-10)
    assert parse_region(f"region({f})").area() == pytest.approx(8796.4594300514, abs=1e-10)


def test_region_area_line_of_a_subspace_listing():
    """match_binning thread: ``Region area = 1.38765e+06`` for this box (dm.md §3.2)."""
    assert "%g" % parse_region("box(4182,4392,1172,1184)").area() == "1.38765e+06"


@pytest.mark.filterwarnings("ignore::astropy.io.fits.verify.VerifyWarning")
def test_radial_profile_areas_of_a_real_dmextract_output(shared_data):
    """1838_rprofile_rmid.fits: a dmextract ``[bin sky=@annuli.reg]`` output is itself a
    region table (SHAPE, X, Y, R, ROTANG, COMPONENT); its rows read back as 38 annuli whose
    areas are the AREA column CIAO wrote (float32)."""
    from astropy.io import fits
    from pyciao.dm.regions import read_region_list
    path = shared_data / "sherpa_test_data/1838_rprofile_rmid.fits"
    stack = read_region_list(f"{path}[HISTOGRAM]")
    with fits.open(path) as h:
        area = h["HISTOGRAM"].data["AREA"]
        r = h["HISTOGRAM"].data["R"]
    assert len(stack) == 38 == len(area)
    assert str(stack[0]) == "Annulus(4069.52,4249.36,10,15)"
    for region, (r0, r1), expected in zip(stack, r, area):
        assert region.shapes[0].radii == (r0, r1)
        assert np.float32(region.area()) == expected


# --- analytic shapes ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("box(0,0,3,5)", 15.0),
    ("rotbox(0,0,3,5,33)", 15.0),
    ("rect(1,2,4,7)", 15.0),
    ("ellipse(0,0,3,5,17)", math.pi * 15),
    ("pie(0,0,2,4,0,90)", math.pi * 12 / 4),
    ("pie(0,0,2,4,350,10)", math.pi * 12 * 20 / 360),     # wrapped
    ("pie(0,0,2,4,10,10)", math.pi * 12),                 # equal angles: full annulus
    ("polygon(0,0,10,0,0,10)", 50.0),
    ("polygon(0,0,0,10,10,0)", 50.0),                     # orientation does not matter
    ("point(3,4)", 0.0),
])
def test_single_shape_areas(text, expected):
    assert parse_region(text).area() == pytest.approx(expected, rel=1e-14)


def test_negated_shape_and_field_need_a_field():
    assert parse_region("!circle(0,0,10)").area() == math.inf
    assert parse_region("field()").area() == math.inf
    field = (-50, -50, 50, 50)
    assert parse_region("!circle(0,0,10)").area(field) == pytest.approx(10000 - 100 * math.pi)
    assert parse_region("field()").area(field) == 10000.0


# --- pixellation ---------------------------------------------------------------------------------

def test_overlapping_exclusion_is_pixellated():
    r = parse_region("circle(0,0,10)-circle(3,0,2)")
    inside = lambda x, y: in_circle(0, 0, 10)(x, y) and not in_circle(3, 0, 2)(x, y)
    expected = lattice(inside, -10, 10, -10, 10)
    assert r.area() == expected
    assert abs(expected - (100 - 4) * math.pi) < 10  # and it is close to the true area


def test_pixellation_step():
    r = parse_region("circle(0.3,0.1,4)-box(1,1,1,1)")
    inside = lambda x, y: in_circle(0.3, 0.1, 4)(x, y) and not (
        0.5 <= x <= 1.5 and 0.5 <= y <= 1.5)
    assert r.area(bin=0.5) == lattice(inside, 0.3 - 4, 0.3 + 4, 0.1 - 4, 0.1 + 4, 0.5)


def test_non_overlapping_exclusion_keeps_the_analytic_area():
    assert parse_region("circle(0,0,10)-circle(50,0,2)").area() == pytest.approx(100 * math.pi)


def test_overlapping_components_are_pixellated_together():
    r = parse_region("circle(0,0,5)+circle(4,0,5)")
    inside = lambda x, y: in_circle(0, 0, 5)(x, y) or in_circle(4, 0, 5)(x, y)
    assert r.area() == lattice(inside, -5, 9, -5, 5)


def test_shape_partly_outside_the_field_is_pixellated_inside_the_field():
    r = parse_region("circle(0,0,10)")
    assert r.area(field=(0, 0, 100, 100)) == lattice(in_circle(0, 0, 10), 0, 10, 0, 10)


def test_library_quirk_trimmed_flag_pixellates_later_components():
    """Once a component had two overlapping included shapes, the library pixellates every
    later component too (its ``trimmed`` flag is never reset)."""
    r = parse_region("circle(0,0,5)&circle(1,0,5)+circle(100,100,3)")
    both = lambda x, y: in_circle(0, 0, 5)(x, y) and in_circle(1, 0, 5)(x, y)
    assert r.area() == lattice(both, -4, 5, -5, 5) + 29  # 29 lattice points in r=3
    # the same far circle on its own stays analytic
    assert parse_region("circle(0,0,5)+circle(100,100,3)").area() == pytest.approx(
        34 * math.pi)


def test_library_quirk_sector_area_is_one():
    assert parse_region("sector(0,0,0,90)").area(field=(-10, -10, 10, 10)) == 1.0


def test_self_intersecting_polygon_is_counted_on_the_unit_grid():
    # bow tie: inside where |y-5| <= |x-5|; 71 lattice points in [0,10]^2
    assert parse_region("polygon(0,0,10,10,10,0,0,10)").area() == 71.0
    assert parse_region("polygon(0,0,10,10,10,0,0,10)").area(bin=0.5) == 71.0


def test_disjoint_and_is_empty():
    assert parse_region("circle(0,0,1)&circle(10,10,1)").area() == 0.0


def test_csc_background_region_against_astropy_regions(shared_data):
    """BKGREG of a real CSC region file: ellipse minus two ellipses, pixellated; check the
    grid count with astropy-regions' own inside tests."""
    regions = pytest.importorskip("regions")
    from astropy.coordinates import Angle
    r = parse_region(f"region({shared_data}/sherpa_test_data/"
                     "acisf07999_000N001_r0035_reg3.fits[BKGREG])")
    (big, src, other), = r.components
    x0, y0, x1, y1 = r.extent()
    nx, ny = math.ceil(x1 - x0 + 1), math.ceil(y1 - y0 + 1)
    gx, gy = np.meshgrid(x0 + np.arange(nx), y0 + np.arange(ny))
    pts = regions.PixCoord(gx.ravel(), gy.ravel())

    def ell(s):
        return regions.EllipsePixelRegion(regions.PixCoord(s.xs[0], s.ys[0]), 2 * s.radii[0],
                                          2 * s.radii[1], angle=Angle(s.angles[0], "deg"))
    n = np.count_nonzero(ell(big).contains(pts) & ~ell(src).contains(pts)
                         & ~ell(other).contains(pts))
    assert r.area() == n
    assert abs(n - math.pi * (185.30761719 * 76.94079399 - 37.06152344 * 15.3881588)) < 6000


def test_rotated_rectangle_from_a_table():
    r = region_from_table({"SHAPE": ["rotrectangle"], "X": [[0.0, 4.0]], "Y": [[0.0, 2.0]],
                           "ROTANG": [30.0]})
    assert str(r) == "RotRectangle(0,0,4,2,30)"
    assert r.area() > 0
