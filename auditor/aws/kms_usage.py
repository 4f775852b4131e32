"""Which S3 buckets use a KMS key as their default encryption key.

A key pending deletion that is some bucket's default encryption key (SSE-KMS or
DSSE-KMS) is the worse case: once it is deleted, every object written with it is
lost for good. :func:`buckets_encrypted_with` answers "which buckets" for one key;
the bucket index behind it (ListBuckets, then GetBucketEncryption per bucket, and
ListAliases where a bucket names its key by alias) is built once per scan and only
when a rule needs it (the KMS collector asks only for keys pending deletion).

A bucket's ``KMSMasterKeyID`` may be a key id, a key ARN, an alias name or an alias
ARN; all are resolved to the key ARN, in the bucket's region (S3 only accepts a key of
its own region). Example::

    buckets_encrypted_with(scope, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-...")
    -> ["registraroffice-raw"]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.aws import bucket_calls, s3
from auditor.aws.collect import Scope
from auditor.aws.session import ApiError


@dataclass
class BucketKeys:
    """key ARN -> bucket names, and the buckets whose default key could not be read."""

    by_key: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[tuple[str, ApiError]] = field(default_factory=list)


def buckets_encrypted_with(scope: Scope, key_arn: str) -> list[str]:
    """Names of the buckets whose default encryption key is ``key_arn`` (sorted).

    Raises :class:`ApiError` when no bucket is known to use the key but some bucket's
    encryption (or the bucket list) could not be read: "none" would then be a guess.
    """
    index = scope.memo("kms-bucket-keys", lambda: _index(scope))
    found = sorted(index.by_key.get(key_arn, []))
    if not found and index.unknown:
        bucket, err = index.unknown[0]
        raise ApiError(err.operation, err.code, f"bucket {bucket}: {err.message}")
    return found


def _index(scope: Scope) -> BucketKeys:
    out = BucketKeys()
    try:
        listing = bucket_calls.list_buckets(scope)
    except ApiError as err:
        out.unknown.append(("*", err))
        return out
    for b in listing:
        name = b["Name"]
        try:
            region = b.get("BucketRegion") or bucket_calls.bucket_region(scope, name)
            enc = s3.encryption(scope, name, region)
            if not str(enc.get("SSEAlgorithm") or "").startswith("aws:kms") or not enc.get("KMSMasterKeyID"):
                continue  # SSE-S3, none, or the AWS managed aws/s3 key (it cannot be deleted)
            arn = _key_arn(scope, region, str(enc["KMSMasterKeyID"]))
        except ApiError as err:
            out.unknown.append((name, err))
            continue
        if arn:
            out.by_key.setdefault(arn, []).append(name)
    return out


def _key_arn(scope: Scope, region: str, ref: str) -> str | None:
    """The key ARN a bucket's ``KMSMasterKeyID`` names (None: an alias that points nowhere)."""
    if ref.startswith("arn:") and ":key/" in ref:
        return ref
    if ref.startswith("arn:") and ":alias/" in ref:
        parts = ref.split(":")
        region, account, alias = parts[3], parts[4], parts[5]
        if account != scope.account:
            return None  # another account's alias cannot name one of this account's keys
        ref = alias
    if ref.startswith("alias/"):
        target = _aliases(scope, region).get(ref)
        return scope.arn("kms", region, f"key/{target}") if target else None
    return scope.arn("kms", region, f"key/{ref}")


def _aliases(scope: Scope, region: str) -> dict[str, str]:
    items: list[dict[str, Any]] = scope.session.paginate("kms", region, "ListAliases", "Aliases")
    return {a["AliasName"]: a["TargetKeyId"] for a in items if a.get("TargetKeyId")}
