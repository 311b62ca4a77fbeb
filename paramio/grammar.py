"""The .par grammar: one parser turning text into plain objects (`ParFile`, `Param`, `Comment`).

A line is ``name,type,mode,value,min,max,prompt``; trailing fields may be omitted. A field is
bare text (surrounding blanks dropped) or quoted with ``"`` (``\\"`` is an escaped quote) or,
as in HEASoft files, with ``'``. Lines starting with ``#`` and blank lines are kept as
`Comment` entries in place. The reader is lenient where real files are sloppy (blanks around
fields, a prompt whose closing quote is missing, CR-LF endings); everything else is a
`ParFileSyntax` error naming the line and field. Writing lives in `render.py`.
"""
import re

from .errors import ParFileSyntax

FIELDS = ("name", "type", "mode", "value", "min", "max", "prompt")
FIELD_TITLES = ("Name", "Type", "Mode", "Value", "Min", "Max", "Prompt")

# One field starting at a position: optional blanks, then a double-quoted string (\" escapes),
# a single-quoted string, or bare text up to the next comma.
_FIELD = re.compile(r"""[ \t]*(?:"((?:[^"\\]|\\.)*)("?)|'([^']*)('?)|([^,]*))""", re.S)
_AFTER_QUOTE = re.compile(r"[ \t]*(,|$)")
_TYPE = re.compile(r"\*?[A-Za-z]+\Z")
_MODE = re.compile(r"[ahqlAHQL]+\Z")


class Comment:
    """A comment or blank line, kept verbatim so a rewrite leaves it in place."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return f"Comment({self.text!r})"


class Param:
    """One parameter: the seven fields as (unescaped) text, exactly as stored in the file."""

    __slots__ = FIELDS + ("lineno",)

    def __init__(self, name, type, mode, value="", min="", max="", prompt="", lineno=0):
        self.name, self.type, self.mode = name, type, mode
        self.value, self.min, self.max, self.prompt = value, min, max, prompt
        self.lineno = lineno

    @property
    def hidden(self):
        return "h" in self.mode

    def copy(self):
        return Param(*(getattr(self, f) for f in FIELDS), lineno=self.lineno)

    def fields(self):
        return tuple(getattr(self, f) for f in FIELDS)

    def __eq__(self, other):
        return isinstance(other, Param) and self.fields() == other.fields()

    def __repr__(self):
        return "Param(" + ", ".join(repr(v) for v in self.fields()) + ")"


class ParFile:
    """A parsed parameter file: entries (parameters and comments) in file order."""

    def __init__(self, entries=(), path=None):
        self.entries = list(entries)
        self.path = path
        self._index = {}
        for e in self.entries:
            if isinstance(e, Param):
                self._index.setdefault(e.name, e)  # a repeated name: the first one wins, as in CIAO

    @property
    def params(self):
        return [e for e in self.entries if isinstance(e, Param)]

    def names(self):
        return [e.name for e in self.entries if isinstance(e, Param)]

    def get(self, name):
        """The parameter called exactly ``name``, or None."""
        return self._index.get(name)

    def __contains__(self, name):
        return name in self._index

    def __getitem__(self, name):
        return self._index[name]

    def copy(self, path=None):
        entries = [e.copy() if isinstance(e, Param) else e for e in self.entries]
        return ParFile(entries, self.path if path is None else path)

    def structure(self):
        """What must agree between a user copy and its system file (see pfiles.is_out_of_date)."""
        return [(p.name, p.type) for p in self.params]


def unescape(text):
    """A field's content: ``\\"`` stands for ``"``; other backslashes stay (as in CIAO)."""
    return text.replace('\\"', '"') if "\\" in text else text


def _outer_unquoted(text):
    quote = text[0]
    inner = text[1:-1] if len(text) > 1 and text.endswith(quote) else text[1:]
    return unescape(inner) if quote == '"' else inner


def split_fields(line, lineno=0, path=None):
    """The fields of one parameter line, unquoted and unescaped (at most seven)."""
    fields = []
    pos, end = 0, len(line)
    while True:
        if len(fields) == len(FIELDS):
            raise ParFileSyntax(lineno, "too many fields", path=path)
        m = _FIELD.match(line, pos)
        dq, dq_close, sq, sq_close, bare = m.groups()
        pos = m.end()
        if bare is not None:
            fields.append(unescape(bare.strip(" \t")))
        else:
            fields.append(unescape(dq) if dq is not None else sq)
            closed = dq_close if dq is not None else sq_close
            if not closed:
                # An unterminated quote (seen in real HEASoft prompts) runs to the end of line.
                fields[-1] += line[pos:]
                break
            after = _AFTER_QUOTE.match(line, pos)
            if after is None and len(fields) == len(FIELDS):
                # Text after the closing quote of the prompt (real files have `"...""`): the
                # prompt is the rest of the line without its outer quotes.
                fields[-1] = _outer_unquoted(line[m.start() :].strip(" \t"))
                break
            if after is None:
                raise ParFileSyntax(lineno, f"field {FIELD_TITLES[len(fields) - 1]}", path=path)
            pos = after.start(1)
        if pos >= end:
            break
        pos += 1  # the comma
        if pos == end:
            fields.append("")
            if len(fields) > len(FIELDS):
                raise ParFileSyntax(lineno, "too many fields", path=path)
            break
    return fields


def parse_line(line, lineno=0, path=None):
    """One line of a .par file as a `Param` or a `Comment`."""
    stripped = line.strip(" \t")
    if not stripped:
        return Comment("")
    if stripped.startswith("#"):
        return Comment(line)
    fields = split_fields(line, lineno, path)
    name = fields[0]
    if not name or "=" in name or " " in name:
        raise ParFileSyntax(lineno, "field Name", path=path)
    if len(fields) < 2 or not _TYPE.match(fields[1]):
        raise ParFileSyntax(lineno, "field Type", path=path)
    if len(fields) < 3 or not _MODE.match(fields[2]):
        raise ParFileSyntax(lineno, "field Mode", path=path)
    return Param(*fields, lineno=lineno)


def parse_text(text, path=None):
    """Parse the whole text of a .par file into a `ParFile`."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start a new one
    if "\r" in text:  # CR-LF line ends (Windows-made files)
        lines = [line.rstrip("\r") for line in lines]
    return ParFile([parse_line(line, n, path) for n, line in enumerate(lines, 1)], path)


def read_parfile(path):
    """Read and parse a .par file (bytes that are not UTF-8 survive a rewrite unchanged)."""
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
        return parse_text(fh.read(), path)
