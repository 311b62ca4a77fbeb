"""Finding parameter files: PFILES, user/system copies, direct paths, out-of-date copies."""
import os
import re
import shutil

import pytest

from paramio import pfiles
from paramio.errors import ParFileNotFound
from paramio.grammar import read_parfile

BACKUP = re.compile(r"demo_\d{8}\.\d{2}:\d{2}:\d{2}\.par\Z")  # the form runtool skips


def test_pfiles_user_and_system_parts(monkeypatch, tmp_path):
    monkeypatch.setenv("PFILES", "/u1:/u2;/s1:/s2")
    monkeypatch.setenv("PYCIAO_PARAM_DIR", str(tmp_path))
    assert pfiles.search_path() == (["/u1", "/u2"], ["/s1", "/s2", str(tmp_path)])


def test_pfiles_without_semicolon_serves_both(monkeypatch, tmp_path):
    monkeypatch.setenv("PFILES", "/a:/b")
    monkeypatch.setenv("PYCIAO_PARAM_DIR", str(tmp_path))
    assert pfiles.search_path() == (["/a", "/b"], ["/a", "/b", str(tmp_path)])


def test_pdirs_pfiles_uparm_in_order_and_variables_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("PYCIAO_PARAM_DIR", str(tmp_path))
    monkeypatch.setenv("MYP", "/mine")
    monkeypatch.setenv("PDIRS", "$MYP;/sysA")
    monkeypatch.setenv("PFILES", "~/p;/sysB")
    home = os.environ["HOME"]
    assert pfiles.search_path() == (["/mine", f"{home}/p"], ["/sysA", "/sysB", str(tmp_path)])


def test_default_when_unset_is_cxcds_param4_and_the_installed_param_dir():
    user, system = pfiles.search_path()
    assert user == [os.path.join(os.environ["HOME"], "cxcds_param4")]
    import pyciao.param

    installed = os.path.dirname(os.path.abspath(pyciao.param.__file__))
    assert system == [installed, "."]
    assert os.path.isdir(installed)


def test_param_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("PYCIAO_PARAM_DIR", str(tmp_path))
    assert pfiles.system_param_dir() == str(tmp_path)


def test_user_copy_created_by_paccess_is_the_canonical_system_file(demo, p):
    # spec 8 #1
    result = p("paccess", "demo")
    assert result.status == 0 and result.out == f"{demo.user_file()}\n"
    assert demo.user_file().read_text() == demo.system_file().read_text()


def test_paccess_r_returns_the_system_copy_until_a_user_copy_exists(demo, p):
    assert p("paccess", "demo", "r").out == f"{demo.system_file()}\n"
    assert not demo.user_file().exists()
    p("pset", "demo", "verbose=1")
    assert p("paccess", "demo", "r").out == f"{demo.user_file()}\n"


def test_first_write_creates_the_user_directory(demo, monkeypatch, p):
    user = demo.root / "new" / "params"
    monkeypatch.setenv("PFILES", f"{user};{demo.system}")
    assert p("pset", "demo", "verbose=2").status == 0
    assert read_parfile(str(user / "demo.par")).get("verbose").value == "2"


def test_no_file_anywhere(demo, p):
    assert pytest.raises(ParFileNotFound, pfiles.locate, "nosuchtool")
    result = p("pget", "nosuchtool", "x")
    assert (result.status, result.err) == (1, "pget: parameter file not found : nosuchtool\n")


def test_found_in_the_current_directory_when_pfiles_is_unset(tmp_path, monkeypatch, demo_text):
    # spec 8 #25
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo.par").write_text(demo_text)
    location = pfiles.locate("demo")
    assert location.path == str(tmp_path / "demo.par") and location.user_path is None


@pytest.mark.parametrize("form", ["{d}/demo.par", "{d}/demo", "demo.par"])
def test_direct_paths(tmp_path, monkeypatch, demo_text, form):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo.par").write_text(demo_text)
    location = pfiles.locate(form.format(d=tmp_path))
    assert location.direct and location.path == location.user_path == str(tmp_path / "demo.par")


def test_name_ending_in_par_is_a_tool_when_no_such_file(demo):
    assert pfiles.locate("demo.par").path == str(demo.system_file())


def test_out_of_date_user_copy_is_renamed_with_a_warning(demo, p):
    # spec 8 #22: a user copy with an extra parameter
    old = demo.system_file().read_text().replace("mode,s,h", 'extra,s,h,"",,,\nmode,s,h')
    demo.user_file().write_text(old.replace('verbose,i,h,0', 'verbose,i,h,3'))
    result = p("pget", "demo", "verbose")
    assert result.status == 0 and result.out == "0\n"  # the system default, not the stale 3
    backups = [f for f in os.listdir(demo.user) if BACKUP.match(f)]
    assert len(backups) == 1 and not demo.user_file().exists()
    backup = demo.user / backups[0]
    assert result.err == (
        f"Warning:  found possibly out of date user parameter file, renamed to {backup}\n"
    )
    assert backup.read_text() == old.replace('verbose,i,h,0', 'verbose,i,h,3')


