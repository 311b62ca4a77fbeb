"""The whole command-line path of a tool, through the test tool `echotool` run as a command:
parameters, prompting, learning, output parameters read back with pget, errors."""
import concurrent.futures
import os
import pty
import select
import subprocess

from paramio.grammar import read_parfile

PREFIX = "# echotool (pyciao 0.1.0): "


def read_lines(path):
    return path.read_text().splitlines()


def test_positional_arguments_fill_the_automatic_parameters(echotool, pget, numbers, tmp_path):
    numbers("a.txt", [1, 2, 3.5])
    done = echotool("a.txt", "b.txt", "3")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert read_lines(tmp_path / "b.txt") == ["3.0 counts", "6.0 counts", "10.5 counts"]
    # automatic parameters given on the command line are learned (file mode ql)
    assert pget("infile", "outfile", "factor") == ["a.txt", "b.txt", "3"]


def test_output_parameters_are_readable_with_pget(echotool, pget, numbers):
    numbers("a.txt", [1, 2, 3.5])
    assert echotool("a.txt", "b.txt", "3").returncode == 0
    assert pget("out_sum", "out_count", "out_units") == ["19.5", "3", "counts"]


def test_named_abbreviated_and_flag_arguments(echotool, pget, numbers, tmp_path):
    numbers("a.txt", [1, 4])
    done = echotool("in=a.txt", "outf=c.txt", "fac=0.5", "units=ra", "verb=1", "clob+")
    assert done.returncode == 0, done.stderr
    assert read_lines(tmp_path / "c.txt") == ["0.5 rate", "2.0 rate"]
    assert done.stdout == "scaled 2 values from a.txt by 0.5\n"
    # hidden parameters given on the command line are used but not remembered
    assert pget("units", "verbose", "clobber") == ["counts", "0", "no"]
    assert pget("out_units") == ["rate"]


def test_verbose_levels(echotool, numbers):
    numbers("a.txt", [1, 2])
    assert echotool("a.txt", "b.txt", "1", "verbose=0").stdout == ""
    done = echotool("a.txt", "b.txt", "1", "verbose=2", "clobber=yes")
    assert done.stdout == "scaled 2 values from a.txt by 1.0\nsum = 3.0\n"


def test_warnings_go_to_stderr_with_the_tool_prefix(echotool, numbers):
    numbers("empty.txt", [])
    done = echotool("empty.txt", "b.txt", "1")
    assert done.returncode == 0
    assert done.stderr == PREFIX + "WARNING: empty.txt holds no numbers.\n"


def test_learned_values_are_used_on_the_next_run(echotool, pget, numbers, tmp_path):
    numbers("a.txt", [2])
    assert echotool("a.txt", "b.txt", "5").returncode == 0
    # infile and factor come from the parameter file (mode=h: no terminal to confirm them)
    done = echotool("outfile=d.txt", "mode=h")
    assert done.returncode == 0, done.stderr
    assert read_lines(tmp_path / "d.txt") == ["10.0 counts"]


def test_prompting_is_refused_without_a_terminal(echotool, user_dir, tmp_path):
    done = echotool()  # stdin is /dev/null: nobody can answer
    assert done.returncode == 1
    assert done.stderr.startswith("echotool: no terminal to ask for a value")
    assert done.stderr.endswith(": infile\n") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert not (user_dir / "echotool.par").exists()
    assert not (tmp_path / "b.txt").exists()


def test_mode_h_never_prompts(echotool, numbers):
    numbers("a.txt", [1])
    done = echotool("infile=a.txt", "outfile=b.txt", "mode=h")  # factor: its stored 2.0
    assert done.returncode == 0, done.stderr


