"""CloudWatch alarms, CloudWatch Logs metric filters, and the SNS topics alarms notify.

Resource type ``aws.metric-alarm`` (id: alarm ARN). Each alarm carries
``Topics``: for every SNS action, whether the topic exists and how many
subscriptions are *confirmed* (a pending e-mail subscription notifies nobody).
The account resource reuses these for the billing alarm and the CIS 5.x checks.
Example rule::

    - id: cloudwatch-alarm-actions-subscribed
      resource: aws.metric-alarm
      assert:
        - any: Topics
          match: [{key: ConfirmedSubscriptions, op: gt, value: 0}]
"""

from __future__ import annotations

from typing import Any, ClassVar

from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

ALARM_TYPE = "aws.metric-alarm"


@resource_types.register(ALARM_TYPE)
class MetricAlarm(ResourceType):
    """A CloudWatch metric alarm. Example: ``{key: ActionsEnabled, op: eq, value: true}``"""

    # Derived from TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


TABLE = AttributeTable(ALARM_TYPE, listing=("cloudwatch:DescribeAlarms",), attributes={
    "AlarmName": Attr("name"), "AlarmArn": Attr("ARN"), "MetricName": Attr("metric"),
    "Namespace": Attr("metric namespace"), "Statistic": Attr("statistic"), "Threshold": Attr("number"),
    "ComparisonOperator": Attr("GreaterThanThreshold..."), "Dimensions": Attr("mapping {Name: Value}"),
    "ActionsEnabled": Attr("bool"), "AlarmActions": Attr("[ARNs]"),
    "StateValue": Attr("OK | ALARM | INSUFFICIENT_DATA"), "Region": Attr("alarm region"),
    "Topics": Attr("[{TopicArn, Exists, ConfirmedSubscriptions, PendingSubscriptions}] for SNS actions",
                   permissions=("sns:ListSubscriptionsByTopic",)),
})
MetricAlarm.attributes, MetricAlarm.permissions = TABLE.docs(), TABLE.permissions()


def topic_status(scope: Scope, arn: str) -> dict[str, Any]:
    """Existence and subscription counts of an SNS topic (one listing per topic per scan)."""
    region = arn.split(":")[3] if arn.count(":") >= 5 else scope.home_region

    def get() -> dict[str, Any]:
        try:
            subs = scope.session.paginate("sns", region, "ListSubscriptionsByTopic", "Subscriptions", TopicArn=arn)
        except ApiError as err:
            if err.code in ("NotFound", "NotFoundException"):
                return {"TopicArn": arn, "Exists": False, "ConfirmedSubscriptions": 0, "PendingSubscriptions": 0}
            return {"TopicArn": arn, "Error": err.reason}
        pending = sum(1 for s in subs if s.get("SubscriptionArn") in ("PendingConfirmation", "Deleted"))
        return {"TopicArn": arn, "Exists": True, "ConfirmedSubscriptions": len(subs) - pending,
                "PendingSubscriptions": pending}

    return scope.memo(f"sns-topic|{arn}", get)


def alarms(scope: Scope, regions: list[str]) -> tuple[list[dict[str, Any]], list[tuple[str, ApiError]]]:
    """Metric alarms of the given regions, with their SNS topics resolved."""
    found: list[dict[str, Any]] = []
    failed: list[tuple[str, ApiError]] = []
    for region in regions:
        try:
            items = scope.memo(f"alarms|{region}", lambda r=region: scope.session.paginate(  # type: ignore[misc]
                "cloudwatch", r, "DescribeAlarms", "MetricAlarms"))
        except ApiError as err:
            failed.append((region, err))
            continue
        for a in items:
            found.append(_alarm(scope, a, region))
    return found, failed


def _alarm(scope: Scope, a: dict[str, Any], region: str) -> dict[str, Any]:
    topics = [topic_status(scope, arn) for arn in a.get("AlarmActions", []) if ":sns:" in arn]
    return {
        "AlarmName": a["AlarmName"], "AlarmArn": a.get("AlarmArn"), "MetricName": a.get("MetricName"),
        "Namespace": a.get("Namespace"), "Statistic": a.get("Statistic"), "Threshold": a.get("Threshold"),
        "ComparisonOperator": a.get("ComparisonOperator"),
        "Dimensions": {d["Name"]: d["Value"] for d in a.get("Dimensions", [])},
        "ActionsEnabled": bool(a.get("ActionsEnabled", True)), "AlarmActions": a.get("AlarmActions", []),
        "StateValue": a.get("StateValue"), "Region": region, "Topics": topics,
    }


@collector(ALARM_TYPE)
def collect_alarms(scope: Scope) -> list[Resource]:
    found, failed = alarms(scope, scope.regions)
    for region, err in failed:
        scope.inventory.fail(ALARM_TYPE, scope.arn("cloudwatch", region, "alarm:*"), region, err.reason)
    return [Resource(ALARM_TYPE, a["AlarmArn"] or scope.arn("cloudwatch", a["Region"], "alarm:" + a["AlarmName"]),
                     a, region=a["Region"], name=a["AlarmName"]) for a in found]


def metric_filters(scope: Scope, group: str, region: str) -> list[dict[str, Any]]:
    """Metric filters of one log group (raises :class:`ApiError`)."""
    items = scope.session.paginate("logs", region, "DescribeMetricFilters", "metricFilters", logGroupName=group)
    out = []
    for f in items:
        for t in f.get("metricTransformations", []) or [{}]:
            out.append({"LogGroupName": f.get("logGroupName", group), "FilterName": f.get("filterName"),
                        "FilterPattern": f.get("filterPattern", ""), "MetricName": t.get("metricName"),
                        "MetricNamespace": t.get("metricNamespace"), "Region": region})
    return out
