"""CloudWatch Logs filter patterns, parsed and matched against events.

The CIS 5.x controls ask for "a metric filter for <these events>". Comparing the
pattern text with the benchmark's string rejects equivalent patterns written
differently (spacing, quotes, order, extra parentheses) and accepts nothing
else; so patterns are parsed and judged by the events they match.

Supported: JSON patterns ``{ $.a = "x*" && ($.b != 1 || $.c NOT EXISTS) }`` with
``= != < > <= >=``, ``*`` wildcards, ``%regex%``, ``IS NULL``, ``IS TRUE``,
``IS FALSE``, ``EXISTS``, ``NOT EXISTS``, ``&&`` binding tighter than ``||``;
plain term patterns (``ERROR -DEBUG``, ``?A ?B``) match the event text; the
empty pattern matches everything.

A ``%regex%`` comes from whoever may put metric filters in the audited account, so
it runs through :mod:`auditor.core.saferegex`: compiled once, searched under a time
budget. A search over budget raises ``RegexTimeout`` naming the pattern's owner
(``parse(..., owner="metric filter 'x'")``): the finding becomes ERROR, the scan
goes on.

>>> match(parse('{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'),
...       {"eventName": "ConsoleLogin", "errorMessage": "Failed authentication"})
True
"""

from __future__ import annotations

import fnmatch
import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditor.core import saferegex

_MISSING = object()


class PatternError(ValueError):
    """A filter pattern that cannot be parsed."""


@dataclass(frozen=True)
class Compare:
    selector: tuple[str | int, ...]
    op: str  # = != < > <= >= exists not-exists null true false
    value: Any = None


@dataclass(frozen=True)
class Regex:
    """A ``%regex%`` value, searched (not anchored) in the field's text."""

    source: str
    owner: str


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Terms:
    """A plain (non-JSON) pattern: required, optional (?) and excluded (-) terms."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    excluded: tuple[str, ...]


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<and>&&) | (?P<or>\|\|) | (?P<lp>\() | (?P<rp>\)) |
      (?P<op>!=|<=|>=|=|<|>) |
      (?P<kw>NOT\s+EXISTS|IS\s+NULL|IS\s+TRUE|IS\s+FALSE|EXISTS)\b |
      (?P<sel>\$(?:\.[A-Za-z0-9_\-@:]+|\[\d+\])+) |
      (?P<str>"(?:[^"\\]|\\.)*") |
      (?P<re>%[^%]*%) |
      (?P<word>[^\s()&|=!<>"]+)
    )""", re.VERBOSE)


def parse(pattern: str, owner: str = "filter pattern") -> Compare | BoolOp | Terms:
    """Parse a filter pattern; raises :class:`PatternError` when malformed.

    ``owner`` (e.g. ``metric filter 'cis-root-usage'``) names the pattern in the
    error of a ``%regex%`` that exceeds its time budget.
    """
    text = (pattern or "").strip()
    if text.startswith("{"):
        if not text.endswith("}"):
            raise PatternError("JSON pattern must end with '}'")
        tokens = _tokenize(text[1:-1])
        _check_nesting(tokens)
        node, rest = _or(tokens, owner)
        if rest:
            raise PatternError(f"unexpected {rest[0][1]!r}")
        return node  # type: ignore[no-any-return]
    return _terms(text)


MAX_NESTING = 50


def _check_nesting(tokens: list[tuple[str, str]]) -> None:
    """Refuse deeply nested parentheses before the recursive descent (no RecursionError)."""
    depth = 0
    for kind, _ in tokens:
        depth += (kind == "lp") - (kind == "rp")
        if depth > MAX_NESTING:
            raise PatternError(f"parentheses nested more than {MAX_NESTING} deep")


