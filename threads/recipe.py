"""Threads on disk: finding them and reading their folder.

A thread is a folder ``threads/<name>/`` holding

    thread.sh      the commands exactly as a user types them in bash; comment lines mark
                   sections (see ``steps.py``)
    thread.cfg     what the thread is and what it needs (INI format, below)
    README.md      what the thread shows and which published CIAO thread it follows
    inputs/        (optional) files copied into the working directory before the first step,
                   e.g. a region file the published thread made by hand in ds9
    expected/      the recording (``transcript.txt``, see ``recording.py``)

thread.cfg::

    [thread]
    title = Single chip ACIS exposure map and exposure-corrected image
    follows = https://cxc.cfa.harvard.edu/ciao/threads/expmap_acis_single/
    # optional:
    timeout = 300              # seconds per step (default 120)
    slow = no                  # yes: pytest marks the thread's steps @pytest.mark.slow
    requires = mkexpmap asphist  # commands the thread needs besides the shell's own
    result = ^measured flux    # a regex: the last output line matching it ends the report

    [simobs]                   # optional: a simulated observation made by `simobs`,
    outroot = sim              # with these parameters (cached; see inputs.py)
    seed = 1

    [data]                     # optional: real data, linked into the working directory;
    acis_evt2.fits.gz = xrayevents_obs1479/acis_evt2.fits.gz    # name = path under --data

    [compare]                  # optional
    rtol = 1e-6                # relative tolerance for non-integer numbers
    atol = 0
    masks =                    # extra masks, one per line: REGEX => REPLACEMENT
        Running tasks in parallel with \\d+ => Running tasks in parallel with <N>
"""
from __future__ import annotations

import configparser
import dataclasses
import difflib
import importlib.resources
import pathlib
import re

from . import compare, recording, steps as _steps


class ThreadError(Exception):
    """A user-facing problem (unknown thread, bad step range, missing input...): the CLI prints
    it as one line and exits with status 2."""


SCRIPT = "thread.sh"
CONFIG = "thread.cfg"
README = "README.md"
INPUTS = "inputs"
EXPECTED = "expected"


def threads_root():
    """The folder holding the shipped threads (the ``pyciao.threads`` package directory)."""
    return pathlib.Path(str(importlib.resources.files("pyciao.threads")))


@dataclasses.dataclass
class Thread:
    name: str
    folder: pathlib.Path
    title: str
    follows: str
    steps: list
    timeout: float = 120.0
    slow: bool = False
    result: re.Pattern | None = None
    requires: list = dataclasses.field(default_factory=list)  # commands it needs
    simobs: dict | None = None          # simulator parameters, or None
    data: dict = dataclasses.field(default_factory=dict)     # name in work dir -> path under data dir
    tolerance: compare.Tolerance = compare.Tolerance()
    masks: list = dataclasses.field(default_factory=list)

    @property
    def transcript_path(self):
        return self.folder / EXPECTED / recording.FILENAME

    @property
    def inputs_dir(self):
        return self.folder / INPUTS

    def recorded_steps(self):
        """The recorded ``StepRecord`` list, or None if the thread was never recorded."""
        path = self.transcript_path
        if not path.is_file():
            return None
        try:
            return recording.parse(path.read_text(encoding="utf-8"))
        except recording.RecordingError as exc:
            raise ThreadError(f"{path}: {exc}") from None

    def step_range(self, step=None, first=None, last=None):
        """(first, last) step numbers, 1-based inclusive, checked against the thread."""
        n = len(self.steps)
        if step is not None and (first is not None or last is not None):
            raise ThreadError("give either --step or --from/--to, not both")
        if step is not None:
            first = last = step
        first = 1 if first is None else first
        last = n if last is None else last
        for label, value in (("step", first), ("step", last)):
            if not 1 <= value <= n:
                raise ThreadError(f"thread {self.name} has steps 1 to {n}; {label} {value} does not "
                                  f"exist (see `pyciao-thread list {self.name}`)")
        if first > last:
            raise ThreadError(f"bad step range {first} to {last}: the first step comes after the last")
        return first, last


def _read_config(folder):
    cfg = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(" #", " ;"),
                                    empty_lines_in_values=False)
    cfg.optionxform = str                       # keep file names' case
    path = folder / CONFIG
    if path.is_file():
        try:
            cfg.read(path, encoding="utf-8")
        except configparser.Error as exc:
            raise ThreadError(f"{path}: {exc.message.splitlines()[0]}") from None
    return cfg, path


def load(folder, name=None):
    """Read the thread in ``folder``."""
    folder = pathlib.Path(folder)
    name = name or folder.name
    script = folder / SCRIPT
    if not script.is_file():
        raise ThreadError(f"{folder} is not a thread folder (no {SCRIPT})")
    try:
        steps = _steps.split_steps(script.read_text(encoding="utf-8"))
    except _steps.ScriptError as exc:
        raise ThreadError(f"{script}: {exc}") from None
    if not steps:
        raise ThreadError(f"{script} has no commands")
    cfg, cfg_path = _read_config(folder)

    def get(section, key, default=None):
        return cfg.get(section, key, fallback=default) if cfg.has_section(section) else default

    def number(section, key, default):
        raw = get(section, key)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            raise ThreadError(f"{cfg_path}: [{section}] {key} = {raw!r} is not a number") from None

    result = get("thread", "result")
    masks = []
    for spec in (get("compare", "masks", "") or "").splitlines():
        if spec.strip():
            try:
                masks.append(compare.parse_mask(spec))
            except ValueError as exc:
                raise ThreadError(f"{cfg_path}: {exc}") from None
    try:
        result_rx = re.compile(result) if result else None
    except re.error as exc:
        raise ThreadError(f"{cfg_path}: result {result!r}: {exc}") from None
    return Thread(
        name=name,
        folder=folder,
        title=get("thread", "title", name),
        follows=get("thread", "follows", ""),
        steps=steps,
        timeout=number("thread", "timeout", 120.0),
        slow=(get("thread", "slow", "no") or "no").strip().lower() in ("yes", "true", "1", "on"),
        result=result_rx,
        requires=(get("thread", "requires", "") or "").split(),
        simobs=dict(cfg["simobs"]) if cfg.has_section("simobs") else None,
        data=dict(cfg["data"]) if cfg.has_section("data") else {},
        tolerance=compare.Tolerance(rtol=number("compare", "rtol", 1e-6),
                                    atol=number("compare", "atol", 0.0)),
        masks=masks,
    )


def shipped_names():
    """Names of the threads shipped with pyciao, sorted."""
    root = threads_root()
    return sorted(p.name for p in root.iterdir() if (p / SCRIPT).is_file())


def shipped():
    return [load(threads_root() / name) for name in shipped_names()]


def find(name):
    """A shipped thread by name, or a thread folder given by path (or in the current
    directory)."""
    candidate = pathlib.Path(name)
    if "/" in name or name in (".", ".."):
        if not candidate.is_dir():
            raise ThreadError(f"no thread folder at {name}")
        return load(candidate.resolve())
    names = shipped_names()
    if name in names:
        return load(threads_root() / name)
    if (candidate / SCRIPT).is_file():          # a thread folder in the current directory
        return load(candidate.resolve())
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    known = ", ".join(names) if names else "none"
    raise ThreadError(f"unknown thread {name!r}{hint}; the threads are: {known}")
