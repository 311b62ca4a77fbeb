"""mkinstmap: the instrument map against the calibration it is built from."""
import shutil
import subprocess

import numpy as np
import pytest
from astropy.io import fits
from pyciao import caldb, geom, mkinstmap
from pyciao.errors import ToolError
from pyciao.expmap.grid import Axis, parse_pixelgrid
from pyciao.mkinstmap import (
    good_fraction,
    instrument_map,
    parse_detsubsys,
    parse_mirror,
    read_weights,
)

DATE = "2005-06-01T00:00:00"
CHIP = Axis(0.5, 1.0, 1024)


@pytest.mark.parametrize("text,ccd,ideal,bpmask", [
    ("ACIS-7", 7, False, None), ("ACIS-S3", 7, False, None), ("acis-i1", 1, False, None),
    ("ACIS-0;IDEAL", 0, True, None), ("ACIS-7;BPMASK=0x03ffff", 7, False, 0x03FFFF),
    ("ACIS-S2;IDEAL;BPMASK=0", 6, True, 0)])
def test_detsubsys(text, ccd, ideal, bpmask):
    d = parse_detsubsys(text)
    assert (d.ccd_id, d.ideal, d.bpmask, d.detnam) == (ccd, ideal, bpmask, f"ACIS-{ccd}")


@pytest.mark.parametrize("text,msg", [("", "empty"), ("ACIS-S7", "S0-S5"), ("HRC-I", "HRC"),
                                      ("ACIS-7;FOO", "qualifier"), ("ACIS-7;BPMASK=zz", "BPMASK")])
def test_detsubsys_errors(text, msg):
    with pytest.raises(ToolError, match=msg):
        parse_detsubsys(text)


def test_mirror():
    assert parse_mirror("HRMA") is False and parse_mirror("HRMA;area=1") is True
    with pytest.raises(ToolError):
        parse_mirror("XMM")


def test_mono_map_is_the_simulator_calibration():
    sim = geom.default_sim("ACIS-I")
    ours = instrument_map(3, [2.3], [1.0], CHIP, CHIP, sim=sim, obs_date=DATE, badpix="NONE")
    ref = caldb.chip_area_map(3, 2.3, sim=sim, obs_date=DATE, badpix="NONE")
    assert np.array_equal(ours, ref)
    # on-axis value = HRMA area x QE (the optical axis lands near chip (740, 969) of I3)
    peak = caldb.onaxis_area(2.3, DATE) * caldb.qe(3, 2.3, DATE)
    assert ours.max() == pytest.approx(float(peak), rel=2e-3)


def test_weights_are_a_weighted_sum_of_mono_maps():
    sim = geom.default_sim("ACIS-I")
    ax = Axis(0.5, 16.0, 64)
    e, w = np.array([1.0, 2.0, 4.0]), np.array([0.2, 0.5, 0.3])
    mixed = instrument_map(2, e, w, ax, ax, sim=sim, obs_date=DATE, badpix="NONE")
    parts = [instrument_map(2, [ei], [1.0], ax, ax, sim=sim, obs_date=DATE, badpix="NONE")
             for ei in e]
    assert np.allclose(mixed, sum(wi * p for wi, p in zip(w, parts)), rtol=1e-12)


def test_a_spectrum_is_tabulated_in_theta():
    """Many energies: the response is tabulated on a fine grid of off-axis angles; it equals
    the weighted sum of monochromatic maps to 1e-6."""
    sim = geom.default_sim("ACIS-I")
    ax = Axis(0.5, 32.0, 32)
    e = np.linspace(0.5, 7.0, 12)
    w = np.linspace(1.0, 0.2, 12)
    spec = instrument_map(0, e, w, ax, ax, sim=sim, obs_date=DATE, badpix="NONE")
    ref = sum(wi * instrument_map(0, [ei], [1.0], ax, ax, sim=sim, obs_date=DATE, badpix="NONE")
              for ei, wi in zip(e, w))
    assert np.max(np.abs(spec / ref - 1)) < 1e-6


