"""The simulated observation: CIAO layout, known truth, physics checks."""
import shutil
import subprocess
import types

import numpy as np
import pytest
from astropy.io import fits
from astropy.wcs import WCS

from pyciao import caldb, geom, simobs
from pyciao.errors import ToolError
from pyciao.sim.observe import ObsConfig, simulate
from pyciao.sim.sources import Source, Spectrum, parse_srclist

PRODUCTS = ["evt2", "asol1", "bpix1", "msk1", "fov1", "truth"]


def params(**kw):
    base = dict(outroot="sim", srclist="", ra=150.0, dec=2.2, roll=30.0, detector="ACIS-I",
                exposure=5000.0, bkgrate=0.1, date="2005-06-01T00:00:00", seed=1,
                dither_amp=None, dither_yperiod=None, dither_zperiod=None, obsid=90001,
                clobber=False, verbose=0)
    base.update(kw)
    return types.SimpleNamespace(**base)


@pytest.fixture(scope="module")
def default_sim(tmp_path_factory):
    """What ``simobs outroot=sim`` does with every default (the default field): the same
    parameters to config, simulation and writers, keeping the in-memory observation too."""
    from pyciao.sim.products import write_all

    out = tmp_path_factory.mktemp("sim") / "sim"
    obs = simulate(simobs.config_from_params(params(outroot=str(out))))
    write_all(str(out), obs)
    return obs, out


@pytest.fixture(scope="module")
def default_run(default_sim):
    return default_sim[1]


@pytest.fixture(scope="module")
def default_obs(default_sim):
    return default_sim[0]


def test_all_products_written_and_valid(default_run):
    for p in PRODUCTS:
        path = f"{default_run}_{p}.fits"
        with fits.open(path, checksum=True) as h:
            assert h[0].header["NAXIS"] == 0
    if shutil.which("fitsverify") is None:
        pytest.skip("fitsverify not installed")
    for p in PRODUCTS:
        r = subprocess.run(["fitsverify", "-q", "-e", f"{default_run}_{p}.fits"],
                           capture_output=True, text=True)
        assert r.returncode == 0 and "verification OK" in r.stdout, r.stdout + r.stderr


def test_event_layout_follows_real_evt2(default_run, shared_data):
    real = fits.open(shared_data / "xrayevents_obs1479" / "acis_evt2.fits.gz")["EVENTS"]
    with fits.open(f"{default_run}_evt2.fits") as h:
        ev = h["EVENTS"]
        names = ev.columns.names
        assert names == ["time", "ccd_id", "node_id", "expno", "chipx", "chipy", "tdetx", "tdety",
                         "detx", "dety", "x", "y", "pha", "energy", "pi", "grade", "status"]
        rh, sh = real.header, ev.header
        rcol = {real.columns.names[i]: i + 1 for i in range(len(real.columns))}
        for i, name in enumerate(names, start=1):
            j = rcol[name]
            assert sh[f"TFORM{i}"] == rh[f"TFORM{j}"], name
            for k in ("TLMIN", "TLMAX", "TUNIT", "TNULL"):
                assert sh.get(f"{k}{i}") == rh.get(f"{k}{j}"), (name, k)
        for key in ("TELESCOP", "INSTRUME", "DETNAM", "OBS_ID", "DATE-OBS", "TSTART", "TSTOP",
                    "EXPOSURE", "ONTIME", "LIVETIME", "DTCOR", "RA_NOM", "DEC_NOM", "ROLL_NOM",
                    "RA_PNT", "DEC_PNT", "ROLL_PNT", "SIM_X", "SIM_Y", "SIM_Z", "TIMEDEL",
                    "CONTENT", "HDUCLASS", "HDUCLAS1", "MJDREF", "ASOLFILE", "BPIXFILE",
                    "MASKFILE"):
            assert key in sh, key
        assert sh["DETNAM"] == "ACIS-0123" and sh["CONTENT"] == "EVT2"
        # sky WCS on the x/y columns as in real files
        for k in ("TCTYP11", "TCTYP12", "TCRPX11", "TCDLT11", "TCDLT12"):
            assert sh[k] == rh[k], k
        # dead time: 3.2 s of every 3.24104 s frame, as in the real file's DTCOR
        assert sh["DTCOR"] == pytest.approx(rh["DTCOR"], rel=1e-9)
        assert sh["LIVETIME"] == pytest.approx(sh["ONTIME"] * sh["DTCOR"], rel=1e-12)
        for c in range(4):
            assert sh[f"LIVTIME{c}"] == sh["LIVETIME"]
        # one GTI block per chip; the time subspace points at them
        gtis = [x for x in h if x.name == "GTI"]
        assert sorted(x.header["CCD_ID"] for x in gtis) == [0, 1, 2, 3]
        assert {x.header["HDUNAME"] for x in gtis} == {"GTI0", "GTI1", "GTI2", "GTI3"}
        refs = [sh[k] for k in ("DSREF1", "2DSREF1", "3DSREF1", "4DSREF1")]
        assert refs == [":GTI0", ":GTI1", ":GTI2", ":GTI3"]
        d = ev.data
        assert np.all(np.diff(d["time"]) >= 0)
        assert d["time"].min() >= sh["TSTART"] and d["time"].max() <= sh["TSTOP"]
        assert set(np.unique(d["ccd_id"])) <= {0, 1, 2, 3}


