"""CIAO regions: the CXC region library's semantics in numpy (spec dm.md §2).

::

    from pyciao.dm.regions import parse_region
    r = parse_region("circle(4096,4096,20)-box(4100,4100,5,5)")
    r.contains(x, y)          # numpy bool array, boundaries inclusive
    r.extent()                # (xmin, ymin, xmax, ymax)
    r.area(field=(0.5, 0.5, 8192.5, 8192.5))
    str(r)                    # 'Circle(4096,4096,20)&!Box(4100,4100,5,5)'

One grammar (``grammar``) turns text into plain :class:`Shape` objects grouped in
components (``Region.components``: OR of ANDs). Inside tests (``evaluate``), bounding boxes
(``extent``), areas (``area``) and the string form (``format``) are separate small modules
that all follow the CXC library's arithmetic, so filters, AREA columns and subspace strings
match CIAO's. Region files (CIAO, ds9, FITS tables) are read by ``files``; celestial
coordinates are turned into sky pixels by ``world`` with an astropy WCS.
"""
import re

from .errors import RegionError
from .files import read_region_file, read_region_groups
from .grammar import parse_components
from .region import Region
from .shapes import Shape, make_shape
from .table import region_from_table, region_to_table
from .world import components_to_physical

__all__ = ["parse_region", "read_region_list", "Region", "RegionError", "Shape",
           "make_shape", "region_to_table", "region_from_table", "expand_annulus_grid"]

_REGION_CALL = re.compile(r"^\s*region\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)


def _components(text, open_table, base_dir):
    """The region expression ``text`` as components (world shapes not yet converted)."""
    if not isinstance(text, str):
        raise RegionError(f"unable to parse region string: '{text}'")
    m = _REGION_CALL.match(text)
    if not m:
        if re.search(r"\bregion\s*\(", text, re.IGNORECASE):
            raise RegionError(f"region(...) must be the whole region expression: '{text}'")
        return parse_components(text)
    inner = m.group(1).strip()
    if not inner:
        raise RegionError(f"unable to parse region string: '{text}'")
    try:
        return list(read_region_file(inner, open_table=open_table,
                                     base_dir=base_dir).components)
    except RegionError as file_error:
        # region(circle(...)-box(...)): shapes written inline instead of a file name
        if "(" in inner and (inner[0].isalpha() or inner[0] == "!"):
            return parse_components(inner)
        raise file_error


def parse_region(text, *, wcs=None, open_table=None, base_dir=None):
    """Parse a DM region expression into a :class:`Region` in sky pixels.

    ``text`` is what follows ``sky=`` / ``(x,y)=`` in a filter or ``[bin sky=...]``: shapes
    with operators (``circle(1,2,3)-box(4,5,6,7)``, ``!circle(...)``, ``a*b``, ``a&b``,
    ``a|b``, ``a+b``, ``a b``), ``region(file)`` for a CIAO, ds9 or FITS region file (FITS
    may carry DM filters: ``region(src.fits[#row=2])``, ``region(reg.fits[bkgreg])``), or
    ``region(shape...)`` inline.

    ``wcs``: an ``astropy.wcs.WCS`` whose (1-based FITS) pixel coordinates are the physical
    sky coordinates x, y and whose world coordinates are RA, Dec in degrees (the WCS of the
    sky columns: TCRPX/TCRVL/TCDLT). Needed for celestial positions (``12:26:51``,
    ``-33:16:13``, ``186.71d``) and angular sizes (``10"``, ``0.5'``, ``1d``); without it such
    a region raises :class:`RegionError`.

    ``open_table(spec) -> {column: array}`` reads a FITS region table given as a DM
    virtual-file string; without it the first table (or the named block) of the file is
    read with astropy. ``base_dir`` is the directory relative file names are taken from
    (default: the current directory).
    """
    comps = _components(text, open_table, base_dir)
    return Region(components_to_physical(comps, wcs, text))


def read_region_list(source, *, wcs=None, open_table=None, base_dir=None):
    """A region file as a list of separate regions -- a stack, one output row each
    (dmextract ``[bin sky=@annuli.reg]``, radial profiles, srcflux).

    Text files give one region per shape line (lines starting with ``-`` stay with the line
    before them, as in a single region); ds9 multi-radius annuli give one region per
    annulus; FITS region tables give one region per COMPONENT."""
    groups = read_region_groups(source, open_table=open_table, base_dir=base_dir)
    return [Region(components_to_physical(list(g.components), wcs, source)) for g in groups]


def expand_annulus_grid(text):
    """``annulus(x,y,r0:r1:dr)`` -> ``["annulus(x,y,r0,r0+dr)", ...]`` up to r1.

    The radius-grid form dmextract accepts in ``[bin sky=annulus(4077.3,4269.7,0:600:10)]``
    (dm.md §5.1: 60 annuli); any other text is returned as a one-item list."""
    m = re.match(r"^\s*(annulus)\s*\(([^,()]+),([^,()]+),\s*([^,():]+):([^,():]+):([^,():]+)"
                 r"\s*\)\s*$", text, re.IGNORECASE)
    if not m:
        return [text]
    try:
        r0, r1, dr = (float(v) for v in m.group(4, 5, 6))
    except ValueError:
        raise RegionError(f"unable to parse region string: '{text}'") from None
    if not dr > 0 or not r1 > r0:
        raise RegionError(f"bad annulus radius grid in '{text}'")
    n = int(round((r1 - r0) / dr))
    if abs(r0 + n * dr - r1) > 1e-9 * max(1.0, abs(r1)):
        n = int((r1 - r0) // dr)
    x, y = m.group(2).strip(), m.group(3).strip()
    return [f"annulus({x},{y},{r0 + i * dr:.15g},{r0 + (i + 1) * dr:.15g})" for i in range(n)]