def test_ideal_unit_area_is_a_geometry_map(sim):
    bp = f"{sim.paths['bpix']}[BADPIX3]"
    m = instrument_map(3, [2.3], [1.0], CHIP, CHIP, sim=sim.obs.sim, obs_date=DATE, badpix=bp,
                       ideal=True, unit_area=True)
    assert set(np.unique(m)) == {0.0, 1.0}
    bad = np.zeros((1024, 1024), bool)
    for x0, x1, y0, y1 in sim.obs.badpix[3]:
        bad[y0 - 1:y1, x0 - 1:x1] = True
    assert np.array_equal(m == 0, bad)


def test_window_mask_and_binned_grid():
    bad = np.zeros((1024, 1024), bool)
    bad[:, 10] = True                                    # chip column 11
    ax, ay = parse_pixelgrid("1:1024:#256,1:1024:#128")  # 4 x 8 chip pixels per map pixel
    g = good_fraction(bad, ax, ay)
    assert g.shape == (128, 256) and g[0, 2] == 0.75 and g[5, 0] == 1.0
    assert g.mean() == pytest.approx(1 - 1 / 1024)
    sim = geom.default_sim("ACIS-I")
    m = instrument_map(3, [1.0], [1.0], CHIP, CHIP, sim=sim, obs_date=DATE, badpix="NONE",
                       window=[(101, 200, 1, 1024)])
    assert np.all(m[:, 100:200] > 0) and np.all(m[:, :100] == 0) and np.all(m[:, 200:] == 0)
    # a grid reaching past the chip: pixels off the chip are zero
    off = Axis(-99.5, 1.0, 200)
    m = instrument_map(3, [1.0], [1.0], off, CHIP, sim=sim, obs_date=DATE, badpix="NONE")
    assert np.all(m[:, :100] == 0) and np.all(m[:, 100:] > 0)


def test_read_weights(tmp_path):
    # TV-12 layout: make_instmap_weights output with the band in header comments
    f = tmp_path / "w.txt"
    f.write_text("#TEXT/SIMPLE\n# X WEIGHT\n# ENERG_LO = 0.5 / keV\n# ENERG_HI = 8.0 / keV\n"
                 "0.625 0.0005505499378475431\n1.875 0.07413742820878573\n"
                 "7.875 0.012220642621851999\n")
    e, w, lo, hi = read_weights(f)
    assert list(e) == [0.625, 1.875, 7.875] and (lo, hi) == (0.5, 8.0)
    g = tmp_path / "g.txt"
    g.write_text("1.0 0.5\n1.5 0.5\n2.0 0\n")
    assert read_weights(g)[2:] == (0.75, 2.25)           # (3 x1 - x2)/2, (3 xn - x(n-1))/2
    for bad in ("", "1.0\n", "-1 0.5\n", "1 -0.5\n"):
        b = tmp_path / "bad.txt"
        b.write_text(bad)
        with pytest.raises(ToolError):
            read_weights(b)


def _params(sim, out, **kw):
    base = dict(outfile=str(out), spectrumfile="NONE", monoenergy=2.3,
                pixelgrid="1:1024:#1024,1:1024:#1024", obsfile=sim.paths["evt"], detsubsys="ACIS-3",
                grating="NONE", maskfile=sim.paths["msk"], mirror="HRMA", dafile="CALDB",
                ardlibparfile="ardlib.par", clobber=False)
    base.update(kw)
    return base


def _ardlib(tmp_path, monkeypatch, value):
    """Set ardlib's bad pixel file for ACIS-3 (in the test's own user parameter folder)."""
    import paramio

    paramio.pset("ardlib", "AXAF_ACIS3_BADPIX_FILE", value)


