"""dmcopy end to end through run(): goldens, tables, clobber, atomicity, errors."""
import os
import shutil
import subprocess

import numpy as np
import pytest
from astropy.io import fits

from pyciao import dmcopy
from pyciao.errors import ToolError

pytestmark = pytest.mark.filterwarnings("ignore::astropy.wcs.FITSFixedWarning")


def test_golden_bin10_with_history(obs1479, params, tmp_path, monkeypatch):
    # replay the recorded command in a scratch directory, names exactly as CIAO saw them
    (tmp_path / "acis_evt2.fits.gz").symlink_to(obs1479 / "acis_evt2.fits.gz")
    monkeypatch.chdir(tmp_path)
    dmcopy.run(params("dmcopy", infile="acis_evt2.fits.gz[bin x=4000:4100:10,y=4000:4100:10]",
                      outfile="acis_dm_bin10_img.fits.gz", clobber=True))
    gold = fits.open(obs1479 / "acis_dm_bin10_img.fits.gz")
    mine = fits.open("acis_dm_bin10_img.fits.gz", checksum=True)      # gzip-compressed like CIAO's
    np.testing.assert_array_equal(mine[0].data, gold[0].data)
    assert mine[0].header["HISTNUM"] == gold[0].header["HISTNUM"] == 500
    ours = [str(v) for v in mine[0].header["HISTORY"]][-8:]
    theirs = [str(v) for v in gold[0].header["HISTORY"]][-8:]
    assert ours[0][:16] == theirs[0][:16] == " TOOL  :dmcopy   "[:16]
    assert ours[1:] == theirs[1:]                                   # PARM/CONT records, ASC numbers


def test_filtered_table_copy(obs1479, params, tmp_path):
    out = tmp_path / "evt.fits"
    dmcopy.run(params("dmcopy", infile=str(obs1479 / "acis_evt2.fits.gz") + "[ccd_id=2,energy=500:7000]",
                      outfile=str(out)))
    e = fits.getdata(obs1479 / "acis_evt2.fits.gz", 1)
    m = (e["ccd_id"] == 2) & (e["energy"] >= 500) & (e["energy"] < 7000)
    with fits.open(out, checksum=True) as f:
        assert [h.header.get("HDUNAME") for h in f] == [None, "EVENTS", "GTI3", "GTI0", "GTI1", "GTI2", "GTI6"]
        d = f["EVENTS"].data
        assert len(d) == m.sum()
        for name in e.names:
            np.testing.assert_array_equal(d[name], e[name][m])
        h = f["EVENTS"].header
        assert h["DSTYP1"] == "time" and h["DSREF1"] == ":GTI2" and "2DSREF1" not in h
        assert h["DSVAL2"] == "2:2" and "500:7000" in [h[k] for k in h if k.startswith("DSVAL")]
        assert h["TCTYP11"] == "RA---TAN" and h["TLMAX12"] == 8192.5


def test_cols_and_output_block_name(obs1479, params, tmp_path):
    out = tmp_path / "sel.fits"
    dmcopy.run(params("dmcopy", infile=str(obs1479 / "acis_evt2.fits.gz") + "[cols time,sky,ENERGY]",
                      outfile=str(out) + "[SEL]"))
    with fits.open(out) as f:
        assert f[1].name == "SEL" and f[1].columns.names == ["time", "x", "y", "energy"]
        assert f[1].header["TCTYP2"] == "RA---TAN" and f[1].header["MFORM1"] == "x,y"


def test_clobber_and_atomic_failure(obs1479, params, tmp_path):
    out = tmp_path / "o.fits"
    out.write_text("old")
    with pytest.raises(ToolError, match=f"Clobber set to no, and output file {out} exists."):
        dmcopy.run(params("dmcopy", infile=str(obs1479 / "acis_evt2.fits.gz"), outfile=str(out)))
    with pytest.raises(ToolError, match="column 'nosuch' not found"):
        dmcopy.run(params("dmcopy", infile=str(obs1479 / "acis_evt2.fits.gz") + "[bin nosuch=1:2]",
                          outfile=str(out), clobber=True))
    assert out.read_text() == "old" and os.listdir(tmp_path) == ["o.fits"]


def test_bad_syntax_points_at_column(obs1479, params, tmp_path):
    spec = str(obs1479 / "acis_evt2.fits.gz") + "[cols x"
    with pytest.raises(ToolError) as exc:
        dmcopy.run(params("dmcopy", infile=spec, outfile=str(tmp_path / "x.fits")))
    assert f"column {spec.index('[') + 1} " in str(exc.value) and "unmatched" in str(exc.value)
    assert not (tmp_path / "x.fits").exists()


def test_gti_filter_rewrites_gti_blocks(obs1479, params, tmp_path):
    gti = tmp_path / "g.fits"
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(
        [fits.Column("START", "1D", array=[59267000.0, 59280000.0]),
         fits.Column("STOP", "1D", array=[59275000.0, 59300000.0])], name="GTI")]).writeto(gti)
    out = tmp_path / "f.fits"
    dmcopy.run(params("dmcopy", infile=str(obs1479 / "acis_evt2.fits.gz") + f"[@{gti}]", outfile=str(out)))
    e = fits.getdata(obs1479 / "acis_evt2.fits.gz", 1)
    t = e["time"]
    m = ((t >= 59267000) & (t < 59275000)) | ((t >= 59280000) & (t < 59300000))
    with fits.open(out, checksum=True) as f:
        assert len(f["EVENTS"].data) == m.sum()
        g6 = f[[h.header.get("HDUNAME") for h in f].index("GTI6")].data
        np.testing.assert_allclose(g6["START"], [59267347.33515049, 59273284.01841129, 59280000.0])
        np.testing.assert_allclose(g6["STOP"], [59273280.77745108, 59275000.0, 59288124.93516984])
        h = f["EVENTS"].header
        on3 = (59275000.0 - 59267347.33515049) + (59286734.19593722 - 59280000.0) + (59288124.93516984 - 59286737.43691736)
        assert h["ONTIME3"] == pytest.approx(on3) and h["ONTIME"] == pytest.approx(on3)
        assert h["LIVETIME"] == pytest.approx(on3 * h["DTCOR"])


@pytest.mark.skipif(shutil.which("fitsverify") is None, reason="fitsverify not installed")
def test_fitsverify_table_copy(obs1479, params, tmp_path):
    out = tmp_path / "v.fits"
    dmcopy.run(params("dmcopy", infile=str(obs1479 / "acis_evt2.fits.gz") + "[grade=0,2:4,6][cols time,sky,status]",
                      outfile=str(out)))
    r = subprocess.run(["fitsverify", "-q", "-e", str(out)], capture_output=True, text=True)
    assert "verification OK" in r.stdout, r.stdout
