"""The scan's bounded pool cannot deadlock when tasks share a memoised value that itself maps."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from auditor.aws.collect import Scope


def _scope(pool: ThreadPoolExecutor) -> Scope:
    return Scope(session=None, account="123456789012", partition="aws", regions=[], required={}, pool=pool)  # type: ignore[arg-type]


def test_tasks_waiting_on_a_memo_that_maps_finish() -> None:
    """Every worker waits on one memo whose computation maps: it must run inline, not queue behind them."""
    results: list[Any] = []

    def scan() -> None:
        with ThreadPoolExecutor(2) as pool:
            scope = _scope(pool)

            def shared() -> list[int]:
                time.sleep(0.05)  # let every worker reach the memo and block on it
                return scope.map(lambda i: i * 2, range(5))

            results.append(scope.map(lambda _: scope.memo("trails", shared), range(6)))

    t = threading.Thread(target=scan, daemon=True)
    t.start()
    t.join(timeout=20)
    assert not t.is_alive(), "scan deadlocked on its own pool"
    assert results == [[[0, 2, 4, 6, 8]] * 6]


def test_outer_map_uses_the_pool_and_keeps_order() -> None:
    with ThreadPoolExecutor(4, thread_name_prefix="auditor-aws") as pool:
        scope = _scope(pool)
        names = scope.map(lambda i: (i, threading.current_thread().name), range(8))
    assert [i for i, _ in names] == list(range(8))
    assert all(n.startswith("auditor-aws") for _, n in names)
