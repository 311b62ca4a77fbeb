"""Split a thread script into steps: one step is one command as a user types it.

A command ends at a newline that is outside quotes, not escaped by a backslash, not inside a
here-document, and not inside an open compound command (``if … fi``, ``for … done``,
``{ … }``, ``( … )``, ``$( … )``): exactly where an interactive bash would stop showing its
continuation prompt and run what was typed. Comment lines between commands mark sections;
the first line of a comment block becomes the section title of the steps that follow it.
"""
from __future__ import annotations

import dataclasses
import re


@dataclasses.dataclass(frozen=True)
class Step:
    number: int        # 1-based, in script order
    section: str       # title of the comment block above it ("" before the first one)
    command: str       # the exact source text, possibly several lines, no final newline
    line: int          # 1-based line number of its first line in the script

    @property
    def headline(self):
        """The first line of the command (for one-line listings)."""
        first = self.command.split("\n", 1)[0]
        return first + (" …" if "\n" in self.command else "")


class ScriptError(ValueError):
    """The script cannot be split (e.g. an unterminated quote at the end of the file)."""


_OPENERS = {"if": "fi", "case": "esac", "for": "done", "while": "done", "until": "done",
            "select": "done", "{": "}"}
_CLOSERS = {"fi", "esac", "done", "}"}
# words after which the next word is again in command position
_CMD_PREFIX_WORDS = {"then", "do", "else", "elif", "!", "time", "command", "exec"}
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
_HEREDOC = re.compile(r"<<(-?)\s*(?:'([^']*)'|\"([^\"]*)\"|\\?([^\s;&|<>()]+))")


