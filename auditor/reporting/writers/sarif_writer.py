"""``findings.sarif``: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

One result per FAIL finding (passes are not results in SARIF's sense; ERROR
findings are reported as tool notifications so a dashboard shows the run was
incomplete). Each rule carries its title, help text (the remediation) and a
``security-severity`` so GitHub ranks it; severity maps to level:
critical/high -> error, medium -> warning, low/info -> note.

At most ``MAX_RESULTS`` results (code-scanning limits), most severe first; the
run carries a notification with the number left out.

Cloud resources have no source file, so each result is located by a logical
location (the resource id) and, for code-scanning UIs that require a physical
location, an artifact URI derived from the resource id. A finding with a
``location`` (``auditor iac scan``: the template or plan that declares the
resource) points at that file instead, with its line and column, so code
scanning marks the exact template line on the pull request.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from auditor.core.documents import FindingDict, FindingsDocument, LocationDict
from auditor.reporting.atomic import write_atomic

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.5"}
INFO_URI = "https://github.com/auditor/auditor"
# GitHub code scanning rejects a run with more than 25,000 results; the most severe are kept
# and the run says how many were left out (the full list is in findings.json / findings.csv).
MAX_RESULTS = 25_000


def _artifact_uri(resource_id: str) -> str:
    """A stable relative URI for a resource (code-scanning UIs need a location)."""
    return "resources/" + re.sub(r"[^A-Za-z0-9._/-]+", "_", resource_id).strip("/")


def _physical(f: FindingDict) -> dict[str, Any]:
    """The physical location of a result: the declaring file and line when known, else a resource URI."""
    location = f.get("location")
    if not isinstance(location, dict) or not isinstance(location.get("file"), str):
        return {"artifactLocation": {"uri": _artifact_uri(f["resource_id"])}}
    path = Path(location["file"])
    if path.is_absolute():
        try:  # code scanning matches paths relative to the repository (the working directory in CI)
            path = path.relative_to(Path.cwd())
        except ValueError:
            return {"artifactLocation": {"uri": path.as_uri()}, **_region(location)}
    return {"artifactLocation": {"uri": path.as_posix().removeprefix("./"), "uriBaseId": "%SRCROOT%"},
            **_region(location)}


def _region(location: LocationDict) -> dict[str, Any]:
    line = location.get("line")
    if not isinstance(line, int) or line < 1:
        return {}
    return {"region": {"startLine": line, "startColumn": int(location.get("column") or 1)}}


def to_sarif(doc: FindingsDocument) -> dict[str, Any]:
    """The SARIF log for a findings document."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for f in doc["findings"]:
        rid = f["rule_id"]
        if rid not in rules:
            tags = [f"{fw}:{c}" for fw, ids in sorted(f["compliance"].items()) for c in ids]
            rules[rid] = {
                "id": rid, "name": rid, "shortDescription": {"text": f["title"]},
                "fullDescription": {"text": f"{f['title']} (resource type {f['resource_type']})"},
                "help": {"text": f["remediation"] or f["title"],
                         "markdown": f"**Remediation**\n\n{f['remediation'] or 'See the rule documentation.'}"},
                "defaultConfiguration": {"level": LEVEL[f["severity"]]},
                "properties": {"security-severity": SECURITY_SEVERITY[f["severity"]],
                               "tags": ["security", "compliance", *tags], "resource_type": f["resource_type"]},
            }
        if f["status"] == "FAIL":
            results.append({
                "ruleId": rid, "ruleIndex": list(rules).index(rid), "level": LEVEL[f["severity"]],
                "message": {"text": f["message"] or f["title"]},
                "locations": [{
                    "physicalLocation": _physical(f),
                    "logicalLocations": [{"fullyQualifiedName": f["resource_id"], "kind": "resource"}],
                }],
                "partialFingerprints": {"auditorFinding/v1": f"{rid}:{f['resource_id']}"},
                "properties": {"severity": f["severity"], "region": f["region"], "evidence": f["evidence"],
                               "compliance": f["compliance"]},
            })
        elif f["status"] == "ERROR":
            notifications.append({"level": "error", "message": {"text": f"{rid} on {f['resource_id']}: {f['message']}"},
                                  "descriptor": {"id": rid}})
    if len(results) > MAX_RESULTS:
        order = {"error": 0, "warning": 1, "note": 2}
        dropped = len(results) - MAX_RESULTS
        results = sorted(results, key=lambda r: order[r["level"]])[:MAX_RESULTS]
        notifications.append({"level": "warning", "descriptor": {"id": "results-truncated"},
                              "message": {"text": f"{dropped} less severe results left out (limit {MAX_RESULTS}); "
                                                  "see findings.json"}})
    run = doc["run"]
    invocation: dict[str, Any] = {"executionSuccessful": not any(n["level"] == "error" for n in notifications),
                                  "startTimeUtc": run["started_at"], "endTimeUtc": run["finished_at"]}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "auditor", "version": run["tool_version"], "informationUri": INFO_URI,
                                "rules": list(rules.values())}},
            "automationDetails": {"id": f"auditor/{run['kind']}/{run['id']}"},
            "invocations": [invocation],
            "results": results,
            "properties": {"account": run["account"], "regions": run["regions"]},
        }],
    }


def write_sarif(doc: FindingsDocument, outdir: Path) -> Path:
    """Write ``OUTDIR/findings.sarif``."""
    return write_atomic(outdir / "findings.sarif", json.dumps(to_sarif(doc), indent=2, ensure_ascii=False, default=str))
