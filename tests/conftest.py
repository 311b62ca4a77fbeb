"""Shared fixtures: every test runs with its own HOME and PFILES, never the user's."""
import os
import pathlib
import subprocess
import sys
import types

import numpy as np
import pytest
from astropy.io import fits

SHARED_DATA = pathlib.Path(
    os.environ.get("PYCIAO_SHARED_DATA")
    or pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data"
)


@pytest.fixture(autouse=True)
def isolated_params(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("PFILES", raising=False)
    monkeypatch.delenv("PDIRS", raising=False)
    monkeypatch.delenv("UPARM", raising=False)
    monkeypatch.setenv("ASCDS_WORK_PATH", str(home))
    return home


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    """The default simulated observation (``simobs`` defaults: ACIS-I, 5 ks, the default
    field), made once per session, and its six products in a temporary folder: ``sim.obs``,
    ``sim.dir``, ``sim.paths``, ``sim.root``. Tests must not change the files."""
    from pyciao.sim.observe import ObsConfig, simulate
    from pyciao.sim.products import write_all

    d = tmp_path_factory.mktemp("sim")
    obs = simulate(ObsConfig())
    paths = write_all(str(d / "sim"), obs)
    return types.SimpleNamespace(obs=obs, dir=d, paths=paths, root=str(d / "sim"))


@pytest.fixture
def shared_data():
    """The folder ``../shared/data`` (skips the test when it is not there)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


def script(name):
    """The installed console script ``name`` (next to the running interpreter)."""
    path = pathlib.Path(sys.executable).parent / name
    if not path.exists():
        pytest.skip(f"console script {name} not installed")
    return str(path)


@pytest.fixture
def sh():
    """Run an installed command in a subprocess (real exit status and streams, stdin never a
    terminal): ``sh("pget", "dmstat", "out_mean", cwd=tmp_path)`` -> Result."""

    def run(command, *args, stdin="", timeout=120, cwd=None):
        done = subprocess.run(
            [script(command), *map(str, args)],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=os.environ.copy(),
        )
        return types.SimpleNamespace(status=done.returncode, out=done.stdout, err=done.stderr)

    return run


# --------------------------------------------------------------------------- synthetic events
# Synthetic but realistic Chandra-like event files, written with astropy (not our writer).
def write_events(path, columns, *, header=None, gtis=None, tlim=None, units=None, wcs=True,
                 extra_hdus=()):
    """Write an EVENTS table. ``columns``: {name: array}; ``tlim``: {name: (tlmin, tlmax)};
    ``gtis``: {hduname: [(start, stop), ...]} written as GTI blocks (with CCD_ID)."""
    cols = []
    fmt = {np.dtype("f4"): "E", np.dtype("f8"): "D", np.dtype("i2"): "I", np.dtype("i4"): "J",
           np.dtype("i8"): "K"}
    for name, arr in columns.items():
        arr = np.asarray(arr)
        if arr.dtype.kind in "US":
            cols.append(fits.Column(name=name, format=f"{max(1, arr.dtype.itemsize // (4 if arr.dtype.kind == 'U' else 1))}A", array=arr))
        elif arr.dtype == bool and arr.ndim == 2:
            cols.append(fits.Column(name=name, format=f"{arr.shape[1]}X", array=arr))
        else:
            cols.append(fits.Column(name=name, format=fmt[arr.dtype], array=arr,
                                    unit=(units or {}).get(name)))
    hdu = fits.BinTableHDU.from_columns(cols)
    h = hdu.header
    h["EXTNAME"] = "EVENTS"
    h["HDUNAME"] = "EVENTS"
    names = list(columns)
    for name, (lo, hi) in (tlim or {}).items():
        i = names.index(name) + 1
        h[f"TLMIN{i}"] = lo
        h[f"TLMAX{i}"] = hi
    if wcs and "x" in names and "y" in names:
        ix, iy = names.index("x") + 1, names.index("y") + 1
        h["MTYPE1"] = "sky"
        h["MFORM1"] = "x,y"
        for i, ctype, crval, cdelt in ((ix, "RA---TAN", 278.0464, -1.3666666666667E-04),
                                       (iy, "DEC--TAN", -10.5694, 1.3666666666667E-04)):
            h[f"TCTYP{i}"] = ctype
            h[f"TCRVL{i}"] = crval
            h[f"TCRPX{i}"] = 4096.5
            h[f"TCDLT{i}"] = cdelt
            h[f"TCUNI{i}"] = "deg"
        h["MTYPE2"] = "EQPOS"
        h["MFORM2"] = "RA,DEC"
    for k, v in (header or {}).items():
        h[k] = v
    hdus = [fits.PrimaryHDU(), hdu]
    gtis = gtis or {}
    for n, (name, ivs) in enumerate(gtis.items(), start=1):
        if n == 1 and "DSTYP1" not in h:
            h["DSTYP1"] = "time"
            h["DSVAL1"] = "TABLE"
            h["DSFORM1"] = "D"
            h["DSUNIT1"] = "s"
        key = "DSREF1" if n == 1 else f"{n}DSREF1"
        h[key] = f":{name}"
        ivs = np.asarray(ivs, "f8").reshape(-1, 2)
        g = fits.BinTableHDU.from_columns([fits.Column("START", "1D", unit="s", array=ivs[:, 0]),
                                           fits.Column("STOP", "1D", unit="s", array=ivs[:, 1])])
        g.header["EXTNAME"] = "GTI"
        g.header["HDUNAME"] = name
        if name[3:].isdigit():
            g.header["CCD_ID"] = int(name[3:])
        hdus.append(g)
    hdus.extend(extra_hdus)
    fits.HDUList(hdus).writeto(path, overwrite=True)
    return str(path)


@pytest.fixture
def make_events(tmp_path):
    def make(name="evt.fits", **kw):
        return write_events(tmp_path / name, **kw)
    return make


@pytest.fixture(scope="session")
def events_writer():
    """``write_events`` itself, for fixtures of a wider scope than ``make_events``."""
    return write_events
