"""CIAO's Python paramio interface, and what importing paramio costs."""
import subprocess
import sys

import pytest

import paramio
from paramio.errors import ParamError, ParamNotFound, TypeConversion


def test_paramopen_with_an_argument_list(demo):
    # the ahelp paramopen example: the list holds the command line, program name first
    fp = paramio.paramopen("demo", "rw", ["demo", "test.fits", "out=out.fits", "cl+"])
    assert paramio.pquery(fp, "infile") == "test.fits"
    assert paramio.pget(fp, "outfile") == "out.fits"
    assert paramio.pgetb(fp, "clobber") == 1
    paramio.paramclose(fp)
    assert paramio.pget("demo", "infile") == "test.fits"  # learned
    assert paramio.pget("demo", "clobber") == "no"  # hidden: not learned


def test_paramopen_name_from_the_list_and_at_at(demo, tmp_path):
    private = tmp_path / "private.par"
    private.write_text(demo.system_file().read_text())
    fp = paramio.paramopen(None, "rw", ["demo", f"@@{private}", "verbose=4"])
    assert paramio.paramgetpath(fp) == str(private)
    assert paramio.pgeti(fp, "verbose") == 4
    paramio.pset(fp, "binsize", 2.5)
    paramio.paramclose(fp)
    assert paramio.pgetd(str(private), "binsize") == 2.5


def test_typed_getters_and_putters(demo):
    paramio.pset("demo", "verbose", "3")
    paramio.pputb("demo", "clobber", True)
    paramio.pputd("demo", "binsize", 0.5)
    assert paramio.pgeti("demo", "verbose") == 3
    assert paramio.pgetb("demo", "clobber") == 1
    assert paramio.pgetd("demo", "binsize") == 0.5
    assert paramio.pgetstr("demo", "units") == "default"
    paramio.pputd("demo", "binsize", None)
    assert paramio.pget("demo", "binsize") == "INDEF" and paramio.pgetd("demo", "binsize") is None


def test_errors_are_typed_with_the_classic_text(demo):
    with pytest.raises(ParamNotFound):
        paramio.pget("demo", "nosuch")
    with pytest.raises(TypeConversion) as info:
        paramio.pset("demo", "verbose", "abc")
    assert isinstance(info.value, ParamError) and info.value.name == "verbose"
    assert info.value.line("pset") == "pset: cannot convert parameter value : verbose"


def test_listing_and_access(demo):
    assert paramio.plist("demo") == ["infile", "outfile", "units", "binsize", "verbose",
                                     "clobber", "xygrid", "tmp", "mode"]
    assert paramio.plist_mode("demo", "a") == ["infile", "outfile"]
    assert paramio.plist_type("demo", "b") == ["clobber"]
    assert paramio.paccess("demo", "r") == str(demo.system_file())
    assert paramio.paccess("demo") == str(demo.user_file())
    assert paramio.paccess("nosuchtool") is None
    fp = paramio.paramopen("demo")
    assert (paramio.paccess(fp, "units"), paramio.paccess(fp, "nosuch")) == (1, 0)


def test_copy_params_for_a_private_run(demo, tmp_path):
    paramio.pset("demo", "verbose", 2)
    private = paramio.copy_params("demo", str(tmp_path / "run.demo.par"))
    session = paramio.open_params("demo", [f"@@{private}", "a", "b"])
    assert session.values().verbose == 2
    session.set_outputs({"binsize": 8.0})
    session.save()
    assert paramio.pget(private, "binsize") == "8.0"
    assert paramio.pget("demo", "binsize") == "INDEF"  # the user copy is untouched


def test_punlearn(demo):
    paramio.pset("demo", "verbose", 5)
    paramio.punlearn("demo")
    assert paramio.pget("demo", "verbose") == "0"


def test_importing_paramio_stays_light(demo):
    """pget must not drag in numpy/astropy, nor re/tempfile/subprocess (start-up time)."""
    code = (
        "import sys; before = set(sys.modules);"
        "from paramio.cli import pget_main; pget_main(['demo', 'units']);"
        "heavy = {'numpy', 'astropy', 're', 'tempfile', 'subprocess', 'shutil', 'dataclasses',"
        " 'typing', 'inspect', 'contextlib', 'datetime', 'importlib.resources'};"
        "print(sorted(heavy & (set(sys.modules) - before)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "default\n[]\n"
