"""The account as a resource: root user, password policy, contacts, account-wide settings.

Resource type ``aws.account`` (id ``arn:aws:iam::<account>:root``, one per scan).
Its attributes are fetched only when a rule reads them. ``Trails``,
``LogMetricFilters`` and ``MetricAlarms`` describe account-wide logging and
monitoring (CIS 4.1, 4.8, 4.9, 5.x, the billing alarm). Example rule::

    - id: iam-password-policy-min-length
      resource: aws.account
      assert: [{key: PasswordPolicy.MinimumPasswordLength, op: ge, value: 14}]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from auditor.aws import cloudtrail, cloudwatch, iam, s3
from auditor.aws.collect import Scope, collector, error_code, fetch
from auditor.aws.monitoring import qualifying
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

ACCOUNT_TYPE = "aws.account"
SUPPORT_POLICY = "arn:{p}:iam::aws:policy/AWSSupportAccess"
CLOUDSHELL_POLICY = "arn:{p}:iam::aws:policy/AWSCloudShellFullAccess"


@resource_types.register(ACCOUNT_TYPE)
class Account(ResourceType):
    """The AWS account. Example: ``{key: Root.AccessKeysActive, op: eq, value: false}``"""

    attributes: ClassVar[dict[str, str]] = {
        "AccountId": "12-digit account id",
        "PasswordPolicy": "IAM password policy, or null when none is set",
        "Summary": "IAM account summary (AccountMFAEnabled, AccountAccessKeysPresent, ...)",
        "Root": "{MfaActive, HardwareMfa, AccessKeysActive} from the account summary and MFA devices",
        "RootUsage": "{PasswordLastUsed, LastUsed, AccessKeys} from the credential report's root row",
        "SupportRoles": "[role names] with AWSSupportAccess attached",
        "CloudShellFullAccess": "[user/group/role names] with AWSCloudShellFullAccess attached",
        "S3PublicAccessBlock": "account-level S3 public access block",
        "ContactInformation": "primary contact {FullName, PhoneNumber, AddressLine1, City, PostalCode, "
                              "CountryCode, CompanyName, ...} (Account API GetContactInformation)",
        "SecurityContact": "security alternate contact {Name, Title, EmailAddress, PhoneNumber}, null when none",
        "Trails": "[trail summaries] (see aws.cloudtrail-trail)",
        "LogMetricFilters": "[{LogGroupName, FilterName, FilterPattern, MetricName, MetricNamespace, "
                            "Alarms: [...]}] on the log groups of qualifying trails",
        "MetricAlarms": "[alarms] of the scanned regions and us-east-1 (billing), with SNS topic status",
    }
    permissions = ("iam:GetAccountPasswordPolicy", "iam:GetAccountSummary", "iam:GenerateCredentialReport",
                   "iam:GetCredentialReport", "iam:ListVirtualMFADevices", "iam:ListEntitiesForPolicy",
                   "s3:GetAccountPublicAccessBlock", "account:GetContactInformation",
                   "account:GetAlternateContact", "cloudwatch:DescribeAlarms",
                   "logs:DescribeMetricFilters", "sns:ListSubscriptionsByTopic")


def _password_policy(scope: Scope) -> dict[str, Any] | None:
    out, _ = error_code(lambda: scope.session.call("iam", scope.home_region, "GetAccountPasswordPolicy"), "NoSuchEntity")
    return dict(out["PasswordPolicy"]) if out else None


def _summary(scope: Scope) -> dict[str, Any]:
    return dict(scope.session.call("iam", scope.home_region, "GetAccountSummary")["SummaryMap"])


def _root(scope: Scope) -> dict[str, Any]:
    summary = _summary(scope)
    mfa = summary.get("AccountMFAEnabled") == 1
    virtual = scope.session.paginate("iam", scope.home_region, "ListVirtualMFADevices", "VirtualMFADevices",
                                     AssignmentStatus="Assigned")
    root_virtual = any(str(d.get("SerialNumber", "")).endswith(":mfa/root-account-mfa-device")
                       or str(d.get("User", {}).get("Arn", "")).endswith(":root") for d in virtual)
    return {"MfaActive": mfa, "HardwareMfa": mfa and not root_virtual,
            "AccessKeysActive": (summary.get("AccountAccessKeysPresent") or 0) > 0}


def _root_usage(scope: Scope) -> dict[str, Any]:
    rows = [r for r in iam.credential_report(scope) if r.get("user") == "<root_account>"]
    if not rows:
        raise ApiError("GetCredentialReport", "RootRowMissing")
    row = rows[0]
    keys = iam.report_keys(row)
    used = [v for v in [iam.report_value(row.get("password_last_used"))] + [k["LastUsedDate"] for k in keys] if v]
    return {"PasswordLastUsed": iam.report_value(row.get("password_last_used")), "AccessKeys": keys,
            "LastUsed": max(used) if used else None}


def _entities(scope: Scope, template: str) -> list[str]:
    arn = template.format(p=scope.partition)
    out: list[str] = []
    for key, name in (("PolicyUsers", "UserName"), ("PolicyGroups", "GroupName"), ("PolicyRoles", "RoleName")):
        out += [e[name] for e in scope.session.paginate("iam", scope.home_region, "ListEntitiesForPolicy", key,
                                                           PolicyArn=arn)]
    return out


def _support_roles(scope: Scope) -> list[str]:
    return [e["RoleName"] for e in scope.session.paginate(
        "iam", scope.home_region, "ListEntitiesForPolicy", "PolicyRoles",
        PolicyArn=SUPPORT_POLICY.format(p=scope.partition), EntityFilter="Role")]


def _contact_information(scope: Scope) -> dict[str, Any]:
    """The primary contact (CIS 2.1). Every account has one from sign-up: any failure,
    ResourceNotFoundException included, is an ERROR, never an "empty contact" FAIL or PASS."""
    return dict(scope.session.call("account", scope.home_region, "GetContactInformation")["ContactInformation"])


def _security_contact(scope: Scope) -> dict[str, Any] | None:
    # ResourceNotFoundException is AWS's documented answer for "no SECURITY contact registered":
    # a FAIL of CIS 2.2 (null), not an ERROR. A denial stays an ERROR.
    out, _ = error_code(lambda: scope.session.call("account", scope.home_region, "GetAlternateContact",
                                                   AlternateContactType="SECURITY"), "ResourceNotFoundException")
    return dict(out["AlternateContact"]) if out else None


def _alarm_regions(scope: Scope) -> list[str]:
    # Billing metrics exist only in us-east-1: always look there too.
    return sorted({*scope.regions, "us-east-1"}) if scope.partition == "aws" else list(scope.regions)


def _metric_alarms(scope: Scope) -> list[dict[str, Any]]:
    found, failed = cloudwatch.alarms(scope, _alarm_regions(scope))
    if failed:
        raise failed[0][1]
    return found


def _log_metric_filters(scope: Scope) -> list[dict[str, Any]]:
    groups = {(t["LogGroupName"], t.get("LogGroupRegion") or t["HomeRegion"]) for t in _complete_trails(scope)
              if qualifying(t) and t.get("LogGroupName") and not t.get("IsExternal")}
    if not groups:
        return []
    found, failed = cloudwatch.alarms(scope, sorted({r for _, r in groups}))
    if failed:
        raise failed[0][1]
    by_metric: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for a in found:
        by_metric.setdefault((a["Region"], a["Namespace"] or "", a["MetricName"] or ""), []).append(a)
    out = []
    for group, region in sorted(groups):
        for f in cloudwatch.metric_filters(scope, group, region):
            alarms = by_metric.get((region, f["MetricNamespace"] or "", f["MetricName"] or ""), [])
            out.append({**f, "Alarms": [{"AlarmName": a["AlarmName"], "ActionsEnabled": a["ActionsEnabled"],
                                         "Topics": a["Topics"]} for a in alarms]})
    return out


def _complete_trails(scope: Scope) -> list[dict[str, Any]]:
    """Every trail with all its details, or the first failed call as an ``ApiError``.

    Account-level judgments (CIS 4.1, 4.8, 4.9, 5.x) look across all trails: a
    trail whose status or selectors could not be read would otherwise look like
    "not logging" and turn an unknown into a FAIL. Fail closed: ERROR instead.
    """
    found = cloudtrail.trails(scope)
    for t in found:
        for reason in (t.get("_errors") or {}).values():
            operation, _, code = reason.partition(": ")
            raise ApiError(operation, code or "Error", f"trail {t.get('Name', '?')}")
    return found


_FETCHERS: dict[str, Callable[[Scope], Any]] = {
    "PasswordPolicy": _password_policy,
    "Summary": _summary,
    "Root": _root,
    "RootUsage": _root_usage,
    "SupportRoles": _support_roles,
    "CloudShellFullAccess": lambda scope: _entities(scope, CLOUDSHELL_POLICY),
    "S3PublicAccessBlock": s3.account_public_access_block,
    "ContactInformation": _contact_information,
    "SecurityContact": _security_contact,
    "Trails": lambda scope: [{k: v for k, v in t.items() if not k.startswith("_")} for t in _complete_trails(scope)],
    "LogMetricFilters": _log_metric_filters,
    "MetricAlarms": _metric_alarms,
}


@collector(ACCOUNT_TYPE)
def collect_account(scope: Scope) -> list[Resource]:
    res = Resource(ACCOUNT_TYPE, scope.account_arn, {"AccountId": scope.account}, region="global",
                   name=f"account {scope.account}")
    wanted = [a for a in _FETCHERS if scope.needs(ACCOUNT_TYPE, a)]
    for attr in wanted:
        fetch(res, attr, lambda a=attr: _FETCHERS[a](scope))  # type: ignore[misc]
    return [res]
