"""The report model: what the HTML report shows, built from findings documents.

``build_report(docs, baseline=None)`` merges one or more findings documents
(``auditor/schemas/findings.schema.json``) and answers, in this order, what a
compliance officer asks first:

1. are we compliant, per framework? (``verdicts``: one row per framework
   family, see ``auditor.reporting.verdict``), what fails and where, what
   could not be evaluated;
2. since when, and who owns it? (first seen, days open, SLA and overdue per
   finding and per failing control, ``auditor.reporting.aging``; owners,
   ``auditor.ownership``);
3. what is accepted and until when? (the exceptions register,
   ``auditor.reporting.exceptions``);
4. where is personal data and did the pipeline checks hold? (the PII matrix by
   zone and one line per pipeline run, ``auditor.reporting.zones``);
5. then the detail: controls per framework family, failing findings by rule
   with risk and references, data governance, pipeline runs and an explorer of
   every finding.

The model renders only what it is given: evidence, samples and metric values
come from the documents as they are (producers mask PII; the report never
invents or unmasks a value). Every section renders when its data exists and
says "not run" when it does not. Context attachments are described in
``auditor.reporting.attachments``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.core.documents import FindingDict, FindingsDocument, RunDict
from auditor.report_config import ReportSettings
from auditor.reporting.aging import carry_time
from auditor.reporting.assess import Assessment, assess
from auditor.reporting.attachments import DatasetView, PipelineView, datasets, pipelines, short
from auditor.reporting.controls import ControlStatus
from auditor.reporting.diff import Diff, diff_documents
from auditor.reporting.exceptions import ExceptionEntry, counts, register
from auditor.reporting.explorer import SEVERITY_ORDER, STATUSES, explorer
from auditor.reporting.family_view import FamilyView
from auditor.reporting.merge import merge_documents
from auditor.reporting.rule_groups import DETAIL_PER_RULE, RuleGroup, rule_groups, sev_key
from auditor.reporting.trend import Trend, point, trend
from auditor.reporting.zones import (
    OUTSIDE,
    ZONES,
    PiiDataset,
    PiiRow,
    PromotionLine,
    by_dataset,
    pii_matrix,
    promotion_lines,
)

__all__ = ["DETAIL_PER_RULE", "STATUSES", "Report", "build_report", "prepare_document"]

DIFF_LIST_MAX = 200


@dataclass
class FrameworkView:
    """One framework's controls (the family table merges versions; this keeps each on its own)."""

    id: str
    title: str
    version: str
    controls: list[ControlStatus]

    def count(self, status: str) -> int:
        return sum(1 for c in self.controls if c.status == status)

    @property
    def evaluated(self) -> int:
        return self.count("PASS") + self.count("FAIL") + self.count("ERROR")


@dataclass
class Report:
    """Everything the templates render."""

    title: str
    generated_at: str
    tool_version: str
    runs: list[RunDict]
    doc: FindingsDocument
    as_of: str
    by_status: dict[str, int]
    by_severity: dict[str, int]
    assessment: Assessment
    frameworks: list[FrameworkView]
    rule_groups: list[RuleGroup]
    diff: Diff | None
    diff_new: list[FindingDict]
    diff_resolved: list[FindingDict]
    aws_run: bool
    aws_stats: list[tuple[str, str]]
    datasets: list[DatasetView]
    dataset_findings: Counter[str]
    pipelines: list[PipelineView]
    pipeline_findings: Counter[str]
    explorer: dict[str, Any]
    warnings: list[str]
    exceptions: list[ExceptionEntry]
    exception_counts: dict[str, int]
    pii_rows: list[PiiRow]
    promotions: list[PromotionLine]
    trend: Trend | None
    sla_days: dict[str, int]
    expiring_days: int
    overdue: int
    owners: list[str]

    @property
    def next_expiry(self) -> ExceptionEntry | None:
        """The accepted risk that expires first (expired ones are no longer accepted)."""
        live = [e for e in self.exceptions if e.state in ("active", "expiring") and e.days_left is not None]
        return min(live, key=lambda e: (e.days_left, e.rule), default=None)

    @property
    def pii_datasets(self) -> list[PiiDataset]:
        return by_dataset(self.pii_rows)

    @property
    def pii_zones(self) -> list[str]:
        """The matrix's zone columns: Landing, Raw, Curated, and "outside the zones" when a file is."""
        extra = [OUTSIDE] if any(OUTSIDE in row.cells for row in self.pii_rows) else []
        return [*ZONES, *extra]

    @property
    def families(self) -> list[FamilyView]:
        return self.assessment.families

    @property
    def pass_rate(self) -> float | None:
        """Share of decided checks (PASS, FAIL, ERROR) that pass: a detail, never the headline."""
        decided = self.by_status["PASS"] + self.by_status["FAIL"] + self.by_status["ERROR"]
        return self.by_status["PASS"] / decided if decided else None


