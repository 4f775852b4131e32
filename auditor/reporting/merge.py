"""Merge several findings documents (AWS, data, pipeline runs) into one.

``auditor report aws.json data.json pipeline.json`` reads one document per
scan; the report and every writer work on one canonical document, so the
documents are merged first: findings concatenated and re-sorted, the summary
recomputed, attachments concatenated (lists) or merged (objects).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.core.findings import Finding, summarize


def _framework_controls(docs: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Framework -> control ids, from the built-in frameworks plus every id the findings name."""
    from auditor.compliance.mapping import load_frameworks
    from auditor.core.errors import ConfigError

    try:
        out = {fw.id: fw.control_ids() for fw in load_frameworks().values()}
    except ConfigError:
        out = {}
    wanted = {fw for d in docs for fw in d["summary"]["frameworks"]}
    out = {k: v for k, v in out.items() if k in wanted}
    for d in docs:
        for f in d["findings"]:
            for fw, ids in f["compliance"].items():
                known = out.setdefault(fw, [])
                known.extend(i for i in ids if i not in known)
    return out


def merge_documents(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One findings document from ``docs`` (returned unchanged when there is one)."""
    if not docs:
        raise ValueError("merge_documents needs at least one document")
    if len(docs) == 1:
        return docs[0]
    runs = [d["run"] for d in docs]
    kinds = {r["kind"] for r in runs}
    accounts = sorted({r["account"] for r in runs if r["account"]})
    regions = sorted({g for r in runs for g in r["regions"]})
    warnings = [w for r in runs for w in r.get("warnings", [])]
    run = {
        "id": "+".join(r["id"] for r in runs),
        "started_at": min(r["started_at"] for r in runs),
        "finished_at": max(r["finished_at"] for r in runs),
        "tool_version": runs[0]["tool_version"],
        "kind": kinds.pop() if len(kinds) == 1 else "all",
        "account": ",".join(accounts),
        "regions": regions,
    }
    if warnings:
        run["warnings"] = warnings
    findings = sorted((f for d in docs for f in d["findings"]), key=lambda f: (f["rule_id"], f["resource_id"]))
    summary = summarize([Finding.from_dict(f) for f in findings], _framework_controls(docs))
    out: dict[str, Any] = {"schema_version": "1", "run": run, "summary": summary, "findings": findings}
    attachments: dict[str, Any] = {}
    for d in docs:
        for key, value in (d.get("attachments") or {}).items():
            if isinstance(value, list):
                attachments.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                attachments.setdefault(key, {}).update(value)
    if attachments:
        out["attachments"] = attachments
    return out
