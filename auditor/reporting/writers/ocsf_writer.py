"""``findings.ocsf.json``: OCSF Detection Finding events (class 2004) for security lakes.

One event per finding except SKIPPED (nothing was checked), as a JSON array
with one event per line (OCSF schema 1.3.0). The verdict is in ``status_code`` (PASS/FAIL/ERROR/MUTED);
muted findings have ``status_id`` 3 (Suppressed). The class has no compliance
object, so framework controls go to ``unmapped.compliance`` (``standards``,
``requirements`` like ``"cis-aws-6.0 4.6"``, ``status_id`` 1 Pass / 3 Fail /
99 Other), next to ``unmapped.evidence`` (masked and counted only, like
everywhere else).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.core.documents import FindingDict, FindingsDocument
from auditor.reporting.atomic import write_atomic

OCSF_VERSION = "1.3.0"
CLASS_UID, CATEGORY_UID, ACTIVITY_CREATE = 2004, 2, 1
SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
COMPLIANCE_STATUS = {"PASS": (1, "Pass"), "FAIL": (3, "Fail"), "ERROR": (99, "Error"), "MUTED": (99, "Muted")}


def _epoch_ms(ts: str) -> int:
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def _cloud(f: FindingDict, account: str) -> dict[str, Any]:
    cloud: dict[str, Any] = {"provider": "AWS" if f["resource_type"].startswith("aws.") else "Other"}
    if f["region"]:
        cloud["region"] = f["region"]
    if account and cloud["provider"] == "AWS":
        cloud["account"] = {"uid": account, "type": "AWS Account", "type_id": 10}
    return cloud


def to_ocsf(doc: FindingsDocument) -> list[dict[str, Any]]:
    """OCSF Detection Finding events for a findings document."""
    run = doc["run"]
    time_ms = _epoch_ms(run["finished_at"])
    events = []
    for f in doc["findings"]:
        if f["status"] == "SKIPPED":
            continue
        cstatus_id, cstatus = COMPLIANCE_STATUS[f["status"]]
        standards = sorted(f["compliance"])
        requirements = [f"{fw} {c}" for fw in standards for c in f["compliance"][fw]]
        muted = f["status"] == "MUTED"
        events.append({
            "activity_id": ACTIVITY_CREATE, "activity_name": "Create",
            "category_uid": CATEGORY_UID, "category_name": "Findings",
            "class_uid": CLASS_UID, "class_name": "Detection Finding",
            "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE, "type_name": "Detection Finding: Create",
            "severity_id": SEVERITY_ID[f["severity"]], "severity": f["severity"].capitalize()
            if f["severity"] != "info" else "Informational",
            "status_id": 3 if muted else 1, "status": "Suppressed" if muted else "New",
            "status_code": f["status"], "status_detail": f["message"],
            "message": f["message"] or f["title"],
            "time": time_ms,
            "metadata": {"version": OCSF_VERSION, "event_code": f["rule_id"],
                         "uid": f"{run['id']}:{f['rule_id']}:{f['resource_id']}",
                         "product": {"name": "auditor", "vendor_name": "auditor", "version": run["tool_version"]}},
            "finding_info": {"uid": f"{f['rule_id']}:{f['resource_id']}", "title": f["title"], "desc": f["message"],
                             "types": [f["resource_type"]],
                             "analytic": {"uid": f["rule_id"], "name": f["rule_id"], "type_id": 1, "type": "Rule"}},
            "resources": [{"uid": f["resource_id"], "type": f["resource_type"],
                           **({"region": f["region"]} if f["region"] else {})}],
            "cloud": _cloud(f, run["account"]),
            "remediation": {"desc": f["remediation"] or f["title"]},
            # Detection Finding has no compliance object (that is class 2003), so the control
            # mapping travels in "unmapped", where security lakes keep it queryable.
            "unmapped": {"compliance": {"standards": standards, "requirements": requirements,
                                        "status_id": cstatus_id, "status": cstatus},
                         "evidence": f["evidence"], **({"mute": f["mute"]} if f.get("mute") else {})},
        })
    return events


def write_ocsf(doc: FindingsDocument, outdir: Path) -> Path:
    """Write ``OUTDIR/findings.ocsf.json``."""
    # A JSON array with one event per line: valid JSON, and line-splittable for lake loaders.
    lines = (json.dumps(e, ensure_ascii=False, separators=(",", ":"), default=str) for e in to_ocsf(doc))
    return write_atomic(outdir / "findings.ocsf.json", "[\n" + ",\n".join(lines) + "\n]\n")
