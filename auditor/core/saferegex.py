"""Regular expressions that cannot hang a run.

Two kinds of regex come from people we do not fully trust: a rule's ``op: regex``
(rule files arrive through pull requests) and the ``%regex%`` terms of the
CloudWatch Logs metric filters of the audited account (anyone with
``logs:PutMetricFilter`` writes those). Python's ``re`` backtracks without limit, so
one pattern such as ``^(([a-z0-9-])+)+$`` could stall a scan forever.

Every such regex goes through this module:

- it is compiled once (cached) by the ``regex`` module, whose syntax is that of
  ``re`` for everything ``re`` accepts;
- before compiling, a pattern longer than 4,096 characters, nested more than 50
  groups deep or demanding more than 10,000 characters per match (``a{100000}``,
  which ``regex`` would expand in memory) is refused;
- each search runs under a time budget, 0.25 s by default. Set
  ``AUDITOR_REGEX_TIMEOUT`` (seconds, e.g. ``AUDITOR_REGEX_TIMEOUT=1``) to change it.
  A search over budget raises :class:`RegexTimeout`, an ``EvaluationError``, so the
  finding being evaluated becomes ERROR naming the pattern's owner: never a hang and
  never a PASS.

Example::

    >>> search("^logs-", "logs-archive", owner="rule s3-bucket-logging")
    True
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

import regex

from auditor.core.errors import EvaluationError, UsageError

DEFAULT_TIMEOUT = 0.25
TIMEOUT_ENV = "AUDITOR_REGEX_TIMEOUT"
MAX_PATTERN_LENGTH = 4096
MAX_GROUP_DEPTH = 50
MAX_MIN_WIDTH = 10_000

# Zero-width escapes; every other escape outside a class stands for one character
# (a backreference counts as zero: this is a lower bound).
_ZERO_WIDTH_ESCAPES = set("bBAZzGKmM") | set("0123456789")


class RegexError(ValueError):
    """A pattern that does not compile, or that is refused before compiling."""


class RegexTimeout(EvaluationError):
    """A search that did not finish within its budget: the finding becomes ERROR."""

    def __init__(self, owner: str, pattern: str, budget: float) -> None:
        self.owner = owner
        self.pattern = pattern
        self.budget = budget
        super().__init__(f"{owner}: regex {shorten(pattern)!r} did not finish within {budget:g} s "
                         f"(a pattern that slow is not evaluated; {TIMEOUT_ENV} sets the budget)")


def shorten(pattern: str, limit: int = 60) -> str:
    """The pattern as shown in messages: at most ``limit`` characters."""
    return pattern if len(pattern) <= limit else pattern[:limit - 3] + "..."


def timeout() -> float:
    """The per-search budget in seconds: ``AUDITOR_REGEX_TIMEOUT`` or 0.25."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise UsageError(f"{TIMEOUT_ENV}={raw!r}: expected a number of seconds greater than 0")
    return value


def problem(pattern: str) -> str:
    """Why ``pattern`` cannot be used ("" when it can): for load-time validation."""
    try:
        compile_pattern(pattern)
    except RegexError as exc:
        return str(exc)
    return ""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> regex.Pattern:
    """The compiled pattern (cached); :class:`RegexError` when refused or invalid."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RegexError(f"pattern is {len(pattern)} characters long; the limit is {MAX_PATTERN_LENGTH}")
    width = _min_width(pattern)
    if width > MAX_MIN_WIDTH:
        raise RegexError(f"pattern needs at least {width} characters per match; the limit is {MAX_MIN_WIDTH}")
    try:
        return regex.compile(pattern)
    except regex.error as exc:
        raise RegexError(_syntax_message(pattern, str(exc))) from None
    except (OverflowError, MemoryError, RecursionError) as exc:
        raise RegexError(f"pattern too large to compile ({type(exc).__name__})") from None


def _syntax_message(pattern: str, message: str) -> str:
    """Python ``re``'s wording when it rejects the pattern too: it points at where the
    broken construct starts (``regex`` often points at the end of the pattern)."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    except (OverflowError, RecursionError):
        pass
    return message


