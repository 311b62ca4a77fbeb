"""Types, INDEF, ranges and enumerations (spec 1.2-1.5)."""
import pytest

from paramio.errors import BadRange, InvalidEnum, OutOfRange, TypeConversion
from paramio.values import check, to_python, to_text

UNITS = ("s", "default|area|time", "")


@pytest.mark.parametrize(
    "given, stored",
    [("area", "area"), ("ar", "area"), ("t", "time"), ("d", "default"), ("default", "default")],
)
def test_enumeration_prefixes_expand(given, stored):
    assert check(UNITS[0], given, UNITS[1], UNITS[2], "units") == (stored, stored)


@pytest.mark.parametrize("given", ["AREA", "x", ""])
def test_enumeration_rejects_unknown_values(given):
    with pytest.raises(InvalidEnum) as info:
        check(*(UNITS[0], given, UNITS[1], UNITS[2]), "units")
    assert info.value.message == "invalid enumerated value"
    assert str(info.value) == "paramio: invalid enumerated value : units"


def test_enumeration_prefix_of_two_entries_is_not_unique():
    with pytest.raises(InvalidEnum) as info:
        check("s", "NUM", "NONE|NUM_BINS|NUM_CTS", "", "grp")
    assert info.value.message == "enumerated value not unique"


def test_exact_entry_wins_over_longer_entries():
    assert check("s", "NUM", "NUM|NUM_BINS", "", "g")[0] == "NUM"


def test_numeric_enumeration():
    assert check("i", "2", "1|2|4", "", "n") == ("2", 2)
    with pytest.raises(InvalidEnum) as info:
        check("i", "3", "1|2|4", "", "n")
    assert info.value.message == "value must be in range"


def test_enumeration_with_a_max_is_a_bad_range():
    with pytest.raises(BadRange) as info:
        check("s", "a", "a|b", "c", "x")
    assert info.value.message == "can't specify range and max field"


@pytest.mark.parametrize(
    "value, message",
    [("7", "parameter above maximum"), ("-1", "parameter below minimum")],
)
def test_integer_range(value, message):
    with pytest.raises(OutOfRange) as info:
        check("i", value, "0", "5", "verbose")
    assert info.value.message == message


@pytest.mark.parametrize("value", ["0", "5", "3"])
def test_range_is_inclusive(value):
    assert check("i", value, "0", "5", "verbose") == (value, int(value))


def test_open_ended_ranges_and_indef():
    assert check("r", "1e9", "0", "", "binsize") == ("1e9", 1e9)
    assert check("r", "INDEF", "0", "", "binsize") == ("INDEF", None)
    with pytest.raises(OutOfRange):
        check("r", "-0.5", "0", "", "binsize")
    assert check("r", "-5", "", "1", "x")[1] == -5.0


def test_bad_bound_in_the_file():
    with pytest.raises(BadRange) as info:
        check("i", "3", "zero", "", "n")
    assert info.value.message == "parameter has bad minimum value"


@pytest.mark.parametrize(
    "ptype, text, value",
    [
        ("b", "yes", True),
        ("b", "no", False),
        ("b", "NO", False),
        ("b", "y", True),
        ("i", "42", 42),
        ("i", "-3", -3),
        ("i", "INDEF", None),
        ("i", "", None),
        ("r", "2.5", 2.5),
        ("r", ".1", 0.1),
        ("r", "600.", 600.0),
        ("r", "1E-3", 0.001),
        ("r", "indef", None),
        ("s", " a b ", " a b "),
        ("f", "x.fits[cols x]", "x.fits[cols x]"),
        ("fr", "x", "x"),
        ("d", "1.5", 1.5),
    ],
)
def test_to_python(ptype, text, value):
    assert to_python(ptype, text) == value


@pytest.mark.parametrize("ptype, text", [("i", "abc"), ("i", "1.5"), ("r", "abc"), ("r", "1_0"),
                                          ("b", "maybe"), ("i", "0x10")])
def test_conversion_errors(ptype, text):
    with pytest.raises(TypeConversion) as info:
        to_python(ptype, text, "rval")
    assert str(info.value) == "paramio: cannot convert parameter value : rval"


def test_booleans_are_stored_as_yes_no():
    assert check("b", "Y", "", "", "c") == ("yes", True)
    assert check("b", "false", "", "", "c") == ("no", False)


@pytest.mark.parametrize(
    "ptype, value, text",
    [("b", True, "yes"), ("b", False, "no"), ("i", None, "INDEF"), ("r", None, "INDEF"),
     ("s", None, ""), ("r", 0.1, "0.1"), ("i", 3, "3"), ("s", "x", "x")],
)
def test_to_text(ptype, value, text):
    assert to_text(ptype, value) == text
