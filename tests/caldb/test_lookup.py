"""The calibration lookup: bundled library values against their published sources, a real
CALDB-format QE file through a temporary $CALDB, and bad-pixel files as ardlib names them."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao import caldb
from pyciao.caldb.index import index_fits_file, write_caldb_index
from pyciao.errors import ToolError


@pytest.fixture(autouse=True)
def no_caldb(monkeypatch):
    monkeypatch.delenv("CALDB", raising=False)


# --- the bundled library --------------------------------------------------------------------

def test_fallback_qe_matches_caldb_values():
    # TV-14 (CXC CALDB acisD1997-04-17qeN0006 via MARX): I3 0.825 @1.5, 0.743 @1.56 (Al edge),
    # S3 0.873 @1.0 keV; the 10 eV resampling must keep them to 0.002
    assert caldb.qe_raw(3, 1.5) == pytest.approx(0.825, abs=0.002)
    assert caldb.qe_raw(3, 1.56) == pytest.approx(0.743, abs=0.002)
    assert caldb.qe_raw(7, 1.0) == pytest.approx(0.873, abs=0.002)
    assert caldb.lookup("QE", ccd_id=7, obs_date="2005-01-01").source == "fallback"


def test_fallback_hrma_matches_marx_raytrace():
    # marx_hrma PROVENANCE: on-axis 752 cm^2 at 1.0 keV, 406 at 2.3, 690 at 2.0, 381 at 5 keV
    assert caldb.effective_area([1.0, 2.0, 2.3, 5.0], 0.0) == pytest.approx([752, 690, 406, 381], abs=1.5)
    v = caldb.vignetting(1.0, [0.0, 14.0])
    assert v[0] == 1.0 and 0.5 < v[1] < 1.0
    # vignetting falls with angle and with energy (the MARX tables say so at 10')
    assert caldb.vignetting(1.0, 10.0) > caldb.vignetting(6.0, 10.0) > caldb.vignetting(8.0, 10.0)
    assert caldb.psf_r50(1.5, 0.0) < caldb.psf_r50(1.5, 10.0)


def test_contamination_grows_with_time_and_bites_soft():
    early = caldb.contam_transmission([0.5, 2.0], "1999-08-14")
    late = caldb.contam_transmission([0.5, 2.0], "2006-01-01")
    assert early[0] == pytest.approx(1.0, abs=1e-3)          # factors are 0 until MET 51.1e6 s (Aug 1999)
    assert late[0] < 0.7 and late[1] > 0.95                     # C/O/F absorb below 1 keV
    assert caldb.qe(3, 0.5, "2006-01-01") == pytest.approx(
        caldb.qe_raw(3, 0.5) * late[0], rel=1e-9)


def test_lookup_errors():
    with pytest.raises(ToolError, match="Unable to find a QE file"):
        caldb.lookup("QE", ccd_id=11, obs_date="2005-01-01")
    with pytest.raises(ToolError, match="Unable to find"):
        caldb.lookup("QE", ccd_id=3, obs_date="1990-01-01")
    with pytest.raises(ToolError, match="Invalid date"):
        caldb.lookup("QE", ccd_id=3, obs_date="soon")


def test_fallback_index_is_a_valid_ogip_table():
    idx = caldb.fallback_root() + "/data/chandra/default/caldb.indx"
    with fits.open(idx) as h:
        names = h[1].columns.names
    for col in ("TELESCOP", "INSTRUME", "CAL_DIR", "CAL_FILE", "CAL_CNAM", "CAL_CBD", "CAL_XNO",
                "CAL_VSD", "CAL_VST", "REF_TIME", "CAL_QUAL"):
        assert col in names


def test_fallback_regenerates_from_sources(shared_data, tmp_path):
    """The committed library is what the generator makes from ../shared/data."""
    from pyciao.caldb import build_fallback

    build_fallback.build(str(shared_data), str(tmp_path))
    ours = caldb.fallback_root()
    for rel in ["data/chandra/acis/acisD1997-04-17qeN0006_pyciao.fits",
                "data/chandra/hrma/hrmaD1999-07-22axeffaN0001_pyciao.fits",
                "data/chandra/hrma/hrmaD1999-07-22vignetN0001_pyciao.fits",
                "data/chandra/tel/telD1999-07-23geomN0001_pyciao.fits",
                "data/chandra/acis/acisD1999-08-13contamN0001_pyciao.fits"]:
        with fits.open(tmp_path / rel) as a, fits.open(f"{ours}/{rel}") as b:
            assert len(a) == len(b)
            for ha, hb in zip(a[1:], b[1:]):
                for name in ha.columns.names:
                    np.testing.assert_array_equal(ha.data[name], hb.data[name])


# --- a real CALDB ---------------------------------------------------------------------------

@pytest.fixture
def real_qe_caldb(shared_data, tmp_path, monkeypatch):
    """$CALDB with the real-format ACIS QE file (symlinked, not copied) and an index we build."""
    root = tmp_path / "caldb"
    qdir = root / "data" / "chandra" / "acis" / "qe"
    qdir.mkdir(parents=True)
    src = shared_data / "marx_caldb" / "caldb" / "acisD1997-04-17qeN0006.fits"
    (qdir / src.name).symlink_to(src)
    rows = index_fits_file(str(qdir / src.name), f"data/chandra/acis/qe/{src.name}")
    write_caldb_index(str(root / "data" / "chandra" / "acis" / "caldb.indx"), rows, root=str(root))
    monkeypatch.setenv("CALDB", str(root))
    return root, rows


def test_real_qe_file_through_lookup(real_qe_caldb):
    root, rows = real_qe_caldb
    # 10 HDUs x 2 datasets (0001: 1997-04-17 .. 2009-11-07, 0002: from 2009-11-01)
    assert len(rows) == 20
    f = caldb.lookup("QE", ccd_id=3, obs_date="2005-06-01", datamode="FAINT")
    assert f.source == "CALDB" and f.extension == 4
    assert f.row.valid_start.year == 1997
    assert fits.getheader(f.path, f.extension)["CCD_ID"] == 3
    # after 2009-11-07 the first dataset has expired: the second (CC33_FAINT allowed) is chosen
    g = caldb.lookup("QE", ccd_id=3, obs_date="2012-01-01", datamode="CC33_FAINT")
    assert g.row.valid_start.year == 2009 and g.extension == 4
    with pytest.raises(ToolError):
        caldb.lookup("QE", ccd_id=3, obs_date="2005-01-01", datamode="CC33_FAINT", fallback=False)
    # the values read through the lookup are the real file's
    assert caldb.qe_raw(3, 1.5, "2005-06-01") == pytest.approx(0.825, abs=0.002)
    assert caldb.qe_raw(7, 1.0, "2005-06-01") == pytest.approx(0.873, abs=0.002)


def test_missing_product_in_caldb_falls_back(real_qe_caldb, capsys):
    f = caldb.lookup("AXEFFA", obs_date="2005-06-01")
    assert f.source == "fallback"
    assert "bundled calibration" in capsys.readouterr().err


# --- bad pixels as ardlib gives them --------------------------------------------------------

def test_real_bpix_file(shared_data):
    bpix = str(shared_data / "regions" / "funtools" / "bpix.ev")
    # ObsID 550 bpix1: ccd 1 has bad columns 304, 303, 409 plus points; ccd 3 is empty
    rects = caldb.bad_pixels(1, f"{bpix}[BADPIX1]")
    cols = sorted(int(x0) for x0, x1, y0, y1 in rects if y0 == 1 and y1 == 1024 and x0 == x1)
    assert cols == [303, 304, 409]
    assert len(caldb.bad_pixels(3, bpix)) == 0
    # ccd 0: a 3-column rectangle 71-73 and two points
    mask = caldb.bad_pixel_mask(0, {"AXAF_ACIS0_BADPIX_FILE": f"{bpix}[BADPIX0]"})
    assert mask[:, 70:73].all() and mask[252, 302] and mask[0, 1022]
    assert mask.sum() == 3 * 1024 + 2
    assert caldb.bad_pixels(0, "NONE").shape == (0, 4)
    assert caldb.bad_pixels(0, {"AXAF_ACIS0_BADPIX_FILE": "NONE"}).shape == (0, 4)
    assert caldb.bad_pixels(0, "CALDB").shape == (0, 4)      # bundled list is empty
    with pytest.raises(ToolError, match="does not exist"):
        caldb.bad_pixels(0, "nofile.fits[BADPIX0]")
