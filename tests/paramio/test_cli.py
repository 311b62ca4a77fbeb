"""The p-commands as a user types them (spec section 8 vectors) and their bad-input behaviour."""
import hashlib

import pytest


def test_pget_values(demo, p):
    # spec 8 #2, #4, #5
    assert p("pget", "demo", "units").out == "default\n"
    assert p("pget", "demo", "tmp").out == "/tmp/x\n"
    assert p("pget", "demo", "clobber", "verbose").out == "no\n0\n"
    assert p("pget", "demo", "clob", "verb").out == "no\n0\n"  # abbreviations


def test_pset_then_pget(demo, p):
    # spec 8 #6, #11, #12, #14
    assert p("pset", "demo", "units=ar").status == 0
    assert p("pget", "demo", "units").out == "area\n"
    assert p("pset", "demo", "clob+").status == 0
    assert p("pget", "demo", "clobber").out == "yes\n"
    assert p("pset", "demo", "a.fits", "b.fits").status == 0
    assert p("pget", "demo", "infile", "outfile").out == "a.fits\nb.fits\n"
    assert p("pset", "demo", "in=x").status == 0
    assert p("pget", "demo", "infile").out == "x\n"


def test_pset_is_silent_and_keeps_the_file_canonical(demo, p):
    result = p("pset", "demo", "outfile=", "verbose=2", "clobber=yes")
    assert (result.status, result.out, result.err) == (0, "", "")
    text = demo.user_file().read_text()
    expected = demo.system_file().read_text().replace("verbose,i,h,0", "verbose,i,h,2")
    assert text == expected.replace("clobber,b,h,no", "clobber,b,h,yes")


def test_pset_attributes(demo, p):
    assert p("pset", "demo", "infile.p_prompt=Your most excellent Chandra file").status == 0
    assert p("pget", "demo", "infile.p_prompt").out == "Your most excellent Chandra file\n"
    assert p("pset", "demo", "infile.p_mode=h").status == 0
    assert p("pget", "demo", "infile.p_mode").out == "h\n"
    result = p("pset", "demo", "infile.p_type=s")
    assert (result.status, result.err) == (1, "pset: bad subfield name : infile.p_type\n")


def test_punlearn_restores_defaults(demo, p):
    # spec 8 #21
    p("pset", "demo", "a.fits", "b.fits", "verbose=3")
    assert p("punlearn", "demo").status == 0
    assert p("pget", "demo", "infile", "verbose").out == "\n0\n"
    assert demo.user_file().read_text() == demo.system_file().read_text()


def test_punlearn_a_file_path_uses_the_system_file_of_that_name(demo, p, tmp_path):
    private = tmp_path / "private" / "demo.par"
    private.parent.mkdir()
    private.write_text(demo.system_file().read_text().replace("verbose,i,h,0", "verbose,i,h,5"))
    assert p("punlearn", str(private)).status == 0
    assert private.read_text() == demo.system_file().read_text()


def test_punlearn_without_a_system_file(demo, p):
    demo.user_file("mine").write_text('a,s,h,"x",,,\n')
    result = p("punlearn", "mine")
    assert result.status == 1
    assert result.err == "punlearn: can't find reference parameter file : mine\n"


def test_pquery_prints_and_stores(demo, p):
    result = p("pquery", "demo", "infile", "infile=x.fits")
    assert (result.status, result.out) == (0, "x.fits\n")
    assert p("pget", "demo", "infile").out == "x.fits\n"  # learned (a + ql)
    result = p("pquery", "demo", "-", "clob+", "in=y.fits", stdin="infile units clobber\n")
    assert (result.status, result.out) == (0, "y.fits\ndefault\nyes\n")


def test_pquery_without_a_terminal(demo, p):
    result = p("pquery", "demo", "outfile")
    assert result.status == 1
    assert result.err == ("pquery: no terminal to ask for a value (give it as name=value, "
                          "or run with mode=h) : outfile\n")


def test_pget_abort_on_an_invalid_stored_value(tmp_path, p):
    # spec 8 #24 (the ahelp pget example)
    blah = tmp_path / "blah.par"
    blah.write_text('boo,i,h,notaninteger,,,"bad value"\n')
    result = p("pget", "-abort", str(blah), "boo")
    assert (result.status, result.out) == (1, "")
    assert result.err == "pget: cannot convert parameter value : boo\n"
    assert p("pget", str(blah), "boo").status == 1  # no terminal: no prompt either


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


