"""An open parameter file: the file as read, the command line over it, and pending changes.

This is what a tool run (and every p-command) works through:

    session = open_params("dmstat", argv[1:])      # PFILES or @@file, command line applied
    p = session.values()                           # typed, prompting per the mode rules
    session.set_outputs({"out_mean": 1.5})         # results a later `pget` can read
    session.save()                                 # learned values + outputs, locked, atomic

Mode rules (CIAO's parameter library): the file mode is the ``mode`` parameter (``mode=h`` on
the command line wins). A parameter with ``a`` takes the file mode (plus ``l`` when hidden);
otherwise its own mode (minus ``l`` when hidden). ``h`` anywhere suppresses ``q``. A ``q``
parameter not given on the command line is asked for; a command-line value is stored back
only with ``l``; an answer typed at a prompt is always stored.
"""
import os

from . import prompt
from .cmdline import match_name, parse_command_line, split_field
from .errors import (
    VALUE_ERRORS,
    BadIndirect,
    BadSubfield,
    ParamError,
    ParamNotFound,
    QueryNeedsTerminal,
)
from .grammar import read_parfile, valid_mode
from .pfiles import open_location
from .resolve import expand_env, looks_indirect, parse_redirect, run_shell
from .storage import directory_lock, write_parfile
from .values import check, is_indirect, to_text


def effective_mode(param_mode, file_mode, hidden_open=False):
    """The letters (subset of ``ahql``) that decide whether to ask and whether to learn."""
    param_mode, file_mode = param_mode.lower(), file_mode.lower()
    if "a" in param_mode:
        letters = set(file_mode)
        if "h" in letters:
            letters.add("l")
    else:
        letters = set(param_mode)
        if "h" in letters:
            letters.discard("l")
    if "h" in file_mode or "h" in letters or hidden_open:
        letters.discard("q")
    return "".join(c for c in "ahql" if c in letters)


