"""Merge several findings documents (AWS, data, pipeline runs) into one.

``auditor report aws.json data.json pipeline.json`` reads one document per
scan; the report and every writer work on one canonical document, so the
documents are merged first: findings concatenated and re-sorted, the summary
recomputed, attachments concatenated (lists) or merged (objects). A single
document is not merged, but its summary is recomputed all the same (a
document's own summary is never trusted, see ``auditor.reporting.summary``).
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.core.documents import FindingsDocument
from auditor.core.findings import RunInfo, merge
from auditor.reporting.summary import framework_controls, with_summary


def merge_documents(docs: Sequence[FindingsDocument]) -> FindingsDocument:
    """One findings document from ``docs`` (a single one is returned with its summary recomputed).

    The merged run is named after its parts (``aws-1+data-1``), spans from the
    first start to the last finish, and is of kind ``all`` when kinds differ.
    """
    if not docs:
        raise ValueError("merge_documents needs at least one document")
    if len(docs) == 1:
        return with_summary(docs[0])
    runs = [d["run"] for d in docs]
    kinds = {r["kind"] for r in runs}
    run = RunInfo(id="+".join(r["id"] for r in runs), started_at=min(r["started_at"] for r in runs),
                  finished_at=max(r["finished_at"] for r in runs), tool_version=runs[0]["tool_version"],
                  kind=kinds.pop() if len(kinds) == 1 else "all",
                  account=",".join(sorted({r["account"] for r in runs if r["account"]})))
    return merge(docs, run, framework_controls(docs))
