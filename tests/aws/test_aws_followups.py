"""Root MFA without a root password (CIS 2.4/2.5), the engine's crash path, GB-KMS-2, the dashboard scope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_helpers import by_rule, only_rules, scan

from auditor.audit_run import default_rule_paths, prepare
from auditor.core import filters
from auditor.core.resources import Inventory, Resource
from auditor.core.rule_engine import Engine

ROOT = "arn:aws:iam::123456789012:root"


def _summary_says(password_present: int | None) -> tuple[str, Any]:
    """An ``after-call`` hook adding AccountPasswordPresent to GetAccountSummary (moto leaves it out)."""

    def hook(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "GetAccountSummary" and password_present is not None:
            parsed["SummaryMap"]["AccountPasswordPresent"] = password_present

    return "after-call", hook


@pytest.mark.parametrize(("present", "expected"), [(0, "PASS"), (1, "FAIL"), (None, "FAIL")])
def test_root_without_password_passes_the_mfa_controls(aws: None, aws_rules: Any, present: int | None,
                                                       expected: str) -> None:
    rules = ("iam-root-mfa-enabled", "iam-root-hardware-mfa-enabled")
    doc = scan(only_rules(aws_rules, *rules), aws_event_hooks=[_summary_says(present)])
    for rule in rules:  # moto's root has no MFA: only "no password" can pass
        finding = by_rule(doc, rule)[ROOT]
        assert finding["status"] == expected, finding
    if present == 0:
        assert by_rule(doc, "iam-root-mfa-enabled")[ROOT]["evidence"]["Root.PasswordPresent"] is False


def test_an_engine_crash_is_an_error_for_that_rule_and_the_scan_goes_on(aws: None, aws_rules: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="crash-raw")
    prepared = only_rules(aws_rules, "s3-bucket-versioning-enabled", "s3-bucket-denies-insecure-transport")
    real = filters.evaluate_all

    def crashing(items: Any, attrs: Any, ctx: Any) -> Any:
        if ctx.params.get("data_bucket_pattern") is not None:  # only the data-zone rule's filters
            raise RuntimeError("boom in the engine")
        return real(items, attrs, ctx)

    monkeypatch.setattr("auditor.core.rule_engine.evaluate_all", crashing)
    doc = scan(prepared)
    broken = by_rule(doc, "s3-bucket-versioning-enabled")["arn:aws:s3:::crash-raw"]
    assert broken["status"] == "ERROR"
    assert "internal error: RuntimeError at test_aws_followups.py:" in broken["message"]
    assert "boom" not in broken["message"]  # an exception's text can quote data: never in a finding
    assert by_rule(doc, "s3-bucket-denies-insecure-transport")["arn:aws:s3:::crash-raw"]["status"] == "FAIL"


def test_engine_run_keeps_other_resources_when_one_crashes(monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = prepare(default_rule_paths("aws"))
    rule = next(r for r in prepared.rules if r.id == "kms-cmk-rotation-enabled")
    inventory = Inventory()
    base = {"KeyManager": "CUSTOMER", "KeySpec": "SYMMETRIC_DEFAULT", "KeyState": "Enabled", "Origin": "AWS_KMS"}
    inventory.add(Resource("aws.kms-key", "arn:k1", {**base, "KeyRotationEnabled": True}))
    inventory.add(Resource("aws.kms-key", "arn:k2", {**base, "KeyRotationEnabled": "boom"}))
    real = filters.evaluate_all

    def crashing(items: Any, attrs: Any, ctx: Any) -> Any:
        if attrs.get("KeyRotationEnabled") == "boom":
            raise LookupError("unexpected")
        return real(items, attrs, ctx)

    monkeypatch.setattr("auditor.core.rule_engine.evaluate_all", crashing)
    found = {f.resource_id: f for f in Engine([rule]).run(inventory)}
    assert str(found["arn:k1"].status) == "PASS"
    assert str(found["arn:k2"].status) == "ERROR" and "LookupError at test_aws_followups.py:" in found["arn:k2"].message


def test_kms_pending_deletion_rules_map_to_gb_kms_2(aws_rules: Any) -> None:
    rules = {r.id: r for r in aws_rules.rules}
    for rule_id in ("kms-key-not-pending-deletion", "kms-bucket-key-not-pending-deletion"):
        assert rules[rule_id].compliance.get("governance-baseline") == ["GB-KMS-2"]
    assert "GB-KMS-2" in {c.id for c in aws_rules.frameworks["governance-baseline"].controls}


def test_dashboard_rule_without_zone_buckets_is_an_error_not_silence(aws: None, aws_rules: Any) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="just-a-bucket")
    doc = scan(only_rules(aws_rules, "cloudwatch-dashboard-covers-zone-buckets"))
    (finding,) = doc["findings"]
    assert finding["status"] == "ERROR" and finding["resource_id"] == ROOT
    assert finding["message"].startswith("no scope: 0 of 1 aws.s3-bucket-dashboard-coverage resources matched")


def test_framework_file_is_valid_yaml_with_the_new_control() -> None:
    text = (Path(__file__).resolve().parents[2] / "auditor/compliance/frameworks/governance-baseline.yml").read_text()
    assert "- id: GB-KMS-2\n  title: Keys in use are not pending deletion" in text
