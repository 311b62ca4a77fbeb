"""How the DM prints numbers and cells (dmlist data/header, subspace listings).

Reals (spec dm.md §4.1, fitted to ~80 values printed by CIAO in the threads): 0 -> ``0``;
``|v| >= 1`` -> ``%.10f``; ``1e-4 <= |v| < 1`` -> ``%.14f``; trailing zeros are then stripped
and one ``0`` put back when fewer than 13 decimals remain (141 -> ``141.0``, 4720.5 ->
``4720.50``, 0.0850773 -> ``0.08507730``, 0.0006417440054 stays); smaller magnitudes use
``%.10G`` (``4.975567703E-13``).

Inside vector and array cells and in ranges (the upper end in ``cols``, both ends in
``subspace``), the DM right-aligns the unstripped text in 20 columns *before* stripping
(``pad=20``), so the padding left over shows how long the text was: 10.0 ->
``"       10.0"``, 8192.5 -> ``"     8192.50"``, while 0 and exponent forms fill all 20
columns and NaN and +-Inf are never padded.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["format_real", "format_int", "format_cell", "cell_width", "format_g11"]


def format_real(v, pad=0):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0".rjust(pad)
    a = abs(v)
    if a < 1e-4:
        return f"{v:.10G}".rjust(pad)
    text = (f"{v:.10f}" if a >= 1 else f"{v:.14f}").rjust(pad)
    if text.endswith("0"):
        text = text.rstrip("0")
        decimals = len(text) - text.index(".") - 1
        if decimals < 13:
            text += "0"
    return text


def format_int(v):
    return str(int(v))


def format_g11(v):
    """dmstat's ``%.11g``."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    return f"{v:.11g}"


def format_cell(col, value, pad=0):
    """The text of one table cell (scalar, vector element list, string, bits, logical);
    ``pad`` as in ``format_real``, for reals."""
    kind = col.kind
    if kind == "bit":
        bits = np.unpackbits(np.asarray(value, np.uint8))[:col.repeat]
        return "".join("1" if b else "0" for b in bits)
    if kind == "string":
        return str(value)
    if kind == "logical":
        return "TRUE" if bool(value) else "FALSE"
    if np.ndim(value):
        return [format_cell_scalar(kind, x, pad) for x in np.ravel(value)]
    return format_cell_scalar(kind, value, pad)


def format_cell_scalar(kind, x, pad=0):
    if kind == "int":
        return format_int(x)
    return format_real(x, pad)


def cell_width(col, clean):
    """Field width of a scalar cell in dmlist data output."""
    if col.kind == "int":
        if clean:
            return 11
        return {"B": 4, "I": 5, "J": 11, "K": 21}.get(col.code, 11)
    if col.kind == "string":
        return max(col.repeat, len(col.name))
    if col.kind == "logical":
        return 7
    return 21
