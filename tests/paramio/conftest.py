"""Fixtures for the paramio tests: the spec's demo files under an explicit PFILES."""
import io
import sys
import types

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
        return types.SimpleNamespace(status=status, out=out.getvalue(), err=err.getvalue())

    return run


@pytest.fixture
def demo_text():
    """The text of the spec's demo.par."""
    return DEMO_PAR
