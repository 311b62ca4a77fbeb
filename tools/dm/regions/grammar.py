"""The CXC region grammar: one string in, a list of components of plain shapes out.

This follows the CXC region library's lexer and parser (dm.md §2.1-2.2) token for token:

* keywords are case-insensitive and may be abbreviated (``cir`` ... ``circle``, ``ell`` ...
  ``ellipse``, ``poi`` ... ``point``, ``rect`` ... ``rectangle``, ``sect`` ... ``sector``,
  ``poly`` ... ``polygon``); ``box``, ``rotbox``, ``annulus``, ``pie``, ``field``, ``line``,
  ``text`` are full words. The longest match wins, as in flex.
* numbers are ``[+]digits[.digits][E|D exp]`` (a ``D`` exponent is read the way C's ``atof``
  reads it: ignored); a leading ``-`` is its own token, so ``-5`` is "minus 5".
* positions: plain numbers are pixels; ``186.7d`` is degrees; ``hh:mm:ss.s`` (x, times 15)
  and ``[-]dd:mm:ss.s`` (y) are sexagesimal world coordinates.
* sizes: plain (pixels), ``p``, ``i`` (pixels), ``d`` (degrees), ``'`` (arcmin), ``"`` or
  ``''`` (arcsec). Angles: plain or ``d`` degrees; ``'`` and ``"`` divide by 60 and 3600.
* which units a shape is in is decided as the library does: the position flag is the one of
  the *last* position read, the size flag the one of the *last* size read.
* operators: ``+`` ``|`` (OR), ``*`` ``&`` (AND), ``-`` (AND NOT the next shape), ``!``
  before a shape (negate it), and two shapes side by side (OR). OR starts a new component;
  AND and ``-`` add to the current one, so AND binds tighter than OR.
* a newline ends the string (the library's lexer stops there).

``parse_components(text)`` returns ``[[Shape, ...], ...]`` (components in order) or raises
:class:`RegionError`: ``unable to parse region string: '<text>'`` for syntax errors, CIAO's
own messages (``circle radius must be positive``, ...) for bad values.
"""
import re

from .errors import RegionError
from .shapes import LOGICAL, PHYSICAL, UNKNOWN, WORLD, make_shape

# Keywords in the order of the library's lexer rules (ties in length go to the earlier rule).
_KEYWORDS = [
    ("circle", r"cir(c(l(e)?)?)?"),
    ("box", r"box"),
    ("text", r"text"),
    ("annulus", r"annulus"),
    ("polygon", r"poly(g(o(n)?)?)?"),
    ("pie", r"pie"),
    ("sector", r"sect(o(r)?)?"),
    ("rectangle", r"rect(a(n(g(l(e)?)?)?)?)?"),
    ("ellipse", r"ell(i(p(s(e)?)?)?)?"),
    ("line", r"line"),
    ("rotbox", r"rotbox"),
    ("point", r"poi(n(t)?)?"),
    ("rotrectangle", r"rotrect(a(n(g(l(e)?)?)?)?)?"),
    ("field", r"field"),
    ("elliptannulus", r"elliptann(u(l(u(s)?)?)?)?"),
    ("diamond", r"dia(m(o(n(d)?)?)?)?"),
    ("diamond", r"rho(m(b(u(s)?)?)?)?"),
    ("rotdiamond", r"rotdia(m(o(n(d)?)?)?)?"),
    ("rotdiamond", r"rotrho(m(b(u(s)?)?)?)?"),
]
_KEYWORD_RES = [(kind, re.compile(pattern, re.IGNORECASE | re.ASCII))
                for kind, pattern in _KEYWORDS]
_NUMBER_RE = re.compile(r"[ ]*\+?(?:[0-9]+\.?[0-9]*|\.[0-9]*)(?:[EeDd][+-]?[0-9]+)?")
_STRING_RE = re.compile(r'"[0-9A-Za-z~_./#]*"')
_ATOF_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SINGLE = {"-": "MINUS", "!": "NEG", "+": "OR", "|": "OR", "*": "AND", "&": "AND"}

_UNSUPPORTED = {
    "elliptannulus": "Elliptannuli are not yet supported.",
    "diamond": "Diamonds are not yet supported.",
    "rotdiamond": "Diamonds are not yet supported.",
}

# ds9 sky frames whose numbers CIAO uses as they are (the WCS's own frame).
NATIVE_FRAMES = ("fk5", "icrs", "j2000")
SKY_FRAMES = NATIVE_FRAMES + ("fk4", "b1950", "galactic", "ecliptic")


