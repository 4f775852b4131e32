"""IAM: users, policies, server certificates, and the credential report.

Resource types:

* ``aws.iam-user`` (id: user ARN): console password, MFA, access keys (from the
  credential report: one GenerateCredentialReport per scan, no per-key calls),
  attached and inline policies, groups;
* ``aws.iam-policy``: customer-managed policies, AWS-managed policies that are
  *attached* (judging unattached AWS policies floods results), and inline
  policies of users, groups and roles, with the default version's document
  normalised (see :mod:`auditor.aws.policy_doc`);

Users, groups, roles, their inline and attached policies and the customer-managed
policies' documents all come from one paginated GetAccountAuthorizationDetails
(1000 entities a page), not from calls per principal: IAM's API rate is low, and
an account with thousands of roles would otherwise spend its scan being throttled.
* ``aws.iam-server-certificate``: certificates stored in IAM with their expiry.

Example rule::

    - id: iam-user-console-mfa-enabled
      resource: aws.iam-user
      where: [{key: PasswordEnabled, op: eq, value: true}]
      assert: [{key: MfaActive, op: eq, value: true}]
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any, ClassVar

from auditor.aws import policy_doc
from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

USER_TYPE = "aws.iam-user"
POLICY_TYPE = "aws.iam-policy"
CERT_TYPE = "aws.iam-server-certificate"


@resource_types.register(USER_TYPE)
class IamUser(ResourceType):
    """An IAM user. Example: ``{count: AccessKeys, match: [{key: Status, op: eq, value: Active}], op: le, value: 1}``"""

    # Derived from USER_TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


@resource_types.register(POLICY_TYPE)
class IamPolicy(ResourceType):
    """An IAM policy (managed or inline) with its normalised document.

    Example: ``{key: AttachmentCount, op: gt, value: 0}`` in ``where``.
    """

    # Derived from POLICY_TABLE (below).
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


@resource_types.register(CERT_TYPE)
class IamServerCertificate(ResourceType):
    """A server certificate stored in IAM. Example: ``{key: Expiration, value_type: expiration, op: gt, value: 0}``"""

    # Derived from CERT_TABLE (below).
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


# --------------------------------------------------------------------------- credential report


def credential_report(scope: Scope) -> list[dict[str, str]]:
    """Rows of the IAM credential report (generated once per scan; polls until ready)."""
    return scope.memo("iam-credential-report", lambda: _credential_report(scope))


def _credential_report(scope: Scope) -> list[dict[str, str]]:
    region = scope.home_region
    deadline = time.monotonic() + 60
    delay = 0.2
    while True:
        # GenerateCredentialReport is not cached: its answer changes while the report builds.
        state = scope.session.call_uncached("iam", region, "GenerateCredentialReport")
        if state.get("State") == "COMPLETE" or time.monotonic() > deadline:
            break
        time.sleep(delay)
        delay = min(delay * 2, 2.0)
    content = scope.session.call("iam", region, "GetCredentialReport")["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    return list(csv.DictReader(io.StringIO(text)))


def report_value(v: str | None) -> str | None:
    """Credential-report cells: ``N/A``, ``no_information``, ``not_supported`` -> None."""
    if v is None or v in ("N/A", "no_information", "not_supported", ""):
        return None
    return v


def report_bool(v: str | None) -> bool:
    return str(v).lower() == "true"


def report_keys(row: dict[str, str]) -> list[dict[str, Any]]:
    keys = []
    for slot in (1, 2):
        rotated = report_value(row.get(f"access_key_{slot}_last_rotated"))
        active = report_bool(row.get(f"access_key_{slot}_active"))
        if rotated is None and not active:
            continue
        keys.append({"Slot": slot, "Status": "Active" if active else "Inactive", "CreateDate": rotated,
                     "LastUsedDate": report_value(row.get(f"access_key_{slot}_last_used_date"))})
    return keys


# --------------------------------------------------------------------------- users


_DETAILS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def authorization_details(scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Users, groups and roles with their policies, and customer-managed policies with their versions."""
    return scope.session.paginate_many("iam", scope.home_region, "GetAccountAuthorizationDetails", _DETAILS,
                                       Filter=["User", "Group", "Role", "LocalManagedPolicy"],
                                       PaginationConfig={"PageSize": 1000})


