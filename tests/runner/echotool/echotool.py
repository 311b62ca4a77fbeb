"""echotool: scale a file of numbers (a test tool for the runner; not shipped).

It has the shape of every pyciao tool: a pure core, ``run(p)`` returning output
parameters, user errors as ToolError, and the runner's one-line ``main``.
"""
import os
import time

from pyciao.errors import ToolError
from pyciao.messages import info, warn
from pyciao.outputs import output_file
from pyciao.task import tool_main


def scale(values, factor):
    """The numeric core: plain values in, plain values out."""
    return [v * factor for v in values]


def run(p):
    if not os.path.isfile(p.infile):
        raise ToolError(f"Unable to open input file '{p.infile}'.")
    with open(p.infile) as fh:
        try:
            values = [float(word) for word in fh.read().split()]
        except ValueError as err:
            raise ToolError(f"Bad number in {p.infile}: {err}") from None
    if not values:
        warn(f"{p.infile} holds no numbers.")
    # ECHOTOOL_DELAY lets the parallel tests make runs overlap in time.
    time.sleep(float(os.environ.get("ECHOTOOL_DELAY", "0")))
    scaled = scale(values, p.factor)
    with output_file(p.outfile, p.clobber) as tmp:
        with open(tmp, "w") as out:
            out.writelines(f"{v!r} {p.units}\n" for v in scaled)
    info(f"scaled {len(values)} values from {p.infile} by {p.factor}", 1)
    info(f"sum = {sum(scaled)!r}", 2)
    return {"out_sum": sum(scaled), "out_count": len(values), "out_units": p.units}


main = tool_main("echotool", run)
