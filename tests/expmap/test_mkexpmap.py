"""mkexpmap as a tool: the output's WCS, keywords and units; the chain from the command line."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from astropy.io import fits
from astropy.wcs import WCS
from pyciao import asphist, mkexpmap, mkinstmap
from pyciao.errors import ToolError
from pyciao.mkexpmap import expmap_unit


@pytest.fixture(scope="module")
def chain(sim, tmp_path_factory):
    """asphist and mkinstmap products for chip 3 of the simulation."""
    import paramio

    d = tmp_path_factory.mktemp("chain")
    hist = d / "3.asphist"
    asphist.run(dict(infile=sim.paths["asol"], outfile=str(hist),
                     evtfile=f"{sim.paths['evt']}[ccd_id=3]",
                     res_xy=0.5, res_roll=600.0, max_bin=10000.0, clobber=False))
    inst = d / "3.instmap"
    old = os.environ.get("HOME")
    os.environ["HOME"] = str(d)                 # a private user parameter folder for ardlib
    try:
        paramio.pset("ardlib", "AXAF_ACIS3_BADPIX_FILE", f"{sim.paths['bpix']}[BADPIX3]")
        mkinstmap.run(dict(outfile=str(inst), spectrumfile="NONE", monoenergy=2.3,
                           pixelgrid="1:1024:#1024,1:1024:#1024", obsfile=sim.paths["evt"],
                           detsubsys="ACIS-3", grating="NONE", maskfile=sim.paths["msk"],
                           mirror="HRMA", dafile="CALDB", ardlibparfile="ardlib.par",
                           clobber=False))
    finally:
        os.environ["HOME"] = old
    return d, hist, inst


GRID = "4600.5:4920.5:#160,4150.5:4470.5:#160"


def run_mkexpmap(chain, out, **kw):
    d, hist, inst = chain
    p = dict(asphistfile=str(hist), outfile=str(out), instmapfile=str(inst), xygrid=GRID,
             useavgaspect=False, normalize=False, clobber=False)
    p.update(kw)
    return mkexpmap.run(p)


def test_same_wcs_as_a_counts_image_on_that_grid(sim, chain, tmp_path):
    from pyciao.dm import open_virtual, write_view

    out = tmp_path / "3.expmap"
    run_mkexpmap(chain, out)
    img = tmp_path / "3.img"
    lo = GRID.replace(",", ",y=")
    write_view(str(img), open_virtual(f"{sim.paths['evt']}[ccd_id=3][bin x={lo}]"))
    he, hi = fits.getheader(out), fits.getheader(img)
    assert fits.getdata(out).shape == fits.getdata(img).shape == (160, 160)
    for k in ("MTYPE1", "MFORM1", "CTYPE1P", "CRVAL1P", "CRPIX1P", "CDELT1P", "WCSTY1P", "LTV1",
              "LTM1_1", "CTYPE2P", "CRVAL2P", "CDELT2P", "LTV2", "LTM2_2", "MTYPE2", "MFORM2",
              "CTYPE1", "CRVAL1", "CRPIX1", "CDELT1", "CUNIT1", "CTYPE2", "CRVAL2", "CRPIX2",
              "CDELT2", "CUNIT2"):
        assert he[k] == hi[k], k
    # and astropy reads the same sky for every pixel
    we, wi = WCS(he), WCS(hi)
    jj, ii = np.mgrid[0:160:7, 0:160:7]
    a, b = we.all_pix2world(ii, jj, 0), wi.all_pix2world(ii, jj, 0)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    # physical x of the first pixel centre is the grid's first centre
    assert he["CRVAL1P"] + he["CDELT1P"] * (1 - he["CRPIX1P"]) == pytest.approx(4601.5)


def test_units_and_keywords(chain, tmp_path):
    out = tmp_path / "a.expmap"
    run_mkexpmap(chain, out)
    h = fits.getheader(out)
    assert h["BUNIT"] == "cm**2 s" and h["HDUNAME"] == "EXPMAP"
    assert (h["SPECTRUM"], h["ENERG_LO"], h["ENERG_HI"], h["GRATING"]) == ("NONE", 2.3, 2.3, "NONE")
    assert h["DETNAM"] == "ACIS-3" and h["CCD_ID"] == 3 and "RA_NOM" in h and "LIVTIME3" in h
    out2 = tmp_path / "n.expmap"
    run_mkexpmap(chain, out2, normalize=True)
    h2 = fits.getheader(out2)
    assert h2["BUNIT"] == "cm**2"
    total = fits.getdata(chain[1], "ASPHIST")["DURATION"].sum()
    assert np.allclose(fits.getdata(out2) * total, fits.getdata(out), rtol=1e-6)
    if shutil.which("fitsverify"):
        r = subprocess.run(["fitsverify", "-q", "-e", str(out)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout


def test_values_equal_the_core(sim, chain, tmp_path):
    from pyciao.expmap.grid import parse_xygrid
    from pyciao.mkexpmap import exposure_map, read_asphist, read_instmap

    out = tmp_path / "c.expmap"
    run_mkexpmap(chain, out)
    hist, ah = read_asphist(chain[1])
    imap, _ = read_instmap(chain[2])
    xa, ya = parse_xygrid(GRID)
    asp = sim.obs.aspect
    core = exposure_map(imap, hist, xa, ya, ra_nom=asp.ra_nom, dec_nom=asp.dec_nom,
                        roll_nom=asp.roll_nom, sim=sim.obs.sim)
    assert np.allclose(fits.getdata(out), core, rtol=1e-6)        # float32 storage
    assert core.max() > 1e6


def test_errors(chain, tmp_path):
    d, hist, inst = chain
    with pytest.raises(ToolError, match="xygrid"):
        run_mkexpmap(chain, tmp_path / "x", xygrid="1:2")
    with pytest.raises(ToolError, match="is not a table|not an aspect histogram"):
        run_mkexpmap(chain, tmp_path / "x", asphistfile=str(inst))
    with pytest.raises(ToolError, match="not a 2-D image"):
        run_mkexpmap(chain, tmp_path / "x", instmapfile=str(hist))
    with pytest.raises(ToolError, match="Unknown method"):
        run_mkexpmap(chain, tmp_path / "x", method="magic")
    assert not (tmp_path / "x").exists()
    run_mkexpmap(chain, tmp_path / "y")
    with pytest.raises(ToolError, match="Clobber"):
        run_mkexpmap(chain, tmp_path / "y")


@pytest.mark.slow
def test_the_thread_steps_from_the_command_line(sim, tmp_path):
    """asphist -> mkinstmap (ardlib's bad pixel file set with pset) -> mkexpmap with
    xygrid from get_sky_limits' recorded form, as console scripts."""
    bindir = os.path.dirname(sys.executable)
    if not os.path.exists(os.path.join(bindir, "mkexpmap")):
        pytest.skip("console scripts not installed")
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("PFILES", None)

    def sh(*args):
        r = subprocess.run(list(args), cwd=tmp_path, env=env, capture_output=True, text=True)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r

    (tmp_path / "asol.lis").write_text(sim.paths["asol"] + "\n")
    sh("asphist", "@asol.lis", "1.asphist", f"{sim.paths['evt']}[ccd_id=3]")
    sh("pset", "ardlib", f"AXAF_ACIS3_BADPIX_FILE={sim.paths['bpix']}[BADPIX3]")
    sh("punlearn", "mkinstmap")
    sh("pset", "mkinstmap", "pixelgrid=1:1024:#1024,1:1024:#1024", f"obsfile={sim.paths['evt']}",
       f"maskfile={sim.paths['msk']}", "detsubsys=ACIS-3")
    sh("mkinstmap", "1.instmap", "NONE", "2.3")
    sh("punlearn", "mkexpmap")
    sh("pset", "mkexpmap", f"xygrid={GRID}", "normalize=no")
    sh("mkexpmap", "1.asphist", "1.expmap", "1.instmap")
    assert sh("pget", "mkexpmap", "xygrid").stdout.strip() == GRID
    data = fits.getdata(tmp_path / "1.expmap")
    assert data.shape == (160, 160) and data.max() > 1e6
    r = subprocess.run(["mkexpmap", "1.asphist", "1.expmap", "1.instmap"], cwd=tmp_path, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 1 and "ERROR: Clobber set to no" in r.stderr


@pytest.mark.parametrize("instmap, normalize, expected", [
    ("cm**2 counts/photon", False, "cm**2 s"),   # dmstat shows CIAO's maps as EXPMAP[cm**2 s]
    ("cm**2 counts/photon", True, "cm**2"),
    ("", False, "s"),                            # units=time: an IDEAL, area=1 map
    ("", True, ""),
])
def test_exposure_map_units(instmap, normalize, expected):
    assert expmap_unit(instmap, normalize) == expected
