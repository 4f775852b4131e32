"""The session cache serves each answer only to the request that selects it.

Defect (issue 14): listings were cached by operation and parameters only, so the
CloudShell rule (CIS 2.21), which lists ListEntitiesForPolicy's users, groups and roles
with the same parameters, got the users list three times: the policy attached to a role
or a group only was a false PASS, attached to a user the scan crashed with
``KeyError: 'GroupName'`` and wrote no findings.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_helpers import by_rule, only_rules, scan
from click.testing import CliRunner

from auditor.aws.session import AwsSession, SessionSettings, _key
from auditor.cli import cli

CLOUDSHELL = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"
RULE = "iam-cloudshell-full-access-not-attached"
ACCOUNT = "arn:aws:iam::123456789012:root"


@functools.cache
def _cloudshell_policy_only() -> str:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.dumps({"AWSCloudShellFullAccess": json.loads(aws_managed_policies_data)["AWSCloudShellFullAccess"]})


@pytest.fixture
def iam_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto account that knows the AWS managed policy AWSCloudShellFullAccess (and only it: fast)."""
    from moto import mock_aws

    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    monkeypatch.setattr("moto.iam.models.aws_managed_policies_data", _cloudshell_policy_only())
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def _attach_everywhere(iam: Any, policy_arn: str) -> None:
    iam.create_user(UserName="u1")
    iam.create_group(GroupName="g1")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument="{}")
    iam.attach_user_policy(UserName="u1", PolicyArn=policy_arn)
    iam.attach_group_policy(GroupName="g1", PolicyArn=policy_arn)
    iam.attach_role_policy(RoleName="r1", PolicyArn=policy_arn)


def _declared_result_keys(service: str, operation: str) -> list[str]:
    client = boto3.client(service, region_name="us-east-1")
    return [k.expression for k in client.get_paginator(operation).result_keys]


# (service, botocore method, API operation, params): listings with several result lists.
MULTI_KEY_LISTINGS = [
    ("iam", "list_entities_for_policy", "ListEntitiesForPolicy", {"PolicyArn": CLOUDSHELL}),
    ("iam", "get_account_authorization_details", "GetAccountAuthorizationDetails", {}),
]


@pytest.mark.parametrize(("service", "method", "operation", "params"), MULTI_KEY_LISTINGS,
                         ids=[m[2] for m in MULTI_KEY_LISTINGS])
