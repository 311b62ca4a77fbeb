"""The .par grammar: spec section 1.1 vectors, canonical rewriting, errors, fuzzing."""
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paramio.errors import ParFileSyntax
from paramio.grammar import Param, parse_line, parse_text
from paramio.render import render, render_param

# (input line, parsed fields, canonical rewrite) -- spec 1.1 test vectors
VECTORS = [
    ("mode,s,h,ql,,,", ("mode", "s", "h", "ql", "", "", ""), 'mode,s,h,"ql",,,'),
    ("mode,s,h,ql", ("mode", "s", "h", "ql", "", "", ""), 'mode,s,h,"ql",,,'),
    ('mode,s,h,"ql",,,', ("mode", "s", "h", "ql", "", "", ""), 'mode,s,h,"ql",,,'),
    (
        'verbose,i,h,1,0,5,"Debug Level (0-5)"',
        ("verbose", "i", "h", "1", "0", "5", "Debug Level (0-5)"),
        None,
    ),
    (
        'tile,b,h,no,,,"Change ds9 into tile mode when adding new images?"',
        ("tile", "b", "h", "no", "", "", "Change ds9 into tile mode when adding new images?"),
        None,
    ),
    (
        'paramlist,s,h,"name,value,prompt,min,max",,,',
        ("paramlist", "s", "h", "name,value,prompt,min,max", "", "", ""),
        None,
    ),
    (
        'binsize,r,h,INDEF,0,,"Image binning factor"',
        ("binsize", "r", "h", "INDEF", "0", "", "Image binning factor"),
        None,
    ),
    (
        'units,s,h,"default",default|area|time,,"Units for the exposure map"',
        ("units", "s", "h", "default", "default|area|time", "", "Units for the exposure map"),
        None,
    ),
    # escaped quotes inside a quoted value, and a value that is a single blank (HEASoft)
    ('q,s,h,"say \\"hi\\"",,,"P"', ("q", "s", "h", 'say "hi"', "", "", "P"), None),
    ("insert,s,h,' ',,,\"Insert\"", ("insert", "s", "h", " ", "", "", "Insert"),
     'insert,s,h," ",,,"Insert"'),
    # blanks around fields (HEASoft style) are not data
    ("infile\t\t, f, a, \"in\" , , , \"Name\"", ("infile", "f", "a", "in", "", "", "Name"),
     'infile,f,a,"in",,,"Name"'),
    # a prompt whose closing quote is missing (real HEASoft files) runs to the end of the line
    ('qdp, s, h,"no", , , "Stay in qdp? (yes/[no])',
     ("qdp", "s", "h", "no", "", "", "Stay in qdp? (yes/[no])"),
     'qdp,s,h,"no",,,"Stay in qdp? (yes/[no])"'),
]


@pytest.mark.parametrize("line, fields, rewritten", VECTORS)
def test_line_vectors(line, fields, rewritten):
    param = parse_line(line)
    assert param.fields() == fields
    assert render_param(param) == (rewritten or line)


def test_comments_and_blank_lines_stay_in_place():
    text = "# a comment\ninfile,f,a,\"\",,,\"Input\"\n\n#second\nmode,s,h,\"ql\",,,\n"
    pf = parse_text(text)
    kinds = [type(e).__name__ for e in pf.entries]
    assert kinds == ["Comment", "Param", "Comment", "Comment", "Param"]
    assert pf.entries[0].text == "# a comment"
    assert render(pf) == text


def test_too_many_fields():
    with pytest.raises(ParFileSyntax) as info:
        parse_text("ok,s,h,\"\",,,\na,b,c,d,e,f,g,h\n", path="/x/bad.par")
    err = info.value
    assert err.lineno == 2 and err.detail == "too many fields"
    assert str(err) == "/x/bad.par: error reading paramfile : /x/bad.par: line 2: too many fields"


@pytest.mark.parametrize(
    "line, detail",
    [
        (",s,h,,,,", "field Name"),
        ("name", "field Type"),
        ("name,1,h", "field Type"),
        ("name,s", "field Mode"),
        ("name,s,zz,", "field Mode"),
        ('name,s,h,"a"b,,,', "field Value"),
        ('name,s,h,"",,,"p",extra', "too many fields"),
    ],
)
def test_malformed_fields(line, detail):
    with pytest.raises(ParFileSyntax) as info:
        parse_line(line, 7)
    assert info.value.detail == detail and info.value.lineno == 7


def test_crlf_and_missing_final_newline_are_read():
    pf = parse_text('a,s,h,"x",,,\r\nb,i,h,1,,,')
    assert [p.name for p in pf.params] == ["a", "b"]
    assert render(pf) == 'a,s,h,"x",,,\nb,i,h,1,,,\n'


def test_first_of_a_repeated_name_wins():
    pf = parse_text('a,s,h,"first",,,\na,s,h,"second",,,\n')
    assert pf.get("a").value == "first"
    assert len(pf.params) == 2  # both lines survive a rewrite


def test_rewrite_quotes_bare_fields_that_would_not_read_back():
    p = Param("x", "r", "h", "1", "0,5", " 7", "")
    line = render_param(p)
    assert parse_line(line).fields() == p.fields()


def test_empty_text():
    assert parse_text("").entries == []
    assert render(parse_text("")) == ""


# ---- fuzzing: random text gives a ParFile or the documented error, nothing else ----------
_par_alphabet = st.sampled_from(list(',"\'\\ \t#|)$={}abhlqrsfi01.-\n\r') + ["\x00", "é"])


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_par_alphabet, max_size=120))
def test_random_text_parses_or_raises_the_documented_error(text):
    try:
        pf = parse_text(text)
    except ParFileSyntax as err:
        assert err.lineno >= 1 and err.detail
        return
    # whatever parsed must survive a canonical rewrite unchanged
    again = parse_text(render(pf))
    assert [e.fields() if isinstance(e, Param) else e.text for e in again.entries] == [
        e.fields() if isinstance(e, Param) else e.text for e in pf.entries
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_unicode_text(text):
    try:
        parse_text(text)
    except ParFileSyntax:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z_][A-Za-z0-9_\-]{0,10}", fullmatch=True),
            st.sampled_from(["s", "f", "i", "r", "b"]),
            st.sampled_from(["a", "h", "q", "ql", "hl"]),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
        ),
        max_size=6,
    )
)
def test_any_parameters_survive_write_then_read(rows):
    from paramio.grammar import ParFile
    from paramio.render import can_write

    # The format has no form for a text that starts with a quote, holds a single quote and
    # has a backslash before a double quote or at its end; everything else must survive.
    assume(all(can_write(text) for row in rows for text in row[3:]))
    pf = ParFile([Param(*row) for row in rows])
    back = parse_text(render(pf))
    assert [p.fields() for p in back.params] == [tuple(row) for row in rows]
