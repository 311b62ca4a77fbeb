"""Compare a step's output with its recording, the way CXC's regression harness does.

Both texts are first *masked*: things that legitimately change from run to run (the scratch
directory, the installed parameter directory, the data directory, today's date and time, the
pyciao version, temporary file names) become placeholders such as ``<SCRATCH>`` or ``<NOW>``.
Then lines are compared one by one:

* text between numbers must be identical, whitespace included (layouts such as plist's
  columns are part of what users see);
* integers must be equal; other numbers may differ by ``atol + rtol * max(|a|, |b|)``;
* when a number's printed width changes (``2.4351529464`` → ``2.435152946``), the spacing
  around it may change too.

The result carries a readable, tolerance-aware diff: lines are aligned on their text with the
numbers blanked out, so a changed number shows as one ``-``/``+`` pair with a note giving the
relative difference.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import os
import re

# numbers: not glued to letters/underscores (so "acisf11823" and "ACIS-I1"'s "I1" stay text)
_NUMBER = re.compile(
    r"(?<![A-Za-z_0-9.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![A-Za-z_0-9])")
_INT = re.compile(r"[-+]?\d+")
_SPACES = re.compile(r"[ \t]+")


@dataclasses.dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-6
    atol: float = 0.0

    def __str__(self):
        return f"rtol {self.rtol:g}" + (f", atol {self.atol:g}" if self.atol else "")


# --------------------------------------------------------------------------------- masking
@dataclasses.dataclass(frozen=True)
class Mask:
    pattern: re.Pattern
    replacement: str          # a re.sub replacement (may use \1) or a placeholder

    def apply(self, text):
        return self.pattern.sub(self.replacement, text)


_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_DAYS = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_DATE_FORMS = [
    # 2025-11-22T10:32:01(.123)   2025-11-22 10:32:01
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b"),
     lambda m: (int(m[1]), int(m[2]), int(m[3]))),
    # Sat Nov 22 10:32:01 2025  /  Sat Nov 22 10:32:01 UTC 2025
    (re.compile(rf"\b(?:(?:{_DAYS}) +)?({_MONTHS}) +(\d{{1,2}}) +\d{{2}}:\d{{2}}:\d{{2}}(?: +[A-Z]{{2,5}})? +(\d{{4}})\b"),
     lambda m: (int(m[3]), _MONTHS.split("|").index(m[1]) + 1, int(m[2]))),
    # CIAO's renamed par files: dmstat_20081113.09:29:58.par
    (re.compile(r"(?<=_)(\d{4})(\d{2})(\d{2})\.\d{2}:\d{2}:\d{2}(?=\.par\b)"),
     lambda m: (int(m[1]), int(m[2]), int(m[3]))),
]


def _mask_recent_dates(text, today, days=3):
    """Replace dates (with or without a time) within ``days`` of ``today`` by ``<NOW>``.

    Creation stamps (FITS DATE, ``date`` output, backup names) change every run; dates in the
    data (e.g. DATE-OBS of an observation) are far from today and stay compared.
    """
    def sub(rx, ymd):
        def repl(m):
            try:
                d = _dt.date(*ymd(m))
            except ValueError:
                return m.group(0)
            return "<NOW>" if abs((d - today).days) <= days else m.group(0)
        return rx.sub(repl, text)

    for rx, ymd in _DATE_FORMS:
        text = sub(rx, ymd)
    return text


def default_masks():
    """Masks that apply to every thread, besides paths and dates."""
    return [
        # the version in "dmcopy (pyciao 0.1.0)", "pyciao version 0.1.0.dev3+g1234", CREATOR keys
        Mask(re.compile(r"(?i)\b(pyciao[ \t_-]*(?:version[ \t:=]*)?v?)\d+(?:\.\d+)+(?:[.+-]?[A-Za-z0-9]+)*"),
             r"\1<VERSION>"),
        # Python's tempfile names (tmpab12_x9z) and our atomic-write temp names (.out.fits.x1y2z3.tmp)
        Mask(re.compile(r"\btmp[a-z0-9_]{8}\b"), "tmp<X>"),
        Mask(re.compile(r"\.([^\s/]+)\.[A-Za-z0-9_]{8}\.tmp\b"), r".\1.<X>.tmp"),
    ]


def parse_mask(spec):
    """A thread's own mask, written ``REGEX => REPLACEMENT`` (one per line in thread.cfg)."""
    if "=>" not in spec:
        raise ValueError(f"mask {spec!r} is not of the form 'REGEX => REPLACEMENT'")
    pattern, replacement = (s.strip() for s in spec.split("=>", 1))
    try:
        return Mask(re.compile(pattern), replacement)
    except re.error as exc:
        raise ValueError(f"mask {pattern!r}: {exc}") from None


