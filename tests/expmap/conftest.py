"""Fixtures of the exposure-map tests (the simulated observation, ``sim``, is shared by
every test folder: tests/conftest.py)."""
import types

import numpy as np
import pytest


@pytest.fixture
def source():
    """A truth-table row by name."""
    def get(obs, name):
        return next(r for r in obs.truth["sources"] if r["name"] == name)
    return get


def params(**kw):
    """A stand-in for the runner's typed parameters (attribute and item access)."""
    class P(types.SimpleNamespace):
        def __getitem__(self, k):
            return getattr(self, k)
    return P(**kw)


@pytest.fixture
def P():
    return params


@pytest.fixture
def in_dir(monkeypatch):
    def go(path):
        monkeypatch.chdir(path)
        return path
    return go


def chip_window(ccd):
    return [(1, 1024, 1, 1024)]


def sky_box(x, y, half, step=1.0):
    """Axes of a square grid of about ``2 half`` pixels around (x, y), edges on x.5."""
    from pyciao.expmap.grid import Axis

    n = int(np.ceil(2 * half / step))
    return (Axis(float(np.floor(x) + 0.5 - n * step / 2), step, n),
            Axis(float(np.floor(y) + 0.5 - n * step / 2), step, n))
