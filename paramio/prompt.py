"""Asking the user for a parameter value, in CIAO's prompt layout.

``<prompt or name> (<min>:<max>) (<current>): `` on stderr (so a value printed on stdout stays
clean); an empty answer or end of input keeps the current value. Asking needs a terminal on
stdin: scripts never block on a prompt (the caller raises QueryNeedsTerminal instead).
"""
import sys


def prompt_text(param, current):
    """The prompt line for ``param`` whose current value is displayed as ``current``."""
    text = param.prompt or param.name
    low, high = param.min, param.max
    if low and high:
        text += f" ({low}:{high})"
    elif low or high:
        text += f" ({low or high})"
    # CIAO drops the opening parenthesis when the current value is a redirect; we keep both.
    return text + f" ({current}): "


def can_ask(stdin=None):
    stdin = sys.stdin if stdin is None else stdin
    try:
        return stdin is not None and stdin.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def ask(param, current, stdin=None, stderr=None):
    """Show the prompt and read one answer; None means "keep the current value" (Enter/EOF).

    Returns (answer or None, reached end of input).
    """
    stdin = sys.stdin if stdin is None else stdin
    stderr = sys.stderr if stderr is None else stderr
    stderr.write(prompt_text(param, current))
    stderr.flush()
    line = stdin.readline()
    if not line:
        stderr.write("\n")
        return None, True
    answer = line[:-1] if line.endswith("\n") else line
    return (answer or None), False
