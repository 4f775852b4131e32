"""One attribute table per resource type: docs, fetchers and IAM permissions declared once.

The resource types' ``attributes`` and ``permissions`` (and so ``auditor permissions``)
come from the tables; every call a fetcher makes while the demo account is scanned is
checked against the permissions *that attribute* declares, so a wrong declaration fails
here, not in someone's AccessDenied.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_helpers import only_rules, scan
from click.testing import CliRunner

from auditor.aws import attributes as attribute_tables
from auditor.aws.permissions import iam_action, readonly_policy
from auditor.aws.session import AwsSession
from auditor.cli import cli
from auditor.core.resources import resource_types


def _tables() -> dict[str, attribute_tables.AttributeTable]:
    import auditor.aws.resource_types  # noqa: F401 - registers the resource types
    from auditor.aws import (
        account,
        cloudtrail,
        cloudwatch,
        dashboard,
        ec2,
        efs,
        iam,
        kms,
        network,
        rds,
        regional,
        s3,
    )

    found = [account.TABLE, cloudtrail.TABLE, cloudwatch.TABLE, dashboard.TABLE, ec2.VPC_TABLE,
             ec2.EC2INSTANCE_TABLE, ec2.EC2SETTINGS_TABLE, efs.TABLE, iam.USER_TABLE, iam.POLICY_TABLE,
             iam.CERT_TABLE, kms.TABLE, network.SG_TABLE, network.NACL_TABLE, network.ROUTE_TABLE_TABLE,
             rds.TABLE, regional.TABLE, s3.TABLE]
    return {t.type_name: t for t in found}


def test_every_aws_resource_type_has_one_table_that_its_declarations_come_from() -> None:
    tables = _tables()
    aws_types = {name for name, _ in resource_types.items() if name.startswith("aws.")}
    assert aws_types == set(tables)
    for name, table in tables.items():
        rtype = resource_types.get(name)
        assert rtype.attributes == table.docs(), name
        assert rtype.permissions == table.permissions(), name
        assert all(spec.doc for spec in table.attributes.values()), name


def test_auditor_permissions_prints_the_union_of_the_tables() -> None:
    result = CliRunner().invoke(cli, ["permissions"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == readonly_policy()
    actions = set(printed["Statement"][0]["Action"])
    declared = {a for t in _tables().values() for a in t.permissions()}
    assert declared <= actions
    # Spot checks: an attribute's own action is in the policy.
    assert {"s3:GetBucketPolicy", "kms:GetKeyRotationStatus", "iam:GenerateCredentialReport",
            "ec2:DescribeVpcPeeringConnections", "rds:DescribeDBClusters"} <= actions


@pytest.mark.slow
def test_each_call_a_fetcher_makes_is_declared_by_its_attribute(aws: None, aws_rules: Any) -> None:
    from auditor.aws.seed_demo import seed_demo_account

    tables = _tables()
    seen: dict[tuple[str, str], set[str]] = {}

    def observer(service: str, region: str, operation: str) -> None:
        where = attribute_tables.current()
        if where is not None and where[1] is not None:
            seen.setdefault((where[0], where[1]), set()).add(iam_action(service, operation))

    info = seed_demo_account()
    AwsSession.observers.append(observer)
    try:
        scan(aws_rules, info["regions"])
    finally:
        AwsSession.observers.remove(observer)
    assert len(seen) >= 25, f"too few attributes fetched ({len(seen)}): is the attribution wired?"
    wrong = []
    for (type_name, attr), actions in sorted(seen.items()):
        table = tables[type_name]
        allowed = set(table.attribute_permissions(attr)) | set(table.listing)
        if actions - allowed:
            wrong.append(f"{type_name}.{attr} calls {sorted(actions - allowed)}, declares {sorted(allowed)}")
    assert not wrong, "\n".join(wrong)


def test_the_loop_fetches_only_what_an_open_rule_needs(aws: None, aws_rules: Any) -> None:
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="orders-raw")      # in the data-zone scope by its name: no GetBucketTagging
    s3.create_bucket(Bucket="plain-bucket")    # only its tags can say: one GetBucketTagging
    calls: list[str] = []

    def spy(model: Any, **_: Any) -> None:
        calls.append(model.name)

    doc = scan(only_rules(aws_rules, "s3-bucket-versioning-enabled"), aws_event_hooks=[("before-call", spy)])
    assert calls.count("GetBucketTagging") == 1
    assert calls.count("GetBucketVersioning") == 1  # plain-bucket is out of scope once its tags are known
    assert "GetBucketPolicy" not in calls and "GetBucketEncryption" not in calls
    assert [f["resource_id"] for f in doc["findings"]] == ["arn:aws:s3:::orders-raw"]


def test_api_calls_are_counted_by_resource_type(aws: None, aws_rules: Any) -> None:
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1")
    for name in ("a-raw", "b-raw", "c-raw"):
        s3.create_bucket(Bucket=name)
    boto3.client("kms", region_name="us-east-1").create_key()
    doc = scan(only_rules(aws_rules, "s3-bucket-versioning-enabled", "kms-cmk-rotation-enabled"))
    stats = doc["attachments"]["aws"]
    by_type = stats["api_calls_by_type"]
    assert sum(by_type.values()) == stats["api_calls_total"]
    # ListBuckets, then per bucket GetBucketLocation (in-process moto leaves BucketRegion out of
    # ListBuckets) and GetBucketVersioning; ListKeys + DescribeKey + GetKeyRotationStatus.
    assert by_type["aws.s3-bucket"] == 1 + 3 + 3
    assert by_type["aws.kms-key"] == 3
    assert by_type["(scan)"] == stats["api_calls_total"] - 10  # GetCallerIdentity (regions are given)
