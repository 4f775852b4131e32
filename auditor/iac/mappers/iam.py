"""IAM users (``aws.iam-user``), policies (``aws.iam-policy``) and the account's support roles.

What the IAM collector reads from the account, built from the principals of the change
(:mod:`auditor.iac.mappers.iam_sources`):

- ``aws.iam-user``: ``PasswordEnabled`` (a login profile), ``AccessKeys`` (the keys of the
  change: active unless declared inactive, created at apply, never used yet),
  ``AttachedPolicies``, ``InlinePolicies``, ``Groups``. ``MfaActive`` is unknown for a user
  with a console password (users enrol MFA devices themselves, after the user exists);
  ``CreateDate`` is the apply, and a new password has not been used;
- ``aws.iam-policy``: one per customer-managed policy (``AttachmentCount`` counts the
  attachments the change makes) and one per inline policy of each principal
  (``<principal ARN>/inline-policy/<name>``, ``AttachmentCount`` 1, as in the account scan,
  so the same mutelist entries apply). AWS-managed policies the change attaches are judged
  when their document is known offline (``AdministratorAccess``); the others are AWS's,
  judged by the account scan, and listed under ``attachments.iac.aws_managed_policies``;
- ``aws.account``: ``SupportRoles`` (roles attached to ``AWSSupportAccess``) and
  ``CloudShellFullAccess`` when the change attaches those policies.
"""

from __future__ import annotations

from typing import Any

from auditor.core.resources import Resource
from auditor.iac.build import Builder
from auditor.iac.mappers.common import shown
from auditor.iac.mappers.iam_sources import Managed, Principal, read_principals
from auditor.iac.values import Unknown

USER_TYPE = "aws.iam-user"
POLICY_TYPE = "aws.iam-policy"
# AWS-managed policies whose document is known without asking AWS (allow everything on everything).
KNOWN_AWS_MANAGED = {"AdministratorAccess": {"Version": "2012-10-17",
                                             "Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]}}


def map_iam(b: Builder) -> None:
    principals, managed = read_principals(b)
    aws_managed: dict[str, list[Principal]] = {}
    for pr in principals.values():
        for arn_value, _attacher in pr.managed:
            found = b.target(arn_value, "iam-policy", ("AWS::IAM::ManagedPolicy", "aws_iam_policy"))
            if found is not None and found.key in managed and _attacher.type not in ("AWS::IAM::ManagedPolicy",):
                managed[found.key].attachments += 1
            elif found is None and isinstance(arn_value, str) and ":iam::aws:policy/" in arn_value:
                aws_managed.setdefault(str.__str__(arn_value), []).append(pr)
        b.use(pr.source)
    for pr in principals.values():
        if pr.kind == "user":
            _user(b, pr, managed)
        for inline in pr.inline:
            _inline(b, pr, inline.name, inline.document, inline.source)
    for m in managed.values():
        _managed_policy(b, m)
    _aws_managed(b, aws_managed)


def _user(b: Builder, pr: Principal, managed: dict[str, Managed]) -> None:
    password = bool(pr.password)
    now = b.now.isoformat(timespec="seconds").replace("+00:00", "Z")
    attached = []
    for arn_value, _src in pr.managed:
        found = b.target(arn_value, "iam-policy", ("AWS::IAM::ManagedPolicy", "aws_iam_policy"))
        name = managed[found.key].name if found is not None and found.key in managed else \
            str(arn_value).rsplit("/", 1)[-1] if isinstance(arn_value, str) else arn_value
        attached.append({"PolicyName": name, "PolicyArn": managed[found.key].arn if found is not None
                         and found.key in managed else arn_value})
    attrs: dict[str, Any] = {
        "UserName": pr.name, "Arn": pr.arn, "CreateDate": now, "PasswordEnabled": password,
        "PasswordLastUsed": None, "PasswordLastChanged": now if password else None,
        "MfaActive": Unknown("users enrol their MFA device after the user exists; the account scan judges it")
        if password else False,
        "AccessKeys": [{"Slot": i, "Status": status, "CreateDate": now, "LastUsedDate": None}
                       for i, (status, _src) in enumerate(pr.keys, 1)],
        "AttachedPolicies": attached,
        "InlinePolicies": [i.name for i in pr.inline],
        "Groups": [g for g in pr.groups],
    }
    res = Resource(USER_TYPE, pr.arn, attrs, region="global", name=str(pr.name) if not isinstance(pr.name, Unknown)
                   else pr.source.address)
    b.add(res, pr.source)
    b.use(*(s for s in pr.password), *(s for _, s in pr.keys))


def _inline(b: Builder, pr: Principal, name: str, doc: Any, source: Any) -> None:
    rid = f"{pr.arn}/inline-policy/{name}"
    attrs = {"PolicyName": name, "Arn": pr.arn, "PolicyType": "inline", "AttachmentCount": 1, "AttachedTo": pr.arn,
             "Document": doc}
    display = f"{pr.name}/{name}" if isinstance(pr.name, str) else f"{pr.source.address}/{name}"
    b.add(Resource(POLICY_TYPE, rid, attrs, region="global", name=display), source)


def _managed_policy(b: Builder, m: Managed) -> None:
    attrs = {"PolicyName": m.name, "Arn": m.arn, "PolicyType": "customer-managed", "AttachmentCount": m.attachments,
             "Document": m.document}
    name = str(m.name) if isinstance(m.name, str) else m.source.address
    b.add(Resource(POLICY_TYPE, m.arn, attrs, region="global", name=name), m.source)


def _aws_managed(b: Builder, attached: dict[str, list[Principal]]) -> None:
    support = [pr for arn, prs in attached.items() if arn.endswith(":policy/AWSSupportAccess") for pr in prs]
    if support:
        b.set_account("SupportRoles", sorted(shown(pr.name, pr.source.address) for pr in support if pr.kind == "role"),
                      *(pr.source for pr in support))
    cloudshell = [pr for arn, prs in attached.items() if arn.endswith(":policy/AWSCloudShellFullAccess") for pr in prs]
    if cloudshell:
        b.set_account("CloudShellFullAccess", sorted(shown(pr.name, pr.source.address) for pr in cloudshell),
                      *(pr.source for pr in cloudshell))
    for arn, prs in sorted(attached.items()):
        name = arn.rsplit("/", 1)[-1]
        if name not in KNOWN_AWS_MANAGED:
            b.notes.append(arn)
            continue
        attrs = {"PolicyName": name, "Arn": arn, "PolicyType": "aws-managed", "AttachmentCount": len(prs),
                 "Document": KNOWN_AWS_MANAGED[name]}
        b.add(Resource(POLICY_TYPE, arn, attrs, region="global", name=name), prs[0].source)
