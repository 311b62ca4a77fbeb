"""Parameter types and value checks: b, i, r, s, f; INDEF; ranges; ``|`` enumerations.

Values travel as text (what the file stores); `to_python` gives the typed value
(b→bool, i→int, r→float, s/f→str, INDEF or empty number→None) and `check` validates a text
against a parameter's type and min/max, returning the text to store (booleans as yes/no,
an enumeration prefix expanded to the full entry).
"""
from .errors import BadRange, InvalidEnum, OutOfRange, TypeConversion

_REAL_CHARS = frozenset("0123456789.eE+-")
_SPECIAL_REALS = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan"}
# Spellings of "no value" for numbers: CIAO's INDEF, and those APE/HEASoft files use.
_UNDEFINED = {"indef", "undef", "undefined", "none", ""}
_TRUE = {"yes", "y", "true", "on", "1"}
_FALSE = {"no", "n", "false", "off", "0"}


def base_type(ptype):
    """The type letter that decides conversion: ``fr``/``fw``… are files, ``*s`` a string."""
    t = ptype.lstrip("*")[:1].lower()
    return t if t in ("b", "i", "r", "s", "f") else ("r" if t == "d" else "s")


def is_indirect(text):
    return text.startswith(")")


def to_python(ptype, text, name=""):
    """The typed value of ``text`` for a parameter of type ``ptype``."""
    t = base_type(ptype)
    if t in ("s", "f"):
        return text
    word = text.strip().lower()
    if t == "b":
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        if word == "":
            return None
        raise TypeConversion(name, value=text)
    if word in _UNDEFINED:
        return None
    if t == "i":
        digits = word[1:] if word[:1] in "+-" else word
        if digits.isdigit() and digits.isascii():
            return int(word)
        # "5.0" spells an integer; accept it as one (a design choice, unverified in CIAO).
        number = _real(word)
        if number is not None and number.is_integer():
            return int(number)
        raise TypeConversion(name, value=text)
    number = _real(word)
    if number is not None:
        return number
    if word in _SPECIAL_REALS:
        return float(word)
    raise TypeConversion(name, value=text)


def _real(word):
    """A decimal number (Fortran's ``1.5d3`` too), or None; no inf/nan/underscores here."""
    word = word.replace("d", "e")
    if not word or not _REAL_CHARS.issuperset(word):
        return None
    try:
        return float(word)
    except ValueError:
        return None


def to_text(ptype, value):
    """The text to store for a Python value (bool→yes/no, None→INDEF or empty)."""
    t = base_type(ptype)
    if value is None:
        return "INDEF" if t in ("i", "r") else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def canonical_text(ptype, text, value):
    """How a validated value is stored: booleans as yes/no, no-value numbers as INDEF."""
    t = base_type(ptype)
    if t == "b" and value is not None:
        return "yes" if value else "no"
    if t in ("i", "r"):
        return "INDEF" if value is None and text.strip() else text.strip()
    return text


def enumeration(min_text):
    """The allowed values when the min field is a ``|`` list, else None."""
    return min_text.split("|") if "|" in min_text else None


def _bound(ptype, text, name, which):
    try:
        return to_python(ptype, text, name)
    except TypeConversion:
        raise BadRange(name, message=f"parameter has bad {which} value") from None


def check(ptype, text, min_text, max_text, name=""):
    """Validate ``text`` (already resolved) and return (text to store, typed value)."""
    value = to_python(ptype, text, name)
    choices = enumeration(min_text)
    if choices is not None:
        if max_text:
            raise BadRange(name, message="can't specify range and max field")
        return _check_enum(ptype, text, value, choices, name)
    stored = canonical_text(ptype, text, value)
    if value is None or base_type(ptype) not in ("i", "r"):
        return stored, value
    low = _bound(ptype, min_text, name, "minimum") if min_text else None
    if low is not None and value < low:
        raise OutOfRange(name, message="parameter below minimum", value=text)
    high = _bound(ptype, max_text, name, "maximum") if max_text else None
    if high is not None and value > high:
        raise OutOfRange(name, message="parameter above maximum", value=text)
    return stored, value


def _check_enum(ptype, text, value, choices, name):
    if base_type(ptype) in ("s", "f"):
        if text in choices:
            return text, text
        matches = [c for c in choices if c.startswith(text)] if text else []
        if len(matches) == 1:
            return matches[0], matches[0]
        if matches:
            raise InvalidEnum(name, message="enumerated value not unique", value=text)
        raise InvalidEnum(name, message="invalid enumerated value", value=text)
    for choice in choices:
        try:
            if to_python(ptype, choice, name) == value:
                return canonical_text(ptype, text, value), value
        except TypeConversion:
            continue
    raise InvalidEnum(name, message="value must be in range", value=text)
