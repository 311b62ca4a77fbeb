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


def quote(text):
    return '"' + text.replace('"', '\\"') + '"'


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


def render_param(p):
    """One parameter as its canonical line (without the newline)."""
    value = quote(p.value) if quoted_type(p.type) else bare(p.value)
    prompt = quote(p.prompt) if p.prompt else ""
    return f"{p.name},{p.type},{p.mode},{value},{bare(p.min)},{bare(p.max)},{prompt}"


def render(parfile):
    """The whole file as canonical text, one line per entry, each ending in a newline."""
    return "".join(
        (render_param(e) if isinstance(e, Param) else e.text) + "\n" for e in parfile.entries
    )