class TypedParams(dict):
    """Parameter name -> typed value (b→bool, i→int, r→float, s/f→str, INDEF→None);
    names are also attributes: ``p.infile``."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class ParamSession:
    """See the module docstring. Errors raised carry ``context`` (e.g. the program name)."""

    def __init__(self, parfile, location=None, *, writable=False, never_prompt=False,
                 context=None, stdin=None, stderr=None):
        self.parfile = parfile
        self.location = location
        self.writable = writable
        self.never_prompt = never_prompt  # CIAO's "H" open mode
        self.context = context
        self.stdin, self.stderr = stdin, stderr
        self.cmdline = {}  # parameter name -> value text given on the command line
        self.list_requested = False  # the command line was a lone "+"
        self._changes = []  # (name, field, text) to store on save, in order
        self._others = {}  # other parameter files opened to follow redirects

    # ---- identity -------------------------------------------------------------------------
    @property
    def path(self):
        return self.location.path if self.location else self.parfile.path

    @property
    def tool(self):
        return self.location.tool if self.location else None

    @property
    def file_mode(self):
        if "mode" in self.cmdline:
            return self.cmdline["mode"]
        mode = self.parfile.get("mode")
        return mode.value if mode is not None else "ql"

    def _error(self, err):
        if err.context is None:
            err.context = self.context
        if err.path is None:
            err.path = self.path
        return err

    # ---- looking parameters up ------------------------------------------------------------
    def param(self, name):
        """The parameter ``name`` names (exactly, or as a unique abbreviation)."""
        try:
            return match_name(self.parfile, name, matching=False)
        except ParamError as err:
            raise self._error(err) from None

    def names(self):
        return self.parfile.names()

    def __contains__(self, name):
        return name in self.parfile

    def raw(self, name):
        """The stored text, command-line value first, without resolving anything (p_value)."""
        p = self.param(name)
        return self.cmdline.get(p.name, p.value)

    # ---- reading values ------------------------------------------------------------------
    def get(self, name, *, query=True, fix=True):
        """The value as text, fully resolved and validated; ``name`` may carry ``.p_min`` etc.

        ``query``: ask for query-mode parameters not on the command line; ``fix``: ask again
        for a value that fails validation (both only on a terminal; else an error).
        """
        try:
            base, field = split_field(name)
        except ParamError as err:
            raise self._error(err) from None
        p = self.param(base)
        if field is None:
            return self._worth(p, query=query, fix=fix)[0]
        return self._field(p, field, ())

    def typed(self, name, *, query=True, fix=True):
        """The value converted to Python (b→bool, i→int, r→float, s/f→str, INDEF→None)."""
        return self._worth(self.param(name), query=query, fix=fix)[1]

    def values(self, *, query=True, fix=True):
        """Every parameter, typed, in file order (asking in that order as the modes require)."""
        return TypedParams(
            (p.name, self._worth(p, query=query, fix=fix)[1]) for p in self.parfile.params
        )

    def strings(self, *, query=True, fix=True):
        """Every parameter as resolved text, in file order."""
        return {p.name: self._worth(p, query=query, fix=fix)[0] for p in self.parfile.params}

    def display_value(self, p, text=None):
        """A value as plist and prompts show it: ``raw``, or ``raw -> resolved`` for indirect
        values (``raw -> INDEF`` when they cannot be resolved)."""
        raw = self.cmdline.get(p.name, p.value) if text is None else text
        if not looks_indirect(raw):
            return raw
        try:
            return f"{raw} -> {self._resolve(p, raw, ((self._key, p.name, None),))}"
        except ParamError:
            return f"{raw} -> INDEF"

    @property
    def _key(self):
        return self.path or id(self)

    def _worth(self, p, chain=(), *, query=True, fix=True):
        """(stored-form text, typed value) of parameter ``p``, asking and learning as needed."""
        given = p.name in self.cmdline
        text = self.cmdline[p.name] if given else p.value
        mode = effective_mode(p.mode, self.file_mode, self.never_prompt or not query)
        chain = chain + ((self._key, p.name, None),)
        asked = at_eof = False
        if "q" in mode and not given:
            if self._can_ask():
                text, at_eof = self._ask(p, text)
                asked = True
            elif not text.strip():
                raise self._error(QueryNeedsTerminal(p.name))
            else:
                # No terminal: keep the stored value, as CIAO does when its prompt reads end
                # of input; an invalid stored value is then an error below, never a loop.
                at_eof = True
        while True:
            try:
                resolved = self._resolve(p, text, chain)
                low, high = self._limit(p, p.min, chain), self._limit(p, p.max, chain)
                stored, value = check(p.type, resolved, low, high, p.name)
                break
            except VALUE_ERRORS as err:
                err = self._error(err)
                if not fix or self.never_prompt or at_eof or not self._can_ask():
                    raise err from None
                self._stderr().write(err.line() + "\n")
                text, at_eof = self._ask(p, text)
                asked = True
        keep = text if text != resolved else stored
        if given:
            self.cmdline[p.name] = keep
            if "l" in mode:
                self._remember(p, "p_value", keep)
        elif asked:
            self._remember(p, "p_value", keep)
        return stored, value

    def _field(self, p, field, chain):
        if field == "p_value":
            return self.cmdline.get(p.name, p.value)
        if field in ("p_min", "p_max"):
            return self._limit(p, p.min if field == "p_min" else p.max, chain)
        return {"p_mode": p.mode, "p_prompt": p.prompt, "p_type": p.type}[field]

    def _limit(self, p, text, chain):
        return self._resolve(p, text, chain) if is_indirect(text) else text

    def _resolve(self, p, text, chain):
        if text.startswith("))"):
            return run_shell(text[2:], p.name)
        if text.startswith(")"):
            return self._follow(p, text[1:], chain)
        return expand_env(text)

    def _follow(self, p, target, chain):
        tool, name, field = parse_redirect(target)
        try:
            other = self._other(tool) if tool else self
            key = (other._key, name, field)
            if key in chain:  # a loop of redirects
                raise BadIndirect(p.name)
            target_param = other.parfile.get(name)
            if target_param is None:
                raise ParamNotFound(name)
            if field is None:
                return other._worth(target_param, chain + (key,), query=False, fix=False)[0]
            return other._field(target_param, field, chain + (key,))
        except ParamError:
            raise self._error(BadIndirect(p.name)) from None

    def _other(self, tool):
        if tool not in self._others:
            self._others[tool] = open_params(tool, mode="rH")
        return self._others[tool]

    # ---- asking -------------------------------------------------------------------------
    def _stderr(self):
        import sys

        return self.stderr or sys.stderr

    def _can_ask(self):
        return not self.never_prompt and prompt.can_ask(self.stdin)

    def _ask(self, p, current):
        """(text to use, reached end of input): the answer, or ``current`` when none."""
        if not self._can_ask():
            raise self._error(QueryNeedsTerminal(p.name))
        shown = self.display_value(p, current)
        answer, at_eof = prompt.ask(p, shown, self.stdin, self._stderr())
        return (current if answer is None else answer), at_eof

    # ---- changing values ------------------------------------------------------------------
    def apply(self, assignments):
        """Apply parsed command-line assignments (`cmdline.parse_command_line`)."""
        for a in assignments:
            if a.field is None:
                self.cmdline[a.name] = a.value
            else:
                self.set(a.name, a.value, a.field)

    def set(self, name, text, field=None):
        """pset: validate ``text`` and store it (``field`` p_mode/p_min/p_max/p_prompt to set
        those instead of the value). A redirect is stored as given, unchecked, like CIAO."""
        if field is None:
            try:
                name, field = split_field(name)
            except ParamError as err:
                raise self._error(err) from None
        p = self.param(name)
        text = str(text)
        if field in (None, "p_value"):
            if not is_indirect(text):
                resolved = expand_env(text)
                chain = ((self._key, p.name, None),)
                try:
                    low, high = self._limit(p, p.min, chain), self._limit(p, p.max, chain)
                    stored, _ = check(p.type, resolved, low, high, p.name)
                except ParamError as err:
                    raise self._error(err) from None
                text = text if resolved != text else stored
            field = "p_value"
        elif field == "p_mode" and not valid_mode(text):
            raise self._error(ParamError(p.name, message="bad value for parameter", value=text))
        elif field == "p_type" or field not in ("p_mode", "p_min", "p_max", "p_prompt"):
            raise self._error(BadSubfield(f"{p.name}.{field}"))
        self._remember(p, field, text)
        if field == "p_value" and p.name in self.cmdline:
            self.cmdline[p.name] = text

    def set_typed(self, name, value):
        """Store a Python value (bool→yes/no, None→INDEF or empty), validated."""
        p = self.param(name)
        self.set(p.name, to_text(p.type, value))

    def set_outputs(self, outputs):
        """Store a tool's output parameters (a mapping of Python values)."""
        for name, value in outputs.items():
            self.set_typed(name, value)

    def _remember(self, p, field, text):
        setattr(p, field[2:], text)
        self._changes.append((p.name, field, text))

    @property
    def changed(self):
        return bool(self._changes)

    def save(self):
        """Write the changes to the user copy (created from the system file if needed), under
        the directory lock, merged onto the file as it is on disk now. Returns the path
        written, or None when nothing is to be written (read-only, or no user area)."""
        loc = self.location
        if not self.writable or loc is None or not loc.has_user_area:
            return None
        try:
            path = loc.writable_path()
        except ParamError as err:
            raise self._error(err) from None
        with directory_lock(path):
            try:
                current = read_parfile(path)
            except FileNotFoundError:
                source = loc.reference
                current = read_parfile(source) if source else self.parfile.copy()
                current.path = path
            else:
                if not self._changes:
                    return path
            for name, field, text in self._changes:
                target = current.get(name)
                if target is not None:
                    setattr(target, field[2:], text)
            write_parfile(path, current)
        self._changes.clear()
        loc.user_path = loc.path = path
        return path

    def close(self):
        """CIAO's paramclose: save a writable file."""
        self.save()


