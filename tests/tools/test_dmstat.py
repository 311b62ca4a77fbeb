"""dmstat: spec dm.md §8.5 vectors (layouts with tabs, %.11g numbers, output parameters)."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao import dmstat


def table(tmp_path, name, cols, header=None, units=None, tdisp=None):
    fmt = {np.dtype("f8"): "D", np.dtype("f4"): "E", np.dtype("i2"): "I", np.dtype("i4"): "J"}
    hdu = fits.BinTableHDU.from_columns([fits.Column(k, fmt[np.asarray(v).dtype], array=v,
                                                     unit=(units or {}).get(k)) for k, v in cols.items()])
    for k, v in (header or {}).items():
        hdu.header[k] = v
    path = tmp_path / name
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(path)
    return str(path)


def image(tmp_path, name, data, ltv=(0.0, 0.0), extra=None):
    h = fits.Header()
    h["LTV1"], h["LTV2"], h["LTM1_1"], h["LTM2_2"] = ltv[0], ltv[1], 1.0, 1.0
    for k, v in (extra or {}).items():
        h[k] = v
    path = tmp_path / name
    fits.PrimaryHDU(data, h).writeto(path)
    return str(path)


def test_t1_population_sigma_layout(tmp_path, params, capsys):
    x = 0.625 + 0.25 * np.arange(30)
    path = table(tmp_path, "t1.fits", {"X": x})
    out = dmstat.run(params("dmstat", infile=path + "[cols X]"))
    assert capsys.readouterr().out == ("X\n    min:\t0.625 \t      @:\t1 \n    max:\t7.875 \t      @:\t30 \n"
                                       "   mean:\t4.25 \n  sigma:\t2.1638603621 \n    sum:\t127.5 \n"
                                       "   good:\t30 \n   null:\t0 \n\n")
    assert out["out_sigma"] == "2.1638603621" and out["out_min_loc"] == "1" and out["out_columns"] == "X"


def test_t2_constant_integer_column(tmp_path, params, capsys):
    path = table(tmp_path, "t2.fits", {"ccd_id": np.full(4612, 3, "i2")})
    out = dmstat.run(params("dmstat", infile=path + "[cols ccd_id]"))
    text = capsys.readouterr().out
    assert text.startswith("ccd_id\n    min:\t3 \t      @:\t1 \n    max:\t3 \t      @:\t1 \n   mean:\t3 \n  sigma:\t0 \n")
    assert "    sum:\t13836 \n   good:\t4612 \n" in text
    assert out["out_sum"] == "13836"


def test_t3_g11_formatting_and_units(tmp_path, params, capsys):
    v = np.array([153.60722351, 157.96488953, 155.0], "f8")
    path = table(tmp_path, "t3.fits", {"FP_TEMP": v, "FLUX": v * 1e-17}, units={"FLUX": "ergs/cm**2/s"})
    dmstat.run(params("dmstat", infile=path))
    text = capsys.readouterr().out
    assert "FP_TEMP\n    min:\t153.60722351 \t      @:\t1 \n" in text
    assert "FLUX[ergs/cm**2/s]\n    min:\t1.5360722351e-15 \t" in text


def test_t4_vector_column_tuples(tmp_path, params, capsys):
    ra = np.array([278.0, 278.1, 278.16040708]); dec = np.array([-10.5, -10.6, -10.659475958])
    path = table(tmp_path, "t4.fits", {"RA": ra, "DEC": dec}, units={"RA": "deg", "DEC": "deg"},
                 header={"MTYPE1": "EQPOS", "MFORM1": "RA,DEC"})
    out = dmstat.run(params("dmstat", infile=path + "[cols eqpos]"))
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "EQPOS(RA, DEC)[deg]"
    assert "    min:\t( 278 -10.659475958 )\t      @:\t( 1 3 )" in text
    assert "   good:\t( 3 3 )" in text
    assert out["out_mean"] == f"{ra.mean():.11g},{dec.mean():.11g}"


def test_t5_flat_image_ties_resolve_to_first_pixel(tmp_path, params, capsys):
    data = np.ones((4325, 2100), "i2")
    path = image(tmp_path, "ones.fits", data, ltv=(1.0 - 3089.0, 1.0 - 1707.0))
    out = dmstat.run(params("dmstat", infile=path, centroid=False, sigma=False, median=False))
    text = capsys.readouterr().out
    assert text == ("PRIMARY\n    min:\t1 \t      @:\t( 3089 1707 )\n    max:\t1 \t      @:\t( 3089 1707 )\n"
                    "   mean:\t1 \n    sum:\t9082500 \n   good:\t9082500 \n   null:\t0 \n")
    assert out["out_min_loc"] == "3089,1707"


def test_t7_small_image(tmp_path, params, capsys):
    path = image(tmp_path, "t7.fits", np.arange(1, 10, dtype="i4").reshape(3, 3))
    out = dmstat.run(params("dmstat", infile=path, centroid=False))
    text = capsys.readouterr().out
    assert "    min:\t1 \t      @:\t( 1 1 )\n    max:\t9 \t      @:\t( 3 3 )\n   mean:\t5 \n  sigma:\t2.5819888975 \n    sum:\t45 \n   good:\t9 \n   null:\t0 " in text
    assert out["out_mean"] == "5"


def test_image_centroid_and_nulls(tmp_path, params, capsys):
    data = np.zeros((5, 5), "f4")
    data[1, 3] = 2.0
    data[3, 3] = 2.0
    data[0, 0] = np.nan
    path = image(tmp_path, "c.fits", data, ltv=(-99.0, -199.0))
    out = dmstat.run(params("dmstat", infile=path, centroid=True))
    text = capsys.readouterr().out
    # centroid at logical (4, 3): physical (103, 202)
    assert "cntrd[log] :\t( 4 3 )" in text and "cntrd[phys]:\t( 103 202 )" in text
    assert "   good:\t24 \n   null:\t1 " in text and "mean" not in text
    assert out["out_cntrd_phys"] == "103,202"


def test_t8_median_line_order(tmp_path, params, capsys):
    path = table(tmp_path, "t8.fits", {"ks_prob_b": np.linspace(0, 1, 35)})
    out = dmstat.run(params("dmstat", infile=path, median=True))
    lines = capsys.readouterr().out.splitlines()
    assert [l.split(":")[0] for l in lines[1:9]] == ["    min", "    max", "   mean", " median", "  sigma",
                                                     "    sum", "   good", "   null"]
    assert out["out_median"] == "0.5"


def test_t9_several_files(tmp_path, params, capsys):
    for n in ("imap.e1.fits", "imap.e2.fits"):
        image(tmp_path, n, np.ones((2, 2), "i2"))
    dmstat.run(params("dmstat", infile=str(tmp_path / "imap.*.fits"), centroid=False))
    lines = capsys.readouterr().out.splitlines()
    assert [l for l in lines if l.startswith("File=")] == [f"File={tmp_path}/imap.e1.fits",
                                                           f"File={tmp_path}/imap.e2.fits"]


def test_t10_verbose0_is_silent(tmp_path, params, capsys):
    path = table(tmp_path, "t10.fits", {"X": np.array([1.0, 2.0, 4.0])})
    out = dmstat.run(params("dmstat", infile=path, verbose=0))
    assert capsys.readouterr().out == ""
    assert out["out_sum"] == "7" and out["out_mean"] == "2.3333333333"


def test_sigma_clipping_converges(tmp_path, params, capsys):
    v = np.concatenate([np.full(50, 10.0), np.full(50, 12.0), [1000.0]])
    path = table(tmp_path, "clip.fits", {"V": v})
    out = dmstat.run(params("dmstat", infile=path, clip=True, verbose=0))
    assert out["out_max"] == "12" and out["out_good"] == "100" and out["out_cnvrgd"] == "yes"


def test_real_event_file(obs1479, params, capsys):
    out = dmstat.run(params("dmstat", infile=str(obs1479 / "acis_evt2.fits.gz") + "[ccd_id=2][cols pi]", verbose=0))
    e = fits.getdata(obs1479 / "acis_evt2.fits.gz", 1)
    pi = e["pi"][e["ccd_id"] == 2]
    assert out["out_good"] == str(len(pi)) == "594"
    assert float(out["out_mean"]) == pytest.approx(pi.mean(), rel=1e-10)
    assert out["out_min_loc"] == str(int(np.argmin(pi)) + 1)
