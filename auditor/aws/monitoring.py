"""CIS 5.1-5.15: "a metric filter and an alarm for <events>", judged by events.

The ``log-metric-alarm`` filter runs on the ``aws.account`` resource::

    assert:
      - {type: log-metric-alarm, control: console-auth-failures}

It passes when, on the log group of a *qualifying* trail (multi-region, logging,
management read and write events, delivering to CloudWatch Logs), the metric
filters that drive an alarm whose SNS topic has a confirmed subscription match
every representative event of the control, and none of them also matches the
control's benign events (a catch-all pattern is not monitoring). Several filters
may share the work. An organization trail owned by another account (the
management account) satisfies the control: its log group and alarms live there
and cannot be seen from a member account; the evidence says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from auditor.aws import patterns
from auditor.core.filters import EvalContext, Filter, Issue, Outcome, filter_types
from auditor.core.paths import MISSING, resolve


def _ev(source: str, *names: str) -> list[dict[str, Any]]:
    return [{"eventSource": source, "eventName": n, "eventType": "AwsApiCall", "sourceIPAddress": "198.51.100.7",
             "userIdentity": {"type": "IAMUser"}} for n in names]


#: control -> (events that must be matched, benign events that must not be).
CONTROLS: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    "unauthorized-api-calls": (
        [{"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "errorCode": "Client.UnauthorizedOperation",
          "sourceIPAddress": "198.51.100.7", "userIdentity": {"type": "IAMUser"}},
         {"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "errorCode": "AccessDenied",
          "sourceIPAddress": "198.51.100.7", "userIdentity": {"type": "IAMUser"}},
         {"eventSource": "kms.amazonaws.com", "eventName": "ListKeys", "errorCode": "AccessDeniedException",
          "sourceIPAddress": "198.51.100.7", "userIdentity": {"type": "AssumedRole"}}],
        _ev("ec2.amazonaws.com", "DescribeInstances")),
    "console-signin-without-mfa": (
        [{"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
          "additionalEventData": {"MFAUsed": "No"}, "userIdentity": {"type": "IAMUser"},
          "responseElements": {"ConsoleLogin": "Success"}}],
        [{"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
          "additionalEventData": {"MFAUsed": "Yes"}, "userIdentity": {"type": "IAMUser"},
          "responseElements": {"ConsoleLogin": "Success"}}, *_ev("s3.amazonaws.com", "GetObject")]),
    "root-account-usage": (
        [{"eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "eventType": "AwsApiCall",
          "userIdentity": {"type": "Root"}},
         {"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
          "userIdentity": {"type": "Root"}}],
        [*_ev("s3.amazonaws.com", "ListBuckets"),
         {"eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "eventType": "AwsServiceEvent",
          "userIdentity": {"type": "Root", "invokedBy": "AWS Internal"}}]),
    "iam-policy-changes": (
        _ev("iam.amazonaws.com", "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy",
            "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion",
            "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
            "AttachGroupPolicy", "DetachGroupPolicy"),
        _ev("iam.amazonaws.com", "ListUsers", "GetPolicy")),
    "cloudtrail-config-changes": (
        _ev("cloudtrail.amazonaws.com", "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
        _ev("cloudtrail.amazonaws.com", "DescribeTrails", "LookupEvents")),
    "console-auth-failures": (
        [{"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
          "errorMessage": "Failed authentication", "userIdentity": {"type": "IAMUser"},
          "responseElements": {"ConsoleLogin": "Failure"}}],
        [{"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
          "userIdentity": {"type": "IAMUser"}, "responseElements": {"ConsoleLogin": "Success"}}]),
    "cmk-disable-or-deletion": (
        _ev("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"),
        _ev("kms.amazonaws.com", "Encrypt", "Decrypt", "EnableKey")),
    "s3-bucket-policy-changes": (
        _ev("s3.amazonaws.com", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
            "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle",
            "DeleteBucketReplication"),
        _ev("s3.amazonaws.com", "GetObject", "PutObject", "GetBucketPolicy")),
    "config-changes": (
        _ev("config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
            "PutConfigurationRecorder"),
        _ev("config.amazonaws.com", "DescribeConfigurationRecorders")),
    "security-group-changes": (
        _ev("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"),
        _ev("ec2.amazonaws.com", "DescribeSecurityGroups", "RunInstances")),
    "nacl-changes": (
        _ev("ec2.amazonaws.com", "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
            "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"),
        _ev("ec2.amazonaws.com", "DescribeNetworkAcls", "RunInstances")),
    "network-gateway-changes": (
        _ev("ec2.amazonaws.com", "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
            "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"),
        _ev("ec2.amazonaws.com", "DescribeInternetGateways", "RunInstances")),
    "route-table-changes": (
        _ev("ec2.amazonaws.com", "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
            "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"),
        _ev("ec2.amazonaws.com", "DescribeRouteTables", "RunInstances")),
    "vpc-changes": (
        _ev("ec2.amazonaws.com", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"),
        _ev("ec2.amazonaws.com", "DescribeVpcs", "RunInstances")),
    "organizations-changes": (
        _ev("organizations.amazonaws.com", "AcceptHandshake", "AttachPolicy", "CreateAccount",
            "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization",
            "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
            "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization",
            "UpdatePolicy", "UpdateOrganizationalUnit"),
        _ev("organizations.amazonaws.com", "DescribeOrganization", "ListAccounts")),
}


def qualifying(trail: Mapping[str, Any]) -> bool:
    """A trail whose events are a complete basis for CIS 5.x monitoring."""
    mgmt = trail.get("ManagementEvents") or {}
    return bool(trail.get("IsMultiRegionTrail") and trail.get("IsLogging") and mgmt.get("Read")
                and mgmt.get("Write"))


def subscribed(alarm: Mapping[str, Any]) -> bool:
    return bool(alarm.get("ActionsEnabled", True)) and any(
        (t.get("ConfirmedSubscriptions") or 0) > 0 for t in alarm.get("Topics", []))


@filter_types.register("log-metric-alarm")
class LogMetricAlarmFilter(Filter):
    """CIS 5.x: the trail's log group has metric filters + subscribed alarms for a set of events.

    Reads the account attributes ``Trails`` and ``LogMetricFilters``. Example::

        assert:
          - {type: log-metric-alarm, control: root-account-usage}
    """

    schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"type": {"const": "log-metric-alarm"}, "control": {"enum": sorted(CONTROLS)}},
        "required": ["type", "control"],
        "additionalProperties": False,
    }
    permissions = ("logs:DescribeMetricFilters", "cloudwatch:DescribeAlarms", "sns:ListSubscriptionsByTopic",
                   "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors")

    def roots(self) -> set[str]:
        return {"Trails", "LogMetricFilters"}

    def check(self, params: Mapping[str, Any], attributes: Mapping[str, str]) -> list[Issue]:
        missing = [a for a in sorted(self.roots()) if attributes and a not in attributes]
        return [Issue(("type",), f"log-metric-alarm needs attribute '{m}' (use it on aws.account)") for m in missing]

    def evaluate(self, item: Any, ctx: EvalContext) -> Outcome:
        positives, negatives = CONTROLS[self.data["control"]]
        trails = _listed(item, "Trails")
        external = _organization_trail(trails)
        if external is not None:
            return Outcome(True, {"OrganizationTrail": external.get("TrailARN")},
                           "monitored by the organization trail's management account")
        groups = {t.get("LogGroupName") for t in trails if qualifying(t) and t.get("LogGroupName")}
        if not groups:
            return Outcome(False, {"QualifyingTrails": 0},
                           "no multi-region, logging trail with all management events delivers to CloudWatch Logs")
        coverage = _Coverage(positives)
        for f in _listed(item, "LogMetricFilters"):
            if f.get("LogGroupName") in groups:
                coverage.add(f, _events_matched(f, positives, negatives))
        return coverage.outcome(groups)


def _listed(item: Any, attribute: str) -> list[Any]:
    """The account attribute as a list (empty when it was not collected)."""
    value = resolve(item, attribute)
    return [] if value is MISSING or value is None else list(value)


def _organization_trail(trails: list[Any]) -> Mapping[str, Any] | None:
    """The first multi-region organization trail owned by another account (the management account)."""
    return next((t for t in trails
                 if t.get("IsOrganizationTrail") and t.get("IsExternal") and t.get("IsMultiRegionTrail")), None)


def _events_matched(f: Mapping[str, Any], positives: list[dict[str, Any]],
                    negatives: list[dict[str, Any]]) -> set[int]:
    """The indexes of the ``positives`` the metric filter's pattern matches.

    Empty when the pattern does not parse or also matches a benign event (a catch-all
    pattern is not monitoring).
    """
    try:
        node = patterns.parse(f.get("FilterPattern", ""), owner=f"metric filter {f.get('FilterName')!r}")
    except patterns.PatternError:
        return set()
    hits = {i for i, e in enumerate(positives) if patterns.match(node, e)}
    if not hits or any(patterns.match(node, e) for e in negatives):
        return set()
    return hits


@dataclass
class _Coverage:
    """Which of a control's events the log group's alarmed metric filters match, and with which filters."""

    positives: list[dict[str, Any]]
    covered: set[int] = field(default_factory=set)
    used: list[str] = field(default_factory=list)
    near: list[str] = field(default_factory=list)  # matching filters without a subscribed alarm

    def add(self, f: Mapping[str, Any], hits: set[int]) -> None:
        """Count a metric filter's matched events when an alarm with a confirmed subscription uses it."""
        if not hits:
            return
        alarms = [a for a in f.get("Alarms", []) if subscribed(a)]
        if not alarms:
            self.near.append(f"{f.get('FilterName')} (no alarm with a confirmed SNS subscription)")
            return
        self.covered |= hits
        self.used.append(f"{f.get('FilterName')} -> {alarms[0].get('AlarmName')}")

    def outcome(self, groups: set[Any]) -> Outcome:
        """PASS when every event is covered; else FAIL naming the events no alarmed filter matches."""
        evidence: dict[str, Any] = {"LogGroups": sorted(g for g in groups if g), "Filters": self.used[:10]}
        if len(self.covered) == len(self.positives):
            return Outcome(True, evidence)
        missing = [str(e.get("eventName")) for i, e in enumerate(self.positives) if i not in self.covered]
        evidence["UnmonitoredEvents"] = missing[:20]
        reason = f"no alarmed metric filter matches {', '.join(missing[:6])}" + ("..." if len(missing) > 6 else "")
        if self.near:
            reason += f"; matching filters without a subscribed alarm: {', '.join(self.near[:3])}"
        return Outcome(False, evidence, reason)
