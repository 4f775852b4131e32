"""Free-text analysis on several CPU cores.

Presidio is pure Python, so threads do not help; processes do. Workers are
forked from the parent after the analyzer is built (no second engine build,
no model reload) and each analyses a slice of the de-duplicated texts. Where
``fork`` is unavailable the work runs in the calling process.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
#: ``analyze(text, entities)``: e.g. :meth:`auditor.data.pii.PiiAnalyzer.analyze_text`. Passed in
#: (not imported) so that this module stays below the analyzer that calls it.
Analyze = Callable[[str, Sequence[str] | None], T]

_ANALYZE: Any = None
_ENTITIES: Sequence[str] | None = None


def _work(texts: list[str]) -> list[Any]:
    return [_ANALYZE(t, _ENTITIES) for t in texts]


def analyze_parallel(analyze: Analyze[T], texts: list[str], entities: Sequence[str] | None,
                     workers: int) -> list[T]:
    """``analyze(text, entities)`` over ``texts`` in ``workers`` forked processes, order kept."""
    global _ANALYZE, _ENTITIES
    if "fork" not in mp.get_all_start_methods() or mp.current_process().daemon:
        # No fork on this platform, or we are a pool worker ourselves (daemons cannot have children).
        return [analyze(t, entities) for t in texts]
    _ANALYZE, _ENTITIES = analyze, entities
    try:
        # Many small slices: texts differ in cost, and a few large slices leave one core idle at the end.
        size = max(200, len(texts) // (workers * 16) + 1)
        chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_work, chunks)
    finally:
        _ANALYZE, _ENTITIES = None, None
    return [spans for part in parts for spans in part]
