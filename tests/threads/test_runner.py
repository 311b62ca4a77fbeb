"""The replay runner end to end, on tiny self-made threads (echo, printf, python writing FITS)."""
import os
import subprocess
import sys

import pytest

from pyciao.threads import inputs, recipe, replay, session

HELLO = """
    # Saying hello
    echo hello world
    printf 'pi is %.6f\\n' 3.14159265
    # Counting
    python3 -c "print(sum(range(10)))"
"""

FITS_TOOL = """
    import sys
    import numpy as np
    from astropy.io import fits
    scale = float(sys.argv[2])
    img = np.zeros((10, 12))
    img[4, 5] = 100 * scale
    img[4, 6] = 10 * scale
    fits.PrimaryHDU(img).writeto(sys.argv[1], overwrite=True)
    print(f"wrote {sys.argv[1]} with total {img.sum():.6g}")
"""


def _record(thread_cli, folder):
    status, out, err = thread_cli("bless", folder)
    assert status == 0, out + err
    return (folder / "expected" / "transcript.txt").read_text()


def test_bless_then_run_passes(make_thread, thread_cli):
    folder = make_thread(HELLO)
    transcript = _record(thread_cli, folder)
    assert "@@ step 2 · Saying hello\nunix% printf 'pi is %.6f\\n' 3.14159265\n@@ exit 0\npi is 3.141593\n" \
        in transcript
    status, out, err = thread_cli("run", folder)
    assert status == 0, out + err
    assert "demo: 3 steps checked, 3 passed" in out
    assert err == ""


def test_a_changed_recording_fails_with_a_readable_diff(make_thread, thread_cli):
    folder = make_thread(HELLO)
    transcript = folder / "expected" / "transcript.txt"
    transcript.write_text(_record(thread_cli, folder).replace("\n45\n", "\n46\n"))
    status, out, _ = thread_cli("run", folder)
    assert status == 1
    assert "FAIL" in out and "demo: 3 steps checked, 2 passed, 1 failed" in out
    assert "the output differs from the recording" in out
    assert "- 46" in out and "+ 45" in out
    assert "46 ≠ 45 (integers must match exactly)" in out


def test_a_changed_tool_fails_and_bless_records_the_new_output(make_thread, thread_cli):
    """The thread's "tool" (a script among its inputs) changes its output: the step writing the
    FITS file fails on the changed data statistics; bless accepts the change."""
    folder = make_thread("""
        # Make an image
        python3 tool.py img.fits 1
        # Look at it
        ls
    """, inputs={"tool.py": FITS_TOOL})
    _record(thread_cli, folder)
    assert thread_cli("run", folder)[0] == 0

    tool = folder / "inputs" / "tool.py"
    tool.write_text(tool.read_text().replace("img[4, 6] = 10 * scale", "img[4, 6] = 11 * scale"))
    status, out, _ = thread_cli("run", folder)
    assert status == 1
    assert "   1  FAIL" in out and "   2  ok" in out
    assert "- wrote img.fits with total 110" in out and "+ wrote img.fits with total 111" in out
    assert "img.fits (FITS) differs from the recording" in out
    assert "sum 110," in out and "sum 111," in out

    status, out, _ = thread_cli("bless", folder)
    assert status == 0 and "changed" in out
    assert thread_cli("run", folder)[0] == 0


def test_float_changes_within_the_tolerance_pass(make_thread, thread_cli):
    folder = make_thread("python3 -c 'print(1/3)'\n", cfg="[compare]\nrtol = 1e-6\n")
    transcript = folder / "expected" / "transcript.txt"
    transcript.write_text(_record(thread_cli, folder).replace("0.3333333333333333", "0.33333334"))
    status, out, _ = thread_cli("run", folder)
    assert status == 0 and "(within tolerance)" in out
    status, out, _ = thread_cli("diff", folder)
    assert status == 0
    assert "- 0.33333334" in out and "+ 0.3333333333333333" in out
    assert "equal within the tolerance" in out
    transcript.write_text(transcript.read_text().replace("0.33333334", "0.3334"))
    assert thread_cli("run", folder)[0] == 1


