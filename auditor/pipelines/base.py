"""What every governed pipeline shares: landing, signatures, quarantine, gates, lineage.

A pipeline subclass declares its zones and implements :meth:`Pipeline.process`;
this base class runs it inside a :class:`RunState` that records lineage,
quarantines bad landing files, decides idempotency and builds the
``pipeline.run`` resources that ``rules/pipeline`` judges.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from auditor import __version__
from auditor.core.cellsafe import neutralise_frame
from auditor.core.context import RunContext
from auditor.core.errors import AuditorError, DataError
from auditor.core.resources import Resource
from auditor.pipelines.errors import BadInput
from auditor.pipelines.lineage import Lineage, history
from auditor.pipelines.promote import current
from auditor.pipelines.promotion_checks import CheckResult
from auditor.pipelines.quarantine import quarantine_file, quarantined_hashes
from auditor.pipelines.sql_engines import SqlEngine
from auditor.pipelines.store import ObjectInfo, Store, sha256_bytes


@dataclass
class LandingFile:
    """A landing file selected for this run."""

    key: str
    sha256: str
    data: bytes

    @property
    def name(self) -> str:
        return PurePosixPath(self.key).name


@dataclass
class StepRecord:
    """Facts about one promotion step, turned into a ``pipeline.run`` resource."""

    step: str
    input_rows: int = 0
    output_rows: int = 0
    rejected_rows: int = 0
    duplicate_rows: int = 0
    gates: list[CheckResult] = field(default_factory=list)
    promoted: bool = False


@dataclass
class RunState:
    """Everything one run accumulates."""

    pipeline: str
    store: Store
    engine: SqlEngine
    context: RunContext
    settings: dict[str, Any]
    lineage: Lineage
    steps: dict[str, StepRecord] = field(default_factory=dict)
    metrics: dict[str, pd.DataFrame] = field(default_factory=dict)
    quarantined_files: list[str] = field(default_factory=list)
    error: AuditorError | None = None
    status: str = "running"

    @property
    def run_id(self) -> str:
        return self.context.run_id

    def now(self) -> datetime:
        return self.context.now()

    def step(self, name: str) -> StepRecord:
        return self.steps.setdefault(name, StepRecord(name))

    def quarantine(self, root: str, file: LandingFile, reason: str) -> str:
        key = quarantine_file(self.store, root, self.run_id, file.key, file.data, reason, self.pipeline, self.now())
        self.quarantined_files.append(key)
        self.lineage.quarantined["files"].append({"file": file.key, "sha256": file.sha256, "reason": reason,
                                                  "quarantine": self.store.uri(key)})
        return key

    def record_gate(self, result: CheckResult) -> None:
        self.step(result.step).gates.append(result)
        if not result.available:
            self.lineage.rules.append({"gate": result.gate, "step": result.step, "rule": "*", "outcome": "ERROR",
                                       "detail": result.error})
        for r in result.rules:
            self.lineage.rules.append({"gate": result.gate, "step": result.step, **r})


def signature(files: Iterable[LandingFile], settings: dict[str, Any], pipeline: str) -> str:
    """SHA-256 over the inputs' hashes, the settings and the tool version: same value, same outputs."""
    payload = {"pipeline": pipeline, "version": __version__, "settings": settings,
               "inputs": sorted((f.key, f.sha256) for f in files)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def select_landing(state: RunState, root: str, objects: list[ObjectInfo]) -> list[LandingFile]:
    """Landing files to process: all current ones except those already quarantined (warned)."""
    bad = quarantined_hashes(state.store, root)
    out = []
    for obj in objects:
        data = state.store.get(obj.key)
        digest = sha256_bytes(data)
        if digest in bad:
            state.lineage.warnings.append(f"skipped {obj.key}: quarantined earlier ({bad[digest]})")
            continue
        out.append(LandingFile(obj.key, digest, data))
    return out


def up_to_date(state: RunState, pointer_key: str, sig: str) -> dict[str, Any] | None:
    """The published pointer when it was produced from exactly these inputs and settings."""
    pointer = current(state.store, pointer_key)
    if pointer and pointer.get("signature") == sig:
        return pointer
    return None


def last_run(store: Store, pipeline: str, run_id: str) -> dict[str, Any] | None:
    for run in history(store, pipeline):
        if run.get("run_id") == run_id:
            return run
    return None


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, engine="pyarrow", compression="zstd")
    return buf.getvalue()


