"""asphist: the aspect histogram core and tool."""
import shutil
import subprocess

import numpy as np
import pytest
from astropy.io import fits
from pyciao import asphist, geom
from pyciao.errors import ToolError
from pyciao.expmap.aspect import aspect_histogram, max_bin_for, sample_durations

# --------------------------------------------------------------------------- the core

def test_sample_durations_clip_to_gtis_exactly():
    t = np.arange(0.0, 10.0, 0.25)                       # samples at 0, 0.25, ... 9.75
    # each sample stands for +-0.125 s; GTIs [1, 2) and [5.1, 5.3) and beyond the samples
    d = sample_durations(t, [[1.0, 2.0], [5.1, 5.3], [9.9, 20.0]])
    assert d[4] == pytest.approx(0.125) and d[5] == pytest.approx(0.25)     # 1.0: half inside
    assert d[20] == pytest.approx(0.025) and d[21] == pytest.approx(0.175)  # 5.0 and 5.25
    assert d[39] == pytest.approx(0.0)                   # 9.75 covers 9.625..9.875: outside
    assert d.sum() == pytest.approx(1.0 + 0.2)


def test_durations_sum_to_livetime_of_the_simulation(sim):
    obs = sim.obs
    asp, tm = obs.aspect, obs.timing
    h = aspect_histogram(asp.time, asp.ra, asp.dec, asp.roll, [[tm.tstart, tm.tstop]],
                         ra_nom=asp.ra_nom, dec_nom=asp.dec_nom, roll_nom=asp.roll_nom,
                         dtcor=tm.dtcor)
    assert h.total == pytest.approx(tm.livetime, rel=1e-12)
    # an 8" Lissajous in 0.5" cells: offsets span +-8" rotated by the roll (30 deg)
    span = (np.cos(np.radians(30)) + np.sin(np.radians(30))) * 16.0 / 0.5
    assert h.x_offbin.min() == 1 and h.x_offbin.max() == pytest.approx(span, abs=2)
    assert np.all(h.roll_offbin == 1) and np.allclose(h.roll_offset, 0.0)
    assert len(np.unique(np.c_[h.x_offbin, h.y_offbin], axis=0)) == len(h)


def test_offsets_are_the_axis_position_on_the_sky():
    t = np.arange(0.0, 100.0, 0.256)
    ra0, dec0, roll0 = 10.0, 40.0, 75.0
    # the axis sits 5 sky pixels east (x decreases) of the nominal pointing all the time
    ra, dec = geom.sky_to_celestial(geom.SKY_REFPIX - 5.0, geom.SKY_REFPIX, ra0, dec0)
    n = t.size
    h = aspect_histogram(t, np.full(n, ra), np.full(n, dec), np.full(n, roll0 + 0.01),
                         [[0.0, 100.0]], ra_nom=ra0, dec_nom=dec0, roll_nom=roll0, dtcor=0.9)
    assert len(h) == 1
    assert h.x_offset[0] == pytest.approx(-5.0, abs=1e-9)
    assert h.y_offset[0] == pytest.approx(0.0, abs=1e-9)
    assert h.roll_offset[0] == pytest.approx(0.01)
    assert h.duration[0] == pytest.approx((t[-1] + 0.128) * 0.9)       # covered time x DTCOR


def test_files_in_any_order_give_the_same_histogram(sim):
    asp, tm = sim.obs.aspect, sim.obs.timing
    kw = dict(ra_nom=asp.ra_nom, dec_nom=asp.dec_nom, roll_nom=asp.roll_nom, dtcor=tm.dtcor)
    gti = [[tm.tstart, tm.tstop]]
    a = aspect_histogram(asp.time, asp.ra, asp.dec, asp.roll, gti, **kw)
    half = len(asp.time) // 2
    order = np.r_[np.arange(half, len(asp.time)), np.arange(0, half + 10)]   # overlap too
    b = aspect_histogram(asp.time[order], asp.ra[order], asp.dec[order], asp.roll[order], gti, **kw)
    assert np.array_equal(a.duration, b.duration) and np.array_equal(a.x_offset, b.x_offset)


def test_hrc_dead_time_factors_interpolated():
    t = np.arange(0.0, 1000.0, 0.256)
    z = np.zeros(t.size)
    h = aspect_histogram(t, z + 10, z + 20, z, [[0.0, 1000.0]], ra_nom=10, dec_nom=20, roll_nom=0,
                         dtf=(np.array([0.0, 1000.0]), np.array([1.0, 0.5])))
    # live time = integral of a DTF falling linearly from 1 to 0.5 over the covered range
    covered = t[-1] + 0.128 - 0.0
    assert h.total == pytest.approx(covered * 0.75, rel=2e-4)


def test_max_bin_coarsens_with_a_warning(sim, capsys):
    asp, tm = sim.obs.aspect, sim.obs.timing
    h = aspect_histogram(asp.time, asp.ra, asp.dec, asp.roll, [[tm.tstart, tm.tstop]],
                         ra_nom=asp.ra_nom, dec_nom=asp.dec_nom, roll_nom=asp.roll_nom, max_bin=100)
    assert len(h) <= 100 and h.res_xy > 0.5
    assert "exceed max_bin=100" in capsys.readouterr().err
    assert h.total == pytest.approx(tm.ontime, rel=1e-12)


