"""Monitoring items: SNS topics and their email subscription, the CIS metric
filters and alarms, the billing alarm, the governance dashboard.

Email subscriptions: apply subscribes the configured address; AWS then sends
a confirmation email and the subscription stays *pending* until a person
clicks the link. That is a human step apply cannot do: the plan reports a
pending subscription as a note (not a change, so a converged account still
exits 0), and the audit's billing rule keeps failing until it is confirmed.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.baseline.live import LiveContext, absent_on
from auditor.baseline.model import ABSENT, Item
from auditor.baseline.spec import Desired


def topic(ctx: LiveContext, d: Desired) -> list[Item]:
    sns = ctx.client("sns", d.region)
    arn = ctx.spec.target.arn("sns", d.name, region=d.region)
    email = d.props.get("Email")

    @absent_on("NotFound", "NotFoundException")
    def read_topic() -> Any:
        sns.get_topic_attributes(TopicArn=arn)
        return {}

    def topic_notes(cur: Any) -> list[str]:
        return [] if email else ["no baseline.alert_email configured: alarms notify a topic nobody subscribes to"]

    items = [Item(f"sns-topic[{d.name}]", {}, read_topic,
                  lambda cur, want: sns.create_topic(Name=d.name), notes=topic_notes)]
    if email:
        @absent_on("NotFound", "NotFoundException")
        def read_sub() -> Any:
            for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn):
                for s in page["Subscriptions"]:
                    if s["Protocol"] == "email" and s["Endpoint"].lower() == email.lower():
                        return {"Endpoint": email, "SubscriptionArn": s["SubscriptionArn"]}
            return ABSENT

        def sub_notes(cur: Any) -> list[str]:
            if cur is ABSENT or _pending(sns, cur["SubscriptionArn"]):
                return [f"the email subscription of {d.name} must be confirmed by its recipient "
                        "(a human step: AWS sends a confirmation link)"]
            return []

        items.append(Item(f"sns-subscription[{d.name}/email]", {"Endpoint": email}, read_sub,
                          lambda cur, want: sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=email),
                          notes=sub_notes))
    return items


def _pending(sns: Any, subscription_arn: str) -> bool:
    from botocore.exceptions import ClientError

    if subscription_arn == "PendingConfirmation" or ":" not in subscription_arn:
        return True
    try:
        attrs = sns.get_subscription_attributes(SubscriptionArn=subscription_arn)["Attributes"]
    except ClientError:
        return True
    return str(attrs.get("PendingConfirmation", "false")).lower() == "true"


def metric_filter(ctx: LiveContext, d: Desired) -> list[Item]:
    logs = ctx.client("logs", d.region)
    want = {k: d.props[k] for k in ("filterPattern", "metricTransformations")}

    @absent_on("ResourceNotFoundException")
    def read() -> Any:
        out = logs.describe_metric_filters(logGroupName=d.props["logGroupName"], filterNamePrefix=d.name)
        for f in out["metricFilters"]:
            if f["filterName"] == d.name:
                return {"filterPattern": f["filterPattern"], "metricTransformations": f["metricTransformations"]}
        return ABSENT

    def write(cur: Any, value: Any) -> None:
        logs.put_metric_filter(logGroupName=d.props["logGroupName"], filterName=d.name, **value)

    return [Item(f"logs-metric-filter[{d.name}]", want, read, write)]


def alarm(ctx: LiveContext, d: Desired) -> list[Item]:
    cw = ctx.client("cloudwatch", d.region)

    def read() -> Any:
        alarms = cw.describe_alarms(AlarmNames=[d.name])["MetricAlarms"]
        return alarms[0] if alarms else ABSENT

    return [Item(f"cloudwatch-alarm[{d.name}]", d.props, read, lambda cur, want: cw.put_metric_alarm(**want))]


def dashboard(ctx: LiveContext, d: Desired) -> list[Item]:
    cw = ctx.client("cloudwatch", d.region)

    @absent_on("ResourceNotFound", "ResourceNotFoundException")
    def read() -> Any:
        return json.loads(cw.get_dashboard(DashboardName=d.name)["DashboardBody"])

    def compare(cur: Any, want: Any) -> list[str]:
        if cur is ABSENT:
            return [f"dashboard: (absent) -> {len(want['widgets'])} widgets"]
        return [] if cur == want else ["DashboardBody: differs from the baseline's widgets"]

    return [Item(f"cloudwatch-dashboard[{d.name}]", d.props["DashboardBody"], read,
                 lambda cur, want: cw.put_dashboard(DashboardName=d.name, DashboardBody=json.dumps(want)), compare)]
