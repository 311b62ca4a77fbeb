"""Shared fixtures: every test runs with its own HOME and PFILES, never the user's."""
import os
import pathlib
import subprocess
import sys
import types

import pytest

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
