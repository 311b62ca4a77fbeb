"""dm.expr (dmmath expressions), dm.headermerge (lookup-table header merging) and the new-table
writer: precedence and numpy semantics, CIAO's merge messages, fitsverify-clean tables."""
import shutil
import subprocess

import numpy as np
import pytest
from astropy.io import fits

from pyciao.dm.expr import ExprError, parse_expression
from pyciao.dm.headermerge import DEFAULT_RULES, merge_headers, read_lookup_table, resolve_lookup_table
from pyciao.dm.writer import NewColumn, new_table_hdu, null_primary_hdu
from pyciao.dm.fitsfile import write_fits
from pyciao.errors import ToolError


def ev(text, **env):
    return parse_expression(text).evaluate(lambda n: env[n])


@pytest.mark.parametrize("text,value", [
    ("1+2*3", 7), ("(1+2)*3", 9), ("2**3**2", 512.0), ("2^3", 8.0), ("-2**2", -4.0),
    ("7%4", 3), ("1.5e1+1d1", 25.0), ("1<2 && 2<1 || 3==3", 1), ("!0", 1), ("1 ? 5 : 6", 5),
    ("0 ? 5 : 0 ? 6 : 7", 7), ("(int)(2.9)", 2), ("(float)(1)/3", np.float32(1) / 3),
    ("log(100)", 2.0), ("ln(exp(2))", 2.0), ("sqrt(16)+fabs(-1)", 5.0), ("pi", np.pi), ("4/2*3", 6.0),
    ("10-4-3", 3), ("atan2(1,1)", np.pi / 4), ("asinh(0)", 0.0),
])
def test_values(text, value):
    assert ev(text) == pytest.approx(value)


def test_arrays_names_and_targets():
    e = parse_expression("imgout=(img1-img2)/IMG3")
    assert e.target == "imgout" and e.names == {"img1", "img2", "img3"}
    got = e.evaluate({"img1": np.array([4.0, 1.0]), "img2": np.array([2.0, 1.0]), "img3": np.array([2.0, 0.0])}.__getitem__)
    assert got[0] == 1.0 and np.isnan(got[1])                     # IEEE 0/0 in expressions
    assert ev("(x>2)&&(x<=4)", x=np.arange(6)).tolist() == [0, 0, 0, 1, 1, 0]
    assert ev("((0.4<=phase)&&(phase<0.9))", phase=np.array([0.3, 0.4, 0.9])).tolist() == [0, 1, 0]
    assert parse_expression("count_rate>=40").target is None
    assert ev("a/b", a=np.array([3], "i4"), b=np.array([2], "i4")).tolist() == [1.5]


@pytest.mark.parametrize("text,message", [
    ("1+", "ends too early"), ("(1+2", "expected '\\)'"), ("1 $ 2", "unexpected '\\$'"),
    ("foo(1)", "unknown function 'foo'"), ("y+1", "unknown name 'y' at column 1"), ("", "no expression"),
    ("x=", "empty expression"), ("sqrt(1,2)", "wrong number of arguments"),
])
def test_errors_name_the_problem(text, message):
    with pytest.raises(ExprError, match=message):
        parse_expression(text).evaluate(lambda n: {}[n])


def header(**keys):
    h = fits.Header()
    for k, v in keys.items():
        h[k.replace("_DASH_", "-")] = v
    return h