def _report_by_user(scope: Scope) -> tuple[dict[str, dict[str, str]], ApiError | None]:
    """The credential report's rows by user name, or the failure (computed once per scan either way)."""
    def compute() -> tuple[dict[str, dict[str, str]], ApiError | None]:
        try:
            return {r["user"]: r for r in credential_report(scope)}, None
        except ApiError as err:
            return {}, err
    return scope.memo("iam-credential-report-by-user", compute)


def _report_row(scope: Scope, res: Resource, _item: Any) -> dict[str, Any]:
    rows, error = _report_by_user(scope)
    if error is not None:
        raise error
    row = rows.get(res.attrs["UserName"])
    if row is None:
        # Users created after the report was generated are not in it yet.
        raise ApiError("GetCredentialReport", "UserNotInReport")
    return {"PasswordEnabled": report_bool(row.get("password_enabled")),
            "PasswordLastUsed": report_value(row.get("password_last_used")),
            "PasswordLastChanged": report_value(row.get("password_last_changed")),
            "MfaActive": report_bool(row.get("mfa_active")), "AccessKeys": report_keys(row)}


_REPORT = ("iam:GenerateCredentialReport", "iam:GetCredentialReport")
USER_TABLE = AttributeTable(USER_TYPE, listing=("iam:GetAccountAuthorizationDetails",), attributes={
    "UserName": Attr("user name"),
    "Arn": Attr("user ARN"),
    "CreateDate": Attr("creation timestamp"),
    "AttachedPolicies": Attr("[{PolicyName, PolicyArn}] attached directly to the user"),
    "InlinePolicies": Attr("[names] of inline user policies"),
    "Groups": Attr("[names] of the user's groups"),
    # One GenerateCredentialReport per scan, no per-key calls.
    "PasswordEnabled": Attr("bool: has a console password", fetch=_report_row, permissions=_REPORT, shared=True),
    "PasswordLastUsed": Attr("timestamp or null (never)", fetch=_report_row, permissions=_REPORT, shared=True),
    "PasswordLastChanged": Attr("timestamp or null", fetch=_report_row, permissions=_REPORT, shared=True),
    "MfaActive": Attr("bool: an MFA device is active", fetch=_report_row, permissions=_REPORT, shared=True),
    "AccessKeys": Attr("[{Slot: 1|2, Status: Active|Inactive, CreateDate, LastUsedDate}] (credential report)",
                       fetch=_report_row, permissions=_REPORT, shared=True),
})
IamUser.attributes, IamUser.permissions = USER_TABLE.docs(), USER_TABLE.permissions()


@collector(USER_TYPE)
def collect_users(scope: Scope) -> list[Resource]:
    try:
        users = authorization_details(scope)["UserDetailList"]
    except ApiError as err:
        scope.inventory.fail(USER_TYPE, scope.account_arn, "global", err.reason)
        return []

    def one(u: dict[str, Any]) -> Resource:
        name = u["UserName"]
        res = Resource(USER_TYPE, u["Arn"], {
            "UserName": name, "Arn": u["Arn"], "CreateDate": u.get("CreateDate"),
            "AttachedPolicies": [{"PolicyName": p.get("PolicyName"), "PolicyArn": p.get("PolicyArn")}
                                 for p in u.get("AttachedManagedPolicies", [])],
            "InlinePolicies": [str(p["PolicyName"]) for p in u.get("UserPolicyList", [])],
            "Groups": [str(g) for g in u.get("GroupList", [])]}, region="global", name=name)
        return USER_TABLE.fill(scope, res, u)

    return [one(u) for u in users]  # no call per user: everything is in the listing and the report


# --------------------------------------------------------------------------- policies

_INLINE = (("user", "UserDetailList", "UserName", "UserPolicyList"),
           ("group", "GroupDetailList", "GroupName", "GroupPolicyList"),
           ("role", "RoleDetailList", "RoleName", "RolePolicyList"))


def _aws_managed_document(scope: Scope, res: Resource, item: Any) -> Any:
    return policy_doc.parse(scope.session.call("iam", scope.home_region, "GetPolicyVersion", PolicyArn=res.attrs["Arn"],
                                               VersionId=item["DefaultVersionId"])["PolicyVersion"]["Document"])


