"""Region files: CIAO/PROS and ds9 text, and FITS region tables (dm.md §2.7).

A text file is a list of *items* (one shape, or a small expression, per line or per
``;``-separated piece). Items are OR-ed; an item that starts with ``-`` is ANDed (negated)
onto the component of the item before it -- the CIAO rule that makes

    circle(50,50,30)
    ellipse(40,75,30,20,320)
    -rotbox(30,30,10,5,45)

mean ``Circle|Ellipse&!RotBox`` (the box is only cut out of the ellipse).

CIAO and ds9 files are read by the same rules:

* ``#`` lines are comments and text after ``#`` on a shape line (ds9 properties) is dropped;
  ``global`` lines are ignored except for ``coordsys=``; ``local`` is ignored;
* a coordinate-system item (``physical``, ``image``, ``fk5``, ``icrs``, ``galactic``,
  ``fk4``, ``ecliptic``; alone or as a ``fk5;`` prefix) applies to what follows. In a sky
  system plain numbers are degrees (ds9's meaning); otherwise the CIAO grammar decides
  (pixels unless sexagesimal or marked ``d``/``'``/``"``). ``image`` coordinates are used as
  physical pixels, as CIAO does, with a warning;
* the PROS form ``circle 100 200 30`` and spaces between arguments are accepted;
* ds9 annotations (``text``, ``vector``, ``ruler``, ``compass``, ``projection``,
  ``composite``) are skipped, composite markers ``||`` read as OR, a multi-radius
  ``annulus`` becomes consecutive annuli; ``panda``/``epanda``/``bpanda`` and elliptical or
  box annuli are refused with a clear message (CIAO has no such shapes).

A FITS file (first bytes ``SIMPLE  =``, or a name with a ``[...]`` DM filter) is a region
table, read through the data model's ``open_table`` callback when one is given.

Where CIAO's own reader fails or is silent the choices are listed in README.md (this
folder): spaces between arguments, a first item starting with ``-`` (``field()`` minus it),
ds9 sky numbers in degrees, other sky frames transformed with astropy.
"""
import os
import re

from ...messages import warn
from .errors import RegionError
from .grammar import SKY_FRAMES, parse_components
from .region import Region
from .shapes import make_shape
from .table import region_from_table

_PIXEL_SYSTEMS = ("physical", "image", "logical")
_OTHER_SYSTEMS = ("detector", "amplifier", "linear")
_ANNOTATIONS = ("text", "vector", "ruler", "compass", "projection", "composite")
_WORLD_ALIASES = {"wcs": "fk5", "wcsa": "fk5"}


class _Item:
    __slots__ = ("text", "frame", "line", "glue")

    def __init__(self, text, frame, line, glue):
        self.text, self.frame, self.line, self.glue = text, frame, line, glue


# --- splitting text files into items -----------------------------------------------------

def _split_top(text, sep):
    """Split at ``sep`` outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _strip_comment(text):
    """Drop a trailing ``# ...`` (ds9 properties, comments)."""
    return text.split("#", 1)[0]


_PROS_RE = re.compile(r"^(\s*[+-]?\s*!?\s*[A-Za-z]+)\s+([^()]*)$")


def _normalise(piece):
    """``circle 1 2 3`` and ``circle(1 2 3)`` -> ``circle(1,2,3)``."""
    m = _PROS_RE.match(piece)
    if m:
        return f"{m.group(1).strip()}({','.join(m.group(2).replace(',', ' ').split())})"
    lo, hi = piece.find("("), piece.rfind(")")
    if 0 <= lo < hi and "," not in piece[lo:hi]:
        return piece[:lo + 1] + ",".join(piece[lo + 1:hi].split()) + piece[hi:]
    return piece


def _sign(piece):
    """``(glue, text)``: a leading ``-`` glues the item to the previous one."""
    if piece.startswith("-"):
        return True, piece
    if piece.startswith("+"):
        return False, piece[1:].lstrip()
    return False, piece


def _ds9_annulus(text):
    """ds9 ``annulus(x,y,r1,r2,r3,...)`` -> ``annulus(x,y,r1,r2)``, ``annulus(x,y,r2,r3)``..."""
    m = re.match(r"^(\s*-?\s*annulus\s*)\((.*)\)\s*$", text, re.IGNORECASE)
    if not m:
        return [text]
    args = [a.strip() for a in m.group(2).split(",")]
    if len(args) <= 4:
        return [text]
    if any("=" in a for a in args):
        raise RegionError(f"ds9 annulus with n= is not supported: '{text}'")
    x, y, radii = args[0], args[1], args[2:]
    return [f"{m.group(1)}({x},{y},{a},{b})" for a, b in zip(radii, radii[1:])]


def _text_items(lines, path):
    items = []
    frame = None  # ds9's default coordinate system is physical
    warned = False
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("global"):
            m = re.search(r"coordsys\s*=\s*(\w+)", line, re.IGNORECASE)
            if m:
                low = m.group(1).lower()
                frame = _WORLD_ALIASES.get(low, low) if low in SKY_FRAMES + tuple(
                    _WORLD_ALIASES) else None
            continue
        for piece in _split_top(_strip_comment(line), ";"):
            piece = piece.strip()
            while piece.endswith("||") or piece.endswith("&&"):
                piece = piece[:-2].rstrip()
            if not piece:
                continue
            low = piece.lower()
            if low in _PIXEL_SYSTEMS or low in _OTHER_SYSTEMS or low.startswith("tile"):
                frame = None
                if low == "image" and not warned:
                    warn(f"region file {path} is in ds9 image coordinates; CIAO uses "
                         "them as physical (sky) pixels")
                    warned = True
                continue
            if low in SKY_FRAMES or low in _WORLD_ALIASES:
                frame = _WORLD_ALIASES.get(low, low)
                continue
            if low == "local" or (low.lstrip("+-").startswith(_ANNOTATIONS)
                                  and '"' not in low):  # CIAO text(x,y,"s") is a point
                continue
            glue, text = _sign(_normalise(piece))
            for part in _ds9_annulus(text):
                items.append(_Item(part, frame, n, glue))
    return items


