"""fluximage runs on the shared simulated observation, made once per session.

``single``: ``fluximage "sim_evt2.fits[ccd_id=3]" out/ binsize=2`` as typed (console script),
the single-chip case of the CIAO thread. ``stepwise``: the thread's step-by-step route
(dmcopy, get_sky_limits, asphist, mkinstmap, mkexpmap, dmimgthresh, dmimgcalc: console
scripts with pset/punlearn, as threads/expmap_single_chip types them) on the grid fluximage
printed. ``multi``: all four chips, bands=broad, cleanup=no.
"""
import os
import pathlib
import re
import subprocess
import sys
import types

import pytest

BIN = pathlib.Path(sys.executable).parent


def console_env(home):
    """An environment of our own: HOME and user parameter files in ``home``."""
    import importlib.resources

    sysparam = str(importlib.resources.files("pyciao.param"))
    pfiles = pathlib.Path(home) / "pfiles"
    pfiles.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), PFILES=f"{pfiles};{sysparam}",
               ASCDS_WORK_PATH=str(home), PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
               LC_ALL="C")
    env.pop("PYCIAO_DEBUG", None)
    return env


def run(command, cwd, env, timeout=300):
    """Run a shell command line; (status, stdout, stderr)."""
    done = subprocess.run(["bash", "--noprofile", "--norc", "-c", command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return types.SimpleNamespace(status=done.returncode, out=done.stdout, err=done.stderr)


@pytest.fixture(scope="session")
def fluxrun(sim, tmp_path_factory):
    """``fluxrun(name, args)``: fluximage run in a fresh folder with its own parameter files
    (``{evt}`` in ``args`` is the simulated event file); -> namespace(dir, status, out, err,
    env)."""
    def go(name, args, env_extra=None):
        d = tmp_path_factory.mktemp(name)
        env = console_env(d / "home")
        env.update(env_extra or {})
        command = f"fluximage {args.format(evt=sim.paths['evt'])}"
        r = run(command, d, env)
        r.dir, r.env, r.command = d, env, command
        return r
    return go


def grid_of(output):
    """The ``x=...,y=...`` grid fluximage printed."""
    return re.search(r"and cover (x=\S+,y=\S+)\.$", output, re.M).group(1)


@pytest.fixture(scope="session")
def console():
    """The helpers: ``console.run(command, cwd, env)``, ``console.env(home)``,
    ``console.grid_of(output)``."""
    return types.SimpleNamespace(run=run, env=console_env, grid_of=grid_of)


@pytest.fixture(scope="session")
def single(fluxrun):
    r = fluxrun("single", '"{evt}[ccd_id=3]" out/ binsize=2')
    assert r.status == 0, r.err
    return r


@pytest.fixture(scope="session")
def stepwise(sim, single):
    """The thread's steps, typed at a shell, with the counts image binned on fluximage's
    grid: ``sim.i3.norm`` is the flux image of the step-by-step route."""
    d = single.dir / "stepwise"
    d.mkdir()
    (d / "obj.reg").write_text("# Region file format: CIAO version 1.0\n"
                               "circle(4096.5,4096.5,8)\n")
    root, grid = sim.root, grid_of(single.out)
    script = f"""set -e
punlearn dmcopy
dmcopy "{root}_evt2.fits[energy=500:7000]" sim.evt2
dmcopy "sim.evt2[ccd_id=3,sky=region({root}_fov1.fits[ccd_id=3])][bin {grid}]" sim.i3.img
get_sky_limits sim.i3.img
punlearn asphist
asphist {root}_asol1.fits 3.asphist "sim.evt2[ccd_id=3]"
pset ardlib AXAF_ACIS3_BADPIX_FILE="{root}_bpix1.fits[BADPIX3]"
punlearn mkinstmap
pset mkinstmap pixelgrid="1:1024:#1024,1:1024:#1024"
pset mkinstmap obsfile=sim.evt2
pset mkinstmap maskfile={root}_msk1.fits
pset mkinstmap detsubsys=ACIS-3
mkinstmap 3.instmap NONE 2.3
xygrid=$(pget get_sky_limits xygrid)
punlearn mkexpmap
pset mkexpmap xygrid=$xygrid normalize=no
mkexpmap 3.asphist 3.expmap 3.instmap
punlearn dmimgthresh
dmimgthresh sim.i3.img sim.i3.thresh.img expfile=3.expmap cut="1.5%"
dmimgthresh 3.expmap 3.thresh.expmap cut="1.5%"
punlearn dmimgcalc
dmimgcalc sim.i3.thresh.img 3.thresh.expmap sim.i3.norm div
punlearn dmstat
dmstat "sim.i3.norm[sky=region(obj.reg)]" centroid-
"""
    r = run(script, d, console_env(d / "home"))
    assert r.status == 0, r.out + r.err
    r.dir = d
    return r


@pytest.fixture(scope="session")
def multi(fluxrun):
    r = fluxrun("multi", "{evt} fi bands=broad cleanup=no")
    assert r.status == 0, r.err
    return r