def test_every_pair_of_listings_that_differ_only_in_the_result_key_gets_its_own_list(
        iam_account: Any, service: str, method: str, operation: str, params: dict[str, Any]) -> None:
    _attach_everywhere(iam_account, CLOUDSHELL)
    iam_account.create_policy(PolicyName="local", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    keys = _declared_result_keys(service, method)
    assert len(keys) >= 3
    truth = {k: boto3.client(service, region_name="us-east-1").get_paginator(method).paginate(**params)
             .build_full_result().get(k, []) for k in keys}
    assert all(truth.values()) and len({json.dumps(v, default=str) for v in truth.values()}) == len(keys)
    for first, second in itertools.permutations(keys, 2):
        session = AwsSession(SessionSettings(max_attempts=1))
        assert session.paginate(service, "us-east-1", operation, first, **params) == truth[first]
        assert session.paginate(service, "us-east-1", operation, second, **params) == truth[second], (first, second)
        # Several lists at once are another selection again, and the lists asked one by one stay right.
        both = session.paginate_many(service, "us-east-1", operation, (second, first), **params)
        assert both == {first: truth[first], second: truth[second]}


def test_a_call_and_a_listing_of_the_same_operation_are_different_answers(iam_account: Any) -> None:
    _attach_everywhere(iam_account, CLOUDSHELL)
    session = AwsSession(SessionSettings(max_attempts=1))
    whole = session.call("iam", "us-east-1", "ListEntitiesForPolicy", PolicyArn=CLOUDSHELL)
    users = session.paginate("iam", "us-east-1", "ListEntitiesForPolicy", "PolicyUsers", PolicyArn=CLOUDSHELL)
    assert set(whole) >= {"PolicyUsers", "PolicyGroups", "PolicyRoles"}
    assert [u["UserName"] for u in users] == ["u1"]


def test_the_cache_key_holds_everything_that_selects_the_answer() -> None:
    base = ("iam", "us-east-1", "ListEntitiesForPolicy", "pages", ("PolicyUsers",), {"PolicyArn": CLOUDSHELL},
            "https://iam.amazonaws.com|us-east-1|None|None|None")
    variants = [
        ("s3", *base[1:]),
        (base[0], "eu-west-1", *base[2:]),
        (*base[:2], "ListPolicies", *base[3:]),
        (*base[:3], "call", *base[4:]),
        (*base[:4], ("PolicyGroups",), *base[5:]),
        (*base[:4], ("PolicyUsers", "PolicyGroups"), *base[5:]),
        (*base[:5], {"PolicyArn": CLOUDSHELL, "EntityFilter": "User"}, base[6]),
        (*base[:6], "http://127.0.0.1:5000|us-east-1|None|None|None"),
    ]
    first = _key(*base)  # type: ignore[arg-type]
    assert first == _key(*base)  # type: ignore[arg-type]
    for v in variants:
        assert _key(*v) != first, v  # type: ignore[arg-type]


def test_a_caller_that_edits_its_list_does_not_edit_the_cache(iam_account: Any) -> None:
    _attach_everywhere(iam_account, CLOUDSHELL)
    session = AwsSession(SessionSettings(max_attempts=1))
    users = session.paginate("iam", "us-east-1", "ListEntitiesForPolicy", "PolicyUsers", PolicyArn=CLOUDSHELL)
    users.clear()
    again = session.paginate("iam", "us-east-1", "ListEntitiesForPolicy", "PolicyUsers", PolicyArn=CLOUDSHELL)
    assert [u["UserName"] for u in again] == ["u1"]
    assert session.calls["iam:ListEntitiesForPolicy"] == 1  # still one request


@pytest.mark.parametrize("attach", ["user", "group", "role"])
def test_cloudshell_full_access_attached_to_any_principal_fails(iam_account: Any, aws_rules: Any, attach: str) -> None:
    iam = iam_account
    if attach == "user":
        iam.create_user(UserName="u1")
        iam.attach_user_policy(UserName="u1", PolicyArn=CLOUDSHELL)
    elif attach == "group":
        iam.create_group(GroupName="g1")
        iam.attach_group_policy(GroupName="g1", PolicyArn=CLOUDSHELL)
    else:
        iam.create_role(RoleName="r1", AssumeRolePolicyDocument="{}")
        iam.attach_role_policy(RoleName="r1", PolicyArn=CLOUDSHELL)
    finding = by_rule(scan(only_rules(aws_rules, RULE)), RULE)[ACCOUNT]
    assert finding["status"] == "FAIL"
    assert {"user": "u1", "group": "g1", "role": "r1"}[attach] in finding["message"]


def test_cloudshell_full_access_attached_nowhere_passes(iam_account: Any, aws_rules: Any) -> None:
    iam_account.create_user(UserName="u1")
    assert by_rule(scan(only_rules(aws_rules, RULE)), RULE)[ACCOUNT]["status"] == "PASS"


def test_cloudshell_on_a_user_writes_findings_through_the_cli(iam_account: Any, tmp_path: Path) -> None:
    """The reported crash: exit 3 and no findings.json, even with --fail-on-error=false."""
    iam_account.create_user(UserName="u1")
    iam_account.attach_user_policy(UserName="u1", PolicyArn=CLOUDSHELL)
    rules = Path(__file__).parents[2] / "rules" / "aws" / "account.yml"
    result = CliRunner().invoke(cli, ["aws", "scan", "--region", "us-east-1", "--rules", str(rules),
                                      "--output-dir", str(tmp_path), "--fail-on-error=false", "--fail-on", "none"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    doc = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert by_rule(doc, RULE)[ACCOUNT]["status"] == "FAIL"
    assert result.exit_code == 0, result.output