def search(pattern: str, text: str, owner: str, budget: float | None = None) -> bool:
    """Whether ``pattern`` matches anywhere in ``text``, within ``budget`` seconds.

    ``owner`` names who wrote the pattern (``rule x``, ``metric filter 'y'``) in the
    error messages. An invalid pattern raises ``EvaluationError``; a slow one
    :class:`RegexTimeout`.
    """
    try:
        compiled = compile_pattern(pattern)
    except RegexError as exc:
        raise EvaluationError(f"{owner}: invalid regex {shorten(pattern)!r}: {exc}") from None
    limit = timeout() if budget is None else budget
    try:
        return compiled.search(text, timeout=limit) is not None
    except TimeoutError:
        raise RegexTimeout(owner, pattern, limit) from None


# --------------------------------------------------------------------------- cost estimate


class _Width:
    """A lower bound of the characters a match needs (what ``regex`` expands when compiling).

    Deliberately simple: it follows groups, alternation, classes, escapes and
    quantifiers; anything it does not recognise counts as one character.
    """

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.pos = 0
        self.depth = 0

    def alternatives(self) -> int:
        best = self.sequence()
        while self.pos < len(self.p) and self.p[self.pos] == "|":
            self.pos += 1
            best = min(best, self.sequence())
        return best

    def sequence(self) -> int:
        total = 0
        while self.pos < len(self.p) and self.p[self.pos] not in "|)":
            width = self.atom()
            total = min(total + width * self.repeat(), MAX_MIN_WIDTH + 1)
        return total

    def atom(self) -> int:
        c = self.p[self.pos]
        self.pos += 1
        if c == "\\":
            return self.escape()
        if c == "[":
            self.skip_class()
            return 1
        if c == "(":
            return self.group()
        return 0 if c in "^$" else 1

    def escape(self) -> int:
        if self.pos >= len(self.p):
            return 0
        c = self.p[self.pos]
        self.pos += 1
        if c in "pPNxgu" and self.pos < len(self.p) and self.p[self.pos] in "{<":
            close = "}" if self.p[self.pos] == "{" else ">"
            end = self.p.find(close, self.pos)
            self.pos = len(self.p) if end < 0 else end + 1
        return 0 if c in _ZERO_WIDTH_ESCAPES else 1

    def skip_class(self) -> None:
        # A ']' right after '[' or '[^' is a literal, as in re.
        if self.pos < len(self.p) and self.p[self.pos] == "^":
            self.pos += 1
        if self.pos < len(self.p) and self.p[self.pos] == "]":
            self.pos += 1
        while self.pos < len(self.p) and self.p[self.pos] != "]":
            self.pos += 2 if self.p[self.pos] == "\\" else 1
        self.pos += 1

    def group(self) -> int:
        self.depth += 1
        if self.depth > MAX_GROUP_DEPTH:
            raise RegexError(f"groups nested more than {MAX_GROUP_DEPTH} deep")
        if self.p.startswith("?#", self.pos):
            end = self.p.find(")", self.pos)
            self.pos = len(self.p) if end < 0 else end + 1
            self.depth -= 1
            return 0
        width = self.alternatives()
        self.pos += 1  # the ')'
        self.depth -= 1
        return width

    def repeat(self) -> int:
        """The minimum count of the quantifier at ``pos`` (1 when there is none)."""
        if self.pos >= len(self.p):
            return 1
        c = self.p[self.pos]
        count = 1
        if c in "*?":
            self.pos += 1
            count = 0
        elif c == "+":
            self.pos += 1
        elif c == "{":
            end = self.p.find("}", self.pos)
            body = self.p[self.pos + 1:end] if end > 0 else ""
            low = body.split(",", 1)[0].strip()
            digits = low.isascii() and low.isdigit()
            if end > 0 and (digits or (low == "" and "," in body)):
                self.pos = end + 1
                count = min(int(low[:12]), MAX_MIN_WIDTH + 1) if digits else 0
            else:
                return 1  # not a quantifier: '{' is a literal, read as the next atom
        else:
            return 1
        if self.pos < len(self.p) and self.p[self.pos] in "?+":
            self.pos += 1  # lazy or possessive
        return count


def _min_width(pattern: str) -> int:
    w = _Width(pattern)
    total = w.alternatives()
    while w.pos < len(pattern):  # an unbalanced ')': let the compiler report it
        w.pos += 1
        total = max(total, w.alternatives())
    return total