class _Syntax(Exception):
    """Internal: the string does not follow the grammar."""


def _atof(text):
    """C ``atof``: the value of the longest numeric prefix (0 when there is none)."""
    m = _ATOF_RE.match(text.strip())
    return float(m.group(0)) if m else 0.0


def tokenize(text):
    """The library's tokens: ``(kind, value)`` pairs ending with ``("END", None)``."""
    tokens = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            break
        best_len, best = 0, None
        if c == '"':
            m = _STRING_RE.match(text, i)
            if m:
                best_len, best = m.end() - i, ("STRING", m.group(0)[1:-1])
        elif c.isascii() and c.isalpha():
            for kind, rx in _KEYWORD_RES:
                m = rx.match(text, i)
                if m and m.end() - i > best_len:
                    best_len, best = m.end() - i, ("KEYWORD", kind)
        if c in " +.0123456789":
            m = _NUMBER_RE.match(text, i)
            if m and m.end() - i > best_len and m.group(0).strip() not in ("", "+"):
                best_len, best = m.end() - i, ("NUMBER", _atof(m.group(0)))
        if best is None:
            best_len = 1
            if c in " \t":
                i += 1
                continue
            best = (_SINGLE[c], c) if c in _SINGLE else ("CHAR", c)
        tokens.append(best)
        i += best_len
    tokens.append(("END", None))
    return tokens


