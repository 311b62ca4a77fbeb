"""Indirect values: ``)par``, ``)tool.par``, ``)tool.par.p_min``, ``))command`` and ``${VAR}``.

Only the text syntax lives here; following a redirect needs open parameter files and is done
by `session.ParamSession`.
"""
import os
import re

from .cmdline import SUBFIELDS
from .errors import BadIndirect

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def looks_indirect(text):
    """Values plist and prompts show as ``raw -> resolved``."""
    return text.startswith(")") or "${" in text


def expand_env(text):
    """Expand ``${NAME}`` (a bare ``$NAME`` is left alone, as in CIAO; so is an unset name)."""
    if "${" not in text:
        return text
    return _ENV.sub(lambda m: os.environ.get(m.group(1), m.group(0)), text)


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