def test_bright_point_source_centroids_on_its_input_position(default_run):
    """The centroid of the on-axis source, through the file's own sky WCS, within 0.1"."""
    with fits.open(f"{default_run}_truth.fits") as t:
        src = t["TRUTH"].data
    with fits.open(f"{default_run}_evt2.fits") as h:
        d, hdr = h["EVENTS"].data, h["EVENTS"].header
    w = WCS(naxis=2)
    w.wcs.ctype = [hdr["TCTYP11"], hdr["TCTYP12"]]
    w.wcs.crval = [hdr["TCRVL11"], hdr["TCRVL12"]]
    w.wcs.crpix = [hdr["TCRPX11"], hdr["TCRPX12"]]
    w.wcs.cdelt = [hdr["TCDLT11"], hdr["TCDLT12"]]
    for name, radius_arcsec in (("onaxis", 3.0), ("offaxis5", 10.0)):
        s = src[src["NAME"] == name][0]
        x0, y0 = w.all_world2pix(s["RA"], s["DEC"], 1)
        for _ in range(3):
            m = np.hypot(d["x"] - x0, d["y"] - y0) < radius_arcsec / 0.492
            x0, y0 = d["x"][m].mean(), d["y"][m].mean()
        assert m.sum() > 5000
        ra, dec = w.all_pix2world(x0, y0, 1)
        off = np.hypot((ra - s["RA"]) * np.cos(np.radians(dec)), dec - s["DEC"]) * 3600
        assert off < 0.1, (name, off)


def test_detected_counts_equal_truth(default_run):
    with fits.open(f"{default_run}_truth.fits") as t:
        src, bkg = t["TRUTH"].data, t["BACKGROUND"].data
    assert list(src["NAME"]) == ["onaxis", "offaxis5", "edge", "disk", "pow"]
    for row in src:
        assert row["DET_TOTAL"] > 2000
        assert abs(row["DET_TOTAL"] - row["EXP_TOTAL"]) < 3 * np.sqrt(row["EXP_TOTAL"]), row["NAME"]
        for e, n in zip(row["EXPECTED"], row["DETECTED"]):
            if e > 0:
                assert abs(n - e) < 3 * np.sqrt(e) + 1
            else:
                assert n == 0
    for row in bkg:
        assert abs(row["DETECTED"] - row["EXPECTED"]) < 3 * np.sqrt(row["EXPECTED"])
    # the edge source loses ~40% of its photons off the chip as it dithers (truth knows)
    edge = src[src["NAME"] == "edge"][0]
    on = src[src["NAME"] == "onaxis"][0]
    ratio = (edge["EXP_TOTAL"] / edge["PHOTFLUX"]) / (on["EXP_TOTAL"] / on["PHOTFLUX"])
    assert 0.4 < ratio < 0.8


def test_truth_detected_column_counts_the_events(default_obs):
    obs = default_obs
    for i, row in enumerate(obs.truth["sources"]):
        for c in obs.config.chips:
            n = int(np.sum((obs.source_id == i) & (obs.events["ccd_id"] == c)))
            assert row["detected"][c] == n