class _Lexer:
    """Just enough of bash's lexer to find where each command ends."""

    def __init__(self, text):
        self.text = text
        self.heredocs = []         # pending here-documents: (strip_tabs, delimiter)

    def command_end(self, start):
        """Index just past the newline that ends the command starting at ``start``."""
        return self._scan(start, nested=False)

    def _scan(self, i, nested):
        """Scan commands from ``i``. At top level, stop after the first newline at which
        nothing is open; ``nested`` (inside ``$(``), stop just past the matching ')'."""
        t, n = self.text, len(self.text)
        stack = ["$("] if nested else []   # open constructs: "(", "$(", or a closing keyword
        cmd_pos = True                     # is the next word in command position?
        after_function = False
        while i < n:
            c = t[i]
            if c == "\n":
                i += 1
                if self.heredocs:
                    i = self._skip_heredocs(i)
                if not stack:
                    return i
                cmd_pos = True
            elif c in " \t":
                i += 1
            elif c == "\\":
                i += 2             # an escaped character, or a line continuation
            elif c == "#" and (i == 0 or t[i - 1] in " \t\n;&|()"):
                j = t.find("\n", i)
                i = n if j < 0 else j
            elif c in ";&|":
                i += 1
                cmd_pos = True
            elif c == "(":
                stack.append("(")
                i += 1
                cmd_pos = True
            elif c == ")":
                if stack and stack[-1] in ("(", "$("):
                    stack.pop()    # (otherwise a case pattern's ')')
                i += 1
                if nested and not stack:
                    return i
                cmd_pos = True
            elif t.startswith("<<", i) and not t.startswith("<<<", i) and _HEREDOC.match(t, i):
                m = _HEREDOC.match(t, i)
                word = next(g for g in m.groups()[1:] if g is not None)
                self.heredocs.append((m.group(1) == "-", word))
                i = m.end()
            elif c in "<>":
                i += 1
            else:
                word_start = i
                i = self._word_end(i)
                word = t[word_start:i]
                next_cmd = False
                if after_function:
                    next_cmd, after_function = True, False
                elif cmd_pos:
                    if word in _OPENERS:
                        stack.append(_OPENERS[word])
                        next_cmd = word not in ("case", "for", "select")
                    elif word in _CLOSERS:
                        if stack and stack[-1] == word:
                            stack.pop()
                    elif word in _CMD_PREFIX_WORDS or _ASSIGNMENT.match(word):
                        next_cmd = True
                    elif word == "function":
                        after_function = True
                cmd_pos = next_cmd
        if self.heredocs:
            raise ScriptError(f"here-document ended by {self.heredocs[0][1]!r} is not terminated")
        if nested:
            raise ScriptError("unterminated '$(' at the end of the script")
        if stack:
            what = "'('" if stack[-1] == "(" else f"compound command (no closing {stack[-1]!r})"
            raise ScriptError(f"unterminated {what} at the end of the script")
        return n

    def _word_end(self, i):
        """Index just past the word starting at ``i``; quotes and substitutions inside the
        word may span lines."""
        t, n = self.text, len(self.text)
        while i < n:
            c = t[i]
            if c in " \t\n;&|<>()":
                return i
            if c == "\\":
                i += 2
            elif c == "'":
                j = t.find("'", i + 1)
                if j < 0:
                    raise ScriptError("unterminated single quote at the end of the script")
                i = j + 1
            elif c == '"':
                i = self._double_quoted_end(i + 1)
            elif c == "`":
                i = self._backquote_end(i + 1)
            elif t.startswith("$(", i):
                i = self._scan(i + 2, nested=True)
            elif t.startswith("${", i):
                j = t.find("}", i)
                if j < 0:
                    raise ScriptError("unterminated '${' at the end of the script")
                i = j + 1
            elif t.startswith("$'", i):
                i += 2
                while i < n and t[i] != "'":
                    i += 2 if t[i] == "\\" else 1
                if i >= n:
                    raise ScriptError("unterminated $'...' string at the end of the script")
                i += 1
            else:
                i += 1
        return i

    def _double_quoted_end(self, i):
        t, n = self.text, len(self.text)
        while i < n:
            c = t[i]
            if c == "\\":
                i += 2
            elif c == '"':
                return i + 1
            elif c == "`":
                i = self._backquote_end(i + 1)
            elif t.startswith("$(", i):
                i = self._scan(i + 2, nested=True)
            else:
                i += 1
        raise ScriptError("unterminated double quote at the end of the script")

    def _backquote_end(self, i):
        t, n = self.text, len(self.text)
        while i < n:
            if t[i] == "\\":
                i += 2
            elif t[i] == "`":
                return i + 1
            else:
                i += 1
        raise ScriptError("unterminated backquote at the end of the script")

    def _skip_heredocs(self, i):
        """Skip the bodies of the pending here-documents, which start at ``i``."""
        t, n = self.text, len(self.text)
        for strip_tabs, word in self.heredocs:
            while True:
                if i >= n:
                    raise ScriptError(f"here-document ended by {word!r} is not terminated")
                j = t.find("\n", i)
                line = t[i:] if j < 0 else t[i:j]
                i = n if j < 0 else j + 1
                if (line.lstrip("\t") if strip_tabs else line) == word:
                    break
        self.heredocs = []
        return i


def split_steps(text):
    """The steps of a thread script, in order (a list of ``Step``)."""
    text = text.replace("\r\n", "\n")
    steps = []
    section = ""
    in_comment_block = False
    pos = 0
    n = len(text)
    lexer = _Lexer(text)
    while pos < n:
        eol = text.find("\n", pos)
        line = text[pos:] if eol < 0 else text[pos:eol]
        stripped = line.strip()
        if not stripped:
            in_comment_block = False
            pos = n if eol < 0 else eol + 1
            continue
        if stripped.startswith("#"):
            title = stripped.lstrip("#").strip()
            if not in_comment_block and title and not line.startswith("#!"):
                section = title
                in_comment_block = True
            pos = n if eol < 0 else eol + 1
            continue
        in_comment_block = False
        end = lexer.command_end(pos)
        command = text[pos:end].rstrip("\n")
        steps.append(Step(len(steps) + 1, section, command, text.count("\n", 0, pos) + 1))
        pos = end
    return steps
