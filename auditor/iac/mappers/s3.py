"""S3 buckets (``aws.s3-bucket``), with the resources that configure them joined in.

A bucket's attributes are those the S3 collector reads (:mod:`auditor.aws.s3`):

=====================  ===============================================================
attribute              CloudFormation / Terraform
=====================  ===============================================================
Versioning             ``VersioningConfiguration`` / ``aws_s3_bucket_versioning`` (or the
                       bucket's legacy ``versioning`` block); none: ``Disabled``
Encryption             ``BucketEncryption`` / ``aws_s3_bucket_server_side_encryption_configuration``;
                       none: ``AES256`` (S3 encrypts every new bucket so since January 2023)
PublicAccessBlock      ``PublicAccessBlockConfiguration`` / ``aws_s3_bucket_public_access_block``;
                       none: all four on (S3's default for new buckets since April 2023)
AccountPublicAccess..  ``aws_s3_account_public_access_block``; else unknown: not in this change
Policy                 ``AWS::S3::BucketPolicy`` / ``aws_s3_bucket_policy``; none: null
Logging                ``LoggingConfiguration`` / ``aws_s3_bucket_logging``
Replication            ``ReplicationConfiguration`` / ``aws_s3_bucket_replication_configuration``;
                       a destination outside the change is unknown (exists? versioned?)
IsCloudTrailBucket     a trail of the change delivers to the bucket
=====================  ===============================================================

A bucket without a name gets the shape of the name generated at deploy (see
:func:`~auditor.iac.mappers.common.name_or_generated`) and is identified by its source
(``file#LogicalId`` / ``file#address``); a named one by its ARN, as in the account scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.core.resources import Resource
from auditor.iac.build import Builder, partition, source_id
from auditor.iac.mappers.common import document, listed, member, name_or_generated, tags, text
from auditor.iac.model import SourceResource
from auditor.iac.values import Symbol, Unknown, as_bool, given

S3_TYPE = "aws.s3-bucket"
BUCKET_TYPES = ("AWS::S3::Bucket", "aws_s3_bucket")
NEW_BUCKET_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True}
NEW_BUCKET_ENCRYPTION = {"SSEAlgorithm": "AES256", "BucketKeyEnabled": False}
TRAIL_BUCKET_ARGS = {"AWS::CloudTrail::Trail": "S3BucketName", "aws_cloudtrail": "s3_bucket_name"}


@dataclass
class BucketDraft:
    """A bucket being assembled from its own declaration and the resources that configure it."""

    source: SourceResource
    name: Any
    generated: bool
    attrs: dict[str, Any] = field(default_factory=dict)
    replication_role: Any = None
    replication_rules: list[dict[str, Any]] = field(default_factory=list)  # {ID, Status, Destination}
    configured_by: list[SourceResource] = field(default_factory=list)


def drafts_from_cloudformation(b: Builder) -> list[BucketDraft]:
    """``AWS::S3::Bucket`` items and the ``AWS::S3::BucketPolicy`` items that name them."""
    drafts: list[BucketDraft] = []
    for src in b.of("AWS::S3::Bucket"):
        p = src.props
        name, generated = name_or_generated(src, p.get("BucketName"), "bucket")
        d = BucketDraft(src, name, generated)
        d.attrs["Tags"] = tags(p.get("Tags"))
        versioning = p.get("VersioningConfiguration")
        d.attrs["Versioning"] = {"Status": (versioning or {}).get("Status", "Disabled")
                                 if not isinstance(versioning, Unknown) else versioning, "MFADelete": "Disabled"}
        d.attrs["Encryption"] = _cfn_encryption(p.get("BucketEncryption"))
        d.attrs["PublicAccessBlock"] = _pab(p.get("PublicAccessBlockConfiguration"),
                                            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                             "RestrictPublicBuckets"))
        logging = p.get("LoggingConfiguration")
        d.attrs["Logging"] = logging if isinstance(logging, Unknown) else (
            {"Enabled": True, "TargetBucket": text(logging.get("DestinationBucketName")),
             "TargetPrefix": logging.get("LogFilePrefix", "")} if isinstance(logging, dict) else {"Enabled": False})
        replication = p.get("ReplicationConfiguration")
        if isinstance(replication, Unknown):
            d.attrs["Replication"] = replication
        elif isinstance(replication, dict):
            d.replication_role = replication.get("Role")
            d.replication_rules = [{"ID": r.get("Id", ""), "Status": r.get("Status"),
                                    "Destination": member(r.get("Destination"), "Bucket")}
                                   for r in listed(replication.get("Rules")) if isinstance(r, dict)]
        lock = p.get("ObjectLockConfiguration")
        d.attrs["ObjectLock"] = {"Enabled": as_bool(p.get("ObjectLockEnabled"), False) is True
                                 or (isinstance(lock, dict) and isinstance(lock.get("ObjectLockEnabled"), str)
                                     and lock["ObjectLockEnabled"] == "Enabled"),
                                 "Rule": lock.get("Rule") if isinstance(lock, dict) else None}
        rules = ((p.get("OwnershipControls") or {}).get("Rules") or [{}]) if isinstance(p.get("OwnershipControls"),
                                                                                          dict) else [{}]
        d.attrs["OwnershipControls"] = {"ObjectOwnership": (rules[0] if isinstance(rules[0], dict) else {})
                                        .get("ObjectOwnership", "BucketOwnerEnforced")}
        d.attrs["Policy"] = None
        b.name("bucket", name, src)
        drafts.append(d)
    for pol in b.of("AWS::S3::BucketPolicy"):
        configured = _draft_for(b, drafts, pol.props.get("Bucket"))
        if configured is not None:
            configured.attrs["Policy"] = document(pol.props.get("PolicyDocument"), f"the policy of {pol.address}")
            configured.configured_by.append(pol)
    return drafts


def _cfn_encryption(value: Any) -> Any:
    if value is None:
        return dict(NEW_BUCKET_ENCRYPTION)
    if isinstance(value, Unknown):
        return value
    rules = value.get("ServerSideEncryptionConfiguration") if isinstance(value, dict) else None
    if isinstance(rules, Unknown):
        return rules
    first = rules[0] if isinstance(rules, list) and rules and isinstance(rules[0], dict) else {}
    default = given(first.get("ServerSideEncryptionByDefault"), {})
    if not isinstance(default, dict):
        return default
    return {"SSEAlgorithm": default.get("SSEAlgorithm"), "KMSMasterKeyID": default.get("KMSMasterKeyID"),
            "BucketKeyEnabled": as_bool(first.get("BucketKeyEnabled"), False)}


def _pab(value: Any, keys: tuple[str, ...], names: tuple[str, ...] | None = None) -> Any:
    """A public access block: ``keys`` as written in the source, reported under the API's names."""
    if value is None:
        return dict(NEW_BUCKET_BLOCK)
    if isinstance(value, Unknown):
        return value
    api = names or keys
    return {a: as_bool(value.get(k), False) for k, a in zip(keys, api, strict=True)}


