"""The one findings model and its canonical JSON document (schema_version 1).

Every rule x in-scope resource yields exactly one ``Finding``. Passes are kept:
auditors need the evidence of what was checked. The document is sorted and
stable so two runs diff cleanly; its JSON Schema is published in
``auditor/schemas/findings.schema.json``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditor.core.documents import FindingDict, FindingsDocument, FrameworkSummary, LocationDict, MuteDict, RunDict, SummaryDict
from auditor.core.rules import SEVERITIES

SCHEMA_VERSION = "1"


class Status(StrEnum):
    """Outcome of one rule on one resource."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    SKIPPED = "SKIPPED"
    MUTED = "MUTED"


@dataclass
class Finding:
    """One rule's verdict on one resource.

    ``owner`` (from a resource tag or an ownership file), ``first_seen`` /
    ``last_seen`` (ISO timestamps of the first run of the current streak and of
    this run), ``days_open``, ``due`` (date the severity's SLA ends) and
    ``overdue`` are optional and written only when known.
    """

    rule_id: str
    title: str
    status: Status
    severity: str
    resource_type: str
    resource_id: str
    region: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    compliance: dict[str, list[str]] = field(default_factory=dict)
    remediation: str = ""
    mute: MuteDict | None = None
    account: str = ""  # the AWS account the finding is about (AWS scans; every account of an organization scan)
    # Ownership and time (see auditor.reporting.aging): empty / None until a run or report fills them.
    owner: str = ""
    first_seen: str = ""
    last_seen: str = ""
    days_open: int | None = None
    due: str = ""
    overdue: bool | None = None
    # Where the resource is declared (IaC scans): {file, line, column, address}; None otherwise.
    location: LocationDict | None = None

    def to_dict(self) -> FindingDict:
        # Written out rather than dataclasses.asdict: a scan serialises tens of thousands
        # of findings and asdict's recursive deep copy was most of the document's cost.
        d: FindingDict = {
            "rule_id": self.rule_id, "title": self.title, "status": str(self.status), "severity": self.severity,
            "resource_type": self.resource_type, "resource_id": self.resource_id, "region": self.region,
            "message": self.message, "evidence": dict(self.evidence),
            "compliance": {k: list(v) for k, v in self.compliance.items()}, "remediation": self.remediation,
        }
        if self.mute is not None:
            d["mute"] = self.mute.copy()
        # The optional fields are left out when unset ("" or None), so older readers see the same document.
        if self.account:
            d["account"] = self.account
        if self.owner:
            d["owner"] = self.owner
        if self.first_seen:
            d["first_seen"] = self.first_seen
        if self.last_seen:
            d["last_seen"] = self.last_seen
        if self.days_open is not None:
            d["days_open"] = self.days_open
        if self.due:
            d["due"] = self.due
        if self.overdue is not None:
            d["overdue"] = self.overdue
        if self.location is not None:
            d["location"] = self.location.copy()
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Finding:
        data = dict(d)
        data["status"] = Status(data["status"])
        return cls(**data)

    @property
    def sort_key(self) -> tuple[str, str]:
        return self.rule_id, self.resource_id


@dataclass
class RunInfo:
    """What ran, when, where, with which tool version.

    ``command`` names the command that wrote the document (``"aws scan"``,
    ``"pipeline run inquiries-311"``, ``"demo"``...); it is left out when empty.
    """

    id: str
    started_at: str
    finished_at: str
    tool_version: str
    kind: str
    account: str = ""
    regions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    command: str = ""

    def to_dict(self) -> RunDict:
        d: RunDict = {"id": self.id, "started_at": self.started_at, "finished_at": self.finished_at,
                      "tool_version": self.tool_version, "kind": self.kind, "account": self.account,
                      "regions": list(self.regions), "warnings": list(self.warnings)}
        if self.command:
            d["command"] = self.command
        return d


def summarize(findings: Iterable[Finding], frameworks: Mapping[str, Iterable[str]]) -> SummaryDict:
    """Counts by status and severity, and per-framework control results.

    A control is *evaluated* when at least one finding maps to it, *passed*
    when every such finding is PASS or MUTED, *failed* when one is FAIL, and
    *error* when none failed but one could not be evaluated.
    """
    items = list(findings)
    by_status = {s.value: 0 for s in Status}
    by_status.update(Counter(str(f.status) for f in items))
    failing = Counter(f.severity for f in items if f.status == Status.FAIL)
    by_severity = {s: failing.get(s, 0) for s in reversed(SEVERITIES)}
    fw_out: dict[str, FrameworkSummary] = {}
    for fw, controls in sorted(frameworks.items()):
        statuses: dict[str, set[Status]] = {c: set() for c in controls}
        for f in items:
            for control in f.compliance.get(fw, []):
                statuses.setdefault(control, set()).add(f.status)
        evaluated = {c: s for c, s in statuses.items() if s - {Status.SKIPPED}}
        failed = [c for c, s in evaluated.items() if Status.FAIL in s]
        errored = [c for c, s in evaluated.items() if Status.FAIL not in s and Status.ERROR in s]
        passed = [c for c, s in evaluated.items() if s <= {Status.PASS, Status.MUTED, Status.SKIPPED}]
        fw_out[fw] = {"controls": len(statuses), "evaluated": len(evaluated), "passed": len(passed),
                      "failed": len(failed), "error": len(errored)}
    return {"total": len(items), "by_status": by_status, "by_severity": by_severity, "frameworks": fw_out}


def document(run: RunInfo, findings: Iterable[Finding], frameworks: Mapping[str, Iterable[str]]) -> FindingsDocument:
    """The canonical findings document (sorted by rule id, then resource id)."""
    ordered = sorted(findings, key=lambda f: f.sort_key)
    return {
        "schema_version": SCHEMA_VERSION,
        "run": run.to_dict(),
        "summary": summarize(ordered, frameworks),
        "findings": [f.to_dict() for f in ordered],
    }


def merge(documents: Iterable[FindingsDocument], run: RunInfo,
          frameworks: Mapping[str, Iterable[str]]) -> FindingsDocument:
    """One document from several (e.g. the AWS scan, a data scan and pipeline runs).

    Findings are concatenated and re-sorted, the summary recomputed, warnings
    and attachments (lists concatenated, mappings merged) carried over.
    """
    findings: list[Finding] = []
    attachments: dict[str, Any] = {}
    for doc in documents:
        findings += [Finding.from_dict(f) for f in doc["findings"]]
        run.warnings += [w for w in doc["run"].get("warnings", []) if w not in run.warnings]
        if doc["run"].get("account") and not run.account:
            run.account = doc["run"]["account"]
        run.regions = sorted(set(run.regions) | set(doc["run"].get("regions", [])))
        for key, value in (doc.get("attachments") or {}).items():
            if isinstance(value, list):
                attachments.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                attachments.setdefault(key, {}).update(value)
    out = document(run, findings, frameworks)
    if attachments:
        out["attachments"] = attachments
    return out
