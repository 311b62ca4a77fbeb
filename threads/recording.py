"""The recording of a thread: ``expected/transcript.txt``, a readable terminal session.

Every step is written as

    @@ step 3 · Bin the event file
    unix% dmcopy "evt2.fits[energy=500:7000][bin sky=8]" img.fits
    @@ exit 0
    <what the command printed, stdout and stderr as a terminal shows them>
    @@ file img.fits · FITS
    <the FITS summary of an output the step wrote or changed>

Lines starting with ``@@ `` are structure; any recorded line that starts with ``@`` gets one
extra ``@`` in front (removed on reading), so output can never be mistaken for structure.
Output without a final newline is followed by ``@@ no newline at end``. Everything is stored
masked (``<SCRATCH>``, ``<NOW>``, ...), so the file is stable from run to run.
"""
from __future__ import annotations

import dataclasses
import re

PROMPT = "unix% "
FILENAME = "transcript.txt"
_STEP = re.compile(r"@@ step (\d+)(?: · (.*))?$")
_EXIT = re.compile(r"@@ exit (-?\d+|timeout)$")
_FILE = re.compile(r"@@ file (.*) · (FITS|text|binary|removed|unreadable)$")


@dataclasses.dataclass
class FileRecord:
    name: str          # path relative to the working directory
    kind: str          # FITS | text | binary | removed | unreadable
    content: str       # the summary / text (masked); "" for binary and removed files


@dataclasses.dataclass
class StepRecord:
    number: int
    section: str
    command: str
    status: int | None     # exit status; None if the step timed out
    output: str            # masked, newline-terminated unless the command did not end so
    files: list = dataclasses.field(default_factory=list)


def _escape(line):
    return "@" + line if line.startswith("@") else line


def _unescape(line):
    return line[1:] if line.startswith("@") else line


def _block(text):
    """Lines for a text block; (lines, ends_without_newline)."""
    if not text:
        return [], False
    lines = text.split("\n")
    if lines[-1] == "":
        return [_escape(x) for x in lines[:-1]], False
    return [_escape(x) for x in lines], True


def render(name, steps):
    """The transcript text for a list of ``StepRecord``."""
    out = [f"@@ pyciao-thread recording of {name}: re-record with `pyciao-thread bless {name}`"]
    for st in steps:
        out.append(f"@@ step {st.number}" + (f" · {st.section}" if st.section else ""))
        cmd = st.command.split("\n")
        out.append(_escape(PROMPT + cmd[0]))
        out.extend(_escape(x) for x in cmd[1:])
        out.append("@@ exit " + ("timeout" if st.status is None else str(st.status)))
        lines, no_nl = _block(st.output)
        out.extend(lines)
        if no_nl:
            out.append("@@ no newline at end")
        for f in st.files:
            out.append(f"@@ file {f.name} · {f.kind}")
            lines, no_nl = _block(f.content)
            out.extend(lines)
            if no_nl:
                out.append("@@ no newline at end")
    return "\n".join(out) + "\n"


class RecordingError(ValueError):
    pass


def parse(text):
    """The ``StepRecord`` list of a transcript (the inverse of ``render``)."""
    steps = []
    cur = None           # current StepRecord
    target = None        # "command" | "output" | FileRecord
    buf = []

    def flush(no_newline=False):
        nonlocal buf
        body = "\n".join(buf)
        if buf and not no_newline:
            body += "\n"
        if target == "command":
            cur.command = body.rstrip("\n")[len(PROMPT):] if body.startswith(PROMPT) else body.rstrip("\n")
        elif target == "output":
            cur.output = body
        elif isinstance(target, FileRecord):
            target.content = body
        buf = []

    for lineno, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        if line.startswith("@@ "):
            if line == "@@ no newline at end":
                flush(no_newline=True)
                target = None
                continue
            m = _STEP.match(line)
            if m:
                flush()
                cur = StepRecord(int(m[1]), m[2] or "", "", 0, "")
                steps.append(cur)
                target = "command"
                continue
            if cur is None:
                continue             # the title line
            m = _EXIT.match(line)
            if m and target == "command":
                flush()
                cur.status = None if m[1] == "timeout" else int(m[1])
                target = "output"
                continue
            m = _FILE.match(line)
            if m and target != "command":
                flush()
                target = FileRecord(m[1], m[2], "")
                cur.files.append(target)
                continue
            raise RecordingError(f"line {lineno}: unexpected {line!r}")
        elif cur is not None:
            if target is None:
                raise RecordingError(f"line {lineno}: text after '@@ no newline at end'")
            buf.append(_unescape(line))
    flush()
    for k, st in enumerate(steps, 1):
        if st.number != k:
            raise RecordingError(f"steps are not numbered 1, 2, 3, ... (found step {st.number} "
                                 f"in position {k})")
    return steps
