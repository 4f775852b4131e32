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

from collections.abc import Mapping, Sequence
from typing import Any


def framework_controls(docs: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Framework -> control ids: the built-in frameworks' controls plus every id the findings name."""
    from auditor.compliance.mapping import load_frameworks
    from auditor.core.errors import ConfigError

    try:
        out = {fw.id: fw.control_ids() for fw in load_frameworks().values()}
    except ConfigError:
        out = {}
    wanted = {fw for d in docs for fw in (d.get("summary") or {}).get("frameworks") or {}}
    wanted |= {fw for d in docs for f in d["findings"] for fw in f["compliance"]}
    out = {k: v for k, v in out.items() if k in wanted}
    for d in docs:
        for f in d["findings"]:
            for fw, ids in f["compliance"].items():
                known = out.setdefault(fw, [])
                known.extend(i for i in ids if i not in known)
    return out


def recompute_summary(doc: Mapping[str, Any], frameworks: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """The summary of ``doc``'s findings (see the module docstring)."""
    from auditor.core.findings import Finding, summarize

    controls = framework_controls([doc]) if frameworks is None else frameworks
    summary = summarize((Finding.from_dict(f) for f in doc["findings"]), controls)
    claimed = (doc.get("summary") or {}).get("frameworks") or {}
    for fw, view in summary["frameworks"].items():
        stated = claimed.get(fw, {}).get("controls") if isinstance(claimed.get(fw), dict) else None
        if isinstance(stated, int) and not isinstance(stated, bool) and stated > view["controls"]:
            view["controls"] = stated
    return summary


def with_summary(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A shallow copy of ``doc`` whose ``summary`` is recomputed from its findings."""
    return {**doc, "summary": recompute_summary(doc)}
