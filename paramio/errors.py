"""Typed parameter errors whose ``str()`` is the classic one-line CIAO message.

The parameter library reports problems as ``<context>: <message> : <parameter name>``, where
the context is the program (``pset``) or the parameter file path and the message comes from a
fixed table (kept verbatim, misspellings included, so scripts that grep for them still work).
Each class carries the pieces separately: ``message``, ``name``, ``value``, ``path``, ``context``.
"""


class ParamError(Exception):
    """Base class: any problem with a parameter file, a parameter or its value."""

    message = "parameter error?"

    def __init__(self, name="", *, message=None, value=None, path=None, context=None):
        if message is not None:
            self.message = message
        self.name = name
        self.value = value
        self.path = path
        self.context = context
        super().__init__(name)

    def line(self, context=None):
        """The one-line message, with ``context`` (default: own context, else the file path)."""
        context = context or self.context or self.path or "paramio"
        return f"{context}: {self.message} : {self.name}"

    def __str__(self):
        return self.line()


class ParFileNotFound(ParamError):
    message = "parameter file not found"


class NoReference(ParamError):
    message = "can't find reference parameter file"


class CantCopyReference(ParamError):
    message = "can't copy reference parameter file to user directory"


class ParFileSyntax(ParamError):
    """A line of a .par file that cannot be parsed (``name`` is the file path or ``<text>``)."""

    message = "error reading paramfile"

    def __init__(self, lineno, detail, *, path=None, context=None):
        self.lineno = lineno
        self.detail = detail
        super().__init__(path or "<text>", path=path, context=context)

    def line(self, context=None):
        return f"{super().line(context)}: line {self.lineno}: {self.detail}"


class ParamNotFound(ParamError):
    """No parameter of that name. From command-line matching it reads like CIAO's parammatch."""

    message = "parameter not found"

    def __init__(self, name="", *, matching=False, **kw):
        self.matching = matching
        super().__init__(name, **kw)

    def line(self, context=None):
        if self.matching:
            return f"parammatch : can't find parameter {self.name} in reference list"
        return super().line(context)


class AmbiguousName(ParamError):
    """An abbreviation matching several parameters (``candidates``, in file order)."""

    message = "parameter not unique"

    def __init__(self, name="", candidates=(), *, matching=False, **kw):
        self.candidates = tuple(candidates)
        self.matching = matching
        super().__init__(name, **kw)

    def line(self, context=None):
        if self.matching:
            first, second = self.candidates[:2]
            return f"parammatch : parameter name {self.name} not uniq ({first}, {second})"
        return super().line(context)


class BadSubfield(ParamError):
    message = "bad subfield name"


class TooManyPositional(ParamError):
    message = "to many positional arguments"


class PositionalOverridesName(ParamError):
    """A positional value falls on a parameter already set by name on the same line."""

    message = "positional value for a parameter already given by name"


class TypeConversion(ParamError):
    message = "cannot convert parameter value"


class OutOfRange(ParamError):
    """``parameter below minimum`` or ``parameter above maximum``."""

    message = "parameter above maximum"


class InvalidEnum(ParamError):
    """``invalid enumerated value``, ``enumerated value not unique`` or ``value must be in range``."""

    message = "invalid enumerated value"


class BadRange(ParamError):
    """A min/max field that is itself unusable (bad bound, enumeration together with a max)."""

    message = "bad range specification"


class BadIndirect(ParamError):
    """A redirect that loops or cannot be resolved."""

    message = "can't evaluate indirect parameter"


class QueryNeedsTerminal(ParamError):
    """A parameter must be asked for, but there is no terminal to ask on (never hang)."""

    message = (
        "no terminal to ask for a value (give it as name=value, or run with mode=h)"
    )


#: The value errors a prompt can recover from by asking again.
VALUE_ERRORS = (TypeConversion, OutOfRange, InvalidEnum, BadIndirect)
