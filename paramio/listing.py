"""The text layouts of plist, pdump and pline (formatting only; values come from a session).

plist: a blank line, ``Parameters for <path>``, a blank line, the non-hidden parameters then
the hidden ones (each pass in file order), a blank line. Each parameter is
``%14s = %-16s %s`` (name, value, prompt); hidden ones read ``(name = value)``. A comment is
printed before the next parameter when that parameter is listed in the same pass (so a comment
above a hidden parameter appears in the hidden pass), as CIAO's library does.
"""
import os

from .grammar import Param


def _line(name, value, prompt):
    return "%14s = %-16s %s" % (name, value, prompt)


def plist_text(session):
    """The full plist output for an open session, ending in a newline."""
    path = os.path.abspath(session.path) if session.path else "<memory>"
    out = ["", f"Parameters for {path}", ""]
    for hidden_pass in (False, True):
        comments = []
        for entry in session.parfile.entries:
            if not isinstance(entry, Param):
                comments.append(entry.text)
                continue
            if entry.hidden != hidden_pass:
                comments = []
                continue
            out.extend(comments)
            comments = []
            value = session.display_value(entry)
            if hidden_pass:
                out.append(_line("(" + entry.name, value + ")", entry.prompt))
            else:
                out.append(_line(entry.name, value, entry.prompt))
    out.append("")
    return "\n".join(out) + "\n"


def _shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def _pairs(session):
    return [
        f"{p.name}={_shell_quote(session.cmdline.get(p.name, p.value))}"
        for p in session.parfile.params
    ]


def pdump_text(session):
    """``name='value'`` per line (stored values, file order), then ``# EOF``."""
    return "".join(line + "\n" for line in _pairs(session)) + "# EOF\n"


def pline_text(session):
    """The same pairs on one line, separated by single spaces."""
    return " ".join(_pairs(session)) + "\n"
