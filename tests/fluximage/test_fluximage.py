"""fluximage on the simulated default observation, as users run it (the console script).

The proof (issue 7): ``fluximage "sim_evt2.fits[ccd_id=3]" out/ binsize=2`` makes the same
flux image as the step-by-step thread (dmcopy -> get_sky_limits -> asphist -> mkinstmap ->
mkexpmap -> dmimgthresh -> dmimgcalc, typed at a shell) on the same grid, and the source's
flux in the thread's region is the simulator's input flux. Tolerances:

* pixel values: relative 1e-12. Both routes run the same calibration and projection code on
  the same inputs, so any difference larger than rounding would mean fluximage drove a step
  differently (energy filter, bad pixels, mask, grid, threshold, division). Measured: 0.
* source flux: 2% + 2 Poisson sigma of the counts in the region (the exposure-chain truth
  tests' tolerance, tests/expmap/test_truth.py); and, the simulation's own Poisson draw
  taken out (the truth table's detected / expected counts of the source), 0.5%.
"""
import os
import re

import numpy as np
import pytest
from astropy.io import fits
from astropy.wcs import WCS

OUT = ["out/90001.fov", "out/broad_flux.img", "out/broad_thresh.expmap",
       "out/broad_thresh.img"]


def region_sum(path, x0, y0, r):
    """Sum of an image's pixels whose centres are within ``r`` sky pixels of (x0, y0), from
    its physical axes (CRVALnP/CDELTnP at CRPIXnP), with numpy only."""
    with fits.open(path) as f:
        h, data = f[0].header, f[0].data.astype(float)
    x = h["CRVAL1P"] + (np.arange(h["NAXIS1"]) + 1 - h["CRPIX1P"]) * h["CDELT1P"]
    y = h["CRVAL2P"] + (np.arange(h["NAXIS2"]) + 1 - h["CRPIX2P"]) * h["CDELT2P"]
    X, Y = np.meshgrid(x, y)
    inside = np.hypot(X - x0, Y - y0) <= r
    return float(np.nansum(data[inside])), inside


def truth_row(sim, name):
    return next(r for r in sim.obs.truth["sources"] if r["name"] == name)


def drawn(row):
    """Detected / expected counts of a source: how far the simulation's Poisson draw put it
    from its mean (the truth table's DET_TOTAL / EXP_TOTAL)."""
    return sum(row["detected"].values()) / row["expected_total"]


# --------------------------------------------------------------------------- what it prints
def expected_grid(sim, chips, binsize):
    """The grid CIAO's rule gives from the simulator's own FOV file (written when the
    observation was made): the polygons' extent, pixel edges on 0.5 + k binsize."""
    with fits.open(sim.paths["fov"]) as f:
        d = f["FOV"].data
    rows = [i for i, c in enumerate(d["CCD_ID"]) if c in chips]
    xs, ys = np.concatenate(d["X"][rows]), np.concatenate(d["Y"][rows])
    out = []
    for lo, hi in ((xs.min(), xs.max()), (ys.min(), ys.max())):
        start = binsize * np.floor((lo - 0.5) / binsize) + 0.5
        n = int(np.ceil((hi - start) / binsize))
        out.append((start, start + n * binsize, n))
    return out


def test_printed_output(sim, single):
    """The layout of CIAO's single-chip thread run (seed thread; science.md 4.7)."""
    (x0, x1, nx), (y0, y1, ny) = expected_grid(sim, [3], 2)
    d = os.path.dirname(sim.paths["evt"])
    procs = os.cpu_count()
    running = (f"Running tasks in parallel with {procs} processors." if procs > 1
               else "Running tasks in serial.")
    assert single.out == f"""Running fluximage
Version: 04 November 2021

Using CSC ACIS broad science energy band.
Aspect solution {d}/sim_asol1.fits found.
Bad-pixel file {d}/sim_bpix1.fits found.
Mask file {d}/sim_msk1.fits found.

The output images will have {nx} by {ny} pixels, pixel size of 0.984 arcsec,
    and cover x={x0}:{x1}:2,y={y0}:{y1}:2.

{running}
Creating aspect histogram for obsid 90001
Creating instrument map for obsid 90001
Creating exposure map for obsid 90001
Thresholding data for obsid 90001
Exposure-correcting image for obsid 90001

The following files were created:

 The clipped counts image is:
     out/broad_thresh.img

 The observation FOV is:
     out/90001.fov

 The clipped exposure map is:
     out/broad_thresh.expmap

 The exposure-corrected image is:
     out/broad_flux.img

"""
    assert single.err == ""