BAD_INPUT = [
    (("pset", "demo", "nosuch=1"), "parammatch : can't find parameter nosuch in reference list"),
    (("pset", "demo", "verbose=9"), "pset: parameter above maximum : verbose"),
    (("pset", "demo", "binsize=-1"), "pset: parameter below minimum : binsize"),
    (("pset", "demo", "units=x"), "pset: invalid enumerated value : units"),
    (("pset", "demo", "binsize=abc"), "pset: cannot convert parameter value : binsize"),
    (("pset", "demo", "verbose=2.5"), "pset: cannot convert parameter value : verbose"),
    (("pset", "demo", "a", "b", "c"), "pset: to many positional arguments : c"),
    (("pset", "demo", "verbose=1", "units=bogus"), "pset: invalid enumerated value : units"),
    (("pset", "nosuchtool", "x=1"), "pset: parameter file not found : nosuchtool"),
    (("pget", "demo", "nosuch"), "pget: parameter not found : nosuch"),
    (("pget", "demo", "x.p_bogus"), "pget: bad subfield name : x.p_bogus"),
    (("pget", "nosuchtool", "a"), "pget: parameter file not found : nosuchtool"),
    (("plist", "nosuchtool"), "plist: parameter file not found : nosuchtool"),
    (("paccess", "nosuchtool"), "paccess: parameter file not found : nosuchtool"),
    (("pget", "demo"), "Usage: pget [-abort] toolname parameter [parameter2 ...]"),
]


@pytest.mark.parametrize("args, message", BAD_INPUT)
def test_bad_input_in_process(demo, p, args, message):
    p("paccess", "demo")
    before = _digest(demo.user_file())
    result = p(*args)
    assert (result.status, result.out, result.err) == (1, "", message + "\n")
    assert _digest(demo.user_file()) == before


def test_ambiguous_prefix(demo, p):
    # spec 8 #15
    text = demo.system_file().read_text().replace("mode,s,h", 'outroot,f,h,"",,,"Root"\nmode,s,h')
    demo.system_file().write_text(text)
    p("paccess", "demo")
    before = _digest(demo.user_file())
    result = p("pset", "demo", "out=x")
    assert result.err == "parammatch : parameter name out not uniq (outfile, outroot)\n"
    assert result.status == 1 and _digest(demo.user_file()) == before
    result = p("pget", "demo", "out")
    assert (result.status, result.err) == (1, "pget: parameter not unique : out\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (("pset", "demo", "verbose=9"), "pset: parameter above maximum : verbose"),
        (("pset", "demo", "units=x"), "pset: invalid enumerated value : units"),
        (("pget", "demo", "nosuch"), "pget: parameter not found : nosuch"),
        (("pset", "broken", "a=1"), None),
        (("plist",), "Usage: plist toolname [toolname2 ...]"),
    ],
)
def test_bad_input_through_the_installed_scripts(demo, sh, args, message):
    """The real console scripts: one line on stderr, exit 1, no traceback, file unchanged."""
    demo.system_file("broken").write_text('ok,s,h,"",,,\nnot,a,valid,line,,,,,\n')
    sh("paccess", "demo")
    before = _digest(demo.user_file())
    result = sh(*args)
    assert result.status == 1 and result.out == ""
    assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err
    if message:
        assert result.err == message + "\n"
    else:
        assert result.err == (f"pset: error reading paramfile : {demo.system_file('broken')}: "
                              "line 2: too many fields\n")
    assert _digest(demo.user_file()) == before


def test_unreadable_par_file(demo, p):
    import os

    demo.user_file().write_text(demo.system_file().read_text())
    os.chmod(demo.user_file(), 0)
    try:
        if os.access(demo.user_file(), os.R_OK):
            pytest.skip("running as a user who can read anything")
        result = p("pget", "demo", "units")
        assert (result.status, result.err) == (1, f"pget: Permission denied : {demo.user_file()}\n")
    finally:
        os.chmod(demo.user_file(), 0o644)


def test_par_file_that_is_a_directory(demo, p, tmp_path):
    (tmp_path / "dir.par").mkdir()
    result = p("pget", str(tmp_path / "dir.par"), "a")
    assert result.status == 1 and result.err.startswith("pget: parameter file not found")


def test_environment_values_are_stored_as_typed(demo, p, monkeypatch):
    monkeypatch.setenv("WORKDIR", "/scratch")
    assert p("pset", "demo", "tmp=${WORKDIR}/y").status == 0
    assert p("pget", "demo", "tmp", "tmp.p_value").out == "/scratch/y\n${WORKDIR}/y\n"


def test_long_values_have_no_length_limit(demo, p):
    stack = ",".join(f"evt{i:04d}.fits" for i in range(400))  # 5 kB, beyond CIAO's 1023
    assert p("pset", "demo", f"infile={stack}").status == 0
    assert p("pget", "demo", "infile").out == stack + "\n"


def test_closed_output_pipe_is_quiet(demo, sh):
    import pathlib
    import subprocess
    import sys

    pget = pathlib.Path(sys.executable).parent / "pget"
    if not pget.exists():
        pytest.skip("pget script not installed")
    many = " ".join(["units"] * 20000)  # more output than a pipe holds
    done = subprocess.run(f"{pget} demo {many} | head -c 1", shell=True,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout == "d" and done.stderr == ""
