"""What changed since the previous run: new, resolved and unchanged failures.

A failure is identified by ``(rule_id, account, resource_id)``, with the parts of a
resource id that change on every run taken out, so the same check on the same
thing is the same finding from one run to the next. The account is part of the
identity because an organization scan judges the same region-wide or account-wide
resource (``us-east-1``, the password policy) once per account; findings without
an account (data, pipelines, templates) have ``""`` there.

- a pipeline step ``registrar/59d09d557748/curated`` is ``registrar/*/curated``
  (the run id changes every run);
- a published dataset version ``.../Curated/v-59d09d557748/applications#notes``
  is ``.../Curated/v-*/applications#notes``.

Against a baseline:

- *new*: FAIL now, not FAIL in the baseline (a regression or a new resource);
- *resolved*: FAIL in the baseline, not FAIL now (fixed, muted or gone);
- *unchanged*: FAIL in both.

This module is the one definition of "new": the report's "what changed", the
explorer's ``new`` badge, ``auditor gate --baseline`` and ``auditor run``'s
alerts all call :func:`diff_documents`, so they always agree on the same pair
of documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.core.documents import FindingDict, FindingsDocument, RunDict

Key = tuple[str, str, str]

# A pipeline run id (hex or timestamp) between the pipeline name and the step.
_PIPELINE_RUN = re.compile(r"^([^/]+)/[^/]+/([^/]+)$")
# A published version folder of a zone (``v-`` and a hex id, as the pipeline store names them).
_VERSION = re.compile(r"/v-[0-9a-f]{6,}(?=/|#|$)")


def stable_resource_id(resource_type: str, resource_id: str) -> str:
    """``resource_id`` without the parts that change from run to run (see the module docstring).

    >>> stable_resource_id("pipeline.run", "registrar/59d09d557748/curated")
    'registrar/*/curated'
    >>> stable_resource_id("dataset.column", "lake/reg/Curated/v-59d09d557748/applications#notes")
    'lake/reg/Curated/v-*/applications#notes'
    >>> stable_resource_id("aws.s3-bucket", "arn:aws:s3:::registraroffice-raw")
    'arn:aws:s3:::registraroffice-raw'
    """
    if resource_type == "pipeline.run":
        return _PIPELINE_RUN.sub(r"\1/*/\2", resource_id)
    if resource_type.startswith("dataset."):
        return _VERSION.sub("/v-*", resource_id)
    return resource_id


def finding_key(f: FindingDict) -> Key:
    """The identity of a finding across runs: rule id, AWS account and stable resource id."""
    return f["rule_id"], f.get("account", ""), stable_resource_id(f["resource_type"], f["resource_id"])


@dataclass
class Diff:
    """The comparison of a findings document with its baseline."""

    baseline_run: RunDict
    new: list[FindingDict] = field(default_factory=list)
    resolved: list[FindingDict] = field(default_factory=list)
    unchanged: list[FindingDict] = field(default_factory=list)

    @property
    def new_keys(self) -> set[Key]:
        return {finding_key(f) for f in self.new}


def diff_documents(current: FindingsDocument, baseline: FindingsDocument) -> Diff:
    """Compare the FAIL findings of ``current`` with those of ``baseline``."""
    before = {finding_key(f): f for f in baseline["findings"] if f["status"] == "FAIL"}
    out = Diff(baseline_run=baseline["run"])
    now: set[Key] = set()
    for f in current["findings"]:
        if f["status"] == "FAIL":
            key = finding_key(f)
            now.add(key)
            (out.unchanged if key in before else out.new).append(f)
    out.resolved = [f for key, f in before.items() if key not in now]
    return out
