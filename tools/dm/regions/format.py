"""The string form of shapes and regions (dm.md §2.6), as the CXC library prints them.

``Circle(4072.49,3722.83,11)``: CIAO's shape names, numbers with C ``%g``, ``!`` before a
negated shape, ``&`` between the shapes of a component and ``|`` between components.
Polygons print their closing vertex; ``Box`` becomes ``RotBox`` when its angle is not 0;
ellipses always print their angle. Shapes still in world coordinates print their position
as sexagesimal RA (hours) / Dec and radii under one degree in arcmin (``0.166667'``).
"""
from .shapes import WORLD

TRUNCATED = "...[truncated]"


def format_value(x):
    """Library ``reg_print_val``: C ``%g`` (6 significant digits, no trailing zeros)."""
    return "%g" % x


def _sexagesimal(x):
    """Library ``reg_print_pos`` for world values (x in hours or degrees)."""
    south = x < 0
    s = -x * 3600.0 if south else x * 3600.0
    whole = int(s)
    if s - whole > 0.9999:
        whole, frac = whole + 1, 0.0
    else:
        frac = s - whole
    m, sec = divmod(whole, 60)
    h, m = divmod(m, 60)
    tail = format_value(frac)
    if tail.startswith("0"):
        tail = tail[1:]
    return f"{'-' if south else ''}{h:02d}:{m:02d}:{sec:02d}{tail}"


def _position(x, y, flag):
    if flag == WORLD:
        return _sexagesimal(x / 15.0), _sexagesimal(y)
    return format_value(x), format_value(y)


def _radius(r, flag):
    if flag == WORLD and r < 1.0:
        return format_value(r * 60.0) + "'"
    return format_value(r)


def shape_string(shape):
    """One shape: ``Circle(10,10,3)``, ``!RotBox(8,4,8,6,30)``, ``Polygon(0,0,1,0,0,1,0,0)``."""
    k = shape.kind
    cf, sf = shape.coord_flag, shape.size_flag
    if k == "field":
        args = []
    elif k in ("polygon", "rectangle"):
        args = [v for xy in zip(shape.xs, shape.ys) for v in _position(*xy, cf)]
        if k == "rectangle" and shape.angles[0] != 0.0:
            args.append(format_value(shape.angles[0]))
    else:
        args = list(_position(shape.xs[0], shape.ys[0], cf))
        args += [_radius(r, sf) for r in shape.radii]
        if k == "ellipse" or k in ("pie", "sector") or (k == "box" and shape.angles[0] != 0.0):
            args += [format_value(a) for a in shape.angles]
    return ("" if shape.include else "!") + f"{shape.name}({','.join(args)})"


def region_string(components, maxlen=None):
    """The whole region; with ``maxlen`` the text is cut to fit and ends with
    ``...[truncated]`` as in a subspace listing."""
    parts = []
    for ci, shapes in enumerate(components):
        for si, shape in enumerate(shapes):
            glue = "" if (ci == 0 and si == 0) else ("&" if si > 0 else "|")
            parts.append(glue + shape_string(shape))
    text = "".join(parts)
    if maxlen is not None and len(text) > maxlen:
        text = text[: max(0, maxlen - len(TRUNCATED))] + TRUNCATED
    return text
