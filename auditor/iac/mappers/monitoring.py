"""Alarms (``aws.metric-alarm``), metric filters and SNS topics; the account's monitoring attributes.

- ``AWS::CloudWatch::Alarm`` / ``aws_cloudwatch_metric_alarm`` -> ``aws.metric-alarm`` with its
  ``Topics``: for each SNS action, whether the topic is in the change and how many of its
  subscriptions are confirmed. Subscriptions AWS confirms itself (``sqs``, ``lambda``,
  ``firehose``, ``application``, ``sms``) count; an ``email``/``http(s)`` subscription waits
  for its recipient, so a topic with only those has an unknown confirmed count (ERROR: the
  account scan judges it once confirmed). A topic outside the change is unknown too.
- the account's ``LogMetricFilters`` (CIS 5.x), set with the trails of the change: the
  metric filters (``AWS::Logs::MetricFilter`` / ``aws_cloudwatch_log_metric_filter``) on the
  log groups of its qualifying trails, each with the alarms of the change on its metric;
- the account's ``MetricAlarms`` (the billing alarm), set when the change has an alarm on
  ``AWS/Billing``.
"""

from __future__ import annotations

from typing import Any

from auditor.aws.monitoring import qualifying
from auditor.core.resources import Resource
from auditor.iac.build import Builder, account_id, source_id
from auditor.iac.mappers.common import block, blocks, shown, text
from auditor.iac.mappers.logs import log_group_name
from auditor.iac.values import Unknown, as_bool, as_int, as_list, given

ALARM_TYPE = "aws.metric-alarm"
TOPIC_TYPES = ("AWS::SNS::Topic", "aws_sns_topic")
AUTO_CONFIRMED = ("sqs", "lambda", "firehose", "application", "sms")


def map_monitoring(b: Builder) -> None:
    subscriptions = _subscriptions(b)
    alarms = [_alarm(b, src, subscriptions) for src in b.of("AWS::CloudWatch::Alarm", "aws_cloudwatch_metric_alarm")]
    billing = [a for a, _ in alarms if _is(a.get("Namespace"), "AWS/Billing")]
    if billing:
        b.set_account("MetricAlarms", billing, *(s for a, s in alarms if _is(a.get("Namespace"), "AWS/Billing")))
    if "Trails" in b.account:
        _log_metric_filters(b, alarms)


def _subscriptions(b: Builder) -> dict[str, list[str]]:
    """Topic source key -> protocols of the subscriptions the change makes to it."""
    out: dict[str, list[str]] = {t.key: [] for t in b.of(*TOPIC_TYPES)}
    for topic in b.of("AWS::SNS::Topic"):
        name = topic.props.get("TopicName")
        if isinstance(name, str):
            b.name("topic", name, topic)
        for sub in given(topic.props.get("Subscription"), []):
            if isinstance(sub, dict):
                out[topic.key].append(shown(sub.get("Protocol"), "").lower())
    for topic in b.of("aws_sns_topic"):
        b.name("topic", topic.props.get("name"), topic)
    for sub in b.of("AWS::SNS::Subscription", "aws_sns_topic_subscription"):
        cfn = sub.type == "AWS::SNS::Subscription"
        target = b.target(sub.props.get("TopicArn" if cfn else "topic_arn"), "topic", TOPIC_TYPES)
        if target is not None:
            out[target.key].append(shown(sub.props.get("Protocol" if cfn else "protocol"), "").lower())
            b.use(sub)
    return out


def _topic(b: Builder, action: Any, subscriptions: dict[str, list[str]]) -> dict[str, Any] | None:
    target = b.target(action, "topic", TOPIC_TYPES)
    if target is None:
        if isinstance(action, str) and ":sns:" in action:
            outside = Unknown(f"the SNS topic {action} is outside this change")
            return {"TopicArn": str(action), "Exists": outside, "ConfirmedSubscriptions": outside,
                    "PendingSubscriptions": outside}
        return None
    b.use(target)
    protocols = subscriptions.get(target.key, [])
    confirmed = sum(1 for p in protocols if p in AUTO_CONFIRMED)
    pending = len(protocols) - confirmed
    count: Any = confirmed
    if not confirmed and pending:
        count = Unknown(f"{pending} subscription(s) of {target.address} must be confirmed by their recipient")
    return {"TopicArn": text(action), "Exists": True, "ConfirmedSubscriptions": count, "PendingSubscriptions": pending}


