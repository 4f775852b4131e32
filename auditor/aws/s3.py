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
from auditor.aws.collect import Scope, collector, error_code, fetch
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

S3_TYPE = "aws.s3-bucket"


@resource_types.register(S3_TYPE)
class S3Bucket(ResourceType):
    """An S3 bucket. Example: ``{key: Encryption.SSEAlgorithm, op: eq, value: "aws:kms"}``"""

    attributes: ClassVar[dict[str, str]] = {
        "Name": "bucket name",
        "Arn": "bucket ARN",
        "Region": "bucket region",
        "CreationDate": "creation timestamp",
        "Tags": "tags as a mapping {Key: Value}",
        "Versioning": "{Status: Enabled|Suspended|Disabled, MFADelete: Enabled|Disabled}",
        "Encryption": "{SSEAlgorithm: AES256|aws:kms|aws:kms:dsse|null, KMSMasterKeyID, BucketKeyEnabled}",
        "PublicAccessBlock": "bucket-level {BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets}",
        "AccountPublicAccessBlock": "the account-level public access block (same keys)",
        "Policy": "bucket policy, normalised ({Statement: [...]}), null when none",
        "Acl": "{Owner, Grants: [{Grantee: {Type, URI, ID}, Permission}]}",
        "Logging": "{Enabled: bool, TargetBucket, TargetPrefix}",
        "Replication": "{Rules: [{ID, Status, DestinationBucket, DestinationExists, DestinationVersioned, "
                       "DestinationRegion, CrossRegion}]}",
        "ObjectLock": "{Enabled: bool, Rule}",
        "OwnershipControls": "{ObjectOwnership: BucketOwnerEnforced|...}",
        "IsCloudTrailBucket": "bool: a CloudTrail trail of the account delivers logs here",
    }
    permissions = (
        "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketTagging", "s3:GetBucketVersioning",
        "s3:GetEncryptionConfiguration", "s3:GetBucketPublicAccessBlock", "s3:GetAccountPublicAccessBlock",
        "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketLogging", "s3:GetReplicationConfiguration",
        "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls",
        "cloudtrail:DescribeTrails",
    )


def list_buckets(scope: Scope) -> list[dict[str, Any]]:
    """The account's buckets (one paginated ListBuckets per scan).

    Paginating (MaxBuckets) makes S3 return each bucket's ``BucketRegion``, which
    saves a GetBucketLocation per bucket where the endpoint supports it. The page
    size is S3's maximum: some endpoints (moto 5.2) cut the list at MaxBuckets
    without a continuation token, and a bucket missing from the scan would be a
    silent gap.
    """
    return scope.session.paginate("s3", scope.home_region, "ListBuckets", "Buckets", MaxBuckets=10000)


def bucket_names(scope: Scope) -> list[str]:
    """Names of the account's buckets."""
    return [b["Name"] for b in list_buckets(scope)]


def bucket_region(scope: Scope, name: str) -> str:
    out = scope.session.call("s3", scope.home_region, "GetBucketLocation", Bucket=name)
    loc = out.get("LocationConstraint")
    return str({None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(loc, loc))


def versioning(scope: Scope, name: str, region: str) -> dict[str, Any]:
    out = scope.session.call("s3", region, "GetBucketVersioning", Bucket=name)
    return {"Status": out.get("Status", "Disabled"), "MFADelete": out.get("MFADelete", "Disabled")}


def logging(scope: Scope, name: str, region: str) -> dict[str, Any]:
    out = scope.session.call("s3", region, "GetBucketLogging", Bucket=name).get("LoggingEnabled")
    if not out:
        return {"Enabled": False}
    return {"Enabled": True, "TargetBucket": out.get("TargetBucket"), "TargetPrefix": out.get("TargetPrefix", "")}


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


# Fetch order: one account-wide call (memoised) that can settle a verdict for every bucket,
# then the attributes many rules read (Versioning settles replication for a never-versioned
# bucket) before the ones a single rule reads.
_FETCHERS: dict[str, Callable[[Scope, str, str], Any]] = {
    "AccountPublicAccessBlock": lambda scope, _name, _region: account_public_access_block(scope),
    "Tags": bucket_tags,
    "Versioning": versioning,
    "Encryption": encryption,
    "PublicAccessBlock": _pab,
    "Policy": _policy,
    "Acl": _acl,
    "Logging": logging,
    "Replication": _replication,
    "ObjectLock": _object_lock,
    "OwnershipControls": _ownership,
}


@collector(S3_TYPE)
def collect_buckets(scope: Scope) -> list[Resource]:
    try:
        listing = list_buckets(scope)
    except ApiError as err:
        scope.inventory.fail(S3_TYPE, scope.account_arn, "global", err.reason)
        return []
    trail_buckets: set[str] | None = None
    trail_error = ""
    if scope.needs(S3_TYPE, "IsCloudTrailBucket"):
        from auditor.aws.cloudtrail import trail_bucket_names

        try:
            trail_buckets = trail_bucket_names(scope)
        except ApiError as err:
            trail_error = err.reason

    def one(b: dict[str, Any]) -> Resource:
        name = b["Name"]
        res = Resource(S3_TYPE, f"arn:{scope.partition}:s3:::{name}", {"Name": name, "Arn": f"arn:{scope.partition}:s3:::{name}",
                                                                       "CreationDate": b.get("CreationDate")}, name=name)
        region = fetch(res, "Region", lambda: b.get("BucketRegion") or bucket_region(scope, name))
        if region is None:
            res.errors["*"] = res.errors["Region"]
            return res
        res.region = region
        if trail_buckets is not None:
            res.attrs["IsCloudTrailBucket"] = name in trail_buckets
        elif trail_error:
            res.errors["IsCloudTrailBucket"] = trail_error
        # Only what a scope or a verdict still depends on, one attribute at a time (each
        # answer may settle rules and spare later calls), in _FETCHERS order.
        while todo := scope.to_fetch(S3_TYPE, res) & _FETCHERS.keys():
            attr = next(a for a in _FETCHERS if a in todo)
            fetch(res, attr, lambda a=attr: _FETCHERS[a](scope, name, region))  # type: ignore[misc]
        return res

    return scope.map(one, listing)
