"""Command-line parsing against a parameter file (spec section 3)."""
import pytest

from paramio.cmdline import Assignment, parse_command_line
from paramio.errors import (
    AmbiguousName,
    BadSubfield,
    ParamNotFound,
    PositionalOverridesName,
    TooManyPositional,
)
from paramio.grammar import parse_text


@pytest.fixture(autouse=True)
def _demo(demo_text):
    global DEMO_PAR, DEMO
    DEMO_PAR, DEMO = demo_text, parse_text(demo_text)


def parse(*args, parfile=None):
    parfile = parfile or DEMO
    return [(a.name, a.field, a.value) for a in parse_command_line(parfile, list(args))]


def test_positionals_fill_non_hidden_parameters_in_order():
    assert parse("a.fits", "b.fits") == [("infile", None, "a.fits"), ("outfile", None, "b.fits")]


def test_too_many_positionals():
    with pytest.raises(TooManyPositional) as info:
        parse("a", "b", "c")
    assert info.value.name == "c"
    assert info.value.line("pset") == "pset: to many positional arguments : c"


def test_named_values_and_abbreviations():
    assert parse("in=x", "verb=3", "clobber=yes") == [
        ("infile", None, "x"), ("verbose", None, "3"), ("clobber", None, "yes"),
    ]


def test_empty_value():
    assert parse("outfile=") == [("outfile", None, "")]
    # followed by another setting, `name=` stays empty
    assert parse("outfile=", "clobber+") == [("outfile", None, ""), ("clobber", None, "yes")]
    assert parse("infile=", "outfile=x") == [("infile", None, ""), ("outfile", None, "x")]


def test_value_after_a_space_following_equals():
    # as CIAO threads type it: `dmcoords ... ra= 12:29:06.700`
    assert parse("infile=", "a.fits", "verbose=", "-1") == [
        ("infile", None, "a.fits"), ("verbose", None, "-1"),
    ]


def test_positional_may_not_replace_a_named_parameter():
    # `dmlist infile=x blocks` would otherwise quietly set infile to "blocks"
    with pytest.raises(PositionalOverridesName) as info:
        parse("infile=x.fits", "y.fits")
    assert info.value.line("demo") == (
        "demo: positional value for a parameter already given by name : infile"
    )
    assert parse("outfile=b.fits", "a.fits") == [("outfile", None, "b.fits"), ("infile", None, "a.fits")]


def test_spaces_around_equals():
    assert parse("infile", "=", "x", "verbose", "=2") == [
        ("infile", None, "x"), ("verbose", None, "2"),
    ]


def test_boolean_flags():
    assert parse("clob+", "clobber-") == [("clobber", None, "yes"), ("clobber", None, "no")]


def test_a_positional_ending_in_a_sign_is_still_positional():
    # "zz-" names no parameter, so it is a value; a DM filter with "=" inside is a value too.
    assert parse("zz-", "evt.fits[energy=500:7000][bin sky=2]") == [
        ("infile", None, "zz-"), ("outfile", None, "evt.fits[energy=500:7000][bin sky=2]"),
    ]
    # ... but "x-" abbreviates xygrid, as CIAO's grammar reads it
    assert parse("x-") == [("xygrid", None, "no")]


def test_positional_counter_ignores_named_values():
    # CIAO counts positionals only: "a" still goes to the first non-hidden parameter.
    assert parse("outfile=o", "a") == [("outfile", None, "o"), ("infile", None, "a")]


def test_field_suffixes():
    assert parse("infile.p_prompt=Your file", "verbose.p_value=2") == [
        ("infile", "p_prompt", "Your file"), ("verbose", None, "2"),
    ]
    with pytest.raises(BadSubfield):
        parse("infile.p_bogus=1")


def test_unknown_name():
    with pytest.raises(ParamNotFound) as info:
        parse("nosuch=1")
    assert str(info.value) == "parammatch : can't find parameter nosuch in reference list"


def test_ambiguous_prefix():
    pf = parse_text(DEMO_PAR + 'outroot,f,h,"",,,"Root"\n')
    assert parse("outf=x", parfile=pf) == [("outfile", None, "x")]
    with pytest.raises(AmbiguousName) as info:
        parse("out=x", parfile=pf)
    assert str(info.value) == "parammatch : parameter name out not uniq (outfile, outroot)"


def test_exact_name_beats_longer_names():
    pf = parse_text('out,s,h,"",,,\noutfile,s,h,"",,,\n')
    assert parse("out=1", parfile=pf) == [("out", None, "1")]


def test_names_with_dashes_and_digits():
    pf = parse_text('AXAF_HRC-I_BADPIX_FILE,f,h,"",,,\n3,i,h,0,,,\n')
    assert parse("AXAF_HRC-I_BADPIX_FILE=bp.fits", "3=4", parfile=pf) == [
        ("AXAF_HRC-I_BADPIX_FILE", None, "bp.fits"), ("3", None, "4"),
    ]


def test_assignment_repr_and_equality():
    a = Assignment("x", None, "1")
    assert a == Assignment("x", None, "1") and "x" in repr(a)
