"""The lineage manifest: one JSON document per pipeline run.

Written to ``_lineage/<pipeline>/<run_id>.json`` in the store (``auditor
pipeline runs`` reads them back) and next to the run's findings. Example::

    {"pipeline": "inquiries-311", "run_id": "3f2a9c1b7d10", "status": "succeeded",
     "tool_version": "0.1.0", "engine": "duckdb", "store": "/data/lake",
     "started_at": "...", "finished_at": "...", "signature": "<sha256 of inputs+config>",
     "inputs":  [{"key": ".../Landing/export.csv", "sha256": "...", "rows": 8695}],
     "outputs": [{"key": ".../Curated/v-3f2a.../inquiries.parquet", "zone": "Curated", "sha256": "...", "rows": 4310}],
     "rules": [{"gate": "quality", "step": "curated", "rule": "IsComplete \\"department\\"", "outcome": "PASS"}],
     "quarantined": {"files": [], "records": 0},
     "timings": {"read": 0.07, "gates": 0.2, "write": 0.1, "metrics": 0.05},
     "metrics": {"department_share": 170},
     "steps": [{"name": "curated", "status": "promoted", "rows_in": 8695, "rows_out": 8695, "quarantined": 0}]}
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from auditor import __version__
from auditor.pipelines.store import LINEAGE_ROOT, Store


@dataclass
class Lineage:
    """What a run read, wrote, checked and set aside, and how long each step took."""

    pipeline: str
    run_id: str
    store: str
    engine: str
    started_at: str
    status: str = "running"
    message: str = ""
    finished_at: str = ""
    signature: str = ""
    tool_version: str = __version__
    inputs: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    quarantined: dict[str, Any] = field(default_factory=lambda: {"files": [], "records": 0})
    timings: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, int] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Orders runs that start within the same second (timestamps are to the second,
    # and tests freeze the clock): the real time the manifest was created.
    recorded_ns: int = field(default_factory=time.time_ns)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Add the wall time of the block to ``timings[step]``."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = round(self.timings.get(step, 0.0) + time.perf_counter() - t0, 4)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def key(self) -> str:
        return f"{LINEAGE_ROOT}/{self.pipeline}/{self.run_id}.json"

    def save(self, store: Store) -> str:
        store.put(self.key(), json.dumps(self.to_dict(), indent=2, sort_keys=True, default=str).encode())
        return store.uri(self.key())


def history(store: Store, pipeline: str | None = None) -> list[dict[str, Any]]:
    """Every recorded run (optionally of one pipeline), oldest first."""
    prefix = f"{LINEAGE_ROOT}/{pipeline}" if pipeline else LINEAGE_ROOT
    runs = []
    for obj in store.iter_files(prefix, (".json",)):
        try:
            runs.append(json.loads(store.get(obj.key)))
        except json.JSONDecodeError:
            continue  # a manifest is written atomically; an unreadable one is not ours
    return sorted(runs, key=lambda r: (r.get("started_at", ""), r.get("recorded_ns", 0), r.get("run_id", "")))
