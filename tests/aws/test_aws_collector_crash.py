"""A crash in one collector or fetcher never loses the scan.

The crash becomes ERROR findings for the rules (and resources) it touched, naming the
exception; every other finding is kept and findings.json is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_helpers import by_rule, only_rules, scan
from click.testing import CliRunner

from auditor.aws import s3
from auditor.aws.collect import COLLECTORS
from auditor.cli import cli

ACCOUNT = "arn:aws:iam::123456789012:root"
RULES = ("s3-bucket-versioning-enabled", "s3-bucket-mfa-delete-enabled", "s3-bucket-sse-kms-bucket-key",
         "kms-cmk-rotation-enabled")


def _account() -> str:
    s3c = boto3.client("s3", region_name="us-east-1")
    for name in ("sales-raw", "sales-curated"):
        s3c.create_bucket(Bucket=name)
        s3c.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return str(boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["Arn"])


def _boom(*_: Any) -> Any:
    raise KeyError("Status")


def test_a_crashing_fetcher_errors_only_the_rules_that_read_its_attribute(
        aws: None, aws_rules: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _account()
    from dataclasses import replace

    monkeypatch.setitem(s3.TABLE.attributes, "Encryption", replace(s3.TABLE.attributes["Encryption"], fetch=_boom))
    doc = scan(only_rules(aws_rules, *RULES))
    for name in ("sales-raw", "sales-curated"):
        arn = f"arn:aws:s3:::{name}"
        crashed = by_rule(doc, "s3-bucket-sse-kms-bucket-key")[arn]
        assert crashed["status"] == "ERROR"
        assert "internal error: KeyError at test_aws_collector_crash.py:" in crashed["message"]
        # Same buckets, other attributes: judged as usual.
        assert by_rule(doc, "s3-bucket-versioning-enabled")[arn]["status"] == "PASS"
        assert by_rule(doc, "s3-bucket-mfa-delete-enabled")[arn]["status"] == "FAIL"
    assert by_rule(doc, "kms-cmk-rotation-enabled")[key]["status"] == "FAIL"


def test_a_crashing_collector_errors_its_rules_and_keeps_the_others(
        aws: None, aws_rules: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _account()

    def crash(scope: Any) -> Any:
        raise RuntimeError("unexpected answer shape: Tag Owner=Jane Roe")

    monkeypatch.setitem(COLLECTORS, "aws.kms-key", crash)
    doc = scan(only_rules(aws_rules, *RULES))
    [kms] = by_rule(doc, "kms-cmk-rotation-enabled").values()
    assert kms["status"] == "ERROR" and kms["resource_id"] == ACCOUNT
    assert "collector of aws.kms-key failed: internal error: RuntimeError at " in kms["message"]
    # The type and the raising line name the cause; the message could quote AWS's answer.
    assert "Jane Roe" not in json.dumps(doc)
    versioning = by_rule(doc, "s3-bucket-versioning-enabled")
    assert {f["status"] for f in versioning.values()} == {"PASS"} and len(versioning) == 2


def test_the_cli_writes_findings_when_a_collector_crashes(
        aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _account()

    def crash(scope: Any) -> Any:
        raise KeyError("GroupName")

    monkeypatch.setitem(COLLECTORS, "aws.account", crash)
    packs = Path(__file__).parents[2] / "rules" / "aws"
    args = ["aws", "scan", "--region", "us-east-1", "--rules", str(packs / "account.yml"), "--rules",
            str(packs / "s3.yml"), "--output-dir", str(tmp_path), "--fail-on", "none"]
    result = CliRunner().invoke(cli, [*args, "--fail-on-error=false"])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    account = [f for f in doc["findings"] if f["resource_type"] == "aws.account"]
    assert account and {f["status"] for f in account} == {"ERROR"}
    assert all("internal error: KeyError at test_aws_collector_crash.py:" in f["message"] for f in account)
    assert by_rule(doc, "s3-bucket-versioning-enabled")["arn:aws:s3:::sales-raw"]["status"] == "PASS"
    # Failing closed (the default) still writes the file, and exits 3.
    (tmp_path / "findings.json").unlink()
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 3, again.output
    assert (tmp_path / "findings.json").exists()

