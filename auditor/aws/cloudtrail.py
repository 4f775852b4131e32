"""CloudTrail trails: coverage, logging status, validation, encryption, data events.

Resource type ``aws.cloudtrail-trail`` (id: the trail ARN). Trails are listed in
every scanned region (shadow trails included, de-duplicated by ARN) and described
in their home region. Event selectors, basic or advanced, are summarised as
``ManagementEvents: {Read, Write}`` and ``S3DataEvents: {Read, Write}`` (all
buckets; a selector narrowed in any way counts for nothing, see
:mod:`auditor.aws.trail_selectors`). Example rule::

    - id: cloudtrail-trail-log-file-validation-enabled
      resource: aws.cloudtrail-trail
      assert: [{key: LogFileValidationEnabled, op: eq, value: true}]
"""

from __future__ import annotations

from typing import Any, ClassVar

from auditor.aws import bucket_calls
from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector, fetch
from auditor.aws.session import ApiError
from auditor.aws.trail_selectors import summarize_selectors
from auditor.core.resources import Resource, ResourceType, resource_types

TRAIL_TYPE = "aws.cloudtrail-trail"


@resource_types.register(TRAIL_TYPE)
class CloudTrailTrail(ResourceType):
    """A CloudTrail trail. Example: ``{key: IsMultiRegionTrail, op: eq, value: true}``"""

    # Derived from TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


# Every attribute comes from the trail summaries (``trails``), which the account's Trails
# attribute shares: described once per scan, in the trail's home region.
TABLE = AttributeTable(TRAIL_TYPE, listing=("cloudtrail:DescribeTrails",), attributes={
    "Name": Attr("trail name"),
    "TrailARN": Attr("trail ARN"),
    "HomeRegion": Attr("home region"),
    "IsMultiRegionTrail": Attr("bool"),
    "IsOrganizationTrail": Attr("bool"),
    "IsExternal": Attr("bool: an organization trail owned by another account (management account)"),
    "LogFileValidationEnabled": Attr("bool"),
    "KmsKeyId": Attr("KMS key ARN that encrypts the log files (absent = SSE-S3)"),
    "S3BucketName": Attr("log bucket"),
    "CloudWatchLogsLogGroupArn": Attr("CloudWatch Logs group receiving the events"),
    "LogGroupName": Attr("name of that log group"),
    "IsLogging": Attr("bool, from GetTrailStatus", permissions=("cloudtrail:GetTrailStatus",)),
    "ManagementEvents": Attr("{Read: bool, Write: bool}", permissions=("cloudtrail:GetEventSelectors",)),
    "S3DataEvents": Attr("{Read: bool, Write: bool}: object-level events for all buckets",
                         permissions=("cloudtrail:GetEventSelectors",)),
    "LogBucket": Attr("{Name, Exists, Versioning: {Status, MFADelete}, Logging: {Enabled, TargetBucket}}",
                      permissions=("s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketVersioning",
                                   "s3:GetBucketLogging")),
})
CloudTrailTrail.attributes, CloudTrailTrail.permissions = TABLE.docs(), TABLE.permissions()


def trails(scope: Scope) -> list[dict[str, Any]]:
    """Every trail visible from the scanned regions, summarised (memoised for the scan).

    Raises :class:`ApiError` when DescribeTrails fails in every region.
    """
    return scope.memo("cloudtrail-trails", lambda: _trails(scope))


def trail_bucket_names(scope: Scope) -> set[str]:
    return {t["S3BucketName"] for t in trails(scope) if t.get("S3BucketName")}


def _trails(scope: Scope) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    errors: list[ApiError] = []
    for region in scope.regions:
        try:
            listed = scope.session.call("cloudtrail", region, "DescribeTrails", includeShadowTrails=True)
        except ApiError as err:
            errors.append(err)
            continue
        for t in listed.get("trailList", []):
            seen.setdefault(t["TrailARN"], t)
    if errors and not seen and len(errors) == len(scope.regions):
        raise errors[0]
    return scope.map(lambda t: _describe(scope, t), sorted(seen.values(), key=lambda t: t["TrailARN"]))


def _describe(scope: Scope, t: dict[str, Any]) -> dict[str, Any]:
    arn = t["TrailARN"]
    home = t.get("HomeRegion") or scope.home_region
    owner = arn.split(":")[4] if arn.count(":") >= 5 else scope.account
    group_arn = t.get("CloudWatchLogsLogGroupArn") or ""
    out: dict[str, Any] = {
        "Name": t.get("Name"), "TrailARN": arn, "HomeRegion": home,
        "IsMultiRegionTrail": bool(t.get("IsMultiRegionTrail")),
        "IsOrganizationTrail": bool(t.get("IsOrganizationTrail")),
        "IsExternal": owner != scope.account,
        "LogFileValidationEnabled": bool(t.get("LogFileValidationEnabled")),
        "KmsKeyId": t.get("KmsKeyId"), "S3BucketName": t.get("S3BucketName"),
        "CloudWatchLogsLogGroupArn": group_arn or None,
        "LogGroupName": group_arn.split(":log-group:")[-1].split(":")[0] if group_arn else None,
        "LogGroupRegion": group_arn.split(":")[3] if group_arn.count(":") >= 4 else None,
        "_errors": {},
    }
    try:
        status = scope.session.call("cloudtrail", home, "GetTrailStatus", Name=arn)
        out["IsLogging"] = bool(status.get("IsLogging"))
    except ApiError as err:
        out["_errors"]["IsLogging"] = err.reason
    try:
        sel = scope.session.call("cloudtrail", home, "GetEventSelectors", TrailName=arn)
        out["ManagementEvents"], out["S3DataEvents"] = summarize_selectors(sel)
    except ApiError as err:
        out["_errors"]["ManagementEvents"] = out["_errors"]["S3DataEvents"] = err.reason
    out["LogBucket"] = _log_bucket(scope, out["S3BucketName"], out["_errors"]) if not out["IsExternal"] else None
    return out


def _log_bucket(scope: Scope, name: str | None, errors: dict[str, str]) -> dict[str, Any] | None:
    if not name:
        return None
    try:
        if name not in bucket_calls.bucket_names(scope):
            return {"Name": name, "Exists": False}
        region = bucket_calls.bucket_region(scope, name)
        return {"Name": name, "Exists": True, "Region": region,
                "Versioning": bucket_calls.versioning(scope, name, region),
                "Logging": bucket_calls.logging(scope, name, region)}
    except ApiError as err:
        errors["LogBucket"] = err.reason
        return None


@collector(TRAIL_TYPE)
def collect_trails(scope: Scope) -> list[Resource]:
    try:
        items = trails(scope)
    except ApiError as err:
        scope.inventory.fail(TRAIL_TYPE, scope.account_arn, "global", err.reason)
        return []
    out = []
    for t in items:
        attrs = {k: v for k, v in t.items() if not k.startswith("_")}
        out.append(Resource(TRAIL_TYPE, t["TrailARN"], attrs, region=t["HomeRegion"], name=t["Name"] or "",
                            errors=dict(t["_errors"])))
    return out


def account_trails(scope: Scope, res: Resource) -> None:
    """Fill the account's ``Trails`` attribute (for 4.1, 4.8, 4.9 and 5.x)."""
    fetch(res, "Trails", lambda: [{k: v for k, v in t.items() if not k.startswith("_")} for t in trails(scope)])
