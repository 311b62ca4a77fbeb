"""get_sky_limits: the sky grid of an image, as a DM filter and as mkexpmap's xygrid.

Thread step (spec dm.md §6.3, §8.7)::

    get_sky_limits 11823.i0123.img
    pset mkexpmap xygrid=")get_sky_limits.xygrid"

The limits are the physical coordinates of the image's outer pixel edges (logical 0.5 and
n+0.5), printed with ``precision`` decimals; ``dmfilter`` is ``x=lo:hi:#nx,y=lo:hi:#ny`` with
the axis names as the image stores them, ``xygrid`` the same ranges without names. Both are
returned as output parameters whatever ``verbose`` is.
"""
from __future__ import annotations

from dataclasses import dataclass

from .dm.virtual import open_virtual
from .errors import ToolError
from .task import tool_main

__all__ = ["SkyLimits", "sky_limits", "format_report", "run", "main"]

VERSION = "07 October 2016"


@dataclass
class SkyLimits:
    """One image's grid: axis names, pixel counts, edge coordinates, pixel sizes, strings."""
    names: tuple
    size: tuple
    lo: tuple
    hi: tuple
    width: tuple
    lo_text: tuple
    hi_text: tuple
    dmfilter: str
    xygrid: str

    def __iter__(self):
        """``dmfilter, xygrid = sky_limits(image)``."""
        return iter((self.dmfilter, self.xygrid))


def sky_limits(image, precision=1, *, label=None):
    """The grid of ``image`` (an ImageView or a virtual-file string) with ``precision``
    decimals. Raises ToolError for tables and images that are not 2-D."""
    label = label or (image if isinstance(image, str) else getattr(image, "name", "image"))
    if isinstance(image, str):
        try:
            image = open_virtual(image)
        except ToolError as exc:
            raise ToolError(f"Unable to open '{label}': {exc}") from None
    if getattr(image, "kind", None) != "image":
        raise ToolError(f"The file '{label}' is not an image.")
    if image.data.ndim != 2:
        raise ToolError(f"Image '{label}' should be 2D, found {image.data.ndim}D.")
    if precision is None or int(precision) < 0:
        raise ToolError("precision must be 0 or more")
    precision = int(precision)
    nx, ny = image.shape_fits
    axes = image.axes[:2]
    names = tuple(ax.name or default for ax, default in zip(axes, ("x", "y")))
    lo = tuple(float(ax.phys(0.5)) for ax in axes)
    hi = tuple(float(ax.phys(n + 0.5)) for ax, n in zip(axes, (nx, ny)))
    width = ((hi[0] - lo[0]) / nx, (hi[1] - lo[1]) / ny)
    fmt = "{0:.%df}" % precision
    lo_t = tuple(fmt.format(v) for v in lo)
    hi_t = tuple(fmt.format(v) for v in hi)
    spec = [f"{a}:{b}:#{n}" for a, b, n in zip(lo_t, hi_t, (nx, ny))]
    dmfilter = f"{names[0]}={spec[0]},{names[1]}={spec[1]}"
    xygrid = f"{spec[0]},{spec[1]}"
    return SkyLimits(names, (nx, ny), lo, hi, width, lo_t, hi_t, dmfilter, xygrid)


def format_report(lim, infile):
    """The lines get_sky_limits prints at verbose >= 1."""
    nx, ny = lim.size
    names = ",".join(lim.names)
    return "\n".join([
        "Running: get_sky_limits",
        f"  version: {VERSION}",
        f"Checking binning of image: {infile}",
        f"  Image has {nx} x {ny} pixels",
        f"  Pixel size is {lim.width[0]} by {lim.width[1]}",
        f"  Lower left (0.5,0.5) corner is {names}= {lim.lo_text[0]}, {lim.lo_text[1]}",
        f"  Upper right ({nx}.5,{ny}.5) corner is {names}= {lim.hi_text[0]}, {lim.hi_text[1]}",
        "  DM filter is:",
        f"    {lim.dmfilter}",
        "  mkexpmap xygrid value is:",
        f"    {lim.xygrid}",
    ])


def run(p):
    infile = str(p.image or "").strip()
    if not infile:
        raise ToolError("image parameter is empty")
    precision = p.precision if p.precision is not None else 1
    lim = sky_limits(infile, precision, label=infile)
    if int(p.verbose if p.verbose is not None else 1) >= 1:
        print(format_report(lim, infile), flush=True)
    return {"dmfilter": lim.dmfilter, "xygrid": lim.xygrid}


main = tool_main("get_sky_limits", run)
