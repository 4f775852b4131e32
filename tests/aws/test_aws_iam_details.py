"""IAM principals and policies come from GetAccountAuthorizationDetails, not calls per principal."""

from __future__ import annotations

import json
from typing import Any

import boto3
from aws_helpers import by_rule, only_rules, scan

ADMIN = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
READ = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}})
ACCOUNT = "arn:aws:iam::123456789012"


def test_one_listing_gives_users_groups_roles_and_documents(aws: None, aws_rules: Any) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    for name in ("alice", "bob", "carol"):
        iam.create_user(UserName=name)
    iam.create_group(GroupName="analysts")
    iam.add_user_to_group(UserName="alice", GroupName="analysts")
    iam.put_group_policy(GroupName="analysts", PolicyName="everything", PolicyDocument=ADMIN)
    iam.put_user_policy(UserName="bob", PolicyName="own", PolicyDocument=READ)
    read = iam.create_policy(PolicyName="read-s3", PolicyDocument=READ)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="carol", PolicyArn=read)
    iam.create_role(RoleName="etl", AssumeRolePolicyDocument="{}")
    iam.put_role_policy(RoleName="etl", PolicyName="read", PolicyDocument=READ)

    doc = scan(only_rules(aws_rules, "iam-user-permissions-through-groups", "iam-policy-no-full-admin"))
    calls = doc["attachments"]["aws"]["api_calls"]
    assert calls["iam:GetAccountAuthorizationDetails"] == 1
    per_principal = {"ListAttachedUserPolicies", "ListUserPolicies", "GetUserPolicy", "ListGroupPolicies",
                     "GetGroupPolicy", "ListRolePolicies", "GetRolePolicy", "ListGroupsForUser", "ListUsers"}
    assert not {op.split(":")[1] for op in calls} & per_principal

    users = {k.rsplit("/", 1)[1]: f["status"] for k, f in by_rule(doc, "iam-user-permissions-through-groups").items()}
    assert users == {"alice": "PASS", "bob": "FAIL", "carol": "FAIL"}
    policies = {k: f["status"] for k, f in by_rule(doc, "iam-policy-no-full-admin").items()}
    assert policies[f"{ACCOUNT}:group/analysts/inline-policy/everything"] == "FAIL"
    assert policies[f"{ACCOUNT}:role/etl/inline-policy/read"] == "PASS"
    assert policies[f"{ACCOUNT}:user/bob/inline-policy/own"] == "PASS"
    assert policies[f"{ACCOUNT}:policy/read-s3"] == "PASS"


def test_denied_listing_is_an_error_on_the_account_not_a_clean_pass(aws: None, aws_rules: Any) -> None:
    from test_aws_errors import deny

    boto3.client("iam", region_name="us-east-1").create_user(UserName="alice")
    doc = scan(only_rules(aws_rules, "iam-user-permissions-through-groups", "iam-policy-no-full-admin"),
               aws_event_hooks=[deny("GetAccountAuthorizationDetails")])
    for rule in ("iam-user-permissions-through-groups", "iam-policy-no-full-admin"):
        found = list(by_rule(doc, rule).values())
        assert [f["status"] for f in found] == ["ERROR"]
        assert "GetAccountAuthorizationDetails: AccessDenied" in found[0]["message"]
