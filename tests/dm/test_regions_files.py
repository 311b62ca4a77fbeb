"""Region files: CIAO, ds9 (physical, image, fk5, fk4, galactic), FITS region tables, the
table form, stacks (dm.md §2.7, §5.1). Inputs are the real files in ../shared/data."""
import math

import numpy as np
import pytest

from pyciao.dm.regions import (RegionError, expand_annulus_grid, parse_region,
                               read_region_list, region_from_table, region_to_table)

REG = "regions/pyregion"


@pytest.fixture
def sky_wcs(shared_data):
    """The physical-sky WCS of pyregion's sample_fits01 image: its image WCS moved by the
    image's LTV offsets (physical = logical - LTV), as for a Chandra sky transform."""
    from astropy.io import fits
    from astropy.wcs import WCS
    hdr = fits.Header.fromtextfile(str(shared_data / REG / "sample_fits01.header"))
    w = WCS(naxis=2)
    w.wcs.ctype = [hdr["CTYPE1"], hdr["CTYPE2"]]
    w.wcs.crval = [hdr["CRVAL1"], hdr["CRVAL2"]]
    w.wcs.crpix = [hdr["CRPIX1"] - hdr["LTV1"], hdr["CRPIX2"] - hdr["LTV2"]]
    w.wcs.cdelt = [hdr["CDELT1"], hdr["CDELT2"]]
    w.wcs.radesys, w.wcs.equinox = "FK5", 2000.0
    return w


def region_file(shared_data, name, **kw):
    return parse_region(f"region({shared_data / name})", **kw)


# --- CIAO format ------------------------------------------------------------------------------

def test_ciao_file_from_obs1479(shared_data):
    r = region_file(shared_data, "xrayevents_obs1479/ciao_regions.reg")
    names = [c[0].name for c in r.components]
    assert names == ["Circle", "Polygon", "Annulus", "Polygon"]
    assert str(r).startswith("Circle(4247.73,4537.51,5.02)|Polygon(3160.87,4408.14,")
    assert "|Annulus(4247.73,4537.51,10.04,35.14)|" in str(r)
    poly = r.components[1][0]
    assert len(poly.xs) == 13 and poly.xs[0] == poly.xs[-1]  # written closed: no extra vertex
    # the shoelace area of the polygon, computed here directly
    x, y = np.array(poly.xs), np.array(poly.ys)
    shoelace = abs(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])) / 2
    assert read_region_list(shared_data / "xrayevents_obs1479/ciao_regions.reg")[1].area() \
        == pytest.approx(shoelace, rel=1e-12)


def test_ciao_file_filters_real_events_like_astropy_regions(shared_data):
    regions = pytest.importorskip("regions")
    from astropy.io import fits
    with fits.open(shared_data / "xrayevents_obs1479/acis_evt2.fits.gz") as h:
        x = h["EVENTS"].data["x"].astype(float)
        y = h["EVENTS"].data["y"].astype(float)
    r = region_file(shared_data, "xrayevents_obs1479/ciao_regions.reg")
    poly = r.components[1][0]
    theirs = regions.PolygonPixelRegion(regions.PixCoord(poly.xs[:-1], poly.ys[:-1]))
    inside = r.contains(x, y)
    assert inside.sum() > 100
    assert (inside == theirs.contains(regions.PixCoord(x, y))).all()


def test_ciao_world_file_matches_its_physical_twin(shared_data, sky_wcs):
    """test01_ciao.reg (sexagesimal, arcmin) and test01_ciao_physical.reg describe the same
    shapes; ds9 wrote both, so they agree to the precision of the written digits."""
    world = region_file(shared_data, f"{REG}/test01_ciao.reg", wcs=sky_wcs)
    phys = region_file(shared_data, f"{REG}/test01_ciao_physical.reg")
    assert str(phys).startswith("Field()&!Ellipse(4053.99,4121.99,46,21,317.017)|")
    for a, b in zip(world.shapes, phys.shapes):
        assert a.kind == b.kind and a.include == b.include
        assert np.allclose(a.xs, b.xs, atol=0.05) and np.allclose(a.ys, b.ys, atol=0.05)
        assert np.allclose(a.radii, b.radii, atol=2e-3)
        assert np.allclose(a.angles, b.angles, atol=1e-3)