def _converse(command, answers, cwd, timeout=20):
    """Run a command on a pseudo-terminal, answering each prompt; returns (status, transcript)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(command, stdin=slave,
                            stdout=slave, stderr=slave, cwd=cwd, close_fds=True)
    os.close(slave)
    transcript, pending = "", list(answers)
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                raise AssertionError(f"no output from the tool; so far: {transcript!r}")
            try:
                chunk = os.read(master, 1024).decode()
            except OSError:  # the tool closed the terminal (it exited)
                break
            if not chunk:
                break
            transcript += chunk
            if pending and transcript.rstrip().endswith(":"):
                os.write(master, (pending.pop(0) + "\n").encode())
    finally:
        os.close(master)
    return proc.wait(timeout), transcript


def test_prompts_on_a_terminal_and_learns_the_answers(echo_command, numbers, pget, tmp_path):
    numbers("a.txt", [1, 2])
    status, transcript = _converse(echo_command("factor=4"), ["a.txt", "e.txt"], tmp_path)
    assert status == 0, transcript
    assert "File of numbers (): " in transcript
    assert "Output file (): " in transcript
    assert "Scale factor" not in transcript  # given on the command line
    assert read_lines(tmp_path / "e.txt") == ["4.0 counts", "8.0 counts"]
    assert pget("infile", "outfile") == ["a.txt", "e.txt"]


def test_clobber_refusal_changes_nothing(echotool, numbers, user_dir, tmp_path):
    numbers("a.txt", [1])
    assert echotool("a.txt", "b.txt", "1").returncode == 0
    before_out = (tmp_path / "b.txt").read_bytes()
    before_par = (user_dir / "echotool.par").read_bytes()
    numbers("other.txt", [7])
    done = echotool("other.txt", "b.txt", "9")
    assert done.returncode == 1
    assert done.stderr == PREFIX + "ERROR: Clobber set to no, and output file b.txt exists.\n"
    assert (tmp_path / "b.txt").read_bytes() == before_out
    # a failed run learns nothing and stores no outputs
    assert (user_dir / "echotool.par").read_bytes() == before_par
    assert echotool("other.txt", "b.txt", "9", "clobber+").returncode == 0
    assert read_lines(tmp_path / "b.txt") == ["63.0 counts"]


def test_user_error_is_one_line_without_traceback(echotool, user_dir):
    done = echotool("nope.txt", "b.txt", "1")
    assert done.returncode == 1
    assert done.stderr == PREFIX + "ERROR: Unable to open input file 'nope.txt'.\n"
    assert done.stdout == ""


def test_bad_parameter_values_use_the_parameter_library_messages(echotool, numbers):
    numbers("a.txt", [1])
    cases = {
        ("a.txt", "b.txt", "-1"): "echotool: parameter below minimum : factor\n",
        ("a.txt", "b.txt", "x"): "echotool: cannot convert parameter value : factor\n",
        ("a.txt", "b.txt", "1", "units=watts"): "echotool: invalid enumerated value : units\n",
        ("a.txt", "b.txt", "1", "verbose=9"): "echotool: parameter above maximum : verbose\n",
        ("a.txt", "b.txt", "1", "nosuch=1"):
            "parammatch : can't find parameter nosuch in reference list\n",
        ("a.txt", "b.txt", "1", "extra"): "echotool: to many positional arguments : extra\n",
    }
    for args, message in cases.items():
        done = echotool(*args)
        assert (done.returncode, done.stderr) == (1, message), args


def test_help_and_version(echotool, user_dir):
    done = echotool("--help")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "echotool (pyciao 0.1.0)"
    assert lines[2] == "Usage: echotool infile outfile factor [name=value ...]"
    assert any(line.split()[:2] == ["units", "counts"] for line in lines)
    assert echotool("-h").stdout == done.stdout
    assert echotool("--version").stdout == "echotool (pyciao 0.1.0)\n"
    assert not (user_dir / "echotool.par").exists()  # asking for help changes nothing


def test_plus_lists_the_parameters(echotool, user_dir):
    done = echotool("+")
    assert done.returncode == 0
    assert done.stdout.splitlines()[1].startswith("Parameters for ")
    assert "        infile =                  File of numbers" in done.stdout


def test_at_at_file_is_used_instead_of_the_user_copy(echotool, numbers, user_dir, tmp_path,
                                                     tool_dir):
    numbers("a.txt", [1, 1])
    private = tmp_path / "private.par"
    private.write_text((tool_dir / "echotool.par").read_text())
    done = echotool(f"@@{private}", "a.txt", "b.txt", "2.5")
    assert done.returncode == 0, done.stderr
    stored = read_parfile(private)
    assert (stored["out_sum"].value, stored["infile"].value) == ("5.0", "a.txt")
    assert not (user_dir / "echotool.par").exists()


def test_parallel_runs_keep_the_user_file_whole(echotool, numbers, user_dir, tmp_path):
    """Eight runs at once: the user file ends up holding one run's values, all consistent."""
    runs = {i: numbers(f"in{i}.txt", [i, 10 * i]) for i in range(1, 9)}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        done = list(pool.map(lambda i: echotool(runs[i], f"out{i}.txt", str(i)), runs))
    assert [d.returncode for d in done] == [0] * 8, [d.stderr for d in done]
    stored = read_parfile(user_dir / "echotool.par")
    i = int(stored["factor"].value)
    assert stored["infile"].value == f"in{i}.txt" and stored["outfile"].value == f"out{i}.txt"
    assert float(stored["out_sum"].value) == 11 * i * i
    assert sorted(os.listdir(user_dir)) == ["echotool.par"]  # no temporary files left
