"""Findings grouped by rule: counts, the first failing findings in full, risk and references.

Large runs are aggregated, never rendered row by row: each group shows at most
``DETAIL_PER_RULE`` failing (or muted) findings with their evidence, owner and
age; the rest are in the explorer and in ``findings.json`` / ``findings.csv``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.core.documents import FindingDict
from auditor.core.rules import SEVERITIES, severity_rank
from auditor.reporting.diff import Key, finding_key

DETAIL_PER_RULE = 25
EVIDENCE_MAX = 400
_HTTPS = re.compile(r"https://[^\s\"'<>]+")


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
    risk: str = ""
    references: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    overdue: int = 0
    oldest_days: int | None = None

    @property
    def failing(self) -> int:
        return self.counts["FAIL"] + self.counts["ERROR"]


def short(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_links(urls: Any) -> list[str]:
    """The https URLs of ``urls``: a link from a document never runs script (no ``javascript:``)."""
    return [u for u in urls if isinstance(u, str) and _HTTPS.fullmatch(u)] if isinstance(urls, list) else []


def sev_key(sev: str) -> int:
    return -severity_rank(sev) if sev in SEVERITIES else 1


def _detail(f: FindingDict, new: bool) -> dict[str, Any]:
    return {
        "status": f["status"], "severity": f["severity"], "resource_id": f["resource_id"], "region": f["region"],
        "message": short(f["message"], 1000), "new": new,
        "evidence": [(str(k), short(v, EVIDENCE_MAX)) for k, v in sorted(f["evidence"].items())],
        "mute": f.get("mute"), "owner": f.get("owner", ""), "first_seen": str(f.get("first_seen", ""))[:10],
        "days_open": f.get("days_open"), "due": f.get("due", ""), "overdue": f.get("overdue") is True,
    }


def rule_groups(findings: list[FindingDict], new_keys: set[Key],
                catalogue: Mapping[str, Mapping[str, Any]]) -> list[RuleGroup]:
    """Groups, most severe first, then most failures; ``catalogue`` (rule id -> entry) adds risk and links."""
    groups: dict[str, RuleGroup] = {}
    last_mapping: dict[str, Any] = {}
    for f in findings:
        g = groups.get(f["rule_id"])
        if g is None:
            entry = catalogue.get(f["rule_id"], {})
            # An older document may carry a title whose {params.x} was never filled in; the catalogue's is.
            title = str(entry.get("title") or f["title"]) if "{" in f["title"] or not f["title"] else f["title"]
            g = groups[f["rule_id"]] = RuleGroup(f["rule_id"], title, f["severity"], f["resource_type"],
                                                  f["remediation"], {}, risk=str(entry.get("risk", "")),
                                                  references=safe_links(entry.get("references")))
        g.counts[f["status"]] += 1
        if severity_rank(f["severity"]) > severity_rank(g.severity):
            g.severity = f["severity"]
        if f["compliance"] != last_mapping.get(g.rule_id):  # a rule's findings usually share one mapping
            last_mapping[g.rule_id] = f["compliance"]
            for fw, ids in f["compliance"].items():
                known = g.frameworks.setdefault(fw, [])
                known.extend(i for i in ids if i not in known)
        if f["status"] in ("FAIL", "ERROR", "MUTED"):  # muted: accepted risks are shown with their reason
            is_new = finding_key(f) in new_keys
            g.new += is_new
            owner = f.get("owner") or ""
            if owner and owner not in g.owners:
                g.owners.append(owner)
            g.overdue += f.get("overdue") is True
            days = f.get("days_open")
            if f["status"] == "FAIL" and isinstance(days, int) and (g.oldest_days is None or days > g.oldest_days):
                g.oldest_days = days
            if len(g.details) < DETAIL_PER_RULE:
                g.details.append(_detail(f, is_new))
            else:
                g.more += 1
    return sorted(groups.values(), key=lambda g: (sev_key(g.severity), -g.counts["FAIL"], g.rule_id))
