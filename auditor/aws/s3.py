"""S3 buckets: versioning, encryption, public access, policy, logging, replication...

Resource type ``aws.s3-bucket`` (id ``arn:aws:s3:::<name>``). Only the attributes
some loaded rule reads are fetched. Example rule::

    - id: s3-bucket-versioning-enabled
      resource: aws.s3-bucket
      assert: [{key: Versioning.Status, op: eq, value: Enabled}]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from auditor.aws import policy_doc
from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.attribution import attributing
from auditor.aws.bucket_calls import bucket_names, bucket_region, list_buckets, logging, versioning
from auditor.aws.cloudtrail import trail_bucket_names
from auditor.aws.collect import Scope, collector, error_code, fetch
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

S3_TYPE = "aws.s3-bucket"


@resource_types.register(S3_TYPE)
class S3Bucket(ResourceType):
    """An S3 bucket. Example: ``{key: Encryption.SSEAlgorithm, op: eq, value: "aws:kms"}``"""

    # Derived from TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


def account_public_access_block(scope: Scope) -> dict[str, Any]:
    def get() -> dict[str, Any]:
        out, _ = error_code(lambda: scope.session.call("s3control", scope.home_region, "GetPublicAccessBlock",
                                                       AccountId=scope.account), "NoSuchPublicAccessBlockConfiguration")
        return dict((out or {}).get("PublicAccessBlockConfiguration") or _no_block())
    return scope.memo("s3-account-pab", get)


def _no_block() -> dict[str, bool]:
    return {"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False}


def bucket_tags(scope: Scope, name: str, region: str) -> dict[str, str]:
    """A bucket's tags as a mapping ({} when it has none)."""
    out, _ = error_code(lambda: scope.session.call("s3", region, "GetBucketTagging", Bucket=name), "NoSuchTagSet")
    return {t["Key"]: t["Value"] for t in (out or {}).get("TagSet", [])}


