"""Report context that is not a finding: dataset inventories and pipeline runs, read tolerantly.

Attachment shapes read from ``doc["attachments"]`` (every key optional;
unknown keys are ignored)::

    datasets:                        # one entry per scanned dataset (data scan)
      - dataset: registraroffice/enrollwithdraw/Raw/enroll.csv   # or "path" / "name"
        rows: 1200                    # rows scanned
        columns: 14                   # column count (or a list of names)
        pii:                          # PII inventory, one entry per column x entity
          - column: email
            entity: EMAIL_ADDRESS     # Presidio entity type
            confidence: 0.97          # 0..1
            count: 1187               # values detected
            samples: ["j***@***.ca"]  # MASKED samples only
        quality:                      # data-quality results (DQDL); or {"ruleset": "...", "rules": [...]}
          - rule: 'IsComplete "student_id"'
            outcome: PASS             # PASS | FAIL | ERROR ("status" is accepted too)
            message: ""               # optional
            failed_rows: 0            # optional

      # The data scan's own shape is read too: {id, path, rows, columns: [{name, entity, pii (bool),
      # confidence, masked (bool), entity_counts: {ENTITY: n}, masked_samples: [...]}]} -> the
      # columns with pii true (or entity counts) form the inventory.

    pipelines:                       # one entry per pipeline run (lineage manifest)
      - pipeline: registrar           # or "name"
        run_id: 2026-11-27T10-00-00Z
        status: succeeded             # succeeded | failed | blocked | ...
        started_at: "..."; finished_at: "..."
        inputs:  [{path: ".../Landing/enroll.csv", sha256: "ab12...", rows: 1200}]   # "key" = "path"
        outputs: [{path: ".../Curated/enroll.parquet", sha256: "cd34...", rows: 1187}]
        quarantined: 13               # or {count: 13, reasons: {"invalid student_id": 13}}
                                      # or {records: 13, files: [...]} with quarantined_count: 13
        rules: [{gate: quality, step: curated, rule: 'IsComplete "department"', outcome: PASS}]
        timings: {landing_to_raw: 0.42, raw_to_curated: 1.3}   # seconds per step
        steps: [{name: raw_to_curated, status: passed, rows_in: 1200, rows_out: 1187, quarantined: 13}]
        metrics:                      # tables to chart: name -> rows, or {title, rows, x, y, series}
          acr_by_year: [{received_year: 2019, acr: 0.91}, ...]
          share_by_department: {title: "3-1-1 share per department",
                                rows: [{received_year: 2019, department: Roads, share: 0.21}, ...]}

    aws: {...}                       # scan statistics (shown as key/value pairs)

Findings themselves (``dataset.column``, ``pipeline.run``, ``aws.*``) are
grouped by rule like any other; a ``dataset.*`` finding without a datasets
attachment still shows in the data governance section's findings count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from auditor.reporting.charts import Chart, chart_for


@dataclass
class DatasetView:
    name: str
    rows: Any
    columns: Any
    pii: list[dict[str, Any]]
    quality: list[dict[str, Any]]
    quality_ruleset: str


@dataclass
class PipelineView:
    name: str
    run_id: str
    status: str
    started_at: str
    finished_at: str
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    quarantined: int | None
    quarantine_reasons: list[tuple[str, Any]]
    timings: list[tuple[str, Any]]
    steps: list[dict[str, Any]]
    charts: list[Chart]
    gates: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""


def short(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def datasets(attachments: dict[str, Any]) -> list[DatasetView]:
    out = []
    for d in _as_list(attachments.get("datasets")):
        if not isinstance(d, dict):
            continue
        quality = d.get("quality")
        ruleset = ""
        if isinstance(quality, dict):
            ruleset = str(quality.get("ruleset", ""))
            quality = quality.get("rules") or quality.get("results")
        q = [{"rule": str(r.get("rule", r.get("name", ""))),
              "outcome": str(r.get("outcome", r.get("status", ""))).upper(),
              "message": str(r.get("message", "")), "failed_rows": r.get("failed_rows", r.get("failed", ""))}
             for r in _as_list(quality) if isinstance(r, dict)]
        pii = []
        for p in _as_list(d.get("pii")):
            if not isinstance(p, dict):
                continue
            entity = p.get("entity", p.get("entities", ""))
            conf = p.get("confidence", p.get("score"))
            pii.append({"column": str(p.get("column", "")),
                        "entity": ", ".join(map(str, entity)) if isinstance(entity, list) else str(entity),
                        "confidence": f"{conf:.2f}" if isinstance(conf, int | float) else str(conf or ""),
                        "count": p.get("count", ""),
                        "samples": [short(s, 80) for s in _as_list(p.get("samples", p.get("masked_samples")))[:5]]})
        cols = d.get("columns", "")
        if "pii" not in d and isinstance(cols, list):
            pii = [_pii_from_column(c) for c in cols if isinstance(c, dict) and (c.get("pii") or c.get("entity_counts"))]
        name = d.get("dataset", d.get("id", d.get("path", d.get("name", "(unnamed)"))))
        out.append(DatasetView(str(name), d.get("rows", ""),
                               len(cols) if isinstance(cols, list) else cols, pii, q, ruleset))
    return out


def _pii_from_column(c: dict[str, Any]) -> dict[str, Any]:
    """One inventory row from the data scan's per-column record."""
    counts = c.get("entity_counts") or {}
    entity = c.get("entity") or ", ".join(sorted(counts))
    conf = c.get("confidence")
    return {"column": str(c.get("name", c.get("column", ""))), "entity": str(entity),
            "confidence": f"{conf:.2f}" if isinstance(conf, int | float) else str(conf or ""),
            "count": sum(v for v in counts.values() if isinstance(v, int)) if counts else _support(c.get("support")),
            "samples": [short(v, 80) for v in _as_list(c.get("masked_samples"))[:5]],
            "masked": c.get("masked")}


