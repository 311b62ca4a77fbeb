"""Tool runs through a session: modes, prompting, learning, outputs, @@file (spec 1.3, 8)."""
import io

import pytest

from paramio import open_params
from paramio.errors import OutOfRange, QueryNeedsTerminal, TypeConversion
from paramio.grammar import read_parfile
from paramio.session import effective_mode


class Terminal(io.StringIO):
    """Answers typed at a terminal (isatty() is true)."""

    def isatty(self):
        return True


# (param mode, file mode, effective letters): CIAO's ParamGetX rules
@pytest.mark.parametrize(
    "pmode, fmode, letters",
    [
        ("a", "ql", "ql"),
        ("a", "h", "hl"),
        ("a", "hl", "hl"),
        ("a", "q", "q"),
        ("h", "ql", "h"),
        ("hl", "ql", "h"),
        ("q", "ql", "q"),
        ("ql", "ql", "ql"),
        ("ql", "h", "l"),
        ("l", "ql", "l"),
    ],
)
def test_effective_mode(pmode, fmode, letters):
    assert effective_mode(pmode, fmode) == letters


def test_hidden_open_never_queries():
    assert effective_mode("q", "ql", hidden_open=True) == ""


def test_tool_run_learns_automatic_parameters_not_hidden_ones(demo):
    # spec 8 #17: "demo a.fits b.fits clobber=yes" then pget infile / clobber
    session = open_params("demo", ["a.fits", "b.fits", "clobber=yes"])
    p = session.values()
    assert (p.infile, p.outfile, p.clobber) == ("a.fits", "b.fits", True)
    session.save()
    stored = read_parfile(demo.user_file())
    assert stored.get("infile").value == "a.fits"
    assert stored.get("outfile").value == "b.fits"
    assert stored.get("clobber").value == "no"


def test_typed_mapping(demo):
    p = open_params("demo", ["a", "b", "verbose=3", "binsize=2.5"]).values()
    assert p == {
        "infile": "a", "outfile": "b", "units": "default", "binsize": 2.5, "verbose": 3,
        "clobber": False, "xygrid": "1:10:#10", "tmp": "/tmp/x", "mode": "ql",
    }
    assert p["verbose"] == p.verbose == 3
    assert open_params("demo", ["a", "b"]).values().binsize is None  # INDEF


def test_mode_h_on_the_command_line_suppresses_prompts(demo):
    # spec 8 #19
    session = open_params("demo", ["mode=h"])
    assert session.values().infile == ""
    session.save()
    stored = read_parfile(demo.user_file())
    assert stored.get("infile").value == "" and stored.get("mode").value == "ql"


def test_query_without_a_terminal_is_an_error_not_a_hang(demo):
    session = open_params("demo", [], context="demo", stdin=io.StringIO("x.fits\n"))
    with pytest.raises(QueryNeedsTerminal) as info:
        session.values()
    assert str(info.value) == (
        "demo: no terminal to ask for a value (give it as name=value, or run with mode=h) : infile"
    )
    assert not demo.user_file().exists()


def test_without_a_terminal_a_valid_stored_value_is_used(demo):
    # A script sets parameters with pset, then runs the tool with no arguments: CIAO's prompt
    # reads end of input and keeps the stored value; so do we, without printing a prompt.
    learning = open_params("demo", ["a.fits", "b.fits"])
    learning.values()
    learning.save()
    session = open_params("demo", [], context="demo", stdin=io.StringIO(""))
    values = session.values()
    assert (values.infile, values.outfile) == ("a.fits", "b.fits")


def test_without_a_terminal_an_invalid_stored_value_is_an_error(tmp_path):
    par = tmp_path / "bad.par"
    par.write_text('nbins,i,a,"many",,,"Bins"\nmode,s,h,"ql",,,\n')
    with pytest.raises(TypeConversion):
        open_params(str(par), [], stdin=io.StringIO("")).values()


def test_prompted_answers_are_stored(demo):
    # spec 8 #18, answered on a (fake) terminal
    err = io.StringIO()
    session = open_params("demo", [], stdin=Terminal("x.fits\ny.fits\n"), stderr=err)
    p = session.values()
    assert (p.infile, p.outfile) == ("x.fits", "y.fits")
    assert err.getvalue() == "Input file (): Output file (): "
    session.save()
    stored = read_parfile(demo.user_file())
    assert (stored.get("infile").value, stored.get("outfile").value) == ("x.fits", "y.fits")


def test_enter_keeps_the_current_value(demo):
    session = open_params("demo", [], stdin=Terminal("\n\n"), stderr=io.StringIO())
    assert session.values().infile == ""


