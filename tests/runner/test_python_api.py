"""The Python API (runtool style), through the test tool and the shipped parameter files."""
import concurrent.futures
import json
import os
import subprocess
import sys

import pytest

import pyciao
from pyciao.runtool import ParamSet, Tool, ToolFailed, ToolModule, UnknownParamError, make_tool


def test_tool_module_is_callable_with_parameter_attributes(echo_module, numbers, tmp_path,
                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    numbers("a.txt", [1, 2, 3])
    tool = echo_module
    assert isinstance(tool, ToolModule)
    assert (tool.infile, tool.factor, tool.units, tool.out_sum) == ("", 2.0, "counts", None)
    assert tool.scale([1, 2], 3) == [3, 6]  # the module's own functions stay reachable
    output = tool("a.txt", "b.txt", 3, verbose=1)
    assert output == "scaled 3 values from a.txt by 3.0\n"
    assert (tool.out_sum, tool.out_count, tool.out_units) == (18.0, 3, "counts")
    assert (tool.infile, tool.outfile, tool.factor) == ("a.txt", "b.txt", 3.0)


def test_silent_run_returns_none(echo_module, numbers, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    numbers("a.txt", [1])
    assert echo_module("a.txt", "b.txt", 1) is None


def test_values_are_validated_and_typed(echo_module):
    tool = make_tool("echotool", echo_module.run)
    tool.units = "ra"  # a unique prefix of an enumerated value is expanded
    tool.clobber = True
    tool.fac = 4  # parameter names may be abbreviated
    assert (tool.units, tool.clobber, tool.factor) == ("rate", True, 4.0)
    tool.factor = None
    assert tool.factor is None
    with pytest.raises(ValueError, match=r"^echotool.factor: parameter below minimum"):
        tool.factor = -2
    with pytest.raises(ValueError, match="invalid enumerated value"):
        tool.units = "watts"
    with pytest.raises(AttributeError,
                       match="^There is no parameter for echotool that matches 'niter'$"):
        tool.niter = 10
    with pytest.raises(AttributeError, match="^Multiple matches for echotool parameter 'out'"):
        tool.out  # noqa: B018
    tool.infile = ["a.txt", "b.txt"]  # a list is a stack
    assert tool.infile == "a.txt,b.txt"


def test_call_arguments(echo_module):
    tool = make_tool("echotool", echo_module.run)
    with pytest.raises(TypeError, match="takes at most 9 arguments"):
        tool(*range(10))
    with pytest.raises(UnknownParamError, match="matches 'colour'"):
        tool("a.txt", colour="red")


def test_failure_raises_with_the_tool_output(echo_module, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ToolFailed) as caught:
        echo_module("missing.txt", "b.txt")
    err = caught.value
    assert isinstance(err, OSError)  # runtool raised IOError
    assert err.status == 1
    assert err.output == (
        "# echotool (pyciao 0.1.0): ERROR: Unable to open input file 'missing.txt'.\n")
    assert str(err).splitlines()[0] == "echotool failed (exit status 1):"


@pytest.fixture
def work_dir(tmp_path_factory, monkeypatch):
    """An empty $ASCDS_WORK_PATH, where the private parameter copies are made."""
    folder = tmp_path_factory.mktemp("work")
    monkeypatch.setenv("ASCDS_WORK_PATH", str(folder))
    return folder


def test_calls_never_touch_the_user_parameter_file(echo_module, numbers, user_dir, tmp_path,
                                                   monkeypatch, pget, work_dir):
    monkeypatch.chdir(tmp_path)
    numbers("a.txt", [1])
    echo_module("a.txt", "b.txt", 2)
    assert not (user_dir / "echotool.par").exists()
    assert not list(work_dir.iterdir())  # the private copy is cleaned up
    echo_module.write_params()  # ... unless asked
    assert pget("infile", "out_sum") == ["a.txt", "2.0"]


def test_write_read_and_punlearn(echo_module, user_dir, tmp_path):
    tool = make_tool("echotool", echo_module.run)
    tool.factor = 7
    tool.write_params(str(tmp_path / "saved"))
    other = make_tool("echotool", echo_module.run)
    other.read_params(str(tmp_path / "saved.par"))
    assert other.factor == 7.0
    other.punlearn()
    assert other.factor == 2.0
    tool.write_params()
    other.read_params()
    assert other.factor == 7.0


def test_printing_lists_required_then_optional_parameters(echo_module):
    lines = str(make_tool("echotool", echo_module.run)).splitlines()
    assert lines[:4] == ["Parameters for echotool:", "", "Required parameters:",
                         "              infile =                  File of numbers"]
    assert "Optional parameters:" in lines
    assert "               units = counts           Units of the values" in lines


def test_threads_sharing_one_tool_see_their_own_arguments(echo_module, numbers, tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECHOTOOL_DELAY", "0.05")
    files = {i: numbers(f"in{i}.txt", [i]) for i in range(8)}

    def call(i):
        shared = echo_module(files[i], f"out{i}.txt", i + 1, verbose=1, clobber=True)
        own = make_tool("echotool", echo_module.run)
        own(files[i], f"own{i}.txt", i + 1, verbose=1, clobber=True)
        return shared, own.out_sum

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, files))
    for i, (shared_output, own_sum) in enumerate(results):
        assert shared_output == f"scaled 1 values from in{i}.txt by {float(i + 1)}\n"
        assert own_sum == float(i * (i + 1))


WORKER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import echotool
i = int(sys.argv[2])
out = echotool(f"in{i}.txt", f"out{i}.txt", i, verbose=1, clobber=True)
print(json.dumps({"output": out, "infile": echotool.infile, "out_sum": echotool.out_sum}))
"""


def test_parallel_processes_keep_the_user_file_intact(user_dir, tool_dir, numbers, tmp_path,
                                                      echotool, work_dir):
    for i in range(1, 9):
        numbers(f"in{i}.txt", [i, 1])
    assert echotool("in1.txt", "first.txt", "1").returncode == 0  # the user file exists
    before = (user_dir / "echotool.par").read_bytes()
    env = dict(os.environ, ECHOTOOL_DELAY="0.2")
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(tool_dir), str(i)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path, env=env) for i in range(1, 9)]
    results = [(p.communicate(timeout=60), p.returncode) for p in procs]
    for i, ((out, err), status) in enumerate(results, 1):
        assert status == 0, err
        got = json.loads(out)
        assert got == {"output": f"scaled 2 values from in{i}.txt by {float(i)}\n",
                       "infile": f"in{i}.txt", "out_sum": float(i * (i + 1))}
    assert (user_dir / "echotool.par").read_bytes() == before
    assert not list(work_dir.iterdir())


# ---- the shipped parameter files through the API --------------------------------------------
def _system_names():
    import pyciao.param

    folder = os.path.dirname(pyciao.param.__file__)
    return sorted(f[:-4] for f in os.listdir(folder) if f.endswith(".par"))


@pytest.mark.parametrize("name", _system_names())
def test_every_shipped_file_opens_through_the_api(name):
    obj = make_tool(name)
    assert isinstance(obj, (Tool, ParamSet))
    listing = str(obj)
    assert listing.startswith(f"Parameters for {name}:")
    for pname, value in obj:  # every default is a valid value of its type
        assert value is None or isinstance(value, (str, bool, int, float)), (pname, value)


def test_parameter_files_without_a_tool_are_not_callable():
    from pyciao import ardlib
    from pyciao.runtool import geom  # pyciao.geom is the geometry package

    assert isinstance(ardlib, ParamSet) and ardlib is pyciao.ardlib
    assert isinstance(geom, ParamSet) and geom is pyciao.runtool.geom
    assert geom.instruments == "CALDB"
    assert ardlib.AXAF_HRC_I_BADPIX_FILE == "NONE"  # '-' in a name is written '_'
    with pytest.raises(TypeError, match="'geom' is a parameter file, not a tool"):
        geom()
    with pytest.raises(AttributeError):
        pyciao.no_such_tool  # noqa: B018
    with pytest.raises(AttributeError):
        pyciao.runtool.no_such_tool  # noqa: B018


def test_shipped_tools_come_from_the_package():
    from pyciao import dmstat  # a tool module is its own API object

    assert isinstance(dmstat, ToolModule) and dmstat.centroid is True
    assert dmstat is pyciao.runtool.dmstat
    assert callable(dmstat.run)


def test_tool_module_globals_do_not_hide_parameters(echo_module):
    """A tool module must not define a global named like one of its parameters (the global
    would hide the parameter attribute). Checked for the test tool and every shipped tool."""
    import importlib

    modules = [(echo_module, make_tool("echotool", echo_module.run))]
    for name in _system_names():
        try:
            modules.append((importlib.import_module(f"pyciao.{name}"), make_tool(name)))
        except ModuleNotFoundError:
            continue
    for module, tool in modules:
        names = {p for p, _ in tool}
        clashes = sorted(n for n in vars(module) if n in names)
        assert not clashes, (module.__name__, clashes)