def test_truth_of_onaxis_source_by_hand(default_obs):
    """On axis, far from edges and bad pixels: N = F x EA(2.3 keV) x QE_I3(2.3 keV, 2005) x
    LIVETIME, with vignetting ~1 within the 8" dither (the MARX table gives 0.999 at 1')."""
    obs = default_obs
    row = obs.truth["sources"][0]
    assert row["name"] == "onaxis"
    by_hand = (row["photflux"] * float(caldb.onaxis_area(2.3)) *
               float(caldb.qe(3, 2.3, obs.config.date)) * obs.timing.livetime)
    assert row["expected"][3] == pytest.approx(by_hand, rel=0.003)
    assert float(caldb.onaxis_area(2.3)) == pytest.approx(406.44, abs=0.01)   # MARX value


def test_no_events_on_bad_pixels(default_run):
    bpix = f"{default_run}_bpix1.fits"
    with fits.open(f"{default_run}_evt2.fits") as h:
        d = h["EVENTS"].data
    nbad = 0
    near = 0
    for c in range(4):
        mask = caldb.bad_pixel_mask(c, {f"AXAF_ACIS{c}_BADPIX_FILE": f"{bpix}[BADPIX{c}]"})
        nbad += mask.sum()
        m = d["ccd_id"] == c
        assert not mask[d["chipy"][m] - 1, d["chipx"][m] - 1].any()
        # events do fall on the neighbours of each bad column (so the test can fail)
        cols = np.flatnonzero(mask.all(axis=0)) + 1
        assert len(cols) >= 1
        near += np.isin(d["chipx"][m], np.concatenate([cols - 1, cols + 1])).sum()
    assert near > 0
    assert nbad >= 4 * 1024


def test_events_inside_their_chip_fov(default_run):
    with fits.open(f"{default_run}_fov1.fits") as h:
        fov = h["FOV"].data
    with fits.open(f"{default_run}_evt2.fits") as h:
        d = h["EVENTS"].data
    for row in fov:
        m = d["ccd_id"] == row["CCD_ID"]
        px, py = row["X"], row["Y"]
        # convex, counter-clockwise polygon: every event on the left of every edge
        ex, ey = np.roll(px, -1) - px, np.roll(py, -1) - py
        cross = ex[None, :] * (d["y"][m, None] - py[None, :]) - ey[None, :] * (d["x"][m, None] - px[None, :])
        assert np.all(cross >= -1e-6)


def test_aspect_dither_pattern(default_run):
    with fits.open(f"{default_run}_asol1.fits") as h:
        a, hdr = h["ASPSOL"].data, h["ASPSOL"].header
    assert hdr["CONTENT"] == "ASPSOL" and hdr["TIMEDEL"] == 0.256
    assert np.allclose(np.diff(a["time"]), 0.256)
    # offsets of the pointing in the det frame: a Lissajous of amplitude 8" (ACIS, 2005)
    dx, dy = geom.celestial_to_det(a["ra"], a["dec"], hdr["RA_NOM"], hdr["DEC_NOM"], hdr["ROLL_NOM"])
    oy, oz = (dx - 4096.5) * 0.492, (dy - 4096.5) * 0.492
    assert np.ptp(oy) == pytest.approx(16.0, abs=0.05) and np.ptp(oz) == pytest.approx(16.0, abs=0.05)
    # periods 1000 s (Y) and 707 s (Z): check zero crossings spacing
    t = a["time"] - a["time"][0]
    for sig, period in ((oy, 1000.0), (oz, 707.0)):
        up = t[1:][(sig[:-1] < 0) & (sig[1:] >= 0)]
        assert np.median(np.diff(up)) == pytest.approx(period, abs=0.6)


def test_dither_era_after_october_2022(tmp_path):
    obs = simulate(ObsConfig(date="2023-03-01T00:00:00", exposure=3000, sources=[], bkgrate=0.0),
                   with_truth=False)
    assert (obs.config.dither_amp, obs.config.dither_yperiod, obs.config.dither_zperiod) == (16.0, 2000.0, 1414.0)