def test_scratch_environment_isolates_parameters(make_thread, thread_cli, tmp_path, monkeypatch):
    home = tmp_path / "userhome"
    (home / "cxcds_param4").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PFILES", f"{home}/cxcds_param4;/nowhere")
    folder = make_thread("""
        echo "PFILES=$PFILES"
        echo "HOME=$HOME"
        touch "$HOME/dotfile" "${PFILES%%;*}/dmlist.par"
        pwd; ls -a "$HOME"
        echo "TMPDIR=$TMPDIR ASCDS_WORK_PATH=$ASCDS_WORK_PATH"
    """)
    text = _record(thread_cli, folder)
    assert "\nPFILES=<SCRATCH>/pfiles;<SYSPARAM>\n" in text
    assert "\nHOME=<SCRATCH>/home\n" in text
    assert "\n<SCRATCH>/work\n" in text
    assert "TMPDIR=<SCRATCH>/tmp ASCDS_WORK_PATH=<SCRATCH>/tmp" in text
    assert sorted(os.listdir(home)) == ["cxcds_param4"]
    assert os.listdir(home / "cxcds_param4") == []
    assert os.environ["PFILES"] == f"{home}/cxcds_param4;/nowhere"


def test_ciao_settings_of_the_user_are_not_inherited(make_thread, thread_cli, monkeypatch):
    monkeypatch.setenv("CALDB", "/soft/ciao/CALDB")
    monkeypatch.setenv("ASCDS_CALIB", "/soft/ciao/data")
    monkeypatch.setenv("ASCDS_INSTALL", "/soft/ciao")
    folder = make_thread('echo "[${CALDB-unset}] [${ASCDS_CALIB-unset}] [${ASCDS_INSTALL-unset}]"\n')
    assert "\n[unset] [unset] [unset]\n" in _record(thread_cli, folder)


def test_shell_state_carries_over_between_steps(make_thread, thread_cli):
    folder = make_thread("""
        xygrid="4098.2:5288.2:#595,2973.7:4165.7:#596"
        export ANSWER=42
        greet() { echo "hello $1"; }
        mkdir -p repro && cd repro
        arr=(a "b c")
        echo "$xygrid $ANSWER $(greet you) ${arr[1]}"; pwd
        bash -c 'echo exported $ANSWER'
        read line; echo "read status $? [$line]"
    """)
    text = _record(thread_cli, folder)
    assert "4098.2:5288.2:#595,2973.7:4165.7:#596 42 hello you b c\n<SCRATCH>/work/repro\n" in text
    assert "\nexported 42\n" in text
    assert "\nread status 1 []\n" in text           # stdin is /dev/null: no step can hang on it


def test_exit_status_is_checked(make_thread, thread_cli):
    folder = make_thread("""
        echo going
        ls no-such-file
    """)
    text = _record(thread_cli, folder)
    assert "unix% ls no-such-file\n@@ exit 2\n" in text      # a failing step is recorded as is
    assert thread_cli("run", folder)[0] == 0
    (folder / "thread.sh").write_text("echo going\ntrue no-such-file\n")
    (folder / "expected" / "transcript.txt").write_text(text.replace("ls no-such-file", "true no-such-file"))
    status, out, _ = thread_cli("run", folder)
    assert status == 1 and "exit status 0, recorded exit status 2" in out


