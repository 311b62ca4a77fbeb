"""Fuzzing: whatever text, file or table comes in, the only exception is RegionError, and
whatever parses can be evaluated, measured and printed (and re-parsed to the same text)."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pyciao.dm.regions import (RegionError, parse_region, read_region_list,
                               region_from_table, region_to_table)

# numpy's overflow / invalid warnings would hide arithmetic the library does silently
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

FIELD = (-40.0, -40.0, 40.0, 40.0)
PX = np.array([0.0, 1.0, -3.5, 12.0, 1e6, np.nan])
PY = np.array([0.0, 1.0, 2.0, -7.0, 0.0, 0.0])

# Pieces that make near-valid region text much more often than random characters do.
PIECES = ["circle", "cir", "box", "rotbox", "rect", "ellipse", "pie", "sector", "annulus",
          "polygon", "point", "field", "line", "text", "elliptannulus", "diamond",
          "rotrect", "region", "(", ")", ",", ",", "-", "+", "!", "|", "&", "*", " ", ":",
          "'", '"', "d", "p", "i", "e", ".", "0", "1", "2", "5", "10", "-3", "12:30:00",
          "-20:10:05", "1e3", "1D2", "360", "45", '"s"', "\n", "#", ";", "@", "[", "]"]

settings.register_profile("regions", deadline=None, max_examples=int(os.environ.get("REGION_FUZZ_EXAMPLES", 200)),
                          suppress_health_check=[HealthCheck.too_slow])


def exercise(region):
    """Use a parsed region every way the DM will."""
    region.contains(PX, PY)
    region.extent()
    region.extent(field=FIELD)
    region.area(field=FIELD)
    region.invert() if len(region.components) <= 4 else None
    text = str(region)
    if text:
        assert str(parse_region(text)) == text  # the printed form is stable


def only_region_errors(text):
    try:
        region = parse_region(text)
    except RegionError:
        return
    exercise(region)


@settings(settings.get_profile("regions"))
@given(st.text(max_size=80))
def test_random_text(text):
    only_region_errors(text)


@settings(settings.get_profile("regions"))
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_random_region_like_text(text):
    only_region_errors(text)


shape = st.builds(
    lambda name, nums: f"{name}({','.join(nums)})",
    st.sampled_from(["circle", "box", "rotbox", "ellipse", "pie", "sector", "annulus",
                     "polygon", "point", "rect", "field"]),
    st.lists(st.sampled_from(["0", "1", "2.5", "-4", "7", "30", "-30", "400", "1e2",
                              "0.5'", '3"', "1d"]), max_size=9))


@settings(settings.get_profile("regions"))
@given(st.lists(st.tuples(st.sampled_from(["", "+", "-", "&", "|", " ", "!", "-!"]), shape),
                min_size=1, max_size=5))
def test_random_shape_expressions(parts):
    only_region_errors("".join(op + s for op, s in parts).lstrip("+-&| "))


@settings(settings.get_profile("regions"), max_examples=100)
@given(st.lists(st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.sampled_from(["# Region file format: DS9 version 4.1", "physical", "image", "fk5",
                     "galactic", "global coordsys=fk5", "circle(1,2,3)", "-box(1,2,3,4)",
                     "annulus(0,0,1,2,3,4)", "panda(0,0,1,2,3,4,5,6)", "circle 1 2 3",
                     "text(1,2) # text={x}", "# comment", "", "+point(1,2)", "ellipse(0,0,1,2,3,4,0)"])),
    max_size=8))
def test_random_region_files(tmp_path_factory, lines):
    f = tmp_path_factory.mktemp("fuzz") / "r.reg"
    f.write_text("\n".join(lines), encoding="utf-8")
    try:
        region = parse_region(f"region({f})")
    except RegionError:
        return
    exercise(region)
    for item in read_region_list(f):
        item.contains(PX, PY)


@settings(settings.get_profile("regions"), max_examples=60)
@given(st.binary(max_size=300))
def test_random_bytes_as_a_file(tmp_path_factory, data):
    f = tmp_path_factory.mktemp("fuzzb") / "r.fits"
    f.write_bytes(b"SIMPLE  =" + data if data[:1] == b"S" else data)
    try:
        parse_region(f"region({f})")
    except RegionError:
        pass


numbers = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(settings.get_profile("regions"), max_examples=200)
@given(st.integers(0, 4).flatmap(lambda n: st.fixed_dictionaries({
    "SHAPE": st.lists(st.sampled_from(["circle", "!circle", "BOX", "rotbox", "Ellipse", "pie",
                                       "sector", "polygon", "point", "rectangle", "annulus",
                                       "field", "elliptannulus", "", "!"]), min_size=n,
                      max_size=n),
    "X": st.lists(st.lists(numbers, min_size=3, max_size=3), min_size=n, max_size=n),
    "Y": st.lists(st.lists(numbers, min_size=3, max_size=3), min_size=n, max_size=n),
    "R": st.lists(st.lists(numbers, min_size=2, max_size=2), min_size=n, max_size=n),
    "ROTANG": st.lists(numbers, min_size=n, max_size=n),
    "COMPONENT": st.lists(st.integers(-2, 3), min_size=n, max_size=n),
})))
def test_random_region_tables(columns):
    try:
        region = region_from_table(columns)
    except RegionError:
        return
    region.contains(PX, PY)
    region.area(field=FIELD)
    assert region_from_table(region_to_table(region)) == region if len(region) else True
