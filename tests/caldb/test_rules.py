"""The two calibration selection rules, on plain rows with known answers."""
import datetime as dt

import pytest

from pyciao.caldb.index import (CalRow, boundaries_match, parse_boundary, parse_date,
                                select_caldb, select_cif)
from pyciao.errors import ToolError


def d(text):
    return parse_date(text)


# --- dates -----------------------------------------------------------------------------------

def test_parse_date_forms():
    assert parse_date("2001-05-29T17:16:58") == dt.datetime(2001, 5, 29, 17, 16, 58)
    assert parse_date("2001-05-29") == dt.datetime(2001, 5, 29)
    # XMM CIF example date with a seconds field of 60 rolls over
    assert parse_date("2000-02-06T16:49:60") == dt.datetime(2000, 2, 6, 16, 50, 0)
    assert abs((parse_date("now") - dt.datetime.utcnow()).total_seconds()) < 5


@pytest.mark.parametrize("bad", ["2001-13-01", "yesterday", "2001/05/29", ""])
def test_parse_date_rejects(bad):
    with pytest.raises(ToolError):
        parse_date(bad)


# --- CALDB rule ------------------------------------------------------------------------------

def test_boundaries():
    assert parse_boundary("CCD_ID(0)") == ("CCD_ID", ["0"])
    assert parse_boundary("ENERGY(0.1-10)keV") == ("ENERGY", [(0.1, 10.0)])
    assert parse_boundary("NONE") is None
    assert boundaries_match(("CCD_ID(3)",), {"ccd_id": 3})
    assert not boundaries_match(("CCD_ID(3)",), {"ccd_id": 2})
    assert boundaries_match(("CCD_ID(3)",), {})          # not asked -> not checked
    assert boundaries_match(("DATAMODE(GRADED,FAINT,VFAINT)",), {"DATAMODE": "faint"})
    assert not boundaries_match(("DATAMODE(GRADED,FAINT)",), {"DATAMODE": "CC33_FAINT"})
    assert boundaries_match(("ENERGY(0.1-10)keV",), {"ENERGY": 2.3})


def _qe_rows():
    return [
        CalRow("QE", "qeN0005.fits", 1, instrument="ACIS", boundaries=("CCD_ID(0)",),
               valid_start=d("1997-04-17")),
        CalRow("QE", "qeN0006.fits", 1, instrument="ACIS", boundaries=("CCD_ID(0)",),
               valid_start=d("1997-04-17")),                       # same start, indexed later
        CalRow("QE", "qeN0006.fits", 4, instrument="ACIS", boundaries=("CCD_ID(3)",),
               valid_start=d("1997-04-17")),
        CalRow("QE", "qeN0007.fits", 1, instrument="ACIS", boundaries=("CCD_ID(0)",),
               valid_start=d("2009-11-01")),
        CalRow("QE", "qeN0008.fits", 1, instrument="ACIS", boundaries=("CCD_ID(0)",),
               valid_start=d("2015-01-01"), quality=5),            # bad quality: never chosen
        CalRow("QE", "qeN0009.fits", 1, instrument="HRC", valid_start=d("2020-01-01")),
    ]


def test_caldb_latest_valid_start_wins():
    rows = _qe_rows()
    pick = select_caldb(rows, "QE", "2005-01-01", instrument="ACIS", bounds={"CCD_ID": 0})
    assert pick.path == "qeN0006.fits"                    # tie on start: the row indexed last
    pick = select_caldb(rows, "QE", "2012-01-01", instrument="ACIS", bounds={"CCD_ID": 0})
    assert pick.path == "qeN0007.fits"
    pick = select_caldb(rows, "QE", "2020-06-01", instrument="ACIS", bounds={"CCD_ID": 0})
    assert pick.path == "qeN0007.fits"                    # quality 5 skipped
    pick = select_caldb(rows, "QE", "2012-01-01", instrument="ACIS", bounds={"CCD_ID": 3})
    assert (pick.path, pick.extension) == ("qeN0006.fits", 4)
    assert select_caldb(rows, "QE", "1996-01-01", instrument="ACIS") is None
    assert select_caldb(rows, "VIGNET", "2005-01-01") is None