def test_files_written_changed_and_removed(make_thread, thread_cli):
    folder = make_thread("""
        printf 'a\\nb\\n' > list.txt; printf 'x' > raw.dat; mkdir d; echo 1 > d/one.txt
        echo c >> list.txt; rm raw.dat
    """)
    text = _record(thread_cli, folder)
    assert "@@ file d/one.txt · text\n1\n@@ file list.txt · text\na\nb\n" \
           "@@ file raw.dat · text\nx\n@@ no newline at end\n" in text
    assert "@@ file list.txt · text\na\nb\nc\n@@ file raw.dat · removed\n" in text
    transcript = folder / "expected" / "transcript.txt"
    transcript.write_text(text.replace("@@ file raw.dat · removed\n", ""))
    status, out, _ = thread_cli("run", folder)
    assert status == 1
    assert "raw.dat: written (removed), which the recording does not show" in out


def test_step_ranges(make_thread, thread_cli):
    folder = make_thread("""
        echo one > one.txt
        echo two
        cat one.txt
        echo four
    """)
    _record(thread_cli, folder)
    status, out, _ = thread_cli("run", folder, "--step", 3)
    assert status == 0
    assert "steps 1-2 run first to set up (not checked)" in out
    assert "   3  ok" in out and "   1  " not in out and "   4  " not in out
    assert "demo: 1 step checked, 1 passed" in out
    status, out, _ = thread_cli("run", folder, "--from", 2, "--to", 3)
    assert status == 0 and "2 steps checked, 2 passed" in out and "   4  " not in out


@pytest.mark.parametrize("args, message", [
    (["--step", "5"], "thread demo has steps 1 to 4; step 5 does not exist"),
    (["--step", "0"], "step 0 does not exist"),
    (["--from", "3", "--to", "2"], "bad step range 3 to 2: the first step comes after the last"),
    (["--step", "2", "--from", "1"], "give either --step or --from/--to, not both"),
    (["--step", "two"], "argument --step: invalid int value: 'two'"),
    (["--data", "/no/such/dir"], "--data /no/such/dir: no such directory"),
])
def test_bad_step_options_are_one_line_errors(make_thread, thread_cli, args, message):
    folder = make_thread("echo 1\necho 2\necho 3\necho 4\n")
    _record(thread_cli, folder)
    status, out, err = thread_cli("run", folder, *args)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("pyciao-thread: error: ") and message in err
    assert "Traceback" not in out + err


def test_unknown_thread_and_unrecorded_thread(make_thread, thread_cli, tmp_path):
    status, _, err = thread_cli("run", "no_such_thread")
    assert status == 2 and "unknown thread 'no_such_thread'" in err and err.count("\n") == 1
    status, _, err = thread_cli("run", tmp_path / "nowhere")
    assert status == 2 and "no thread folder at" in err
    folder = make_thread("echo 1\n")
    status, _, err = thread_cli("run", folder)
    assert status == 2 and "has no recording yet; record it with `pyciao-thread bless demo`" in err


def test_timeouts(make_thread, thread_cli):
    folder = make_thread("echo before\nsleep 30; echo never\n", cfg="timeout = 0.5\n")
    status, out, err = thread_cli("bless", folder)
    assert status == 2 and "step 2 timed out; not recording a timeout" in err
    (folder / "thread.sh").write_text("echo before\n")
    _record(thread_cli, folder)
    (folder / "thread.sh").write_text("echo before\nsleep 30; echo never\n")
    status, out, _ = thread_cli("run", folder)
    assert status == 1 and "this step is not in the recording" in out


def test_scratch_is_removed_unless_kept(make_thread, thread_cli, tmp_path):
    folder = make_thread("pwd\n")
    _record(thread_cli, folder)
    status, out, _ = thread_cli("run", folder, "--keep")
    kept = out.split("scratch directory kept: ")[1].split()[0]
    assert os.path.isdir(os.path.join(kept, "work")) and os.path.isdir(os.path.join(kept, "pfiles"))
    scratch = tmp_path / "mine"
    assert thread_cli("run", folder, "--scratch", scratch)[0] == 0
    assert (scratch / "work").is_dir()
    status, _, err = thread_cli("run", folder, "--scratch", scratch)
    assert status == 2 and "is not empty" in err


