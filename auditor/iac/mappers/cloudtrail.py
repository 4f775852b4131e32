"""CloudTrail trails (``aws.cloudtrail-trail``) and the account's ``Trails``.

``AWS::CloudTrail::Trail`` / ``aws_cloudtrail`` -> the collector's trail summary:
``IsMultiRegionTrail``, ``IsOrganizationTrail``, ``LogFileValidationEnabled``
(``EnableLogFileValidation`` / ``enable_log_file_validation``), ``KmsKeyId`` (``KMSKeyId`` /
``kms_key_id``; absent: null, SSE-S3), ``IsLogging`` (``IsLogging`` / ``enable_logging``,
default true), ``S3BucketName``, ``LogGroupName`` (of ``CloudWatchLogsLogGroupArn``), and
``ManagementEvents`` / ``S3DataEvents`` summarised from the event selectors, basic or
advanced, exactly as the account scan does (:mod:`auditor.aws.trail_selectors`); a trail
without selectors logs all management events and no data events.

When the change has a trail, the account's ``Trails`` are the trails of the change: CIS
4.1/4.8/4.9 and the 5.x monitoring rules judge them. Without one, those account-level
rules are "not in this change".
"""

from __future__ import annotations

from typing import Any

from auditor.aws.trail_selectors import summarize_selectors
from auditor.core.resources import Resource
from auditor.iac.build import Builder, account_id, partition, source_id
from auditor.iac.mappers.common import blocks, name_or_generated, text
from auditor.iac.mappers.logs import log_group_name
from auditor.iac.mappers.s3 import BUCKET_TYPES
from auditor.iac.model import SourceResource
from auditor.iac.values import Symbol, Unknown, as_bool, first_unknown, given

TRAIL_TYPE = "aws.cloudtrail-trail"
_CFN = {"name": "TrailName", "bucket": "S3BucketName", "logging": "IsLogging", "multi": "IsMultiRegionTrail",
        "org": "IsOrganizationTrail", "validation": "EnableLogFileValidation", "kms": "KMSKeyId",
        "group": "CloudWatchLogsLogGroupArn"}
_TF = {"name": "name", "bucket": "s3_bucket_name", "logging": "enable_logging", "multi": "is_multi_region_trail",
       "org": "is_organization_trail", "validation": "enable_log_file_validation", "kms": "kms_key_id",
       "group": "cloud_watch_logs_group_arn"}


def map_trails(b: Builder) -> None:
    summaries = []
    sources = b.of("AWS::CloudTrail::Trail", "aws_cloudtrail")
    for src in sources:
        attrs = trail_attrs(b, src)
        summaries.append(attrs)
        named = not isinstance(attrs["Name"], Unknown) and "${" not in str(attrs["Name"])
        rid = f"arn:{partition(src)}:cloudtrail:{src.region}:{account_id(b, src)}:trail/{attrs['Name']}" \
            if named and src.region else source_id(src)
        b.add(Resource(TRAIL_TYPE, rid, dict(attrs), region=src.region, name=str(attrs["Name"]) if named
                       else src.address), src)
    if sources:
        b.set_account("Trails", summaries, *sources)


def trail_attrs(b: Builder, src: SourceResource) -> dict[str, Any]:
    """The trail as the collector summarises it (see the module doc)."""
    n = _CFN if src.type == "AWS::CloudTrail::Trail" else _TF
    p = src.props
    name, _generated = name_or_generated(src, p.get(n["name"]), "trail")
    default_logging: Any = True if src.type == "aws_cloudtrail" else Unknown("IsLogging is required and not set")
    group_arn = p.get(n["group"])
    management, data = _events(src)
    bucket = p.get(n["bucket"])
    target = b.target(bucket, "bucket", BUCKET_TYPES)
    built = b.built.get(target.key) if target is not None else None
    bucket_name = built[0].attrs.get("Name") if built else text(bucket)
    return {
        "Name": name, "TrailARN": Symbol(f"${{{src.address}.Arn}}", src.key, "Arn"),
        "HomeRegion": src.region or Unknown("the region is chosen at deploy"),
        "IsMultiRegionTrail": as_bool(p.get(n["multi"]), False),
        "IsOrganizationTrail": as_bool(p.get(n["org"]), False), "IsExternal": False,
        "LogFileValidationEnabled": as_bool(p.get(n["validation"]), False),
        "KmsKeyId": given(text(p.get(n["kms"])), None), "S3BucketName": bucket_name,
        "CloudWatchLogsLogGroupArn": text(group_arn),
        "LogGroupName": log_group_name(b, group_arn) if group_arn is not None else None,
        "IsLogging": as_bool(p.get(n["logging"]), default_logging),
        "ManagementEvents": management, "S3DataEvents": data,
        "LogBucket": _log_bucket(built[0] if built else None, bucket_name),
    }


def _log_bucket(bucket: Resource | None, name: Any) -> Any:
    if bucket is None:
        return Unknown(f"the log bucket {name} is outside this change")
    a = bucket.attrs
    return {"Name": a.get("Name"), "Exists": True, "Versioning": a.get("Versioning"), "Logging": a.get("Logging")}


def _events(src: SourceResource) -> tuple[Any, Any]:
    """(ManagementEvents, S3DataEvents) from the trail's selectors, in the API's shape."""
    if src.type == "AWS::CloudTrail::Trail":
        selectors = {"EventSelectors": src.props.get("EventSelectors"),
                     "AdvancedEventSelectors": src.props.get("AdvancedEventSelectors")}
    else:
        selectors = {"EventSelectors": [_tf_basic(s) for s in blocks(src.props.get("event_selector"))],
                     "AdvancedEventSelectors": [_tf_advanced(s) for s in blocks(src.props.get("advanced_event_selector"))]}
    unknown = first_unknown(selectors)
    if unknown is not None:
        return unknown, unknown
    if not selectors["EventSelectors"] and not selectors["AdvancedEventSelectors"]:
        selectors["EventSelectors"] = [{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    return summarize_selectors(selectors)


def _tf_basic(s: Any) -> Any:
    if not isinstance(s, dict):
        return s
    return {"ReadWriteType": given(s.get("read_write_type"), "All"),
            "IncludeManagementEvents": as_bool(s.get("include_management_events"), True),
            "ExcludeManagementEventSources": given(s.get("exclude_management_event_sources"), []),
            "DataResources": [{"Type": d.get("type"), "Values": given(d.get("values"), [])}
                              for d in blocks(s.get("data_resource")) if isinstance(d, dict)]}


_FIELD_OPS = {"equals": "Equals", "starts_with": "StartsWith", "ends_with": "EndsWith", "not_equals": "NotEquals",
              "not_starts_with": "NotStartsWith", "not_ends_with": "NotEndsWith"}


def _tf_advanced(s: Any) -> Any:
    if not isinstance(s, dict):
        return s
    fields = []
    for f in blocks(s.get("field_selector")):
        if isinstance(f, dict):
            fields.append({"Field": f.get("field"), **{api: f.get(tf) for tf, api in _FIELD_OPS.items() if f.get(tf)}})
    return {"Name": s.get("name"), "FieldSelectors": fields}