def test_invalid_answer_asks_again_then_end_of_input_is_an_error(tmp_path, monkeypatch):
    par = tmp_path / "v.par"
    par.write_text('n,i,a,1,0,5,"Number"\nmode,s,h,"ql",,,\n')
    err = io.StringIO()
    session = open_params(str(par), [], context="v", stdin=Terminal("9\nabc\n4\n"), stderr=err)
    assert session.values().n == 4
    assert err.getvalue() == (
        "Number (0:5) (1): v: parameter above maximum : n\n"
        "Number (0:5) (9): v: cannot convert parameter value : n\n"
        "Number (0:5) (abc): "
    )
    session = open_params(str(par), ["n=7"], stdin=Terminal(""), stderr=io.StringIO())
    with pytest.raises(OutOfRange):
        session.values()


def test_invalid_stored_value_without_a_terminal_is_an_error(tmp_path):
    par = tmp_path / "blah.par"
    par.write_text('boo,i,h,notaninteger,,,"bad value"\n')
    with pytest.raises(TypeConversion) as info:
        open_params(str(par), [], context="blah").values()
    assert str(info.value) == "blah: cannot convert parameter value : boo"


def test_learning_follows_each_parameters_mode(tmp_path):
    par = tmp_path / "m.par"
    par.write_text(
        'a1,s,a,"",,,\nq1,s,q,"",,,\nql1,s,ql,"",,,\nh1,s,h,"",,,\nhl1,s,hl,"",,,\n'
        'l1,s,l,"",,,\nmode,s,h,"ql",,,\n'
    )
    args = ["a1=A", "q1=Q", "ql1=QL", "h1=H", "hl1=HL", "l1=L"]
    session = open_params(str(par), args)
    assert session.values()["q1"] == "Q"
    session.save()
    stored = {p.name: p.value for p in read_parfile(str(par)).params}
    assert stored == {"a1": "A", "q1": "", "ql1": "QL", "h1": "", "hl1": "", "l1": "L",
                      "mode": "ql"}


def test_file_mode_hl_learns_automatic_parameters(tmp_path):
    # what runtool relies on: "tool @@tmp.par mode=hl" stores the values it was given
    par = tmp_path / "t.par"
    par.write_text('infile,f,a,"",,,\nmode,s,h,"ql",,,\n')
    session = open_params("t", [f"@@{par}", "in=x.fits", "mode=hl"])
    session.values()
    session.save()
    assert read_parfile(str(par)).get("infile").value == "x.fits"


def test_at_at_file_is_read_and_written_in_place(demo, tmp_path):
    # spec 8 #23
    private = tmp_path / "p.par"
    private.write_text(demo.system_file().read_text())
    session = open_params("demo", [f"@@{private}", "a.fits", "b.fits"])
    assert session.path == str(private)
    session.values()
    session.set_outputs({"verbose": 2})
    session.save()
    assert read_parfile(str(private)).get("infile").value == "a.fits"
    assert read_parfile(str(private)).get("verbose").value == "2"
    assert not demo.user_file().exists()


def test_outputs_are_stored_for_pget(demo, p):
    session = open_params("demo", ["a", "b"])
    session.values()
    session.set_outputs({"binsize": 4.0, "clobber": True, "units": "ti"})
    session.save()
    assert p("pget", "demo", "binsize", "clobber", "units").out == "4.0\nyes\ntime\n"


def test_an_invalid_output_is_refused(demo):
    session = open_params("demo", ["a", "b"], context="demo")
    with pytest.raises(TypeConversion) as info:
        session.set_outputs({"binsize": "not a number"})
    assert str(info.value) == "demo: cannot convert parameter value : binsize"


def test_save_merges_onto_the_file_as_it_is_now(demo, p):
    first = open_params("demo", ["a.fits", "b.fits"])
    first.values()
    assert p("pset", "demo", "verbose=4").status == 0  # written while `first` is open
    first.save()
    assert p("pget", "demo", "infile", "verbose").out == "a.fits\n4\n"


def test_raw_and_resolved_values(demo):
    session = open_params("demo", [])
    assert session.raw("xygrid") == ")other.grid"
    assert session.get("xygrid", query=False) == "1:10:#10"
    assert session.get("tmp", query=False) == "/tmp/x"
    assert session.raw("tmp") == "${TMPDIR}/x"
    assert session.get("verbose.p_max") == "5"
    assert session.get("units.p_min") == "default|area|time"
    assert session.get("infile.p_mode") == "a"
    assert session.get("infile.p_type") == "f"


def test_plus_alone_asks_for_a_listing(demo):
    assert open_params("demo", ["+"]).list_requested


def test_a_file_without_mode_behaves_as_mode_ql(tmp_path):
    par = tmp_path / "nomode.par"
    par.write_text('infile,f,a,"",,,"Input"\n')
    with pytest.raises(QueryNeedsTerminal):
        open_params(str(par), []).values()
    session = open_params(str(par), ["x.fits"])
    session.values()
    session.save()
    assert par.read_text() == 'infile,f,a,"x.fits",,,"Input"\n'  # learned, nothing added
