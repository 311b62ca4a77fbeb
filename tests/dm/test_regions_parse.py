"""Region grammar and string form (dm.md §2.1, §2.2, §2.6, §7; vectors R1, R2, R6, R8, R9,
R15, R16 of §8.1)."""
import math

import pytest

from pyciao.dm.regions import Region, RegionError, parse_region
from pyciao.dm.regions.grammar import parse_components, tokenize
from pyciao.errors import ToolError


def s(text):
    return str(parse_region(text))


# --- §8.1 vectors: string form ------------------------------------------------------------

def test_r1_normalised_string():
    assert s("ellipse(256 ,256 , 25, 10, 0)") == "Ellipse(256,256,25,10,0)"


def test_r2_negated_box_string():
    assert str(parse_region("box(100,100,10,20)").invert()) == "!Box(100,100,10,20)"


def test_r6_union_string():
    r = parse_region("circle(10,10,10)").union(parse_region("rect(100,100,200,200)"))
    assert str(r) == "Circle(10,10,10)|Rectangle(100,100,200,200)"


def test_r8_annulus_inner_above_outer_is_an_error():
    with pytest.raises(RegionError, match="^outer annuls radius must be >= inner radius$"):
        parse_region("annulus(0,0,2,1)")


def test_r9_polygon_string_repeats_the_closing_vertex():
    assert s("polygon(0,0,10,0,0,10)") == "Polygon(0,0,10,0,0,10,0,0)"


def test_r15_percent_g():
    assert s("circle(4072.485893485075,3722.83455874064,11)") == "Circle(4072.49,3722.83,11)"


def test_r16_sexagesimal_centre_and_arcsec_radius():
    [[c]] = parse_components('circle(12:26:51,-33:16:13,10")')
    assert c.xs[0] == pytest.approx(15 * (12 + 26 / 60 + 51 / 3600), abs=1e-12)
    assert c.xs[0] == pytest.approx(186.7125, abs=1e-12)
    assert c.ys[0] == pytest.approx(-(33 + 16 / 60 + 13 / 3600), abs=1e-12)
    assert c.ys[0] == pytest.approx(-33.270278, abs=1e-6)
    assert c.radii[0] == pytest.approx(10 / 3600, rel=1e-15)
    assert c.is_world
    # printed the library's way before conversion: hh:mm:ss, radius in arcmin
    assert str(Region([[c]])) == "Circle(12:26:51,-33:16:13,0.166667')"


# --- strings seen in real CIAO output --------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # dm.md §2.6 and §3.2 (threads masks, match_binning; sherpa tests)
    ("ellipse(4111.96,2756,27.5003,24.0959,115.223)", "Ellipse(4111.96,2756,27.5003,24.0959,115.223)"),
    ("box(4182,4392,1172,1184)", "Box(4182,4392,1172,1184)"),
    ("field()-circle(10,0,3)-rotbox(8,4,8,6,30)", "Field()&!Circle(10,0,3)&!RotBox(8,4,8,6,30)"),
    # HISTORY of sherpa-test-data center_box_0.25pix.fits: rotbox(...,0) became Box(...) in DSVAL1
    ("rotbox(4096.5,4058.5,128,128,0)", "Box(4096.5,4058.5,128,128)"),
    # DSVAL11 of sherpa-test-data image2.fits
    ("box(4059.25,4235.75,521.5,431.5)", "Box(4059.25,4235.75,521.5,431.5)"),
])
def test_real_ciao_strings(text, expected):
    assert s(text) == expected


def test_dsval_of_a_real_composite_region_round_trips():
    """DSVAL1 of center_box_0.25pix.fits, written by CIAO's dmcopy: one component of 4."""
    dsval = ("Rectangle(4075.12,4039.38,4117.12,4075.88)&Rectangle(4032.5,3994.5,4160.5,4122.5)"
             "&Box(4096.5,4058.5,128,128)&Box(4096.12,4057.62,42,36.5)")
    r = parse_region(dsval)
    assert len(r.components) == 1 and len(r.shapes) == 4
    assert str(r) == dsval


# --- keywords, numbers, units ---------------------------------------------------------------

@pytest.mark.parametrize("kw", ["cir", "circ", "circl", "circle", "CIRCLE", "Circle"])
def test_circle_abbreviations(kw):
    assert s(f"{kw}(1,2,3)") == "Circle(1,2,3)"


