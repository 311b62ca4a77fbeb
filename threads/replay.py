"""Running a thread's steps in a scratch directory, one bash process per step.

The scratch directory (a fresh temporary folder, or ``--scratch DIR``) holds

    work/      the working directory: the thread's inputs, and everything the steps write
    pfiles/    the user parameter directory: PFILES="<scratch>/pfiles;<installed param dir>"
    home/      HOME (so nothing can reach the user's own ~/cxcds_param4 or dot-files)
    tmp/       TMPDIR and ASCDS_WORK_PATH
    runner/    the step scripts and the shell state carried from step to step

Each step runs as ``bash --noprofile --norc`` with stdin from /dev/null (a tool that prompts
sees end-of-file and keeps its current value, as in a script) and stdout and stderr merged, as a
terminal shows them. Shell variables, exported variables, functions and the current directory
carry over from one step to the next, so ``xygrid=$(pget get_sky_limits xygrid)`` followed by
``pset mkexpmap xygrid=$xygrid`` works as it does when typed. Files the step created, changed or
removed in ``work/`` are summarized (FITS: header keys and data statistics; small text files:
their content).
"""
from __future__ import annotations

import dataclasses
import importlib.resources
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time

from . import compare, fitsinfo, inputs, recording

# The driver that runs one step: restore the state, run the step's text in this shell,
# save the state again. Readonly and bash-internal variables are not carried over.
DRIVER = r'''# pyciao-thread step driver
__pyciao_dir=$1
__pyciao_step=$2
set --
if [ -f "$__pyciao_dir/state.sh" ]; then . "$__pyciao_dir/state.sh"; fi
. "$__pyciao_dir/steps/$__pyciao_step.sh"
__pyciao_rc=$?
{
  printf 'cd -- %q\n' "$PWD"
  for __pyciao_v in $(compgen -v); do
    case $__pyciao_v in
      BASH*|EUID|PPID|UID|SHELLOPTS|GROUPS|FUNCNAME|LINENO|RANDOM|SRANDOM|SECONDS|EPOCH*|\
      PIPESTATUS|_|HISTCMD|DIRSTACK|COMP_*|PWD|OLDPWD|SHLVL|HOSTNAME|HOSTTYPE|MACHTYPE|\
      OSTYPE|IFS|OPTIND|OPTERR|PS4|__pyciao_*) continue ;;
    esac
    case ${!__pyciao_v@a} in *r*) continue ;; esac
    declare -p "$__pyciao_v"
  done
  declare -f
} > "$__pyciao_dir/state.new" 2>/dev/null && mv -f "$__pyciao_dir/state.new" "$__pyciao_dir/state.sh"
exit $__pyciao_rc
'''

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
TEXT_LIMIT = 256 * 1024          # larger (or non-UTF-8) non-FITS files are "binary"
OUTPUT_LIMIT = 4 * 1024 * 1024   # a step's output beyond this is cut


# Variables a step must not inherit: the user's parameter search path, shell start-up hooks,
# and a CIAO installation's settings (a $CALDB would change every calibrated result).
_DROP = {"PDIRS", "UPARM", "PFILES", "BASH_ENV", "ENV", "CDPATH", "PROMPT_COMMAND", "CALDB",
         "CALDBCONFIG", "CALDBALIAS"}


def _dropped(name):
    return name in _DROP or name.startswith("ASCDS_")


def system_param_dir():
    """The installed system parameter directory (the ``pyciao.param`` package folder)."""
    return pathlib.Path(str(importlib.resources.files("pyciao.param")))


def pyciao_bin_dirs():
    """Folders holding this installation's console scripts (put first on PATH)."""
    candidates = [pathlib.Path(sys.argv[0]).resolve().parent if sys.argv and sys.argv[0] else None,
                  pathlib.Path(sysconfig.get_path("scripts")),
                  pathlib.Path(sys.executable).parent]
    found = []
    for d in candidates:
        if d and (d / "pyciao-thread").is_file() and d not in found:
            found.append(d)
    return found


def steps_path(extra_path=(), base_env=None):
    """The PATH the steps run with: extra folders, this installation's scripts, then the
    user's PATH."""
    env = os.environ if base_env is None else base_env
    return os.pathsep.join([str(p) for p in extra_path] + [str(d) for d in pyciao_bin_dirs()]
                           + [env.get("PATH", os.defpath)])


def terminal_text(raw):
    """Bytes a step printed, as the final screen shows them: UTF-8, no colour codes, a
    carriage return overwriting its line."""
    text = raw.decode("utf-8", errors="backslashreplace").replace("\r\n", "\n")
    text = _ANSI.sub("", text)
    if "\r" in text:
        text = "\n".join(line.rsplit("\r", 1)[-1] if "\r" in line.rstrip("\r") else line.rstrip("\r")
                         for line in text.split("\n"))
    return text


@dataclasses.dataclass
class StepRun:
    record: recording.StepRecord     # masked, as it would be recorded
    seconds: float


