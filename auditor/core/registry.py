"""``Registry[T]``: the one plugin mechanism (resource types, filters, writers...).

Example::

    filters: Registry[type[Filter]] = Registry("filter type")

    @filters.register("metric-filter-match")
    class MetricFilterMatch(Filter): ...

    filters.get("metric-filter-macth")
    # UnknownNameError: unknown filter type 'metric-filter-macth' (did you mean 'metric-filter-match'?)

Names are kebab-case (dots allowed for namespaces, e.g. ``aws.s3-bucket``).
Registration is explicit: the modules and objects that register are entry points
(``auditor.core.entry_points`` lists the groups), loaded on demand; nothing depends on
import order.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from auditor.core.errors import AuditorError

T = TypeVar("T")

_NAME = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """Return ``"did you mean 'x'?"`` for the closest choice, or ``""``."""
    word = str(word)
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if not close:
        # "equals" -> "eq", "enable" -> "enabled": a prefix relation is a strong hint.
        lowered = word.lower()
        prefixed = [c for c in choices if len(c) >= 2 and (lowered.startswith(c) or c.startswith(lowered))]
        close = sorted(prefixed, key=lambda c: (-len(c), c))[:1]
    return f"did you mean '{close[0]}'?" if close else ""


class UnknownNameError(AuditorError, KeyError):
    """A name that is not registered; carries a "did you mean" hint."""

    def __init__(self, kind: str, name: str, hint: str) -> None:
        self.kind, self.name, self.hint = kind, name, hint
        text = f"unknown {kind} '{name}'"
        super().__init__(f"{text} ({hint})" if hint else text)

    def __str__(self) -> str:
        return str(self.args[0])


class Registry(Generic[T]):
    """A named collection of plugins of one kind."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: register the decorated object under ``name``."""

        def deco(obj: T) -> T:
            self.add(name, obj)
            return obj

        return deco

    def add(self, name: str, obj: T) -> None:
        """Register ``obj``; names must be kebab-case and unique."""
        if not _NAME.match(name):
            raise ValueError(f"{self.kind} name {name!r} is not kebab-case")
        if name in self._items and self._items[name] is not obj:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._items[name] = obj

    def get(self, name: str) -> T:
        """Return the plugin, or raise ``UnknownNameError`` with a hint."""
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, did_you_mean(name, list(self._items))) from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._items)

    def items(self) -> Iterator[tuple[str, T]]:
        """(name, plugin) pairs, sorted by name."""
        for name in self.names():
            yield name, self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __len__(self) -> int:
        return len(self._items)