def encryption(scope: Scope, name: str, region: str) -> dict[str, Any]:
    """A bucket's default encryption: {SSEAlgorithm, KMSMasterKeyID, BucketKeyEnabled} (SSEAlgorithm None: none)."""
    out, _ = error_code(lambda: scope.session.call("s3", region, "GetBucketEncryption", Bucket=name),
                        "ServerSideEncryptionConfigurationNotFoundError")
    rules = ((out or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules", [])
    if not rules:
        return {"SSEAlgorithm": None, "BucketKeyEnabled": False}
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {})
    return {"SSEAlgorithm": default.get("SSEAlgorithm"), "KMSMasterKeyID": default.get("KMSMasterKeyID"),
            "BucketKeyEnabled": bool(rules[0].get("BucketKeyEnabled", False))}


def _pab(scope: Scope, name: str, region: str) -> dict[str, Any]:
    out, _ = error_code(lambda: scope.session.call("s3", region, "GetPublicAccessBlock", Bucket=name),
                        "NoSuchPublicAccessBlockConfiguration")
    return dict((out or {}).get("PublicAccessBlockConfiguration") or _no_block())


def _policy(scope: Scope, name: str, region: str) -> dict[str, Any] | None:
    out, _ = error_code(lambda: scope.session.call("s3", region, "GetBucketPolicy", Bucket=name), "NoSuchBucketPolicy")
    return policy_doc.parse(out["Policy"]) if out else None


def _acl(scope: Scope, name: str, region: str) -> dict[str, Any]:
    out = scope.session.call("s3", region, "GetBucketAcl", Bucket=name)
    return {"Owner": out.get("Owner", {}), "Grants": out.get("Grants", [])}


def _replication(scope: Scope, name: str, region: str) -> dict[str, Any]:
    out, _ = error_code(lambda: scope.session.call("s3", region, "GetBucketReplication", Bucket=name),
                        "ReplicationConfigurationNotFoundError")
    cfg = (out or {}).get("ReplicationConfiguration") or {}
    owned = set(bucket_names(scope))
    rules = []
    for r in cfg.get("Rules", []):
        dest = str(r.get("Destination", {}).get("Bucket", "")).split(":::")[-1]
        rule: dict[str, Any] = {"ID": r.get("ID", ""), "Status": r.get("Status"), "DestinationBucket": dest,
                                "DestinationExists": dest in owned}
        if dest in owned:
            try:
                dregion = bucket_region(scope, dest)
                rule["DestinationRegion"] = dregion
                rule["CrossRegion"] = dregion != region
                rule["DestinationVersioned"] = versioning(scope, dest, dregion)["Status"] == "Enabled"
            except ApiError as err:
                rule["DestinationError"] = err.reason
        rules.append(rule)
    return {"Rules": rules, "Role": cfg.get("Role")}


def _object_lock(scope: Scope, name: str, region: str) -> dict[str, Any]:
    out, _ = error_code(lambda: scope.session.call("s3", region, "GetObjectLockConfiguration", Bucket=name),
                        "ObjectLockConfigurationNotFoundError")
    cfg = (out or {}).get("ObjectLockConfiguration") or {}
    return {"Enabled": cfg.get("ObjectLockEnabled") == "Enabled", "Rule": cfg.get("Rule")}


def _ownership(scope: Scope, name: str, region: str) -> dict[str, Any]:
    out, _ = error_code(lambda: scope.session.call("s3", region, "GetBucketOwnershipControls", Bucket=name),
                        "OwnershipControlsNotFoundError")
    rules = ((out or {}).get("OwnershipControls") or {}).get("Rules", [])
    return {"ObjectOwnership": rules[0].get("ObjectOwnership") if rules else None}


def _trail_bucket(scope: Scope, res: Resource, _item: Any) -> bool:
    return res.attrs["Name"] in trail_bucket_names(scope)


def _per_bucket(fn: Callable[[Scope, str, str], Any]) -> Callable[[Scope, Resource, Any], Any]:
    """A fetcher from a function of (scope, bucket name, bucket region)."""
    def fetcher(scope: Scope, res: Resource, _item: Any) -> Any:
        return fn(scope, res.attrs["Name"], res.region)
    fetcher.__name__ = fn.__name__
    return fetcher


# Fetch order: one account-wide call (memoised) that can settle a verdict for every bucket,
# then the attributes many rules read (Versioning settles replication for a never-versioned
# bucket) before the ones a single rule reads.
TABLE = AttributeTable(S3_TYPE, listing=("s3:ListAllMyBuckets", "s3:GetBucketLocation"), attributes={
    "Name": Attr("bucket name"),
    "Arn": Attr("bucket ARN"),
    "Region": Attr("bucket region"),
    "CreationDate": Attr("creation timestamp"),
    "AccountPublicAccessBlock": Attr("the account-level public access block (same keys)",
                                     fetch=lambda scope, _res, _item: account_public_access_block(scope),
                                     permissions=("s3:GetAccountPublicAccessBlock",)),
    "Tags": Attr("tags as a mapping {Key: Value}", fetch=_per_bucket(bucket_tags),
                 permissions=("s3:GetBucketTagging",)),
    "Versioning": Attr("{Status: Enabled|Suspended|Disabled, MFADelete: Enabled|Disabled}",
                       fetch=_per_bucket(versioning), permissions=("s3:GetBucketVersioning",)),
    "Encryption": Attr("{SSEAlgorithm: AES256|aws:kms|aws:kms:dsse|null, KMSMasterKeyID, BucketKeyEnabled}",
                       fetch=_per_bucket(encryption), permissions=("s3:GetEncryptionConfiguration",)),
    "PublicAccessBlock": Attr("bucket-level {BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, "
                              "RestrictPublicBuckets}", fetch=_per_bucket(_pab),
                              permissions=("s3:GetBucketPublicAccessBlock",)),
    "Policy": Attr("bucket policy, normalised ({Statement: [...]}), null when none", fetch=_per_bucket(_policy),
                   permissions=("s3:GetBucketPolicy",)),
    "Acl": Attr("{Owner, Grants: [{Grantee: {Type, URI, ID}, Permission}]}", fetch=_per_bucket(_acl),
                permissions=("s3:GetBucketAcl",)),
    "Logging": Attr("{Enabled: bool, TargetBucket, TargetPrefix}", fetch=_per_bucket(logging),
                    permissions=("s3:GetBucketLogging",)),
    "Replication": Attr("{Rules: [{ID, Status, DestinationBucket, DestinationExists, DestinationVersioned, "
                        "DestinationRegion, CrossRegion}]}", fetch=_per_bucket(_replication),
                        permissions=("s3:GetReplicationConfiguration", "s3:ListAllMyBuckets",
                                     "s3:GetBucketLocation", "s3:GetBucketVersioning")),
    "ObjectLock": Attr("{Enabled: bool, Rule}", fetch=_per_bucket(_object_lock),
                       permissions=("s3:GetBucketObjectLockConfiguration",)),
    "OwnershipControls": Attr("{ObjectOwnership: BucketOwnerEnforced|...}", fetch=_per_bucket(_ownership),
                              permissions=("s3:GetBucketOwnershipControls",)),
    "IsCloudTrailBucket": Attr("bool: a CloudTrail trail of the account delivers logs here", fetch=_trail_bucket,
                               permissions=("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus",
                                            "cloudtrail:GetEventSelectors", "s3:GetBucketVersioning",
                                            "s3:GetBucketLogging")),
})
S3Bucket.attributes, S3Bucket.permissions = TABLE.docs(), TABLE.permissions()


@collector(S3_TYPE)
def collect_buckets(scope: Scope) -> list[Resource]:
    try:
        listing = list_buckets(scope)
    except ApiError as err:
        scope.inventory.fail(S3_TYPE, scope.account_arn, "global", err.reason)
        return []

    def one(b: dict[str, Any]) -> Resource:
        name = b["Name"]
        arn = f"arn:{scope.partition}:s3:::{name}"
        res = Resource(S3_TYPE, arn, {"Name": name, "Arn": arn, "CreationDate": b.get("CreationDate")}, name=name)
        with attributing(S3_TYPE, "Region"):
            region = fetch(res, "Region", lambda: b.get("BucketRegion") or bucket_region(scope, name))
        if region is None:
            res.errors["*"] = res.errors["Region"]
            return res
        res.region = region
        return TABLE.fill(scope, res, b)

    return scope.map(one, listing)
