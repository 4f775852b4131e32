"""Which resource type and attribute the calling thread's AWS calls are made for.

The attribute tables set it around each fetch (:func:`attributing`); the session reads it
(:func:`current`) to name the attribute in a failed call's reason, and the scope's thread
pool carries it into its workers. It sits below :mod:`auditor.aws.attributes`,
:mod:`auditor.aws.collect` and :mod:`auditor.aws.session`, which all need it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_CURRENT = threading.local()


@contextmanager
def attributing(type_name: str, attribute: str | None) -> Iterator[None]:
    """Within this block, AWS calls of this thread are made for ``type_name``'s ``attribute``."""
    before = getattr(_CURRENT, "value", None)
    _CURRENT.value = (type_name, attribute)
    try:
        yield
    finally:
        _CURRENT.value = before


def current() -> tuple[str, str | None] | None:
    """The (resource type, attribute) the calling thread is fetching, if any (instrumentation, tests)."""
    value: tuple[str, str | None] | None = getattr(_CURRENT, "value", None)
    return value
