"""Work on several CPU cores: free-text analysis and masking.

Presidio and our finders are pure Python, so threads do not help; processes do. Workers are
forked from the parent when the work is ready (no second engine build, no model reload, the
span cache and the data inherited as they are) and each takes a share of it; only the results
travel back. Where ``fork`` is unavailable, or when we are a worker ourselves, the work runs in
the calling process.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from auditor.core.errors import DataError

T = TypeVar("T")
#: ``analyze(text, entities)``: e.g. :meth:`auditor.data.pii.PiiAnalyzer.analyze_text`. Passed in
#: (not imported) so that this module stays below the analyzer that calls it.
Analyze = Callable[[str, Sequence[str] | None], T]

_TASK: Callable[[int], Any] | None = None
_IN_WORKER = False  # set in every worker: a worker never forks workers of its own


def can_fork() -> bool:
    """True when work can go to forked workers (a platform with fork, and we are no worker)."""
    return "fork" in mp.get_all_start_methods() and not _IN_WORKER and not mp.current_process().daemon


def _mark_worker() -> None:
    global _IN_WORKER
    _IN_WORKER = True


def _run(i: int) -> Any:
    assert _TASK is not None
    return _TASK(i)


def fork_map(task: Callable[[int], T], count: int, workers: int) -> list[T]:
    """``[task(0), ..., task(count - 1)]``, computed by ``workers`` forked processes, order kept.

    ``task`` and whatever it reads are inherited by the workers (nothing is pickled but the
    index and the result), so build everything the task needs before calling this. An
    exception in a task is raised here; a worker that dies (killed, out of memory) stops the
    work with ``DataError`` instead of leaving it waiting for a result that never comes.
    """
    global _TASK
    if workers <= 1 or count <= 1 or not can_fork():
        return [task(i) for i in range(count)]
    _TASK = task
    try:
        with ProcessPoolExecutor(min(workers, count), mp_context=mp.get_context("fork"),
                                 initializer=_mark_worker) as pool:
            return list(pool.map(_run, range(count)))
    except BrokenProcessPool:
        raise DataError("a worker process died before finishing its share (out of memory or killed); "
                        "nothing was written from this step") from None
    finally:
        _TASK = None


def analyze_parallel(analyze: Analyze[T], texts: list[str], entities: Sequence[str] | None,
                     workers: int) -> list[T]:
    """``analyze(text, entities)`` over ``texts`` in ``workers`` forked processes, order kept."""
    # Many small slices: texts differ in cost, and a few large slices leave one core idle at the end.
    size = max(200, len(texts) // (workers * 16) + 1)
    starts = range(0, len(texts), size)
    parts = fork_map(lambda k: [analyze(t, entities) for t in texts[starts[k]:starts[k] + size]], len(starts), workers)
    return [spans for part in parts for spans in part]