def test_ciao_annuli_and_pies_file(shared_data, sky_wcs):
    stack = read_region_list(shared_data / f"{REG}/test_annuli_ciao.reg", wcs=sky_wcs)
    assert [s.shapes[0].name for s in stack] == ["Annulus"] * 3 + ["Pie"] * 8
    a0, a1 = stack[0].shapes[0], stack[1].shapes[0]
    assert a0.radii[1] == a1.radii[0]  # consecutive annuli share a radius
    assert a0.radii[0] == pytest.approx(0.468502 / 60 / 1.3666666666667e-4, rel=1e-12)
    pie = stack[3].shapes[0]
    assert pie.angles == (338.334, 415.759)
    # 8 pies: two rings of four 77.425-degree pies
    total = sum(s.area() for s in stack[3:])
    r1, r2, r3 = (x / 60 / 1.3666666666667e-4 for x in (0.319298, 0.478947, 0.638596))
    assert total == pytest.approx(math.pi * (r3 ** 2 - r1 ** 2) * 4 * 77.425 / 360, rel=1e-6)


def test_pros_and_prefixed_lines(tmp_path):
    f = tmp_path / "pros.reg"
    f.write_text("# a comment\n\nphysical;circle 100 200 30\n+box(1,2,3,4) # note\n"
                 "-circle(100,200,5)\nannulus 0 0 1 2 ; point(5,5)\n")
    assert str(parse_region(f"region({f})")) == (
        "Circle(100,200,30)|Box(1,2,3,4)&!Circle(100,200,5)|Annulus(0,0,1,2)|Point(5,5)")


def test_first_line_excluded_means_field_minus_it(tmp_path):
    f = tmp_path / "ex.reg"
    f.write_text("-circle(0,0,1)\ncircle(5,5,1)\n")
    assert str(parse_region(f"region({f})")) == "Field()&!Circle(0,0,1)|Circle(5,5,1)"


def test_file_errors_name_the_line(tmp_path):
    f = tmp_path / "bad.reg"
    f.write_text("circle(0,0,1)\ncircle(0,0,-1)\n")
    with pytest.raises(RegionError, match=r"^circle radius must be positive \(region file "
                                          r".*bad.reg, line 2\)$"):
        parse_region(f"region({f})")
    (tmp_path / "empty.reg").write_text("# nothing\n")
    with pytest.raises(RegionError, match="no shapes"):
        parse_region(f"region({tmp_path / 'empty.reg'})")


def test_relative_names_use_base_dir(tmp_path):
    (tmp_path / "src.reg").write_text("circle(1,2,3)\n")
    assert str(parse_region("region(src.reg)", base_dir=tmp_path)) == "Circle(1,2,3)"


# --- ds9 format -------------------------------------------------------------------------------

def test_ds9_physical_equals_ciao_physical(shared_data):
    a = region_file(shared_data, f"{REG}/test01_ds9_physical.reg")
    b = region_file(shared_data, f"{REG}/test01_ciao_physical.reg")
    assert a == b


def test_ds9_fk5_lands_where_astropy_puts_it(shared_data, sky_wcs):
    """Centres within 1e-6 pixel of astropy-regions' own reading and conversion (0-based
    pixels + 1); radii by CIAO's constant-scale rule."""
    regions = pytest.importorskip("regions")
    ours = region_file(shared_data, f"{REG}/test01_fk5.reg", wcs=sky_wcs)
    theirs = regions.Regions.read(str(shared_data / REG / "test01_fk5.reg"), format="ds9")
    assert [s.name for s in ours.shapes] == ["Field", "Ellipse", "Circle", "RotBox", "Polygon"]
    assert [s.include for s in ours.shapes] == [True, False, True, True, True]
    for mine, sky in zip(ours.shapes[1:], theirs):
        pix = sky.to_pixel(sky_wcs)
        if mine.kind == "polygon":
            assert np.allclose(mine.xs[:-1], pix.vertices.x + 1, atol=1e-6, rtol=0)
            assert np.allclose(mine.ys[:-1], pix.vertices.y + 1, atol=1e-6, rtol=0)
            continue
        assert mine.xs[0] == pytest.approx(pix.center.x + 1, abs=1e-6)
        assert mine.ys[0] == pytest.approx(pix.center.y + 1, abs=1e-6)
    circle = ours.shapes[2]
    assert circle.radii[0] == pytest.approx(18.510811 / 3600 / 1.3666666666667e-4, rel=1e-13)
    assert circle.radii[0] == pytest.approx(theirs[1].to_pixel(sky_wcs).radius, abs=1e-3)
    # and where ds9 itself put it (test01_ds9_physical.reg)
    assert (circle.xs[0], circle.ys[0]) == pytest.approx((4267.9987, 4214.0083), abs=0.05)


