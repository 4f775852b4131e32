"""The run history of DQDL metrics: a metric's past values per dataset, for dynamic rules.

``RowCount > avg(last(5))`` and ``DetectAnomalies "RowCount"`` compare this run's metric
with earlier runs of the same dataset. Past values come from what the tool already keeps:

- a scheduler output folder (``history.json`` and each run's ``findings.json``, where
  ``data scan --ruleset`` attaches every rule's metrics to its dataset);
- a pipeline store's lineage manifests (``_lineage/<pipeline>/<run>.json``: the quality
  gate's rules with their metrics);
- a metrics file (JSON lines) that ``auditor data check --history FILE`` reads and then
  appends this run's metrics to.

Example::

    history = MetricHistory.open("reports/scheduled")        # or "dq-history.jsonl"
    history.past("curated/enroll.parquet", "Dataset.*.RowCount")   # [1180.0, 1175.0, ...] newest first
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.core.errors import DataError


@dataclass
class MetricHistory:
    """Past metric values: ``runs`` is a list of ``{"dataset", "at", "metrics"}``, oldest first."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None  # a JSON-lines file new runs are appended to

    def past(self, dataset: str, metric: str) -> list[float]:
        """The metric's earlier values for ``dataset``, newest first."""
        out: list[float] = []
        for run in reversed(self.runs):
            if run.get("dataset") != dataset:
                continue
            value = (run.get("metrics") or {}).get(metric)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.append(float(value))
        return out

    def record(self, dataset: str, metrics: Mapping[str, Any], at: datetime | None = None) -> None:
        """Add this run's metrics (and append them to the metrics file, if any)."""
        entry = {"dataset": dataset, "at": (at or datetime.now(UTC)).isoformat(),
                 "metrics": {k: v for k, v in metrics.items() if isinstance(v, (int, float))}}
        self.runs.append(entry)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, sort_keys=True) + "\n")

    @classmethod
    def open(cls, location: str | Path) -> MetricHistory:
        """A metrics file, or a scheduler output folder (read-only)."""
        p = Path(location)
        if p.is_dir():
            return cls(list(_from_scheduler(p)))
        return cls(list(_from_jsonl(p)) if p.exists() else [], path=p)

    @classmethod
    def from_lineage(cls, manifests: Iterable[Mapping[str, Any]], dataset: str) -> MetricHistory:
        """From pipeline lineage manifests (oldest first): each quality rule's ``metrics``."""
        runs = []
        for m in manifests:
            metrics: dict[str, Any] = {}
            for rule in m.get("rules") or []:
                if rule.get("gate") == "quality":
                    metrics.update(rule.get("metrics") or {})
            if metrics:
                runs.append({"dataset": dataset, "at": m.get("started_at", ""), "metrics": metrics})
        return cls(runs)


def _from_jsonl(path: Path) -> Iterable[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the metrics history ({type(exc).__name__})") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            # Fail closed: a damaged history would silently change every dynamic rule.
            raise DataError(f"{path}:{n}: not a metrics history line (JSON expected)") from None
        if isinstance(entry, dict):
            yield entry


def _from_scheduler(folder: Path) -> Iterable[dict[str, Any]]:
    index = folder / "history.json"
    if not index.exists():
        raise DataError(f"{folder}: no history.json (not a scheduler output folder)")
    # Read directly: the data layer does not import the scheduler (layering).
    try:
        runs = json.loads(index.read_text(encoding="utf-8")).get("runs") or []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        raise DataError(f"{index}: not a run history") from None
    for run in runs:
        if not isinstance(run, dict) or "folder" not in run:
            continue
        findings = folder / str(run["folder"]) / "findings.json"
        if not findings.exists():
            continue
        try:
            doc = json.loads(findings.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        for ds in (doc.get("attachments") or {}).get("datasets") or []:
            metrics: dict[str, Any] = {}
            for q in ds.get("quality") or []:
                metrics.update(q.get("metrics") or {})
            if metrics:
                yield {"dataset": ds.get("id"), "at": run.get("started_at", ""), "metrics": metrics}