def _support(value: Any) -> str:
    """The data scan's ``support`` is the share of sampled values that matched."""
    return f"{value:.0%} of sample" if isinstance(value, int | float) and 0 <= value <= 1 else str(value or "")


def _io(items: Any) -> list[dict[str, Any]]:
    return [{"path": str(i.get("path", i.get("key", i.get("uri", "")))), "sha256": str(i.get("sha256", "")),
             "rows": i.get("rows", ""), "zone": str(i.get("zone", ""))} for i in _as_list(items) if isinstance(i, dict)]


def pipelines(attachments: dict[str, Any]) -> list[PipelineView]:
    out = []
    for p in _as_list(attachments.get("pipelines")):
        if not isinstance(p, dict):
            continue
        q = p.get("quarantined")
        reasons: list[tuple[str, Any]] = []
        if isinstance(q, dict):
            reasons = sorted((str(k), v) for k, v in (q.get("reasons") or {}).items())
            reasons += [(f"file {f}", "whole file") for f in _as_list(q.get("files"))]
            count = q.get("count", q.get("records"))
            q = count + len(_as_list(q.get("files"))) if isinstance(count, int) and "count" not in q else count
        if isinstance(p.get("quarantined_count"), int):
            q = p["quarantined_count"]
        timings = p.get("timings")
        metrics = p.get("metrics")
        charts = [c for name, t in (metrics.items() if isinstance(metrics, dict) else [])
                  if (c := chart_for(str(name), t)) is not None]
        out.append(PipelineView(
            str(p.get("pipeline", p.get("name", "(unnamed)"))), str(p.get("run_id", "")), str(p.get("status", "")),
            str(p.get("started_at", "")), str(p.get("finished_at", "")), _io(p.get("inputs")), _io(p.get("outputs")),
            q if isinstance(q, int) else None, reasons,
            sorted((str(k), v) for k, v in timings.items()) if isinstance(timings, dict) else [],
            [s for s in _as_list(p.get("steps")) if isinstance(s, dict)], charts,
            [{"gate": str(g.get("gate", "")), "step": str(g.get("step", "")), "rule": str(g.get("rule", "")),
              "outcome": str(g.get("outcome", g.get("status", ""))).upper()}
             for g in _as_list(p.get("rules")) if isinstance(g, dict)], str(p.get("message", ""))))
    return out