def test_tool_writes_the_map(sim, tmp_path, monkeypatch):
    _ardlib(tmp_path, monkeypatch, f"{sim.paths['bpix']}[BADPIX3]")
    out = tmp_path / "3.instmap"
    mkinstmap.run(_params(sim, out))
    with fits.open(out) as h:
        data, hd = h[0].data, h[0].header
    ref = caldb.chip_area_map(3, 2.3, sim=sim.obs.sim, obs_date=sim.obs.config.date,
                              badpix=f"{sim.paths['bpix']}[BADPIX3]")
    assert np.allclose(data, ref, rtol=1e-6)                 # float32 storage
    assert int(np.sum(data == 0)) == 1024 + 5                # the bad column and hot pixels
    assert hd["BUNIT"] == "cm**2 counts/photon" and hd["CCD_ID"] == 3 and hd["DETNAM"] == "ACIS-3"
    band = (hd["SPECTRUM"], hd["ENERG_LO"], hd["ENERG_HI"], hd["GRATING"])
    assert band == ("NONE", 2.3, 2.3, "NONE")
    assert (hd["MTYPE1"], hd["MFORM1"], hd["CTYPE1P"]) == ("chip", "chipx,chipy", "chipx")
    assert (hd["CRVAL1P"], hd["CRPIX1P"], hd["CDELT1P"]) == (0.5, 0.5, 1.0)
    assert hd["DATE-OBS"] == sim.obs.config.date[:19] and "SIM_X" in hd
    if shutil.which("fitsverify"):
        r = subprocess.run(["fitsverify", "-q", "-e", str(out)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout


def test_tool_spectrum_file_and_time_units(sim, tmp_path, monkeypatch):
    _ardlib(tmp_path, monkeypatch, "NONE")
    wf = tmp_path / "w.txt"
    wf.write_text("# ENERG_LO = 1.0\n# ENERG_HI = 3.0\n1.5 0.25\n2.5 0.75\n")
    out = tmp_path / "w.instmap"
    mkinstmap.run(_params(sim, out, spectrumfile=str(wf), monoenergy=1.0, maskfile="NONE"))
    with fits.open(out) as h:
        assert (h[0].header["ENERG_LO"], h[0].header["ENERG_HI"]) == (1.0, 3.0)
        assert h[0].header["WGTFILE"] == "w.txt"
        d = h[0].data
    one = [instrument_map(3, [e], [1.0], CHIP, CHIP, sim=sim.obs.sim, obs_date=sim.obs.config.date,
                          badpix="NONE") for e in (1.5, 2.5)]
    assert np.allclose(d, 0.25 * one[0] + 0.75 * one[1], rtol=1e-6)
    out2 = tmp_path / "t.instmap"
    mkinstmap.run(_params(sim, out2, detsubsys="ACIS-3;IDEAL", mirror="HRMA;area=1", dafile="NONE"))
    with fits.open(out2) as h:
        assert h[0].header["BUNIT"] == "" and set(np.unique(h[0].data)) == {1.0}


def test_tool_errors(sim, tmp_path, monkeypatch):
    _ardlib(tmp_path, monkeypatch, "NONE")
    out = tmp_path / "x.instmap"
    nosim = tmp_path / "nosim.fits"
    fits.PrimaryHDU(header=fits.Header([("DATE-OBS", "2005-06-01T00:00:00")])).writeto(nosim)
    for kw, msg in ((dict(grating="HETG"), "grating"), (dict(detsubsys="HRC-I"), "HRC"),
                    (dict(pixelgrid="1:1024"), "pixelgrid"), (dict(dafile="da.fits"), "dead-area"),
                    (dict(obsfile=""), "obsfile"), (dict(obsfile=str(nosim)), "SIM"),
                    (dict(spectrumfile=str(tmp_path / "none.txt")), "Unable to read")):
        with pytest.raises(ToolError, match=msg):
            mkinstmap.run(_params(sim, out, **kw))
    assert not out.exists()
