"""Collection fetches only what a scope or a verdict still depends on.

A bucket whose name already makes it a data bucket needs no GetBucketTagging; an
account with Block Public Access fully on needs no per-bucket GetPublicAccessBlock.
The verdicts stay the same as with everything fetched, and a failed call only
blocks the findings that really depend on it.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from aws_helpers import by_rule, only_rules, scan
from test_aws_errors import deny

ZONE_RULES = ("s3-bucket-versioning-enabled", "cloudwatch-dashboard-covers-zone-buckets")


def _buckets() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    for name in ("sales-raw", "misc-store", "scratch"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket="sales-raw", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket="misc-store", Tagging={"TagSet": [{"Key": "DataZone", "Value": "raw"}]})


def _calls(doc: dict[str, Any], op: str) -> int:
    return int(doc["attachments"]["aws"]["api_calls"].get(op, 0))


def test_a_data_bucket_name_settles_scope_without_reading_tags(aws: None, aws_rules: Any) -> None:
    _buckets()
    doc = scan(only_rules(aws_rules, *ZONE_RULES))
    # Tags read for the two buckets whose name does not settle it, once each for both rules.
    assert _calls(doc, "s3:GetBucketTagging") == 2
    for rule in ZONE_RULES:
        found = by_rule(doc, rule)
        assert set(found) == {"arn:aws:s3:::sales-raw", "arn:aws:s3:::misc-store"}
    versioning = by_rule(doc, "s3-bucket-versioning-enabled")
    assert versioning["arn:aws:s3:::sales-raw"]["status"] == "PASS"
    assert versioning["arn:aws:s3:::misc-store"]["status"] == "FAIL"


def test_denied_tags_only_block_buckets_whose_scope_depends_on_them(aws: None, aws_rules: Any) -> None:
    _buckets()
    doc = scan(only_rules(aws_rules, "s3-bucket-versioning-enabled"), aws_event_hooks=[deny("GetBucketTagging")])
    found = by_rule(doc, "s3-bucket-versioning-enabled")
    assert found["arn:aws:s3:::sales-raw"]["status"] == "PASS"
    for name in ("misc-store", "scratch"):  # scope unknown: ERROR, never a guess either way
        assert found[f"arn:aws:s3:::{name}"]["status"] == "ERROR"
        assert "GetBucketTagging: AccessDenied" in found[f"arn:aws:s3:::{name}"]["message"]
    # No verdict call is spent on a bucket whose scope is unknown.
    assert _calls(doc, "s3:GetBucketVersioning") == 1


def _account_block(on: bool) -> None:
    boto3.client("s3control", region_name="us-east-1").put_public_access_block(
        AccountId="123456789012", PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": on})


def test_account_wide_block_public_access_settles_every_bucket(aws: None, aws_rules: Any) -> None:
    _buckets()
    _account_block(True)
    doc = scan(only_rules(aws_rules, "s3-bucket-public-access-blocked"))
    assert {f["status"] for f in by_rule(doc, "s3-bucket-public-access-blocked").values()} == {"PASS"}
    assert len(by_rule(doc, "s3-bucket-public-access-blocked")) == 3
    assert _calls(doc, "s3control:GetPublicAccessBlock") == 1
    assert _calls(doc, "s3:GetPublicAccessBlock") == 0
    # The evidence shows what made it pass, not the bucket setting that was never read.
    evidence = by_rule(doc, "s3-bucket-public-access-blocked")["arn:aws:s3:::scratch"]["evidence"]
    assert evidence and all(k.startswith("AccountPublicAccessBlock.") for k in evidence)


def test_partial_account_block_still_reads_each_bucket(aws: None, aws_rules: Any) -> None:
    _buckets()
    _account_block(False)
    doc = scan(only_rules(aws_rules, "s3-bucket-public-access-blocked"))
    assert _calls(doc, "s3:GetPublicAccessBlock") == 3
    assert {f["status"] for f in by_rule(doc, "s3-bucket-public-access-blocked").values()} == {"FAIL"}


@pytest.mark.slow
def test_more_than_a_thousand_buckets_are_all_scanned(aws: None, aws_rules: Any) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    for i in range(1001):
        s3.create_bucket(Bucket=f"b-{i:04d}-raw")
    doc = scan(only_rules(aws_rules, "cloudwatch-dashboard-covers-zone-buckets"))
    assert doc["attachments"]["aws"]["resources"]["aws.s3-bucket-dashboard-coverage"] == 1001
    assert len(by_rule(doc, "cloudwatch-dashboard-covers-zone-buckets")) == 1001


def test_bucket_region_from_the_listing_saves_get_bucket_location(aws: None, aws_rules: Any) -> None:
    """S3 returns BucketRegion in a ListBuckets with parameters (moto 5.2 does not: added here as S3 does)."""
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="east-raw")
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="west-raw", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    where = {"east-raw": "us-east-1", "west-raw": "eu-west-1"}

    def as_s3_answers(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "ListBuckets":
            for b in parsed.get("Buckets", []):
                b["BucketRegion"] = where[b["Name"]]

    doc = scan(only_rules(aws_rules, "s3-bucket-versioning-enabled"), aws_event_hooks=[("after-call.s3", as_s3_answers)])
    assert _calls(doc, "s3:GetBucketLocation") == 0
    found = by_rule(doc, "s3-bucket-versioning-enabled")
    assert {f["resource_id"].rsplit(":", 1)[1]: f["region"] for f in found.values()} == where
    assert {f["status"] for f in found.values()} == {"FAIL"}
    without = scan(only_rules(aws_rules, "s3-bucket-versioning-enabled"))
    assert _calls(without, "s3:GetBucketLocation") == 2
    assert {f["region"] for f in by_rule(without, "s3-bucket-versioning-enabled").values()} == set(where.values())


def test_a_never_versioned_bucket_fails_replication_without_reading_it(aws: None, aws_rules: Any) -> None:
    _buckets()
    doc = scan(only_rules(aws_rules, "s3-bucket-replicated-to-versioned-backup"))
    found = by_rule(doc, "s3-bucket-replicated-to-versioned-backup")
    assert {k: f["status"] for k, f in found.items()} == {"arn:aws:s3:::sales-raw": "FAIL",
                                                         "arn:aws:s3:::misc-store": "FAIL"}
    assert found["arn:aws:s3:::misc-store"]["evidence"] == {"Versioning.Status": "Disabled"}
    assert _calls(doc, "s3:GetBucketReplication") == 1  # only the versioned one can have a configuration