def test_only_the_listed_files_are_left(single, console):
    made = sorted(str(p.relative_to(single.dir)) for p in (single.dir / "out").iterdir())
    assert made == OUT
    assert not [p for p in (single.dir / "home").iterdir() if "fluximage" in p.name]
    for path in OUT:
        done = console.run(f"fitsverify -q {path}", single.dir, single.env)
        assert "verification OK" in done.out, done.out


# --------------------------------------------------------------------------- the proof
def test_same_flux_image_as_the_step_by_step_route(single, stepwise):
    mine = fits.open(single.dir / "out/broad_flux.img")
    theirs = fits.open(stepwise.dir / "sim.i3.norm")
    a, b = mine[0].data, theirs[0].data
    assert a.shape == b.shape == (721, 719)
    for key in ("CRVAL1P", "CRPIX1P", "CDELT1P", "CRVAL2P", "CRPIX2P", "CDELT2P", "LTV1",
                "LTV2", "LTM1_1", "LTM2_2", "CTYPE1", "CTYPE2", "CRVAL1", "CRVAL2", "CRPIX1",
                "CRPIX2", "CDELT1", "CDELT2"):
        assert mine[0].header[key] == theirs[0].header[key], key
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(b))
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
    print(f"flux images: {a.size} pixels, max |difference| {np.max(np.abs(a - b)):.3g} "
          f"(peak {a.max():.4g})")
    for mine_f, theirs_f in (("out/broad_thresh.img", "sim.i3.thresh.img"),
                             ("out/broad_thresh.expmap", "3.thresh.expmap")):
        np.testing.assert_array_equal(fits.getdata(single.dir / mine_f),
                                      fits.getdata(stepwise.dir / theirs_f))


def test_source_flux_is_the_truth(sim, single, stepwise):
    """The thread's region, circle(4096.5,4096.5,8) around the 2.3 keV on-axis source."""
    true_flux = truth_row(sim, "onaxis")["photflux"]
    flux, inside = region_sum(single.dir / "out/broad_flux.img", 4096.5, 4096.5, 8)
    counts = float(fits.getdata(single.dir / "out/broad_thresh.img")[inside].sum())
    step = float(re.search(r"sum:\s+(\S+)", stepwise.out).group(1))   # dmstat in obj.reg
    print(f"measured {flux:.6g} (stepwise dmstat {step:.6g}), true {true_flux:.6g}, "
          f"ratio {flux / true_flux:.4f}, {counts:.0f} counts")
    assert counts > 5000
    assert abs(flux / true_flux - 1) <= 0.02 + 2 / np.sqrt(counts)
    assert flux / true_flux == pytest.approx(drawn(truth_row(sim, "onaxis")), abs=0.005)
    assert step == pytest.approx(flux, rel=1e-9)


def test_maps_open_in_astropy_with_the_counts_images_wcs(single):
    """The counts image, the exposure map and the flux image share one celestial WCS."""
    paths = [single.dir / f for f in ("out/broad_thresh.img", "out/broad_thresh.expmap",
                                      "out/broad_flux.img")]
    wcss = [WCS(fits.getheader(p)) for p in paths]
    corners = np.array([[0, 0], [718, 0], [0, 720], [718, 720], [359.5, 360.5]])
    sky = [w.pixel_to_world_values(corners[:, 0], corners[:, 1]) for w in wcss]
    for w, s in zip(wcss[1:], sky[1:]):
        assert w.wcs.ctype[0] == "RA---TAN" and w.wcs.ctype[1] == "DEC--TAN"
        np.testing.assert_array_equal(w.wcs.crpix, wcss[0].wcs.crpix)
        np.testing.assert_array_equal(w.wcs.cdelt, wcss[0].wcs.cdelt)
        np.testing.assert_array_equal(s, sky[0])
    # the aimpoint source sits where the truth table puts it
    r = wcss[2].world_to_pixel_values(150.0, 2.2)
    x = fits.getheader(paths[2])["CRVAL1P"] + (r[0] + 1 - 0.5) * 2
    assert x == pytest.approx(4096.5, abs=1e-6)