# --- items to regions ----------------------------------------------------------------------

_DS9_ONLY = ("panda", "epanda", "bpanda")


def _parse_item(item, path):
    try:
        return parse_components(item.text, frame=item.frame, continuation=item.glue)
    except RegionError as err:
        message = str(err)
        m = re.match(r"^[\s+-]*([A-Za-z]+)\s*\((.*)\)\s*$", item.text)
        if m:
            name, nargs = m.group(1).lower(), len(_split_top(m.group(2), ","))
            if name in _DS9_ONLY:
                message = f"ds9 shape '{name}' is not supported by CIAO regions"
            elif (name.startswith("ell") or name == "box") and nargs > 5:
                message = (f"ds9 {'elliptical' if name.startswith('ell') else 'box'} "
                           "annuli are not supported by CIAO regions")
        raise RegionError(f"{message} (region file {path}, line {item.line})") from None


def _group(items, path):
    """Items -> list of component lists, one entry per independent region (an item and the
    ``-`` items glued after it)."""
    groups = []
    for item in items:
        comps = [list(c) for c in _parse_item(item, path)]
        if item.glue:
            if groups:
                last = groups[-1]
                last[-1].extend(comps[0])
                last.extend(c for c in comps[1:] if c)
                continue
            # A first item starting with '-': field() minus it.
            comps[0].insert(0, make_shape("field"))
        groups.append([c for c in comps if c])
    return groups


# --- files -------------------------------------------------------------------------------------

def _resolve(name, base_dir):
    name = name.strip()
    file_part = name.split("[", 1)[0]
    if base_dir is not None and not os.path.isabs(os.path.expanduser(file_part)):
        return os.path.join(base_dir, name)
    return os.path.expanduser(name) if name.startswith("~") else name


def _is_fits(path):
    try:
        with open(path, "rb") as f:
            head = f.read(9)
    except OSError:
        return False
    return head == b"SIMPLE  =" or (head[:2] == b"\x1f\x8b" and ".fit" in path.lower())


def _read_fits_table(spec, open_table):
    if open_table is not None:
        try:
            columns = open_table(spec)
        except RegionError:
            raise
        except Exception as err:  # the data model's own error, reworded for regions
            raise RegionError(f"unable to read region from: {spec} ({err})") from None
        return columns
    from astropy.io import fits
    file_part, _, rest = spec.partition("[")
    block = rest.rstrip("]").strip() if rest else None
    if block and not re.fullmatch(r"[A-Za-z_][\w\-]*", block):
        raise RegionError(f"region table filter '[{rest}' needs the data model "
                          "(pass open_table)")
    try:
        with fits.open(file_part, memmap=False) as hdul:
            hdu = None
            for h in hdul[1:]:
                if block and h.name.upper() != block.upper():
                    continue
                if isinstance(h, (fits.BinTableHDU, fits.TableHDU)):
                    hdu = h
                    break
            if hdu is None:
                what = f"block '{block}'" if block else "a table"
                raise RegionError(f"unable to read region from: {spec} (no {what})")
            return {name: hdu.data[name] for name in hdu.columns.names}
    except RegionError:
        raise
    except Exception as err:  # unreadable or damaged FITS: astropy raises many kinds
        raise RegionError(f"unable to read region from: {spec} ({err})") from None


def _text_lines(path):
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except OSError as err:
        raise RegionError(f"unable to read region from: {path} "
                          f"({err.strerror or err})") from None


def _file_groups(name, open_table, base_dir):
    """The region file ``name`` as a list of independent component lists."""
    try:
        name = os.fspath(name)
        base_dir = None if base_dir is None else os.fspath(base_dir)
    except TypeError:
        raise RegionError(f"unable to read region from: {name!r}") from None
    if not isinstance(name, str) or not name.strip():
        raise RegionError(f"unable to read region from: {name!r}")
    spec = _resolve(name, base_dir)
    file_part = spec.split("[", 1)[0]
    if "[" in spec or _is_fits(file_part):
        table = region_from_table(_read_fits_table(spec, open_table))
        return [[list(c)] for c in table.components]
    if not os.path.exists(file_part):
        raise RegionError(f"unable to read region from: {spec} (no such file)")
    lines = _text_lines(file_part)
    items = _text_items(lines, spec)
    if not items:
        raise RegionError(f"unable to read region from: {spec} (no shapes in it)")
    return _group(items, spec)


def read_region_file(name, *, open_table=None, base_dir=None):
    """The whole file as one (possibly still world-coordinate) :class:`Region`."""
    groups = _file_groups(name, open_table, base_dir)
    return Region([c for g in groups for c in g])


def read_region_groups(name, *, open_table=None, base_dir=None):
    """The file as a list of regions: one per line/item (with the ``-`` lines after it),
    or one per COMPONENT of a FITS region table."""
    return [Region(g) for g in _file_groups(name, open_table, base_dir)]