@pytest.mark.parametrize(
    "change",
    [
        ('verbose,i,h,0', 'verbose,s,h,0'),  # a type
        ('clobber,b,h', 'clobbr,b,h'),  # a name
        ("infile,f,a,\"\",,,\"Input file\"\noutfile,f,a,\"\",,,\"Output file\"",
         "outfile,f,a,\"\",,,\"Output file\"\ninfile,f,a,\"\",,,\"Input file\""),  # the order
        ('mode,s,h', 'new,s,h,"",,,\nmode,s,h'),  # a parameter added
    ],
)
def test_structure_changes_make_a_copy_out_of_date(demo, change):
    old, new = change
    text = demo.system_file().read_text()
    assert old in text
    demo.user_file().write_text(text.replace(old, new))
    assert pfiles.is_out_of_date(read_parfile(str(demo.user_file())),
                                 read_parfile(str(demo.system_file())))


def test_pset_of_mode_min_max_does_not_make_a_copy_out_of_date(demo, p):
    # ahelp pset documents p_mode/p_min/p_max as user settings: they must survive
    assert p("pset", "demo", "infile.p_mode=h", "binsize.p_min=1", "verbose.p_max=9").status == 0
    result = p("pget", "demo", "infile.p_mode", "binsize.p_min", "verbose.p_max")
    assert (result.out, result.err) == ("h\n1\n9\n", "")


def test_values_prompts_and_comments_may_differ(demo, p):
    text = demo.system_file().read_text()
    mine = text.replace('verbose,i,h,0', 'verbose,i,h,4').replace('"Units"', '"My units"')
    demo.user_file().write_text("# my notes\n" + mine)
    result = p("pget", "demo", "verbose")
    assert (result.out, result.err) == ("4\n", "")
    assert demo.user_file().exists()


def test_real_learned_copy_against_the_newer_system_file(shared_data, tmp_path, monkeypatch, p):
    """A real CIAO user copy (CPAN CIAO::Lib::Param) vs the newer ciao-contrib system file."""
    user, system = tmp_path / "u", tmp_path / "s"
    user.mkdir()
    system.mkdir()
    shutil.copy(shared_data / "cpan_ciao_lib_param" / "acis_bkgrnd_lookup.par", user)
    shutil.copy(shared_data / "ciao_contrib" / "param" / "acis_bkgrnd_lookup.par", system)
    monkeypatch.setenv("PFILES", f"{user};{system}")
    learned = read_parfile(str(user / "acis_bkgrnd_lookup.par")).get("infile").value
    assert learned == "clean.fits"
    result = p("pget", "acis_bkgrnd_lookup", "infile", "blname")  # blname: only in the new file
    assert result.status == 0 and result.out == "\nnone\n"  # the new system defaults
    assert "found possibly out of date user parameter file" in result.err
    backups = [f for f in os.listdir(user) if f.startswith("acis_bkgrnd_lookup_")]
    assert len(backups) == 1
    assert read_parfile(str(user / backups[0])).get("infile").value == "clean.fits"


def test_read_only_user_directory(demo, p):
    os.chmod(demo.user, 0o555)
    try:
        if os.access(demo.user, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        result = p("pset", "demo", "verbose=1")
        assert result.status == 1
        assert result.err == (
            "pset: can't copy reference parameter file to user directory : demo\n"
        )
    finally:
        os.chmod(demo.user, 0o755)


def test_no_user_directory_at_all(demo, monkeypatch, p):
    monkeypatch.setenv("PFILES", f";{demo.system}")
    assert p("pget", "demo", "units").out == "default\n"
    result = p("pset", "demo", "verbose=1")
    assert result.status == 1 and "can't copy reference parameter file" in result.err
    assert p("paccess", "demo").out == f"{demo.system_file()}\n"


def test_user_directory_that_cannot_be_created(demo, monkeypatch, p):
    blocker = demo.root / "a_file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("PFILES", f"{blocker}/params;{demo.system}")
    result = p("pset", "demo", "verbose=1")
    assert result.status == 1
    assert result.err == "pset: can't copy reference parameter file to user directory : demo\n"
    assert demo.system_file().read_text().count("verbose,i,h,0,") == 1


@pytest.mark.parametrize(
    "setting, user, system",
    [  # PFILES strings from HEASoft's APE library test (empty and blank entries are skipped)
        (".", ["."], ["."]),
        (".;", ["."], []),
        (";.", [], ["."]),
        (".;.", ["."], ["."]),
        (".;:/system/pfiles1::/system/pfiles2", ["."], ["/system/pfiles1", "/system/pfiles2"]),
        (":.::/local/pfiles1: :;:/system/pfiles1::/system/pfiles2:",
         [".", "/local/pfiles1"], ["/system/pfiles1", "/system/pfiles2"]),
        ("/u;/s1;/s2", ["/u"], ["/s1", "/s2"]),  # a second ";" is read as ":"
    ],
)
def test_unusual_pfiles_strings(monkeypatch, tmp_path, setting, user, system):
    monkeypatch.setenv("PFILES", setting)
    monkeypatch.setenv("PYCIAO_PARAM_DIR", str(tmp_path))
    assert pfiles.search_path() == (user, system + [str(tmp_path)])