def test_header_as_ciao_writes_it(single, shared_data):
    """Against the real CIAO fluximage output (ObsID 650, broad band, binsize 2): the band
    keywords and comment, and a fluximage HISTORY record of every parameter in .par order
    after the tools' own records (those name the output files, not a temporary folder)."""
    real = fits.getheader(shared_data / "kglotfelty_ciao_tools/images/"
                          "gkper_obs650_broad_thresh.fits")
    mine = fits.getheader(single.dir / "out/broad_thresh.img")
    for key in ("ENERGYLO", "ENERGYHI"):
        assert (mine[key], mine.comments[key]) == (real[key], real.comments[key])
    assert "Adding keywords for band=broad" in [str(c) for c in mine["COMMENT"]]
    assert "fluximage version 04 November 2021" in [str(c) for c in mine["COMMENT"]]

    def fluximage_params(h):
        hist = [str(v) for v in h["HISTORY"]]
        start = max(i for i, v in enumerate(hist) if v.startswith(" TOOL  :fluximage"))
        return [re.match(r" PARM  :(\w+)=", v).group(1) for v in hist[start + 1:]
                if v.startswith(" PARM")]

    assert fluximage_params(mine) == fluximage_params(real)
    for f in OUT:
        hist = " ".join(str(v) for v in fits.getheader(single.dir / f, 0 if "img" in f
                                                        or "expmap" in f else 1)["HISTORY"])
        assert "fluximage-" not in hist and "out/" in hist, f
    flux = fits.getheader(single.dir / "out/broad_flux.img")
    assert (flux["BUNIT"], flux["HDUNAME"], flux["ENERG_LO"], flux["SPECTRUM"]) == (
        "/cm**2 /s", "PFLUX_IMAGE", 2.3, "NONE")
    assert fits.getheader(single.dir / "out/broad_thresh.expmap")["HDUNAME"] == "EXPMAP"


# --------------------------------------------------------------------------- all chips
def psf_sigma(obs, r):
    """The simulator's PSF (Gaussian, HRMA r50 at 1.5 keV for the source's off-axis angle),
    in sky pixels (as tests/expmap/test_truth.py)."""
    from pyciao import caldb, geom

    asp = obs.aspect
    dx, dy = geom.celestial_to_det(r["ra"], r["dec"], asp.ra_nom, asp.dec_nom, asp.roll_nom)
    theta, _ = geom.theta_phi(dx, dy)
    return float(caldb.psf_r50(1.5, theta, obs.config.date) / np.sqrt(2 * np.log(2)) / 0.492)


def test_all_chips(sim, multi):
    """Four chips, binsize 8: the grid from the whole field of view, each chip's map in the
    sum, and the point sources' fluxes equal the truth (the PSF fraction in the summed
    pixels, from the simulator's Gaussian PSF; the ``edge`` source 6 pixels from the chip
    edge is left out: at binsize 8 one map sample stands for an 8x8 area across the steep
    dither ramp)."""
    from scipy.special import erf

    (x0, x1, nx), (y0, y1, ny) = expected_grid(sim, [0, 1, 2, 3], 8)
    assert f"cover x={x0}:{x1}:8,y={y0}:{y1}:8." in multi.out
    assert "Creating 4 aspect histograms for obsid 90001" in multi.out
    assert "Combining 4 exposure maps for obsid 90001" in multi.out
    total = fits.getdata(multi.dir / "fi_broad.expmap")
    parts = [fits.getdata(multi.dir / f"fi_{c}_broad.expmap") for c in range(4)]
    np.testing.assert_allclose(total, np.sum(parts, axis=0, dtype=np.float32), rtol=1e-6)
    h = fits.getheader(multi.dir / "fi_broad.expmap")
    assert (h["DETNAM"], h["HDUNAME"], h["BUNIT"]) == ("ACIS-0123", "EXPMAP",
                                                       "cm**2 s")
    flux_path = multi.dir / "fi_broad_flux.img"
    hdr = fits.getheader(flux_path)
    xe = hdr["CRVAL1P"] + np.arange(hdr["NAXIS1"] + 1) * 8
    ye = hdr["CRVAL2P"] + np.arange(hdr["NAXIS2"] + 1) * 8
    for name in ("onaxis", "offaxis5"):
        r = truth_row(sim, name)
        sig = psf_sigma(sim.obs, r)
        flux, inside = region_sum(flux_path, r["x"], r["y"], max(5 * sig, 12.0))
        ex = 0.5 * (1 + erf((xe - r["x"]) / (np.sqrt(2) * sig)))
        ey = 0.5 * (1 + erf((ye - r["y"]) / (np.sqrt(2) * sig)))
        eef = float(np.outer(np.diff(ey), np.diff(ex))[inside].sum())
        counts = float(fits.getdata(multi.dir / "fi_broad_thresh.img")[inside].sum())
        expect = r["photflux"] * eef
        print(f"{name}: {flux:.6g}, expected {expect:.6g} ({flux / expect - 1:+.4f}; the "
              f"simulation drew {drawn(r) - 1:+.4f}), {counts:.0f} counts")
        assert abs(flux / expect - 1) <= 0.02 + 2 / np.sqrt(counts)
        assert flux / expect == pytest.approx(drawn(r), abs=0.005)


