"""One replay of a thread, start to finish: run the steps, check them, or record them."""
from __future__ import annotations

import dataclasses

from . import compare, recording
from .recipe import ThreadError
from .replay import Replay


@dataclasses.dataclass
class StepResult:
    step: object                 # steps.Step
    record: recording.StepRecord # what the step produced (masked)
    seconds: float
    check: compare.StepCheck | None   # None for setup steps (run before --from, not checked)

    @property
    def setup(self):
        return self.check is None


def play(thread, first=1, last=None, *, show_close=False, exitfirst=False, recorded=None,
         on_start=None, **replay_options):
    """Run steps 1..last of ``thread`` and check steps first..last against the recording.

    Steps before ``first`` are run too (later steps need their files and parameters) but not
    checked. Yields ``("start", step)`` before and ``("done", StepResult)`` after each step;
    ``on_start(replay)`` is called once the scratch directory is ready. Keyword options go
    to ``Replay`` (data_dir, cache_dir, scratch, keep, extra_path, base_env).
    """
    last = len(thread.steps) if last is None else last
    if recorded is None:
        recorded = thread.recorded_steps() or []
    with Replay(thread, **replay_options) as replay:
        if on_start:
            on_start(replay)
        for step in thread.steps[:last]:
            yield ("start", step)
            run = replay.run(step)
            check = None
            if step.number >= first:
                rec = recorded[step.number - 1] if step.number <= len(recorded) else None
                check = compare.check_step(rec, run.record, thread.tolerance, show_close)
            yield ("done", StepResult(step, run.record, run.seconds, check))
            if exitfirst and check is not None and not check.ok:
                return


def result_line(thread, results):
    """The last output line matching the thread's ``result`` pattern, or None."""
    if thread.result is None:
        return None
    found = None
    for r in results:
        for line in r.record.output.splitlines():
            if thread.result.search(line):
                found = line
    return found


def merge_for_bless(thread, results, first, last):
    """The new recording: the fresh records of steps first..last, the old ones elsewhere."""
    fresh = {r.step.number: r.record for r in results if first <= r.step.number <= last}
    for rec in fresh.values():
        if rec.status is None:
            raise ThreadError(f"step {rec.number} timed out; not recording a timeout")
    if first == 1 and last == len(thread.steps):
        return [fresh[n] for n in sorted(fresh)]
    old = thread.recorded_steps()
    if old is None or len(old) != len(thread.steps):
        raise ThreadError(f"the recording of {thread.name} does not match its {len(thread.steps)} "
                          f"steps; bless the whole thread (no --step/--from/--to)")
    merged = []
    for k, step in enumerate(thread.steps, 1):
        rec = fresh.get(k, old[k - 1])
        if k not in fresh and " ".join(rec.command.split()) != " ".join(step.command.split()):
            raise ThreadError(f"step {k}'s command changed since it was recorded; bless the whole "
                              f"thread (no --step/--from/--to)")
        merged.append(rec)
    return merged


def write_recording(thread, records):
    path = thread.transcript_path
    path.parent.mkdir(parents=True, exist_ok=True)
    text = recording.render(thread.name, records)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