def test_result_line_ends_the_report(make_thread, thread_cli):
    folder = make_thread("""
        echo "measured flux 1.2e-4 photon/cm**2/s, true flux 1.25e-4 photon/cm**2/s, ratio 0.96"
        echo done
    """, cfg="result = ^measured flux\n")
    _record(thread_cli, folder)
    status, out, _ = thread_cli("run", folder)
    assert status == 0
    assert out.splitlines()[-1] == \
        "measured flux 1.2e-4 photon/cm**2/s, true flux 1.25e-4 photon/cm**2/s, ratio 0.96"


def test_partial_bless_keeps_the_other_steps(make_thread, thread_cli):
    folder = make_thread("echo a\necho b\n")
    text = _record(thread_cli, folder)
    transcript = folder / "expected" / "transcript.txt"
    transcript.write_text(text.replace("\na\n", "\nA\n").replace("\nb\n", "\nB\n"))
    assert thread_cli("bless", folder, "--step", 2)[0] == 0
    new = transcript.read_text()
    assert "\nA\n" in new and "\nb\n" in new


# ------------------------------------------------------------------------------ real data
def test_real_data_is_linked_from_the_data_folder(make_thread, thread_cli, tmp_path):
    data = tmp_path / "data"
    (data / "obs").mkdir(parents=True)
    (data / "obs" / "evt.txt").write_text("events\n")
    folder = make_thread("cat evt.txt; readlink evt.txt\n",
                         cfg="[data]\nevt.txt = obs/evt.txt\n")
    status, out, err = thread_cli("bless", folder, "--data", data)
    assert status == 0, err
    assert "events\n<DATA>/obs/evt.txt\n" in (folder / "expected" / "transcript.txt").read_text()
    assert thread_cli("run", folder, "--data", data)[0] == 0
    status, out, err = thread_cli("run", folder, "--data", tmp_path)
    assert status == 2 and err.count("\n") == 1
    assert "needs obs/evt.txt, which is not in the data folder" in err


def test_required_commands(make_thread, thread_cli):
    folder = make_thread("echo hi\n", cfg="requires = sh no-such-command-xyz\n")
    status, out, err = thread_cli("run", folder)
    assert status == 2 and err.count("\n") == 1
    assert "thread demo needs the command no-such-command-xyz, not installed" in err
    thread = recipe.load(folder)
    with pytest.raises(inputs.MissingInput, match="no-such-command-xyz"):
        list(session.play(thread))


def test_data_folder_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PYCIAO_SHARED_DATA", str(tmp_path))
    assert inputs.find_data_dir() == tmp_path.resolve()
    monkeypatch.setenv("PYCIAO_SHARED_DATA", str(tmp_path / "absent"))
    assert inputs.find_data_dir() is None


# ------------------------------------------------------------------------ simulated data
FAKE_SIMOBS = """#!/usr/bin/env python3
import sys, numpy as np
from astropy.io import fits
args = dict(a.split("=", 1) for a in sys.argv[1:])
with open({count!r}, "a") as fh:
    fh.write(" ".join(sys.argv[1:]) + "\\n")
rng = np.random.default_rng(int(args.get("seed", 0)))
x = rng.normal(4096, 5, 200)
fits.BinTableHDU.from_columns([fits.Column("x", "E", array=x)], name="EVENTS").writeto(
    args["outroot"] + "_evt2.fits")
open(args["outroot"] + "_truth.txt", "w").write("flux 1e-4\\n")
"""


