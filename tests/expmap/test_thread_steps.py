"""The single-chip exposure-map thread's steps as console scripts, on a simulated observation:
dmcopy -> get_sky_limits -> asphist -> mkinstmap -> mkexpmap -> dmimgthresh -> dmimgcalc ->
dmstat in a region; the region sums are the simulated photon fluxes (2% + 2 sigma)."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from astropy.io import fits
from pyciao import caldb, geom


@pytest.mark.slow
def test_single_chip_thread_recovers_the_simulated_fluxes(tmp_path):
    bindir = os.path.dirname(sys.executable)
    if not os.path.exists(os.path.join(bindir, "dmimgcalc")):
        pytest.skip("console scripts not installed")
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
               HOME=str(tmp_path))
    env.pop("PFILES", None)

    def sh(*args):
        r = subprocess.run(list(args), cwd=tmp_path, env=env, capture_output=True, text=True)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r.stdout

    sh("simobs", "outroot=sim")
    sh("dmcopy", "sim_evt2.fits[energy=300:10000]", "sim.evt2")
    sh("dmcopy", "sim.evt2[ccd_id=3,sky=region(sim_fov1.fits[ccd_id=3])][bin sky=2]", "s3.img")
    out = sh("get_sky_limits", "s3.img")
    assert "mkexpmap xygrid value is:" in out
    (tmp_path / "asol.lis").write_text("sim_asol1.fits\n")
    sh("asphist", "@asol.lis", "3.asphist", "sim.evt2[ccd_id=3]")
    sh("pset", "ardlib", "AXAF_ACIS3_BADPIX_FILE=sim_bpix1.fits[BADPIX3]")
    sh("pset", "mkinstmap", "pixelgrid=1:1024:#1024,1:1024:#1024", "obsfile=sim.evt2",
       "maskfile=sim_msk1.fits", "detsubsys=ACIS-3")
    sh("mkinstmap", "3.instmap", "NONE", "2.3")
    sh("pset", "mkexpmap", "xygrid=)get_sky_limits.xygrid", "normalize=no")
    sh("mkexpmap", "3.asphist", "3.expmap", "3.instmap")
    sh("dmimgthresh", "s3.img", "s3.thresh.img", "expfile=3.expmap", "cut=1.5%")
    sh("dmimgthresh", "3.expmap", "3.thresh.expmap", "cut=1.5%")
    sh("dmimgcalc", "s3.thresh.img", "3.thresh.expmap", "s3.norm", "div")
    assert fits.getdata(tmp_path / "3.expmap").shape == fits.getdata(tmp_path / "s3.img").shape

    truth = fits.getdata(tmp_path / "sim_truth.fits", "TRUTH")
    hdr = fits.getheader(tmp_path / "sim_evt2.fits", "EVENTS")
    for name in ("onaxis", "offaxis5"):
        row = truth[truth["NAME"] == name][0]
        dx, dy = geom.celestial_to_det(row["RA"], row["DEC"], hdr["RA_NOM"], hdr["DEC_NOM"],
                                       hdr["ROLL_NOM"])
        theta, _ = geom.theta_phi(dx, dy)
        sigma = float(caldb.psf_r50(1.5, theta) / np.sqrt(2 * np.log(2)) / 0.492)
        region = f"circle({row['X']:.3f},{row['Y']:.3f},{max(5 * sigma, 6):.1f})"
        def region_sum(image):
            text = sh("dmstat", f"{image}[sky={region}]", "centroid-")
            return float(re.search(r"sum:\s+(\S+)", text).group(1))

        flux, counts = region_sum("s3.norm"), region_sum("s3.thresh.img")
        err = flux / np.sqrt(counts)
        assert abs(flux - row["PHOTFLUX"]) <= 0.02 * row["PHOTFLUX"] + 2 * err, (name, flux, err)
