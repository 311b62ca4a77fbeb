"""dmimgthresh and dmimgcalc: CIAO's own dmimgthresh regression output, the exposure-correction
step of expmap_acis_multi (TV-5 zero/NaN rules) on a real counts image, header merging with
CIAO's messages, types, expressions with keywords, bad input."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao import dmimgcalc, dmimgthresh, dmstat
from pyciao.dm import open_virtual
from pyciao.errors import ToolError

FILT = "kglotfelty_ciao_tools/dmimgfilt_test"
NGC = "kglotfelty_ciao_tools/images/ngc5044_obs9399_img.fits"


def write(path, data, **keys):
    h = fits.Header()
    for n in (1, 2):
        h[f"CTYPE{n}P"], h[f"CRVAL{n}P"], h[f"CRPIX{n}P"], h[f"CDELT{n}P"] = "xy"[n - 1], 0.5, 0.5, 1.0
    for k, v in keys.items():
        h[k.replace("_", "-") if k == "DATE_OBS" else k] = v
    fits.PrimaryHDU(np.asarray(data), h).writeto(path)
    return str(path)


# --------------------------------------------------------------------------- dmimgthresh
def test_reproduces_ciao_regression_mask(shared_data, tmp_path, params):
    """img_mask.fits was made by CIAO from img.fits with `dmimgthresh cut=30% value=0` then
    `dmimgthresh cut=:1 value=1` (its HISTORY): the same two steps give the same pixels."""
    img = shared_data / FILT / "img.fits"
    history = [str(h) for h in fits.getheader(shared_data / FILT / "img_mask.fits")["HISTORY"]]
    assert any("cut=30%" in h for h in history) and any("cut=:1" in h for h in history)
    tmp = tmp_path / "img_mask_tmp.fits"
    mask = tmp_path / "img_mask.fits"
    dmimgthresh.run(params("dmimgthresh", infile=str(img), outfile=str(tmp), cut="30%", value=0.0))
    dmimgthresh.run(params("dmimgthresh", infile=str(tmp), outfile=str(mask), cut=":1", value=1.0))
    ours = fits.getdata(mask)
    np.testing.assert_array_equal(ours, fits.getdata(shared_data / FILT / "img_mask.fits"))
    assert ours.dtype == np.dtype(">i2")
    assert fits.getheader(mask)["HISTORY"][-1].startswith(" PARM  :clobber=no")


@pytest.mark.parametrize("text,cut", [
    ("400.0", dmimgthresh.Cut(400.0)), ("1.5%", dmimgthresh.Cut(1.5, None, True)),
    ("20:80", dmimgthresh.Cut(20.0, 80.0)), (":80%", dmimgthresh.Cut(None, 80.0, False, True)),
    ("5:", dmimgthresh.Cut(5.0)), ("INDEF", dmimgthresh.Cut()), ("", dmimgthresh.Cut()),
])
def test_cut_forms(text, cut):
    assert dmimgthresh.parse_cut(text) == cut


@pytest.mark.parametrize("bad", ["abc", "1:2:3", ":", "5%%"])
def test_bad_cut(bad):
    with pytest.raises(ToolError, match="cut"):
        dmimgthresh.parse_cut(bad)


def test_threshold_rules():
    img = np.array([[1.0, 19.0, 20.0], [np.nan, 80.0, 81.0]])
    np.testing.assert_array_equal(dmimgthresh.threshold_image(img, None, "19:19", -1),
                                  [[-1, 19, -1], [-1, -1, -1]])                 # keeps only 19
    np.testing.assert_array_equal(dmimgthresh.threshold_image(img, None, "20:80", 0),
                                  [[0, 0, 20], [0, 80, 0]])
    out = dmimgthresh.threshold_image(img, None, "INDEF", 7)                    # NaN only
    np.testing.assert_array_equal(out, [[1, 19, 20], [7, 80, 81]])
    out = dmimgthresh.threshold_image(img, None, ":99%", None)                  # > 80.19 -> NaN
    assert np.isnan(out[1, 2]) and out[1, 1] == 80.0
    exp = np.array([[100.0, 1.0, 2.0], [100.0, 50.0, 1.4]])
    np.testing.assert_array_equal(dmimgthresh.threshold_image(img, exp, "1.5%", 0),
                                  [[1, 0, 20], [np.nan, 80, 0]])


def test_expfile_counts_image_then_expmap_itself(tmp_path, params, shared_data):
    """The thread's two steps: counts thresholded by the exposure map, then the map itself."""
    counts = fits.getdata(shared_data / NGC).astype("i2")
    yy, xx = np.mgrid[0:counts.shape[0], 0:counts.shape[1]]
    exp = 2.0e6 * np.exp(-((xx - 180.0) ** 2 + (yy - 180.0) ** 2) / (2 * 70.0 ** 2))
    cpath = write(tmp_path / "c.fits", counts)
    epath = write(tmp_path / "e.fits", exp)
    dmimgthresh.run(params("dmimgthresh", infile=cpath, outfile=str(tmp_path / "ct.fits"), expfile=epath,
                           cut="1.5%"))
    dmimgthresh.run(params("dmimgthresh", infile=epath, outfile=str(tmp_path / "et.fits"), cut="1.5%"))
    low = exp < 0.015 * exp.max()
    assert 0 < low.sum() < low.size
    np.testing.assert_array_equal(fits.getdata(tmp_path / "ct.fits"), np.where(low, 0, counts))
    np.testing.assert_array_equal(fits.getdata(tmp_path / "et.fits"), np.where(low, 0, exp))


