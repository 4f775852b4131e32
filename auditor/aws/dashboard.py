"""Which CloudWatch dashboards chart each S3 bucket (governance baseline GB-MON-1).

Resource type ``aws.s3-bucket-dashboard-coverage`` (id: the bucket ARN), one per
bucket of the account::

    Name: registraroffice-landing
    Tags: {DataZone: landing}                       # only when a rule reads it
    Dashboards:                                     # dashboards charting this bucket
      - {Name: registraroffice-governance, BucketSizeBytes: true, NumberOfObjects: true}
    CoveredBy: [registraroffice-governance]         # those charting both size and object count

Example rule::

    - id: cloudwatch-dashboard-covers-zone-buckets
      resource: aws.s3-bucket-dashboard-coverage
      where: [{key: Name, op: regex, value: "-(landing|raw|curated)$"}]
      assert: [{key: CoveredBy, op: not-empty}]

Dashboards are account-wide (not regional); their bodies are read with
GetDashboard and every ``metric`` widget's rows are parsed, including the
``"."`` / ``"..."`` shorthands of the dashboard JSON. A dashboard that cannot
be read makes ``Dashboards`` and ``CoveredBy`` an ERROR for the buckets no
readable dashboard covers (never a silent FAIL or PASS).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.bucket_calls import bucket_region, list_buckets
from auditor.aws.collect import Scope, collector
from auditor.aws.s3 import bucket_tags
from auditor.aws.session import ApiError
from auditor.core import jsonio
from auditor.core.resources import Resource, ResourceType, resource_types

COVERAGE_TYPE = "aws.s3-bucket-dashboard-coverage"
_S3_METRICS = ("BucketSizeBytes", "NumberOfObjects")


@resource_types.register(COVERAGE_TYPE)
class BucketDashboardCoverage(ResourceType):
    """Dashboards charting an S3 bucket. Example: ``{key: CoveredBy, op: not-empty}``"""

    # Derived from TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


def _tags(scope: Scope, res: Resource, item: Any) -> dict[str, str]:
    # Same calls as the bucket collector's (the session cache answers the second one).
    name = res.attrs["Name"]
    return bucket_tags(scope, name, item.get("BucketRegion") or bucket_region(scope, name))


TABLE = AttributeTable(COVERAGE_TYPE, listing=("s3:ListAllMyBuckets", "cloudwatch:ListDashboards",
                                               "cloudwatch:GetDashboard"), attributes={
    "Name": Attr("bucket name"),
    "Arn": Attr("bucket ARN"),
    # Only when the bucket's name does not already settle whether it is a data bucket.
    "Tags": Attr("bucket tags {key: value}", fetch=_tags, permissions=("s3:GetBucketTagging", "s3:GetBucketLocation")),
    "Dashboards": Attr("[{Name, BucketSizeBytes: bool, NumberOfObjects: bool}] dashboards charting the bucket"),
    "CoveredBy": Attr("[dashboard names] charting both its size and its object count"),
})
BucketDashboardCoverage.attributes, BucketDashboardCoverage.permissions = TABLE.docs(), TABLE.permissions()


def expand_rows(rows: list[Any]) -> list[list[Any]]:
    """Metric rows with the dashboard shorthands expanded.

    ``"."`` repeats the previous row's value at the same position; ``"..."``
    repeats the previous row's values up to the items that follow it.
    A trailing options object and expression rows (a lone mapping) are dropped.
    """
    out: list[list[Any]] = []
    prev: list[Any] = []
    for raw in rows:
        if not isinstance(raw, list):
            continue
        row = [v for v in raw if not isinstance(v, dict)]
        if not row:
            continue
        full: list[Any] = []
        for i, v in enumerate(row):
            if v == "...":
                tail = len(row) - i - 1
                full += prev[len(full):max(len(full), len(prev) - tail)]
            elif v == "." and len(full) < len(prev):
                full.append(prev[len(full)])
            else:
                full.append(v)
        out.append(full)
        prev = full
    return out


def charted_buckets(body: dict[str, Any]) -> dict[str, set[str]]:
    """Bucket name -> the S3 storage metrics (BucketSizeBytes, NumberOfObjects) a dashboard body charts."""
    out: dict[str, set[str]] = {}
    for widget in body.get("widgets", []) if isinstance(body, dict) else []:
        props = widget.get("properties") if isinstance(widget, dict) else None
        if not isinstance(props, dict) or not isinstance(props.get("metrics"), list):
            continue
        for row in expand_rows(props["metrics"]):
            if len(row) < 2 or row[0] != "AWS/S3" or row[1] not in _S3_METRICS:
                continue
            dims = dict(zip(row[2::2], row[3::2], strict=False))
            bucket = dims.get("BucketName")
            if isinstance(bucket, str):
                out.setdefault(bucket, set()).add(str(row[1]))
    return out


def _dashboards(scope: Scope) -> tuple[dict[str, dict[str, set[str]]], list[str]]:
    """Dashboard name -> charted buckets; plus the reasons of dashboards that could not be read."""
    region = scope.home_region
    listed = scope.session.paginate("cloudwatch", region, "ListDashboards", "DashboardEntries")
    charts: dict[str, dict[str, set[str]]] = {}
    errors: list[str] = []
    for entry in listed:
        name = entry["DashboardName"]
        try:
            body = scope.session.call("cloudwatch", region, "GetDashboard", DashboardName=name)["DashboardBody"]
            charts[name] = charted_buckets(jsonio.loads(body))
        except ApiError as err:
            errors.append(f"{err.reason} ({name})")
        except json.JSONDecodeError:
            errors.append(f"GetDashboard: body of {name} is not JSON")
    return charts, errors


@collector(COVERAGE_TYPE)
def collect_coverage(scope: Scope) -> list[Resource]:
    try:
        listing = list_buckets(scope)
    except ApiError as err:
        scope.inventory.fail(COVERAGE_TYPE, scope.account_arn, "global", err.reason)
        return []
    try:
        charts, unreadable = _dashboards(scope)
    except ApiError as err:
        charts, unreadable = {}, [err.reason]
    out = []
    for b in listing:
        name = b["Name"]
        arn = f"arn:{scope.partition}:s3:::{name}"
        res = Resource(COVERAGE_TYPE, arn, {"Name": name, "Arn": arn}, region="global", name=name)
        seen = [{"Name": d, **{m: m in metrics.get(name, set()) for m in _S3_METRICS}}
                for d, metrics in sorted(charts.items()) if name in metrics]
        covered = [d["Name"] for d in seen if all(d[m] for m in _S3_METRICS)]
        if unreadable and not covered:
            reason = "; ".join(unreadable)
            res.errors["Dashboards"] = res.errors["CoveredBy"] = reason
        else:
            res.attrs["Dashboards"] = seen
            res.attrs["CoveredBy"] = covered
        out.append(TABLE.fill(scope, res, b))
    return out