def prepare_document(doc: FindingsDocument, baseline: FindingsDocument | None = None,
                     settings: ReportSettings | None = None) -> FindingsDocument:
    """``doc`` with time (from ``baseline``) and owners (from the ownership file) filled in.

    What ``auditor report`` writes to ``findings.json`` and renders, so the JSON,
    CSV and HTML carry the same first-seen dates, SLA flags and owners.
    """
    settings = settings or ReportSettings()
    out = carry_time(doc, baseline, sla_days=settings.sla_days)
    if settings.owners.entries:  # a resource's own owner tag, recorded by the scan, wins over the file
        owned: list[FindingDict] = []
        for f in out["findings"]:
            owner = f.get("owner") or settings.owners.for_finding(f["rule_id"], f["resource_id"])
            owned.append({**f, "owner": owner} if owner and owner != f.get("owner") else f)
        out["findings"] = owned
        # Control owners have no finding to sit on: the mapping travels with the document, so the
        # JSON summary, controls.csv and the HTML name the same owner.
        out["attachments"] = {**(out.get("attachments") or {}), "owners": settings.owners.to_list()}
    return out


def _catalogue(doc: FindingsDocument) -> dict[str, dict[str, Any]]:
    listed = (doc.get("attachments") or {}).get("rules")
    return {str(e["id"]): e for e in listed if isinstance(e, dict) and "id" in e} if isinstance(listed, list) else {}


def build_report(docs: Sequence[FindingsDocument], *, baseline: FindingsDocument | None = None,
                 generated_at: str = "", title: str = "Governance and compliance audit",
                 frameworks: dict[str, Any] | None = None, settings: ReportSettings | None = None,
                 history: Sequence[dict[str, Any]] | None = None, prepared: bool = False) -> Report:
    """The report model for ``docs`` (merged), compared with ``baseline`` when given.

    ``frameworks`` (id -> ``auditor.compliance.mapping.Framework``) defaults to
    the built-in frameworks; pass your own to show an organisation's control set.
    ``settings`` carries the SLA, expiry warning and ownership file (defaults
    without); ``history`` the earlier runs' trend points, oldest first
    (``auditor.reporting.trend.point``; ``auditor run`` passes its history).
    ``prepared``: ``docs`` is one document :func:`prepare_document` already returned
    for this baseline and settings (what ``auditor report`` also writes as JSON):
    it is rendered as it is, not merged and prepared again.
    """
    settings = settings or ReportSettings()
    doc = _document(docs, baseline, settings, prepared=prepared)
    findings = doc["findings"]
    diff = diff_documents(doc, baseline) if baseline is not None else None
    new_keys = diff.new_keys if diff else set()
    groups = rule_groups(findings, new_keys, _catalogue(doc))
    a = assess(doc, frameworks, settings.owners, {g.rule_id: g.title for g in groups})
    attachments = doc.get("attachments") or {}
    aws_stats = _aws_stats(attachments)
    as_of = str(doc["run"]["started_at"])[:10]
    entries = register(doc, today=date.fromisoformat(as_of), expiring_days=settings.expiring_days)
    promotions, promoted = promotion_lines(doc)
    diff_new, diff_resolved = _diff_lists(diff)
    return Report(
        title=title, generated_at=generated_at, tool_version=doc["run"]["tool_version"],
        runs=[d["run"] for d in docs], doc=doc, as_of=as_of,
        by_status={s: doc["summary"]["by_status"].get(s, 0) for s in STATUSES},
        by_severity=_failing_by_severity(findings), assessment=a, frameworks=_framework_views(a),
        rule_groups=groups, diff=diff, diff_new=diff_new, diff_resolved=diff_resolved,
        aws_run=bool(aws_stats) or any(f["resource_type"].startswith("aws.") for f in findings),
        aws_stats=[(str(k), short(v, 200)) for k, v in sorted(aws_stats.items())],
        datasets=datasets(attachments), dataset_findings=_statuses_of(findings, "dataset."),
        pipelines=pipelines(attachments), pipeline_findings=_statuses_of(findings, "pipeline."),
        explorer=explorer(findings, groups, new_keys, list(a.statuses)),
        warnings=_warnings(docs),
        exceptions=entries, exception_counts=counts(entries), pii_rows=pii_matrix(doc, promoted),
        promotions=promotions,
        trend=trend(_trend_points(doc, a, baseline, frameworks, history), {fw: v.title for fw, v in a.verdicts.items()}),
        sla_days=dict(settings.sla_days), expiring_days=settings.expiring_days,
        overdue=_overdue(findings), owners=_owners(findings),
    )