def test_caldb_validity_end():
    rows = [CalRow("QE", "a.fits", 1, instrument="ACIS", valid_start=d("1997-04-17"),
                   valid_end=d("2009-11-07")),
            CalRow("QE", "b.fits", 1, instrument="ACIS", valid_start=d("1990-01-01"))]
    assert select_caldb(rows, "QE", "2005-01-01").path == "a.fits"
    assert select_caldb(rows, "QE", "2010-01-01").path == "b.fits"   # a has expired


# --- XMM CIF rule ----------------------------------------------------------------------------
# The seed (SAS "CCF concept" talk) states the rule and two outcomes, whose figures are not in
# the text: "at the time T the CCF consists of xmm_ExampleOne_0001.ccf and
# xmm_ExampleTwo_0005.ccf" (two files) and "at the time T1 ... xmm_ExampleOne_0002.ccf,
# xmm_ExampleTwo_0003.ccf and xmm_ExampleThree_0002.ccf" (three files). The library below is
# our reconstruction of such a history; the rule must give exactly those answers.

T = "2001-06-01T00:00:00"
T1 = "2005-06-01T00:00:00"
NOW = "2010-01-01T00:00:00"


def seed_library():
    def ccf(typeid, issue, valdate, date, evaldate=None):
        return CalRow(typeid, f"xmm_{typeid}_{issue:04d}.ccf", telescope="XMM", instrument="XMM",
                      issue=issue, valid_start=d(valdate), valid_end=d(evaldate) if evaldate else None,
                      release_date=d(date))
    return [
        ccf("ExampleOne", 1, "2000-01-01", "2000-01-01"),
        ccf("ExampleOne", 2, "2003-01-01", "2003-02-01"),          # update valid from 2003 on
        ccf("ExampleTwo", 1, "2000-01-01", "2000-01-01"),
        ccf("ExampleTwo", 2, "2000-01-01", "2000-06-01"),
        ccf("ExampleTwo", 3, "2000-01-01", "2001-01-01"),
        ccf("ExampleTwo", 4, "2000-01-01", "2001-03-01", evaldate="2003-01-01"),
        ccf("ExampleTwo", 5, "2000-01-01", "2001-05-01", evaldate="2003-01-01"),  # early period only
        ccf("ExampleThree", 1, "2002-01-01", "2002-01-01"),
        ccf("ExampleThree", 2, "2002-01-01", "2004-01-01"),
    ]


def names(selected):
    return sorted(r.path for r in selected.values())


def test_seed_example_two_files_at_T():
    chosen = select_cif(seed_library(), T, NOW)
    assert names(chosen) == ["xmm_ExampleOne_0001.ccf", "xmm_ExampleTwo_0005.ccf"]


def test_seed_example_three_files_at_T1():
    chosen = select_cif(seed_library(), T1, NOW)
    assert names(chosen) == ["xmm_ExampleOne_0002.ccf", "xmm_ExampleThree_0002.ccf",
                             "xmm_ExampleTwo_0003.ccf"]


def test_analysis_date_hides_later_files():
    # analysing in 2003-01-15 (before ExampleOne_0002 and ExampleThree_0002 were made)
    chosen = select_cif(seed_library(), T1, "2003-01-15")
    assert names(chosen) == ["xmm_ExampleOne_0001.ccf", "xmm_ExampleThree_0001.ccf",
                             "xmm_ExampleTwo_0003.ccf"]
    # in 2001-04-01 issue 5 did not exist yet
    chosen = select_cif(seed_library(), T, "2001-04-01")
    assert names(chosen) == ["xmm_ExampleOne_0001.ccf", "xmm_ExampleTwo_0004.ccf"]


def test_validity_end_is_exclusive_and_start_inclusive():
    rows = [CalRow("Q", "q1", telescope="XMM", instrument="X", issue=1, valid_start=d("2000-01-01"),
                   valid_end=d("2003-01-01"), release_date=d("2000-01-01"))]
    assert select_cif(rows, "2000-01-01", NOW)                 # start inclusive
    assert not select_cif(rows, "2003-01-01", NOW)             # end exclusive
    assert not select_cif(rows, "1999-12-31T23:59:59", NOW)