def test_thresh_bad_input_leaves_no_output(tmp_path, params):
    a = write(tmp_path / "a.fits", np.ones((4, 5)))
    b = write(tmp_path / "b.fits", np.ones((5, 5)))
    out = tmp_path / "o.fits"
    with pytest.raises(ToolError, match="exposure map is 5x5 pixels but the image is 5x4"):
        dmimgthresh.run(params("dmimgthresh", infile=a, outfile=str(out), expfile=b, cut="1"))
    assert not out.exists()


# --------------------------------------------------------------------------- dmimgcalc
@pytest.fixture
def thresholded(tmp_path, params, shared_data):
    """expmap_acis_multi before the division: a real counts image and an exposure map,
    both thresholded at 1.5% of the map's peak (zero outside the exposed area)."""
    counts = fits.getdata(shared_data / NGC).astype("i4")
    yy, xx = np.mgrid[0:counts.shape[0], 0:counts.shape[1]]
    exp = np.where(np.hypot(xx - 180.0, yy - 185.0) < 170, 3.0e6 - 1.0e4 * np.hypot(xx - 180.0, yy - 185.0), 0.0)
    cpath = write(tmp_path / "img.fits", counts, CONTENT="IMAGE", DETNAM="ACIS-7", EXPOSURE=82685.7)
    epath = write(tmp_path / "exp.fits", exp, CONTENT="EXPMAP", DETNAM="ACIS-7", EXPOSURE=82685.7)
    for src, out, exp_file in ((cpath, "img.thresh", epath), (epath, "exp.thresh", "")):
        dmimgthresh.run(params("dmimgthresh", infile=src, outfile=str(tmp_path / out), expfile=exp_file,
                               cut="1.5%"))
    return str(tmp_path / "img.thresh"), str(tmp_path / "exp.thresh"), counts, exp


def stats(path):
    v = open_virtual(path)
    return dmstat.image_stats("x", v.data, v.good_mask(), v.axes, centroid=False)


def test_tv5_div_gives_zero_and_expression_gives_nan(thresholded, tmp_path, params, capsys):
    img, exp, counts, emap = thresholded
    norm, norm2 = str(tmp_path / "norm"), str(tmp_path / "norm2")
    dmimgcalc.run(params("dmimgcalc", infile=img, infile2=exp, outfile=norm, operation="div"))
    assert capsys.readouterr().err == "warning: CONTENT has 1 different values.\n"
    dmimgcalc.run(params("dmimgcalc", infile=f"{img},{exp}", infile2="", outfile=norm2, operation="imgout=img1/img2"))
    assert capsys.readouterr().err == "warning: CONTENT has 1 different values.\n"
    s1, s2 = stats(norm), stats(norm2)
    zero = emap == 0
    assert (s1.good[0], s1.null[0], s1.minimum[0]) == (counts.size, 0, 0.0)           # div: 0, good
    assert (s2.good[0], s2.null[0]) == (counts.size - zero.sum(), zero.sum())         # expr: NaN, null
    assert s1.total[0] == pytest.approx(s2.total[0], rel=1e-12)
    assert s1.maximum[0] == s2.maximum[0]
    expected = np.where(zero, 0.0, counts / np.where(zero, 1.0, emap))
    np.testing.assert_allclose(fits.getdata(norm), expected, rtol=1e-15)
    assert fits.getdata(norm).dtype == np.dtype(">f8")


def test_detnam_merged_and_sum_of_four(tmp_path, params, capsys):
    paths = [write(tmp_path / f"{i}.bin8.expmap", np.full((3, 4), i + 1.0), DETNAM=f"ACIS-{i}", CONTENT="EXPMAP")
             for i in range(4)]
    out = str(tmp_path / "bin8.expmap")
    dmimgcalc.run(params("dmimgcalc", infile=str(tmp_path / "?.bin8.expmap"), infile2="", outfile=out,
                         operation="imgout=img1+img2+img3+img4"))
    assert capsys.readouterr().err == "warning: DETNAM has different value...Merged...\n"
    assert fits.getheader(out)["DETNAM"] == "Merged"
    np.testing.assert_array_equal(fits.getdata(out), np.full((3, 4), 10.0))
    assert len(paths) == 4


