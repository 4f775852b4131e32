"""Explicit scope: a data-zone rule whose selector matched nothing says so on the account.

Defect (issue 14): an account whose buckets matched neither the DataZone tag nor the
name pattern got no finding and no warning from the data-zone rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
from aws_helpers import by_rule, only_rules, scan
from click.testing import CliRunner
from test_aws_errors import deny

from auditor.cli import cli

ACCOUNT = "arn:aws:iam::123456789012:root"
ZONE_RULES = ("s3-bucket-versioning-enabled", "s3-bucket-sse-kms-bucket-key", "s3-bucket-replicated-to-versioned-backup")


def _buckets(*names: str) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    for name in names:
        s3.create_bucket(Bucket=name)


def test_no_data_zone_bucket_is_an_error_on_the_account_for_each_rule(aws: None, aws_rules: Any) -> None:
    _buckets("scratch", "website-assets")
    doc = scan(only_rules(aws_rules, *ZONE_RULES, "s3-bucket-mfa-delete-enabled"))
    for rule in ZONE_RULES:
        found = by_rule(doc, rule)
        assert list(found) == [ACCOUNT], rule
        f = found[ACCOUNT]
        assert f["status"] == "ERROR" and f["resource_type"] == "aws.s3-bucket"
        assert "0 of 2 aws.s3-bucket resources matched" in f["message"]
        assert "Tags.DataZone present" in f["message"] and "-(landing|raw|curated)$" in f["message"]
        assert "min_in_scope: 0" in f["remediation"] and "docs/aws-data-zones.md" in f["remediation"]
        assert doc["attachments"]["aws"]["scope"][rule]["matched"] == 0
    # A rule without a selector judges every bucket, and gets no scope finding.
    assert ACCOUNT not in by_rule(doc, "s3-bucket-mfa-delete-enabled")
    assert "s3-bucket-mfa-delete-enabled" not in doc["attachments"]["aws"]["scope"]


def test_matched_buckets_are_counted_and_no_scope_error(aws: None, aws_rules: Any) -> None:
    _buckets("scratch", "sales-raw", "misc-store")
    boto3.client("s3", region_name="us-east-1").put_bucket_tagging(
        Bucket="misc-store", Tagging={"TagSet": [{"Key": "DataZone", "Value": "raw"}]})
    doc = scan(only_rules(aws_rules, "s3-bucket-versioning-enabled"))
    found = by_rule(doc, "s3-bucket-versioning-enabled")
    assert ACCOUNT not in found and set(found) == {"arn:aws:s3:::sales-raw", "arn:aws:s3:::misc-store"}
    scope = doc["attachments"]["aws"]["scope"]["s3-bucket-versioning-enabled"]
    assert (scope["matched"], scope["candidates"]) == (2, 3)


def test_an_empty_account_gets_the_scope_error_too(aws: None, aws_rules: Any) -> None:
    doc = scan(only_rules(aws_rules, "s3-bucket-versioning-enabled"))
    [f] = by_rule(doc, "s3-bucket-versioning-enabled").values()
    assert (f["resource_id"], f["status"]) == (ACCOUNT, "ERROR")
    assert "0 of 0" in f["message"]


def test_a_failed_listing_is_reported_once(aws: None, aws_rules: Any) -> None:
    doc = scan(only_rules(aws_rules, "s3-bucket-versioning-enabled"), aws_event_hooks=[deny("ListBuckets")])
    found = [f for f in doc["findings"] if f["rule_id"] == "s3-bucket-versioning-enabled"]
    assert len(found) == 1 and "ListBuckets: AccessDenied" in found[0]["message"]


def _cli_scan(tmp_path: Path, config: str | None) -> tuple[int, dict[str, Any]]:
    rules = Path(__file__).parents[2] / "rules" / "aws" / "s3.yml"
    args = ["aws", "scan", "--region", "us-east-1", "--rules", str(rules), "--output-dir", str(tmp_path / "out"),
            "--fail-on", "none"]
    if config is not None:
        (tmp_path / "audit.yml").write_text(config, encoding="utf-8")
        args += ["--config", str(tmp_path / "audit.yml")]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))


def test_the_gate_counts_the_scope_error_and_the_run_config_sets_the_selector(aws: None, tmp_path: Path) -> None:
    _buckets("enrolment-store")
    code, doc = _cli_scan(tmp_path, None)
    assert code == 3  # nothing checked is never a pass: the gate fails closed
    assert by_rule(doc, "s3-bucket-versioning-enabled")[ACCOUNT]["status"] == "ERROR"
    # The run config points the selector at the account's naming scheme ...
    code, doc = _cli_scan(tmp_path, "version: 1\nrules:\n  s3-bucket-versioning-enabled:\n"
                                    "    params: {data_bucket_pattern: '-store$'}\n")
    found = by_rule(doc, "s3-bucket-versioning-enabled")
    assert set(found) == {"arn:aws:s3:::enrolment-store"} and found["arn:aws:s3:::enrolment-store"]["status"] == "FAIL"
    # ... or says the account rightly holds no data zone.
    code, doc = _cli_scan(tmp_path, "version: 1\nrules:\n  s3-bucket-versioning-enabled:\n"
                                    "    params: {min_in_scope: 0}\n")
    assert by_rule(doc, "s3-bucket-versioning-enabled") == {}
