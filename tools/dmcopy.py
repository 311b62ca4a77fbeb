"""dmcopy: filter, bin and copy a virtual file to a new file (spec dm.md §6.4).

The virtual block is written first (a binned image as the primary HDU), then the input's
other blocks (GTIs updated to the filters); ``outfile[NAME]`` names the written block.
"""
from __future__ import annotations

from .dm.syntax import parse_virtual_file
from .dm.virtual import open_virtual
from .dm.writer import write_view
from .errors import ToolError
from .outputs import output_file
from .task import tool_main

__all__ = ["copy_virtual", "run", "main"]

OPTIONS = ("", "all", "image", "table")


def _yes(v):
    return "yes" if v else "no"


def copy_virtual(infile, outfile, *, option="", kernel="default", clobber=False, history=None):
    """Copy ``infile`` (any virtual-file string) to ``outfile``; returns the written view."""
    option = str(option or "").strip().lower()
    if option not in OPTIONS:
        raise ToolError(f"unknown option '{option}' (use all, image or table, or leave it empty)")
    kernel = str(kernel or "default").strip().lower()
    if kernel not in ("default", "fits"):
        raise ToolError(f"output kernel '{kernel}' is not supported (only FITS)")
    out = parse_virtual_file(outfile)
    if out.filters or out.bin or out.cols:
        raise ToolError(f"the output file name '{outfile}' can only carry a block name")
    view = open_virtual(infile)
    if option == "image" and view.kind != "image":
        raise ToolError("option=image needs an image or a [bin ...] specification")
    if option == "table" and view.kind != "table":
        raise ToolError("option=table needs a table block")
    if out.block is not None:
        view.name = str(out.block)
    with output_file(out.path, clobber) as tmp:
        write_view(tmp, view, history=history, compress=out.path.endswith(".gz"))
    return view


def run(p):
    params = [("infile", p.infile), ("outfile", p.outfile), ("kernel", getattr(p, "kernel", "default") or "default"),
              ("option", getattr(p, "option", "") or ""), ("verbose", getattr(p, "verbose", 0)),
              ("clobber", _yes(getattr(p, "clobber", False)))]
    copy_virtual(p.infile, p.outfile, option=getattr(p, "option", ""), kernel=getattr(p, "kernel", "default"),
                 clobber=bool(getattr(p, "clobber", False)), history=("dmcopy", params))
    return None


main = tool_main("dmcopy", run)
