"""Fixtures for the runner tests: the test tool `echotool` (tests/runner/echotool/), run as a
real command in a subprocess or imported in-process, with PFILES pointing at a private user
directory and the test tool's folder as the system directory."""
import importlib.util
import pathlib
import subprocess
import sys

import pytest

TOOL_DIR = pathlib.Path(__file__).resolve().parent / "echotool"
LAUNCH = (
    f"import sys; sys.path.insert(0, {str(TOOL_DIR)!r}); import echotool; "
    "sys.exit(echotool.main())"
)
PGET = "import sys; from paramio.cli import pget_main; sys.exit(pget_main())"


@pytest.fixture
def user_dir(isolated_params, monkeypatch):
    """The user parameter directory (PFILES="<user>;<echotool folder>")."""
    folder = isolated_params / "pfiles"
    folder.mkdir()
    monkeypatch.setenv("PFILES", f"{folder};{TOOL_DIR}")
    return folder


def _run(code, args, stdin, cwd):
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


@pytest.fixture
def tool_dir():
    return TOOL_DIR


@pytest.fixture
def echo_command(user_dir):
    """The argv of ``echotool <args>`` as a command."""

    def command(*args):
        return [sys.executable, "-c", LAUNCH, *map(str, args)]

    return command


@pytest.fixture
def echotool(user_dir, tmp_path):
    """Run ``echotool <args>`` as a command in tmp_path; returns the CompletedProcess."""

    def run(*args, stdin=None):
        return _run(LAUNCH, args, stdin, tmp_path)

    return run


@pytest.fixture
def pget(user_dir, tmp_path):
    """``pget echotool <names>``: the printed values as a list of lines."""

    def run(*names):
        done = _run(PGET, ["echotool", *names], None, tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    return run


@pytest.fixture
def echo_module(user_dir):
    """The test tool imported in this process (so its module is also the API object)."""
    name = "echotool"
    spec = importlib.util.spec_from_file_location(name, TOOL_DIR / "echotool.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(name, None)


@pytest.fixture
def numbers(tmp_path):
    """Write a file of numbers into tmp_path and return its name."""

    def write(name, values):
        (tmp_path / name).write_text(" ".join(map(str, values)) + "\n")
        return name

    return write