def test_merge_rules_and_messages(capsys):
    a = header(DETNAM="ACIS-0", CONTENT="IMAGE", RA_NOM=10.0, ROLL_NOM=5.0, EQUINOX=2000.0, TIMEDEL=3.2,
               MJDREF=50814.0, TIMEUNIT="s", TSTART=100.0, TSTOP=200.0, DATE_DASH_OBS="A", MINE=1,
               OBI_NUM=1, TELESCOP="CHANDRA")
    b = header(DETNAM="ACIS-1", CONTENT="EXPMAP", RA_NOM=10.0001, ROLL_NOM=7.0, EQUINOX=1950.0, TIMEDEL=3.3,
               MJDREF=50815.0, TIMEUNIT="d", TSTART=50.0, TSTOP=150.0, DATE_DASH_OBS="B", MINE=2,
               OBI_NUM=1, TELESCOP="CHANDRA")
    merged, messages = merge_headers([a, b], out=False)
    assert messages == ["warning: CONTENT has 1 different values.",
                        "warning: DETNAM has different value...Merged...",
                        "warning: EQUINOX has different values...using 2000.0...",
                        "MJDREF values are different...FAIL...",
                        "omit - ROLL_NOM values different more than 1.000000",
                        "TIMEUNIT values are different...FAIL..."]
    assert merged["DETNAM"] == "Merged" and merged["CONTENT"] == "IMAGE" and merged["RA_NOM"] == 10.0
    assert "ROLL_NOM" not in merged and "MJDREF" not in merged and merged["TIMEUNIT"] == "s"
    assert merged["TIMEDEL"] == 3.3 and merged["EQUINOX"] == 2000.0 and merged["MINE"] == 1
    assert merged["TSTART"] == 50.0 and merged["DATE-OBS"] == "B" and merged["TSTOP"] == 200.0
    assert capsys.readouterr().err == ""
    merge_headers([a, b])
    assert capsys.readouterr().err.startswith("warning: CONTENT has 1 different values.\n")


def test_missing_keywords_and_a_lookup_file(tmp_path):
    a, b = header(DEC_NOM=1.0, BTIMCORR=1.0, MISSION="AXAF"), header(OTHER=1)
    _, messages = merge_headers([a, b], out=False)
    assert messages == ["BTIMCORR not present in all input files...FAIL...",
                        "omit - keyword DEC_NOM not present in all input files"]
    table = tmp_path / "lookup.txt"
    table.write_text("# comment\nDETNAM   Merge-Merged;Force-Unknown\nTITLE    PUT_STRING-Combined\n\n")
    rules = read_lookup_table(table)
    assert rules == {"DETNAM": "Merge-Merged;Force-Unknown", "TITLE": "PUT_STRING-Combined"}
    merged, _ = merge_headers([header(TITLE="x"), header(TITLE="y", DETNAM="ACIS-7")], rules, out=False)
    assert merged["TITLE"] == "Combined" and merged["DETNAM"] == "Unknown"
    assert resolve_lookup_table(str(table)) == rules
    assert resolve_lookup_table("${ASCDS_CALIB}/dmmerge_header_lookup.txt") == DEFAULT_RULES
    with pytest.raises(ToolError, match="Unable to open lookup table"):
        resolve_lookup_table(str(tmp_path / "nope.txt"))


@pytest.mark.skipif(shutil.which("fitsverify") is None, reason="fitsverify not installed")
def test_new_table_is_fitsverify_clean(tmp_path):
    cols = [NewColumn("CHANNEL", np.arange(1, 4, dtype="i4"), "channel", "PI", tlmin=1, tlmax=3),
            NewColumn("SHAPE", np.array(["Circle", "Annulus", "!Box"]), None, "Region shape type", width=16),
            NewColumn("R", np.zeros((3, 2)), "pixel", "Radius", keys={"TCTYP": "CEL_R", "TCRVL": 0.0,
                                                                       "TCRPX": 0.0, "TCDLT": 0.492, "TCUNI": "arcsec"}),
            NewColumn("FLAG", np.array([True, False, True]), None, "a logical"),
            NewColumn("COMPONENT", np.array([1, 2, 3], "i2"))]
    src = header(TELESCOP="CHANDRA", TTYPE1="old", HISTORY="kept")
    path = tmp_path / "t.fits"
    write_fits(path, [null_primary_hdu(), new_table_hdu("HISTOGRAM", cols, header=src, history=("tool", [("a", "1")]),
                                                        mtypes=[("sky", "X,Y", "pixel")])])
    done = subprocess.run(["fitsverify", "-q", "-e", str(path)], capture_output=True, text=True)
    assert "OK" in done.stdout, done.stdout + done.stderr
    d = fits.getdata(path, 1)
    assert d["SHAPE"].tolist() == ["Circle", "Annulus", "!Box"] and d["FLAG"].tolist() == [True, False, True]
    h = fits.getheader(path, 1)
    assert h["TFORM2"] == "16A" and h["TCTYP3"] == "CEL_R" and h["TELESCOP"] == "CHANDRA" and h["TTYPE1"] == "CHANNEL"
    assert [str(x) for x in h["HISTORY"]][0] == "kept" and h["MTYPE1"] == "sky"
