"""End to end: the seeded demo account, scanned with every shipped AWS rule."""

from __future__ import annotations

from typing import Any

import pytest
from aws_helpers import by_rule, scan

from auditor.schemas import findings_errors

pytestmark = pytest.mark.slow  # end to end: the whole demo account, every shipped AWS rule

ACCOUNT = "arn:aws:iam::123456789012:root"


@pytest.fixture(scope="module")
def demo(aws_rules: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    from moto import mock_aws

    from auditor.aws.seed_demo import seed_demo_account

    with mock_aws():
        info = seed_demo_account()
        doc = scan(aws_rules, info["regions"])
    return doc, info


@pytest.fixture
def demo_doc(demo: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    return demo[0]


def status(doc: dict[str, Any], rule: str, resource: str) -> str:
    return str(by_rule(doc, rule)[resource]["status"])


def test_document_validates_and_names_account_and_regions(demo_doc: dict[str, Any]) -> None:
    assert findings_errors(demo_doc) == []
    assert demo_doc["run"]["kind"] == "aws"
    assert demo_doc["run"]["account"] == "123456789012"
    assert demo_doc["run"]["regions"] == ["us-east-1", "us-west-2"]
    assert demo_doc["attachments"]["aws"]["api_calls_total"] > 0


def test_every_declared_gap_fails_with_its_rule(demo: tuple[dict[str, Any], dict[str, Any]]) -> None:
    doc, info = demo
    failing_rules = {f["rule_id"] for f in doc["findings"] if f["status"] == "FAIL"}
    for where, rules in info["gaps"].items():
        for rule in rules:
            assert rule in failing_rules, f"gap {where}: {rule} did not fail"


@pytest.mark.parametrize(("rule", "bucket", "expected"), [
    ("s3-bucket-versioning-enabled", "registraroffice-landing", "PASS"),
    ("s3-bucket-versioning-enabled", "registraroffice-curated", "FAIL"),
    ("s3-bucket-sse-kms-bucket-key", "registraroffice-landing", "PASS"),
    ("s3-bucket-sse-kms-bucket-key", "registraroffice-raw", "FAIL"),
    ("s3-bucket-sse-kms-bucket-key", "registraroffice-curated", "FAIL"),
    ("s3-bucket-replicated-to-versioned-backup", "registraroffice-landing", "PASS"),
    ("s3-bucket-replicated-to-versioned-backup", "govtfinance-311inqvol", "PASS"),
    ("s3-bucket-replicated-to-versioned-backup", "registraroffice-curated", "FAIL"),
    ("s3-bucket-denies-insecure-transport", "registraroffice-landing", "PASS"),
    ("s3-bucket-denies-insecure-transport", "registraroffice-curated", "FAIL"),
    ("s3-bucket-public-access-blocked", "registraroffice-curated", "PASS"),
    ("s3-cloudtrail-bucket-versioned", "registraroffice-cloudtrail-logs", "PASS"),
    ("s3-cloudtrail-bucket-access-logging", "registraroffice-cloudtrail-logs", "FAIL"),
])
def test_bucket_findings(demo_doc: dict[str, Any], rule: str, bucket: str, expected: str) -> None:
    assert status(demo_doc, rule, f"arn:aws:s3:::{bucket}") == expected


def test_backup_and_non_zone_buckets_are_out_of_zone_rules(demo_doc: dict[str, Any]) -> None:
    versioning = by_rule(demo_doc, "s3-bucket-versioning-enabled")
    assert "arn:aws:s3:::registraroffice-backup-usw2" not in versioning
    assert "arn:aws:s3:::registraroffice-access-logs" not in versioning
    # Only the trail's log bucket is judged by the CloudTrail bucket rules.
    assert list(by_rule(demo_doc, "s3-cloudtrail-bucket-access-logging")) == ["arn:aws:s3:::registraroffice-cloudtrail-logs"]


def test_iam_findings_carry_rule_and_cis_ids(demo_doc: dict[str, Any]) -> None:
    mfa = by_rule(demo_doc, "iam-user-console-mfa-enabled")
    analyst = mfa["arn:aws:iam::123456789012:user/analyst"]
    assert analyst["status"] == "FAIL"
    assert analyst["compliance"] == {"cis-aws-5.0": ["1.9"], "cis-aws-6.0": ["2.9"], "governance-baseline": ["GB-IAM-2"]}
    assert mfa["arn:aws:iam::123456789012:user/data-engineer"]["status"] == "PASS"
    assert "arn:aws:iam::123456789012:user/etl-service" not in mfa  # no console password: out of scope
    admin = by_rule(demo_doc, "iam-policy-no-full-admin")
    assert admin["arn:aws:iam::123456789012:policy/legacy-admin"]["status"] == "FAIL"
    assert admin["arn:aws:iam::123456789012:policy/zone-read"]["status"] == "PASS"
    rotated = by_rule(demo_doc, "iam-user-access-keys-rotated")["arn:aws:iam::123456789012:user/etl-service"]
    assert rotated["status"] == "FAIL" and rotated["compliance"]["cis-aws-6.0"] == ["2.13"]
    assert status(demo_doc, "iam-password-policy-min-length", ACCOUNT) == "FAIL"
    assert status(demo_doc, "iam-password-policy-reuse-prevention", ACCOUNT) == "PASS"
    assert status(demo_doc, "account-security-contact-registered", ACCOUNT) == "PASS"


def test_kms_rotation_per_key(demo_doc: dict[str, Any]) -> None:
    statuses = sorted(f["status"] for f in by_rule(demo_doc, "kms-cmk-rotation-enabled").values())
    assert statuses == ["FAIL", "PASS", "PASS"]


def test_logging_and_monitoring(demo_doc: dict[str, Any]) -> None:
    for rule in ("cloudtrail-multi-region-trail-logging", "cloudtrail-baseline-trail",
                 "cloudtrail-s3-object-write-events-logged", "cloudwatch-monitors-unauthorized-api-calls",
                 "cloudwatch-monitors-root-account-usage", "cloudwatch-monitors-iam-policy-changes",
                 "cloudwatch-monitors-cloudtrail-config-changes"):
        assert status(demo_doc, rule, ACCOUNT) == "PASS", rule
    for rule in ("cloudtrail-s3-object-read-events-logged", "cloudwatch-monitors-console-auth-failures",
                 "cloudwatch-monitors-cmk-disable-or-deletion", "cloudwatch-monitors-vpc-changes",
                 "billing-alarm-within-budget"):
        assert status(demo_doc, rule, ACCOUNT) == "FAIL", rule
    auth = by_rule(demo_doc, "cloudwatch-monitors-console-auth-failures")[ACCOUNT]
    assert "without a subscribed alarm" in auth["message"]
    assert auth["compliance"] == {"cis-aws-5.0": ["4.6"], "cis-aws-6.0": ["5.6"]}
    trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/data-platform-trail"
    assert status(demo_doc, "cloudtrail-log-file-validation-enabled", trail) == "PASS"
    assert status(demo_doc, "cloudtrail-kms-encrypted", trail) == "PASS"


def test_regional_services(demo_doc: dict[str, Any]) -> None:
    east = "arn:aws:ec2:us-east-1:123456789012:region/us-east-1"
    west = "arn:aws:ec2:us-west-2:123456789012:region/us-west-2"
    assert status(demo_doc, "config-recorder-recording", east) == "PASS"
    assert status(demo_doc, "config-recorder-recording", west) == "FAIL"
    assert status(demo_doc, "securityhub-enabled", east) == "PASS"
    assert status(demo_doc, "securityhub-enabled", west) == "FAIL"
    assert status(demo_doc, "macie-enabled", east) == "PASS"
    assert status(demo_doc, "macie-enabled", west) == "FAIL"
    # moto does not emulate IAM Access Analyzer: an ERROR naming the operation, never a silent PASS.
    analyzer = by_rule(demo_doc, "iam-access-analyzer-enabled")[east]
    assert analyzer["status"] == "ERROR" and "ListAnalyzers: NotImplemented" in analyzer["message"]


def test_instances_and_vpcs(demo_doc: dict[str, Any]) -> None:
    instances = by_rule(demo_doc, "ec2-instance-uses-iam-role")
    assert sorted(f["status"] for f in instances.values()) == ["FAIL", "PASS"]  # bastion, etl-worker
    imds = by_rule(demo_doc, "ec2-instance-imdsv2-required")
    assert {k: f["status"] for k, f in imds.items()} == {k: f["status"] for k, f in instances.items()}
    vpcs = by_rule(demo_doc, "vpc-flow-logs-enabled")
    assert {f["status"] for f in vpcs.values()} == {"PASS", "FAIL"}  # default VPC of us-east-1 has a flow log


def test_rds_and_efs(demo_doc: dict[str, Any]) -> None:
    for rule in ("rds-instance-storage-encrypted", "rds-instance-auto-minor-version-upgrade",
                 "rds-instance-not-publicly-accessible", "rds-instance-multi-az"):
        found = {k.rsplit(":", 1)[1]: f["status"] for k, f in by_rule(demo_doc, rule).items()}
        assert found == {"registrar-db": "PASS", "legacy-reports-db": "FAIL"}, rule
    efs = {f["message"].split(":")[0]: f["status"] for f in by_rule(demo_doc, "efs-file-system-encrypted").values()}
    assert sorted(efs.values()) == ["FAIL", "PASS"]
    assert any("scratch-share" in name for name, st in efs.items() if st == "FAIL")


def test_network_controls_in_both_regions(demo_doc: dict[str, Any]) -> None:
    ebs = {f["region"]: f["status"] for f in by_rule(demo_doc, "ec2-ebs-default-encryption-enabled").values()}
    assert ebs == {"us-east-1": "PASS", "us-west-2": "FAIL"}
    ssh = {f["message"].split(":")[0]: f["status"]
           for f in by_rule(demo_doc, "ec2-security-group-no-public-ipv4-admin-ports").values()}
    assert [name for name, st in ssh.items() if st == "FAIL"] == [n for n in ssh if n.endswith("(bastion-ssh)")]
    assert {f["status"] for f in by_rule(demo_doc, "ec2-security-group-no-public-cifs").values()} == {"PASS"}
    defaults = by_rule(demo_doc, "ec2-default-security-group-restricts-all")
    assert {(f["region"], f["status"]) for f in defaults.values()} >= {("us-east-1", "PASS"), ("us-west-2", "FAIL")}
    nacls = by_rule(demo_doc, "network-acl-no-public-admin-ports")
    assert {f["region"] for f in nacls.values()} == {"us-east-1", "us-west-2"}
    assert {f["status"] for f in nacls.values()} == {"FAIL"}  # default network ACLs allow all inbound traffic
    [peering] = by_rule(demo_doc, "vpc-peering-routes-least-access").values()
    assert peering["status"] == "PASS"
    # moto does not emulate GetContactInformation: CIS 2.1 is an ERROR naming it, never a PASS.
    contact = by_rule(demo_doc, "account-contact-details-current")[ACCOUNT]
    assert contact["status"] == "ERROR" and "GetContactInformation: NotImplemented" in contact["message"]