def test_flat_disk(sim, multi):
    """The 30" disk (~26000 counts): the mean flux per pixel well inside it is the truth's
    surface brightness (photflux / disk area x pixel area)."""
    r = truth_row(sim, "disk")
    radius = r["extent"] / 0.492
    flux_path = multi.dir / "fi_broad_flux.img"
    _, inner = region_sum(flux_path, r["x"], r["y"], radius - 12)
    data = fits.getdata(flux_path)
    counts = fits.getdata(multi.dir / "fi_broad_thresh.img")[inner].sum()
    mean = data[inner].mean() / (r["photflux"] / (np.pi * radius ** 2) * 64)
    print(f"disk: {mean:.4f} of the truth, {counts} counts")
    assert abs(mean - 1) <= 0.02 + 2 / np.sqrt(counts)


def test_cleanup_no_keeps_everything(multi):
    names = sorted(p.name for p in multi.dir.iterdir() if p.name.startswith("fi_"))
    chips = [f"fi_{c}{s}" for c in range(4) for s in (".asphist", "_broad.expmap",
                                                      "_broad.instmap")]
    assert names == sorted(chips + ["fi_90001.fov", "fi_broad.expmap", "fi_broad.img",
                                    "fi_broad_flux.img", "fi_broad_thresh.expmap",
                                    "fi_broad_thresh.img"])
    assert " The aspect histograms are:\n     fi_0.asphist\n" in multi.out
    assert "fi_0_broad.expmap\n     fi_1_broad.expmap\n     fi_2_broad.expmap\n" \
           "     fi_3_broad.expmap\n     fi_broad.expmap\n" in multi.out


# --------------------------------------------------------------------------- behaviour
SMALL = 'xygrid=4064.5:4128.5:2,4064.5:4128.5:2'


def test_serial_run_makes_the_same_files(single, fluxrun):
    r = fluxrun("serial", '"{evt}[ccd_id=3]" out/ binsize=2 parallel=no')
    assert r.status == 0, r.err
    assert "Running tasks in serial.\n" in r.out
    for f in OUT[1:]:
        np.testing.assert_array_equal(fits.getdata(r.dir / f), fits.getdata(single.dir / f))


def test_a_failed_step_leaves_nothing(sim, fluxrun):
    """mkinstmap fails (the 'bad-pixel file' has no BADPIX3 block) after the aspect
    histogram and counts image are made: one error line, no output folders (made at the
    start), no temporary files."""
    r = fluxrun("fail", '"{evt}[ccd_id=3]" out/sub/ binsize=2 badpixfile=' + sim.paths["msk"])
    assert r.status == 1
    assert r.err == ("# fluximage (pyciao 0.1.0): ERROR: mkinstmap failed: Bad pixel file "
                     f"{sim.paths['msk']} has no block BADPIX3\n")
    assert "Creating aspect histogram" in r.out
    assert not (r.dir / "out").exists()
    assert not [p for p in (r.dir / "home").iterdir() if "fluximage" in p.name]


