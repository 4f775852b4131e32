"""DQDL tokens, each with its line and column.

Strings are double-quoted and may span lines (a long SQL statement); inside them only
``\\"`` and ``\\\\`` are escapes, as in Glue's grammar, so a regular expression keeps its
backslashes (``"\\d+"`` is the pattern ``\\d+``). ``#`` starts a comment to the end of
the line. A word is ``[A-Za-z_][A-Za-z0-9_.]*`` (rule types, keywords, unquoted column
names); ``$name`` refers to a constant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class DqdlSyntaxError(Exception):
    """A parse error at a position (1-based line and column)."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(f"{line}:{col}: {message}")
        self.line, self.col, self.message = line, col, message


@dataclass(frozen=True)
class Token:
    kind: str  # ident string number op punct var end
    value: str
    line: int
    col: int
    start: int = 0
    stop: int = 0

    def is_word(self, *words: str) -> bool:
        """An identifier equal to one of ``words`` (DQDL keywords are lower or upper case)."""
        return self.kind == "ident" and (self.value in words or self.value.lower() in words)

    def is_punct(self, value: str) -> bool:
        return self.kind == "punct" and self.value == value

    def is_op(self, *values: str) -> bool:
        return self.kind == "op" and self.value in values


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\f]+) | (?P<nl>\n) | (?P<comment>\#[^\n]*)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<op>>=|<=|!=|=|>|<|\+|-|\*|/)
  | (?P<punct>[\[\](),{}:])
  | (?P<var>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
""", re.VERBOSE)


def _string(text: str, pos: int, line: int, col: int) -> tuple[str, int, int, int]:
    """Read the string starting at ``text[pos] == '"'``: (value, end, lines spanned, last line start)."""
    out: list[str] = []
    i = pos + 1
    newlines, line_start = 0, -1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1, newlines, line_start
        if ch == "\n":
            newlines += 1
            line_start = i + 1
        out.append(ch)
        i += 1
    raise DqdlSyntaxError(line, col, "unterminated string")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` followed by an ``end`` token."""
    tokens: list[Token] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        col = pos - line_start + 1
        if text[pos] == '"':
            value, end, newlines, last_start = _string(text, pos, line, col)
            tokens.append(Token("string", value, line, col, pos, end))
            if newlines:
                line += newlines
                line_start = last_start
            pos = end
            continue
        m = _TOKEN.match(text, pos)
        if not m:
            raise DqdlSyntaxError(line, col, f"unexpected character {text[pos]!r}")
        kind = m.lastgroup or ""
        if kind == "nl":
            line += 1
            line_start = m.end()
        elif kind not in ("ws", "comment"):
            value = m.group(0)[1:] if kind == "var" else m.group(0)
            tokens.append(Token(kind, value, line, col, m.start(), m.end()))
        pos = m.end()
    tokens.append(Token("end", "", line, pos - line_start + 1, pos, pos))
    return tokens
