"""fluximage's plan: bands, output names, the grid, processors, units, history records.

Expected values are CIAO's: the band table and strings of ciao-contrib's bands.py and the
threads (science.md 4.2, TV-16; the HRC-I thread's ``::1.1``), the names the threads list,
and the grids CIAO printed (the seed thread: FOV extent 4098.2:5288.2, 2973.7:4165.7 at bin 2
-> ``x=4096.5:5288.5:2,y=2972.5:4166.5:2``, 596 by 597; TV-2's given grid, 884 x 668).
"""
import pytest

from pyciao.errors import ToolError
from pyciao.fluximage.energybands import parse_bands
from pyciao.fluximage.naming import Names, Products, split_outroot
from pyciao.fluximage.skygrid import AxisRange, grid_from_extent, grid_from_xygrid
from pyciao.fluximage.steps import flux_units
from pyciao.fluximage.tasks import processors


# --------------------------------------------------------------------------- bands
@pytest.mark.parametrize("name, lo, hi, eff, shown", [
    ("broad", 0.5, 7.0, 2.3, "broad"), ("soft", 0.5, 1.2, 0.92, "soft"),
    ("medium", 1.2, 2.0, 1.56, "medium"), ("hard", 2.0, 7.0, 3.8, "hard"),
    ("ultrasoft", 0.2, 0.5, 0.4, "ultra-soft")])
def test_csc_bands(name, lo, hi, eff, shown):
    (band,) = parse_bands("ACIS", name)
    assert (band.label, band.lo, band.hi, band.monoenergy) == (name, lo, hi, eff)
    assert band.display == f"Using CSC ACIS {shown} science energy band."
    assert band.instmap_options == (eff, "NONE")


def test_broad_filter_and_keywords():
    (band,) = parse_bands("ACIS", "default")
    assert band.label == "broad"
    assert band.dmfilter == "[energy=500.0:7000.0]"
    assert band.keywords() == [("ENERGYLO", 0.5, "[keV] Min photon energy in the image"),
                               ("ENERGYHI", 7.0, "[keV] Max photon energy in the image")]


def test_explicit_band_keeps_the_typed_label():
    (band,) = parse_bands("ACIS", "0.5:6:2")
    assert band.label == "0.5-6"
    assert band.display == ("Using energy range 0.5 to 6.0 keV and exposure-map energy of "
                            "2.0 keV.")
    assert band.dmfilter == "[energy=500.0:6000.0]"
    assert parse_bands("ACIS", "0.5:7.0:2.3")[0].label == "0.5-7.0"


def test_csc_expands_and_repeats_are_dropped():
    labels = [b.label for b in parse_bands("ACIS", "csc,broad,soft,default")]
    assert labels == ["soft", "medium", "hard", "broad"]


def test_same_label_twice_is_an_error():
    with pytest.raises(ToolError, match=r"same label \(0.5-2\)"):
        parse_bands("ACIS", "0.5:2:1,0.5:2:1.5")


@pytest.mark.parametrize("text, message", [
    ("0.5:20:2", "Energy of 20.0 keV is outside Chandra's nominal range of 0.1 to 10 keV."),
    ("wide", "Valid bands for ACIS are broad"), ("1:2", "Valid bands for ACIS"),
    ("", "bands parameter can not be empty")])
