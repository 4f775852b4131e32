"""Run a governed pipeline end to end: land, select, gate, promote, measure, record.

::

    from auditor.pipelines.pipeline_run import run_pipeline
    result = run_pipeline("inquiries-311", "./lake", sample=True, output_dir="reports/pipeline-inquiries-311")
    result.status        # "succeeded", "up-to-date", "failed" or "blocked"
    result.findings      # the findings document (kind "pipeline") for this run
    result.exit_code     # 0 ok, 1 gate blocked, 2 bad input, 3 a gate could not be evaluated
                         # or another run published first (LostRace: nothing published, staged files kept)

The flow: validate the config and rules first; land ``--input``/``--sample``
files (never overwriting landing); skip landing files quarantined earlier;
compute the run signature (SHA-256 of inputs + settings + tool version) and stop
with "up to date" when the published curated version has the same one;
otherwise process (a bad file goes to Quarantine and fails the run; curated is
untouched), stage the curated outputs, publish them with one compare-and-swap of
the pointer (failing, status "failed", if another run published since this one started),
export the metrics (CSV + xlsx with charts), write the lineage manifest, and
judge the run's ``pipeline.run`` resources with ``rules/pipeline``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from auditor.audit_run import default_rule_paths, evaluate, prepare
from auditor.core.context import RunContext
from auditor.core.documents import FindingsDocument
from auditor.core.errors import AuditorError, DataError, UsageError
from auditor.core.resources import Inventory
from auditor.pipelines.athena import AthenaEngine
from auditor.pipelines.base import (
    RunState,
    export_dir,
    read_parquet_bytes,
    select_landing,
    signature,
    step_resources,
    up_to_date,
)
from auditor.pipelines.contract import Pipeline
from auditor.pipelines.errors import CheckUnavailable, PromotionBlocked
from auditor.pipelines.exports import export_metrics
from auditor.pipelines.inputs import check_run_paths
from auditor.pipelines.lineage import Lineage
from auditor.pipelines.pipeline_registry import get_pipeline
from auditor.pipelines.promote import commit, current, stage
from auditor.pipelines.rulesets import check_rulesets
from auditor.pipelines.sql_engines import DuckDBEngine, SqlEngine
from auditor.pipelines.store import Store, open_store
from auditor.reporting.atomic import write_atomic


@dataclass
class PipelineResult:
    """The outcome of one run."""

    pipeline: str
    run_id: str
    status: str
    message: str
    exit_code: int
    lineage: dict[str, Any]
    metrics: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: FindingsDocument | None = None
    exports: list[Path] = field(default_factory=list)
    store: str = ""
    # The pipeline's row-level tables (one row per student): in the store and the exports, never in attachments.
    row_level_metrics: frozenset[str] = frozenset()

    def attachment(self) -> dict[str, Any]:
        """The ``attachments["pipelines"]`` entry for reports (no raw PII: aggregates only)."""
        lin = self.lineage
        return {"pipeline": self.pipeline, "run_id": self.run_id, "status": self.status, "message": self.message,
                "store": self.store, "engine": lin.get("engine", ""), "started_at": lin.get("started_at", ""),
                "finished_at": lin.get("finished_at", ""), "steps": lin.get("steps", []),
                "inputs": lin.get("inputs", []), "outputs": lin.get("outputs", []),
                "quarantined": lin.get("quarantined", {}), "quarantined_count": _quarantined_count(lin),
                "rules": lin.get("rules", []), "timings": lin.get("timings", {}),
                "metrics": {name: _records(frame) for name, frame in self.metrics.items()
                            if name not in self.row_level_metrics}}


def _quarantined_count(lin: dict[str, Any]) -> int:
    q = lin.get("quarantined", {})
    return len(q.get("files", [])) + int(q.get("records", 0))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in clean.to_dict("records")]


def default_settings(pipeline: str) -> dict[str, Any]:
    """The shipped settings of ``pipeline`` (its package's ``pipeline.yml``)."""
    return get_pipeline(pipeline).default_settings()


def _settings(pipeline: str, section: dict[str, Any]) -> dict[str, Any]:
    settings = default_settings(pipeline)
    override = dict(section.get(pipeline) or {})
    ruleset = override.pop("quality_ruleset", None)
    if ruleset is not None:
        path = Path(ruleset)
        if not path.is_file():
            raise UsageError(f"pipelines.{pipeline}.quality_ruleset: {ruleset}: no such DQDL file")
        settings["quality_ruleset"] = path.read_text(encoding="utf-8")
    settings.update(override)
    return settings


PIPELINE_PII_SAMPLE = 200


def _pii_settings(ctx: RunContext, data_section: dict[str, Any]) -> None:
    """The ``data`` config section for the PII gate (built lazily: 3-1-1 never loads Presidio),
    with a 200-value sample per column unless ``data.sample_size`` says otherwise."""
    section = dict(data_section)
    section.setdefault("sample_size", PIPELINE_PII_SAMPLE)
    ctx.services.setdefault("pii_config", section)


def make_engine(name: str, store: Store, settings: dict[str, Any], services: dict[str, Any]) -> SqlEngine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "athena":
        return AthenaEngine.for_store(store, settings.get("athena") or {}, session=services.get("aws_session"))
    raise UsageError(f"unknown engine '{name}' (duckdb or athena)")


def run_pipeline(name: str, store: str | Path | Store | None = None, *, sample: bool = False,
                 input_file: str | Path | None = None, engine: str = "duckdb",
                 output_dir: str | Path | None = None, config: str | Path | None = None,
                 context: RunContext | None = None, rule_paths: list[Path] | None = None) -> PipelineResult:
    """Run pipeline ``name`` (``registrar`` or ``inquiries-311``) over ``store`` (default ``./lake``)."""
    pipe = get_pipeline(name)
    if sample and input_file is not None:
        raise UsageError("use either --input FILE or --sample, not both")
    if rule_paths is None:  # the shipped packs that hold rules
        rule_paths = [p for p in default_rule_paths("pipeline", "data") if any(p.rglob("*.yml"))]
    prepared = prepare(rule_paths,
                       config=config)
    settings = _settings(name, prepared.config.section("pipelines"))
    check_rulesets(name, settings, prepared.config.section("pipelines"))  # a DQDL typo stops before any write
    ctx = context or RunContext()
    _pii_settings(ctx, prepared.config.section("data"))
    st = store if isinstance(store, Store) else open_store(store)
    # A hidden --input, or one the exports would replace: refused before anything is landed.
    check_run_paths(pipe.root, input_file=Path(input_file) if input_file is not None else None,
                    export_to=export_dir(output_dir, name), store=st)
    st.check_access()  # before anything is landed: no credentials is one line, not a failed run
    started = ctx.now()
    sql_engine = make_engine(engine, st, settings, ctx.services)
    lineage = Lineage(name, ctx.run_id, st.root, sql_engine.name, _iso(started))
    state = RunState(name, st, sql_engine, ctx, settings, lineage)
    t0 = time.perf_counter()
    _execute_judged(pipe, state, sample=sample, input_file=input_file)
    _finish_lineage(state, time.perf_counter() - t0)
    exports = _write_outputs(pipe, state, export_dir(output_dir, name), input_file)
    inventory = _run_inventory(state)
    result = PipelineResult(name, ctx.run_id, state.status, lineage.message, _exit_code(state),
                            lineage.to_dict(), state.metrics, None, exports, st.root, pipe.row_level_metrics)
    # The run's status and error travel in attachments["pipelines"] (the CLI prints the error once).
    warnings = list(lineage.warnings)
    result.findings = evaluate(prepared, inventory, ctx, kind="pipeline", started_at=started,
                               warnings=warnings, attachments={"pipelines": [result.attachment()]})
    return result


def _execute_judged(pipe: Pipeline, state: RunState, *, sample: bool, input_file: str | Path | None) -> None:
    """Run the steps; a blocked promotion or a failure becomes the run's status, so the run is
    still recorded and judged by the rules."""
    try:
        _execute(pipe, state, sample=sample, input_file=input_file)
    except (PromotionBlocked, CheckUnavailable) as exc:
        state.status, state.error = "blocked", exc
        _blocked_reason(pipe, state, str(exc))
    except AuditorError as exc:
        state.status, state.error = "failed", exc
    finally:
        state.engine.close()


def _finish_lineage(state: RunState, seconds: float) -> None:
    """Record the run's outcome, metrics and steps in its lineage, finished now."""
    lineage = state.lineage
    lineage.timings["total"] = round(seconds, 4)
    lineage.status = state.status
    lineage.message = str(state.error) if state.error else lineage.message
    lineage.metrics = {k: len(v) for k, v in state.metrics.items()}
    lineage.steps = [{"name": n, "status": "promoted" if r.promoted else "not promoted", "rows_in": r.input_rows,
                      "rows_out": r.output_rows, "quarantined": r.rejected_rows, "duplicates": r.duplicate_rows}
                     for n, r in state.steps.items()]
    lineage.finished_at = _iso(state.now())


def _write_outputs(pipe: Pipeline, state: RunState, out: Path | None, input_file: str | Path | None) -> list[Path]:
    """Save the lineage in the store; with an export folder, write the metrics and the lineage
    there too. The exported files, in order."""
    lineage = state.lineage
    exports: list[Path] = []
    if out is not None and state.metrics:
        with lineage.timed("export"):
            exports = export_metrics(state.metrics, out, state.pipeline, pipe.charts(state.metrics),
                                     pipe.row_level_metrics, protect=[Path(input_file)] if input_file is not None else [])
    lineage.save(state.store)
    if out is not None:
        exports.append(write_atomic(out / "lineage.json", _json(lineage.to_dict())))
    return exports


def _run_inventory(state: RunState) -> Inventory:
    """What the pipeline rules judge: one resource per step, then each check's own resources."""
    inventory = Inventory()
    inventory.extend(step_resources(state))
    for rec in state.steps.values():
        for gate in rec.gates:
            inventory.extend(gate.resources)
    return inventory


def _execute(pipe: Pipeline, state: RunState, *, sample: bool, input_file: str | Path | None) -> None:
    store, lineage = state.store, state.lineage
    state.step("raw")  # every run is judged, even one that stops before reading anything
    if sample:
        for key, data in pipe.sample_files().items():
            store.land(key, data)
    if input_file is not None:
        path = Path(input_file)
        if not path.is_file():
            raise UsageError(f"--input {input_file}: no such file")
        data = path.read_bytes()
        key, created = store.land(pipe.landing_key(path.name, data), data)
        if not created:
            lineage.warnings.append(f"{path.name} was already landed as {key} (same SHA-256)")
    # The version this run builds on: it publishes only if no other run published since (else LostRace).
    base = current(store, pipe.pointer_key)
    files = select_landing(state, pipe.root, pipe.landing_objects(store))
    if not files:
        raise DataError(pipe.empty_message(store))
    lineage.signature = sig = signature(files, state.settings, pipe.name)
    pointer = up_to_date(state, pipe.pointer_key, sig)
    if pointer is not None:
        state.status = "up-to-date"
        lineage.message = (f"up to date: the inputs (same SHA-256) and settings are those of run "
                           f"{pointer['run_id']}; curated left as published")
        lineage.inputs = [{"key": f.key, "uri": store.uri(f.key), "sha256": f.sha256} for f in files]
        lineage.outputs = pointer["files"]
        for f in pointer["files"]:
            if "/metrics/" in f["key"]:
                state.metrics[Path(f["key"]).stem] = read_parquet_bytes(store.get(f["key"]))
        return
    staged = pipe.process(state, files)
    with lineage.timed("write"):
        files_written = stage(store, state.run_id, staged)
        commit(store, pipe.pointer_key, state.run_id, files_written, expected=base["version"] if base else None,
               signature=sig, gc_roots=pipe.gc_roots)
    state.step("curated").promoted = True
    lineage.outputs += files_written
    state.status = "succeeded"
    lineage.message = f"published curated version v-{state.run_id} ({len(files_written)} files)"


def _blocked_reason(pipe: Pipeline, state: RunState, reason: str) -> None:
    """A blocked promotion moves no data; its reason file says why, next to the quarantined runs."""
    key = f"{pipe.root}/Quarantine/{state.run_id}/promotion-blocked.reason.json"
    info = {"pipeline": pipe.name, "run_id": state.run_id, "reason": reason, "at": _iso(state.now()),
            "rules": [r for r in state.lineage.rules if r.get("outcome") != "PASS"]}
    state.store.put(key, _json(info).encode())
    state.lineage.quarantined.setdefault("reason_files", []).append(state.store.uri(key))


def _exit_code(state: RunState) -> int:
    if state.error is None:
        return 0
    return state.error.exit_code


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, sort_keys=True, default=str)