def test_deterministic_for_a_seed():
    cfg = dict(exposure=1000.0, bkgrate=0.05)
    a = simulate(ObsConfig(seed=5, **cfg), with_truth=False).events
    b = simulate(ObsConfig(seed=5, **cfg), with_truth=False).events
    c = simulate(ObsConfig(seed=6, **cfg), with_truth=False).events
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert len(c["time"]) != len(a["time"]) or not np.array_equal(c["x"], a["x"])


def test_energy_resolution_of_a_line(default_obs):
    e = default_obs.events["energy"][default_obs.source_id == 0]
    assert np.median(e) == pytest.approx(2300.0, abs=3.0)
    fwhm = 2.355 * np.std(e)
    assert 90 < fwhm < 130                      # ~100 eV FWHM class resolution at 2.3 keV
    pi = default_obs.events["pi"][default_obs.source_id == 0]
    assert np.all(pi == np.clip((e / 14.6).astype(int) + 1, 1, 1024))


def test_srclist_file(tmp_path):
    f = tmp_path / "src.lis"
    f.write_text("# ra dec flux spec [extent]\n150.01 2.21 1e-3 mono:1.5\n150.0 2.2 2e-3 pow:1.7 20\n")
    s = parse_srclist(str(f))
    assert s[0] == Source(150.01, 2.21, 1e-3, Spectrum("mono", 1.5), 0.0, "src1")
    assert s[1].extent == 20.0 and s[1].spectrum.band == (0.3, 10.0)
    for bad, msg in (("150 2.2 1e-3\n", "expected"), ("150 2.2 1e-3 gauss:1\n", "Invalid spectrum"),
                     ("150 2.2 abc mono:1\n", "numbers"), ("400 2.2 1 mono:1\n", "ra must be")):
        f.write_text(bad)
        with pytest.raises(ToolError, match=msg):
            parse_srclist(str(f))
    with pytest.raises(ToolError, match="Unable to read"):
        parse_srclist(str(tmp_path / "missing.lis"))


def test_power_law_energies_follow_the_index():
    rng = np.random.default_rng(2)
    e = Spectrum("pow", 1.7).sample(rng, 400_000)
    assert e.min() >= 0.3 and e.max() <= 10.0
    # fraction above 2 keV for N(E) ~ E^-1.7 on 0.3-10 keV: (2^-0.7 - 10^-0.7)/(0.3^-0.7 - 10^-0.7)
    expect = (2 ** -0.7 - 10 ** -0.7) / (0.3 ** -0.7 - 10 ** -0.7)
    assert np.mean(e > 2.0) == pytest.approx(expect, abs=0.003)


def test_simobs_with_srclist_acis_s(tmp_path):
    f = tmp_path / "one.lis"
    f.write_text("83.6 22.0 5e-3 mono:1.5\n")
    simobs.run(params(outroot=str(tmp_path / "s"), srclist=str(f), ra=83.6, dec=22.0, roll=0.0,
                      detector="ACIS-S", exposure=1500.0, bkgrate=0.0))
    with fits.open(tmp_path / "s_evt2.fits") as h:
        assert h["EVENTS"].header["DETNAM"] == "ACIS-235678"
        d = h["EVENTS"].data
    assert len(d) > 1000 and np.all(d["ccd_id"] == 7)      # on-axis on S3 (BI chip)


def test_simobs_errors(tmp_path, default_run):
    with pytest.raises(ToolError, match="outroot"):
        simobs.run(params(outroot=""))
    with pytest.raises(ToolError, match="Unknown detector"):
        simobs.run(params(outroot=str(tmp_path / "x"), detector="HRC-I"))
    with pytest.raises(ToolError, match="Invalid date"):
        simobs.run(params(outroot=str(tmp_path / "x"), date="June 2005"))
    with pytest.raises(ToolError, match="exposure"):
        simobs.run(params(outroot=str(tmp_path / "x"), exposure=0.0))
    before = open(f"{default_run}_evt2.fits", "rb").read(2880)
    with pytest.raises(ToolError, match="Clobber set to no"):
        simobs.run(params(outroot=str(default_run), exposure=100.0))
    assert open(f"{default_run}_evt2.fits", "rb").read(2880) == before
    assert not list(tmp_path.glob("x_*"))