class _Parser:
    """Recursive descent over the token list, mirroring the library's yacc grammar."""

    def __init__(self, tokens, frame=None):
        self.toks = tokens
        self.i = 0
        frame = frame.lower() if frame else None
        # In a ds9 sky coordinate system plain numbers are degrees; CIAO strings are pixels.
        self.sky = frame is not None
        self.hours = frame not in ("galactic", "ecliptic")
        self.frame = None if frame in (None,) + NATIVE_FRAMES else frame
        self.coord_flag = UNKNOWN
        self.size_flag = UNKNOWN

    # --- token helpers -------------------------------------------------------------
    def peek(self, k=0):
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self, kind, value=None):
        tok = self.peek()
        if tok[0] != kind or (value is not None and tok[1] != value):
            raise _Syntax
        self.i += 1
        return tok[1]

    def char(self, c):
        return self.take("CHAR", c)

    def is_char(self, c, k=0):
        tok = self.peek(k)
        return tok[0] == "CHAR" and tok[1] == c

    # --- region = components -----------------------------------------------------
    def region(self, continuation=False):
        if continuation:
            components = [[]]  # shapes glued by a leading '-' go to the caller's component
        else:
            if self.peek()[0] == "OR":
                self.i += 1
            components = [[self.shape()]]
        while True:
            kind = self.peek()[0]
            if kind == "END":
                return components
            if kind == "OR":
                self.i += 1
                components.append([self.shape()])
            elif kind == "AND":
                self.i += 1
                components[-1].append(self.shape())
            elif kind == "MINUS":
                self.i += 1
                components[-1].append(self.shape().negated())
            elif kind in ("NEG", "KEYWORD"):
                components.append([self.shape()])
            else:
                raise _Syntax

    # --- numbers -------------------------------------------------------------------
    def value(self):
        if self.peek()[0] == "MINUS":
            self.i += 1
            return -self.take("NUMBER")
        return self.take("NUMBER")

    def sexagesimal(self):
        a = self.take("NUMBER")
        self.char(":")
        b = self.take("NUMBER")
        self.char(":")
        c = self.take("NUMBER")
        return a + b / 60.0 + c / 3600.0

    def xcoord(self):
        if self.peek()[0] == "NUMBER" and self.is_char(":", 1):
            v = self.sexagesimal()
            self.coord_flag = WORLD
            return v * 15.0 if self.hours else v
        return self._plain_coord()

    def ycoord(self):
        if self.peek()[0] == "NUMBER" and self.is_char(":", 1):
            v = self.sexagesimal()
            self.coord_flag = WORLD
            return v
        if self.peek()[0] == "MINUS" and self.peek(1)[0] == "NUMBER" and self.is_char(":", 2):
            self.i += 1
            v = self.sexagesimal()
            self.coord_flag = WORLD
            return -v
        return self._plain_coord()

    def _plain_coord(self):
        v = self.value()
        if self.is_char("d"):
            self.i += 1
            self.coord_flag = WORLD
        else:
            self.coord_flag = WORLD if self.sky else UNKNOWN
        return v

    def size(self):
        v = self.value()
        tok = self.peek()
        flag = WORLD if self.sky else UNKNOWN
        if tok[0] == "CHAR":
            c = tok[1]
            if c in "pid":
                self.i += 1
                flag = {"p": PHYSICAL, "i": LOGICAL, "d": WORLD}[c]
            elif c == "'":
                self.i += 1
                if self.is_char("'"):
                    self.i += 1
                    v /= 3600.0
                else:
                    v /= 60.0
                flag = WORLD
            elif c == '"':
                self.i += 1
                v /= 3600.0
                flag = WORLD
        self.size_flag = flag
        return v

    def angle(self):
        v = self.value()
        if self.is_char("'"):
            self.i += 1
            v /= 60.0
        elif self.is_char('"'):
            self.i += 1
            v /= 3600.0
        elif self.is_char("d"):
            self.i += 1
        return v

    # --- one shape ---------------------------------------------------------------------
    def shape(self):
        include = True
        if self.peek()[0] == "NEG":
            self.i += 1
            include = False
        kind = self.take("KEYWORD")
        if kind in _UNSUPPORTED:
            raise RegionError(_UNSUPPORTED[kind])
        self.char("(")
        xs, ys, radii, angles = [], [], [], []
        sizes = True  # whether the library passes the parsed size flag for this shape
        if kind == "field":
            self.coord_flag = UNKNOWN
            sizes = False
        elif kind == "polygon":
            xs.append(self.xcoord()), self.char(","), ys.append(self.ycoord())
            while self.is_char(","):
                self.i += 1
                xs.append(self.xcoord())
                self.char(",")
                ys.append(self.ycoord())
            sizes = False
        elif kind in ("rectangle", "line"):  # a line is kept as its bounding rectangle
            xs.append(self.xcoord()), self.char(","), ys.append(self.ycoord())
            self.char(",")
            xs.append(self.xcoord()), self.char(","), ys.append(self.ycoord())
            kind, sizes = "rectangle", False
        else:
            xs.append(self.xcoord())
            self.char(",")
            ys.append(self.ycoord())
            if kind == "text":
                self.char(",")
                self.take("STRING")
                kind, sizes = "point", False
            elif kind == "point":
                sizes = False
            elif kind == "sector":
                self.char(",")
                angles.append(self.angle())
                self.char(",")
                angles.append(self.angle())
                sizes = False
            else:
                nsizes = {"circle": 1, "annulus": 2, "box": 2, "rotbox": 2, "ellipse": 2,
                          "pie": 2}.get(kind)
                if nsizes is None:  # rotrectangle: a token without a grammar rule
                    raise _Syntax
                for _ in range(nsizes):
                    self.char(",")
                    radii.append(self.size())
                if kind in ("rotbox", "ellipse"):
                    self.char(",")
                    angles.append(self.angle())
                elif kind == "pie":
                    for _ in range(2):
                        self.char(",")
                        angles.append(self.angle())
                elif kind == "box" and self.is_char(","):
                    self.i += 1
                    angles.append(self.angle())
                kind = "box" if kind == "rotbox" else kind
        self.char(")")
        return make_shape(kind, xs, ys, radii, angles, include=include,
                          coord_flag=self.coord_flag,
                          size_flag=self.size_flag if sizes else UNKNOWN,
                          frame=self.frame if self.coord_flag == WORLD else None)


def parse_components(text, *, frame=None, continuation=False):
    """Parse one region string into ``[[Shape, ...], ...]``.

    ``frame`` is for ds9 files: the ds9 coordinate system in force (``fk5``, ``galactic``,
    ...), in which plain numbers are degrees; ``None`` (CIAO strings) means pixels.
    ``continuation=True`` is for a region-file line starting with ``-``: the first
    component returned holds the shapes to AND onto the previous line's last component
    (it is empty when the line has none).
    """
    if not isinstance(text, str):
        raise RegionError(f"unable to parse region string: '{text}'")
    head = text.lstrip(" (")
    # The library only tries strings that start with a letter or '!' (dm.md §2.1).
    if not continuation and not (head and ((head[0].isascii() and head[0].isalpha())
                                           or head[0] == "!")):
        raise RegionError(f"unable to parse region string: '{text}'")
    parser = _Parser(tokenize(text), frame)
    try:
        return parser.region(continuation)
    except _Syntax:
        raise RegionError(f"unable to parse region string: '{text}'") from None
