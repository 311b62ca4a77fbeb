"""A stop-gap command line for simobs/cifbuild until the shared runner (tools/task.py) lands:
``python -m pyciao.simobs outroot=sim``. It reads the system .par defaults, applies
``name=value`` arguments (INDEF -> None; b -> bool; i -> int; r -> float) and runs the tool
with CIAO-style error reporting. No prompting and no learning of parameters.
"""
import csv
import importlib.resources
import sys

from .errors import ToolError
from .messages import error, tool_context


def _convert(kind, value):
    if value is None or str(value).strip().upper() in ("INDEF", ""):
        return None if kind in "ir" else ("" if kind in "sf" else None)
    text = str(value).strip()
    if kind == "b":
        return text.lower() in ("yes", "y", "true", "1", "+")
    if kind == "i":
        return int(text)
    if kind == "r":
        return float(text)
    return text


def load_defaults(tool):
    text = (importlib.resources.files("pyciao.param") / f"{tool}.par").read_text()
    kinds, values = {}, {}
    for row in csv.reader([ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]):
        name, kind, _mode, value = row[0], row[1], row[2], row[3]
        kinds[name] = kind
        values[name] = value
    return kinds, values


def main(tool, run, argv=None):
    argv = sys.argv[1:] if argv is None else argv
    kinds, values = load_defaults(tool)
    try:
        for arg in argv:
            if "=" not in arg:
                raise ToolError(f"Expected name=value, got '{arg}'")
            name, value = arg.split("=", 1)
            if name not in kinds:
                raise ToolError(f"Unknown parameter '{name}'")
            values[name] = value
        params = {k: _convert(kinds[k], v) for k, v in values.items() if k != "mode"}
        with tool_context(tool, params.get("verbose", 1) or 0):
            run(params)
    except ToolError as exc:
        error(str(exc), tool)
        return 1
    except ValueError as exc:
        error(f"Invalid parameter value: {exc}", tool)
        return 1
    return 0
