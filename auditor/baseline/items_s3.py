"""S3 items: the account's public access block and, per bucket, existence,
versioning, default encryption, public access block, policy, access logging,
noncurrent-version lifecycle and replication to the backup bucket.

Apply never deletes a bucket or an object, never suspends versioning, never
removes a logging target or another team's lifecycle or replication rule
(rules are merged by ID), never drops another statement of a bucket policy
(statements are merged by Sid).
"""

from __future__ import annotations

import json
from typing import Any

from auditor.baseline.live import LiveContext, absent_on, error_code
from auditor.baseline.model import ABSENT, Item, merge_rules, merge_statements, rules_diff, statements_diff
from auditor.baseline.spec import Desired
from auditor.core.errors import CollectionError

_NO_BUCKET = ("NoSuchBucket", "404")
# moto's GetBucketReplication leaves SourceSelectionCriteria out of its answer:
# apply always writes it, plan compares it only when the API reports it.
_UNREPORTED = ("SourceSelectionCriteria",)


def account_public_access_block(ctx: LiveContext, d: Desired) -> list[Item]:
    s3control = ctx.client("s3control")
    account = ctx.spec.target.account

    @absent_on("NoSuchPublicAccessBlockConfiguration")
    def read() -> Any:
        return s3control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]

    def write(cur: Any, want: Any) -> None:
        s3control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration=want)

    return [Item(f"s3-account-public-access-block[{account}]", d.props, read, write)]


def bucket(ctx: LiveContext, d: Desired) -> list[Item]:
    s3 = ctx.client("s3", d.region)
    name = d.name
    p = d.props

    def read_bucket() -> Any:
        from botocore.exceptions import ClientError

        try:
            s3.head_bucket(Bucket=name)
        except ClientError as exc:
            if error_code(exc) in _NO_BUCKET:
                return ABSENT
            if error_code(exc) in ("403", "AccessDenied"):
                raise CollectionError(f"bucket {name} exists but is not accessible (owned by another account?); "
                                      "choose another name in the baseline config") from exc
            raise
        return {}

    def write_bucket(cur: Any, want: Any) -> None:
        params: dict[str, Any] = {"Bucket": name}
        if d.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": d.region}
        s3.create_bucket(**params)

    items = [Item(f"s3-bucket[{name}]", {}, read_bucket, write_bucket)]

    @absent_on(*_NO_BUCKET, "NoSuchTagSet")
    def read_tags() -> Any:
        return {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]}

    def write_tags(cur: Any, want: dict[str, str]) -> None:
        # PutBucketTagging replaces the whole set: keep every other tag.
        merged = {**(cur or {}), **want}
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in merged.items()]})

    items.append(Item(f"s3-bucket-tags[{name}]", p["Tags"], read_tags, write_tags))

    @absent_on(*_NO_BUCKET)
    def read_versioning() -> Any:
        out = s3.get_bucket_versioning(Bucket=name)
        return {"Status": out["Status"]} if "Status" in out else ABSENT

    items.append(Item(f"s3-bucket-versioning[{name}]", p["Versioning"], read_versioning,
                      lambda cur, want: s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=want)))

    @absent_on(*_NO_BUCKET, "ServerSideEncryptionConfigurationNotFoundError")
    def read_encryption() -> Any:
        return s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]

    items.append(Item(f"s3-bucket-encryption[{name}]", p["Encryption"], read_encryption,
                      lambda cur, want: s3.put_bucket_encryption(Bucket=name,
                                                                 ServerSideEncryptionConfiguration=want)))

    @absent_on(*_NO_BUCKET, "NoSuchPublicAccessBlockConfiguration")
    def read_pab() -> Any:
        return s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]

    items.append(Item(f"s3-bucket-public-access-block[{name}]", p["PublicAccessBlock"], read_pab,
                      lambda cur, want: s3.put_public_access_block(Bucket=name,
                                                                   PublicAccessBlockConfiguration=want)))

    @absent_on(*_NO_BUCKET, "NoSuchBucketPolicy")
    def read_policy() -> Any:
        return json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])

    # Merged by Sid: a bucket that already exists may carry statements other services rely on
    # (another trail's delivery, a replication source...); apply adds or fixes ours, keeps theirs.
    items.append(Item(f"s3-bucket-policy[{name}]", p["Policy"], read_policy,
                      lambda cur, want: s3.put_bucket_policy(Bucket=name, Policy=json.dumps(merge_statements(cur, want))),
                      statements_diff))

    if "Logging" in p:
        @absent_on(*_NO_BUCKET)
        def read_logging() -> Any:
            return s3.get_bucket_logging(Bucket=name).get("LoggingEnabled", ABSENT)

        items.append(Item(f"s3-bucket-logging[{name}]", p["Logging"], read_logging,
                          lambda cur, want: s3.put_bucket_logging(Bucket=name,
                                                                  BucketLoggingStatus={"LoggingEnabled": want})))

    @absent_on(*_NO_BUCKET, "NoSuchLifecycleConfiguration")
    def read_lifecycle() -> Any:
        return {"Rules": s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]}

    items.append(Item(f"s3-bucket-lifecycle[{name}]", p["Lifecycle"], read_lifecycle,
                      lambda cur, want: s3.put_bucket_lifecycle_configuration(
                          Bucket=name, LifecycleConfiguration=merge_rules(cur, want)), rules_diff))

    if "Replication" in p:
        @absent_on(*_NO_BUCKET, "ReplicationConfigurationNotFoundError")
        def read_replication() -> Any:
            return s3.get_bucket_replication(Bucket=name)["ReplicationConfiguration"]

        items.append(Item(f"s3-bucket-replication[{name}]", p["Replication"], read_replication,
                          lambda cur, want: s3.put_bucket_replication(
                              Bucket=name, ReplicationConfiguration=merge_rules(cur, want)),
                          lambda cur, want: rules_diff(cur, want, when_reported=_UNREPORTED)))
    return items