def test_ds9_fk5_degrees_and_sexagesimal_agree(shared_data, sky_wcs):
    a = region_file(shared_data, f"{REG}/test01_fk5_degree.reg", wcs=sky_wcs)
    b = region_file(shared_data, f"{REG}/test01_fk5_sexagecimal.reg", wcs=sky_wcs)
    for s1, s2 in zip(a.shapes, b.shapes):
        assert np.allclose(s1.xs, s2.xs, atol=0.05) and np.allclose(s1.ys, s2.ys, atol=0.05)


@pytest.mark.parametrize("name", ["test01_gal.reg", "test01_fk4.reg", "test01_mixed.reg"])
def test_ds9_other_frames_are_transformed(shared_data, sky_wcs, name):
    """galactic / FK4 numbers go through astropy.coordinates (CIAO would read them as RA,
    Dec); the same shapes as the fk5 file come out."""
    fk5 = region_file(shared_data, f"{REG}/test01_fk5.reg", wcs=sky_wcs)
    other = region_file(shared_data, f"{REG}/{name}", wcs=sky_wcs)
    for a, b in zip(fk5.shapes, other.shapes):
        if name == "test01_mixed.reg" and a.kind == "box":
            continue  # that one is in image coordinates in the mixed file
        assert np.allclose(a.xs, b.xs, atol=0.3) and np.allclose(a.ys, b.ys, atol=0.3)
        assert np.allclose(a.radii, b.radii, rtol=1e-6)
        if a.angles:
            assert a.angles[0] == pytest.approx(b.angles[0], abs=0.1)


def test_ds9_image_coordinates_are_used_as_physical_with_a_warning(shared_data, capsys):
    r = region_file(shared_data, f"{REG}/test01_img.reg")
    assert "image coordinates" in capsys.readouterr().err
    assert str(r).startswith("Field()&!Ellipse(750,853,46,21,317.017)|Circle(964,945,37.6236)")


def test_ds9_exclusions_glue_to_the_previous_shape(shared_data, capsys):
    r = region_file(shared_data, "regions/astropy_regions/ds9.fits.reg")
    assert str(r) == ("Circle(383,1153,40)|Box(679,1149,160,80)&!RotBox(1057,1155,160,80,30)"
                      "|Box(675,979,160,80)|RotBox(1065,979,160,80,30)&!Ellipse(399,777,80,40,30)"
                      "|Point(687,773)|Annulus(685,561,20,60)"
                      "|Polygon(1014,805,1151,805,1151,668,1051,685,1014,805)")


def test_ds9_annotations_are_skipped_and_lines_become_rectangles(shared_data, sky_wcs):
    r = region_file(shared_data, f"{REG}/test_text.reg", wcs=sky_wcs)
    assert [s.name for s in r.shapes] == ["Rectangle", "Rectangle"]


def test_ds9_composite_markers(shared_data, capsys):
    r = region_file(shared_data, f"{REG}/test_context.reg")
    assert len(r.components) == 33 and r.shapes[0].name == "Point"


