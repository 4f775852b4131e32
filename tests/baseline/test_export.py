"""``auditor baseline export``: CloudFormation (validated with cfn-lint) and Terraform JSON."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.export import export_baseline

CFG = BaselineConfig(alert_email="governance-alerts@example.com")


def _cfn(cfg: BaselineConfig = CFG) -> dict[str, Any]:
    return dict(json.loads(export_baseline(cfg, "cloudformation")))


def _by_type(template: dict[str, Any], rtype: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == rtype}


@pytest.mark.slow
def test_cloudformation_passes_cfn_lint() -> None:
    from cfnlint.api import lint_all

    text = export_baseline(CFG, "cloudformation")
    problems = [m for m in lint_all(text) if m.rule.id[0] in "EW"]
    assert problems == []


def test_cfn_lint_does_catch_a_broken_export() -> None:
    from cfnlint.api import lint_all

    template = _cfn()
    bucket = next(iter(_by_type(template, "AWS::S3::Bucket").values()))
    bucket["Properties"]["VersioningConfiguration"] = {"Status": "On"}
    assert [m.rule.id for m in lint_all(json.dumps(template)) if m.rule.id[0] == "E"] == ["E3030"]


def test_cloudformation_content_matches_the_baseline() -> None:
    t = _cfn()
    buckets = _by_type(t, "AWS::S3::Bucket")
    assert sorted(b["Properties"]["BucketName"] for b in buckets.values()) == sorted(
        ["registraroffice-landing", "registraroffice-raw", "registraroffice-curated", "registraroffice-backup",
         "registraroffice-cloudtrail-logs", "registraroffice-access-logs"])
    for b in buckets.values():   # data is never deleted with the stack
        assert b["DeletionPolicy"] == "Retain" and b["UpdateReplacePolicy"] == "Retain"
        assert b["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    landing = next(b for b in buckets.values() if b["Properties"]["BucketName"] == "registraroffice-landing")
    enc = landing["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert enc["BucketKeyEnabled"] is True
    assert enc["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                    "KMSMasterKeyID": {"Fn::Sub": "${DataKey.Arn}"}}
    repl = landing["Properties"]["ReplicationConfiguration"]
    assert repl["Rules"][0]["Destination"]["Bucket"] == {"Fn::GetAtt": ["BucketRegistrarofficeBackup", "Arn"]}
    keys = _by_type(t, "AWS::KMS::Key")
    assert set(keys) == {"DataKey", "LogsKey"}
    assert all(k["Properties"]["EnableKeyRotation"] is True and k["DeletionPolicy"] == "Retain" for k in keys.values())
    trail = next(iter(_by_type(t, "AWS::CloudTrail::Trail").values()))["Properties"]
    assert trail["IsMultiRegionTrail"] and trail["EnableLogFileValidation"] and trail["IsLogging"]
    assert trail["KMSKeyId"] == {"Fn::Sub": "${LogsKey.Arn}"}
    assert len(_by_type(t, "AWS::Logs::MetricFilter")) == 15
    alarms = _by_type(t, "AWS::CloudWatch::Alarm")
    billing = next(a for a in alarms.values() if a["Properties"]["MetricName"] == "EstimatedCharges")
    assert billing["Condition"] == "InBillingRegion" and billing["Properties"]["Threshold"] == 40
    # no placeholder survives: every account/region/key reference became an intrinsic
    assert "__" not in json.dumps(t).replace("__default", "")


def test_cloudformation_follows_the_config() -> None:
    cfg = BaselineConfig(zone_buckets={"landing": "acme-landing", "raw": "acme-raw", "curated": "acme-curated"},
                         budget_usd=25)
    t = _cfn(cfg)
    names = {b["Properties"]["BucketName"] for b in _by_type(t, "AWS::S3::Bucket").values()}
    assert {"acme-landing", "acme-raw", "acme-curated"} <= names
    assert _by_type(t, "AWS::SNS::Subscription") == {}       # no alert_email: no subscription
    billing = [a for a in _by_type(t, "AWS::CloudWatch::Alarm").values()
               if a["Properties"]["MetricName"] == "EstimatedCharges"]
    assert billing[0]["Properties"]["Threshold"] == 25


def test_terraform_references_resolve() -> None:
    tf = json.loads(export_baseline(CFG, "terraform"))
    declared = {f"{rtype}.{name}" for rtype, items in tf["resource"].items() for name in items}
    declared |= {f"data.{dtype}.{name}" for dtype, items in tf["data"].items() for name in items}
    text = json.dumps(tf["resource"])
    refs = {".".join(m.split(".")[:3] if m.startswith("data.") else m.split(".")[:2])
            for m in re.findall(r"\$\{([^}]+)\}", text)}
    assert refs and refs <= declared, refs - declared
    deps = {d for items in tf["resource"].values() for body in items.values() for d in body.get("depends_on", [])}
    assert deps <= declared, deps - declared
    assert "__" not in text
    assert tf["resource"]["aws_iam_account_password_policy"]["baseline"]["minimum_password_length"] == 14
    alarm = tf["resource"]["aws_cloudwatch_metric_alarm"]["registraroffice_billing_estimated_charges"]
    assert alarm["provider"] == "aws.billing" and alarm["dimensions"] == {"Currency": "USD"}
    for bucket in tf["resource"]["aws_s3_bucket"].values():
        assert bucket["lifecycle"] == {"prevent_destroy": True}


@pytest.mark.parametrize("fmt", ["cloudformation", "terraform"])
def test_export_is_deterministic(fmt: str) -> None:
    assert export_baseline(CFG, fmt) == export_baseline(CFG, fmt)
