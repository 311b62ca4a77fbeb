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
    "dmextract": dict(bkg="", error="gaussian", bkgerror="gaussian", bkgnorm=1.0, exp="", bkgexp="",
                      sys_err=0.0, opt="pha1", defaults="${ASCDS_CALIB}/cxo.mdb", wmap="", clobber=False,
                      verbose=0),
    "dmimgcalc": dict(infile2="", weight=1.0, weight2=1.0,
                      lookupTab="${ASCDS_CALIB}/dmmerge_header_lookup.txt", clobber=False, verbose=0),
    "dmimgthresh": dict(expfile="", cut="", value=0.0, verbose=0, clobber=False),
    "get_sky_limits": dict(precision=1, verbose=1),
    "dmgti": dict(mtlfile="none", lkupfile="none", smooth=True, clobber=False, verbose=0),
    "dmsort": dict(copyall=True, clobber=False, verbose=0),
    "dmmerge": dict(outBlock="", lookupTab="${ASCDS_CALIB}/dmmerge_header_lookup.txt", columnList="",
                    clobber=False, verbose=0),
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
