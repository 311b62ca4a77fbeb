"""The per-step report, with rich: a progress line while a step runs, one line per finished
step (ok / FAIL / new), a readable diff under each failing step, and a summary."""
from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

_DIFF_STYLE = {"-": "red", "+": "green", "!": "yellow", "~": "cyan", "@": "cyan", " ": "dim"}
_VERDICT = {"pass": ("ok", "green"), "fail": ("FAIL", "bold red"), "new": ("new", "yellow")}


def diff_text(diff, indent="       ", limit=None):
    """A rich Text of a compare.DiffLine list (``limit``: at most that many lines)."""
    text = Text()
    shown = diff if limit is None else diff[:limit]
    for d in shown:
        if d.tag == "@":
            body = d.text
        elif d.tag in "!~":
            body = "  ^ " + d.text
        else:
            body = d.tag + " " + d.text
        text.append(indent + body + "\n", style=_DIFF_STYLE.get(d.tag, ""))
    if limit is not None and len(diff) > limit:
        text.append(f"{indent}... {len(diff) - limit} more diff lines "
                    f"(`pyciao-thread diff` shows them all)\n", style="dim")
    return text


class Report:
    def __init__(self, console=None, verbose=False, diff_limit=40, show_all=False):
        self.console = console or Console(highlight=False)
        self.show_all = show_all          # also show differences within the tolerance
        self.verbose = verbose
        self.diff_limit = diff_limit
        self.section = None
        self.progress = None
        self.task = None

    def print(self, renderable="", **kw):
        self.console.print(renderable, soft_wrap=True, highlight=False, **kw)

    # --------------------------------------------------------------------------- run
    def begin(self, thread, first, last, action="run"):
        title = Text()
        title.append(f"{thread.name}", style="bold")
        title.append(f" · {thread.title}")
        self.print(title)
        if thread.follows:
            self.print(Text(f"follows {thread.follows}", style="dim"))
        if first > 1:
            self.print(Text(f"steps 1-{first - 1} run first to set up (not checked)", style="dim"))
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                 console=self.console, transient=True,
                                 disable=not self.console.is_terminal)
        self.progress.start()
        self.task = self.progress.add_task(action, total=last)

    def step_started(self, step):
        self.progress.update(self.task, description=f"step {step.number}: {step.headline[:60]}")

    def _section(self, step):
        if step.section and step.section != self.section:
            self.section = step.section
            self.progress.console.rule(Text(step.section, style="bold"), align="left", style="dim")

    def step_done(self, result, label=None):
        step = result.step
        self.progress.advance(self.task)
        if result.setup and not self.verbose:
            return
        self._section(step)
        line = Text(f"{step.number:>4}  ")
        if result.setup:
            word, style = "setup", "dim"
        elif label:
            word, style = label
        else:
            word, style = _VERDICT[result.check.verdict]
        line.append(f"{word:<6}", style=style)
        line.append(f"{result.seconds:6.1f}s  ", style="dim")
        line.append(step.headline)
        if result.check is not None and result.check.ok and not result.check.exact and not label:
            line.append("  (within tolerance)", style="dim")
        self.print(line)
        if self.verbose:
            self.print(Text("".join("       | " + x + "\n" for x in
                                    (["unix% " + step.command.replace("\n", "\n       | ")]
                                     + result.record.output.splitlines())), style="dim"), end="")
        if label is not None:
            show = label[0] == "changed"
        else:
            show = result.check is not None and (not result.check.ok or self.show_all)
        if show:
            self.problems(result.check)

    def problems(self, check, limit="default"):
        limit = self.diff_limit if limit == "default" else limit
        for p in check.problems:
            self.print(Text("       " + p.title, style="bold red" if not check.ok else "yellow"))
            if p.diff:
                self.print(diff_text(p.diff, limit=limit), end="")

    def end(self):
        if self.progress is not None:
            self.progress.stop()

    def summary(self, thread, results, first, last, seconds, replay=None):
        checked = [r for r in results if r.check is not None]
        counts = {v: sum(1 for r in checked if r.check.verdict == v) for v in ("pass", "fail", "new")}
        text = Text(f"{thread.name}: ")
        n = last - first + 1
        ran = len(checked)
        text.append(f"{ran} of {n} step{'s' if n != 1 else ''} checked, " if ran < n
                    else f"{n} step{'s' if n != 1 else ''} checked, ")
        text.append(f"{counts['pass']} passed", style="green" if counts["pass"] else "")
        if counts["fail"]:
            text.append(", ")
            text.append(f"{counts['fail']} failed", style="bold red")
        if counts["new"]:
            text.append(", ")
            text.append(f"{counts['new']} not recorded", style="yellow")
        text.append(f" ({seconds:.1f} s)", style="dim")
        self.print(text)
        if replay is not None and replay.keep and replay.root is not None:
            self.print(Text(f"scratch directory kept: {replay.root}", style="dim"))
        return 0 if counts["fail"] == 0 and counts["new"] == 0 and ran == n else 1

    def result(self, line):
        """The thread's result line, printed last and plain."""
        self.console.print(line, soft_wrap=True, markup=False, highlight=False, style="bold")

    # ------------------------------------------------------------------------- lists
    def thread_list(self, threads, describe_inputs):
        table = Table(box=None, header_style="bold", pad_edge=False)
        for col in ("thread", "steps", "runs on", "title"):
            table.add_column(col)
        for t in threads:
            table.add_row(t.name, str(len(t.steps)), describe_inputs(t), t.title)
        self.print(table)

    def step_list(self, thread):
        self.print(Text(f"{thread.name} · {thread.title}", style="bold"))
        if thread.follows:
            self.print(Text(f"follows {thread.follows}", style="dim"))
        section = None
        for step in thread.steps:
            if step.section != section and step.section:
                section = step.section
                self.print(Text(f"# {section}", style="bold"))
            lines = step.command.split("\n")
            self.print(Text(f"{step.number:>4}  ") + Text(lines[0]))
            for extra in lines[1:]:
                self.print(Text("      " + extra))


def plain_failure(thread, step, check):
    """A failing step as plain text (pytest's failure message)."""
    from .compare import diff_as_text

    lines = [f"thread {thread.name}, step {step.number}"
             + (f" [{step.section}]" if step.section else "") + ":",
             "    unix% " + step.command.replace("\n", "\n          ")]
    for p in check.problems:
        lines.append("  " + p.title)
        if p.diff:
            lines.append(diff_as_text(p.diff, indent="    "))
    lines.append(f"  (see it with `pyciao-thread diff {thread.name} --step {step.number}`; "
                 f"if the new output is right, record it with "
                 f"`pyciao-thread bless {thread.name} --step {step.number}`)")
    return "\n".join(lines)