def test_ds9_multi_radius_annulus(tmp_path):
    f = tmp_path / "ann.reg"
    f.write_text("# Region file format: DS9 version 4.1\nphysical\n"
                 "annulus(100,100,10,20,30) # color=red\n")
    stack = read_region_list(f)
    assert [str(s) for s in stack] == ["Annulus(100,100,10,20)", "Annulus(100,100,20,30)"]
    # as one region the two annuli overlap (shared edge): pixellated on the unit grid
    n = sum(1 for i in range(61) for j in range(61)
            if 10 <= math.sqrt((70 + i - 100) ** 2 + (70 + j - 100) ** 2) <= 30)
    assert parse_region(f"region({f})").area() == n


@pytest.mark.parametrize("name, what", [
    (f"{REG}/test02.reg", "ds9 shape 'epanda' is not supported"),
    (f"{REG}/test_annuli.reg", "ds9 elliptical annuli are not supported"),
])
def test_ds9_shapes_ciao_cannot_use(shared_data, name, what):
    with pytest.raises(RegionError, match=what + r".*line \d+\)$"):
        region_file(shared_data, name)


def test_ds9_sky_file_without_wcs_is_an_error(shared_data):
    with pytest.raises(RegionError, match="celestial coordinates"):
        region_file(shared_data, f"{REG}/test01_fk5.reg")


def test_all_real_text_files_parse_or_fail_with_region_error(shared_data, sky_wcs):
    files = sorted((shared_data / "regions").rglob("*.reg"))
    assert len(files) > 40
    parsed = 0
    for f in files:
        try:
            parse_region(f"region({f})", wcs=sky_wcs)
            parsed += 1
        except RegionError:
            pass
    assert parsed >= 20  # the others: ds9-only shapes, or sky files for another image


# --- FITS region tables --------------------------------------------------------------------------

CSC = "sherpa_test_data/acisf07999_000N001_r0035_reg3.fits"


def test_csc_source_region(shared_data):
    r = region_file(shared_data, CSC)   # first table: SRCREG
    assert str(r) == "Ellipse(3145.89,4520.79,37.0615,15.3882,92.2273)"
    assert r.area() == pytest.approx(math.pi * 37.06152344 * 15.3881588, rel=1e-8)


def test_csc_background_region_and_its_image_footprint(shared_data):
    r = region_file(shared_data, CSC + "[bkgreg]")
    assert str(r) == ("Ellipse(3145.89,4520.79,185.308,76.9408,92.2273)"
                      "&!Ellipse(3145.89,4520.79,37.0615,15.3882,92.2273)"
                      "&!Ellipse(3037.38,4613.22,53.836,24.6396,176.674)")
    # The CSC cut its source image to this region: x 3061.81:3229.98, y 4332.63:4708.95
    # (DSVAL of acisf07999_000N001_r0035b_psf3.fits and the 169 x 377 srcimg).
    x0, y0, x1, y1 = r.extent()
    assert [round(v, 2) for v in (x0, x1, y0, y1)] == [3061.81, 3229.98, 4332.63, 4708.95]


def test_fits_table_as_a_stack(shared_data):
    stack = read_region_list(shared_data / "regions/astropy_regions/regions_wcs.fits")
    assert [str(s) for s in stack] == [
        "Circle(2896.5,5056.5,381.972)", "RotBox(5282.05,4854.57,1303.46,655.095,28.3952)",
        "Ellipse(2944.5,3472.5,288,512,337.405)", "RotBox(341,345,56,78,65)",
        "Annulus(341,345,56,78)", "Point(341,345)", "Point(341,345)",
        "Polygon(1,5,2,6,3,7,4,8,1,5)", "Box(10,5.5,10,20)"]


def test_unsupported_table_shape(shared_data):
    with pytest.raises(RegionError, match="'elliptannulus' is not supported"):
        region_file(shared_data, "regions/astropy_regions/regions_nowcs.fits")


def test_bad_pixel_table_in_chip_coordinates(shared_data):
    from astropy.io import fits
    with fits.open(shared_data / "regions/funtools/bpix.ev") as h:
        cols = {n: h[1].data[n] for n in h[1].columns.names}
    r = region_from_table(cols, x="CHIPX", y="CHIPY")
    assert str(r) == "Rectangle(71,1,73,1024)|Point(303,253)|Point(1023,1)"
    assert r.contains([72, 74, 303, 1023, 71], [500, 500, 253, 1, 1024]).tolist() == \
        [1, 0, 1, 1, 1]