def test_header_messages_in_alphabetical_order(tmp_path, params, capsys):
    a = write(tmp_path / "a.fits", np.ones((2, 2)), OBJECT="A", FOC_LEN=10070.0, BTIMCORR=1.0, OBI_NUM=1)
    b = write(tmp_path / "b.fits", np.ones((2, 2)), OBJECT="B", FOC_LEN=10062.0, OBI_NUM=2)
    out = str(tmp_path / "o.fits")
    dmimgcalc.run(params("dmimgcalc", infile=a, infile2=b, outfile=out, operation="add"))
    assert capsys.readouterr().err.splitlines() == [
        "BTIMCORR not present in all input files...FAIL...",
        "omit - FOC_LEN values different more than 1.000000",
        "OBI_NUM values are different...FAIL...",
        "warning: OBJECT has different value...Merged..."]
    h = fits.getheader(out)
    assert "FOC_LEN" not in h and "BTIMCORR" not in h and "OBI_NUM" not in h and h["OBJECT"] == "Merged"


def test_operation_types_and_weights():
    a = np.array([[4, 2]], "i2")
    b = np.array([[2, 0]], "i2")
    assert dmimgcalc.combine("add", a, b).dtype == np.int16
    assert dmimgcalc.combine("sub", a, b).tolist() == [[2, 2]]
    div = dmimgcalc.combine("div", a, b)
    assert div.dtype == np.float64 and div.tolist() == [[2.0, 0.0]]                # x/0 -> 0
    w = dmimgcalc.combine("mul", a, b, weight=2.0, weight2=0.5)
    assert w.dtype == np.float64 and w.tolist() == [[8.0, 0.0]]
    mixed = dmimgcalc.combine("add", a, b.astype("f4"))
    assert mixed.dtype == np.float64
    assert dmimgcalc.combine("add", a, None, weight=3.0).tolist() == [[12.0, 6.0]]


def test_expression_keywords_and_functions(tmp_path, params):
    """expmap_hrci: imgout=img1-((img1_exposure/img2_exposure)*img2)."""
    a = write(tmp_path / "img.bin8", np.array([[10.0, 20.0]]), EXPOSURE=1000.0)
    b = write(tmp_path / "bgimg.bin8", np.array([[100.0, 300.0]]), EXPOSURE=50000.0)
    out = str(tmp_path / "bgsub.bin8")
    dmimgcalc.run(params("dmimgcalc", infile=f"{a},{b}", infile2="none", outfile=out,
                         operation="imgout=img1-((img1_exposure/img2_exposure)*img2)"))
    np.testing.assert_allclose(fits.getdata(out), [[10 - 2.0, 20 - 6.0]])
    got = dmimgcalc.evaluate("imgout=((float)(img1))+sqrt(img2)-ln(exp(1.0))", [np.array([3], "i4"),
                                                                                  np.array([16.0])])
    assert got.tolist() == [6.0]
    assert dmimgcalc.evaluate("imgout=(1-img1)", [np.array([0, 1])]).tolist() == [1, 0]   # mask inversion


@pytest.mark.parametrize("op,message", [
    ("div", "image sizes differ"), ("pow", "unknown operation 'pow'"),
    ("imgout=img1+img3", "refers to image 3 but only 2 images were given"),
    ("imgout=img1+", "ends too early"), ("imgout=img1+nosuch", "unknown name 'nosuch'"),
    ("imgout=img1_exposure*img2", "keyword EXPOSURE not found"),
])
def test_calc_bad_input_leaves_no_output(tmp_path, params, op, message):
    a = write(tmp_path / "a.fits", np.ones((4, 5)))
    b = write(tmp_path / "b.fits", np.ones((5, 5)) if op == "div" else np.ones((4, 5)))
    out = tmp_path / "o.fits"
    with pytest.raises(ToolError, match=message) as caught:
        dmimgcalc.run(params("dmimgcalc", infile=a, infile2=b, outfile=str(out), operation=op))
    assert "\n" not in str(caught.value)
    assert not out.exists()


def test_tst_operation(tmp_path, params):
    a = write(tmp_path / "a.fits", np.ones((2, 2)))
    b = write(tmp_path / "b.fits", np.ones((2, 2)))
    c = write(tmp_path / "c.fits", np.zeros((2, 2)))
    assert dmimgcalc.run(params("dmimgcalc", infile=a, infile2=b, outfile="none", operation="tst")) is None
    with pytest.raises(ToolError, match="differ"):
        dmimgcalc.run(params("dmimgcalc", infile=a, infile2=c, outfile="none", operation="tst"))


def test_command_lines(tmp_path, sh, shared_data):
    img = shared_data / NGC
    done = sh("dmimgthresh", img, "thresh.img", "cut=1.5%", "clob+", cwd=tmp_path)
    assert done.status == 0, done.err
    done = sh("dmimgcalc", img, "thresh.img", "diff.img", "sub", cwd=tmp_path)
    assert (done.status, done.out, done.err) == (0, "", "")
    counts = fits.getdata(img)
    cut = 0.015 * counts.max()
    np.testing.assert_array_equal(fits.getdata(tmp_path / "diff.img"), np.where(counts < cut, counts, 0))
    done = sh("dmimgcalc", img, "none", "diff.img", "add", cwd=tmp_path)
    assert done.status == 1
    assert done.err == ("# dmimgcalc (pyciao 0.1.0): ERROR: Clobber set to no, and output file diff.img "
                        "exists.\n")