def _tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise PatternError(f"cannot parse near {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _or(tokens: list[tuple[str, str]], owner: str) -> tuple[Any, list[tuple[str, str]]]:
    left, rest = _and(tokens, owner)
    items = [left]
    while rest and rest[0][0] == "or":
        node, rest = _and(rest[1:], owner)
        items.append(node)
    return (items[0] if len(items) == 1 else BoolOp("or", tuple(items))), rest


def _and(tokens: list[tuple[str, str]], owner: str) -> tuple[Any, list[tuple[str, str]]]:
    left, rest = _atom(tokens, owner)
    items = [left]
    while rest and rest[0][0] == "and":
        node, rest = _atom(rest[1:], owner)
        items.append(node)
    return (items[0] if len(items) == 1 else BoolOp("and", tuple(items))), rest


def _atom(tokens: list[tuple[str, str]], owner: str) -> tuple[Any, list[tuple[str, str]]]:
    if not tokens:
        raise PatternError("unexpected end of pattern")
    kind, text = tokens[0]
    if kind == "lp":
        node, rest = _or(tokens[1:], owner)
        if not rest or rest[0][0] != "rp":
            raise PatternError("missing ')'")
        return node, rest[1:]
    if kind != "sel":
        raise PatternError(f"expected a $.selector, got {text!r}")
    selector = _selector(text)
    if len(tokens) < 2:
        raise PatternError(f"{text}: missing comparison")
    k2, t2 = tokens[1]
    if k2 == "kw":
        word = " ".join(t2.split()).upper()
        op = {"NOT EXISTS": "not-exists", "EXISTS": "exists", "IS NULL": "null", "IS TRUE": "true",
              "IS FALSE": "false"}[word]
        return Compare(selector, op), tokens[2:]
    if k2 != "op" or len(tokens) < 3:
        raise PatternError(f"{text}: expected an operator")
    k3, t3 = tokens[2]
    if k3 == "str":
        value: Any = json.loads(t3)
    elif k3 == "re":
        why = saferegex.problem(t3[1:-1])
        if why:
            raise PatternError(f"{t3}: {why}")
        value = Regex(t3[1:-1], owner)
    elif k3 == "word":
        value = _number(t3)
    else:
        raise PatternError(f"{text} {t2}: expected a value, got {t3!r}")
    return Compare(selector, t2, value), tokens[3:]


def _number(word: str) -> Any:
    try:
        return int(word)
    except ValueError:
        try:
            return float(word)
        except ValueError:
            return word


def _selector(text: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for m in re.finditer(r"\.([^.\[]+)|\[(\d+)\]", text[1:]):
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
    return tuple(parts)


def _terms(text: str) -> Terms:
    words = re.findall(r'[?-]?"(?:[^"\\]|\\.)*"|\S+', text)
    req: list[str] = []
    opt: list[str] = []
    exc: list[str] = []
    for w in words:
        prefix = w[0] if w[0] in "?-" and len(w) > 1 else ""
        body = w[1:] if prefix else w
        if body.startswith('"'):
            body = json.loads(body)
        {"?": opt, "-": exc, "": req}[prefix].append(body)
    return Terms(tuple(req), tuple(opt), tuple(exc))


def _resolve(event: Any, selector: tuple[str | int, ...]) -> Any:
    cur = event
    for part in selector:
        if isinstance(part, int):
            if not isinstance(cur, list) or part >= len(cur):
                return _MISSING
            cur = cur[part]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return _MISSING
    return cur


def _equals(actual: Any, expected: Any) -> bool:
    if isinstance(expected, Regex):
        return isinstance(actual, str) and saferegex.search(expected.source, actual, expected.owner)
    if isinstance(expected, (int, float)) and not isinstance(actual, bool) and isinstance(actual, (int, float)):
        return float(actual) == float(expected)
    if isinstance(actual, (dict, list)) or actual is None:
        return False
    text = str(actual).lower() if isinstance(actual, bool) else str(actual)
    exp = str(expected)
    if "*" in exp:
        return fnmatch.fnmatchcase(text, exp.replace("[", "[[]"))
    return text == exp


def match(node: Compare | BoolOp | Terms, event: dict[str, Any]) -> bool:
    """Whether the parsed pattern matches one (JSON) log event."""
    if isinstance(node, Terms):
        return _match_terms(node, json.dumps(event))
    if isinstance(node, BoolOp):
        results = (match(i, event) for i in node.items)
        return all(results) if node.op == "and" else any(results)
    return _compare(node, _resolve(event, node.selector))


def _match_terms(node: Terms, text: str) -> bool:
    """Every required term, no excluded one, and one of the optional ones (when there are any)."""
    return (all(t in text for t in node.required) and not any(t in text for t in node.excluded)
            and (not node.optional or any(t in text for t in node.optional)))


#: Operators that test a field's presence or literal value: they also apply to an absent field.
_PRESENCE: dict[str, Callable[[Any], bool]] = {
    "exists": lambda actual: actual is not _MISSING,
    "not-exists": lambda actual: actual is _MISSING,
    "null": lambda actual: actual is None,
    "true": lambda actual: actual is True,
    "false": lambda actual: actual is False,
}
_ORDER: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, ">": operator.gt, "<=": operator.le,
                                                 ">=": operator.ge}


def _compare(node: Compare, actual: Any) -> bool:
    """One comparison on the selected field's value (``_MISSING`` when the event has no such field)."""
    presence = _PRESENCE.get(node.op)
    if presence is not None:
        return presence(actual)
    if actual is _MISSING:
        return False  # a comparison on an absent field matches nothing, "!=" included
    if node.op == "=":
        return _equals(actual, node.value)
    if node.op == "!=":
        return not _equals(actual, node.value)
    # Order comparisons are numeric only (a JSON true is not the number 1).
    if not isinstance(actual, (int, float)) or isinstance(actual, bool) or not isinstance(node.value, (int, float)):
        return False
    return _ORDER[node.op](actual, node.value)
