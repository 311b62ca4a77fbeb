"""The command line of a tool (and of pset) against its parameter file.

Tokens, left to right: ``name=value`` (also ``name = value``, ``name =value`` and
``name= value``; ``name=`` is an empty value when the next word is itself a setting or there
is none), ``name+`` / ``name-`` (yes / no), anything else is positional and
fills the next non-hidden parameter in file order. Names may be abbreviated to a unique
prefix and may carry a ``.p_mode``-style field suffix. ``@@file`` (first argument only) and
a lone ``+`` are handled by the caller (`session.open_params`).
"""
from .errors import (
    AmbiguousName,
    BadSubfield,
    ParamNotFound,
    PositionalOverridesName,
    TooManyPositional,
)

SUBFIELDS = ("p_value", "p_mode", "p_min", "p_max", "p_prompt", "p_type")


def _is_word(text, extra="_"):
    return bool(text) and all(c.isalnum() or c in extra for c in text)


def is_name(text):
    """A parameter name as typed: letters, digits, ``_``, ``-``, an optional ``.field``."""
    base, dot, field = text.partition(".")
    return _is_word(base, "_-") and (not dot or field == "" or _is_word(field))


class Assignment:
    """One command-line setting: parameter ``name`` (full name), ``field`` (None for the
    value, else ``p_mode``…), ``value`` text."""

    __slots__ = ("name", "field", "value", "positional")

    def __init__(self, name, field, value, positional=False):
        self.name, self.field, self.value, self.positional = name, field, value, positional

    def __repr__(self):
        return f"Assignment({self.name!r}, {self.field!r}, {self.value!r})"

    def __eq__(self, other):
        return isinstance(other, Assignment) and (
            (self.name, self.field, self.value) == (other.name, other.field, other.value)
        )


def match_name(parfile, given, *, matching=True):
    """The parameter called ``given``: an exact name, else the unique one it abbreviates."""
    exact = parfile.get(given)
    if exact is not None:
        return exact
    candidates = [p for p in parfile.params if p.name.startswith(given)] if given else []
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise AmbiguousName(given, [p.name for p in candidates], matching=matching)
    raise ParamNotFound(given, matching=matching)


def split_field(given):
    """``infile.p_prompt`` -> (``infile``, ``p_prompt``); no suffix -> (``infile``, None)."""
    name, dot, field = given.partition(".")
    if not dot:
        return name, None
    if field not in SUBFIELDS:
        raise BadSubfield(given)
    return name, field


def _is_setting(token):
    """Does ``token`` set a parameter by name (``x=...`` or a ``x+``/``x-`` switch)?"""
    target, equals, _ = token.partition("=")
    return (bool(equals) and is_name(target)) or (token[-1:] in "+-" and is_name(token[:-1]))


def _join_spaced_equals(args):
    """``name = value``, ``name =value`` and ``name= value`` become ``name=value``.

    CIAO's argument grammar reads the word after ``name=`` as its value (threads type
    ``dmcoords ... ra= 12:29:06.700``), unless that word is itself a setting: then ``name=``
    is an empty value.
    """
    out = []
    i = 0
    while i < len(args):
        token = args[i]
        nxt = args[i + 1] if i + 1 < len(args) else None
        if (token.endswith("=") and is_name(token[:-1]) and nxt is not None
                and nxt != "=" and not _is_setting(nxt)):
            out.append(token + nxt)
            i += 2
        elif is_name(token) and nxt == "=" and i + 2 < len(args):
            out.append(token + "=" + args[i + 2])
            i += 3
        elif is_name(token) and nxt is not None and nxt.startswith("=") and nxt != "=":
            out.append(token + nxt)
            i += 2
        else:
            out.append(token)
            i += 1
    return out


def parse_command_line(parfile, args):
    """The `Assignment` list for ``args`` (strings, program name excluded), in order."""
    result = []
    named = set()
    slots = iter(p for p in parfile.params if not p.hidden)
    for token in _join_spaced_equals(list(args)):
        target, equals, value = token.partition("=")
        if equals and is_name(target):
            name, field = split_field(target)
            param = match_name(parfile, name)
            field = None if field == "p_value" else field
            result.append(Assignment(param.name, field, value))
            named.add(param.name)
            continue
        stem, sign = token[:-1], token[-1:]
        if sign in ("+", "-") and "." not in stem and is_name(stem):
            try:
                param = match_name(parfile, stem)
            except ParamNotFound:
                param = None  # not a parameter: an ordinary positional value such as "x-"
            if param is not None:
                result.append(Assignment(param.name, None, "yes" if sign == "+" else "no"))
                named.add(param.name)
                continue
        param = next(slots, None)
        if param is None:
            raise TooManyPositional(token, value=token)
        if param.name in named:
            # `dmlist infile=x blocks`: the positional would silently replace infile.
            raise PositionalOverridesName(param.name, value=token)
        result.append(Assignment(param.name, None, token, positional=True))
    return result
