"""The report model: what the HTML report shows, built from findings documents.

``build_report(docs, baseline=None)`` merges one or more findings documents
(``auditor/schemas/findings.schema.json``) and aggregates them: executive
summary, a control view per framework, failing findings grouped by rule, data
governance, pipeline runs and a compact table for the client-side explorer.
Large runs are aggregated, never rendered row by row: each rule group shows at
most ``DETAIL_PER_RULE`` findings in full; every finding is in the explorer,
which renders one page at a time.

The model is tolerant: every section renders when its data exists and says
"not run" when it does not. It renders only what it is given: evidence, samples
and metric values come from the documents as they are (producers mask PII; the
report never invents or unmasks a value).

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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.core.rules import SEVERITIES, severity_rank
from auditor.reporting.charts import Chart, chart_for
from auditor.reporting.diff import Diff, diff_documents, finding_key
from auditor.reporting.merge import merge_documents

DETAIL_PER_RULE = 25
DIFF_LIST_MAX = 200
STATUSES = ("FAIL", "ERROR", "MUTED", "PASS", "SKIPPED")
SEVERITY_ORDER = tuple(reversed(SEVERITIES))
EVIDENCE_MAX = 400
MESSAGE_MAX = 240


@dataclass
class RuleGroup:
    """All findings of one rule: counts plus the first failing ones in full."""

    rule_id: str
    title: str
    severity: str
    resource_type: str
    remediation: str
    frameworks: dict[str, list[str]]
    counts: Counter[str] = field(default_factory=Counter)
    details: list[dict[str, Any]] = field(default_factory=list)
    more: int = 0
    new: int = 0

    @property
    def failing(self) -> int:
        return self.counts["FAIL"] + self.counts["ERROR"]


@dataclass
class ControlRow:
    id: str
    title: str
    section: str
    automated: bool
    status: str  # PASS | FAIL | ERROR | MANUAL | NOT EVALUATED
    rules: list[dict[str, Any]] = field(default_factory=list)
    failing_resources: list[str] = field(default_factory=list)
    failing_more: int = 0


@dataclass
class FrameworkView:
    id: str
    title: str
    version: str
    controls: list[ControlRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for c in self.controls if c.status == status)

    @property
    def evaluated(self) -> int:
        return self.count("PASS") + self.count("FAIL") + self.count("ERROR")

    @property
    def pass_rate(self) -> float | None:
        return self.count("PASS") / self.evaluated if self.evaluated else None


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


@dataclass
class Report:
    """Everything the templates render."""

    title: str
    generated_at: str
    tool_version: str
    runs: list[dict[str, Any]]
    doc: dict[str, Any]
    by_status: dict[str, int]
    by_severity: dict[str, int]
    pass_rate: float | None
    frameworks: list[FrameworkView]
    rule_groups: list[RuleGroup]
    diff: Diff | None
    diff_new: list[dict[str, Any]]
    diff_resolved: list[dict[str, Any]]
    aws_run: bool
    aws_stats: list[tuple[str, str]]
    datasets: list[DatasetView]
    dataset_findings: Counter[str]
    pipelines: list[PipelineView]
    pipeline_findings: Counter[str]
    explorer: dict[str, Any]
    warnings: list[str]


def _short(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sev_key(sev: str) -> int:
    return -severity_rank(sev) if sev in SEVERITIES else 1


def _detail(f: dict[str, Any], new: bool) -> dict[str, Any]:
    return {
        "status": f["status"], "severity": f["severity"], "resource_id": f["resource_id"], "region": f["region"],
        "message": _short(f["message"], 1000), "new": new,
        "evidence": [(str(k), _short(v, EVIDENCE_MAX)) for k, v in sorted(f["evidence"].items())],
        "mute": f.get("mute"),
    }


def _rule_groups(findings: list[dict[str, Any]], new_keys: set[tuple[str, str]]) -> list[RuleGroup]:
    groups: dict[str, RuleGroup] = {}
    for f in findings:
        g = groups.get(f["rule_id"])
        if g is None:
            g = groups[f["rule_id"]] = RuleGroup(f["rule_id"], f["title"], f["severity"], f["resource_type"],
                                                  f["remediation"], {})
        g.counts[f["status"]] += 1
        if severity_rank(f["severity"]) > severity_rank(g.severity):
            g.severity = f["severity"]
        for fw, ids in f["compliance"].items():
            known = g.frameworks.setdefault(fw, [])
            known.extend(i for i in ids if i not in known)
        if f["status"] in ("FAIL", "ERROR", "MUTED"):  # muted: accepted risks are shown with their reason
            is_new = finding_key(f) in new_keys
            g.new += is_new
            if len(g.details) < DETAIL_PER_RULE:
                g.details.append(_detail(f, is_new))
            else:
                g.more += 1
    return sorted(groups.values(), key=lambda g: (_sev_key(g.severity), -g.counts["FAIL"], g.rule_id))


def _control_status(statuses: Counter[str], automated: bool) -> str:
    if statuses["FAIL"]:
        return "FAIL"
    if statuses["ERROR"]:
        return "ERROR"
    if statuses["PASS"] or statuses["MUTED"]:
        return "PASS"
    return "NOT EVALUATED" if automated else "MANUAL"


def _framework_views(findings: list[dict[str, Any]], fw_ids: list[str], groups: list[RuleGroup],
                     known: dict[str, Any] | None) -> list[FrameworkView]:
    from auditor.compliance.mapping import Control, load_frameworks
    from auditor.core.errors import ConfigError

    if known is None:
        try:
            known = load_frameworks()
        except ConfigError:
            known = {}
    titles = {g.rule_id: g.title for g in groups}
    views = []
    for fw_id in fw_ids:
        fw = known.get(fw_id)
        per_control: dict[str, Counter[str]] = {}
        rules_per_control: dict[str, dict[str, Counter[str]]] = {}
        failing: dict[str, list[str]] = {}
        for f in findings:
            for cid in f["compliance"].get(fw_id, []):
                per_control.setdefault(cid, Counter())[f["status"]] += 1
                rules_per_control.setdefault(cid, {}).setdefault(f["rule_id"], Counter())[f["status"]] += 1
                if f["status"] == "FAIL":
                    failing.setdefault(cid, []).append(f["resource_id"])
        controls = list(fw.controls) if fw else []
        listed = {c.id for c in controls}
        controls += [Control(cid, "(not in the framework file)") for cid in sorted(per_control) if cid not in listed]
        view = FrameworkView(fw_id, fw.title if fw else fw_id, fw.version if fw else "")
        for c in controls:
            res = failing.get(c.id, [])
            view.controls.append(ControlRow(
                c.id, c.title, c.section, c.automated, _control_status(per_control.get(c.id, Counter()), c.automated),
                [{"rule_id": r, "title": titles.get(r, r), "counts": dict(cnt)}
                 for r, cnt in sorted(rules_per_control.get(c.id, {}).items())],
                res[:5], max(len(res) - 5, 0)))
        views.append(view)
    # Newest CIS version first, then the rest by title: what a reader looks for first.
    return sorted(views, key=lambda v: (v.title, tuple(-int(p) for p in v.version.split(".") if p.isdigit())))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _datasets(attachments: dict[str, Any]) -> list[DatasetView]:
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
                        "samples": [_short(s, 80) for s in _as_list(p.get("samples", p.get("masked_samples")))[:5]]})
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
            "samples": [_short(v, 80) for v in _as_list(c.get("masked_samples"))[:5]],
            "masked": c.get("masked")}


def _support(value: Any) -> str:
    """The data scan's ``support`` is the share of sampled values that matched."""
    return f"{value:.0%} of sample" if isinstance(value, int | float) and 0 <= value <= 1 else str(value or "")


