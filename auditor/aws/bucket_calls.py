"""The S3 bucket calls that more than one resource type makes.

The bucket listing, location, versioning and logging are read by the ``aws.s3-bucket``
attributes and by a trail's ``LogBucket``; they live here, below both, so that
:mod:`auditor.aws.s3` and :mod:`auditor.aws.cloudtrail` need not import each other.
"""

from __future__ import annotations

from typing import Any

from auditor.aws.collect import Scope


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
