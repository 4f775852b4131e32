"""IAM items: the password policy, roles (trust, inline and managed policies), the break-glass group."""

from __future__ import annotations

import json
from typing import Any

from auditor.baseline.live import LiveContext, absent_on
from auditor.baseline.model import ABSENT, Item, policy_diff, subset_diff
from auditor.baseline.spec import INLINE_POLICY_NAME, Desired

TAGS = [{"Key": "managed-by", "Value": "auditor-baseline"}]
# Password-policy numbers where a stricter live value is kept, never lowered.
_AT_LEAST = ("MinimumPasswordLength", "PasswordReusePrevention")


def password_policy(ctx: LiveContext, d: Desired) -> list[Item]:
    iam = ctx.client("iam")

    @absent_on("NoSuchEntity")
    def read() -> Any:
        return iam.get_account_password_policy()["PasswordPolicy"]

    def compare(cur: Any, want: dict[str, Any]) -> list[str]:
        if cur is ABSENT:
            return ["password policy: (absent) -> CIS values"]
        out = [f"{k}: {cur.get(k)} -> at least {v}" for k, v in want.items()
               if k in _AT_LEAST and int(cur.get(k) or 0) < v]
        out += subset_diff(cur, {k: v for k, v in want.items() if k not in _AT_LEAST})
        return out

    def write(cur: Any, want: dict[str, Any]) -> None:
        params = dict(want)
        if cur is not ABSENT:
            for k in _AT_LEAST:
                params[k] = max(int(cur.get(k) or 0), want[k])
            # UpdateAccountPasswordPolicy resets omitted fields: keep the live expiry settings.
            if cur.get("ExpirePasswords") and int(cur.get("MaxPasswordAge") or 0) > 0:
                params["MaxPasswordAge"] = cur["MaxPasswordAge"]
            if cur.get("HardExpiry"):
                params["HardExpiry"] = True
        iam.update_account_password_policy(**params)

    return [Item("iam-password-policy[account]", d.props, read, write, compare)]


def role(ctx: LiveContext, d: Desired) -> list[Item]:
    iam = ctx.client("iam")
    name = d.name

    @absent_on("NoSuchEntity")
    def read_role() -> Any:
        return iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]

    def write_role(cur: Any, trust: Any) -> None:
        if cur is ABSENT:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust),
                            Description=d.props["Description"], Tags=TAGS)
        else:
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))

    items = [Item(f"iam-role[{name}]", d.props["AssumeRolePolicyDocument"], read_role, write_role, policy_diff)]
    for arn in d.props["ManagedPolicyArns"]:
        items.append(_attachment(iam, name, arn))
    return items


def role_policy(ctx: LiveContext, d: Desired) -> list[Item]:
    iam = ctx.client("iam")
    name = d.name
    return [_inline(f"iam-role-policy[{name}/{INLINE_POLICY_NAME}]", d.props["PolicyDocument"],
                    lambda: iam.get_role_policy(RoleName=name, PolicyName=INLINE_POLICY_NAME),
                    lambda doc: iam.put_role_policy(RoleName=name, PolicyName=INLINE_POLICY_NAME,
                                                    PolicyDocument=doc))]


def _attachment(iam: Any, name: str, arn: str) -> Item:
    @absent_on("NoSuchEntity")
    def read() -> Any:
        pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=name)
        attached = {p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]}
        return {"PolicyArn": arn} if arn in attached else ABSENT

    def write(cur: Any, want: Any) -> None:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)

    return Item(f"iam-role-attachment[{name}/{arn.rsplit('/', 1)[-1]}]", {"PolicyArn": arn}, read, write)


def _inline(address: str, doc: Any, get: Any, put: Any) -> Item:
    @absent_on("NoSuchEntity")
    def read() -> Any:
        return get()["PolicyDocument"]

    def write(cur: Any, want: Any) -> None:
        put(json.dumps(want))

    return Item(address, doc, read, write, policy_diff)


def group(ctx: LiveContext, d: Desired) -> list[Item]:
    iam = ctx.client("iam")
    name = d.name

    @absent_on("NoSuchEntity")
    def read_group() -> Any:
        iam.get_group(GroupName=name)
        return {}

    def write_group(cur: Any, want: Any) -> None:
        iam.create_group(GroupName=name)

    return [
        Item(f"iam-group[{name}]", {}, read_group, write_group),
        _inline(f"iam-group-policy[{name}/{INLINE_POLICY_NAME}]", d.props["InlinePolicy"],
                lambda: iam.get_group_policy(GroupName=name, PolicyName=INLINE_POLICY_NAME),
                lambda doc: iam.put_group_policy(GroupName=name, PolicyName=INLINE_POLICY_NAME, PolicyDocument=doc)),
    ]
