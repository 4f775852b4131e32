"""GB-MON-1: the dashboard-coverage collector (auditor/aws/dashboard.py) and its rule, on moto."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from auditor.aws.dashboard import charted_buckets, expand_rows

RULE = "cloudwatch-dashboard-covers-zone-buckets"


def test_expand_rows_handles_the_dashboard_shorthands() -> None:
    rows = [["AWS/S3", "BucketSizeBytes", "BucketName", "a", "StorageType", "StandardStorage"],
            [".", "NumberOfObjects", ".", ".", ".", "AllStorageTypes", {"yAxis": "right"}],
            ["...", "b", "StorageType", "AllStorageTypes"],
            [{"expression": "m1 + m2", "label": "sum"}]]
    assert expand_rows(rows) == [
        ["AWS/S3", "BucketSizeBytes", "BucketName", "a", "StorageType", "StandardStorage"],
        ["AWS/S3", "NumberOfObjects", "BucketName", "a", "StorageType", "AllStorageTypes"],
        ["AWS/S3", "NumberOfObjects", "BucketName", "b", "StorageType", "AllStorageTypes"],
    ]


def test_charted_buckets_reads_metric_widgets_only() -> None:
    body = {"widgets": [
        {"type": "metric", "properties": {"metrics": [
            ["AWS/S3", "BucketSizeBytes", "BucketName", "a", "StorageType", "StandardStorage"],
            ["AWS/S3", "NumberOfObjects", "StorageType", "AllStorageTypes", "BucketName", "b"],
            ["AWS/EC2", "CPUUtilization", "BucketName", "c"]]}},
        {"type": "text", "properties": {"markdown": "AWS/S3 BucketSizeBytes d"}},
        {"type": "alarm", "properties": {"alarms": ["arn:aws:cloudwatch:us-east-1:1:alarm:x"]}}]}
    assert charted_buckets(body) == {"a": {"BucketSizeBytes"}, "b": {"NumberOfObjects"}}


def _scan() -> dict[str, Any]:
    from auditor.audit_run import default_rule_paths, prepare
    from auditor.aws.scan import ScanOptions, run_scan
    from auditor.core.context import RunContext

    prepared = prepare(default_rule_paths("aws"))
    prepared = replace(prepared, rules=[r for r in prepared.rules if r.id == RULE])
    return run_scan(prepared, ScanOptions(regions=["us-east-1"], max_attempts=2),
                    RunContext(clock=lambda: datetime.now(UTC)))


def _row(bucket: str, metric: str) -> list[str]:
    storage = "StandardStorage" if metric == "BucketSizeBytes" else "AllStorageTypes"
    return ["AWS/S3", metric, "BucketName", bucket, "StorageType", storage]


def test_collector_and_rule_on_moto(account: Any) -> None:
    s3, cw = account.client("s3"), account.client("cloudwatch")
    for name in ("registraroffice-landing", "registraroffice-raw", "registraroffice-curated", "scratch-notes",
                 "enrolment-store"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket="enrolment-store", Tagging={"TagSet": [{"Key": "DataZone", "Value": "raw"}]})
    cw.put_dashboard(DashboardName="ops", DashboardBody=json.dumps({"widgets": [{"type": "metric", "properties": {
        "metrics": [_row("registraroffice-landing", "BucketSizeBytes"),
                    _row("registraroffice-landing", "NumberOfObjects"),
                    _row("registraroffice-raw", "BucketSizeBytes")]}}]}))
    cw.put_dashboard(DashboardName="store", DashboardBody=json.dumps({"widgets": [{"type": "metric", "properties": {
        "metrics": [_row("enrolment-store", "BucketSizeBytes"), [".", "NumberOfObjects", ".", ".", ".",
                                                                 "AllStorageTypes"]]}}]}))
    doc = _scan()
    status = {f["resource_id"].rsplit(":", 1)[-1]: f["status"] for f in doc["findings"]}
    assert status == {"registraroffice-landing": "PASS", "enrolment-store": "PASS",
                      "registraroffice-raw": "FAIL", "registraroffice-curated": "FAIL"}
    raw = next(f for f in doc["findings"] if f["resource_id"].endswith("registraroffice-raw"))
    assert "no dashboard charts both" in raw["message"]
    assert raw["compliance"]["governance-baseline"] == ["GB-MON-1"]


def test_unreadable_dashboard_is_an_error_not_a_fail(account: Any) -> None:
    from botocore.exceptions import ClientError

    account.client("s3").create_bucket(Bucket="registraroffice-landing")
    account.client("cloudwatch").put_dashboard(DashboardName="ops", DashboardBody=json.dumps({"widgets": []}))

    def deny(model: Any, **kwargs: Any) -> None:
        if model.name == "GetDashboard":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, model.name)

    from auditor.audit_run import default_rule_paths, prepare
    from auditor.aws.scan import ScanOptions, run_scan
    from auditor.core.context import RunContext

    prepared = prepare(default_rule_paths("aws"))
    prepared = replace(prepared, rules=[r for r in prepared.rules if r.id == RULE])
    ctx = RunContext(clock=lambda: datetime.now(UTC), services={"aws_event_hooks": [("before-call", deny)]})
    doc = run_scan(prepared, ScanOptions(regions=["us-east-1"], max_attempts=2), ctx)
    (finding,) = doc["findings"]
    assert finding["status"] == "ERROR" and "GetDashboard: AccessDenied" in finding["message"]