def _document(docs: Sequence[FindingsDocument], baseline: FindingsDocument | None, settings: ReportSettings, *,
              prepared: bool) -> FindingsDocument:
    """The one document to render: ``docs`` merged and prepared, unless it is one already prepared."""
    if prepared and len(docs) == 1:
        return docs[0]
    return prepare_document(merge_documents(docs), baseline, settings)


def _framework_views(a: Assessment) -> list[FrameworkView]:
    """Every framework version's controls, in the families' order."""
    return [FrameworkView(v.framework, v.title, v.version, a.statuses[v.framework])
            for fam in a.families for v in fam.verdicts]


def _warnings(docs: Sequence[FindingsDocument]) -> list[str]:
    """Every run's warnings, run by run."""
    return [w for d in docs for w in d["run"].get("warnings", [])]


def _overdue(findings: list[FindingDict]) -> int:
    """How many findings are open past their SLA."""
    return sum(1 for f in findings if f.get("overdue") is True)


def _owners(findings: list[FindingDict]) -> list[str]:
    """Everyone named as the owner of a finding, sorted."""
    return sorted({str(f["owner"]) for f in findings if f.get("owner")})


def _diff_lists(diff: Diff | None) -> tuple[list[FindingDict], list[FindingDict]]:
    """(new, resolved) findings, each worst first, then by rule and resource; at most ``DIFF_LIST_MAX`` each."""
    if diff is None:
        return [], []
    return _sort_diff(diff.new), _sort_diff(diff.resolved)


def _sort_diff(items: list[FindingDict]) -> list[FindingDict]:
    return sorted(items, key=lambda f: (sev_key(f["severity"]), f["rule_id"], f["resource_id"]))[:DIFF_LIST_MAX]


def _aws_stats(attachments: dict[str, Any]) -> dict[str, Any]:
    """The AWS scan's statistics attachment (empty when there was no AWS scan)."""
    raw = attachments.get("aws")
    return raw if isinstance(raw, dict) else {}


def _failing_by_severity(findings: list[FindingDict]) -> dict[str, int]:
    """How many findings fail at each severity, every severity listed."""
    failing = Counter(f["severity"] for f in findings if f["status"] == "FAIL")
    return {s: failing.get(s, 0) for s in SEVERITY_ORDER}


def _statuses_of(findings: list[FindingDict], prefix: str) -> Counter[str]:
    """Findings per status among the resource types starting with ``prefix``."""
    return Counter(f["status"] for f in findings if f["resource_type"].startswith(prefix))


def _trend_points(doc: FindingsDocument, a: Assessment, baseline: FindingsDocument | None,
                  frameworks: dict[str, Any] | None,
                  history: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The trend's points, oldest first, ending with this run.

    Without a history the baseline (when given) is the one earlier point.
    """
    points = [p for p in (history or []) if isinstance(p, dict)]
    if not points and baseline is not None:
        points = [point(str(baseline["run"]["started_at"])[:16], assess(baseline, frameworks).verdicts)]
    return [*points, point(str(doc["run"]["started_at"])[:16], a.verdicts)]
