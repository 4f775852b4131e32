"""Publishers for the concurrency tests: importable, so ``spawn`` processes can run them."""

from __future__ import annotations

from typing import Any

from auditor.pipelines.promote import LostRace, Output, commit, current, stage
from auditor.pipelines.store import LocalStore, Store

POINTER = "z/_CURRENT.json"
GC_ROOTS = ("z/Curated",)
PARTS = 3


def outputs(run_id: str) -> list[Output]:
    """Three files per version (a reader must find all of them or none)."""
    return [Output(f"z/Curated/v-{run_id}/part-{n}.parquet", f"{run_id}:{n}".encode(), 1) for n in range(PARTS)]


def race_once(store: Store, run_id: str, expected: str | None, wait: Any) -> tuple[str, str, str]:
    """Stage on ``expected``, wait for the other publisher, then publish: ``(run_id, won|lost, message)``."""
    files = stage(store, run_id, outputs(run_id))
    wait()  # every publisher has staged on the same base: now they race
    try:
        commit(store, POINTER, run_id, files, expected=expected, gc_roots=GC_ROOTS)
    except LostRace as exc:
        return run_id, "lost", str(exc)
    return run_id, "won", ""


def publish_rounds(root: str, name: str, rounds: int, barrier: Any, results: Any) -> None:
    """One process's side of the local race: ``rounds`` rounds, in step with the test via ``barrier``."""
    store = LocalStore(root)
    for i in range(rounds):
        base = current(store, POINTER)
        try:
            outcome = race_once(store, f"{name}{i:02d}", base["version"] if base else None, barrier.wait)
        except BaseException:
            barrier.abort()  # the test fails at once rather than waiting for the barrier's timeout
            raise
        results.put(outcome)
        barrier.wait()  # round over: the test inspects the store
        barrier.wait()  # inspected: next round
