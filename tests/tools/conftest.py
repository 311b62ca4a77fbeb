"""Helpers for tool tests: a Params-like namespace with each tool's defaults."""
import types

import pytest

DEFAULTS = {
    "dmcopy": dict(kernel="default", option="", verbose=0, clobber=False),
    "dmlist": dict(opt="data", outfile="", rows="", cells="", verbose=0),
    "dmstat": dict(centroid=True, median=False, sigma=True, clip=False, nsigma=3.0, maxiter=20, verbose=1),
    "dmkeypar": dict(echo=False),
    "dmhedit": dict(filelist="", operation="add", key="", value="", datatype="indef", unit="", comment="",
                    verbose=0),
}


@pytest.fixture
def params():
    def make(tool, **kw):
        d = dict(DEFAULTS[tool])
        d.update(kw)
        return types.SimpleNamespace(**d)
    return make


@pytest.fixture
def obs1479(shared_data):
    return shared_data / "xrayevents_obs1479"
