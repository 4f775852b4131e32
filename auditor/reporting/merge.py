"""Merge several findings documents (AWS, data, pipeline runs) into one.

``auditor report aws.json data.json pipeline.json`` reads one document per
scan; the report and every writer work on one canonical document, so the
documents are merged first: findings concatenated and re-sorted, the summary
recomputed, attachments concatenated (lists) or merged (objects).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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
    """One findings document from ``docs`` (returned unchanged when there is one).

    The merged run is named after its parts (``aws-1+data-1``), spans from the
    first start to the last finish, and is of kind ``all`` when kinds differ.
    """
    from auditor.core.findings import RunInfo, merge

    if not docs:
        raise ValueError("merge_documents needs at least one document")
    if len(docs) == 1:
        return docs[0]
    runs = [d["run"] for d in docs]
    kinds = {r["kind"] for r in runs}
    run = RunInfo(id="+".join(r["id"] for r in runs), started_at=min(r["started_at"] for r in runs),
                  finished_at=max(r["finished_at"] for r in runs), tool_version=runs[0]["tool_version"],
                  kind=kinds.pop() if len(kinds) == 1 else "all",
                  account=",".join(sorted({r["account"] for r in runs if r["account"]})))
    return merge(docs, run, _framework_controls(docs))
