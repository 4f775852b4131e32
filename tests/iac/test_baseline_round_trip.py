"""The governed baseline round-trips: exported as CloudFormation or Terraform, ``iac scan`` finds no
FAIL on the controls it covers; taking versioning off one bucket gives exactly that FAIL, at that line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from iac_helpers import scan

from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.demo_cycle import break_glass_mute
from auditor.baseline.export import export_baseline

# As tests/baseline/test_scan_after_apply.py: what applying the baseline establishes.
COVERED = {
    "governance-baseline": {"GB-S3-1", "GB-S3-2", "GB-S3-3", "GB-S3-4", "GB-KMS-1", "GB-CT-1", "GB-CT-2",
                            "GB-BILL-1", "GB-IAM-1", "GB-MON-1"},
    "cis-aws-6.0": {"2.7", "2.8", "2.15", "2.16", "3.1.1", "3.1.4", "4.1", "4.2", "4.4", "4.5", "4.6", "4.8",
                    "4.9", *(f"5.{i}" for i in range(1, 16))},
}
CFG = BaselineConfig(alert_email="governance-alerts@example.com")
RAW = "registraroffice-raw"


def _covered(f: dict[str, Any]) -> bool:
    return any(set(ids) & COVERED.get(fw, set()) for fw, ids in f["compliance"].items())


def _export(tmp_path: Path, fmt: str) -> Path:
    path = tmp_path / ("baseline.json" if fmt == "cloudformation" else "baseline.tf.json")
    path.write_text(export_baseline(CFG, fmt), encoding="utf-8")
    return path


def _mutes(tmp_path: Path) -> Path:
    path = tmp_path / "accepted-risks.yml"
    path.write_text(yaml.safe_dump({"version": 1, "mutes": [break_glass_mute(CFG, today=None)]}), encoding="utf-8")
    return path


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("fmt", ["cloudformation", "terraform"])
def test_exported_baseline_has_no_fail_on_the_controls_it_covers(tmp_path: Path, fmt: str) -> None:
    doc = scan(_export(tmp_path, fmt), mutelist=_mutes(tmp_path))
    fails = [(f["rule_id"], f["resource_id"]) for f in doc["findings"] if f["status"] == "FAIL" and _covered(f)]
    assert fails == []
    # Not vacuous: the covered S3, KMS, CloudTrail and IAM controls were judged and passed.
    passed = {c for f in doc["findings"] if f["status"] == "PASS" for ids in f["compliance"].values() for c in ids}
    assert {"GB-S3-1", "GB-S3-2", "GB-S3-3", "GB-S3-4", "GB-KMS-1", "GB-CT-1", "GB-CT-2", "4.1", "4.2", "4.5",
            "4.6", "4.8", "4.9", "3.1.1", "3.1.4"} <= passed
    muted = [f for f in doc["findings"] if f["status"] == "MUTED"]
    assert [f["rule_id"] for f in muted] == ["iam-policy-no-full-admin"]
    assert "break-glass-admins" in muted[0]["resource_id"]
    # What stays open is the human step: email subscriptions wait for their recipient (never a PASS).
    errors = {f["rule_id"] for f in doc["findings"] if f["status"] == "ERROR" and _covered(f)}
    assert errors == {"billing-alarm-within-budget", *(f["rule_id"] for f in doc["findings"]
                                                       if f["rule_id"].startswith("cloudwatch-monitors-"))}
    assert all("must be confirmed by their recipient" in f["message"] for f in doc["findings"]
               if f["status"] == "ERROR" and _covered(f))
    if fmt == "terraform":  # the password policy is in Terraform only (CloudFormation has no resource for it)
        assert {"2.7", "2.8"} <= passed


def test_suspending_versioning_of_one_exported_bucket_gives_exactly_that_fail_at_its_line(tmp_path: Path) -> None:
    template = _export(tmp_path, "cloudformation")
    before = scan(template)
    data = json.loads(template.read_text(encoding="utf-8"))
    logical = next(k for k, r in data["Resources"].items()
                   if r["Type"] == "AWS::S3::Bucket" and r["Properties"]["BucketName"] == RAW)
    data["Resources"][logical]["Properties"]["VersioningConfiguration"] = {"Status": "Suspended"}
    text = json.dumps(data, indent=2)
    template.write_text(text, encoding="utf-8")
    after = scan(template)
    new = _new_fails(before, after)
    assert [(f["rule_id"], f["resource_id"]) for f in new] == [("s3-bucket-versioning-enabled", f"arn:aws:s3:::{RAW}")]
    assert new[0]["location"] == {"file": str(template), "line": _line(text, f'"{logical}": {{'), "column": 5,
                                  "address": logical}


def test_removing_versioning_from_an_exported_bucket_fails_it_and_what_needs_it(tmp_path: Path) -> None:
    template = _export(tmp_path, "cloudformation")
    before = scan(template)
    data = json.loads(template.read_text(encoding="utf-8"))
    logical = next(k for k, r in data["Resources"].items()
                   if r["Type"] == "AWS::S3::Bucket" and r["Properties"]["BucketName"] == RAW)
    del data["Resources"][logical]["Properties"]["VersioningConfiguration"]
    text = json.dumps(data, indent=2)
    template.write_text(text, encoding="utf-8")
    new = _new_fails(before, scan(template))
    # S3 replicates only from a versioned bucket: the replication control fails with it, same bucket, same line.
    assert sorted(f["rule_id"] for f in new) == ["s3-bucket-replicated-to-versioned-backup",
                                                 "s3-bucket-versioning-enabled"]
    assert {f["location"]["line"] for f in new} == {_line(text, f'"{logical}": {{')}


def test_terraform_export_versioning_suspended_gives_exactly_that_fail(tmp_path: Path) -> None:
    config = _export(tmp_path, "terraform")
    before = scan(config)
    data = json.loads(config.read_text(encoding="utf-8"))
    name = RAW.replace("-", "_")
    data["resource"]["aws_s3_bucket_versioning"][name]["versioning_configuration"]["status"] = "Suspended"
    text = json.dumps(data, indent=2)
    config.write_text(text, encoding="utf-8")
    new = _new_fails(before, scan(config))
    assert [(f["rule_id"], f["resource_id"]) for f in new] == [("s3-bucket-versioning-enabled", f"arn:aws:s3:::{RAW}")]
    assert new[0]["location"]["address"] == f"aws_s3_bucket.{name}"
    lines = text.splitlines()
    section = next(i for i, line in enumerate(lines) if line.strip() == '"aws_s3_bucket": {')
    bucket_line = next(i for i, line in enumerate(lines[section:], section + 1) if line.strip() == f'"{name}": {{')
    assert new[0]["location"]["line"] == bucket_line


def _new_fails(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    old = {(f["rule_id"], f["resource_id"]) for f in before["findings"] if f["status"] == "FAIL"}
    return [f for f in after["findings"] if f["status"] == "FAIL" and (f["rule_id"], f["resource_id"]) not in old]