@pytest.mark.parametrize("text, expected", [
    ("ell(1,2,3,4,5)", "Ellipse(1,2,3,4,5)"),
    ("elli(1,2,3,4,0)", "Ellipse(1,2,3,4,0)"),
    ("rect(1,2,3,4)", "Rectangle(1,2,3,4)"),
    ("recta(1,2,3,4)", "Rectangle(1,2,3,4)"),
    ("rectangle(1,2,3,4)", "Rectangle(1,2,3,4)"),
    ("poi(1,2)", "Point(1,2)"),
    ("POINT(1,2)", "Point(1,2)"),
    ("poly(0,0,1,0,0,1)", "Polygon(0,0,1,0,0,1,0,0)"),
    ("sect(1,2,30,60)", "Sector(1,2,30,60)"),
    ("sector(1,2,30,60)", "Sector(1,2,30,60)"),
    ("pie(1,2,0,5,30,60)", "Pie(1,2,0,5,30,60)"),
    ("annulus(1,2,3,4)", "Annulus(1,2,3,4)"),
    ("box(1,2,3,4,0)", "Box(1,2,3,4)"),
    ("box(1,2,3,4,30)", "RotBox(1,2,3,4,30)"),
    ("rotbox(1,2,3,4,30)", "RotBox(1,2,3,4,30)"),
    ("field()", "Field()"),
    ("line(1,2,3,4)", "Rectangle(1,2,3,4)"),          # a line is kept as a rectangle
    ('text(1,2,"hello")', "Point(1,2)"),              # text is a point
    ("polygon(0,0,1,0,0,1,0,0)", "Polygon(0,0,1,0,0,1,0,0)"),  # already closed: no repeat
])
def test_shape_keywords(text, expected):
    assert s(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("circle(-1,-2,3)", "Circle(-1,-2,3)"),
    ("circle(+1,2.,.5)", "Circle(1,2,0.5)"),
    ("circle(1e2,2E1,3e-1)", "Circle(100,20,0.3)"),
    ("circle(1,2,3p)", "Circle(1,2,3)"),
    ("circle(1,2,3i)", "Circle(1,2,3)"),
    ("circle(1,2,1D2)", "Circle(1,2,1)"),     # C atof stops at a D exponent
    ("circle(1, 2 ,3 )", "Circle(1,2,3)"),
    ("  circle(1,2,3)", "Circle(1,2,3)"),
])
def test_numbers(text, expected):
    assert s(text) == expected


def test_size_and_angle_units():
    [[c1]], [[c2]], [[c3]], [[c4]] = (parse_components(t) for t in (
        "circle(1,2,30')", 'circle(1,2,30")', "circle(1,2,30'')", "circle(1,2,0.5d)"))
    assert c1.radii[0] == pytest.approx(0.5) and c1.size_flag == 3
    assert c2.radii[0] == pytest.approx(30 / 3600) and c3.radii[0] == pytest.approx(30 / 3600)
    assert c4.radii[0] == 0.5 and c4.size_flag == 3
    assert c1.coord_flag == 0  # the position stays in pixels
    [[e]] = parse_components("ellipse(1,2,3,4,30')")
    assert e.angles[0] == pytest.approx(0.5)  # the library divides an angle in ' by 60


def test_degree_positions_and_mixed_flags():
    [[c]] = parse_components("circle(186.7125d,-33.27d,20)")
    assert (c.xs[0], c.ys[0], c.coord_flag, c.size_flag) == (186.7125, -33.27, 3, 0)
    # the library keeps the flag of the *last* position read (here: y in pixels)
    [[m]] = parse_components("circle(186.7d,100,20)")
    assert m.coord_flag == 0


def test_negative_sexagesimal_dec_below_one_degree():
    [[c]] = parse_components("point(0:0:1,-00:00:01)")
    assert c.ys[0] == pytest.approx(-1 / 3600) and c.xs[0] == pytest.approx(15 / 3600)


def test_tokens_follow_the_library_lexer():
    kinds = [k for k, _ in tokenize("!circle(1,-2,3)+box(1,2,3,4)&pie|x")]
    assert kinds[:2] == ["NEG", "KEYWORD"] and "MINUS" in kinds and "OR" in kinds
    assert tokenize("ellipt(")[0] == ("KEYWORD", "ellipse")  # 'ellip' + 't'
    assert tokenize("+5")[0] == ("NUMBER", 5.0)              # '+' digits is a number
    assert tokenize("circle\nbox")[-2] == ("KEYWORD", "circle")  # newline ends the input


