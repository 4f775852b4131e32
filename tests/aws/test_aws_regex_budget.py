"""ReDoS from the audited account or a rule file: the scan completes, the finding is ERROR.

Anyone with ``logs:PutMetricFilter`` could hang ``auditor aws scan`` with a ``%regex%``
term AWS accepts, and a rule's ``op: regex`` could hang it on a 40-character bucket name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_helpers import by_rule, scan

ACCOUNT = "arn:aws:iam::123456789012:root"
LOG_GROUP = "cloudtrail/audit"
MONITORING = "cloudwatch-monitors-"


def _trail_with_filter(pattern: str) -> None:
    """A qualifying trail delivering to a log group whose one metric filter is ``pattern``,
    with an alarm whose SNS topic has a confirmed subscription."""
    region = "us-east-1"
    boto3.client("s3", region_name=region).create_bucket(Bucket="audit-trail-logs")
    logs = boto3.client("logs", region_name=region)
    logs.create_log_group(logGroupName=LOG_GROUP)
    ct = boto3.client("cloudtrail", region_name=region)
    ct.create_trail(Name="audit", S3BucketName="audit-trail-logs", IsMultiRegionTrail=True,
                    CloudWatchLogsLogGroupArn=f"arn:aws:logs:{region}:123456789012:log-group:{LOG_GROUP}:*",
                    CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/cloudtrail-to-logs")
    ct.start_logging(Name="audit")
    ct.put_event_selectors(TrailName="audit", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}])
    sns = boto3.client("sns", region_name=region)
    topic = sns.create_topic(Name="security-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@example.org")
    logs.put_metric_filter(logGroupName=LOG_GROUP, filterName="evil-filter", filterPattern=pattern,
                           metricTransformations=[{"metricName": "evil", "metricNamespace": "CIS", "metricValue": "1"}])
    boto3.client("cloudwatch", region_name=region).put_metric_alarm(
        AlarmName="evil", MetricName="evil", Namespace="CIS", Statistic="Sum", Period=300, EvaluationPeriods=1,
        Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic])


def _monitoring(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["rule_id"]: f for f in doc["findings"] if f["rule_id"].startswith(MONITORING)}


def _monitoring_rules(aws_rules: Any) -> Any:
    from dataclasses import replace

    return replace(aws_rules, rules=[r for r in aws_rules.rules if r.id.startswith(MONITORING)])


def test_metric_filter_pattern_that_hung_the_scan_is_evaluated(aws: None, aws_rules: Any) -> None:
    # 30 '.*' then 'Z': O(n**30) backtracking for ``re`` on every event source.
    _trail_with_filter("{ $.eventSource = %" + ".*" * 30 + "Z% }")
    found = _monitoring(scan(_monitoring_rules(aws_rules)))
    assert len(found) == 15
    assert {f["status"] for f in found.values()} == {"FAIL"}  # evaluated: it matches no event


def test_metric_filter_regex_over_budget_is_an_error_naming_the_filter(aws: None, aws_rules: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # CloudWatch's regex subset has no groups; this one is merely slow for ``regex`` (about a
    # second on one event source), so a 1 ms budget stands for "too slow" without a slow test.
    monkeypatch.setenv("AUDITOR_REGEX_TIMEOUT", "0.001")
    _trail_with_filter("{ $.eventSource = %" + ".?.*" * 245 + "[0-9]% }")
    found = _monitoring(scan(_monitoring_rules(aws_rules)))
    assert len(found) == 15 and "PASS" not in {f["status"] for f in found.values()}
    org = found["cloudwatch-monitors-organizations-changes"]
    assert org["status"] == "ERROR"
    assert org["resource_id"] == ACCOUNT
    assert "could not evaluate: metric filter 'evil-filter': regex '.?.*.?.*" in org["message"]
    assert "did not finish within 0.001 s" in org["message"]


def test_rule_regex_over_budget_on_a_40_character_bucket_is_an_error(aws: None, tmp_path: Path) -> None:
    from auditor.audit_run import prepare

    evil, short = "registraroffice-enrollwithdraw-landing.x", "raw"  # 3 characters: settled at once
    assert len(evil) == 40
    s3 = boto3.client("s3", region_name="us-east-1")
    for name in (evil, short):
        s3.create_bucket(Bucket=name)
    rules = tmp_path / "naming.yml"
    rules.write_text(
        "version: 1\nrules:\n  - id: s3-bucket-name-convention\n    title: Bucket names follow the convention\n"
        "    resource: aws.s3-bucket\n    severity: high\n    compliance: {}\n"
        "    remediation: {text: Rename the bucket.}\n"
        "    assert:\n      - {key: Name, op: regex, value: '^(.*?)*(.*?)*(.*?)*\\3\\2\\1\\d'}\n", encoding="utf-8")
    found = by_rule(scan(prepare([rules])), "s3-bucket-name-convention")
    assert found[f"arn:aws:s3:::{evil}"]["status"] == "ERROR"
    assert "regex on Name: regex '^(.*?)*(.*?)*(.*?)*\\\\3\\\\2\\\\1\\\\d' did not finish within 0.25 s" in \
        found[f"arn:aws:s3:::{evil}"]["message"]
    assert found[f"arn:aws:s3:::{short}"]["status"] == "FAIL"