def test_bad_acis_bands(text, message):
    with pytest.raises(ToolError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_bands("ACIS", text)


def test_weights_file_band(tmp_path, monkeypatch):
    """A make_instmap_weights file (TV-12 header: ENERG_LO 0.5, ENERG_HI 8.0) is ``band1``,
    its range from the header, its instrument map from the weights at energy 1.0."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.dat").write_text("#TEXT/SIMPLE\n# X WEIGHT\n# ENERG_LO = 0.5\n"
                                    "# ENERG_HI = 8.0\n0.625 0.25\n1.875 0.75\n")
    (tmp_path / "v.dat").write_text("1.0 0.5\n2.0 0.5\n")
    b1, b2, b3 = parse_bands("ACIS", "w.dat,broad,v.dat")
    assert (b1.label, b1.lo, b1.hi, b1.instmap_options) == ("band1", 0.5, 8.0, (1.0, "w.dat"))
    assert b1.dmfilter == "[energy=500.0:8000.0]"
    assert b1.display == "band1 uses weights file w.dat (0.5 to 8.0 keV)"
    # no header lines: one bin beyond each end, (3 x1 - x2)/2 .. (3 xn - xm)/2
    assert (b3.label, b3.lo, b3.hi) == ("band2", 0.5, 2.5)


def test_hrc_bands():
    (wide,) = parse_bands("HRC", "default")
    assert (wide.label, wide.monoenergy, wide.dmfilter) == ("wide", 1.5, "")
    assert wide.display == "Using CSC HRC wide science energy band."
    (all_,) = parse_bands("HRC", "::1.1")
    assert all_.label == "all"
    assert all_.display == "Using PI=: with a monochromatic energy of 1.1 keV."
    (pi,) = parse_bands("HRC", "30:200:1.1")
    assert (pi.label, pi.dmfilter) == ("30-200", "[pi=30:200]")
    with pytest.raises(ToolError, match="Unable to set multiple bands with HRC data"):
        parse_bands("HRC", "wide,::1.1")
    with pytest.raises(ToolError, match="Valid bands for HRC"):
        parse_bands("HRC", "30::1.1")


# --------------------------------------------------------------------------- names
@pytest.mark.parametrize("outroot, expected", [
    ("fimg", ("", "fimg_")), ("fimg_", ("", "fimg_")), ("odir/", ("odir/", "")),
    ("odir/fi", ("odir/", "fi_")), (".", ("", "")), ("", ("", "")), ("/abs/x", ("/abs/", "x_"))])
def test_split_outroot(outroot, expected):
    assert split_outroot(outroot) == expected


def test_names():
    broad, = parse_bands("ACIS", "broad")
    band, = parse_bands("ACIS", "0.5:2:1.5")
    assert Names("fimg_").fluxed(broad) == "fimg_broad_flux.img"
    assert Names("odir/").fluxed(band) == "odir/0.5-2_flux.img"
    n = Names("flux/")
    assert [n.image_thresh(broad), n.expmap_thresh(broad), n.fov("11823"), n.asphist(1),
            n.instmap(1, broad), n.expmap(broad, 1), n.expmap(broad), n.image(broad)] == [
        "flux/broad_thresh.img", "flux/broad_thresh.expmap", "flux/11823.fov",
        "flux/1.asphist", "flux/1_broad.instmap", "flux/1_broad.expmap", "flux/broad.expmap",
        "flux/broad.img"]
    (all_,) = parse_bands("HRC", "::1.1")        # TV-2: the HRC-I thread's outputs
    m = Names("m31_")
    assert [m.image_thresh(all_), m.expmap_thresh(all_), m.fluxed(all_)] == [
        "m31_all_thresh.img", "m31_all_thresh.expmap", "m31_all_flux.img"]


def test_listing_of_a_thresholded_cleaned_run():
    """As the ACIS thread lists a bands=csc run (plus the FOV file of current versions)."""
    bands = parse_bands("ACIS", "csc")
    p = Products.plan(Names("flux_rgb/"), bands, [0, 1, 2, 3], "11823", thresh=True)
    assert p.listing(cleanup=True) == [
        ("clipped counts image", ["flux_rgb/soft_thresh.img", "flux_rgb/medium_thresh.img",
                                  "flux_rgb/hard_thresh.img"]),
        ("observation FOV", ["flux_rgb/11823.fov"]),
        ("clipped exposure map", ["flux_rgb/soft_thresh.expmap", "flux_rgb/medium_thresh.expmap",
                                  "flux_rgb/hard_thresh.expmap"]),
        ("exposure-corrected image", ["flux_rgb/soft_flux.img", "flux_rgb/medium_flux.img",
                                      "flux_rgb/hard_flux.img"])]
    kept_all = p.kept(cleanup=False)
    # counts, clipped counts and flux images; asphists; instmaps; chip, combined and clipped
    # exposure maps; the FOV
    assert len(kept_all) == 3 * 3 + 4 + 12 + (12 + 3 + 3) + 1
    assert "flux_rgb/2_medium.expmap" in kept_all and "flux_rgb/3.asphist" in kept_all


def test_listing_without_threshold():
    broad, = parse_bands("ACIS", "broad")
    p = Products.plan(Names(""), [broad], [7], "650", thresh=False)
    assert p.listing(cleanup=True) == [("binned counts image", ["broad.img"]),
                                       ("observation FOV", ["650.fov"]),
                                       ("exposure map", ["broad.expmap"]),
                                       ("exposure-corrected image", ["broad_flux.img"])]
    assert [label for label, _ in p.listing(cleanup=False)] == [
        "binned counts image", "aspect histogram", "instrument map", "observation FOV",
        "exposure map", "exposure-corrected image"]
    assert dict(p.listing(cleanup=False))["exposure map"] == ["7_broad.expmap", "broad.expmap"]


# --------------------------------------------------------------------------- the grid
def test_axis_range_seed_thread():
    """CIAO's single-chip thread: FOV 4098.2:5288.2 x 2973.7:4165.7 at bin 2 -> 596 by 597."""
    g = grid_from_extent(4098.2, 5288.2, 2973.7, 4165.7, 2, ((0.5, 8192.5), (0.5, 8192.5)))
    assert g.spec == "x=4096.5:5288.5:2,y=2972.5:4166.5:2"
    assert g.size == (596, 597) and g.binsize == 2 and g.computed


def test_axis_range_rules():
    assert str(AxisRange.aligned(4098.5, 4100.5, 2)) == "4098.5:4100.5:2"   # already aligned
    assert AxisRange.aligned(4098.5, 4100.6, 2).n == 2                      # partial: rounded up
    r = AxisRange.aligned(10.3, 12.1, 0.5)
    assert (r.lo, r.hi, r.n, str(r)) == (10.0, 12.5, 5, "10.0:12.5:0.5")
    sub = grid_from_extent(100.2, 900.7, 100.2, 900.7, 8, ((0.5, 400.5), (0.5, 8192.5)))
    assert sub.spec == "x=96.5:400.5:8,y=96.5:904.5:8"                      # subspace cut
    with pytest.raises(ToolError, match="no spatial overlap"):
        grid_from_extent(100.2, 900.7, 100.2, 900.7, 8, ((1000.5, 2000.5), (0.5, 8192.5)))


def test_given_grid():
    g, notes = grid_from_xygrid("13176.5:20248.5:8,13240.5:18584.5:8")
    assert (g.spec, g.size, g.binsize, g.computed, notes) == (
        "x=13176.5:20248.5:8,y=13240.5:18584.5:8", (884.0, 668.0), 8, False, [])
    g, _ = grid_from_xygrid("3824.5:5112.5:#161,4008.5:5296.5:#161")
    assert g.binsize == 8 and g.size == (161, 161)
    g, notes = grid_from_xygrid("4470:5670:32,1810:3200:32")
    assert notes[0] == ("Fluxed image will underestimate the last row and column since the "
                        "exposure")
    g, notes = grid_from_xygrid("0:80:8,0:40:4")
    assert g.binsize == 4 and notes[0].startswith("WARNING: X and Y axis bin sizes are "
                                                  "different (8.0 vs 4.0)")
    with pytest.raises(ToolError, match="xygrid should be a filename or 2 ranges"):
        grid_from_xygrid("nosuchfile.img")


def test_given_grid_from_an_image_name():
    g, _ = grid_from_xygrid("img.fits", lambda name: "4028.8:5466.8:#719,3543.7:4985.7:#721")
    assert g.spec == "x=4028.8:5466.8:#719,y=3543.7:4985.7:#721"
    assert g.size == (719, 721) and g.binsize == pytest.approx(2.0)


# --------------------------------------------------------------------------- odds and ends
def test_processors(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert [processors(None), processors(2), processors(9), processors(-1), processors(-9),
            processors(3, parallel=False)] == [4, 2, 4, 3, 1, 1]
    with pytest.raises(ToolError, match="nproc can not be 0"):
        processors(0)


@pytest.mark.parametrize("img, emap, bunit", [
    ("", "cm**2 s", "/cm**2 /s"),                  # TH:fluxes PFLUX_IMAGE(x, y)[/cm**2 /s]
    ("", "cm**2", "/cm**2"), ("", "s", "/s"), ("count", "s", "count /s"),
    ("s", "s", ""), ("", "cm**2 sec", "/cm**2 /sec"), ("", "erg", "/(erg)")])
def test_flux_units(img, emap, bunit):
    assert flux_units(img, emap) == bunit
