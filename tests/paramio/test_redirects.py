"""Indirect values: )par, )tool.par, )tool.par.p_min, ))command, ${VAR}, loops (spec 1.6-1.7)."""
import pytest

from paramio import open_params
from paramio.errors import BadIndirect


def write(folder, name, text):
    (folder / f"{name}.par").write_text(text)


def test_spec_vectors(demo, p, monkeypatch):
    # spec 1.7 table: env ASCDS_WORK_PATH=/tmp, USER=ann
    write(demo.system, "env", (
        'a,s,h,"${ASCDS_WORK_PATH}",,,\n'
        'b,s,h,"${ASCDS_WORK_PATH}/ds9_dax.${USER}",,,\n'
        'c,s,h,"$ASCDS_WORK_PATH",,,\n'
        'd,s,h,")mode",,,\n'
        'e,s,h,"))echo hi",,,\n'
        'mode,s,h,"ql",,,\n'
    ))
    monkeypatch.setenv("ASCDS_WORK_PATH", "/tmp")
    resolved = p("pget", "env", "a", "b", "c", "d", "e").out.split("\n")
    assert resolved == ["/tmp", "/tmp/ds9_dax.ann", "$ASCDS_WORK_PATH", "ql", "hi", ""]
    raw = p("pget", "env", "a.p_value", "b.p_value", "c.p_value", "d.p_value", "e.p_value")
    assert raw.out.split("\n") == ["${ASCDS_WORK_PATH}", "${ASCDS_WORK_PATH}/ds9_dax.${USER}",
                                    "$ASCDS_WORK_PATH", ")mode", "))echo hi", ""]


def test_unset_variable_is_left_as_written(demo, p, monkeypatch):
    monkeypatch.delenv("NO_SUCH_VAR_X", raising=False)
    write(demo.system, "env", 'a,s,h,"${NO_SUCH_VAR_X}/x",,,\n')
    assert p("pget", "env", "a").out == "${NO_SUCH_VAR_X}/x\n"


def test_redirect_to_another_tool_follows_its_user_copy(demo, p):
    # spec 8 #3, then the get_sky_limits -> mkexpmap pattern of the exposure-map thread
    assert p("pget", "demo", "xygrid").out == "1:10:#10\n"
    assert p("pset", "other", "grid=4098.2:5288.2:#595").status == 0
    assert p("pget", "demo", "xygrid").out == "4098.2:5288.2:#595\n"
    assert p("pget", "demo", "xygrid.p_value").out == ")other.grid\n"


def test_pset_stores_a_redirect_unchecked(demo, p):
    assert p("pset", "demo", "verbose=)other.grid").status == 0
    assert p("pget", "demo", "verbose.p_value").out == ")other.grid\n"
    result = p("pget", "demo", "verbose")  # "1:10:#10" is no integer: an error when read
    assert result.status == 1 and result.err == "pget: cannot convert parameter value : verbose\n"


def test_redirect_to_a_field_and_star(demo, p):
    write(demo.system, "f", (
        'lim,i,h,3,1,9,"Limit"\n'
        'lo,i,h,")lim.p_min",,,\n'
        'hi,i,h,")*f.lim.p_max",,,\n'
        'cap,i,h,5,0,)lim,"Capped"\n'
    ))
    assert p("pget", "f", "lo", "hi").out == "1\n9\n"
    assert p("pget", "f", "cap.p_max").out == "3\n"  # a redirected max is resolved
    result = p("pset", "f", "cap=4")
    assert result.err == "pset: parameter above maximum : cap\n"


@pytest.mark.parametrize(
    "text",
    [
        'a,s,h,")a",,,\n',  # itself
        'a,s,h,")b",,,\nb,s,h,")a",,,\n',  # a loop of two
        'a,s,h,")loop.b",,,\nb,s,h,")a",,,\n',  # a loop through the file's own name
    ],
)
def test_loops_are_detected(demo, p, text):
    write(demo.system, "loop", text)
    result = p("pget", "loop", "a")
    assert result.status == 1
    assert result.err == "pget: can't evaluate indirect parameter : a\n"


@pytest.mark.parametrize("target", [")nosuch", ")nofile.x", ")other.nosuch"])
def test_unresolvable_redirects(demo, p, target):
    write(demo.system, "bad", f'a,s,h,"{target}",,,"A"\n')
    result = p("pget", "bad", "a")
    assert (result.status, result.err) == (1, "pget: can't evaluate indirect parameter : a\n")
    listing = p("plist", "bad").out
    assert f"(a = {target} -> INDEF)" in listing


def test_command_line_value_seen_through_a_same_file_redirect(tmp_path):
    par = tmp_path / "r.par"
    par.write_text('grid,s,h,"",,,\nxygrid,s,h,")grid",,,\n')
    assert open_params(str(par), ["grid=1:2:#2"]).values().xygrid == "1:2:#2"


def test_shell_evaluation_only_through_double_paren(tmp_path):
    par = tmp_path / "s.par"
    par.write_text('a,s,h,"))printf \'one\\ntwo\\n\'",,,\nb,s,h,"$(echo no)",,,\n')
    values = open_params(str(par), []).values()
    assert values.a == "one"  # the first line of output
    assert values.b == "$(echo no)"  # anything else is never run


def test_redirect_error_is_typed(tmp_path):
    par = tmp_path / "t.par"
    par.write_text('a,s,h,")a",,,\n')
    with pytest.raises(BadIndirect) as info:
        open_params(str(par), [], context="t").values()
    assert info.value.name == "a"
