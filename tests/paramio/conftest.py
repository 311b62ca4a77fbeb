"""Fixtures for the paramio tests: the spec's demo files under an explicit PFILES."""
import io
import os
import pathlib
import subprocess
import sys

import pytest

# The fixture system files of spec section 8.
DEMO_PAR = """\
# demo parameter file
infile,f,a,"",,,"Input file"
outfile,f,a,"",,,"Output file"
units,s,h,"default",default|area|time,,"Units"
binsize,r,h,INDEF,0,,"Binning factor"
verbose,i,h,0,0,5,"Debug Level(0-5)"
clobber,b,h,no,,,"Overwrite output?"
xygrid,s,h,")other.grid",,,"Grid"
tmp,s,h,"${TMPDIR}/x",,,"Temp"
mode,s,h,"ql",,,
"""
OTHER_PAR = 'grid,s,h,"1:10:#10",,,\n'


class Dirs:
    """The user (U) and system (S) parameter directories of a test."""

    def __init__(self, root):
        self.root = root
        self.user = root / "U"
        self.system = root / "S"

    def user_file(self, tool="demo"):
        return self.user / f"{tool}.par"

    def system_file(self, tool="demo"):
        return self.system / f"{tool}.par"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """PFILES="$U;$S" with demo.par and other.par in S, TMPDIR=/tmp, USER=ann, cwd = tmp."""
    dirs = Dirs(tmp_path)
    dirs.user.mkdir()
    dirs.system.mkdir()
    dirs.system_file("demo").write_text(DEMO_PAR)
    dirs.system_file("other").write_text(OTHER_PAR)
    monkeypatch.setenv("PFILES", f"{dirs.user};{dirs.system}")
    monkeypatch.setenv("TMPDIR", "/tmp")
    monkeypatch.setenv("USER", "ann")
    monkeypatch.chdir(tmp_path)
    return dirs


class Result:
    def __init__(self, status, out, err):
        self.status, self.out, self.err = status, out, err

    def __repr__(self):
        return f"Result(status={self.status}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def p():
    """Run a p-command in-process: ``p("pget", "demo", "units")`` -> Result. stdin is a
    string (empty by default), so never a terminal."""
    from paramio import cli

    def run(command, *args, stdin=""):
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
        try:
            status = getattr(cli, f"{command}_main")(list(args))
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
        return Result(status, out.getvalue(), err.getvalue())

    return run


def script(name):
    """The installed console script ``name`` (next to the running interpreter)."""
    path = pathlib.Path(sys.executable).parent / name
    if not path.exists():
        pytest.skip(f"console script {name} not installed")
    return str(path)


@pytest.fixture
def sh():
    """Run an installed console script in a subprocess (real exit status, real streams)."""

    def run(command, *args, stdin="", timeout=30):
        done = subprocess.run(
            [script(command), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=os.environ.copy(),
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def demo_text():
    """The text of the spec's demo.par."""
    return DEMO_PAR
