"""dmhedit: add, change or delete header keywords of a file in place (spec dm.md §4.4).

``parse_edit_list`` reads an edit-list file, ``apply_edits`` changes an astropy Header, and
``edit_file`` rewrites one block's header of a file atomically (all blocks copied, checksums
refreshed, a HISTORY record added); ``run`` is the tool around them.
"""
from __future__ import annotations

import re

from .dm.fitsfile import OutHDU, open_dataset, write_fits
from .dm.syntax import parse_virtual_file
from .dm.writer import _history_start, history_records
from .errors import ToolError
from .outputs import output_file
from .task import tool_main

__all__ = ["Edit", "convert_value", "parse_edit_list", "apply_edits", "edit_file", "run", "main"]

OPERATIONS = ("add", "delete")
_PROTECTED = re.compile(r"^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|PCOUNT|GCOUNT|TFIELDS|TFORM\d+|THEAP)$")


class Edit:
    def __init__(self, operation, key, value=None, datatype="indef", unit=None, comment=None):
        self.operation, self.key, self.value = operation, key.strip().upper(), value
        self.datatype, self.unit, self.comment = (datatype or "indef").lower(), unit, comment


def convert_value(text, datatype="indef"):
    """The typed value of ``text``: ``indef`` guesses (int, float, T/F, else string)."""
    dt = (datatype or "indef").lower()
    s = "" if text is None else str(text).strip()
    try:
        if dt in ("long", "short", "ulong", "ushort"):
            return int(float(s))
        if dt in ("double", "float"):
            return float(s)
    except ValueError:
        raise ToolError(f"value '{s}' is not a {dt}") from None
    if dt == "boolean":
        if s.lower() in ("t", "true", "yes", "y", "1"):
            return True
        if s.lower() in ("f", "false", "no", "n", "0"):
            return False
        raise ToolError(f"value '{s}' is not a boolean")
    if dt == "string":
        return s.strip("'\"")
    if dt != "indef":
        raise ToolError(f"unknown datatype '{datatype}'")
    if re.fullmatch(r"[+-]?\d+", s):
        return int(s)
    try:
        return float(s)
    except ValueError:
        pass
    if s in ("T", "F"):
        return s == "T"
    return s.strip("'\"")


def parse_edit_list(path):
    """Edits from a file: ``#add`` / ``#delete`` set the operation; ``KEY = value [/ comment]``."""
    try:
        with open(path) as fh:
            lines = fh.read().splitlines()
    except OSError:
        raise ToolError(f"cannot read edit list {path}") from None
    op, edits = "add", []
    for n, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            word = line[1:].strip().lower()
            if word in OPERATIONS:
                op = word
            continue
        if op == "delete":
            edits.append(Edit("delete", line.split("=")[0]))
            continue
        m = re.fullmatch(r"([A-Za-z0-9_\-]+)\s*=\s*(.*?)\s*(?:/\s*(.*))?", line)
        if not m:
            raise ToolError(f"{path} line {n}: expected 'KEY = value'")
        edits.append(Edit("add", m.group(1), m.group(2), comment=m.group(3)))
    return edits


def apply_edits(header, edits):
    for e in edits:
        if not re.fullmatch(r"[A-Z0-9_\-]{1,8}", e.key):
            raise ToolError(f"'{e.key}' is not a valid FITS keyword name")
        if _PROTECTED.match(e.key):
            raise ToolError(f"keyword {e.key} describes the file structure and cannot be edited")
        if e.operation == "delete":
            if e.key not in header:
                raise ToolError(f"keyword {e.key} not found")
            del header[e.key]
        elif e.operation == "add":
            value = convert_value(e.value, e.datatype)
            comment = e.comment if e.comment is not None else (header.comments[e.key] if e.key in header else "")
            if e.unit:
                comment = f"[{e.unit}] {comment or ''}".strip()
            header[e.key] = (value, comment or "")
        else:
            raise ToolError(f"unknown operation '{e.operation}' (use add or delete)")
    return header


def _edits_from(p):
    filelist = str(getattr(p, "filelist", "") or "").strip()
    if filelist and filelist.lower() != "none":
        return parse_edit_list(filelist)
    op = str(p.operation or "").strip().lower()
    if op not in OPERATIONS:
        raise ToolError(f"unknown operation '{p.operation}' (use add or delete)")
    if not p.key:
        raise ToolError("no keyword given")
    return [Edit(op, p.key, p.value, getattr(p, "datatype", "indef"), getattr(p, "unit", None) or None,
                 getattr(p, "comment", None) or None)]


def edit_file(path, change, *, block=None, history=None):
    """Rewrite ``path`` in place with ``change(header)`` applied to one block's header (the
    block named ``block``, else the first interesting one) and, with ``history=(tool,
    params)``, CIAO HISTORY records appended to it. The file is replaced atomically."""
    if str(path).endswith((".gz", ".bz2")):
        raise ToolError(f"cannot edit the compressed file {path} in place")
    ds = open_dataset(path)
    target = ds.block(block)
    hdus = []
    for b in ds.blocks:
        h = b.header.copy()
        if b.number == target.number:
            change(h)
            if history is not None:
                hist = [str(v) for v in h.get("HISTORY", [])]
                for rec in history_records(history[0], history[1], _history_start(hist)):
                    h.add_history(rec)
        hdus.append(OutHDU(h, ds.raw_bytes(b)))
    with output_file(path, True) as tmp:
        write_fits(tmp, hdus)


def run(p):
    vf = parse_virtual_file(p.infile)
    if vf.filters or vf.bin or vf.cols:
        raise ToolError("dmhedit edits a file in place; give a file and block, not filters")
    path = vf.path
    open_dataset(path).block(vf.block)          # the file and block exist
    edits = _edits_from(p)
    filelist = str(getattr(p, "filelist", "") or "")
    params = [("infile", p.infile), ("filelist", filelist)]
    if not filelist.strip() or filelist.strip().lower() == "none":   # read only what is used
        params += [("operation", p.operation), ("key", p.key), ("value", p.value)]
    edit_file(path, lambda h: apply_edits(h, edits), block=vf.block,
              history=("dmhedit", params))
    return None


main = tool_main("dmhedit", run)
