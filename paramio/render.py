"""The canonical text CIAO writes back for a parameter file.

``name,type,mode,<value>,min,max,<prompt>``: the value is double-quoted for string and file
types and bare otherwise, min and max are bare, the prompt is quoted when not empty, and an
embedded ``"`` is written ``\\"``. Comments and blank lines are written as they were read.
A bare field that could not be read back as the same text (a comma, blanks at either end, a
leading quote) is quoted instead, so a rewrite never loses data.
"""
from .grammar import Param


def quoted_type(ptype):
    """String-like types (s, f and the PIL file types fr/fw/…) have their value quoted."""
    return ptype.lstrip("*")[:1] in ("s", "f")


def _escapes_cleanly(text):
    """CIAO writes ``"`` as ``\\"``; that reads back only if no odd run of backslashes comes
    right before a ``"`` or at the very end (a value ending in ``\\`` would eat its quote)."""
    run = 0
    for c in text:
        if c == "\\":
            run += 1
            continue
        if c == '"' and run % 2:
            return False
        run = 0
    return run % 2 == 0


def quote(text):
    if "\n" in text or "\r" in text:  # CIAO's \n escape; a raw line break would end the line
        text = text.replace("\n", "\\n").replace("\r", "\\r")
    if _escapes_cleanly(text):
        return '"' + text.replace('"', '\\"') + '"'
    if "'" not in text:
        return "'" + text + "'"  # the HEASoft form, which has no escapes
    return '"' + text.replace('"', '\\"') + '"'  # no exact form exists (see can_write)


def can_write(text):
    """Whether ``text`` survives a write and a read in some quoted or bare form (line breaks
    are written as CIAO's ``\\n`` and read back as those two characters)."""
    if "\n" in text or "\r" in text:
        return False
    return _escapes_cleanly(text) or "'" not in text or _bare_is_safe(text)


def _bare_is_safe(text):
    return (
        "," not in text
        and "\n" not in text
        and "\r" not in text
        and text == text.strip(" \t")
        and not text.startswith(("'", '"'))
    )


def bare(text):
    return text.replace('"', '\\"') if _bare_is_safe(text) else quote(text)


def string(text):
    """A value of a string type: quoted, or bare when no quoted form reads back exactly."""
    if not _escapes_cleanly(text) and "'" in text and _bare_is_safe(text):
        return bare(text)
    return quote(text)


def render_param(p):
    """One parameter as its canonical line (without the newline)."""
    value = string(p.value) if quoted_type(p.type) else bare(p.value)
    prompt = string(p.prompt) if p.prompt else ""
    return f"{p.name},{p.type},{p.mode},{value},{bare(p.min)},{bare(p.max)},{prompt}"


def render(parfile):
    """The whole file as canonical text, one line per entry, each ending in a newline."""
    return "".join(
        (render_param(e) if isinstance(e, Param) else e.text) + "\n" for e in parfile.entries
    )