def open_params(name, args=(), mode="rw", *, context=None, stdin=None, stderr=None):
    """Open the parameter file of tool ``name`` and apply the command line ``args``.

    ``args`` are the tokens after the program name. If the first is ``@@file`` that file is
    used directly (read and written in place, PFILES ignored). A lone ``+`` sets
    ``list_requested`` (the caller prints the plist listing). ``mode``: ``r`` read-only,
    ``w``/``rw`` changes can be saved, ``H`` never prompt. ``name`` None takes the tool name
    from ``args[0]`` (CIAO's ``paramopen(None, mode, argv)``).
    """
    args = list(args)
    if name is None:
        name = os.path.basename(args.pop(0))
    if args and args[0].startswith("@@"):
        name = args.pop(0)[2:]
        if "/" not in name:
            name = os.path.join(".", name)
    location, parfile = open_location(name)
    session = ParamSession(
        parfile,
        location,
        writable="w" in mode,
        never_prompt="H" in mode,
        context=context,
        stdin=stdin,
        stderr=stderr,
    )
    if args == ["+"]:
        session.list_requested = True
        return session
    try:
        session.apply(parse_command_line(parfile, args))
    except ParamError as err:
        raise session._error(err) from None
    return session


def open_text(text, args=(), *, path=None, context=None, stdin=None, stderr=None):
    """A session over parameter-file text held in memory (nothing is ever written)."""
    from .grammar import parse_text

    session = ParamSession(parse_text(text, path), None, context=context, stdin=stdin,
                           stderr=stderr)
    session.apply(parse_command_line(session.parfile, list(args)))
    return session