# --- operators and precedence (§2.2) --------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("circle(1,1,1)+circle(5,5,1)", "Circle(1,1,1)|Circle(5,5,1)"),
    ("circle(1,1,1)|circle(5,5,1)", "Circle(1,1,1)|Circle(5,5,1)"),
    ("circle(1,1,1) circle(5,5,1)", "Circle(1,1,1)|Circle(5,5,1)"),
    ("circle(1,1,1)*circle(5,5,1)", "Circle(1,1,1)&Circle(5,5,1)"),
    ("circle(1,1,1)&circle(5,5,1)", "Circle(1,1,1)&Circle(5,5,1)"),
    ("circle(1,1,1)-circle(5,5,1)", "Circle(1,1,1)&!Circle(5,5,1)"),
    ("circle(1,1,1)&!circle(5,5,1)", "Circle(1,1,1)&!Circle(5,5,1)"),
    ("!circle(1,1,1)", "!Circle(1,1,1)"),
    ("circle(1,1,1)-!circle(5,5,1)", "Circle(1,1,1)&Circle(5,5,1)"),  # regNegate flips
    ("+circle(1,1,1)", None),   # the library only starts on a letter or '!'
    ("circle(1,1,1)+circle(2,2,2)-box(3,3,1,1)", "Circle(1,1,1)|Circle(2,2,2)&!Box(3,3,1,1)"),
    ("circle(1,1,1)+circle(2,2,2)*box(3,3,1,1)+point(0,0)",
     "Circle(1,1,1)|Circle(2,2,2)&Box(3,3,1,1)|Point(0,0)"),
])
def test_operators(text, expected):
    if expected is None:
        with pytest.raises(RegionError):
            parse_region(text)
    else:
        assert s(text) == expected


def test_component_structure():
    r = parse_region("circle(1,1,1)+circle(2,2,2)-box(3,3,1,1)")
    assert [len(c) for c in r.components] == [1, 2]
    assert [sh.include for sh in r.components[1]] == [True, False]


# --- errors (§7) ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("circle(0,0,-1)", "circle radius must be positive"),
    ("!circle(0,0,-1)", "circle radius must be positive"),
    ("annulus(0,0,-1,2)", "annulus radius must be positive"),
    ("annulus(0,0,3,2)", "outer annuls radius must be >= inner radius"),
    ("box(0,0,-1,2)", "box lengths must be positive"),
    ("rotbox(0,0,1,-2,30)", "box lengths must be positive"),
    ("pie(0,0,-1,2,0,90)", "pie radii must be positive"),
    ("pie(0,0,3,2,0,90)", "outer annuls radius must be >= inner radius"),
    ("ellipse(0,0,-1,2,0)", "ellipse radii must be positive"),
    ("polygon(0,0,1,1)", "Polygons must have at least 3 vertices."),
    ("elliptannulus(0,0,1,2,3,4,0)", "Elliptannuli are not yet supported."),
    ("diamond(0,0,1,2)", "Diamonds are not yet supported."),
    ("rhombus(0,0,1,2)", "Diamonds are not yet supported."),
])
def test_value_errors_carry_ciao_text(text, message):
    with pytest.raises(RegionError) as err:
        parse_region(text)
    assert str(err.value) == message


@pytest.mark.parametrize("text", [
    "", "None", "circle 100 200 30", "circle(1,2)", "circle(1,2,3,4)", "circle(1,2,3",
    "circle(1,2,3))", "circle(1,2,3)+", "circle(1,2,3)-", "box(1,2,3)", "pie(1,2,3,4,5)",
    "rotrect(1,2,3,4,5)", "polygon()", "field", "field(1)", "!!circle(1,2,3)",
    "-circle(1,2,3)", "12:00:00", "circle(-12:00:00,0,1)", "circle(1,2,3)x",
    "circle(1,2,3q)", "(circle(1,2,3))", "circle(1:2,3,4)", "text(1,2)",
])
def test_syntax_errors(text):
    with pytest.raises(RegionError) as err:
        parse_region(text)
    assert str(err.value) == f"unable to parse region string: '{text}'"


def test_region_error_is_a_tool_error():
    assert issubclass(RegionError, ToolError)


def test_non_string_input():
    with pytest.raises(RegionError):
        parse_region(None)
    with pytest.raises(RegionError):
        parse_region(3)


def test_world_region_needs_a_wcs():
    with pytest.raises(RegionError, match="celestial coordinates"):
        parse_region('circle(12:26:51,-33:16:13,10")')
    with pytest.raises(RegionError, match="celestial coordinates"):
        parse_region('circle(4096,4096,10")')  # an angular size alone needs one too


# --- region(...) inline --------------------------------------------------------------------

def test_region_call_with_inline_shapes():
    assert s("region(circle(1,2,3)-box(1,2,1,1))") == "Circle(1,2,3)&!Box(1,2,1,1)"
    assert s(" REGION( circle(1,2,3) ) ") == "Circle(1,2,3)"


