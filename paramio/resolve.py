"""Indirect values: ``)par``, ``)tool.par``, ``)tool.par.p_min``, ``))command`` and ``${VAR}``.

Only the text syntax lives here; following a redirect needs open parameter files and is done
by `session.ParamSession`.
"""
import os

from .cmdline import SUBFIELDS
from .errors import BadIndirect


def looks_indirect(text):
    """Values plist and prompts show as ``raw -> resolved``."""
    return text.startswith(")") or "${" in text


def expand_env(text):
    """Expand ``${NAME}`` (a bare ``$NAME`` is left alone, as in CIAO; so is an unset name)."""
    out, pos = [], 0
    while True:
        start = text.find("${", pos)
        close = text.find("}", start + 2) if start >= 0 else -1
        if close < 0:
            out.append(text[pos:])
            return "".join(out)
        name = text[start + 2 : close]
        known = name.isidentifier() and name.isascii() and name in os.environ
        out.append(text[pos:start] + (os.environ[name] if known else text[start : close + 1]))
        pos = close + 1


def parse_redirect(target):
    """``tool.par.p_min`` -> (``tool``, ``par``, ``p_min``); the field is None for the value.

    ``target`` is the text after the ``)``. The last dot separates the file from the
    parameter; with no dot the parameter is in the same file (file ``""``).
    """
    if target.startswith("*"):
        target = target[1:]
    field = None
    head, dot, last = target.rpartition(".")
    if dot and last in SUBFIELDS:
        field, target = last, head
    tool, _, name = target.rpartition(".")
    return tool, name, field


def run_shell(command, name=""):
    """``))command``: the first line the shell command prints."""
    import subprocess

    try:
        done = subprocess.run(
            command, shell=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True
        )
    except OSError:
        raise BadIndirect(name) from None
    return done.stdout.split("\n", 1)[0]
