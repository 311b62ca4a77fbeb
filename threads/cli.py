"""``pyciao-thread``: list, run, bless and diff the executable threads.

    pyciao-thread list [NAME]                 the threads; or one thread's steps
    pyciao-thread run NAME [options]          replay, compare every step with the recording
    pyciao-thread diff NAME [options]         replay, show every difference (even within tolerance)
    pyciao-thread bless NAME [options]        replay and record the outputs as the expected ones

Options: --step N | --from A --to B, --keep, --scratch DIR, --data DIR, -v, -x.
Exit status: 0 all checked steps match, 1 some step differs, 2 bad input (unknown thread, bad
step range, missing data...), 130 interrupted.
"""
from __future__ import annotations

import argparse
import sys
import time

from rich.console import Console
from rich.text import Text

from . import inputs, recipe, replay, session
from .recipe import ThreadError
from .report import Report

PROG = "pyciao-thread"


class _Parser(argparse.ArgumentParser):
    def error(self, message):                  # one line, not usage + error
        raise ThreadError(f"{message} (see `{PROG} --help`)")


def _parser():
    p = _Parser(prog=PROG, description="Replay CIAO analysis threads step by step and check "
                "every step against its recorded output.",
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog="exit status: 0 every checked step matches its recording, 1 some step "
                       "differs, 2 bad input")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    lst = sub.add_parser("list", help="list the threads, or the steps of one thread")
    lst.add_argument("name", nargs="?", metavar="NAME")
    helps = {"run": "replay a thread and check each step against the recording",
             "diff": "replay a thread and show every difference from the recording, "
                     "including those within the tolerance",
             "bless": "replay a thread and record its outputs as the expected ones"}
    for cmd in ("run", "diff", "bless"):
        s = sub.add_parser(cmd, help=helps[cmd], description=helps[cmd])
        s.add_argument("name", metavar="NAME", help="a thread name (see `list`) or a thread folder")
        s.add_argument("--step", type=int, metavar="N", help="only step N (earlier steps run as setup)")
        s.add_argument("--from", dest="first", type=int, metavar="A", help="first step to check")
        s.add_argument("--to", dest="last", type=int, metavar="B", help="last step to run")
        s.add_argument("--keep", action="store_true", help="keep the scratch directory")
        s.add_argument("--scratch", metavar="DIR", help="run in DIR (new or empty; kept)")
        s.add_argument("--data", metavar="DIR",
                       help="the shared data folder (default $PYCIAO_SHARED_DATA or ../shared/data)")
        s.add_argument("-v", "--verbose", action="store_true", help="show each step's output")
        if cmd != "bless":
            s.add_argument("-x", "--exitfirst", action="store_true", help="stop at the first failing step")
    return p


def _describe_inputs(thread):
    parts = []
    if thread.simobs is not None:
        parts.append("simulated observation")
    if thread.data:
        parts.append("real data" + ("" if inputs.find_data_dir() else " (absent)"))
    if thread.inputs_dir.is_dir() and not parts:
        parts.append("its own files")
    return ", ".join(parts) or "-"


def _replay(args, report, thread, action):
    first, last = thread.step_range(args.step, args.first, args.last)
    data_dir = inputs.find_data_dir(args.data)
    if args.data and data_dir is None:
        raise ThreadError(f"--data {args.data}: no such directory")
    inputs.check_commands(thread, {"PATH": replay.steps_path()})
    inputs.check_data(thread, data_dir)
    recorded = thread.recorded_steps()
    if recorded is None and action != "bless":
        raise ThreadError(f"thread {thread.name} has no recording yet; record it with "
                          f"`{PROG} bless {thread.name}`")
    report.begin(thread, first, last, action)
    results, holder = [], {}
    start = time.monotonic()
    try:
        events = session.play(thread, first, last, show_close=(action != "run"),
                              exitfirst=getattr(args, "exitfirst", False), recorded=recorded or [],
                              on_start=lambda r: holder.setdefault("replay", r),
                              data_dir=data_dir, keep=args.keep, scratch=args.scratch)
        for kind, item in events:
            if kind == "start":
                report.step_started(item)
                continue
            results.append(item)
            if action == "bless" and item.check is not None:
                label = (("same", "green") if item.check.exact
                         else ("new", "yellow") if item.check.verdict == "new" else ("changed", "yellow"))
                report.step_done(item, label=label)
            else:
                report.step_done(item)
    finally:
        report.end()
    return results, first, last, time.monotonic() - start, holder.get("replay")


def cmd_list(args, report):
    if args.name:
        report.step_list(recipe.find(args.name))
        return 0
    threads = recipe.shipped()
    if not threads:
        report.print("no threads are installed")
        return 0
    report.thread_list(threads, _describe_inputs)
    return 0


def cmd_run(args, report, action):
    thread = recipe.find(args.name)
    results, first, last, seconds, replay = _replay(args, report, thread, action)
    status = report.summary(thread, results, first, last, seconds, replay)
    line = session.result_line(thread, results)
    if line:
        report.result(line)
    return status


def cmd_bless(args, report):
    thread = recipe.find(args.name)
    results, first, last, seconds, replay = _replay(args, report, thread, "bless")
    records = session.merge_for_bless(thread, results, first, last)
    path = session.write_recording(thread, records)
    changed = sum(1 for r in results if r.check is not None and not r.check.exact)
    failing = [r.step.number for r in results if r.check is not None and r.record.status != 0]
    report.print(Text(f"recorded {last - first + 1} step{'s' if last > first else ''} of "
                      f"{thread.name} in {path} ({changed} changed, {seconds:.1f} s)"))
    if failing:
        report.print(Text(f"note: step{'s' if len(failing) > 1 else ''} "
                          f"{', '.join(map(str, failing))} exited with a non-zero status; "
                          f"that is now the expected behaviour", style="yellow"))
    line = session.result_line(thread, results)
    if line:
        report.result(line)
    return 0


def main(argv=None, console=None):
    console = console or Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    report = None
    try:
        args = _parser().parse_args(argv)
        report = Report(console, verbose=getattr(args, "verbose", False),
                        diff_limit=None if args.command == "diff" else 40,
                        show_all=args.command == "diff")
        if args.command == "list":
            return cmd_list(args, report)
        if args.command == "bless":
            return cmd_bless(args, report)
        return cmd_run(args, report, args.command)
    except ThreadError as exc:
        err.print(f"{PROG}: error: {exc}", markup=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err.print(f"{PROG}: interrupted", markup=False)
        return 130
    except OSError as exc:
        err.print(f"{PROG}: error: {exc}", markup=False, soft_wrap=True)
        return 2


def console_main():
    sys.exit(main())


if __name__ == "__main__":
    console_main()
