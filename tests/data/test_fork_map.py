"""Work shared among forked workers: order kept, errors raised, a dead worker fails closed."""

from __future__ import annotations

import os

import pytest

from auditor.core.errors import DataError
from auditor.data import parallel

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="no fork on this platform")


def test_results_keep_their_order() -> None:
    data = list(range(50))
    assert parallel.fork_map(lambda i: data[i] * 2, len(data), 2) == [d * 2 for d in data]


def test_a_task_error_is_raised_in_the_caller() -> None:
    def task(i: int) -> int:
        if i == 3:
            raise ValueError("bad row")
        return i

    with pytest.raises(ValueError, match="bad row"):
        parallel.fork_map(task, 6, 2)


def test_a_dead_worker_stops_the_work_instead_of_hanging() -> None:
    def task(i: int) -> int:
        if i == 2:
            os._exit(1)  # what the kernel's OOM killer does to a worker
        return i

    with pytest.raises(DataError, match="worker process died"):
        parallel.fork_map(task, 4, 2)


def test_workers_do_not_fork_workers_of_their_own() -> None:
    assert parallel.fork_map(lambda i: parallel.can_fork(), 2, 2) == [False, False]
