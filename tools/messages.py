"""What a tool prints besides its results: CIAO-style warnings and errors, verbose chatter.

The runner sets the current tool and verbose level (``tool_context``); cores and tool modules
just call ``warn``/``info`` and never need to know their own name.
"""
import contextlib
import contextvars
import sys

from . import __version__

_tool = contextvars.ContextVar("pyciao_tool", default="pyciao")
_verbose = contextvars.ContextVar("pyciao_verbose", default=0)


def prefix(kind, tool=None):
    """``# dmcopy (pyciao 0.1.0): ERROR: `` and friends."""
    return f"# {tool or _tool.get()} (pyciao {__version__}): {kind}: "


def warn(message):
    """Print a CIAO-style warning on stderr."""
    print(prefix("WARNING") + str(message), file=sys.stderr, flush=True)


def error(message, tool=None):
    """Print a CIAO-style error on stderr (the runner decides the exit status)."""
    print(prefix("ERROR", tool) + str(message), file=sys.stderr, flush=True)


def verbosity():
    return _verbose.get()


def info(message, level=1):
    """Print ``message`` on stdout when the tool's ``verbose`` is at least ``level``."""
    if _verbose.get() >= level:
        print(message, flush=True)


@contextlib.contextmanager
def tool_context(name, verbose=0):
    """Run a block as tool ``name`` with verbose level ``verbose``."""
    t1 = _tool.set(name)
    t2 = _verbose.set(int(verbose or 0))
    try:
        yield
    finally:
        _tool.reset(t1)
        _verbose.reset(t2)
