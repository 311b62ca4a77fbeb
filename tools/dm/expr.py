"""dmmath expressions: the arithmetic shared by dmimgcalc (``imgout=...``), dmgti
(``userlimit``) and dmtcalc, parsed once and evaluated with numpy.

    >>> e = parse_expression("imgout=((img1-(0.5*img3))/img2)")
    >>> e.target, sorted(e.names)
    ('imgout', ['img1', 'img2', 'img3'])
    >>> e.evaluate({"img1": a, "img2": b, "img3": c}.__getitem__)

Grammar (C precedence, as CIAO's ``dmtcalc_expressions`` page lists the operators):
``?:`` < ``||`` < ``&&`` < ``== != ~=`` < ``< <= > >=`` < ``+ -`` < ``* / %`` <
unary ``- + !`` and C casts ``(float)x`` < power ``** ^`` (right associative) < calls and
atoms. Numbers accept ``e``/``E``/``d``/``D`` exponents; names are case-insensitive;
``pi`` and ``NaN`` are constants unless the environment defines them.

Decisions where the CIAO pages are silent ([I]): ``/`` is true division (an integer image
divided by an integer image gives reals, as dmimgcalc's own ``div`` does); ``log`` is the
base-10 logarithm and ``ln`` the natural one (the page lists both); comparisons give 0/1;
``%`` follows C (``fmod``). Names are resolved by the caller's ``env(name)`` (lower case),
which raises ``KeyError`` for unknown names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import ToolError

__all__ = ["ExprError", "Expression", "parse_expression"]


class ExprError(ToolError):
    """A malformed or unevaluable expression; the message quotes the text and the column."""


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>"[^"]*"|'[^']*')
  | (?P<op>\*\*|&&|\|\||==|!=|<=|>=|~=|[-+*/%^<>!?:(),=])
""", re.VERBOSE)

_CASTS = {"float": np.float32, "double": np.float64, "short": np.int16, "int": np.int32,
          "long": np.int32, "byte": np.uint8, "char": np.uint8, "ushort": np.uint16,
          "uint": np.uint32, "ulong": np.uint32, "longlong": np.int64}


def _log10(x):
    return np.log10(x)


_FUNCS = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "asinh": np.arcsinh,
    "acosh": np.arccosh, "atanh": np.arctanh, "exp": np.exp, "log": _log10, "log10": _log10,
    "ln": np.log, "sqrt": np.sqrt, "fabs": np.fabs, "abs": np.abs, "floor": np.floor,
    "ceil": np.ceil, "atan2": np.arctan2, "pow": np.power, "min": np.minimum, "max": np.maximum,
}
_CONSTANTS = {"pi": np.pi, "nan": np.nan, "inf": np.inf}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(text):
    toks, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m:
            raise ExprError(f"unexpected '{text[i]}' at column {i + 1} of '{text}'")
        kind = m.lastgroup
        if kind != "ws":
            toks.append(_Tok(kind, m.group(0), i))
        i = m.end()
    toks.append(_Tok("end", "", len(text)))
    return toks


# ---------------------------------------------------------------------------- tree
@dataclass(frozen=True)
class _Num:
    value: object


@dataclass(frozen=True)
class _Name:
    name: str
    pos: int


@dataclass(frozen=True)
class _Str:
    value: str


@dataclass(frozen=True)
class _Unary:
    op: str
    arg: object


@dataclass(frozen=True)
class _Binary:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class _Cond:
    test: object
    yes: object
    no: object


@dataclass(frozen=True)
class _Call:
    fn: str
    args: tuple
    pos: int


@dataclass(frozen=True)
class _Cast:
    dtype: object
    arg: object


