"""IAM principals and policies as a change declares them, in CloudFormation and Terraform.

:func:`read_principals` returns the users, groups and roles of the change with everything
attached to them, whichever resource attaches it: CloudFormation's embedded ``Policies``,
``ManagedPolicyArns``, ``Groups`` and ``LoginProfile``, and the separate
``AWS::IAM::Policy``, ``RolePolicy`` / ``UserPolicy`` / ``GroupPolicy``, ``ManagedPolicy``
(``Users``/``Groups``/``Roles``), ``AccessKey`` and ``UserToGroupAddition``; Terraform's
``aws_iam_*_policy``, ``*_policy_attachment``, ``aws_iam_policy_attachment``,
``aws_iam_user_login_profile``, ``aws_iam_access_key``, group memberships and a role's
``inline_policy`` / ``managed_policy_arns``. :mod:`auditor.iac.mappers.iam` turns them into
``aws.iam-user`` and ``aws.iam-policy`` resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.iac.build import Builder, account_id, partition
from auditor.iac.mappers.common import blocks, document, listed, name_or_generated, shown, text
from auditor.iac.model import SourceResource
from auditor.iac.values import Unknown, given

PRINCIPAL_TYPES = {
    "user": ("AWS::IAM::User", "aws_iam_user"),
    "group": ("AWS::IAM::Group", "aws_iam_group"),
    "role": ("AWS::IAM::Role", "aws_iam_role"),
}
MANAGED_TYPES = ("AWS::IAM::ManagedPolicy", "aws_iam_policy")


@dataclass
class Inline:
    name: str
    document: Any
    source: SourceResource


@dataclass
class Principal:
    kind: str
    source: SourceResource
    name: Any
    arn: str
    inline: list[Inline] = field(default_factory=list)
    managed: list[tuple[Any, SourceResource]] = field(default_factory=list)  # (policy ARN value, attaching source)
    groups: list[Any] = field(default_factory=list)
    password: list[SourceResource] = field(default_factory=list)
    keys: list[tuple[Any, SourceResource]] = field(default_factory=list)     # (status, key source)


@dataclass
class Managed:
    source: SourceResource
    name: Any
    arn: str
    document: Any
    attachments: int = 0


def _cfn(src: SourceResource) -> bool:
    return src.type.startswith("AWS::")


def read_principals(b: Builder) -> tuple[dict[str, Principal], dict[str, Managed]]:
    """(principals by source key, customer-managed policies by source key), everything attached."""
    principals: dict[str, Principal] = {}
    for kind, types in PRINCIPAL_TYPES.items():
        for src in b.of(*types):
            p = src.props
            raw = p.get(f"{kind.capitalize()}Name") if _cfn(src) else p.get("name")
            name, generated = name_or_generated(src, raw, kind)
            path = given(text(p.get("Path" if _cfn(src) else "path")), "/")
            arn = f"arn:{partition(src)}:iam::{account_id(b, src)}:{kind}{path}{name}" if not generated else src.key
            pr = Principal(kind, src, name, arn)
            b.name(f"iam-{kind}", name, src)
            principals[src.key] = pr
            if _cfn(src):
                for i, pol in enumerate(listed(p.get("Policies"))):
                    if isinstance(pol, dict):
                        pr.inline.append(Inline(shown(pol.get("PolicyName"), f"policy{i}"),
                                                document(pol.get("PolicyDocument"), f"{src.address} policy"), src))
                pr.managed += [(a, src) for a in listed(p.get("ManagedPolicyArns"))]
                if kind == "user":
                    pr.groups += listed(p.get("Groups"))  # names resolved once groups are all read
                    if p.get("LoginProfile") is not None:
                        pr.password.append(src)
            else:
                for pol in blocks(p.get("inline_policy")):
                    if isinstance(pol, dict) and given(pol.get("name"), None) is not None:  # skip empty blocks
                        name = shown(pol["name"], f"{src.address} inline policy")
                        pr.inline.append(Inline(name, document(pol.get("policy"), f"{src.address} policy"), src))
                pr.managed += [(a, src) for a in listed(p.get("managed_policy_arns"))]
    managed = _managed(b)
    _attachments(b, principals, managed)
    return principals, managed


def _managed(b: Builder) -> dict[str, Managed]:
    out: dict[str, Managed] = {}
    for src in b.of(*MANAGED_TYPES):
        p = src.props
        raw = p.get("ManagedPolicyName") if _cfn(src) else p.get("name")
        name, generated = name_or_generated(src, raw, "policy")
        path = given(text(p.get("Path" if _cfn(src) else "path")), "/")
        arn = f"arn:{partition(src)}:iam::{account_id(b, src)}:policy{path}{name}" if not generated else src.key
        doc = document(p.get("PolicyDocument" if _cfn(src) else "policy"), f"the policy {src.address}")
        out[src.key] = Managed(src, name, arn, doc)
        b.name("iam-policy", name, src)
        if not generated:
            b.name("iam-policy", arn, src)
    return out


def _principal(b: Builder, principals: dict[str, Principal], kind: str, value: Any) -> Principal | None:
    found = b.target(value, f"iam-{kind}", PRINCIPAL_TYPES[kind])
    return principals.get(found.key) if found is not None else None


def _attachments(b: Builder, principals: dict[str, Principal], managed: dict[str, Managed]) -> None:
    """Every resource that attaches a policy, a password, a key or a group to a principal."""
    # CloudFormation: a policy resource names its principals.
    for src in b.of("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for kind, prop in (("user", "Users"), ("group", "Groups"), ("role", "Roles")):
            for value in listed(src.props.get(prop)):
                pr = _principal(b, principals, kind, value)
                if src.type == "AWS::IAM::ManagedPolicy":
                    managed[src.key].attachments += 1
                    if pr is not None:
                        pr.managed.append((managed[src.key].arn, src))
                elif pr is not None:
                    pr.inline.append(Inline(shown(src.props.get("PolicyName"), src.address),
                                            document(src.props.get("PolicyDocument"), f"the policy {src.address}"), src))
                    b.use(src)
    inline_types = {"AWS::IAM::RolePolicy": ("role", "RoleName"), "AWS::IAM::UserPolicy": ("user", "UserName"),
                    "AWS::IAM::GroupPolicy": ("group", "GroupName"), "aws_iam_role_policy": ("role", "role"),
                    "aws_iam_user_policy": ("user", "user"), "aws_iam_group_policy": ("group", "group")}
    for rtype, (kind, prop) in inline_types.items():
        for src in b.of(rtype):
            pr = _principal(b, principals, kind, src.props.get(prop))
            if pr is not None:
                pname = given(src.props.get("PolicyName" if _cfn(src) else "name"), src.address)
                doc = src.props.get("PolicyDocument" if _cfn(src) else "policy")
                pr.inline.append(Inline(shown(pname, src.address), document(doc, f"the policy {src.address}"), src))
                b.use(src)
    attach_types = {"aws_iam_role_policy_attachment": ("role", "role"), "aws_iam_user_policy_attachment": ("user", "user"),
                    "aws_iam_group_policy_attachment": ("group", "group")}
    for rtype, (kind, prop) in attach_types.items():
        for src in b.of(rtype):
            _attach(b, principals, managed, kind, src.props.get(prop), src)
    for src in b.of("aws_iam_policy_attachment"):
        for kind, prop in (("user", "users"), ("group", "groups"), ("role", "roles")):
            for value in listed(src.props.get(prop)):
                _attach(b, principals, managed, kind, value, src)
    _users(b, principals)


def _attach(b: Builder, principals: dict[str, Principal], managed: dict[str, Managed], kind: str, who: Any,
            src: SourceResource) -> None:
    """A policy attachment: to a principal of the change, or counted on a policy of the change."""
    pr = _principal(b, principals, kind, who)
    if pr is not None:
        pr.managed.append((src.props.get("policy_arn"), src))
        b.use(src)
        return
    policy = b.target(src.props.get("policy_arn"), "iam-policy", MANAGED_TYPES)
    if policy is not None and policy.key in managed:
        managed[policy.key].attachments += 1
        b.use(src)


def _users(b: Builder, principals: dict[str, Principal]) -> None:
    for pr in principals.values():
        pr.groups = [_group_name(b, principals, g) for g in pr.groups]
    for src in b.of("AWS::IAM::AccessKey", "aws_iam_access_key"):
        user_pr = _principal(b, principals, "user", src.props.get("UserName" if _cfn(src) else "user"))
        if user_pr is not None:
            user_pr.keys.append((given(src.props.get("Status" if _cfn(src) else "status"), "Active"), src))
            b.use(src)
    for src in b.of("aws_iam_user_login_profile"):
        user_pr = _principal(b, principals, "user", src.props.get("user"))
        if user_pr is not None:
            user_pr.password.append(src)
            b.use(src)
    for src in b.of("AWS::IAM::UserToGroupAddition", "aws_iam_group_membership"):
        group = src.props.get("GroupName" if _cfn(src) else "group")
        for user in listed(src.props.get("Users" if _cfn(src) else "users")):
            user_pr = _principal(b, principals, "user", user)
            if user_pr is not None:
                user_pr.groups.append(_group_name(b, principals, group))
                b.use(src)
    for src in b.of("aws_iam_user_group_membership"):
        user_pr = _principal(b, principals, "user", src.props.get("user"))
        if user_pr is not None:
            user_pr.groups += [_group_name(b, principals, g) for g in listed(src.props.get("groups"))]
            b.use(src)


def _group_name(b: Builder, principals: dict[str, Principal], value: Any) -> Any:
    pr = _principal(b, principals, "group", value)
    return pr.name if pr is not None else text(value) if not isinstance(value, Unknown) else value
