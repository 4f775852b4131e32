"""Free-text analysis on several CPU cores.

Presidio is pure Python, so threads do not help; processes do. Workers are
forked from the parent after the analyzer is built (no second engine build,
no model reload) and each analyses a slice of the de-duplicated texts. Where
``fork`` is unavailable the work runs in the calling process.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.data.pii import PiiAnalyzer, Span

_ANALYZER: Any = None
_ENTITIES: Sequence[str] | None = None


def _work(texts: list[str]) -> list[list[Span]]:
    return [_ANALYZER.analyze_text(t, _ENTITIES) for t in texts]


def analyze_parallel(analyzer: PiiAnalyzer, texts: list[str], entities: Sequence[str] | None,
                     workers: int) -> list[list[Span]]:
    """``analyzer.analyze_text`` over ``texts`` in ``workers`` forked processes, order kept."""
    global _ANALYZER, _ENTITIES
    if "fork" not in mp.get_all_start_methods() or mp.current_process().daemon:
        # No fork on this platform, or we are a pool worker ourselves (daemons cannot have children).
        return [analyzer.analyze_text(t, entities) for t in texts]
    _ANALYZER, _ENTITIES = analyzer, entities
    try:
        size = max(500, len(texts) // (workers * 4) + 1)
        chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_work, chunks)
    finally:
        _ANALYZER, _ENTITIES = None, None
    return [spans for part in parts for spans in part]
