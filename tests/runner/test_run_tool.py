"""`run_tool` in-process with small cores: how each kind of failure is reported, what the
core receives, and that a parameter the core never reads is never asked for."""
import pytest

from pyciao.errors import ToolError
from pyciao.messages import verbosity
from pyciao.task import Params, run_tool

ARGS = ["a.txt", "b.txt", "3"]


def run(core, args=ARGS):
    return run_tool("echotool", core, args)


def test_core_gets_typed_values_by_attribute_and_item(user_dir):
    seen = {}

    def core(p):
        seen.update(infile=p.infile, factor=p["factor"], clobber=p.clobber, units=p.units,
                    sum=p.out_sum, names=list(p), has_mode="mode" in p, verbose=verbosity())

    assert run(core, ARGS + ["verbose=3"]) == 0
    assert seen == {"infile": "a.txt", "factor": 3.0, "clobber": False, "units": "counts",
                    "sum": None, "names": ["infile", "outfile", "factor", "units", "clobber",
                                           "verbose", "out_sum", "out_count", "out_units",
                                           "mode"], "has_mode": True, "verbose": 3}


def test_unknown_names_are_key_errors_for_the_core(user_dir):
    def core(p):
        assert p.get("nosuch", "default") == "default"
        with pytest.raises(KeyError):
            p["inf"]  # abbreviations are for users, not for tool code
        with pytest.raises(AttributeError):
            p.nosuch  # noqa: B018

    assert run(core) == 0


def test_parameters_the_core_never_reads_are_never_asked_for(user_dir, capsys):
    def core(p):
        raise ToolError(f"stop before reading outfile (infile={p.infile})")

    # outfile and factor are automatic and missing, and there is no terminal: no matter
    assert run(core, ["infile=x.fits"]) == 1
    assert capsys.readouterr().err == (
        "# echotool (pyciao 0.1.0): ERROR: stop before reading outfile (infile=x.fits)\n")


def test_outputs_are_validated_against_their_types(user_dir, capsys):
    assert run(lambda p: {"out_count": "many"}) == 1
    assert capsys.readouterr().err == "echotool: cannot convert parameter value : out_count\n"
    assert not (user_dir / "echotool.par").exists()


def test_error_origin_replaces_the_tool_prefix(user_dir, capsys):
    class StackError(ToolError):
        origin = "stklib"

    def core(p):
        raise StackError("can not open stack 'missing.lis'")

    assert run(core) == 1
    assert capsys.readouterr().err == "# stklib : ERROR: can not open stack 'missing.lis'\n"


def test_os_errors_are_one_line(user_dir, capsys, tmp_path):
    def core(p):
        open(tmp_path / "no" / "such.fits")

    assert run(core) == 1
    err = capsys.readouterr().err
    assert err == ("# echotool (pyciao 0.1.0): ERROR: No such file or directory: "
                   f"{tmp_path}/no/such.fits\n")


def test_bugs_are_one_line_unless_debugging(user_dir, capsys, monkeypatch):
    def core(p):
        return {}["boom"]

    assert run(core) == 1
    err = capsys.readouterr().err
    assert err.startswith("# echotool (pyciao 0.1.0): ERROR: internal error (KeyError: 'boom')")
    assert err.count("\n") == 1
    monkeypatch.setenv("PYCIAO_DEBUG", "1")
    with pytest.raises(KeyError):
        run(core)


def test_interrupt_exits_130(user_dir, capsys):
    def core(p):
        raise KeyboardInterrupt

    assert run(core) == 130


def test_missing_parameter_file(user_dir, capsys):
    assert run_tool("no_such_tool", lambda p: None, []) == 1
    assert capsys.readouterr().err == "no_such_tool: parameter file not found : no_such_tool\n"


def test_stack_hook_expands_lists(user_dir, tmp_path, monkeypatch):
    pytest.importorskip("pyciao.dm.stack", reason="the Data Model's stack module is not here yet")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "list.lis").write_text("one.fits\n# a comment\ntwo.fits\n")
    seen = []
    assert run(lambda p: seen.append(p.stack("infile")), ["@list.lis", "b", "1"]) == 0
    assert seen == [["one.fits", "two.fits"]]


def test_params_mapping_reads_each_value_once(user_dir):
    class CountingSession:
        calls = 0

        def __contains__(self, name):
            return name == "infile"

        def typed(self, name):
            CountingSession.calls += 1
            return "x"

        def names(self):
            return ["infile"]

    p = Params(CountingSession())
    assert (p.infile, p["infile"], len(p)) == ("x", "x", 1)
    assert CountingSession.calls == 1