def _alarm(b: Builder, src: Any, subscriptions: dict[str, list[str]]) -> tuple[dict[str, Any], Any]:
    p = src.props
    cfn = src.type == "AWS::CloudWatch::Alarm"

    def get(cfn_name: str, tf_name: str) -> Any:
        return p.get(cfn_name if cfn else tf_name)

    name = given(get("AlarmName", "alarm_name"), src.address)
    actions = as_list(get("AlarmActions", "alarm_actions"))
    topics = [t for t in (_topic(b, a, subscriptions) for a in (actions if isinstance(actions, list) else []))
              if t is not None]
    dims = get("Dimensions", "dimensions")
    threshold = get("Threshold", "threshold")
    alarm = {
        "AlarmName": text(name), "AlarmArn": f"arn:aws:cloudwatch:{src.region or '${AWS::Region}'}:"
                                              f"{account_id(b, src)}:alarm:{name}",
        "MetricName": get("MetricName", "metric_name"), "Namespace": get("Namespace", "namespace"),
        "Statistic": get("Statistic", "statistic"),
        "Threshold": _number(threshold),
        "ComparisonOperator": get("ComparisonOperator", "comparison_operator"),
        "Dimensions": {d.get("Name"): d.get("Value") for d in dims if isinstance(d, dict)} if isinstance(dims, list)
        else given(dims, {}),
        "ActionsEnabled": as_bool(get("ActionsEnabled", "actions_enabled"), True),
        "AlarmActions": actions, "StateValue": "INSUFFICIENT_DATA", "Region": src.region,
        "Topics": topics if not isinstance(actions, Unknown) else actions,
    }
    b.add(Resource(ALARM_TYPE, source_id(src), dict(alarm), region=src.region, name=shown(alarm["AlarmName"], src.address)), src)
    return alarm, src


def _is(value: Any, expected: str) -> bool:
    """``value == expected`` for a value that may be unknown (then it is not, as far as joins go)."""
    return isinstance(value, str) and value == expected


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return as_int(value)
    return value


def _log_metric_filters(b: Builder, alarms: list[tuple[dict[str, Any], Any]]) -> None:
    groups = set()
    for t in b.account["Trails"]:
        try:
            if qualifying(t) and isinstance(t.get("LogGroupName"), str):
                groups.add(t["LogGroupName"])
        except Exception:  # noqa: BLE001 - an unknown trail setting: the rule reports it (ERROR)
            continue
    by_metric: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for a, _src in alarms:
        if isinstance(a["Namespace"], str) and isinstance(a["MetricName"], str):
            by_metric.setdefault((a["Namespace"], a["MetricName"]), []).append(a)
    out = []
    used = []
    for src in b.of("AWS::Logs::MetricFilter", "aws_cloudwatch_log_metric_filter"):
        cfn = src.type == "AWS::Logs::MetricFilter"
        p = src.props
        group = log_group_name(b, p.get("LogGroupName" if cfn else "log_group_name"))
        transforms = p.get("MetricTransformations") if cfn else blocks(p.get("metric_transformation"))
        for t in transforms if isinstance(transforms, list) else [block(transforms)]:
            t = t if isinstance(t, dict) else {}
            metric = t.get("MetricName" if cfn else "name")
            namespace = t.get("MetricNamespace" if cfn else "namespace")
            matched = by_metric.get((namespace, metric), [])
            out.append({"LogGroupName": group, "FilterName": given(p.get("FilterName" if cfn else "name"), src.address),
                        "FilterPattern": p.get("FilterPattern" if cfn else "pattern", ""), "MetricName": metric,
                        "MetricNamespace": namespace, "Region": src.region,
                        "Alarms": [{"AlarmName": a["AlarmName"], "ActionsEnabled": a["ActionsEnabled"],
                                    "Topics": a["Topics"]} for a in matched]})
        if group in groups:
            used.append(src)
    b.set_account("LogMetricFilters", out, *used)
