"""Reading JSON that users hand us, within limits.

Findings documents (``auditor report`` / ``gate --baseline``), rendered policy
templates and other user JSON go through :func:`loads` instead of ``json.loads``.
It accepts the same documents, and refuses, as a ``json.JSONDecodeError`` with a
line and column (so every existing "not a JSON document" message still applies):

- values nested more than 100 levels deep (``json.loads`` raises ``RecursionError``
  near 1,000 levels, and deep values break every recursive consumer after it);
- number literals longer than 100 characters (Python refuses ints of over 4,300
  digits with a ``ValueError`` that names no file and no position).

Example::

    >>> loads('{"schema_version": "1", "findings": []}')
    {'schema_version': '1', 'findings': []}
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 100
MAX_NUMBER_LENGTH = 100

# Strings (skipped whole, so brackets inside them do not count) or a bracket.
_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class JsonLimitError(json.JSONDecodeError):
    """Valid JSON syntax that is too deep or holds a too-long number."""


def loads(text: str | bytes) -> Any:
    """``json.loads`` with a depth and a number-length limit (see the module doc)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    long_number: list[str] = []

    def number(kind: type[int] | type[float]) -> Any:
        def parse(literal: str) -> int | float:
            if len(literal) > MAX_NUMBER_LENGTH:
                long_number.append(literal)
                raise ValueError("number too long")
            return kind(literal)
        return parse

    try:
        value = json.loads(text, parse_int=number(int), parse_float=number(float))
    except RecursionError:
        raise _too_deep(text) from None
    except json.JSONDecodeError:
        raise
    except ValueError:
        if not long_number:
            raise
        literal = long_number[0]
        raise JsonLimitError(f"number of {len(literal)} characters (the limit is {MAX_NUMBER_LENGTH})",
                             text, max(text.find(literal), 0)) from None
    if _deeper_than(value, MAX_DEPTH):
        raise _too_deep(text)
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than ``limit`` levels (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _too_deep(text: str) -> JsonLimitError:
    """The error, placed at the first bracket beyond the limit."""
    depth = 0
    pos = 0
    for m in _BRACKETS.finditer(text):
        token = m.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > MAX_DEPTH:
                pos = m.start()
                break
        elif token == "]" or token == "}":
            depth -= 1
    return JsonLimitError(f"nested more than {MAX_DEPTH} levels deep", text, pos)
