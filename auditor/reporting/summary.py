"""The summary of a findings document, recomputed from its findings.

A findings document carries its own ``summary`` (counts by status and
severity, per-framework control results), but a report must not take a file's
word for it: a doctored ``findings.json`` could claim "100% passing" above its
own failures. Every report is built from :func:`with_summary`'s document,
whose summary is computed from the findings (the same ``summarize`` the scans
use). Only the number of controls a framework has is kept from the document
when it is larger than what the findings show, since it is a property of the
framework (a control nobody checked), never a result.

Example::

    doc = with_summary(json.loads(Path("findings.json").read_text()))
    doc["summary"]["by_status"]["FAIL"]        # counted, not copied
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.core.documents import FindingDict, FindingsDocument, FrameworkSummary, SummaryDict
from auditor.core.findings import Status
from auditor.core.rules import SEVERITIES
from auditor.reporting.assess import known_frameworks


def framework_controls(docs: Sequence[FindingsDocument]) -> dict[str, list[str]]:
    """Framework -> control ids: the built-in frameworks' controls plus every id the findings name."""
    out = {fw.id: fw.control_ids() for fw in known_frameworks().values()}
    wanted = {fw for d in docs for fw in (d.get("summary") or {}).get("frameworks") or {}}
    wanted |= {fw for d in docs for f in d["findings"] for fw in f["compliance"]}
    out = {k: v for k, v in out.items() if k in wanted}
    for d in docs:
        last: Any = None
        for f in d["findings"]:
            if f["compliance"] == last:  # findings are sorted by rule: neighbours share a mapping
                continue
            last = f["compliance"]
            for fw, ids in last.items():
                known = out.setdefault(fw, [])
                known.extend(i for i in ids if i not in known)
    return out


def summarize_dicts(findings: Sequence[FindingDict], frameworks: Mapping[str, Sequence[str]]) -> SummaryDict:
    """``auditor.core.findings.summarize`` over finding dicts, without building a ``Finding`` per finding.

    The same counts, by the same rules (a test holds them equal); a 50,000-finding report
    spent most of its summary time constructing objects it only counted.
    """
    by_status = {s.value: 0 for s in Status}
    by_status.update(Counter(f["status"] for f in findings))
    failing = Counter(f["severity"] for f in findings if f["status"] == "FAIL")
    per_fw = _control_statuses(findings, frameworks)
    return {"total": len(findings), "by_status": by_status,
            "by_severity": {s: failing.get(s, 0) for s in reversed(SEVERITIES)},
            "frameworks": {fw: _framework_summary(per_fw[fw]) for fw in sorted(per_fw)}}


def _control_statuses(findings: Sequence[FindingDict],
                      frameworks: Mapping[str, Sequence[str]]) -> dict[str, dict[str, set[str]]]:
    """framework -> control -> the statuses of its findings (its listed controls first, even without any)."""
    per_fw: dict[str, dict[str, set[str]]] = {fw: {c: set() for c in controls} for fw, controls in frameworks.items()}
    for f in findings:  # one pass over the findings for every framework
        for fw, ids in f["compliance"].items():
            statuses = per_fw.get(fw)
            if statuses is None:
                continue  # a framework not summarized
            for control in ids:
                statuses.setdefault(control, set()).add(f["status"])
    return per_fw


def _framework_summary(statuses: dict[str, set[str]]) -> FrameworkSummary:
    """Control counts of one framework: evaluated (not only SKIPPED), passed, failed, error."""
    evaluated = {c: s for c, s in statuses.items() if s - {"SKIPPED"}}
    failed = [c for c, s in evaluated.items() if "FAIL" in s]
    errored = [c for c, s in evaluated.items() if "FAIL" not in s and "ERROR" in s]
    passed = [c for c, s in evaluated.items() if s <= {"PASS", "MUTED", "SKIPPED"}]
    return {"controls": len(statuses), "evaluated": len(evaluated), "passed": len(passed),
            "failed": len(failed), "error": len(errored)}


def recompute_summary(doc: FindingsDocument, frameworks: Mapping[str, Sequence[str]] | None = None) -> SummaryDict:
    """The summary of ``doc``'s findings (see the module docstring)."""
    controls = framework_controls([doc]) if frameworks is None else frameworks
    summary = summarize_dicts(doc["findings"], controls)
    # The document's own summary is a file's word: typed, but checked like any input.
    claimed = (doc.get("summary") or {}).get("frameworks") or {}
    for fw, view in summary["frameworks"].items():
        claimed_fw = claimed.get(fw)
        stated = claimed_fw.get("controls") if isinstance(claimed_fw, dict) else None
        if isinstance(stated, int) and not isinstance(stated, bool) and stated > view["controls"]:
            view["controls"] = stated
    return summary


def with_summary(doc: FindingsDocument) -> FindingsDocument:
    """A shallow copy of ``doc`` whose ``summary`` is recomputed from its findings."""
    return {**doc, "summary": recompute_summary(doc)}