def _draft_for(b: Builder, drafts: list[BucketDraft], value: Any) -> BucketDraft | None:
    target = b.target(value, "bucket", BUCKET_TYPES)
    return next((d for d in drafts if target is not None and d.source.key == target.key), None)


def finish(b: Builder, drafts: list[BucketDraft]) -> None:
    """Join replication destinations and trails, then add every bucket to the inventory."""
    trail_buckets = {t.key for t in (b.target(src.props.get(arg), "bucket", BUCKET_TYPES)
                                     for typ, arg in TRAIL_BUCKET_ARGS.items() for src in b.of(typ)) if t is not None}
    # Leaves, not the whole value, are unknown: the rule's "bucket or account" alternative
    # then passes on a fully blocked bucket, and is ERROR only when it needs the account's.
    outside = Unknown("the account-level S3 Block Public Access is not in this change")
    account_block = b.account.get("S3PublicAccessBlock", {k: outside for k in NEW_BUCKET_BLOCK})
    by_key = {d.source.key: d for d in drafts}
    for d in drafts:
        src = d.source
        if "Replication" not in d.attrs:
            d.attrs["Replication"] = {"Rules": [_replication_rule(b, by_key, d, r) for r in d.replication_rules],
                                      "Role": text(d.replication_role)}
        known_name = not d.generated and not isinstance(d.name, Unknown)
        arn = f"arn:{partition(src)}:s3:::{d.name}" if known_name else Symbol(f"${{{src.address}.Arn}}", src.key, "Arn")
        attrs = {"Name": d.name, "Arn": arn, "Region": src.region or Unknown("the region is chosen at deploy"),
                 "AccountPublicAccessBlock": account_block, "IsCloudTrailBucket": src.key in trail_buckets, **d.attrs}
        res = Resource(S3_TYPE, arn if known_name else source_id(src), attrs, region=src.region,
                       name=str(d.name) if known_name else src.address)
        b.add(res, src)
        b.use(*d.configured_by)


def _replication_rule(b: Builder, drafts: dict[str, BucketDraft], d: BucketDraft, rule: dict[str, Any]) -> dict[str, Any]:
    dest_value = rule.get("Destination")
    out: dict[str, Any] = {"ID": rule.get("ID", ""), "Status": rule.get("Status")}
    target = b.target(dest_value, "bucket", BUCKET_TYPES)
    dest = drafts.get(target.key) if target is not None else None
    if dest is None:
        shown = dest_value if isinstance(dest_value, str) else "a bucket decided at deploy"
        outside = Unknown(f"the destination bucket {shown} is outside this change")
        out.update({"DestinationBucket": text(dest_value) if isinstance(dest_value, str) else dest_value,
                    "DestinationExists": outside, "DestinationVersioned": outside})
        return out
    status = dest.attrs["Versioning"].get("Status") if isinstance(dest.attrs.get("Versioning"), dict) \
        else dest.attrs.get("Versioning")
    versioned = status if isinstance(status, Unknown) else status == "Enabled"
    out.update({"DestinationBucket": dest.name, "DestinationExists": True, "DestinationVersioned": versioned})
    if d.source.region and dest.source.region:
        out.update({"DestinationRegion": dest.source.region, "CrossRegion": dest.source.region != d.source.region})
    return out
