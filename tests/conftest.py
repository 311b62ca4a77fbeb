"""Shared fixtures: every test runs with its own HOME and PFILES, never the user's."""
import os
import pathlib

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