def test_clobber(single, console):
    before = {f: os.stat(single.dir / f).st_mtime_ns for f in OUT}
    again = console.run(single.command, single.dir, single.env)
    assert again.status == 1
    assert again.err == ("# fluximage (pyciao 0.1.0): ERROR: Clobber set to no, and output "
                         "file out/broad_thresh.img exists.\n")
    assert {f: os.stat(single.dir / f).st_mtime_ns for f in OUT} == before


@pytest.mark.parametrize("units, bunit, flux_bunit", [("time", "s", "/s"),
                                                     ("area", "cm**2", "/cm**2")])
def test_units(sim, fluxrun, units, bunit, flux_bunit):
    """units=time: the map is the live time where the chip saw the sky (LIVETIME of the
    event file); units=area: the effective area, the truth table's EFF_EXPOSURE / LIVETIME
    at the on-axis source."""
    r = fluxrun(f"units_{units}", '"{evt}[ccd_id=3]" u/ units=' + units + " expmapthresh=none "
                + SMALL)
    assert r.status == 0, r.err
    assert "The output images will have 32 by 32 pixels,\n" in r.out
    emap = fits.getdata(r.dir / "u/broad.expmap")
    h = fits.getheader(r.dir / "u/broad.expmap")
    assert h["BUNIT"] == bunit
    assert fits.getheader(r.dir / "u/broad_flux.img")["BUNIT"] == flux_bunit
    livetime = fits.getheader(sim.paths["evt"], "EVENTS")["LIVETIME"]
    source = emap[15:17, 15:17].mean()                    # the 4 pixels around (4096.5, 4096.5)
    if units == "time":
        assert emap.max() == pytest.approx(livetime, rel=1e-6)
        assert source == pytest.approx(livetime, rel=1e-6)
    else:
        expect = truth_row(sim, "onaxis")["eff_exposure"] / livetime
        assert source == pytest.approx(expect, rel=5e-3)


def test_event_directory(sim, tmp_path, console):
    """``infile`` a directory: its repro/ (or primary/, or itself) *evt* file, shown."""
    (tmp_path / "obs" / "repro").mkdir(parents=True)
    for path in sim.paths.values():
        os.symlink(path, tmp_path / "obs" / "repro" / os.path.basename(path))
    r = console.run(f"fluximage obs . expmapthresh=0 {SMALL}", tmp_path,
                    console.env(tmp_path / "h"))
    assert r.status == 0, r.err
    assert r.out.startswith("Running fluximage\nVersion: 04 November 2021\n\n"
                            "Found obs/repro/sim_evt2.fits\n"
                            "Using event file obs/repro/sim_evt2.fits\n"
                            "Using CSC ACIS broad science energy band.\n"
                            "Aspect solution obs/repro/sim_asol1.fits found.\n")
    assert " The binned counts image is:\n     broad.img\n" in r.out
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "90001.fov", "broad.expmap", "broad.img", "broad_flux.img"]


def test_python_api(sim, tmp_path, monkeypatch):
    from pyciao import fluximage

    monkeypatch.chdir(tmp_path)
    text = fluximage(f"{sim.paths['evt']}[ccd_id=3]", "api", xygrid=SMALL.split("=", 1)[1],
                     nproc=1)
    assert "Running tasks in serial." in text and "api_broad_flux.img" in text
    assert fluximage.outroot == "api"
    assert os.path.isfile(tmp_path / "api_broad_flux.img")


@pytest.mark.parametrize("args, message", [
    ("psfecf=0.393", "psfecf=0.393: PSF maps are not available in pyciao (there is no "
                     "mkpsfmap); leave psfecf=INDEF"),
    ("background=particle", "background=particle: particle-background subtraction applies to "
                            "HRC-I data only"),
    ("bands=0.5:7:20", "Energy of 20.0 keV is outside Chandra's nominal range of 0.1 to 10 "
                       "keV."),
    ("expmapthresh=1.5x", "expmapthresh=1.5x: cannot read the cut '1.5x'"),
    ("nproc=0", "nproc can not be 0"),
    ("tmpdir=nosuchdir", "The temporary directory"),
    ("asolfile=none", "asolfile can not be NONE."),
    ("xygrid=1:2", "xygrid should be a filename or 2 ranges separated by a comma, not '1:2'!"),
])
def test_refusals(fluxrun, args, message):
    r = fluxrun("refuse", '"{evt}[ccd_id=3]" out/ ' + args)
    assert r.status == 1
    assert r.err.startswith("# fluximage (pyciao 0.1.0): ERROR: " + message), r.err
    assert r.err.count("\n") == 1
    assert not (r.dir / "out").exists()


