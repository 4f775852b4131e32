"""``gitlab`` format: GitLab Code Quality report (gl-code-quality-report.json)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from reporting_synth import XSS, make_doc

from auditor.cli import cli
from auditor.reporting.writers import load_writers
from auditor.reporting.writers.gitlab_writer import pseudo_path, to_gitlab

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def finding(rule: str, res: str, status: str = "FAIL", severity: str = "high", message: str = "m",
            rtype: str = "aws.s3-bucket") -> dict[str, Any]:
    return {"rule_id": rule, "title": f"Title of {rule}", "status": status, "severity": severity,
            "resource_type": rtype, "resource_id": res, "region": "us-east-1", "message": message,
            "evidence": {}, "compliance": {}, "remediation": ""}


def doc(*findings: dict[str, Any]) -> dict[str, Any]:
    from auditor.core.findings import Finding, RunInfo, document

    run = RunInfo("r", "2026-06-01T00:00:00Z", "2026-06-01T00:00:01Z", "0", "aws")
    return document(run, [Finding.from_dict(f) for f in findings], {})


def write(d: dict[str, Any], outdir: Path) -> list[dict[str, Any]]:
    path = load_writers().get("gitlab")(d, outdir)
    assert path == outdir / "gl-code-quality-report.json"
    issues = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(issues, list)
    return issues


def assert_gitlab_shape(issue: dict[str, Any]) -> None:
    """The fields GitLab's Code Quality report format requires, with their types."""
    assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert isinstance(issue["description"], str) and issue["description"]
    assert isinstance(issue["check_name"], str) and issue["check_name"]
    assert issue["severity"] in GITLAB_SEVERITIES
    assert len(issue["fingerprint"]) == 64 and int(issue["fingerprint"], 16) >= 0
    assert isinstance(issue["location"]["path"], str) and issue["location"]["path"]
    assert issue["location"]["lines"] == {"begin": 1}


def test_one_issue_per_fail_and_error_only(tmp_path: Path) -> None:
    d = doc(finding("a-rule", "arn:aws:s3:::fail"), finding("a-rule", "arn:aws:s3:::pass", status="PASS"),
            finding("a-rule", "arn:aws:s3:::muted", status="MUTED"),
            finding("a-rule", "arn:aws:s3:::skipped", status="SKIPPED"),
            finding("b-rule", "arn:aws:s3:::error", status="ERROR", severity="critical", message="AccessDenied"))
    issues = write(d, tmp_path)
    for issue in issues:
        assert_gitlab_shape(issue)
    assert [(i["check_name"], i["location"]["path"]) for i in issues] == [
        ("a-rule", "resources/arn_aws_s3_fail"), ("b-rule", "resources/arn_aws_s3_error")]
    fail, error = issues
    assert fail["severity"] == "critical" and fail["description"] == "Title of a-rule: m (arn:aws:s3:::fail)"
    # an ERROR is not a violation: info, and it says it could not be evaluated
    assert error["severity"] == "info"
    assert error["description"] == "Could not be evaluated: Title of b-rule: AccessDenied (arn:aws:s3:::error)"


def test_severity_mapping() -> None:
    sevs = ("info", "low", "medium", "high", "critical")
    d = doc(*(finding(f"rule-{s}", "arn:aws:s3:::b", severity=s) for s in sevs))
    got = {i["check_name"]: i["severity"] for i in to_gitlab(d)}
    assert got == {"rule-info": "info", "rule-low": "minor", "rule-medium": "major", "rule-high": "critical",
                   "rule-critical": "blocker"}


def test_fingerprint_is_sha256_of_rule_and_resource() -> None:
    issue = to_gitlab(doc(finding("a-rule", "arn:aws:s3:::b")))[0]
    assert issue["fingerprint"] == hashlib.sha256(b"a-rule\0arn:aws:s3:::b").hexdigest()


def test_fingerprints_stable_across_runs_and_distinct_across_findings(tmp_path: Path) -> None:
    first = make_doc(seed=5, fail_ratio=1.0, run_id="run-1", started_at="2026-11-27T10:00:00Z")
    second = make_doc(seed=5, fail_ratio=1.0, run_id="run-2", started_at="2026-11-28T10:00:00Z")
    for f in second["findings"]:
        f["message"] += " (re-checked)"  # a reworded message is still the same finding
    a = write(first, tmp_path / "one")
    b = write(second, tmp_path / "two")
    by_key_a = {(i["check_name"], i["description"].rsplit(" (", 1)[-1]): i["fingerprint"] for i in a}
    by_key_b = {(i["check_name"], i["description"].rsplit(" (", 1)[-1]): i["fingerprint"] for i in b}
    assert by_key_a == by_key_b and len(a) > 10
    assert len({i["fingerprint"] for i in a}) == len(a)
    # pairs that concatenate to the same text still differ
    x, y = to_gitlab(doc(finding("ab", "c"), finding("a", "bc")))
    assert x["fingerprint"] != y["fingerprint"]


def test_fingerprint_ignores_severity_status_and_message() -> None:
    one = to_gitlab(doc(finding("a-rule", "arn:aws:s3:::b", severity="low", message="x")))[0]
    two = to_gitlab(doc(finding("a-rule", "arn:aws:s3:::b", status="ERROR", severity="high", message="y")))[0]
    assert one["fingerprint"] == two["fingerprint"]
    other = to_gitlab(doc(finding("a-rule", "arn:aws:s3:::c")))[0]
    assert other["fingerprint"] != one["fingerprint"]


def test_location_is_the_dataset_file_or_a_pseudo_path() -> None:
    d = doc(finding("dataset-column-pii-masked", "data/raw/enroll.csv#email", rtype="dataset.column"),
            finding("dataset-column-pii-masked", "s3://bucket/raw/enroll.csv#sin", rtype="dataset.column"),
            finding("pipeline-run-ok", "registrar/2026-11-27T10-00-00Z/raw_to_curated", rtype="pipeline.run"))
    paths = [i["location"]["path"] for i in to_gitlab(d)]
    assert paths == ["data/raw/enroll.csv", "resources/s3_/bucket/raw/enroll.csv_sin",
                     "resources/registrar/2026-11-27T10-00-00Z/raw_to_curated"]


def test_pseudo_path_is_clean_and_relative() -> None:
    assert pseudo_path("arn:aws:iam::123456789012:user/a b") == "resources/arn_aws_iam_123456789012_user/a_b"
    assert pseudo_path("../../etc/passwd") == "resources/etc/passwd"
    assert pseudo_path("/") == "resources/_"


def test_realistic_document_via_report_command(tmp_path: Path) -> None:
    d = make_doc(fail_ratio=0.5)
    src = tmp_path / "findings.json"
    src.write_text(json.dumps(d), encoding="utf-8")
    out = tmp_path / "out" / "index.html"
    res = CliRunner().invoke(cli, ["report", str(src), "-o", str(out), "--format", "gitlab"])
    assert res.exit_code == 0, res.output
    issues = json.loads((out.parent / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    expected = sum(1 for f in d["findings"] if f["status"] in ("FAIL", "ERROR"))
    assert len(issues) == expected > 0
    for issue in issues:
        assert_gitlab_shape(issue)
    assert {i["check_name"] for i in issues} <= {f["rule_id"] for f in d["findings"]}


def test_hostile_text_stays_data(tmp_path: Path, hostile_doc: dict[str, Any]) -> None:
    issues = write(hostile_doc, tmp_path)
    hostile = [i for i in issues if i["check_name"] == "s3-bucket-tagged"]
    assert len(hostile) == 1 and XSS in hostile[0]["description"]
    assert "<" not in hostile[0]["location"]["path"]