class Masker:
    """Applies path placeholders, recent-date masking and the regex masks, in that order."""

    def __init__(self, paths=(), masks=(), today=None):
        # paths: (placeholder, path) pairs; the longest (most specific) paths go first, and
        # each path is also tried in its symlink-resolved form.
        pairs = []
        for placeholder, path in paths:
            if not path:
                continue
            for p in {os.fspath(path), os.path.realpath(path)}:
                pairs.append((p.rstrip("/") or "/", placeholder))
        self.paths = sorted(set(pairs), key=lambda pr: -len(pr[0]))
        self.masks = list(default_masks()) + list(masks)
        self.today = today or _dt.date.today()

    def __call__(self, text):
        for path, placeholder in self.paths:
            text = text.replace(path, placeholder)
        text = _mask_recent_dates(text, self.today)
        for mask in self.masks:
            text = mask.apply(text)
        return text


# ------------------------------------------------------------------------ line comparison
def _tokens(line):
    """Split a line into its text pieces and its numbers: (texts, numbers), len(texts) ==
    len(numbers) + 1."""
    texts, numbers, pos = [], [], 0
    for m in _NUMBER.finditer(line):
        texts.append(line[pos:m.start()])
        numbers.append(m.group(0))
        pos = m.end()
    texts.append(line[pos:])
    return texts, numbers


def _key(line):
    """Alignment key: the line with numbers blanked and whitespace runs collapsed."""
    return _SPACES.sub(" ", _NUMBER.sub("#", line)).strip()


def _number_problem(a, b, tol):
    """None if number texts ``a`` and ``b`` agree within ``tol``, else a short reason."""
    if a == b:
        return None
    if _INT.fullmatch(a) and _INT.fullmatch(b):
        if int(a) == int(b):
            return None
        return f"{a} ≠ {b} (integers must match exactly)"
    x, y = float(a), float(b)
    diff = abs(x - y)
    if diff <= tol.atol + tol.rtol * max(abs(x), abs(y)):
        return None
    scale = max(abs(x), abs(y))
    rel = diff / scale if scale else float("inf")
    return f"{a} ≠ {b} (relative difference {rel:.2g} > {tol})"


def compare_line(expected, actual, tol):
    """("same" | "close" | "differs", [reasons]) for two masked lines."""
    if expected == actual:
        return "same", []
    et, en = _tokens(expected)
    at, an = _tokens(actual)
    if len(en) != len(an):
        return "differs", []
    reasons = [r for r in (_number_problem(a, b, tol) for a, b in zip(en, an)) if r]
    if reasons:
        return "differs", reasons
    if et == at:
        return "close", []
    # the spacing may change only where a number's printed width changed
    if [_SPACES.sub(" ", t) for t in et] == [_SPACES.sub(" ", t) for t in at] and en != an:
        return "close", []
    return "differs", ["the spacing differs" if _SPACES.sub("", expected) == _SPACES.sub("", actual)
                       else "the text differs"]


# ------------------------------------------------------------------------- text comparison
@dataclasses.dataclass
class DiffLine:
    tag: str        # " " context, "-" recorded, "+" produced now, "!" why a pair differs,
                    # "~" note: the pair above agrees within the tolerance, "@" hunk header
    text: str


@dataclasses.dataclass
class TextComparison:
    verdict: str                      # "same" | "close" | "differs"
    diff: list                        # list of DiffLine (empty when same)

    @property
    def ok(self):
        return self.verdict != "differs"