def test_open_table_callback_gets_the_dm_spec(tmp_path):
    seen = []

    def open_table(spec):
        seen.append(spec)
        return {"SHAPE": np.array([b"circle", b"!circle"]), "X": [10.0, 10.0],
                "Y": [20.0, 20.0], "R": [[5.0, 0.0], [2.0, 0.0]], "COMPONENT": [1, 1]}
    r = parse_region("region(src.fits[#row=2])", open_table=open_table, base_dir=tmp_path)
    assert seen == [str(tmp_path / "src.fits[#row=2]")]
    assert str(r) == "Circle(10,20,5)&!Circle(10,20,2)"

    def broken(spec):
        raise OSError("no such block")
    with pytest.raises(RegionError, match="unable to read region from"):
        parse_region("region(src.fits[bad])", open_table=broken)


def test_table_filters_need_the_data_model(shared_data):
    with pytest.raises(RegionError, match="open_table"):
        region_file(shared_data, CSC + "[#row=1]")


def test_missing_component_column_means_one_component():
    r = region_from_table({"SHAPE": ["circle", "!circle"], "X": [0.0, 1.0], "Y": [0.0, 0.0],
                           "R": [3.0, 1.0]})
    assert str(r) == "Circle(0,0,3)&!Circle(1,0,1)"
    assert str(region_from_table({"X": [1.0, 2.0], "Y": [3.0, 4.0]})) == \
        "Point(1,3)&Point(2,4)"


# --- the table form and stacks -------------------------------------------------------------------

def test_table_round_trip_of_every_shape():
    r = parse_region("circle(1,2,3)&!box(1,2,1,1)|annulus(5,5,1,2)|rotbox(0,0,2,3,40)"
                     "|ellipse(1,1,3,2,10)|pie(0,0,1,2,10,100)|sector(3,3,20,30)"
                     "|polygon(0,0,4,0,4,3)|point(7,8)|rect(1,2,3,4)|field()")
    t = region_to_table(r)
    assert t["SHAPE"].tolist()[:3] == ["Circle", "!Box", "Annulus"]
    assert t["COMPONENT"].tolist() == [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert t["X"].shape == (11, 4) and t["R"].shape == (11, 2)
    assert t["R"][0].tolist() == [3, 0] and t["ROTANG"][5].tolist() == [10, 100]
    assert region_from_table(t) == r


def test_table_of_a_stack_numbers_rows_like_dmextract():
    stack = [parse_region(f"annulus(4069.519,4249.3614,{r},{r + 5})") for r in (10, 15, 20)]
    t = region_to_table(stack)
    assert t["COMPONENT"].tolist() == [1, 2, 3] and t["X"].shape == (3,)
    assert t["SHAPE"].tolist() == ["Annulus"] * 3
    assert t["R"].tolist() == [[10, 15], [15, 20], [20, 25]]


def test_read_region_list_keeps_exclusions_with_their_line(tmp_path):
    f = tmp_path / "s.reg"
    f.write_text("# Region file format: CIAO version 1.0\ncircle(0,0,10)\n-circle(1,1,2)\n"
                 "circle(50,50,10)\n")
    stack = read_region_list(f)
    assert [str(s) for s in stack] == ["Circle(0,0,10)&!Circle(1,1,2)", "Circle(50,50,10)"]


def test_annulus_radius_grid():
    items = expand_annulus_grid("annulus(4077.3,4269.7,0:600:10)")
    assert len(items) == 60
    assert items[0] == "annulus(4077.3,4269.7,0,10)" and items[-1] == "annulus(4077.3,4269.7,590,600)"
    assert [str(parse_region(t)) for t in expand_annulus_grid("annulus(0,0,0:0.3:0.1)")] == [
        "Annulus(0,0,0,0.1)", "Annulus(0,0,0.1,0.2)", "Annulus(0,0,0.2,0.3)"]
    assert expand_annulus_grid("circle(1,2,3)") == ["circle(1,2,3)"]
    with pytest.raises(RegionError):
        expand_annulus_grid("annulus(0,0,10:0:1)")