def read_parquet_bytes(data: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(data), engine="pyarrow")


def csv_bytes(frame: pd.DataFrame, *, for_people: bool = False) -> bytes:
    """UTF-8 CSV with a header (pyarrow's writer: several times faster than pandas').

    ``for_people``: a file someone opens in a spreadsheet (quarantined records), so text that a
    spreadsheet would run as a formula is neutralised (``auditor/core/cellsafe.py``). Zone data
    is written as is: the next step reads it back byte for byte."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if for_people:
        frame = neutralise_frame(frame)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, column in enumerate(table.schema):
        # Calendar dates (midnight timestamps) are written as YYYY-MM-DD, not with a time of day.
        if pa.types.is_timestamp(column.type):
            col = frame[column.name]
            if bool((col.dropna() == col.dropna().dt.normalize()).all()):
                table = table.set_column(i, column.name, table.column(i).cast(pa.date32()))
    buf = io.BytesIO()
    pacsv.write_csv(table, buf)
    return buf.getvalue()


def step_resources(state: RunState) -> list[Resource]:
    """One ``pipeline.run`` resource per promotion step, for ``rules/pipeline``."""
    return [_step_resource(state, name, rec) for name, rec in state.steps.items()]


def _step_resource(state: RunState, name: str, rec: StepRecord) -> Resource:
    attrs: dict[str, Any] = {
        "pipeline": state.pipeline, "run_id": state.run_id, "step": name, "status": state.status,
        "engine": state.engine.name, "input_rows": rec.input_rows, "output_rows": rec.output_rows,
        "rejected_rows": rec.rejected_rows, "duplicate_rows": rec.duplicate_rows,
        "rejected_ratio": round(rec.rejected_rows / rec.input_rows, 6) if rec.input_rows else 0.0,
        "quarantined_files": list(state.quarantined_files), "promoted": rec.promoted,
        "lineage_recorded": bool(state.lineage.finished_at),
    }
    errors: dict[str, str] = {}
    quality = [g for g in rec.gates if g.gate == "quality"]
    pii = [g for g in rec.gates if g.gate == "pii"]
    if quality:
        attrs["quality_ruleset"] = f"{state.pipeline}.dqdl"
        _check_attributes(quality, _quality_values, attrs, errors)
    if pii:
        _check_attributes(pii, _pii_values, attrs, errors)
    return Resource("pipeline.run", f"{state.pipeline}/{state.run_id}/{name}", attrs,
                    name=f"{state.pipeline} run {state.run_id} ({name})", errors=errors)


def _check_attributes(checks: list[CheckResult], values: Callable[[list[CheckResult]], dict[str, Any]],
                      attrs: dict[str, Any], errors: dict[str, str]) -> None:
    """Add the checks' attributes to ``attrs``; when a check could not run, each of them is
    unknown instead, with its reason in ``errors`` (a rule on it is ERROR, not PASS or FAIL)."""
    down = [g.error for g in checks if not g.available]
    if down:
        errors.update(dict.fromkeys(values([]), down[0]))  # values([]) names the attributes
    else:
        attrs.update(values(checks))


def _quality_values(checks: list[CheckResult]) -> dict[str, Any]:
    return {"quality_rules": [{"rule": r["rule"], "outcome": r["outcome"]} for g in checks for r in g.rules],
            "quality_failed": sum(g.failed_rules for g in checks)}


def _pii_values(checks: list[CheckResult]) -> dict[str, Any]:
    return {"pii_columns": sorted({c for g in checks for c in g.pii_columns}),
            "masked_columns": sorted({c for g in checks for c in g.masked_columns}),
            "unmasked_pii_columns": sorted({c for g in checks for c in g.unmasked_pii_columns})}


def export_dir(output_dir: str | Path | None, pipeline: str) -> Path | None:
    if output_dir is None:
        return None
    path = Path(output_dir) / "pipelines" / pipeline
    if path.exists() and not path.is_dir():
        raise DataError(f"{path}: exists and is not a directory")
    return path


__all__ = ["BadInput", "LandingFile", "RunState", "StepRecord"]