def test_refuses_hrc_and_gratings(shared_data, sim, tmp_path, console):
    run, env = console.run, console.env(tmp_path / "h")
    hrc = shared_data / "hyperscreen_hrc_evt1"
    evt = sorted(p for p in hrc.iterdir() if "fits" in p.name)[0]
    r = run(f"fluximage {evt} out/", tmp_path, env)
    assert r.status == 1 and "HRC observations are not supported" in r.err
    import shutil
    shutil.copy(sim.paths["evt"], tmp_path / "hetg_evt2.fits")
    assert run("dmhedit hetg_evt2.fits[EVENTS] filelist= operation=add key=GRATING value=HETG",
               tmp_path, env).status == 0
    r = run("fluximage hetg_evt2.fits out/", tmp_path, env)
    assert r.status == 1 and "GRATING=HETG: grating observations are not supported" in r.err


def test_weights_file_band_recovers_a_power_law(sim, tmp_path, console):
    """The Gamma=1.7 source on I0 (0.3-10 keV): a band given as its spectral-weights file
    (``band1``, range from the file's ENERG_LO/HI) recovers its photon flux; the broad
    band's 2.3 keV map does not (a monochromatic map is right only for that spectrum)."""
    from scipy.special import erf

    from pyciao.sim.sources import Spectrum

    e, w = Spectrum.parse("pow:1.7").grid(0.02)
    (tmp_path / "pow.wgt").write_text(
        "#TEXT/SIMPLE\n# X WEIGHT\n# ENERG_LO = 0.3\n# ENERG_HI = 10.0\n"
        + "".join(f"{a:.4f} {b:.10g}\n" for a, b in zip(e, w)))
    r = truth_row(sim, "pow")
    x0, y0 = 2 * np.floor(r["x"] / 2) + 0.5 - 48, 2 * np.floor(r["y"] / 2) + 0.5 - 48
    grid = f"{x0}:{x0 + 96}:2,{y0}:{y0 + 96}:2"
    done = console.run(f'fluximage "{sim.paths["evt"]}[ccd_id=0]" pw/ bands=pow.wgt,broad '
                       f"xygrid={grid} expmapthresh=none", tmp_path, console.env(tmp_path / "h"))
    assert done.status == 0, done.err
    assert "band1 uses weights file pow.wgt (0.3 to 10.0 keV)\n" in done.out
    sig = psf_sigma(sim.obs, r)
    ratios = {}
    for label in ("band1", "broad"):
        path = tmp_path / f"pw/{label}_flux.img"
        flux, inside = region_sum(path, r["x"], r["y"], max(5 * sig, 12.0))
        h = fits.getheader(path)
        xe = h["CRVAL1P"] + np.arange(h["NAXIS1"] + 1) * 2
        ye = h["CRVAL2P"] + np.arange(h["NAXIS2"] + 1) * 2
        ex = 0.5 * (1 + erf((xe - r["x"]) / (np.sqrt(2) * sig)))
        ey = 0.5 * (1 + erf((ye - r["y"]) / (np.sqrt(2) * sig)))
        ratios[label] = flux / (r["photflux"] * np.outer(np.diff(ey), np.diff(ex))[inside].sum())
    print(f"pow: weights band {ratios['band1']:.4f}, broad (2.3 keV) {ratios['broad']:.4f}, "
          f"the simulation drew {drawn(r):.4f}")
    assert ratios["band1"] == pytest.approx(drawn(r), abs=0.01)
    assert ratios["broad"] < 0.8
    assert (fits.getheader(tmp_path / "pw/band1_flux.img")["ENERG_LO"],
            fits.getheader(tmp_path / "pw/band1_flux.img")["ENERG_HI"]) == (0.3, 10.0)
