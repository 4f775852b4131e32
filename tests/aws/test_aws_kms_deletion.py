"""KMS keys pending deletion: critical when some bucket's default encryption key, high otherwise."""

from __future__ import annotations

from typing import Any

import boto3
from aws_helpers import by_rule, only_rules, scan
from test_aws_errors import deny

HIGH, CRITICAL = "kms-key-not-pending-deletion", "kms-bucket-key-not-pending-deletion"


def _kms_bucket(bucket: str, key_ref: str, region: str = "us-east-1") -> None:
    s3 = boto3.client("s3", region_name=region)
    kwargs: dict[str, Any] = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **kwargs)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_ref},
        "BucketKeyEnabled": True}]})


def _keys() -> dict[str, str]:
    """by-arn: a bucket names it by ARN; by-alias: by alias; by-id-eu: by bare id in eu-west-1;
    unused: no bucket; kept: in use and enabled. All but ``kept`` are scheduled for deletion."""
    kms, kms_eu = boto3.client("kms", region_name="us-east-1"), boto3.client("kms", region_name="eu-west-1")
    arns = {name: kms.create_key(Description=name)["KeyMetadata"]["Arn"] for name in ("by-arn", "by-alias", "unused",
                                                                                     "kept")}
    arns["by-id-eu"] = kms_eu.create_key(Description="by-id-eu")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/zone-data", TargetKeyId=arns["by-alias"])
    _kms_bucket("sales-raw", arns["by-arn"])
    _kms_bucket("sales-curated", "alias/zone-data")
    _kms_bucket("sales-archive", "arn:aws:kms:us-east-1:123456789012:alias/zone-data")
    _kms_bucket("sales-eu-raw", arns["by-id-eu"].rsplit("/", 1)[1], region="eu-west-1")
    _kms_bucket("sales-landing", arns["kept"])
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="sse-s3-only")
    s3.put_bucket_encryption(Bucket="sse-s3-only", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    for name, arn in arns.items():
        if name != "kept":
            client = kms_eu if ":eu-west-1:" in arn else kms
            client.schedule_key_deletion(KeyId=arn.rsplit("/", 1)[1], PendingWindowInDays=7)
    return arns


def test_pending_deletion_is_critical_for_bucket_keys_and_high_otherwise(aws: None, aws_rules: Any) -> None:
    arns = _keys()
    doc = scan(only_rules(aws_rules, HIGH, CRITICAL), ["eu-west-1", "us-east-1"])
    high, critical = by_rule(doc, HIGH), by_rule(doc, CRITICAL)
    for name, bucket in (("by-arn", "sales-raw"), ("by-alias", "sales-curated"), ("by-id-eu", "sales-eu-raw")):
        f = critical[arns[name]]
        assert (f["status"], f["severity"]) == ("FAIL", "critical"), name
        assert bucket in f["message"] and "scheduled for deletion" in f["message"]
        assert arns[name] not in high  # one FAIL per key, at the severity that applies
    assert "sales-archive" in critical[arns["by-alias"]]["message"]  # named by alias ARN
    assert (high[arns["unused"]]["status"], high[arns["unused"]]["severity"]) == ("FAIL", "high")
    assert arns["unused"] not in critical
    assert high[arns["kept"]]["status"] == critical[arns["kept"]]["status"] == "PASS"


def test_no_bucket_is_read_when_no_key_is_pending_deletion(aws: None, aws_rules: Any) -> None:
    key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]
    _kms_bucket("sales-raw", key)
    doc = scan(only_rules(aws_rules, HIGH, CRITICAL))
    assert by_rule(doc, HIGH)[key]["status"] == by_rule(doc, CRITICAL)[key]["status"] == "PASS"
    calls = doc["attachments"]["aws"]["api_calls"]
    assert "s3:ListBuckets" not in calls and "s3:GetBucketEncryption" not in calls


def test_unreadable_bucket_encryption_makes_an_unused_pending_key_an_error(aws: None, aws_rules: Any) -> None:
    kms = boto3.client("kms", region_name="us-east-1")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="sales-raw")
    kms.schedule_key_deletion(KeyId=key.rsplit("/", 1)[1], PendingWindowInDays=7)
    doc = scan(only_rules(aws_rules, HIGH, CRITICAL), aws_event_hooks=[deny("GetBucketEncryption")])
    # Whether sales-raw uses the key is unknown: neither "high" nor "critical" would be honest.
    for rule in (HIGH, CRITICAL):
        f = by_rule(doc, rule)[key]
        assert f["status"] == "ERROR" and "GetBucketEncryption: AccessDenied" in f["message"], rule
