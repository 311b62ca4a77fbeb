"""Running fluximage's steps: one after another, or side by side in worker processes.

A stage is a list of (function, keyword arguments) that do not depend on each other (the
chips' aspect histograms, the chips x bands exposure maps, ...); stages run in order. With
``nproc`` > 1 the steps of a stage run in a process pool (fork), each step only touching its
own files and, through the Python API, its own private parameter files. The first failing
step stops the run (the steps not yet started are cancelled) and its error is raised.
"""
from __future__ import annotations

import concurrent.futures
import multiprocessing
import os

from ..errors import ToolError
from ..messages import info

__all__ = ["processors", "TaskRunner"]


def processors(nproc, parallel=True):
    """The number of processes to use: ``nproc`` INDEF (None) -> all processors; a negative
    value is added to their number; clamped to 1 .. the number of processors; 0 is an
    error. ``parallel=False`` -> 1."""
    if not parallel:
        return 1
    available = os.cpu_count() or 1
    if nproc is None:
        return available
    nproc = int(nproc)
    if nproc == 0:
        raise ToolError("nproc can not be 0 (INDEF uses every processor)")
    if nproc < 0:
        nproc += available
    return max(1, min(nproc, available))


def _call(function, kwargs):
    return function(**kwargs)


class TaskRunner:
    """Runs stages of independent steps on ``nproc`` processes; use as a context manager."""

    def __init__(self, nproc, verbose=1):
        self.nproc = nproc
        self.verbose = verbose
        self._pool = None

    def __enter__(self):
        if self.nproc > 1:
            info(f"Running tasks in parallel with {self.nproc} processors.", 1)
            try:
                context = multiprocessing.get_context("fork")
            except ValueError:             # pragma: no cover - no fork on this platform
                context = None
            self._pool = concurrent.futures.ProcessPoolExecutor(self.nproc, mp_context=context)
        else:
            info("Running tasks in serial.", 1)
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return False

    def stage(self, messages, steps):
        """Run ``steps`` [(function, kwargs)], printing ``messages`` (those not None) first;
        what the steps print is shown at verbose >= 2."""
        if not steps:
            return
        for message in messages:
            if message:
                info(message, 1)
        if self._pool is None or len(steps) == 1:
            outputs = [_call(f, kw) for f, kw in steps]
        else:
            futures = [self._pool.submit(_call, f, kw) for f, kw in steps]
            try:
                outputs = [fut.result() for fut in futures]
            except BaseException:
                for fut in futures:
                    fut.cancel()
                concurrent.futures.wait(futures)
                raise
        for text in outputs:
            if text and text.strip():
                info(text.rstrip("\n"), 2)