def compare_text(expected, actual, tol=Tolerance(), context=2, show_close=False):
    """Compare two masked texts line by line; see the module docstring.

    The diff shows the lines that differ beyond the tolerance; with ``show_close`` also those
    that differ within it (each as a ``-``/``+`` pair followed by a ``~`` note)."""
    if expected == actual:
        return TextComparison("same", [])
    exp, act = expected.split("\n"), actual.split("\n")
    if exp[-1] == "" and act[-1] == "":          # both end with a newline
        exp, act = exp[:-1], act[:-1]
    rows = []       # (tag, expected index or None, actual index or None, reasons)
    sm = difflib.SequenceMatcher(None, [_key(x) for x in exp], [_key(x) for x in act],
                                 autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        # pair lines up by position (a changed line then reads as a -/+ pair)
        for k in range(max(i2 - i1, j2 - j1)):
            i = i1 + k if i1 + k < i2 else None
            j = j1 + k if j1 + k < j2 else None
            if i is not None and j is not None:
                verdict, reasons = compare_line(exp[i], act[j], tol)
                rows.append(({"same": " ", "close": "~", "differs": "x"}[verdict], i, j, reasons))
            else:
                rows.append(("x", i, j, []))
    verdict = "differs" if any(r[0] == "x" for r in rows) else "close"
    return TextComparison(verdict, _render(rows, exp, act, context, show_close))


def _render(rows, exp, act, context, show_close):
    """Unified-diff-like lines around the rows that differ."""
    shown = ("x", "~") if show_close else ("x",)
    interesting = [k for k, r in enumerate(rows) if r[0] in shown]
    keep = set()
    for k in interesting:
        keep.update(range(max(0, k - context), min(len(rows), k + context + 1)))
    out = []
    last = None
    for k in sorted(keep):
        tag, i, j, reasons = rows[k]
        if last is None or k != last + 1:
            line_no = (i if i is not None else (j or 0)) + 1
            out.append(DiffLine("@", f"@@ line {line_no} @@"))
        last = k
        if tag not in shown:
            out.append(DiffLine(" ", exp[i] if tag == " " else act[j]))
            continue
        if i is not None:
            out.append(DiffLine("-", exp[i]))
        if j is not None:
            out.append(DiffLine("+", act[j]))
        if tag == "~":
            out.append(DiffLine("~", "equal within the tolerance"))
        for reason in reasons:
            out.append(DiffLine("!", reason))
    return out


def diff_as_text(diff, indent="    "):
    """Plain-text rendering of a diff (for pytest messages and logs)."""
    lines = []
    for d in diff:
        if d.tag == "@":
            lines.append(indent + d.text)
        elif d.tag in "!~":
            lines.append(indent + "  ^ " + d.text)
        else:
            lines.append(indent + d.tag + " " + d.text)
    return "\n".join(lines)


# ------------------------------------------------------------------------ step comparison
@dataclasses.dataclass
class Problem:
    title: str                  # one line: what differs
    diff: list = dataclasses.field(default_factory=list)    # DiffLine list (may be empty)


@dataclasses.dataclass
class StepCheck:
    """A step's output checked against its recording."""
    number: int
    verdict: str                # "pass" | "fail" | "new" (never recorded)
    exact: bool                 # byte-identical to the recording (after masking)
    problems: list              # Problem list: why it fails (or, with show_close, what differs)

    @property
    def ok(self):
        return self.verdict == "pass"


def _cmp(expected, actual, tol, show_close, title):
    result = compare_text(expected, actual, tol, show_close=show_close)
    return result, (Problem(title, result.diff) if result.diff else None)


def check_step(recorded, actual, tol=Tolerance(), show_close=False):
    """Compare a step's ``StepRecord`` with the recorded one (None: not recorded)."""
    if recorded is None:
        return StepCheck(actual.number, "new", False,
                         [Problem("this step is not in the recording (record it with bless)")])
    problems, exact, failed = [], True, False

    def note(ok, is_exact, problem):
        nonlocal exact, failed
        exact &= is_exact
        failed |= not ok
        if problem is not None and (not ok or show_close):
            problems.append(problem)

    if " ".join(recorded.command.split()) != " ".join(actual.command.split()):
        diff = [DiffLine("-", x) for x in recorded.command.split("\n")] + \
               [DiffLine("+", x) for x in actual.command.split("\n")]
        note(False, False, Problem("the command is not the recorded one (re-record with bless)", diff))
    if recorded.status != actual.status:
        def show(s):
            return "a timeout" if s is None else f"exit status {s}"
        note(False, False, Problem(f"{show(actual.status)}, recorded {show(recorded.status)}"))
    res, problem = _cmp(recorded.output, actual.output, tol, show_close,
                        "the output differs from the recording")
    if problem and res.ok:
        problem.title = "the output differs within the tolerance"
    note(res.ok, res.verdict == "same", problem)

    rec_files = {f.name: f for f in recorded.files}
    act_files = {f.name: f for f in actual.files}
    for name in sorted(set(rec_files) | set(act_files)):
        r, a = rec_files.get(name), act_files.get(name)
        if r is None:
            note(False, False, Problem(f"{name}: written ({a.kind}), which the recording does not show"))
        elif a is None:
            what = "removed" if r.kind == "removed" else "written"
            note(False, False, Problem(f"{name}: not {what}, the recording shows it {what} ({r.kind})"))
        elif r.kind != a.kind:
            note(False, False, Problem(f"{name}: now {a.kind}, recorded {r.kind}"))
        else:
            res, problem = _cmp(r.content, a.content, tol, show_close, f"{name} ({a.kind}) differs from the recording")
            if problem and res.ok:
                problem.title = f"{name} ({a.kind}) differs within the tolerance"
            note(res.ok, res.verdict == "same", problem)
    return StepCheck(actual.number, "fail" if failed else "pass", exact, problems)