def test_region_call_errors():
    with pytest.raises(RegionError, match="unable to read region from: no_such.reg"):
        parse_region("region(no_such.reg)")
    with pytest.raises(RegionError, match="unable to parse region string"):
        parse_region("region(circle(1,2))")
    with pytest.raises(RegionError, match="whole region expression"):
        parse_region("circle(1,2,3)+region(a.reg)")


def test_to_string_truncates_like_a_subspace_listing():
    r = parse_region("+".join(f"circle({i},{i},1)" for i in range(100)))
    text = r.to_string(maxlen=60)
    assert len(text) == 60 and text.endswith("...[truncated]")
    assert r.to_string() == str(r)


def test_region_equality_and_hash():
    a, b = parse_region("circle(1,2,3)"), parse_region("cir(1,2,3)")
    assert a == b and hash(a) == hash(b) and a != parse_region("circle(1,2,4)")
    assert a.union(b) == a
    assert math.isinf(parse_region("field()").extent()[2])


# --- celestial -> physical -------------------------------------------------------------------

def _chandra_wcs(ra, dec):
    """A Chandra sky WCS (TCRPX 4096.5, TCDLT -/+ 0.492 arcsec) centred on (ra, dec)."""
    from astropy.wcs import WCS
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crpix = [4096.5, 4096.5]
    w.wcs.crval = [ra, dec]
    w.wcs.cdelt = [-1.3666666666667e-4, 1.3666666666667e-4]
    return w


def test_world_size_beyond_1e150_pixels_is_refused():
    """1e147 degrees is 7.3e150 sky pixels (0.492 arcsec each): past +-1e150 once converted."""
    with pytest.raises(RegionError, match=r"within \+-1e\+150"):
        parse_region("circle(4096.5,4096.5,1e147d)", wcs=_chandra_wcs(10.0, 20.0))


def test_r16_with_a_wcs_lands_on_the_reference_pixel():
    ra, dec = 15 * (12 + 26 / 60 + 51 / 3600), -(33 + 16 / 60 + 13 / 3600)
    r = parse_region('circle(12:26:51,-33:16:13,10")', wcs=_chandra_wcs(ra, dec))
    [c] = r.shapes
    assert (c.xs[0], c.ys[0]) == pytest.approx((4096.5, 4096.5), abs=1e-9)
    assert c.radii[0] == pytest.approx(10 / 3600 / 1.3666666666667e-4, rel=1e-13)
    assert str(r) == "Circle(4096.5,4096.5,20.3252)"
    assert (c.coord_flag, c.size_flag) == (2, 2)  # now physical, as the library marks it


def test_degrees_round_trip_through_astropy(shared_data):
    """The CSC source ellipse (sky pixels) -> RA/Dec with the file's own column WCS ->
    written in degrees -> parsed back: the same pixel position within 1e-6."""
    from astropy.io import fits
    from astropy.wcs import WCS
    hdr = fits.getheader(shared_data / "sherpa_test_data/acisf07999_000N001_r0035_reg3.fits",
                         "SRCREG")
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crpix = [hdr["TCRPX1"], hdr["TCRPX2"]]
    w.wcs.crval = [hdr["TCRVL1"], hdr["TCRVL2"]]
    w.wcs.cdelt = [hdr["TCDLT1"], hdr["TCDLT2"]]
    x, y = 3145.89473684, 4520.78947368
    ra, dec = (float(v) for v in w.all_pix2world(x, y, 1))
    r = parse_region(f"ellipse({ra!r}d,{dec!r}d,18.2\",7.5\",92.2273)", wcs=w)
    [e] = r.shapes
    assert (e.xs[0], e.ys[0]) == pytest.approx((x, y), abs=1e-6)
    assert e.radii == pytest.approx((18.2 / 3600 / hdr["TCDLT2"], 7.5 / 3600 / hdr["TCDLT2"]))
    assert e.angles == (92.2273,)   # CIAO keeps angles as written


def test_the_last_size_decides_the_units_of_all_sizes():
    """The library keeps one flag per shape for sizes: the one of the last size read. So
    ``ellipse(..., 18.2", 15, ...)`` has both radii in pixels (18.2" = 0.00506)."""
    r = parse_region('ellipse(4096.5,4096.5,18.2",15,0)', wcs=_chandra_wcs(10.0, 20.0))
    assert r.shapes[0].radii == pytest.approx((18.2 / 3600, 15.0))
    r = parse_region('ellipse(4096.5,4096.5,18.2,15",0)', wcs=_chandra_wcs(10.0, 20.0))
    assert r.shapes[0].radii == pytest.approx((18.2 / 1.3666666666667e-4,
                                               15 / 3600 / 1.3666666666667e-4))
