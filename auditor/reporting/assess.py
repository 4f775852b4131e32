"""Assess a findings document against its frameworks: control statuses, verdicts, families.

The one place the HTML report, ``findings.json``'s summary and
``controls.csv`` get their compliance answers from, so all of them say the
same thing about the same document::

    a = assess(doc)
    a.verdicts["cis-aws-6.0"].verdict          # "NOT COMPLIANT"
    a.statuses["cis-aws-6.0"][0].label        # "error: GetContactInformation (NotImplemented)"
    summary_extras(a)["cis-aws-6.0"]          # what findings.json's summary adds per framework
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from auditor.compliance.families import families, version_of
from auditor.compliance.mapping import load_frameworks
from auditor.core.documents import FindingsDocument, FrameworkCompliance, FrameworkSummary
from auditor.core.errors import ConfigError
from auditor.ownership import OwnerMap
from auditor.reporting.controls import ControlStatus, control_statuses
from auditor.reporting.coverage import Coverage, coverage
from auditor.reporting.family_view import FamilyView, family_view
from auditor.reporting.verdict import Verdict, verdict_of


@dataclass
class Assessment:
    statuses: dict[str, list[ControlStatus]] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    families: list[FamilyView] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)


def known_frameworks() -> dict[str, Any]:
    """The built-in frameworks (none when the files cannot be loaded: the report still renders)."""
    return dict(_builtin_frameworks())


@cache
def _builtin_frameworks() -> dict[str, Any]:
    # Parsed and validated once per process: a report assesses the document, its baseline and each
    # writer's copy, and the shipped files do not change while it runs.

    try:
        return dict(load_frameworks())
    except ConfigError:
        return {}


def framework_ids(doc: FindingsDocument) -> list[str]:
    """The frameworks a document is about: its summary's and every one a finding maps to."""
    ids = set((doc.get("summary") or {}).get("frameworks") or {})
    ids |= {fw for f in doc["findings"] for fw in f.get("compliance") or {}}
    return sorted(ids)


def assess(doc: FindingsDocument, frameworks: Mapping[str, Any] | None = None, owners: OwnerMap | None = None,
           rule_titles: Mapping[str, str] | None = None) -> Assessment:
    """Control statuses, verdicts and family views of ``doc`` (frameworks default to the built-in ones)."""
    known = dict(frameworks) if frameworks is not None else known_frameworks()
    if owners is None or not owners.entries:  # the ownership file a report recorded in the document
        owners = OwnerMap.from_list((doc.get("attachments") or {}).get("owners"))
    cov = coverage(doc)
    ids = framework_ids(doc)
    statuses = control_statuses(doc["findings"], ids, known, cov, owners, rule_titles)
    titles = {fw: (known[fw].title if fw in known else fw) for fw in ids}
    declared = {fw: (known[fw].version if fw in known else "") for fw in ids}
    verdicts = {fw: verdict_of(fw, titles[fw], version_of(fw, declared[fw]), statuses[fw]) for fw in ids}
    views = [family_view(fam, [verdicts[m] for m in fam.members], statuses)
             for fam in families(ids, titles, declared)]
    return Assessment(statuses, verdicts, views, cov)


def summary_extras(a: Assessment) -> dict[str, FrameworkCompliance]:
    """Per framework: verdict, controls by status, failing and unevaluated ids, each control's label."""
    out: dict[str, FrameworkCompliance] = {}
    for fw, v in a.verdicts.items():
        out[fw] = {
            "verdict": v.verdict,
            "statuses": dict(v.counts),
            "failing_controls": [s.id for s in v.failing],
            "not_evaluated_controls": [s.id for s in v.unevaluated],
            "manual_controls": [s.id for s in v.manual],
            "control_status": {s.id: s.label for s in a.statuses[fw]},
        }
    return out


def with_compliance(doc: FindingsDocument, frameworks: Mapping[str, Any] | None = None) -> FindingsDocument:
    """A shallow copy of ``doc`` whose summary's frameworks carry :func:`summary_extras`."""
    if not framework_ids(doc):
        return doc
    extras = summary_extras(assess(doc, frameworks))
    summary = doc.get("summary", {}).copy()
    fws: dict[str, FrameworkSummary] = {fw: v.copy() for fw, v in (summary.get("frameworks") or {}).items()}
    for fw, extra in extras.items():
        view = fws.setdefault(fw, {"controls": len(extra["control_status"]), "passed": extra["statuses"].get("pass", 0)})
        # One key at a time (a TypedDict takes no update() from another type), in summary_extras' order.
        view["verdict"] = extra["verdict"]
        view["statuses"] = extra["statuses"]
        view["failing_controls"] = extra["failing_controls"]
        view["not_evaluated_controls"] = extra["not_evaluated_controls"]
        view["manual_controls"] = extra["manual_controls"]
        view["control_status"] = extra["control_status"]
    summary["frameworks"] = dict(sorted(fws.items()))
    return {**doc, "summary": summary}
