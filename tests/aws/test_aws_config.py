"""The ``aws`` section of the run config is validated and used by the scan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from auditor.audit_run import default_rule_paths, prepare
from auditor.aws.scan import ScanOptions, run_scan
from auditor.core.errors import ConfigError


def test_unknown_aws_setting_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "audit.yml"
    cfg.write_text("version: 1\naws: {regions: [us-east-1], max_atempts: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_atempts"):
        prepare(default_rule_paths("aws"), config=cfg)


def test_config_regions_and_params_are_used(aws: None, tmp_path: Path) -> None:
    cfg = tmp_path / "audit.yml"
    cfg.write_text("version: 1\naws: {regions: [eu-west-1], max_attempts: 2}\n"
                   "rules: {iam-password-policy-min-length: {params: {min_length: 8}}}\n", encoding="utf-8")
    boto3.client("iam").update_account_password_policy(MinimumPasswordLength=8)
    prepared: Any = prepare(default_rule_paths("aws"), config=cfg)
    doc = run_scan(prepared, ScanOptions(config=prepared.config.section("aws")))
    assert doc["run"]["regions"] == ["eu-west-1"]
    [finding] = [f for f in doc["findings"] if f["rule_id"] == "iam-password-policy-min-length"]
    assert finding["status"] == "PASS"


def test_assume_role_scans_with_the_role(aws: None) -> None:
    import json as _json

    iam = boto3.client("iam")
    role = iam.create_role(RoleName="auditor-readonly", AssumeRolePolicyDocument=_json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))["Role"]["Arn"]
    boto3.client("kms", region_name="us-east-1").create_key()
    prepared: Any = prepare(default_rule_paths("aws"))
    prepared.rules = [r for r in prepared.rules if r.id == "kms-cmk-rotation-enabled"]
    doc = run_scan(prepared, ScanOptions(regions=["us-east-1"], role_arn=role, external_id="ext-1"))
    assert [f["status"] for f in doc["findings"]] == ["FAIL"]
