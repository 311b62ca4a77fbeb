"""Tolerant text comparison, masks and the readable diff."""
import datetime as dt

import pytest

from pyciao.threads import compare
from pyciao.threads.compare import Masker, Tolerance, compare_line, compare_text, diff_as_text

DMSTAT = (
    "    min:\t0 \t      @:\t( 4243.224052 2974.7345895 )\n"
    "    max:\t2981 \t      @:\t( 4181.224052 3942.7345895 )\n"
    "   mean:\t2.4351529464 \n"
    "  sigma:\t8.7556795397 \n"
    "    sum:\t684709 \n"
    "   good:\t281177 \n"
    "   null:\t73443 \n"
)


def test_identical_texts_are_the_same():
    assert compare_text(DMSTAT, DMSTAT).verdict == "same"


def test_a_float_within_the_relative_tolerance_is_close():
    # a last-digit change, and the spacing after the number follows its printed width
    actual = DMSTAT.replace("2.4351529464 ", "2.435152947  ")
    result = compare_text(DMSTAT, actual, Tolerance(rtol=1e-9))
    assert result.verdict == "close" and result.ok
    assert result.diff == []                       # nothing to show in a run report
    shown = compare_text(DMSTAT, actual, Tolerance(rtol=1e-9), show_close=True)
    assert "equal within the tolerance" in diff_as_text(shown.diff)


def test_a_float_beyond_the_tolerance_fails_with_its_relative_difference():
    actual = DMSTAT.replace("8.7556795397", "8.7557795397")
    result = compare_text(DMSTAT, actual, Tolerance(rtol=1e-6))
    assert result.verdict == "differs"
    text = diff_as_text(result.diff)
    assert "-   sigma:\t8.7556795397 " in text
    assert "+   sigma:\t8.7557795397 " in text
    assert "8.7556795397 ≠ 8.7557795397 (relative difference 1.1e-05 > rtol 1e-06)" in text
    assert "@@ line 2 @@" in text          # the hunk starts with two lines of context
    # context lines around the change, not the whole output
    assert "null" not in text


def test_integers_must_match_exactly():
    result = compare_text(DMSTAT, DMSTAT.replace("281177", "281178"), Tolerance(rtol=0.1))
    assert not result.ok
    assert "281177 ≠ 281178 (integers must match exactly)" in diff_as_text(result.diff)


def test_absolute_tolerance_for_values_near_zero():
    assert compare_line("mean: 1e-17", "mean: -3e-18", Tolerance(rtol=1e-6, atol=1e-15))[0] == "close"
    assert compare_line("mean: 1e-17", "mean: -3e-18", Tolerance(rtol=1e-6))[0] == "differs"


def test_a_layout_change_alone_fails():
    """plist's columns are what users see: one space less is a failure."""
    expected = "        infile =                  Input dataset/block specification"
    actual = "        infile =                 Input dataset/block specification"
    verdict, reasons = compare_line(expected, actual, Tolerance())
    assert verdict == "differs" and reasons == ["the spacing differs"]


def test_numbers_inside_names_are_text():
    verdict, _ = compare_line("acisf11823_repro_evt2.fits", "acisf11824_repro_evt2.fits",
                              Tolerance(rtol=0.5))
    assert verdict == "differs"
    assert compare_line("CHIP ACIS-I1 69.59", "CHIP ACIS-I1 69.590000001", Tolerance())[0] == "close"


def test_added_and_missing_lines_are_shown():
    result = compare_text("a\nb\nc\n", "a\nc\nd\n")
    text = diff_as_text(result.diff)
    assert "- b" in text and "+ d" in text and not result.ok


def test_number_count_change_pairs_the_lines():
    result = compare_text("x = 1 2\n", "x = 1 2 3\n")
    assert [d.tag for d in result.diff] == ["@", "-", "+"]


# ------------------------------------------------------------------------------- masks
def test_paths_are_masked_also_in_resolved_form(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    masker = Masker([("<SCRATCH>", link)])
    assert masker(f"{link}/pfiles/dmlist.par and {real}/work") == \
        "<SCRATCH>/pfiles/dmlist.par and <SCRATCH>/work"


def test_more_specific_paths_win(tmp_path):
    masker = Masker([("<SCRATCH>", tmp_path), ("<DATA>", tmp_path / "data")])
    assert masker(f"{tmp_path}/data/x {tmp_path}/y") == "<DATA>/x <SCRATCH>/y"


def test_todays_dates_are_masked_and_old_dates_are_kept():
    today = dt.date(2025, 11, 22)
    masker = Masker(today=today)
    text = ("DATE    = '2025-11-22T10:32:01' / file creation\n"
            "DATE-OBS= '2009-08-01T12:00:00' / observation\n"
            "Sat Nov 22 10:32:01 UTC 2025\n"
            "renamed to /p/dmstat_20251121.09:29:58.par\n")
    assert masker(text) == ("DATE    = '<NOW>' / file creation\n"
                            "DATE-OBS= '2009-08-01T12:00:00' / observation\n"
                            "<NOW>\n"
                            "renamed to /p/dmstat_<NOW>.par\n")


def test_version_and_temporary_names_are_masked():
    masker = Masker()
    assert masker("# dmcopy (pyciao 0.1.0): ERROR: x") == "# dmcopy (pyciao <VERSION>): ERROR: x"
    assert masker("CREATOR = 'dmcopy - pyciao version 1.2.3.dev4+g12ab'") == \
        "CREATOR = 'dmcopy - pyciao version <VERSION>'"
    assert masker("/tmp/tmpab12_x9z.dmstat.par") == "/tmp/tmp<X>.dmstat.par"
    assert masker("out/.img.fits.k2j4h5g6.tmp") == "out/.img.fits.<X>.tmp"


def test_thread_masks():
    mask = compare.parse_mask(r"Running tasks in parallel with \d+ processors => "
                              r"Running tasks in parallel with <N> processors")
    masker = Masker(masks=[mask])
    assert masker("Running tasks in parallel with 4 processors.") == \
        "Running tasks in parallel with <N> processors."
    with pytest.raises(ValueError, match="REGEX => REPLACEMENT"):
        compare.parse_mask("no arrow")
    with pytest.raises(ValueError, match="unterminated"):
        compare.parse_mask("( => x")


def test_masking_is_idempotent():
    masker = Masker([("<SCRATCH>", "/tmp/s")], today=dt.date.today())
    once = masker(f"/tmp/s/x {dt.date.today().isoformat()} pyciao 0.1.0 tmpabcdefgh")
    assert masker(once) == once
