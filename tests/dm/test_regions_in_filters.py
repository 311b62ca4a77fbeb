"""Regions inside virtual files: table filters, binning defaults, image crop + null (spec §1.5-1.8)."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao.dm.virtual import open_virtual
from pyciao.dm.writer import write_view

pytestmark = pytest.mark.filterwarnings("ignore::astropy.wcs.FITSFixedWarning")


@pytest.fixture
def wide(make_events):
    rng = np.random.default_rng(7)
    n = 30000
    return make_events(columns={"x": rng.uniform(3000, 21000, n).astype("f4"),
                                "y": rng.uniform(3000, 21000, n).astype("f4"),
                                "energy": rng.uniform(300, 8000, n).astype("f4")},
                       tlim={"x": (0.5, 32768.5), "y": (0.5, 32768.5), "energy": (0.0, 1e6)})


def test_b6_scalar_bins_after_box(wide):
    img = open_virtual(wide + "[sky=box(4182,4392,1172,1184)][bin x=::4,y=::4]")
    assert img.shape_fits == (294, 297)
    assert (img.axes[0].crval, img.axes[1].crval) == (3595.5, 3799.5)
    assert (img.axes[0].phys(294.5), img.axes[1].phys(297.5)) == (4771.5, 4987.5)


def test_b7_vector_bins_use_region_bbox(wide):
    img = open_virtual(wide + "[sky=box(16712.5,15912.5,7072,5344)][bin sky=::8]")
    assert img.shape_fits == (884, 668)
    assert (img.axes[0].crval, img.axes[1].crval) == (13176.5, 13240.5)
    assert (img.axes[0].phys(884.5), img.axes[1].phys(668.5)) == (20248.5, 18584.5)


def test_b8_circle_bin_and_null_pixels(wide, tmp_path):
    img = open_virtual(wide + "[sky=circle(4082.25,4076.25,20)][bin sky=1]")
    assert img.shape_fits == (40, 40)
    assert img.axes[0].phys(1) == 4062.75 and img.axes[1].phys(1) == 4056.75
    good = img.good_mask()
    assert good.sum() == 1264 and (~good).sum() == 336
    # written and read back, the region subspace still makes the same pixels null
    out = tmp_path / "c.fits"
    write_view(str(out), img)
    h = fits.getheader(out)
    dss = {h[k]: h[k.replace("TYP", "VAL")] for k in h if k.startswith("DSTYP")}
    assert dss["sky"] == "Circle(4082.25,4076.25,20)"
    back = open_virtual(str(out))
    assert back.good_mask().sum() == 1264


def test_f12_exclude_partitions_the_table(wide):
    inc = open_virtual(wide + "[sky=circle(10000,10000,3000)]").row_indices()
    exc = open_virtual(wide + "[exclude sky=circle(10000,10000,3000)]").row_indices()
    assert len(inc) + len(exc) == 30000 and not set(inc) & set(exc)
    e = fits.getdata(wide, 1)
    d2 = (e["x"].astype("f8") - 10000) ** 2 + (e["y"].astype("f8") - 10000) ** 2
    np.testing.assert_array_equal(inc, np.flatnonzero(d2 <= 3000 ** 2))


def test_region_file_and_explicit_pair(wide, tmp_path):
    reg = tmp_path / "src.reg"
    reg.write_text("# Region file format: CIAO version 1.0\ncircle(10000,10000,3000)\n-box(10000,10000,1000,1000)\n")
    a = open_virtual(wide + f"[sky=region({reg})]").row_indices()
    b = open_virtual(wide + "[(x,y)=circle(10000,10000,3000)-box(10000,10000,1000,1000)]").row_indices()
    np.testing.assert_array_equal(a, b)
    assert 0 < len(a) < 30000


def test_celestial_region_uses_column_wcs(wide):
    # 278.0464, -10.5694 is the tangent point at sky (4096.5, 4096.5); 20 pixels = 9.84"
    a = open_virtual(wide + "[sky=circle(18:32:11.136,-10:34:09.84,9.84\")]").row_indices()
    b = open_virtual(wide + "[sky=circle(4096.5,4096.5,20)]").row_indices()
    np.testing.assert_array_equal(a, b)


def _image(tmp_path, name, data, crval, cdelt=(1.0, 1.0), extra_axes=()):
    h = fits.Header()
    names = ["x", "y"] + [a[0] for a in extra_axes]
    vals = list(crval) + [a[1] for a in extra_axes]
    steps = list(cdelt) + [a[2] for a in extra_axes]
    h["MTYPE1"], h["MFORM1"] = "sky", "x,y"
    for n, (nm, v, s) in enumerate(zip(names, vals, steps), start=1):
        h[f"CTYPE{n}P"], h[f"CRVAL{n}P"], h[f"CRPIX{n}P"], h[f"CDELT{n}P"] = nm, v, 0.5, s
        h[f"WCSTY{n}P"] = "PHYSICAL"
        h[f"LTV{n}"], h[f"LTM{n}_{n}"] = 0.5 - v / s, 1.0 / s
    h["HDUNAME"] = "EVENTS_IMAGE"
    p = tmp_path / name
    fits.PrimaryHDU(data, h).writeto(p)
    return str(p)


def test_f10_image_region_crop_and_null(tmp_path, params_free=None):
    # bin-1 image with integer pixel centres: lower edge 3800.5
    path = _image(tmp_path, "img.fits", np.ones((100, 100), "f4"), (3800.5, 3560.5))
    img = open_virtual(path + "[sky=circle(3840,3599,7)]")
    assert img.shape_fits == (15, 15)
    good = img.good_mask()
    assert good.sum() == 149 and (~good).sum() == 76
    from pyciao.dmstat import image_stats
    st = image_stats("x", img.data, good, img.axes)
    assert st.cntrd_phys == [pytest.approx(3840.0), pytest.approx(3599.0)]


def test_f11_cube_region_with_null_value(tmp_path):
    cube = np.ones((23, 500, 500), "i2")
    path = _image(tmp_path, "cube.fits", cube, (3900.0, 4100.0), extra_axes=[("time", 59969682.285558, 1000.0)])
    img = open_virtual(path + "[sky=region(circle(4143.5,4266.5,137.16489))][opt null=-99]")
    assert img.shape_fits == (275, 275, 23)
    assert (img.axes[0].crval, img.axes[1].crval) == (4006.0, 4129.0)
    out = tmp_path / "o.fits"
    write_view(str(out), img)
    with fits.open(out, do_not_scale_image_data=True) as f:
        assert f[0].header["BLANK"] == -99 and f[0].header["CRVAL1P"] == 4006.0
        assert (f[0].data == -99).sum() == 23 * (275 * 275 - img.valid[0].sum())


def test_f9_cube_time_range_keeps_overlapping_planes(tmp_path):
    cube = np.arange(23 * 4 * 4, dtype="i2").reshape(23, 4, 4)
    path = _image(tmp_path, "cube.fits", cube, (0.5, 0.5), extra_axes=[("time", 59969682.285558, 1000.0)])
    img = open_virtual(path + "[time=59969680:59973180]")
    assert img.shape_fits == (4, 4, 4)
    np.testing.assert_array_equal(img.data, cube[:4])
    plane = open_virtual(path + "[#3=10]")
    assert plane.shape_fits == (4, 4, 1) and plane.data[0, 0, 0] == cube[9, 0, 0]
    flat = open_virtual(path + "[#3=10][bin x,y]")
    assert flat.data.shape == (4, 4)
    np.testing.assert_array_equal(flat.data, cube[9])


def test_image_rebin_by_factor(tmp_path):
    data = np.arange(36, dtype="i4").reshape(6, 6)
    path = _image(tmp_path, "i.fits", data, (0.5, 0.5))
    img = open_virtual(path + "[bin sky=2]")
    assert img.data.shape == (3, 3) and img.data[0, 0] == data[:2, :2].sum()
    assert img.axes[0].cdelt == 2.0 and img.axes[0].crval == 0.5


def test_opt_full_keeps_size_and_bad_axis_named(tmp_path):
    path = _image(tmp_path, "img.fits", np.ones((100, 100), "f4"), (3800.5, 3560.5))
    img = open_virtual(path + "[sky=circle(3840,3599,7)][opt full]")
    assert img.shape_fits == (100, 100) and img.good_mask().sum() == 149
    from pyciao.errors import ToolError
    with pytest.raises(ToolError, match="'z' is not an axis"):
        open_virtual(path + "[bin z=2]")
