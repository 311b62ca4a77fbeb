"""dmkeypar: read one header keyword of a (virtual) file into parameters (spec dm.md §4.3).

``keyword_info`` is the core (a header in, a dict of the output parameters out); ``run``
opens the virtual file — filters included, so ``evt[@gti] LIVETIME`` gives the recomputed
value — and prints the value with ``echo+``.
"""
from __future__ import annotations

from .dm.virtual import open_virtual
from .errors import ToolError
from .task import tool_main

__all__ = ["keyword_info", "value_text", "run", "main"]


def value_text(value):
    """The keyword's value as dmkeypar prints it: strings bare, reals in shortest round-trip
    form (``5977.7355472452``, ``110000.0``), integers plain, booleans ``yes``/``no``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    return str(value).rstrip()


def keyword_info(header, keyword):
    """The dmkeypar output parameters for ``keyword`` (case-insensitive) of ``header``."""
    key = str(keyword or "").strip().upper()
    if not key:
        raise ToolError("no keyword given")
    out = {"exist": False, "value": "", "rval": None, "ival": None, "sval": "", "bval": False,
           "datatype": "null", "unit": "", "comment": ""}
    if key not in header or key in ("COMMENT", "HISTORY"):
        return out
    value = header[key]
    comment = header.comments[key] or ""
    unit = ""
    if comment.startswith("[") and "]" in comment:
        unit, comment = comment[1:comment.index("]")], comment[comment.index("]") + 1:].strip()
    out.update(exist=True, value=value_text(value), unit=unit, comment=comment)
    if isinstance(value, bool):
        out.update(datatype="boolean", bval=value)
    elif isinstance(value, int):
        out.update(datatype="integer", ival=int(value), rval=float(value))
    elif isinstance(value, float):
        out.update(datatype="real", rval=value)
    else:
        out.update(datatype="string", sval=str(value).rstrip())
    return out


def run(p):
    view = open_virtual(p.infile)
    header = view.updated_header() if view.kind == "table" else view.header
    out = keyword_info(header, p.keyword)
    if getattr(p, "echo", False):
        if not out["exist"]:
            raise ToolError(f"keyword '{p.keyword}' not found in {p.infile}")
        print(out["value"])
    return out


main = tool_main("dmkeypar", run)
