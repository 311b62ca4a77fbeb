"""What a thread runs on: its own input files, real data, or a simulated observation.

* ``inputs/`` in the thread folder: copied into the working directory.
* ``[data]``: real files from the shared data folder, linked (never copied) into the working
  directory. The folder is ``--data DIR``, else ``$PYCIAO_SHARED_DATA``, else ``shared/data``
  next to the source checkout (``../shared/data`` seen from the repository) or next to the
  current directory. A thread whose data is absent is skipped with the reason.
* ``requires`` (in ``[thread]``): commands that must be installed; a thread missing one is
  skipped like a thread missing its data.
* ``[simobs]``: a simulated observation made by the ``simobs`` tool
  (``simobs outroot=sim mode=h <params>`` writes ``sim_evt2.fits``, ``sim_asol1.fits``, ...).
  Simulating takes a while, so the outputs are cached under
  ``$PYCIAO_CACHE_DIR`` (default ``$XDG_CACHE_HOME/pyciao``, i.e. ``~/.cache/pyciao``) in
  ``simobs/<key>/``, the key being a hash of the parameters and the pyciao version; they are
  copied into the working directory (tools may modify their inputs, the cache must not change).
"""
from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

from .. import __version__
from .recipe import ThreadError


class MissingInput(ThreadError):
    """An input the thread needs is not available; pytest skips the thread with this reason."""


# ------------------------------------------------------------------------------ real data
def data_candidates(explicit=None):
    """Where to look for the shared data folder, in order."""
    if explicit:
        return [pathlib.Path(explicit).expanduser()]
    env = os.environ.get("PYCIAO_SHARED_DATA")
    if env:
        return [pathlib.Path(env).expanduser()]
    found = []
    here = pathlib.Path(__file__).resolve()
    for parent in here.parents:                      # a source checkout: <repo>/../shared/data
        if (parent / "setup.cfg").is_file() or (parent / "pyproject.toml").is_file():
            found.append(parent.parent / "shared" / "data")
            break
    cwd = pathlib.Path.cwd()
    found += [cwd.parent / "shared" / "data", cwd / "shared" / "data"]
    unique = []
    for p in found:
        if p not in unique:
            unique.append(p)
    return unique


def find_data_dir(explicit=None):
    """The first existing candidate data folder, or None."""
    for p in data_candidates(explicit):
        if p.is_dir():
            return p.resolve()
    return None


def check_data(thread, data_dir):
    """Raise MissingInput unless every ``[data]`` file of the thread exists under data_dir."""
    if not thread.data:
        return
    if data_dir is None:
        tried = ", ".join(str(p) for p in data_candidates())
        raise MissingInput(f"thread {thread.name} needs real data, and no data folder was found "
                           f"(tried {tried}; use --data DIR or set PYCIAO_SHARED_DATA)")
    for target, rel in thread.data.items():
        if not (data_dir / rel).exists():
            raise MissingInput(f"thread {thread.name} needs {rel}, which is not in the data "
                               f"folder {data_dir} (use --data DIR or set PYCIAO_SHARED_DATA)")


# ---------------------------------------------------------------------- simulated data
def default_cache_dir():
    env = os.environ.get("PYCIAO_CACHE_DIR")
    if env:
        return pathlib.Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "pyciao"


def simulator_fingerprint():
    """A digest of what a simulation depends on (the simulator, calibration and geometry code
    and data, simobs.par), so a changed simulator never reuses a stale cached observation."""
    import pyciao

    root = pathlib.Path(pyciao.__file__).resolve().parent
    paths = [root / "simobs.py"]
    for part in ("sim", "caldb", "geom"):
        paths += sorted(p for p in (root / part).rglob("*")
                        if p.is_file() and p.suffix in (".py", ".fits", ".indx"))
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    par = importlib.resources.files("pyciao.param") / "simobs.par"
    digest.update(par.read_bytes())
    return digest.hexdigest()


def simobs_key(params):
    """The cache key of a simulation: its parameters, the pyciao version and the simulator's
    fingerprint."""
    blob = json.dumps({"params": dict(sorted(params.items())), "pyciao": __version__,
                       "simulator": simulator_fingerprint()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _simobs_command(env):
    """How to run the simulator: the ``simobs`` console script on the steps' PATH."""
    simobs = shutil.which("simobs", path=env.get("PATH"))
    if simobs is None:
        raise MissingInput("the thread runs on a simulated observation, and the simulator "
                           "`simobs` is not installed")
    return [simobs]


def simulated_observation(params, cache_dir, env):
    """The cache folder holding the simulated observation for ``params``; runs ``simobs``
    (found on ``env["PATH"]``) if it is not cached yet."""
    cache_dir = pathlib.Path(cache_dir) / "simobs"
    key = simobs_key(params)
    final = cache_dir / key
    if (final / "simobs.json").is_file():
        return final
    command = _simobs_command(env)
    cache_dir.mkdir(parents=True, exist_ok=True)
    build = pathlib.Path(tempfile.mkdtemp(prefix=".build-", dir=cache_dir))
    try:
        (build / "pfiles").mkdir()
        out = build / "files"
        out.mkdir()
        run_env = dict(env)
        run_env["PFILES"] = f"{build / 'pfiles'};{env['PFILES'].split(';', 1)[-1]}"
        args = command + [f"{k}={v}" for k, v in params.items()]
        if "mode" not in params:
            args.append("mode=h")
        given = args[len(command):]
        proc = subprocess.run(args, cwd=out, env=run_env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="backslashreplace")
        if proc.returncode != 0:
            last = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
            raise ThreadError(f"simobs failed (exit {proc.returncode}) with "
                              f"{' '.join(given)}: {last}")
        files = sorted(p.name for p in out.iterdir() if p.is_file())
        if not files:
            raise ThreadError(f"simobs wrote no files with {' '.join(given)}")
        (out / "simobs.json").write_text(json.dumps(
            {"params": params, "pyciao": __version__, "files": files,
             "command": "simobs " + " ".join(given), "output": proc.stdout}, indent=1) + "\n")
        try:
            os.rename(out, final)
        except OSError:
            if not (final / "simobs.json").is_file():   # not just another run's copy
                raise
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return final


# ------------------------------------------------------------------------------ commands
def check_commands(thread, env):
    """Raise MissingInput if a command the thread requires is not on the steps' PATH."""
    missing = [c for c in thread.requires if shutil.which(c, path=env.get("PATH")) is None]
    if missing:
        raise MissingInput(f"thread {thread.name} needs the command{'s' if len(missing) > 1 else ''} "
                           f"{', '.join(missing)}, not installed")


# --------------------------------------------------------------------------- preparation
def prepare(thread, work, data_dir, cache_dir, env):
    """Put the thread's inputs into the (empty) working directory ``work``."""
    check_commands(thread, env)
    check_data(thread, data_dir)
    if thread.simobs is not None:
        sim = simulated_observation(thread.simobs, cache_dir, env)
        for name in json.loads((sim / "simobs.json").read_text())["files"]:
            shutil.copy2(sim / name, work / name)
    for target, rel in thread.data.items():
        dest = work / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(data_dir / rel, dest)
    if thread.inputs_dir.is_dir():
        shutil.copytree(thread.inputs_dir, work, dirs_exist_ok=True)