def _io(items: Any) -> list[dict[str, Any]]:
    return [{"path": str(i.get("path", i.get("key", i.get("uri", "")))), "sha256": str(i.get("sha256", "")),
             "rows": i.get("rows", ""), "zone": str(i.get("zone", ""))} for i in _as_list(items) if isinstance(i, dict)]


def _pipelines(attachments: dict[str, Any]) -> list[PipelineView]:
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


def _explorer(findings: list[dict[str, Any]], groups: list[RuleGroup], new_keys: set[tuple[str, str]],
              fw_ids: list[str]) -> dict[str, Any]:
    """Columnar, interned table for the client-side explorer (keeps 50k findings small).

    rows: [rule index, status index, severity index, resource id, region index, message, new(0/1)].
    PASS rows carry no message (the rule title says it); details stay in findings.json.
    """
    rule_idx = {g.rule_id: i for i, g in enumerate(groups)}
    regions: dict[str, int] = {}
    rows = []
    for f in findings:
        region = regions.setdefault(f["region"], len(regions))
        msg = "" if f["status"] == "PASS" else _short(f["message"], MESSAGE_MAX)
        rows.append([rule_idx[f["rule_id"]], STATUSES.index(f["status"]), SEVERITY_ORDER.index(f["severity"]),
                     f["resource_id"], region, msg, int(finding_key(f) in new_keys)])
    return {
        "statuses": list(STATUSES), "severities": list(SEVERITY_ORDER), "frameworks": fw_ids,
        "regions": list(regions),
        "rules": [[g.rule_id, g.title, [fw_ids.index(fw) for fw in g.frameworks if fw in fw_ids]] for g in groups],
        "rows": rows,
    }


