"""The FITS region-table form of a region: SHAPE, X, Y, R, ROTANG, COMPONENT columns.

This is the layout CIAO reads with ``region(file.fits)`` and dmextract writes into its
outputs (dm.md §2.7, §5.2): one row per shape; ``SHAPE`` is the shape name with a leading
``!`` when the shape is excluded (``Circle``, ``!Ellipse``, ``RotBox``...); ``X``/``Y`` hold
the centre, or the vertices for polygons (a vector column) and the two corners for
rectangles; ``R`` the radii (circle r; annulus and pie rin, rout; box width, height; ellipse
semi-axes); ``ROTANG`` the angles (box/ellipse/rectangle rotation; pie/sector a1, a2);
rows with the same ``COMPONENT`` number one after another are ANDed, a change of number
starts a new OR-ed component.

Reading follows the CXC library: shape names in any case; a missing ``SHAPE`` column means
points, a missing ``COMPONENT`` column means one component (all rows ANDed), a missing
``R``/``ROTANG`` means zeros; a polygon's vertices end where the first vertex repeats.
"""
import numpy as np

from .errors import RegionError
from .region import Region
from .shapes import make_shape

_TABLE_KINDS = {"POINT": "point", "CIRCLE": "circle", "BOX": "box", "ROTBOX": "box",
                "RECTANGLE": "rectangle", "ROTRECTANGLE": "rectangle", "ELLIPSE": "ellipse",
                "PIE": "pie", "SECTOR": "sector", "POLYGON": "polygon",
                "ANNULUS": "annulus", "FIELD": "field"}


def _column(columns, name):
    for key, value in columns.items():
        if key.upper() == name:
            return np.asarray(value)
    return None


def _rows(values, n, width):
    """A column as an (n, width) float array (scalars become one column; missing = 0)."""
    out = np.zeros((n, width))
    if values is None:
        return out
    v = np.asarray(values, dtype=float).reshape(n, -1)
    k = min(width, v.shape[1])
    out[:, :k] = v[:, :k]
    return out


def _text(value):
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip()


def _row_shape(name, xs, ys, r, a):
    include = "!" not in name
    key = name.replace("!", "").strip().upper()
    kind = _TABLE_KINDS.get(key)
    if kind is None:
        raise RegionError(f"region table shape '{name}' is not supported")
    x, y = [float(xs[0])], [float(ys[0])]
    radii, angles = [], []
    if kind == "circle":
        radii = r[:1]
    elif kind in ("annulus", "box", "ellipse", "pie"):
        radii = r[:2]
    if kind in ("box", "rectangle", "ellipse"):
        angles = a[:1]
    elif kind in ("pie", "sector"):
        angles = a[:2]
    if kind == "rectangle":
        if len(xs) < 2:
            raise RegionError("region table rectangle needs two X and Y values per row")
        x, y = [float(v) for v in xs[:2]], [float(v) for v in ys[:2]]
    elif kind == "polygon":
        end = len(xs)
        for k in range(1, len(xs)):
            if xs[k] == xs[0] and ys[k] == ys[0]:
                end = k
                break
        x, y = [float(v) for v in xs[:end]], [float(v) for v in ys[:end]]
    elif kind == "field":
        x, y = [], []
    return make_shape(kind, x, y, [float(v) for v in radii], [float(v) for v in angles],
                      include=include)


def region_from_table(columns, *, x="X", y="Y"):
    """A :class:`Region` from region-table columns (a mapping name -> array, any case).

    ``x``/``y`` name the position columns: ``X``/``Y`` (or a two-element ``POS``) for sky
    regions; e.g. ``CHIPX``/``CHIPY`` for a bad-pixel table."""
    try:
        return _region_from_table(columns, x, y)
    except (TypeError, ValueError, IndexError, AttributeError) as err:
        raise RegionError(f"bad region table: {err}") from None


def _region_from_table(columns, x, y):
    xcol, ycol = _column(columns, x.upper()), _column(columns, y.upper())
    if xcol is None or ycol is None:
        pos = _column(columns, "POS")
        if pos is None or pos.ndim != 2 or pos.shape[-1] != 2:
            raise RegionError(f"region table has no {x} and {y} (or POS) columns")
        xcol, ycol = pos[:, 0], pos[:, 1]
    n = len(xcol)
    xs = np.asarray(xcol, dtype=float).reshape(n, -1)
    ys = np.asarray(ycol, dtype=float).reshape(n, -1)
    shapes_col = _column(columns, "SHAPE")
    comp_col = _column(columns, "COMPONENT")
    r = _rows(_column(columns, "R"), n, 2)
    a = _rows(_column(columns, "ROTANG"), n, 2)
    components, last = [], None
    for i in range(n):
        name = _text(shapes_col[i]) if shapes_col is not None else "POINT"
        shape = _row_shape(name, xs[i], ys[i], list(r[i]), list(a[i]))
        comp = int(comp_col[i]) if comp_col is not None else 1
        if comp != last or not components:
            components.append([shape])
            last = comp
        else:
            components[-1].append(shape)
    return Region(components)


def region_to_table(regions, first_component=1):
    """Region-table columns for a region, or for a list of regions (a stack: their
    components are numbered one after another, as dmextract numbers the rows of a
    ``[bin sky=@stack]`` extraction).

    Returns a dict of numpy arrays: ``SHAPE`` (str), ``X``, ``Y`` (vectors when a polygon
    or rectangle is present, padded with 0), ``R`` (n, 2), ``ROTANG`` (n, 2),
    ``COMPONENT`` (int16)."""
    if isinstance(regions, Region):
        regions = [regions]
    rows = []
    comp = first_component
    for region in regions:
        if region.is_world:
            raise RegionError("convert the region to sky pixels before writing it as a table")
        for shapes in region.components:
            for s in shapes:
                rows.append((s, comp))
            comp += 1
    width = max([len(s.xs) for s, _ in rows if s.kind in ("polygon", "rectangle")] or [1])
    n = len(rows)
    x = np.zeros((n, width))
    y = np.zeros((n, width))
    radius = np.zeros((n, 2))
    rotang = np.zeros((n, 2))
    names, comps = [], np.zeros(n, dtype=np.int16)
    for i, (s, c) in enumerate(rows):
        k = len(s.xs) if s.kind in ("polygon", "rectangle") else min(1, len(s.xs))
        x[i, :k], y[i, :k] = s.xs[:k], s.ys[:k]
        radius[i, :len(s.radii)] = s.radii
        rotang[i, :len(s.angles)] = s.angles
        names.append(("" if s.include else "!") + s.name)
        comps[i] = c
    if width == 1:
        x, y = x[:, 0], y[:, 0]
    return {"SHAPE": np.array(names, dtype="U16"), "X": x, "Y": y, "R": radius,
            "ROTANG": rotang, "COMPONENT": comps}
