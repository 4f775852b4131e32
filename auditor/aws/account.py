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
from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector, error_code
from auditor.aws.monitoring import qualifying
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

ACCOUNT_TYPE = "aws.account"
SUPPORT_POLICY = "arn:{p}:iam::aws:policy/AWSSupportAccess"
CLOUDSHELL_POLICY = "arn:{p}:iam::aws:policy/AWSCloudShellFullAccess"


@resource_types.register(ACCOUNT_TYPE)
class Account(ResourceType):
    """The AWS account. Example: ``{key: Root.AccessKeysActive, op: eq, value: false}``"""

    # Derived from TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


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
    # AccountPasswordPresent 0: the root user has no console password (e.g. root credentials
    # removed centrally by AWS Organizations); MFA then protects no sign-in. Absent from the
    # summary (older endpoints, emulators): unknown, None, so the MFA rules judge MFA alone.
    present = summary.get("AccountPasswordPresent")
    return {"MfaActive": mfa, "HardwareMfa": mfa and not root_virtual,
            "AccessKeysActive": (summary.get("AccountAccessKeysPresent") or 0) > 0,
            "PasswordPresent": None if present is None else bool(present)}


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
    # Sorted: IAM lists entities in no promised order, and evidence must not change between runs.
    return sorted(e["RoleName"] for e in scope.session.paginate(
        "iam", scope.home_region, "ListEntitiesForPolicy", "PolicyRoles",
        PolicyArn=SUPPORT_POLICY.format(p=scope.partition), EntityFilter="Role"))


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


def _account_wide(fn: Callable[[Scope], Any]) -> Callable[[Scope, Resource, Any], Any]:
    def fetcher(scope: Scope, _res: Resource, _item: Any) -> Any:
        return fn(scope)
    fetcher.__name__ = getattr(fn, "__name__", "fetcher")
    return fetcher


_REPORT = ("iam:GenerateCredentialReport", "iam:GetCredentialReport")
_TRAILS = ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
           "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:GetBucketLogging")
TABLE = AttributeTable(ACCOUNT_TYPE, attributes={
    "AccountId": Attr("12-digit account id"),
    "PasswordPolicy": Attr("IAM password policy, or null when none is set", fetch=_account_wide(_password_policy),
                           permissions=("iam:GetAccountPasswordPolicy",)),
    "Summary": Attr("IAM account summary (AccountMFAEnabled, AccountAccessKeysPresent, ...)",
                    fetch=_account_wide(_summary), permissions=("iam:GetAccountSummary",)),
    "Root": Attr("{MfaActive, HardwareMfa, AccessKeysActive, PasswordPresent} from the account summary "
                 "(PasswordPresent: AccountPasswordPresent, null when the summary does not say) and MFA devices",
                 fetch=_account_wide(_root), permissions=("iam:GetAccountSummary", "iam:ListVirtualMFADevices")),
    "RootUsage": Attr("{PasswordLastUsed, LastUsed, AccessKeys} from the credential report's root row",
                      fetch=_account_wide(_root_usage), permissions=_REPORT),
    "SupportRoles": Attr("[role names] with AWSSupportAccess attached", fetch=_account_wide(_support_roles),
                         permissions=("iam:ListEntitiesForPolicy",)),
    "CloudShellFullAccess": Attr("[user/group/role names] with AWSCloudShellFullAccess attached",
                                 fetch=_account_wide(lambda scope: _entities(scope, CLOUDSHELL_POLICY)),
                                 permissions=("iam:ListEntitiesForPolicy",)),
    "S3PublicAccessBlock": Attr("account-level S3 public access block",
                                fetch=_account_wide(s3.account_public_access_block),
                                permissions=("s3:GetAccountPublicAccessBlock",)),
    "ContactInformation": Attr("primary contact {FullName, PhoneNumber, AddressLine1, City, PostalCode, "
                               "CountryCode, CompanyName, ...} (Account API GetContactInformation)",
                               fetch=_account_wide(_contact_information),
                               permissions=("account:GetContactInformation",), personal=True),
    "SecurityContact": Attr("security alternate contact {Name, Title, EmailAddress, PhoneNumber}, null when none",
                            fetch=_account_wide(_security_contact), permissions=("account:GetAlternateContact",),
                            personal=True),
    "Trails": Attr("[trail summaries] (see aws.cloudtrail-trail)", fetch=_account_wide(
        lambda scope: [{k: v for k, v in t.items() if not k.startswith("_")} for t in _complete_trails(scope)]),
        permissions=_TRAILS),
    "LogMetricFilters": Attr("[{LogGroupName, FilterName, FilterPattern, MetricName, MetricNamespace, "
                             "Alarms: [...]}] on the log groups of qualifying trails",
                             fetch=_account_wide(_log_metric_filters),
                             permissions=("logs:DescribeMetricFilters", "cloudwatch:DescribeAlarms",
                                          "sns:ListSubscriptionsByTopic", *_TRAILS)),
    "MetricAlarms": Attr("[alarms] of the scanned regions and us-east-1 (billing), with SNS topic status",
                         fetch=_account_wide(_metric_alarms),
                         permissions=("cloudwatch:DescribeAlarms", "sns:ListSubscriptionsByTopic")),
})
Account.attributes, Account.permissions, Account.personal = TABLE.docs(), TABLE.permissions(), TABLE.personal()


@collector(ACCOUNT_TYPE)
def collect_account(scope: Scope) -> list[Resource]:
    res = Resource(ACCOUNT_TYPE, scope.account_arn, {"AccountId": scope.account}, region="global",
                   name=f"account {scope.account}")
    return [TABLE.fill(scope, res)]