def build_report(docs: Sequence[dict[str, Any]], *, baseline: dict[str, Any] | None = None,
                 generated_at: str = "", title: str = "Governance and compliance audit",
                 frameworks: dict[str, Any] | None = None) -> Report:
    """The report model for ``docs`` (merged), compared with ``baseline`` when given.

    ``frameworks`` (id -> ``auditor.compliance.mapping.Framework``) defaults to
    the built-in frameworks; pass your own to show an organisation's control set.
    """
    doc = merge_documents(docs)
    findings = doc["findings"]
    diff = diff_documents(doc, baseline) if baseline is not None else None
    new_keys = diff.new_keys if diff else set()
    groups = _rule_groups(findings, new_keys)
    fw_ids = sorted(set(doc["summary"]["frameworks"]) | {fw for g in groups for fw in g.frameworks})
    by_status = {s: doc["summary"]["by_status"].get(s, 0) for s in STATUSES}
    decided = by_status["PASS"] + by_status["FAIL"] + by_status["ERROR"]
    failing_sev = Counter(f["severity"] for f in findings if f["status"] == "FAIL")
    attachments = doc.get("attachments") or {}
    aws_raw = attachments.get("aws")
    aws_stats: dict[str, Any] = aws_raw if isinstance(aws_raw, dict) else {}

    def sort_diff(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda f: (_sev_key(f["severity"]), f["rule_id"], f["resource_id"]))[:DIFF_LIST_MAX]

    return Report(
        title=title, generated_at=generated_at, tool_version=doc["run"]["tool_version"],
        runs=[d["run"] for d in docs], doc=doc, by_status=by_status,
        by_severity={s: failing_sev.get(s, 0) for s in SEVERITY_ORDER},
        pass_rate=by_status["PASS"] / decided if decided else None,
        frameworks=_framework_views(findings, fw_ids, groups, frameworks), rule_groups=groups, diff=diff,
        diff_new=sort_diff(diff.new) if diff else [], diff_resolved=sort_diff(diff.resolved) if diff else [],
        aws_run=any(f["resource_type"].startswith("aws.") for f in findings) or bool(aws_stats),
        aws_stats=[(str(k), _short(v, 200)) for k, v in sorted(aws_stats.items())],
        datasets=_datasets(attachments),
        dataset_findings=Counter(f["status"] for f in findings if f["resource_type"].startswith("dataset.")),
        pipelines=_pipelines(attachments),
        pipeline_findings=Counter(f["status"] for f in findings if f["resource_type"].startswith("pipeline.")),
        explorer=_explorer(findings, groups, new_keys, fw_ids),
        warnings=[w for d in docs for w in d["run"].get("warnings", [])],
    )
