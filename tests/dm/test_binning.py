"""Binning grids and binned-image headers: spec dm.md §8.2 and the obs1479 CIAO images."""
import shutil
import subprocess

import numpy as np
import pytest
from astropy.io import fits
from astropy.wcs import WCS

from pyciao.dm.binning import resolve_grid
from pyciao.dm.syntax import parse_virtual_file
from pyciao.dm.virtual import open_virtual
from pyciao.dm.writer import write_view

pytestmark = pytest.mark.filterwarnings("ignore::astropy.wcs.FITSFixedWarning")

ACIS_LIM = {"x": (0.5, 8192.5), "y": (0.5, 8192.5), "pi": (1, 1024), "pha": (0, 4095),
            "energy": (0.0, 1e6)}


@pytest.fixture
def acis(make_events):
    rng = np.random.default_rng(1479)
    n = 2000
    cols = {
        "time": np.sort(rng.uniform(59969682.285558, 59969682.285558 + 22500.0, n)),
        "x": rng.uniform(3000, 5000, n).astype("f4"),
        "y": rng.uniform(3000, 5000, n).astype("f4"),
        "pha": rng.integers(1, 2049, n).astype("i4"),
        "pi": rng.integers(1, 1025, n).astype("i4"),
        "energy": rng.uniform(300, 8000, n).astype("f4"),
        "flux": rng.uniform(0, 2, n).astype("f8"),
    }
    cols["x"][:4] = [4470.0, 5663.999, 5669.999, 5670.0]       # edges for B12
    return make_events(columns=cols, tlim={k: v for k, v in ACIS_LIM.items()},
                       header={"TSTART": 59969682.285558, "TSTOP": 59969682.285558 + 22500.0})


def grid(path, spec):
    vf = parse_virtual_file(path + spec)
    view = open_virtual(parse_virtual_file(path + spec.split("[bin")[0]) if "[bin" in spec else vf)
    return resolve_grid(view, vf.bin)


def test_b1_default_range_from_tlmin_tlmax(acis):
    gx, gy = grid(acis, "[bin x=::4,y=::4]")
    assert (gx.n, gy.n, gx.lo, gx.step) == (2048, 2048, 0.5, 4.0)
    gx, gy = grid(acis, "[bin sky=8]")
    assert (gx.n, gy.n, gx.lo) == (1024, 1024, 0.5)


def test_b2_b3_time_cube_axes(acis):
    gx, gy, gt = grid(acis, "[bin x=::8,y=::8,time=::1000]")
    assert (gx.n, gy.n, gt.n) == (1024, 1024, 23)
    assert gt.lo == 59969682.285558 and gt.step == 1000.0
    gx, gy, gt = grid(acis, "[bin x=3900:4400,y=4100:4600,time=::1000]")
    assert (gx.n, gy.n, gt.n, gx.lo, gy.lo, gx.step) == (500, 500, 23, 3900.0, 4100.0, 1.0)


def test_b4_b5_b12_explicit_grids(acis):
    gx, gy = grid(acis, "[bin x=3570:4874:16,y=3650:4980:16]")
    assert (gx.n, gy.n) == (82, 84)
    gx, gy = grid(acis, "[bin x=3595.5:4771.5:#294,y=3799.5:4987.5:#297]")
    assert (gx.n, gy.n, gx.step, gy.step) == (294, 297, 4.0, 4.0)
    (g,) = grid(acis, "[bin x=4470:5670:32]")
    assert (g.n, g.lo, g.lo + g.n * g.step) == (38, 4470.0, 5686.0)


def test_b12_partially_filled_last_bin(acis):
    img = open_virtual(acis + "[bin x=4470:5670:32]")
    e = fits.getdata(acis, 1)
    x = e["x"].astype("f8")
    want = np.histogram(x[(x >= 4470) & (x < 5670)], bins=4470 + 32 * np.arange(39))[0]
    np.testing.assert_array_equal(img.data, want)
    assert img.data[-1] == np.sum((x >= 5654) & (x < 5670))   # 5670.0 itself is not counted
    assert img.data[-1] >= 1


