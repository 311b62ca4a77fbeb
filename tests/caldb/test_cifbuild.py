"""cifbuild on a folder of CCF files: the seed's examples end to end."""
import types

import pytest
from astropy.io import fits

from pyciao import cifbuild
from pyciao.caldb.cif import read_cif, scan_ccf_dir
from pyciao.errors import ToolError


def make_ccf(folder, typeid, issue, valdate, date, evaldate=None, scope="XMM"):
    h = fits.Header()
    h["TELESCOP"] = "XMM"
    h["SCOPE"] = scope
    h["TYPEID"] = typeid
    h["ISSUE"] = issue
    h["VALDATE"] = valdate
    if evaldate:
        h["EVALDATE"] = evaldate
    h["DATE"] = date
    h["CATEGORY"] = "XMMCCF"
    path = folder / f"xmm_{typeid}_{issue:04d}.ccf"
    fits.PrimaryHDU(header=h).writeto(path)
    return path


@pytest.fixture
def ccfdir(tmp_path):
    lib = tmp_path / "ccf"
    lib.mkdir()
    for args in [("ExampleOne", 1, "2000-01-01T00:00:00", "2000-01-01T00:00:00"),
                 ("ExampleOne", 2, "2003-01-01T00:00:00", "2003-02-01T00:00:00"),
                 ("ExampleTwo", 3, "2000-01-01T00:00:00", "2001-01-01T00:00:00"),
                 ("ExampleTwo", 4, "2000-01-01T00:00:00", "2001-03-01T00:00:00", "2003-01-01T00:00:00"),
                 ("ExampleTwo", 5, "2000-01-01T00:00:00", "2001-05-01T00:00:00", "2003-01-01T00:00:00"),
                 ("ExampleThree", 1, "2002-01-01T00:00:00", "2002-01-01T00:00:00"),
                 ("ExampleThree", 2, "2002-01-01T00:00:00", "2004-01-01T00:00:00")]:
        make_ccf(lib, *args)
    (lib / "README.txt").write_text("not a ccf\n")
    return lib


def params(**kw):
    base = dict(calindexset="ccf.cif", ccfpath=".", fileglob="*.ccf|*.CCF", recurse=False,
                observationdate="now", analysisdate="now", category="XMMCCF",
                ignorecategory=False, fullpath=False, clobber=True, verbose=0)
    base.update(kw)
    return types.SimpleNamespace(**base)


def test_scan_reads_headers(ccfdir):
    rows = scan_ccf_dir(str(ccfdir))
    assert len(rows) == 7
    assert {r.codename for r in rows} == {"ExampleOne", "ExampleTwo", "ExampleThree"}


def test_cifbuild_at_T_and_T1(ccfdir, tmp_path, capsys):
    out = tmp_path / "T.cif"
    cifbuild.run(params(calindexset=str(out), ccfpath=str(ccfdir),
                        observationdate="2001-06-01T00:00:00", analysisdate="2010-01-01T00:00:00"))
    got = sorted(f for *_, f in read_cif(out))
    assert got == ["xmm_ExampleOne_0001.ccf", "xmm_ExampleTwo_0005.ccf"]
    # ExampleThree has no valid constituent at T: absent, with SAS's warning name
    assert "NoMatchingCcfConstituents" in capsys.readouterr().err
    hdr = fits.getheader(out, "CALINDEX")
    assert hdr["OBSDATE"] == "2001-06-01T00:00:00"
    assert hdr["ANALDATE"] == "2010-01-01T00:00:00"

    out1 = tmp_path / "T1.cif"
    cifbuild.run(params(calindexset=str(out1), ccfpath=str(ccfdir),
                        observationdate="2005-06-01T00:00:00", analysisdate="2010-01-01T00:00:00"))
    rows = read_cif(out1)
    assert sorted(f for *_, f in rows) == ["xmm_ExampleOne_0002.ccf", "xmm_ExampleThree_0002.ccf",
                                           "xmm_ExampleTwo_0003.ccf"]
    assert ("XMM", "ExampleTwo", 3, "xmm_ExampleTwo_0003.ccf") in rows


def test_cifbuild_errors(tmp_path, ccfdir):
    with pytest.raises(ToolError, match="does not exist"):
        cifbuild.run(params(calindexset=str(tmp_path / "x.cif"), ccfpath=str(tmp_path / "nope")))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ToolError, match="No calibration files"):
        cifbuild.run(params(calindexset=str(tmp_path / "x.cif"), ccfpath=str(empty)))
    with pytest.raises(ToolError, match="Invalid date"):
        cifbuild.run(params(calindexset=str(tmp_path / "x.cif"), ccfpath=str(ccfdir),
                            observationdate="29/05/2001"))
    existing = tmp_path / "keep.cif"
    existing.write_text("old")
    with pytest.raises(ToolError, match="Clobber"):
        cifbuild.run(params(calindexset=str(existing), ccfpath=str(ccfdir), clobber=False))
    assert existing.read_text() == "old"
