"""CloudTrail items: the trail's log group, the trail, its event selectors, its logging state.

Event selectors are merged: apply adds the baseline's management events and
S3 data events for the zone buckets, and keeps every data resource already
logged (it never narrows what the trail records).
"""

from __future__ import annotations

from typing import Any

from auditor.baseline.live import LiveContext, absent_on
from auditor.baseline.model import ABSENT, Item, subset_diff
from auditor.baseline.spec import Desired

# create_trail/update_trail parameter -> get_trail response key
_TRAIL_KEYS = {"S3BucketName": "S3BucketName", "IncludeGlobalServiceEvents": "IncludeGlobalServiceEvents",
               "IsMultiRegionTrail": "IsMultiRegionTrail", "EnableLogFileValidation": "LogFileValidationEnabled",
               "KmsKeyId": "KmsKeyId", "CloudWatchLogsLogGroupArn": "CloudWatchLogsLogGroupArn",
               "CloudWatchLogsRoleArn": "CloudWatchLogsRoleArn"}


_ALL_BUCKETS = {"arn:aws:s3", "arn:aws:s3:::", "arn:aws-us-gov:s3", "arn:aws-cn:s3"}


def log_group(ctx: LiveContext, d: Desired) -> list[Item]:
    logs = ctx.client("logs", d.region)
    name = d.name

    def read() -> Any:
        pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
        for page in pages:
            for g in page["logGroups"]:
                if g["logGroupName"] == name:
                    return {"retentionInDays": g.get("retentionInDays")}
        return ABSENT

    def write(cur: Any, want: Any) -> None:
        if cur is ABSENT:
            logs.create_log_group(logGroupName=name)
        logs.put_retention_policy(logGroupName=name, retentionInDays=want["retentionInDays"])

    return [Item(f"logs-log-group[{name}]", d.props, read, write)]


def trail(ctx: LiveContext, d: Desired) -> list[Item]:
    ct = ctx.client("cloudtrail", d.region)
    name = d.name
    params = {k: d.props[k] for k in _TRAIL_KEYS}

    @absent_on("TrailNotFoundException")
    def read_trail() -> Any:
        return ct.get_trail(Name=name)["Trail"]

    def compare(cur: Any, want: dict[str, Any]) -> list[str]:
        return subset_diff(cur, {_TRAIL_KEYS[k]: v for k, v in want.items()})

    def write_trail(cur: Any, want: dict[str, Any]) -> None:
        if cur is ABSENT:
            ct.create_trail(Name=name, **want)
        else:
            ct.update_trail(Name=name, **want)

    @absent_on("TrailNotFoundException")
    def read_selectors() -> Any:
        return ct.get_event_selectors(TrailName=name).get("EventSelectors") or []

    def compare_selectors(cur: Any, want: list[dict[str, Any]]) -> list[str]:
        if cur is ABSENT:
            return ["event selectors: (absent) -> management + S3 data events"]
        mgmt = [s for s in cur if s.get("IncludeManagementEvents") and s.get("ReadWriteType") == "All"]
        out = [] if mgmt else ["management events (read and write): not logged -> logged"]
        logged = {v for s in mgmt for r in s.get("DataResources", []) if r.get("Type") == "AWS::S3::Object"
                  for v in r.get("Values", [])}
        for value in want[0]["DataResources"][0]["Values"]:
            if value not in logged and not logged & _ALL_BUCKETS:
                out.append(f"S3 data events for {value}: not logged -> logged (read and write)")
        return out

    def write_selectors(cur: Any, want: list[dict[str, Any]]) -> None:
        merged = [dict(s) for s in want]
        resources = {r["Type"]: list(r["Values"]) for r in merged[0]["DataResources"]}
        for s in cur if cur is not ABSENT else []:
            for r in s.get("DataResources", []):
                values = resources.setdefault(r["Type"], [])
                values += [v for v in r.get("Values", []) if v not in values]
        merged[0]["DataResources"] = [{"Type": k, "Values": v} for k, v in resources.items()]
        ct.put_event_selectors(TrailName=name, EventSelectors=merged)

    @absent_on("TrailNotFoundException")
    def read_logging() -> Any:
        return {"IsLogging": ct.get_trail_status(Name=name)["IsLogging"]}

    return [
        Item(f"cloudtrail-trail[{name}]", params, read_trail, write_trail, compare),
        Item(f"cloudtrail-event-selectors[{name}]", d.props["EventSelectors"], read_selectors, write_selectors,
             compare_selectors),
        Item(f"cloudtrail-logging[{name}]", {"IsLogging": True}, read_logging,
             lambda cur, want: ct.start_logging(Name=name)),
    ]
