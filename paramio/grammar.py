"""The .par grammar: one parser turning text into plain objects (`ParFile`, `Param`, `Comment`).

A line is ``name,type,mode,value,min,max,prompt``; trailing fields may be omitted. A field is
bare text (surrounding blanks dropped) or quoted with ``"`` (``\\"`` is an escaped quote) or,
as in HEASoft files, with ``'``. Lines starting with ``#`` and blank lines are kept as
`Comment` entries in place. The reader is lenient where real files are sloppy (blanks around
fields, a prompt whose closing quote is missing, CR-LF endings); everything else is a
`ParFileSyntax` error naming the line and field. Writing lives in `render.py`.
"""
from .errors import ParFileSyntax

FIELDS = ("name", "type", "mode", "value", "min", "max", "prompt")
FIELD_TITLES = ("Name", "Type", "Mode", "Value", "Min", "Max", "Prompt")
MODE_LETTERS = frozenset("ahqlAHQL")
BLANKS = " \t"

# The lexer uses str methods, not the re module: importing re would cost pget a third of its
# start-up budget.


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


def _closing_quote(line, start):
    """Index of the ``"`` closing a string that starts at ``start`` (``\\x`` escapes x), or -1."""
    while True:
        quote = line.find('"', start)
        if quote < 0:
            return -1
        backslash = line.find("\\", start, quote)
        if backslash < 0:
            return quote
        start = backslash + 2


def _skip_blanks(line, pos, end):
    while pos < end and line[pos] in BLANKS:
        pos += 1
    return pos


def split_fields(line, lineno=0, path=None):
    """The fields of one parameter line, unquoted and unescaped (at most seven)."""
    fields = []
    pos, end = 0, len(line)
    while True:
        if len(fields) == len(FIELDS):
            raise ParFileSyntax(lineno, "too many fields", path=path)
        start = pos = _skip_blanks(line, pos, end)
        quote = line[pos] if pos < end else ""
        if quote in ('"', "'"):
            close = _closing_quote(line, pos + 1) if quote == '"' else line.find("'", pos + 1)
            if close < 0:
                # An unterminated quote (seen in real HEASoft prompts) runs to the end of line.
                text = line[pos + 1 :]
                fields.append(unescape(text) if quote == '"' else text)
                break
            text = line[pos + 1 : close]
            fields.append(unescape(text) if quote == '"' else text)
            pos = _skip_blanks(line, close + 1, end)
            if pos < end and line[pos] != ",":
                if len(fields) == len(FIELDS):
                    # Text after the closing quote of the prompt (real files have `"...""`):
                    # the prompt is the rest of the line without its outer quotes.
                    fields[-1] = _outer_unquoted(line[start:].strip(BLANKS))
                    break
                raise ParFileSyntax(lineno, f"field {FIELD_TITLES[len(fields) - 1]}", path=path)
        else:
            comma = line.find(",", pos)
            pos = end if comma < 0 else comma
            fields.append(unescape(line[start:pos].strip(BLANKS)))
        if pos >= end:
            break
        pos += 1  # the comma
        if pos == end:
            fields.append("")
            if len(fields) > len(FIELDS):
                raise ParFileSyntax(lineno, "too many fields", path=path)
            break
    return fields


def _valid_type(text):
    core = text[1:] if text.startswith("*") else text
    return core.isalpha() and core.isascii()


def valid_mode(text):
    return bool(text) and all(c in MODE_LETTERS for c in text)


def parse_line(line, lineno=0, path=None):
    """One line of a .par file as a `Param` or a `Comment`."""
    stripped = line.strip(BLANKS)
    if not stripped:
        return Comment("")
    if stripped.startswith("#"):
        return Comment(line)
    fields = split_fields(line, lineno, path)
    name = fields[0]
    if not name or "=" in name or " " in name:
        raise ParFileSyntax(lineno, "field Name", path=path)
    if len(fields) < 2 or not _valid_type(fields[1]):
        raise ParFileSyntax(lineno, "field Type", path=path)
    if len(fields) < 3 or not valid_mode(fields[2]):
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
