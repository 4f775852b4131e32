"""``gl-code-quality-report.json``: GitLab Code Quality, for the merge request widget.

Declare it in ``.gitlab-ci.yml`` as ``artifacts: reports: codequality:
reports/aws-scan/gl-code-quality-report.json`` and GitLab shows, on each merge
request, the findings that are new or fixed compared with the target branch.

A JSON array with one issue per FAIL finding and one per ERROR finding
(PASS, MUTED and SKIPPED are not issues). Each issue has GitLab's documented
fields:

- ``description``: the rule title, the message and the resource id;
- ``check_name``: the rule id;
- ``fingerprint``: sha256 of the rule id and the resource id, so the same
  finding has the same fingerprint in every run and GitLab can tell new from
  fixed (severity and message may change without making it "new");
- ``severity``: info/low/medium/high/critical -> info/minor/major/critical/blocker;
- ``location``: ``{"path": ..., "lines": {"begin": 1}}``.

ERROR findings ("could not be evaluated") have no Code Quality equivalent.
They are included, with severity ``info`` and a description starting "Could
not be evaluated", so the widget shows that part of the audit is missing
without ranking it as a violation; ``auditor gate`` is what fails closed on
them (exit 3). An ERROR keeps the finding's fingerprint: a FAIL that turns
into an ERROR is not reported as fixed.

``location.path`` is required by GitLab, but cloud resources have no source
file. A dataset finding on a relative local file (``path#column``) points at
that file; every other finding gets a stable pseudo-path built like the SARIF
writer's: ``resources/`` and the resource id with each run of characters other
than letters, digits, ``.``, ``_`` and ``-`` replaced by ``_`` in every
``/``-separated segment (empty, ``.`` and ``..`` segments dropped), e.g.
``arn:aws:s3:::landing`` -> ``resources/arn_aws_s3_landing``.
Findings carry no line number, so ``lines.begin`` is always 1.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from auditor.core.documents import FindingDict, FindingsDocument
from auditor.reporting.atomic import write_atomic
from auditor.reporting.finding_files import finding_file

FILENAME = "gl-code-quality-report.json"
SEVERITY = {"info": "info", "low": "minor", "medium": "major", "high": "critical", "critical": "blocker"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pseudo_path(resource_id: str) -> str:
    """A stable, repository-relative looking path for a resource that is no file."""
    segments = (_UNSAFE.sub("_", s) for s in resource_id.split("/"))
    return "resources/" + ("/".join(s for s in segments if s.strip(".")) or "_")


def fingerprint(f: FindingDict) -> str:
    """Stable across runs: sha256 of rule id and resource id (NUL-separated, so no two pairs collide)."""
    return hashlib.sha256(f"{f['rule_id']}\0{f['resource_id']}".encode()).hexdigest()


def _description(f: FindingDict) -> str:
    text = f"{f['title']}: {f['message']}" if f["message"] else f["title"]
    text = " ".join(text.split())
    if f["status"] == "ERROR":
        text = f"Could not be evaluated: {text}"
    return f"{text} ({f['resource_id']})"


def _issue(f: FindingDict) -> dict[str, Any]:
    return {
        "description": _description(f),
        "check_name": f["rule_id"],
        "fingerprint": fingerprint(f),
        "severity": "info" if f["status"] == "ERROR" else SEVERITY[f["severity"]],
        "location": {"path": finding_file(f) or pseudo_path(f["resource_id"]), "lines": {"begin": 1}},
    }


def to_gitlab(doc: FindingsDocument) -> list[dict[str, Any]]:
    """The Code Quality issues for a findings document, sorted by rule id then resource id."""
    reported = [f for f in doc["findings"] if f["status"] in ("FAIL", "ERROR")]
    return [_issue(f) for f in sorted(reported, key=lambda f: (f["rule_id"], f["resource_id"]))]


def write_gitlab(doc: FindingsDocument, outdir: Path) -> Path:
    """Write ``OUTDIR/gl-code-quality-report.json``."""
    return write_atomic(outdir / FILENAME, json.dumps(to_gitlab(doc), indent=2, ensure_ascii=False))