def test_b9_real_histogram_bins(acis):
    img = open_virtual(acis + "[bin energy=500:7000:50]")
    assert img.data.shape == (130,)
    centres = img.axes[0].phys(np.arange(1, 131))
    assert centres[0] == 525.0 and centres[23] == 1675.0
    e = fits.getdata(acis, 1)["energy"].astype("f8")
    assert img.data[23] == np.sum((e >= 1650) & (e < 1700))


def test_b10_b11_integer_columns_centred(acis):
    pi = fits.getdata(acis, 1)["pi"]
    pha = fits.getdata(acis, 1)["pha"]
    for spec in ("[bin pi=1:1024:1]", "[bin pi]"):
        img = open_virtual(acis + spec)
        assert img.data.shape == (1024,) and img.axes[0].crval == 0.5
        np.testing.assert_array_equal(img.data, np.bincount(pi, minlength=1025)[1:])
    img = open_virtual(acis + "[bin pha=1:2048:2]")
    assert img.data.shape == (1024,)
    want = np.bincount((pha - 1) // 2, minlength=1024)
    np.testing.assert_array_equal(img.data, want)


def test_b13_weights(acis):
    img = open_virtual(acis + "[bin x=3000:5000:100,y=3000:5000:100;flux]")
    assert img.data.dtype.kind == "f"
    e = fits.getdata(acis, 1)
    want = np.histogram2d(e["y"].astype("f8"), e["x"].astype("f8"), bins=[np.arange(3000, 5001, 100)] * 2,
                          weights=e["flux"])[0]
    np.testing.assert_allclose(img.data, want, rtol=1e-6)


def test_b14_binned_wcs_keywords(acis, tmp_path):
    img = open_virtual(acis + "[bin x=3595.5:4771.5:#294,y=3799.5:4987.5:#297]")
    out = tmp_path / "img.fits"
    write_view(str(out), img)
    h = fits.getheader(out)
    assert (h["CRPIX1P"], h["CRVAL1P"], h["CDELT1P"], h["LTM1_1"], h["LTV1"]) == (0.5, 3595.5, 4.0, 0.25, -898.375)
    assert h["CRPIX1"] == pytest.approx(125.75, abs=1e-12)
    assert h["CDELT1"] == pytest.approx(-5.46666666667e-4, rel=1e-11)
    assert (h["MTYPE1"], h["MFORM1"], h["MTYPE2"], h["MFORM2"]) == ("sky", "x,y", "EQPOS", "RA,DEC")
    w = WCS(h)
    assert w.has_celestial
    # the world reference pixel (sky 4096.5) maps back to CRVAL
    ra, dec = w.wcs_pix2world([[125.75, (4096.5 - 3799.5) / 4 + 0.5]], 1)[0]
    assert ra == pytest.approx(278.0464) and dec == pytest.approx(-10.5694)
    wp = WCS(h, key="P")
    assert wp.wcs_pix2world([[0.5, 0.5]], 1)[0].tolist() == [3595.5, 3799.5]


def test_b15_block_names(obs1479):
    base = str(obs1479 / "acis_evt2.fits.gz")
    assert open_virtual(base + "[events][bin x=4000:4100:10,y=4000:4100:10]").name == "EVENTS_IMAGE"
    assert open_virtual(base + "[events][bin x=4000:4100:10,y=4000:4100:10][IMAGE]").name == "IMAGE"


def test_overflow_promotes_or_type_option(make_events):
    path = make_events(columns={"x": np.full(40000, 1.5, "f4"), "y": np.full(40000, 1.5, "f4")},
                       tlim={"x": (0.5, 4.5), "y": (0.5, 4.5)})
    img = open_virtual(path + "[bin sky=1]")
    assert img.data.dtype == np.int32 and img.data.max() == 40000
    assert open_virtual(path + "[bin sky=1][opt type=r4]").data.dtype == np.float32
    assert open_virtual(path + "[bin x=0.5:2.5:1,y=0.5:2.5:1]").data.tolist() == [[0, 0], [0, 40000]]


# ------------------------------------------------------------------ obs1479 goldens
GOLDEN = [
    ("acis_dm_bin10_img.fits.gz", "acis_evt2.fits.gz[bin x=4000:4100:10,y=4000:4100:10]"),
    ("acis_dm_bin1_img.fits.gz", "acis_evt2.fits.gz[energy=2000:5000][bin x=4000:4100,y=4000:4100]"),
]
CHECK = ("CTYPE", "CRVAL", "CRPIX", "CDELT", "CUNIT", "LTV", "LTM", "WCSTY", "MTYPE", "MFORM", "DS",
         "HDUNAME", "HDUCLAS", "BITPIX", "NAXIS", "ONTIME", "LIVTIME", "LIVETIME", "EXPOSU")


def _history_command(header):
    """The dmcopy infile recorded in a CIAO HISTORY block (joined across CONT records)."""
    recs = [str(v)[:64].rstrip() for v in header["HISTORY"]]
    tool = max(i for i, r in enumerate(recs) if r.strip().startswith("TOOL  :dmcopy"))
    text = ""
    for r in recs[tool + 1:]:
        tag, body = r.strip()[:4], r[r.index(":") + 1:]
        if tag == "PARM" and text:
            break
        text += body
    return text.split("=", 1)[1]


@pytest.mark.parametrize("gold,cmd", GOLDEN)
def test_obs1479_golden_images(obs1479, tmp_path, gold, cmd):
    gold_h = fits.getheader(obs1479 / gold)
    assert _history_command(gold_h) == cmd        # the command really is the one in HISTORY
    img = open_virtual(str(obs1479 / cmd))
    out = tmp_path / "out.fits"
    write_view(str(out), img)
    with fits.open(out, checksum=True) as mine, fits.open(obs1479 / gold) as ref:
        np.testing.assert_array_equal(mine[0].data, ref[0].data)
        assert mine[0].data.dtype == ref[0].data.dtype
        hm, hr = mine[0].header, ref[0].header
        keys = [k for k in hr if k.lstrip("0123456789").startswith(CHECK)]
        assert len(keys) > 100
        for k in keys:
            assert k in hm, k
            if isinstance(hr[k], float):
                assert hm[k] == pytest.approx(hr[k], rel=1e-12, abs=1e-12), k
            else:
                assert hm[k] == hr[k], k
        extra = [k for k in hm if k.lstrip("0123456789").startswith(("DS", "MTYPE", "LT", "CRPIX")) and k not in hr]
        assert not extra
        assert [h.header.get("HDUNAME") for h in mine] == [h.header.get("HDUNAME") for h in ref]
        for a, b in zip(mine[1:], ref[1:]):
            np.testing.assert_array_equal(a.data, b.data)
            for k in ("EXTNAME", "HDUNAME", "CCD_ID", "TSTART", "TSTOP"):
                assert a.header[k] == b.header[k]
        assert WCS(hm).has_celestial


@pytest.mark.skipif(shutil.which("fitsverify") is None, reason="fitsverify not installed")
@pytest.mark.parametrize("spec", ["acis_evt2.fits.gz[bin x=4000:4100:10,y=4000:4100:10]",
                                  "acis_evt2.fits.gz[ccd_id=2,energy=500:7000][cols -status]",
                                  "acis_evt2.fits.gz[energy=500:7000][bin pi]"])
def test_outputs_pass_fitsverify(obs1479, tmp_path, spec):
    out = tmp_path / "v.fits"
    write_view(str(out), open_virtual(str(obs1479 / spec)))
    r = subprocess.run(["fitsverify", "-q", "-e", str(out)], capture_output=True, text=True)
    assert "verification OK" in r.stdout, r.stdout + r.stderr