def test_fluximage_max_bin_rule():
    # TV-13
    assert max_bin_for([0, 0.0044], [0, 0.0044], [0, 0.001]) == 10000
    assert max_bin_for([0, 0.05], [0, 0.05], [0, 1.0]) == 1048576


def test_errors():
    t = np.arange(10.0)
    with pytest.raises(ToolError, match="good time"):
        aspect_histogram(t, t, t, t, [[100.0, 200.0]], ra_nom=0, dec_nom=0, roll_nom=0)
    with pytest.raises(ToolError, match="different lengths"):
        aspect_histogram(t, t[:5], t, t, [[0, 9]], ra_nom=0, dec_nom=0, roll_nom=0)
    with pytest.raises(ToolError, match="res_xy"):
        aspect_histogram(t, t, t, t, [[0, 9]], ra_nom=0, dec_nom=0, roll_nom=0, res_xy=0)


# --------------------------------------------------------------------------- the tool

@pytest.fixture(scope="module")
def histfile(sim, tmp_path_factory):
    d = tmp_path_factory.mktemp("asphist")
    out = d / "3.asphist"
    lis = d / "asol.lis"
    lis.write_text(f"# the aspect solution\n{sim.paths['asol']}\n")
    asphist.run(dict(infile=f"@{lis}", outfile=str(out), evtfile=f"{sim.paths['evt']}[ccd_id=3]",
                     res_xy=0.5, res_roll=600.0, max_bin=10000.0, clobber=False))
    return out


def test_tool_output_block(histfile, sim):
    with fits.open(histfile) as h:
        b = h["ASPHIST"]
        names = b.columns.names
        assert names[:7] == ["X_OFFBIN", "Y_OFFBIN", "ROLL_OFFBIN", "X_OFFSET", "Y_OFFSET",
                             "ROLL_OFFSET", "DURATION"]
        assert b.columns["DURATION"].unit == "s" and b.columns["X_OFFSET"].unit == "pixel"
        hd = b.header
        assert (hd["MTYPE1"], hd["MFORM1"]) == ("POS_OFFBIN", "X_OFFBIN,Y_OFFBIN")
        assert (hd["MTYPE2"], hd["MFORM2"]) == ("POS_OFFSET", "X_OFFSET,Y_OFFSET")
        # sum(DURATION) is the chip's live time; the observation keywords are carried
        assert b.data["DURATION"].sum() == pytest.approx(hd["LIVTIME3"], rel=1e-9)
        for k in ("RA_NOM", "DEC_NOM", "ROLL_NOM", "SIM_X", "DATE-OBS", "DTCOR"):
            assert k in hd
        assert hd["RES_XY"] == 0.5 and "TTYPE20" not in hd and "TCRVL11" not in hd
        g = h["GTI"].data
        assert g["START"][0] == sim.obs.timing.tstart and g["STOP"][0] == sim.obs.timing.tstop


def test_tool_fitsverify(histfile):
    if shutil.which("fitsverify") is None:
        pytest.skip("fitsverify not installed")
    r = subprocess.run(["fitsverify", "-q", "-e", str(histfile)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_tool_stack_of_split_files(sim, tmp_path, histfile):
    """Two aspect files, listed late-first, give the histogram of the single file."""
    with fits.open(sim.paths["asol"]) as h:
        n = len(h[1].data)
        for name, sl in (("a.fits", slice(0, n // 2)), ("b.fits", slice(n // 2, n))):
            part = fits.HDUList([h[0].copy(), fits.BinTableHDU(h[1].data[sl], h[1].header)])
            part.writeto(tmp_path / name)
    out = tmp_path / "two.asphist"
    asphist.run(dict(infile=f"{tmp_path / 'b.fits'},{tmp_path / 'a.fits'}", outfile=str(out),
                     evtfile=f"{sim.paths['evt']}[ccd_id=3]", res_xy=0.5, res_roll=600.0,
                     max_bin=10000.0, clobber=False))
    one, two = fits.getdata(histfile, "ASPHIST"), fits.getdata(out, "ASPHIST")
    assert len(one) == len(two)
    assert np.allclose(one["DURATION"], two["DURATION"], rtol=1e-12, atol=1e-9)


def test_tool_unfiltered_event_file_warns(sim, tmp_path, capsys):
    asphist.run(dict(infile=sim.paths["asol"], outfile=str(tmp_path / "all.asphist"),
                     evtfile=sim.paths["evt"], res_xy=0.5, res_roll=600.0, max_bin=10000.0,
                     clobber=False))
    assert "4 GTI blocks" in capsys.readouterr().err


def test_tool_errors(sim, tmp_path, histfile):
    base = dict(infile=sim.paths["asol"], outfile=str(histfile),
                evtfile=f"{sim.paths['evt']}[ccd_id=3]",
                res_xy=0.5, res_roll=600.0, max_bin=10000.0, clobber=False)
    with pytest.raises(ToolError, match="Clobber"):
        asphist.run(base)
    with pytest.raises(ToolError, match="no ra"):
        asphist.run(dict(base, infile=sim.paths["bpix"], outfile=str(tmp_path / "x")))
    with pytest.raises(ToolError, match="evtfile"):
        asphist.run(dict(base, evtfile="", outfile=str(tmp_path / "x")))
    assert not (tmp_path / "x").exists()