def _snapshot(root):
    state = {}
    for folder, dirs, files in os.walk(root):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                continue
            state[os.path.relpath(path, root)] = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
    return state


class Replay:
    """A scratch directory prepared for one thread; ``run(step)`` runs the next step.

    Use as a context manager: the scratch directory is removed at the end unless ``keep``.
    """

    def __init__(self, thread, *, data_dir=None, cache_dir=None, scratch=None, keep=False,
                 extra_path=(), base_env=None):
        self.thread = thread
        self.data_dir = pathlib.Path(data_dir) if data_dir else None
        self.cache_dir = pathlib.Path(cache_dir) if cache_dir else inputs.default_cache_dir()
        self.keep = keep or scratch is not None
        self._scratch_arg = scratch
        self.extra_path = [str(p) for p in extra_path]
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.root = None

    # ----------------------------------------------------------------- set up, tear down
    def __enter__(self):
        if self._scratch_arg is not None:
            root = pathlib.Path(self._scratch_arg).resolve()
            if root.exists() and any(root.iterdir()):
                raise inputs.ThreadError(f"scratch directory {root} is not empty")
            root.mkdir(parents=True, exist_ok=True)
        else:
            root = pathlib.Path(tempfile.mkdtemp(prefix=f"pyciao-thread-{self.thread.name}-"))
        self.root = root
        try:
            for sub in ("work", "pfiles", "home", "tmp", "runner/steps"):
                (root / sub).mkdir(parents=True)
            (root / "runner" / "driver.sh").write_text(DRIVER)
            self.env = self._environment()
            inputs.prepare(self.thread, self.work, self.data_dir, self.cache_dir, self.env)
        except BaseException:
            self.close()
            raise
        self.masker = compare.Masker(
            paths=[("<SCRATCH>", root), ("<SYSPARAM>", system_param_dir()),
                   ("<DATA>", self.data_dir), ("<CACHE>", self.cache_dir),
                   ("<THREAD>", self.thread.folder)],
            masks=self.thread.masks)
        self._before = _snapshot(self.work)
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.root is not None and not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def work(self):
        return self.root / "work"

    def _environment(self):
        env = {k: v for k, v in self.base_env.items() if not _dropped(k)}
        env.update(
            PATH=steps_path(self.extra_path, env),
            HOME=str(self.root / "home"),
            PFILES=f"{self.root / 'pfiles'};{system_param_dir()}",
            ASCDS_WORK_PATH=str(self.root / "tmp"),
            TMPDIR=str(self.root / "tmp"),
            PYTHONUNBUFFERED="1",          # keep stdout and stderr in the order they were written
            TERM="dumb", NO_COLOR="1",
            LC_ALL="C", LANG="C", TZ="UTC",
        )
        return env

    # ------------------------------------------------------------------------ running
    def run(self, step):
        """Run one step (steps must be run in order); returns a ``StepRun``."""
        runner = self.root / "runner"
        (runner / "steps" / f"{step.number}.sh").write_text(step.command + "\n")
        start = time.monotonic()
        proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc", str(runner / "driver.sh"), str(runner), str(step.number)],
            cwd=self.work, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            raw, _ = proc.communicate(timeout=self.thread.timeout)
            status = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raw, _ = proc.communicate()
            status = None
        except BaseException:                  # Ctrl-C: take the step's processes down too
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            raise
        seconds = time.monotonic() - start
        if len(raw) > OUTPUT_LIMIT:
            raw = raw[:OUTPUT_LIMIT] + b"\n[pyciao-thread: output cut at 4 MB]\n"
        output = self.masker(terminal_text(raw))
        if status is None:
            output += f"[pyciao-thread: timed out after {self.thread.timeout:g} s]\n"
        record = recording.StepRecord(step.number, step.section, step.command, status, output,
                                      self._changed_files())
        return StepRun(record, seconds)

    def _changed_files(self):
        after = _snapshot(self.work)
        before, self._before = self._before, after
        records = []
        for rel in sorted(set(before) | set(after)):
            if rel in before and rel not in after:
                records.append(recording.FileRecord(rel, "removed", ""))
            elif before.get(rel) != after[rel]:
                records.append(self._describe(rel))
        return records

    def _describe(self, rel):
        path = self.work / rel
        if path.is_symlink():
            return recording.FileRecord(rel, "text", "symbolic link to " + self.masker(os.readlink(path)) + "\n")
        try:
            if fitsinfo.is_fits(path):
                return recording.FileRecord(rel, "FITS", self.masker(fitsinfo.summarize(path)))
            size = path.stat().st_size
            if size <= TEXT_LIMIT:
                data = path.read_bytes()
                if b"\0" not in data:
                    try:
                        return recording.FileRecord(rel, "text", self.masker(data.decode("utf-8")))
                    except UnicodeDecodeError:
                        pass
            return recording.FileRecord(rel, "binary", f"{size} bytes\n")
        except Exception as exc:        # a corrupt output: record that, don't stop the run
            return recording.FileRecord(rel, "unreadable", f"{type(exc).__name__}: {exc}\n")