POLICY_TABLE = AttributeTable(POLICY_TYPE, listing=("iam:GetAccountAuthorizationDetails", "iam:ListPolicies"),
                              attributes={
    "PolicyName": Attr("policy name"),
    "Arn": Attr("policy ARN (managed) or principal ARN (inline)"),
    "PolicyType": Attr("customer-managed | aws-managed | inline"),
    "AttachmentCount": Attr("number of principals it is attached to (inline: 1)"),
    "AttachedTo": Attr("inline only: the principal ARN"),
    # Customer-managed and inline documents come with GetAccountAuthorizationDetails; only
    # the AWS-managed policies attached in the account need a GetPolicyVersion each.
    "Document": Attr("normalised document {Statement: [{Effect, Action: [...], Resource: [...]}]}",
                     fetch=_aws_managed_document, permissions=("iam:GetPolicyVersion",)),
})
IamPolicy.attributes, IamPolicy.permissions = POLICY_TABLE.docs(), POLICY_TABLE.permissions()

@collector(POLICY_TYPE)
def collect_policies(scope: Scope) -> list[Resource]:
    region = scope.home_region
    try:
        details = authorization_details(scope)
    except ApiError as err:
        scope.inventory.fail(POLICY_TYPE, scope.account_arn, "global", err.reason)
        details = {k: [] for k in _DETAILS}
    out = [_customer_managed(p) for p in details["Policies"]]
    try:
        attached_aws = scope.session.paginate("iam", region, "ListPolicies", "Policies", Scope="AWS", OnlyAttached=True)
    except ApiError as err:
        scope.inventory.fail(POLICY_TYPE, scope.account_arn, "global", err.reason)
        attached_aws = []

    def one_aws(p: dict[str, Any]) -> Resource:
        res = Resource(POLICY_TYPE, p["Arn"], {"PolicyName": p["PolicyName"], "Arn": p["Arn"], "PolicyType": "aws-managed",
                                               "AttachmentCount": p.get("AttachmentCount", 0)},
                       region="global", name=p["PolicyName"])
        return POLICY_TABLE.fill(scope, res, p)

    out += scope.map(one_aws, attached_aws)
    for _kind, list_key, name_key, policies_key in _INLINE:
        for principal in details[list_key]:
            name, arn = principal[name_key], principal["Arn"]
            for inline in principal.get(policies_key, []):
                pname = inline["PolicyName"]
                out.append(Resource(POLICY_TYPE, f"{arn}/inline-policy/{pname}",
                                    {"PolicyName": pname, "Arn": arn, "PolicyType": "inline", "AttachmentCount": 1,
                                     "AttachedTo": arn, "Document": policy_doc.parse(inline.get("PolicyDocument"))},
                                    region="global", name=f"{name}/{pname}"))
    return out


def _customer_managed(p: dict[str, Any]) -> Resource:
    arn = p["Arn"]
    name = p.get("PolicyName") or arn.rsplit("/", 1)[-1]
    default = [v for v in p.get("PolicyVersionList", []) if v.get("IsDefaultVersion")
               or v.get("VersionId") == p.get("DefaultVersionId")]
    res = Resource(POLICY_TYPE, arn, {"PolicyName": name, "Arn": arn, "PolicyType": "customer-managed",
                                      "AttachmentCount": p.get("AttachmentCount", 0)}, region="global", name=name)
    if default:
        res.attrs["Document"] = policy_doc.parse(default[0].get("Document"))
    else:
        res.errors["Document"] = "GetAccountAuthorizationDetails: NoDefaultPolicyVersion"
    return res


# --------------------------------------------------------------------------- certificates


CERT_TABLE = AttributeTable(CERT_TYPE, listing=("iam:ListServerCertificates",), attributes={
    "ServerCertificateName": Attr("name"), "Arn": Attr("ARN"), "Expiration": Attr("expiry timestamp"),
    "UploadDate": Attr("upload timestamp"),
})
IamServerCertificate.attributes, IamServerCertificate.permissions = CERT_TABLE.docs(), CERT_TABLE.permissions()


@collector(CERT_TYPE)
def collect_certificates(scope: Scope) -> list[Resource]:
    try:
        certs = scope.session.paginate("iam", scope.home_region, "ListServerCertificates", "ServerCertificateMetadataList")
    except ApiError as err:
        scope.inventory.fail(CERT_TYPE, scope.account_arn, "global", err.reason)
        return []
    return [Resource(CERT_TYPE, c["Arn"], {"ServerCertificateName": c["ServerCertificateName"], "Arn": c["Arn"],
                                           "Expiration": c.get("Expiration"), "UploadDate": c.get("UploadDate")},
                     region="global", name=c["ServerCertificateName"]) for c in certs]
