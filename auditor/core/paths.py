"""Dotted attribute paths used by rule keys.

``Versioning.Status``, ``Policy.Statement[0].Effect``,
``Condition.Bool."aws:SecureTransport"`` (quote a segment that holds a dot) and
``@`` (the current item inside ``any`` / ``all`` / ``count``).
A path that leads nowhere resolves to ``MISSING``, never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

_SEGMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|([^.\[\]"]+)|\[(-?\d+)\]|(\.)')


class _Missing:
    """Sentinel for "no value at this path" (distinct from an explicit null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


class PathSyntaxError(ValueError):
    """A key that is not a valid dotted path."""


@lru_cache(maxsize=4096)
def parse_path(key: str) -> tuple[str | int, ...]:
    """Split a dotted path into segments (strings and list indices)."""
    if key == "@":
        return ()
    parts: list[str | int] = []
    pos = 0
    expect_segment = True
    while pos < len(key):
        m = _SEGMENT.match(key, pos)
        if not m:
            raise PathSyntaxError(f"invalid key {key!r} at character {pos + 1}")
        quoted, plain, index, dot = m.groups()
        if dot:
            if expect_segment:
                raise PathSyntaxError(f"invalid key {key!r}: empty segment at character {pos + 1}")
            expect_segment = True
        elif index is not None:
            if not parts:
                raise PathSyntaxError(f"invalid key {key!r}: index before any name")
            parts.append(int(index))
            expect_segment = False
        else:
            if not expect_segment:
                raise PathSyntaxError(f"invalid key {key!r}: missing '.' at character {pos + 1}")
            parts.append(quoted.replace('\\"', '"') if quoted is not None else plain.strip())
            expect_segment = False
        pos = m.end()
    if not parts or expect_segment:
        raise PathSyntaxError(f"invalid key {key!r}")
    return tuple(parts)


def resolve(data: Any, key: str) -> Any:
    """Value at ``key`` in ``data``, or ``MISSING``."""
    current = data
    for part in parse_path(key):
        if isinstance(part, int):
            if isinstance(current, list) and -len(current) <= part < len(current):
                current = current[part]
            else:
                return MISSING
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return MISSING
    return current


def root(key: str) -> str | None:
    """First segment of a path (the top-level attribute), or None for ``@``."""
    parts = parse_path(key)
    return str(parts[0]) if parts else None
