"""``auditor report`` and ``auditor gate`` as a user runs them (exit codes included)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from reporting_synth import make_doc

from auditor.cli import cli


def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_report_writes_every_format(tmp_path: Path) -> None:
    aws = _write(tmp_path, "aws.json", make_doc(kind="aws", with_attachments=False, run_id="aws-1"))
    data = _write(tmp_path, "data.json", make_doc(kind="data", run_id="data-1"))
    out = tmp_path / "out" / "index.html"
    res = _run("report", aws, data, "-o", out, "--format", "html,json,sarif,junit,csv,ocsf")
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.parent.iterdir())
    assert names == ["controls.csv", "findings.csv", "findings.json", "findings.ocsf.json", "findings.sarif",
                     "index.html", "junit.xml"]
    merged = json.loads((out.parent / "findings.json").read_text(encoding="utf-8"))
    assert merged["run"]["id"] == "aws-1+data-1"


def test_report_with_baseline_prints_the_change(tmp_path: Path) -> None:
    prev = _write(tmp_path, "prev.json", make_doc(seed=1, n_buckets=10, run_id="prev"))
    cur = _write(tmp_path, "cur.json", make_doc(seed=2, n_buckets=10, run_id="cur"))
    res = _run("report", cur, "-o", tmp_path / "r" / "index.html", "--baseline", prev)
    assert res.exit_code == 0, res.output
    assert "since prev:" in res.output and " new, " in res.output
    assert "New failures" in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")


def test_report_rejects_an_invalid_document(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": "1"}', encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", str(bad), "-o", str(tmp_path / "x.html")])
    assert res.exit_code == 2 and "not a valid findings document" in res.output
    assert not (tmp_path / "x.html").exists()


def test_report_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    doc = _write(tmp_path, "f.json", make_doc())
    res = CliRunner().invoke(cli, ["report", str(doc), "--format", "pdf"])
    assert res.exit_code == 2 and "unknown output format 'pdf'" in res.output


@pytest.mark.parametrize(("fail_on", "extra", "expected"), [
    ("critical", [], 1),                 # critical FAILs exist
    ("info", ["--allow-errors"], 1),
])
def test_gate_fails_on_threshold(tmp_path: Path, fail_on: str, extra: list[str], expected: int) -> None:
    doc = _write(tmp_path, "f.json", make_doc(fail_ratio=1.0))
    res = CliRunner().invoke(cli, ["gate", str(doc), "--fail-on", fail_on, *extra])
    assert res.exit_code == expected, res.output
    assert "gate: FAILED" in res.output and "critical" in res.output


def _only(doc: dict[str, Any], statuses: set[str]) -> dict[str, Any]:
    from auditor.core.findings import Finding, RunInfo, document

    findings = [Finding.from_dict(f) for f in doc["findings"] if f["status"] in statuses]
    return document(RunInfo(**doc["run"]), findings, {})


def test_gate_errors_exit_3_unless_allowed(tmp_path: Path) -> None:
    doc = _write(tmp_path, "f.json", _only(make_doc(), {"PASS", "ERROR"}))
    assert CliRunner().invoke(cli, ["gate", str(doc), "--fail-on", "low"]).exit_code == 3
    assert CliRunner().invoke(cli, ["gate", str(doc), "--fail-on", "low", "--allow-errors"]).exit_code == 0


def test_gate_passes_clean_document(tmp_path: Path) -> None:
    doc = _write(tmp_path, "f.json", _only(make_doc(), {"PASS", "MUTED"}))
    res = CliRunner().invoke(cli, ["gate", str(doc), "--fail-on", "info"])
    assert res.exit_code == 0 and "gate: passed" in res.output


def test_gate_with_baseline_counts_only_new(tmp_path: Path) -> None:
    prev_doc = make_doc(seed=3, n_buckets=8, fail_ratio=0.5, run_id="prev")
    prev = _write(tmp_path, "prev.json", prev_doc)
    same = _write(tmp_path, "same.json", prev_doc)
    res = CliRunner().invoke(cli, ["gate", str(same), "--fail-on", "low", "--baseline", str(prev), "--allow-errors"])
    assert res.exit_code == 0, res.output
    assert "0 new" in res.output
    worse = _write(tmp_path, "worse.json", make_doc(seed=3, n_buckets=8, fail_ratio=0.9, run_id="cur"))
    res = CliRunner().invoke(cli, ["gate", str(worse), "--fail-on", "low", "--baseline", str(prev), "--allow-errors"])
    assert res.exit_code == 1, res.output
    assert "NEW " in res.output and "resolved" in res.output


def test_publish_to_s3_with_content_types_and_no_acl(tmp_path: Path) -> None:
    import boto3
    from moto import mock_aws

    doc = _write(tmp_path, "f.json", make_doc())
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="audit-reports")
        res = _run("report", doc, "-o", tmp_path / "site" / "index.html", "--format", "html,sarif,csv",
                   "--publish", "s3://audit-reports/runs/2026-11-27")
        assert res.exit_code == 0, res.output
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket="audit-reports")["Contents"]}
        assert keys == {"runs/2026-11-27/index.html", "runs/2026-11-27/findings.sarif", "runs/2026-11-27/findings.csv",
                        "runs/2026-11-27/controls.csv"}
        head = s3.head_object(Bucket="audit-reports", Key="runs/2026-11-27/index.html")
        assert head["ContentType"] == "text/html; charset=utf-8" and head["CacheControl"] == "no-cache"
        assert s3.head_object(Bucket="audit-reports", Key="runs/2026-11-27/findings.sarif")["ContentType"] \
            == "application/sarif+json"
        grants = s3.get_object_acl(Bucket="audit-reports", Key="runs/2026-11-27/index.html")["Grants"]
        assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("AllUsers")]


def test_publish_public_only_when_asked(tmp_path: Path) -> None:
    import boto3
    from moto import mock_aws

    from auditor.reporting.publish import publish

    f = tmp_path / "index.html"
    f.write_text("<p>x</p>", encoding="utf-8")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site")
        publish([f], "s3://site", public=True, client=s3)
        grants = s3.get_object_acl(Bucket="site", Key="index.html")["Grants"]
        assert [g for g in grants if g["Grantee"].get("URI", "").endswith("AllUsers")]


def test_publish_bad_url_and_missing_bucket(tmp_path: Path) -> None:
    from moto import mock_aws

    doc = _write(tmp_path, "f.json", make_doc())
    res = CliRunner().invoke(cli, ["report", str(doc), "-o", str(tmp_path / "i.html"), "--publish", "https://x"])
    assert res.exit_code == 2 and "s3://bucket/prefix" in res.output
    with mock_aws():
        res = CliRunner().invoke(cli, ["report", str(doc), "-o", str(tmp_path / "i.html"), "--publish", "s3://nope/p"])
    # A bucket that does not exist is the user's to fix: exit 2, one line naming it.
    assert res.exit_code == 2 and "could not publish" in res.output and "NoSuchBucket" in res.output
    assert len([line for line in res.output.splitlines() if line.startswith("error:")]) == 1
