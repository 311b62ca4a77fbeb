"""Prompting: CIAO's prompt layout, answers on a real pseudo-terminal, and no hang without one."""
import os
import pathlib
import select
import subprocess
import sys
import time

import pytest

from paramio.grammar import parse_line, read_parfile
from paramio.prompt import prompt_text

# A minimal tool: open its parameters, resolve them (asking as the modes require), save.
TOOL = """
import sys, paramio
try:
    session = paramio.open_params("demo", sys.argv[1:], context="demo")
    p = session.values()
    session.save()
except paramio.ParamError as err:
    print(err, file=sys.stderr)
    sys.exit(1)
print("infile=%s outfile=%s units=%s" % (p.infile, p.outfile, p.units))
"""


@pytest.mark.parametrize(
    "line, current, shown",
    [  # spec 3.1 vectors
        ('xygrid,s,a,"1:1024:#1024,1:1024:#1024",,,"Pixel grid specification x0:x1:#nx,y0:y1:#ny"',
         "1:1024:#1024,1:1024:#1024",
         "Pixel grid specification x0:x1:#nx,y0:y1:#ny (1:1024:#1024,1:1024:#1024): "),
        ('infile,f,a,"",,,"Input dataset/block specification"', "",
         "Input dataset/block specification (): "),
        ('verbose,i,a,0,0,5,"Debug Level(0-5)"', "0", "Debug Level(0-5) (0:5) (0): "),
        ("foo,r,a,2.5,0,,", "2.5", "foo (0) (2.5): "),
        ('units,s,a,"default",default|area|time,,"Units"', "default",
         "Units (default|area|time) (default): "),
        ('grating,s,a,"NONE",NONE|LETG|HETG,,"Grating for zeroth order ARF"', "NONE",
         "Grating for zeroth order ARF (NONE|LETG|HETG) (NONE): "),
        ("m,r,a,1,,9,", "1", "m (9) (1): "),
    ],
)
def test_prompt_layout(line, current, shown):
    assert prompt_text(parse_line(line), current) == shown


class Terminal:
    """The master side of a pseudo-terminal: wait for text, type answers."""

    def __init__(self, fd):
        self.fd, self.seen, self.pos = fd, b"", 0

    def expect(self, wanted, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            at = self.seen.find(wanted.encode(), self.pos)
            if at >= 0:
                self.pos = at + len(wanted)
                return self.seen.decode()
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {wanted!r}; saw {self.seen!r}")
            if select.select([self.fd], [], [], left)[0]:
                try:
                    chunk = os.read(self.fd, 1024)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"{wanted!r} never came; saw {self.seen!r}")
                self.seen += chunk

    def type(self, text):
        os.write(self.fd, text.encode())


def test_prompts_on_a_terminal_and_stores_the_answers(demo):
    # spec 8 #18, on a pseudo-terminal
    demo.system_file().write_text(
        demo.system_file().read_text().replace('units,s,h', 'units,s,a')
    )
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-c", TOOL], stdin=slave, stdout=slave,
                            stderr=slave, close_fds=True)
    os.close(slave)
    term = Terminal(master)
    try:
        term.expect("Input file (): ")
        term.type("x.fits\n")
        term.expect("Output file (): ")
        term.type("y.fits\n")
        term.expect("Units (default|area|time) (default): ")
        term.type("bogus\n")
        term.expect("demo: invalid enumerated value : units")
        term.expect("Units (default|area|time) (bogus): ")
        term.type("ar\n")
        assert "infile=x.fits outfile=y.fits units=area" in term.expect("units=area")
        assert proc.wait(timeout=20) == 0
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    stored = read_parfile(str(demo.user_file()))
    assert [stored.get(n).value for n in ("infile", "outfile", "units")] == [
        "x.fits", "y.fits", "area"]


def test_without_a_terminal_it_fails_fast(demo):
    done = subprocess.run([sys.executable, "-c", TOOL], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == ("demo: no terminal to ask for a value (give it as name=value, "
                           "or run with mode=h) : infile\n")
    assert not demo.user_file().exists()


def test_piped_answers_are_not_read_either(demo):
    # a pipe is not a terminal: a script never blocks on a prompt, even if stdin stays open
    proc = subprocess.Popen([sys.executable, "-c", TOOL], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=30)  # stdin left open until communicate
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1 and "no terminal to ask for a value" in err


def test_mode_h_and_given_values_need_no_terminal(demo):
    done = subprocess.run([sys.executable, "-c", TOOL, "a.fits", "b.fits"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (0, "infile=a.fits outfile=b.fits units=default\n")
    done = subprocess.run([sys.executable, "-c", TOOL, "mode=h"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (0, "infile=a.fits outfile=b.fits units=default\n")


def test_pset_alone_asks_for_every_parameter_on_a_terminal(demo):
    pset = pathlib.Path(sys.executable).parent / "pset"
    if not pset.exists():
        pytest.skip("pset script not installed")
    master, slave = os.openpty()
    proc = subprocess.Popen([str(pset), "demo"], stdin=slave, stdout=slave, stderr=slave,
                            close_fds=True)
    os.close(slave)
    term = Terminal(master)
    answers = [
        ("Input file (): ", "a.fits"),
        ("Output file (): ", ""),
        ("Units (default|area|time) (default): ", "ti"),
        ("Binning factor (0) (INDEF): ", ""),
        ("Debug Level(0-5) (0:5) (0): ", "9"),
        ("pset: parameter above maximum : verbose", None),
        ("Debug Level(0-5) (0:5) (0): ", "3"),
        ("Overwrite output? (no): ", ""),
        ("Grid ()other.grid -> 1:10:#10): ", ""),
        ("Temp (${TMPDIR}/x -> /tmp/x): ", ""),
        ("mode (ql): ", ""),
    ]
    try:
        for shown, answer in answers:
            term.expect(shown)
            if answer is not None:
                term.type(answer + "\n")
        assert proc.wait(timeout=20) == 0
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    stored = read_parfile(str(demo.user_file()))
    assert [stored.get(n).value for n in ("infile", "units", "verbose", "binsize")] == [
        "a.fits", "time", "3", "INDEF"]