def test_par_files_parse():
    import importlib.resources as ir

    for tool in ("simobs", "cifbuild"):
        text = (ir.files("pyciao.param") / f"{tool}.par").read_text()
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        assert lines[-1].startswith("mode,s,h,")
        for ln in lines:
            fields = ln.split(",")
            assert len(fields) >= 7 and fields[1] in "sfbir" and fields[2] in ("a", "h", "q", "ql", "hl")


@pytest.mark.slow
def test_truth_precision_with_many_counts():
    """50x the default fluxes (~2.5 million events): truth agrees to a few 0.1%."""
    import dataclasses

    base = ObsConfig()
    sim = geom.default_sim("ACIS-I")
    from pyciao.sim.sources import default_field
    srcs = [dataclasses.replace(s, photflux=s.photflux * 50)
            for s in default_field(base.ra_nom, base.dec_nom, base.roll_nom, sim)]
    obs = simulate(ObsConfig(sources=srcs, bkgrate=0.0, seed=11))
    for row in obs.truth["sources"]:
        n, e = sum(row["detected"].values()), row["expected_total"]
        assert abs(n - e) < 3.5 * np.sqrt(e), row["name"]


def test_chip_area_map_is_what_the_simulator_uses(default_obs):
    """The instrument-map building block: at the aimpoint pixel it is EA x QE of the truth's
    hand calculation, zero on the observation's bad pixels, and smaller off-axis."""
    obs = default_obs
    bp = "NONE"
    amap = caldb.chip_area_map(3, 2.3, sim=obs.sim, obs_date=obs.config.date, badpix=bp)
    ccd, cx, cy = geom.det_to_chip(4096.5, 4096.5, obs.sim)
    on = amap[int(round(float(cy))) - 1, int(round(float(cx))) - 1]
    assert on == pytest.approx(float(caldb.onaxis_area(2.3) * caldb.qe(3, 2.3, obs.config.date)), rel=1e-3)
    assert amap[0, 0] < on
    import tempfile, os
    from pyciao.sim.products import write_bpix
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "b.fits")
        write_bpix(path, obs)
        masked = caldb.chip_area_map(3, 2.3, sim=obs.sim, obs_date=obs.config.date,
                                     badpix={"AXAF_ACIS3_BADPIX_FILE": f"{path}[BADPIX3]"})
    x0, x1, y0, y1 = obs.badpix[3][0]
    assert np.all(masked[y0 - 1:y1, x0 - 1:x1] == 0) and masked.sum() < amap.sum()


def test_simobs_command_line(tmp_path, sh):
    r = sh("simobs", "outroot=cli", "exposure=300", "mode=h", "verbose=0", cwd=tmp_path)
    assert r.status == 0, r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"cli_{p}.fits" for p in PRODUCTS)
    r = sh("simobs", "outroot=cli", "mode=h", cwd=tmp_path)
    assert r.status == 1
    assert r.err.strip() == ("# simobs (pyciao 0.1.0): ERROR: Clobber set to no, and output "
                             "file cli_evt2.fits exists.")


def test_products_open_with_dmlist(default_run, default_obs, sh):
    # Every product reads back through the Data Model as CIAO lays it out: the events table
    # after a null primary, one GTI block per chip, the aspect solution, truth and regions.
    blocks = {"evt2": ["PRIMARY", "EVENTS"] + [f"GTI{c}" for c in default_obs.config.chips],
              "asol1": ["PRIMARY", "ASPSOL"], "truth": ["PRIMARY", "TRUTH", "BACKGROUND"],
              "fov1": ["PRIMARY", "FOV"], "msk1": ["PRIMARY", "MASK"],
              "bpix1": ["PRIMARY"] + [f"BADPIX{c}" for c in default_obs.config.chips]}
    for product, names in blocks.items():
        done = sh("dmlist", f"{default_run}_{product}.fits", "blocks")
        assert done.status == 0, done.err
        listed = [line.split()[2] for line in done.out.splitlines() if line.startswith("Block ")]
        assert listed == names, product
    done = sh("dmlist", f"{default_run}_evt2.fits", "counts")
    assert (done.status, done.out.strip()) == (0, str(len(default_obs.events["time"])))