@pytest.fixture
def fake_simobs(tmp_path, monkeypatch):
    """A stand-in `simobs` first on PATH (pyciao's own commands are taken off the steps' PATH,
    where they would come first)."""
    monkeypatch.setattr(replay, "pyciao_bin_dirs", lambda: [])
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    count = tmp_path / "simobs-calls.txt"
    script = bindir / "simobs"
    script.write_text(FAKE_SIMOBS.format(count=str(count)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYCIAO_CACHE_DIR", str(tmp_path / "cache"))
    return count


def test_simulated_observation_is_made_once_and_cached(make_thread, thread_cli, fake_simobs, tmp_path):
    folder = make_thread("ls\ncat sim_truth.txt\n", cfg="[simobs]\noutroot = sim\nseed = 7\n")
    _record(thread_cli, folder)
    assert fake_simobs.read_text() == "outroot=sim seed=7 mode=h\n"
    assert thread_cli("run", folder)[0] == 0
    assert thread_cli("run", folder)[0] == 0
    assert len(fake_simobs.read_text().splitlines()) == 1           # cached
    cached = list((tmp_path / "cache" / "simobs").iterdir())
    assert len(cached) == 1 and (cached[0] / "simobs.json").is_file()
    # the working directory gets copies: a step changing them leaves the cache intact
    (folder / "thread.sh").write_text("ls\ncat sim_truth.txt\necho changed > sim_truth.txt\n")
    _record(thread_cli, folder)
    assert (cached[0] / "sim_truth.txt").read_text() == "flux 1e-4\n"
    # other parameters, another simulation
    (folder / "thread.cfg").write_text("[thread]\ntitle = t\n[simobs]\noutroot = sim\nseed = 8\n")
    assert thread_cli("run", folder)[0] == 0
    assert len(fake_simobs.read_text().splitlines()) == 2


def test_cache_key_depends_on_parameters_and_version(monkeypatch):
    key = inputs.simobs_key({"outroot": "sim", "seed": "1"})
    assert key == inputs.simobs_key({"seed": "1", "outroot": "sim"})
    assert key != inputs.simobs_key({"outroot": "sim", "seed": "2"})
    monkeypatch.setattr(inputs, "__version__", "99.0")
    assert key != inputs.simobs_key({"outroot": "sim", "seed": "1"})


def test_missing_simulator_is_a_missing_input(make_thread, tmp_path, monkeypatch):
    monkeypatch.setattr(replay, "pyciao_bin_dirs", lambda: [])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setattr(inputs.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("PYCIAO_CACHE_DIR", str(tmp_path / "cache"))
    folder = make_thread("ls\n", cfg="[simobs]\noutroot = sim\n")
    thread = recipe.load(folder)
    with pytest.raises(inputs.MissingInput, match="`simobs` is not installed"):
        list(session.play(thread))


def test_the_real_simulator(make_thread, thread_cli, tmp_path, monkeypatch):
    """pyciao's own simobs makes the observation (a short one), once."""
    monkeypatch.setenv("PYCIAO_CACHE_DIR", str(tmp_path / "cache"))
    folder = make_thread("ls\n", cfg="[simobs]\noutroot = sim\nexposure = 300\nseed = 3\n")
    text = _record(thread_cli, folder)
    assert "unix% ls\n@@ exit 0\nsim_asol1.fits\nsim_bpix1.fits\nsim_evt2.fits\nsim_fov1.fits\n" \
           "sim_msk1.fits\nsim_truth.fits\n" in text
    (cached,) = (tmp_path / "cache" / "simobs").iterdir()
    before = (cached / "sim_evt2.fits").stat().st_mtime_ns
    assert thread_cli("run", folder)[0] == 0
    assert (cached / "sim_evt2.fits").stat().st_mtime_ns == before


# --------------------------------------------------------------------- the console script
def test_console_script_lists_and_fails_cleanly(tmp_path):
    """The installed `pyciao-thread` (a subprocess, as a user runs it)."""
    exe = os.path.join(os.path.dirname(sys.executable), "pyciao-thread")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "pyciao.threads"]
    proc = subprocess.run(cmd + ["list"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(cmd + ["run", "no_such_thread"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("pyciao-thread: error: unknown thread 'no_such_thread'")
    assert proc.stderr.count("\n") == 1 and proc.stdout == ""