class _Parser:
    def __init__(self, text):
        self.text, self.toks, self.i = text, _tokenize(text), 0

    @property
    def tok(self):
        return self.toks[self.i]

    def error(self, reason, tok=None):
        tok = tok or self.tok
        where = f"column {tok.pos + 1}" if tok.kind != "end" else "the end"
        raise ExprError(f"{reason} at {where} of '{self.text}'")

    def take(self, text=None):
        tok = self.tok
        if text is not None and tok.text != text:
            self.error(f"expected '{text}'")
        self.i += 1
        return tok

    def accept(self, *texts):
        if self.tok.kind == "op" and self.tok.text in texts:
            return self.take()
        return None

    def parse(self):
        node = self.cond()
        if self.tok.kind != "end":
            self.error(f"unexpected '{self.tok.text}'")
        return node

    def cond(self):
        test = self.lor()
        if self.accept("?"):
            yes = self.cond()
            self.take(":")
            no = self.cond()
            return _Cond(test, yes, no)
        return test

    def _left(self, sub, ops):
        node = sub()
        while True:
            t = self.accept(*ops)
            if not t:
                return node
            node = _Binary(t.text, node, sub())

    def lor(self):
        return self._left(self.land, ("||",))

    def land(self):
        return self._left(self.equality, ("&&",))

    def equality(self):
        return self._left(self.relation, ("==", "!=", "~="))

    def relation(self):
        return self._left(self.additive, ("<", "<=", ">", ">="))

    def additive(self):
        return self._left(self.multiplicative, ("+", "-"))

    def multiplicative(self):
        return self._left(self.unary, ("*", "/", "%"))

    def unary(self):
        t = self.accept("-", "+", "!")
        if t:
            return _Unary(t.text, self.unary())
        if self.tok.text == "(" and self.toks[self.i + 1].kind == "name" \
                and self.toks[self.i + 1].text.lower() in _CASTS and self.toks[self.i + 2].text == ")":
            self.i += 1
            dtype = _CASTS[self.take().text.lower()]
            self.take(")")
            return _Cast(dtype, self.unary())
        return self.power()

    def power(self):
        base = self.atom()
        if self.accept("**", "^"):
            return _Binary("**", base, self.unary())
        return base

    def atom(self):
        t = self.tok
        if t.kind == "num":
            self.i += 1
            text = t.text.replace("d", "e").replace("D", "e")
            if re.fullmatch(r"\d+", text):
                return _Num(int(text))
            return _Num(float(text))
        if t.kind == "str":
            self.i += 1
            return _Str(t.text[1:-1])
        if t.kind == "name":
            self.i += 1
            if self.accept("("):
                args = []
                if not self.accept(")"):
                    args.append(self.cond())
                    while self.accept(","):
                        args.append(self.cond())
                    self.take(")")
                fn = t.text.lower()
                if fn not in _FUNCS:
                    self.error(f"unknown function '{t.text}'", t)
                return _Call(fn, tuple(args), t.pos)
            return _Name(t.text.lower(), t.pos)
        if self.accept("("):
            node = self.cond()
            self.take(")")
            return node
        if t.kind == "end":
            self.error("the expression ends too early")
        self.error(f"unexpected '{t.text}'")


def _names(node, out):
    if isinstance(node, _Name):
        out.add(node.name)
    for attr in ("arg", "left", "right", "test", "yes", "no"):
        sub = getattr(node, attr, None)
        if sub is not None:
            _names(sub, out)
    for sub in getattr(node, "args", ()):
        _names(sub, out)
    return out


class Expression:
    """A parsed expression: ``target`` (the ``name=`` before it, or None), ``names`` (the
    variables it reads, lower case) and :meth:`evaluate`."""

    def __init__(self, text):
        self.text = text
        m = re.match(r"\s*([A-Za-z_]\w*)\s*=(?!=)", text)
        body = text
        self.target = None
        if m:
            self.target = m.group(1).lower()
            body = text[m.end():]
        if not body.strip():
            raise ExprError(f"empty expression in '{text}'")
        self._tree = _Parser(body).parse()
        self._body = body
        self.names = frozenset(_names(self._tree, set()))

    def evaluate(self, env):
        """Evaluate with ``env(name) -> value`` (arrays broadcast; raises ExprError)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self._eval(self._tree, env)

    # ------------------------------------------------------------------ evaluation
    def _eval(self, node, env):
        if isinstance(node, _Num):
            return node.value
        if isinstance(node, _Str):
            return node.value
        if isinstance(node, _Name):
            try:
                return env(node.name)
            except KeyError:
                if node.name in _CONSTANTS:
                    return _CONSTANTS[node.name]
                raise ExprError(f"unknown name '{node.name}' at column {node.pos + 1} of "
                                f"'{self._body}'") from None
        if isinstance(node, _Cast):
            v = np.asarray(self._eval(node.arg, env))
            if np.dtype(node.dtype).kind in "iu" and v.dtype.kind == "f":
                v = np.trunc(np.nan_to_num(v, nan=0.0))
            return v.astype(node.dtype)
        if isinstance(node, _Unary):
            v = self._eval(node.arg, env)
            if node.op == "-":
                return np.negative(v)
            if node.op == "!":
                return np.logical_not(v).astype(np.int16)
            return v
        if isinstance(node, _Cond):
            return np.where(np.asarray(self._eval(node.test, env)) != 0,
                            self._eval(node.yes, env), self._eval(node.no, env))
        if isinstance(node, _Call):
            args = [self._eval(a, env) for a in node.args]
            try:
                return _FUNCS[node.fn](*args)
            except TypeError:
                raise ExprError(f"wrong number of arguments to {node.fn}() in '{self._body}'") from None
        a, b = self._eval(node.left, env), self._eval(node.right, env)
        op = node.op
        if op in ("&&", "||"):
            f = np.logical_and if op == "&&" else np.logical_or
            return f(np.asarray(a) != 0, np.asarray(b) != 0).astype(np.int16)
        if op == "~=":
            return np.char.find(np.asarray(a, str), str(b)) >= 0
        if isinstance(a, str) or isinstance(b, str):
            a, b = np.asarray(a), np.asarray(b)
        table = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide,
                 "%": np.fmod, "**": _power, "<": np.less, "<=": np.less_equal,
                 ">": np.greater, ">=": np.greater_equal, "==": np.equal, "!=": np.not_equal}
        out = table[op](a, b)
        if op in ("<", "<=", ">", ">=", "==", "!="):
            return np.asarray(out).astype(np.int16)
        return out


def _power(a, b):
    return np.power(np.asarray(a, dtype=np.float64), b)


def parse_expression(text):
    """Parse ``[target=]expression``; raises :class:`ExprError` naming the bad column."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("no expression given")
    return Expression(text)
