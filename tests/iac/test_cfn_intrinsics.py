"""CloudFormation intrinsics: evaluated where a template allows, unknown (with a reason) where it does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.core.errors import ConfigError
from auditor.iac.cfn.stack import StackReader
from auditor.iac.cfn.template import parse_template
from auditor.iac.model import Change
from auditor.iac.values import Symbol, Unknown


def props(template: str, params: dict[str, str] | None = None, name: str = "R") -> dict[str, Any]:
    """The resolved Properties of resource ``name`` in a YAML template text."""
    change = Change()
    StackReader(params or {}, change).read(Path("t.yaml"), parsed=parse_template(template, "t.yaml"))
    (res,) = [r for r in change.resources if r.address == name]
    return res.props


def value(expr: str, extra: str = "", params: dict[str, str] | None = None) -> Any:
    """The resolved value of ``expr`` (YAML) as the property V of a bucket."""
    text = f"{extra}\nResources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      V: {expr}\n"
    return props(text, params).get("V", "<removed>")


PARAMS = """Parameters:
  Env: {Type: String, Default: prod}
  Zones: {Type: CommaDelimitedList, Default: "a, b,c"}
  Secret: {Type: String}
  Latest: {Type: "AWS::SSM::Parameter::Value<String>", Default: /ami/latest}
Mappings:
  Sizes:
    prod: {Count: 3}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  InCanada: !Equals [!Ref "AWS::Region", ca-central-1]
  Both: !And [!Condition IsProd, !Not [!Condition InCanada]]
  Either: !Or [!Condition IsProd, !Condition InCanada]"""


@pytest.mark.parametrize(("expr", "expected"), [
    ('!Sub "data-${Env}-raw"', "data-prod-raw"),
    ('!Sub ["${A}-${B}", {A: x, B: !Ref Env}]', "x-prod"),
    ('!Sub "literal-${!Env}"', "literal-${Env}"),
    ("!Join [':', [a, !Ref Env, c]]", "a:prod:c"),
    ("!Select [1, !Ref Zones]", "b"),
    ("!Select [0, !Split ['/', 'x/y/z']]", "x"),
    ("!If [IsProd, Enabled, Suspended]", "Enabled"),
    ("!FindInMap [Sizes, !Ref Env, Count]", 3),
    ("!FindInMap [Sizes, dev, Count, {DefaultValue: 1}]", 1),
    ("!Base64 abc", "YWJj"),
    ("!Length [a, b]", 2),
    ("!ToJsonString {a: 1}", '{"a":1}'),
    ('!Sub "arn:${AWS::Partition}:s3:::x"', "arn:aws:s3:::x"),
    ("!Ref AWS::NoValue", "<removed>"),
    ("[a, !Ref AWS::NoValue, b]", ["a", "b"]),
])
def test_known_values(expr: str, expected: Any) -> None:
    assert value(expr, PARAMS) == expected


@pytest.mark.parametrize(("expr", "reason"), [
    ("!ImportValue shared-key", "Fn::ImportValue of 'shared-key' is another stack's export"),
    ("!Ref Secret", "parameter Secret has no default; pass --param Secret=VALUE"),
    ("!Ref Latest", "read from SSM"),
    ("!GetAZs ''", "availability zones"),
    ('"{{resolve:ssm:/db/password}}"', "dynamic reference"),
    ("!If [InCanada, a, b]", "condition 'InCanada' decides this value"),
    ('!Sub "${Secret}-x"', "parameter Secret has no default"),
    ("!Cidr [10.0.0.0/16, 4, 8]", "Fn::Cidr"),
])
def test_values_decided_at_deploy_are_unknown_with_their_reason(expr: str, reason: str) -> None:
    v = value(expr, PARAMS)
    assert isinstance(v, Unknown), v
    assert reason in v.reason


def test_overrides_and_pseudo_parameters() -> None:
    assert value("!Ref Secret", PARAMS, {"Secret": "s3cret"}) == "s3cret"
    assert value("!If [InCanada, a, b]", PARAMS, {"AWS::Region": "ca-central-1"}) == "a"
    assert value("!If [Both, a, b]", PARAMS, {"AWS::Region": "us-east-1"}) == "a"
    assert value("!If [Either, a, b]", PARAMS) == "a"  # settled by IsProd alone
    account = value("!Ref AWS::AccountId", PARAMS)
    assert isinstance(account, Symbol) and account == "${AWS::AccountId}"


def test_ref_and_getatt_of_resources_point_at_them() -> None:
    text = """Resources:
  Key: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {}}}
  Named: {Type: AWS::S3::Bucket, Properties: {BucketName: logs}}
  R:
    Type: AWS::S3::Bucket
    Properties:
      A: !GetAtt Key.Arn
      B: !Ref Named
      C: !Sub "${Key.Arn}"
      D: !Sub "${Named}/x"
"""
    p = props(text)
    assert isinstance(p["A"], Symbol) and p["A"].target == "t.yaml#Key" and p["A"].attr == "Arn"
    assert isinstance(p["B"], Symbol) and p["B"] == "logs" and p["B"].target == "t.yaml#Named"
    assert isinstance(p["C"], Symbol) and p["C"].target == "t.yaml#Key"
    assert p["D"] == "logs/x"


@pytest.mark.parametrize(("expr", "message"), [
    ("!Ref Nowhere", "Ref to 'Nowhere', which is not a parameter, pseudo parameter or resource"),
    ("{Fn::Frobnicate: [a]}", "unknown intrinsic function 'Fn::Frobnicate'"),
    ("!GetAtt Nowhere.Arn", "Fn::GetAtt of 'Nowhere', which is not a resource"),
    ("!If [NoSuchCondition, a, b]", "condition 'NoSuchCondition' is not declared"),
    ("!Select [5, [a, b]]", "Fn::Select index 5 is outside the list of 2"),
    ("!FindInMap [Sizes, dev, Count]", "mapping 'Sizes' has no 'dev' / 'Count'"),
    ("!Join [',', a, b]", "Fn::Join takes a list of 2 arguments"),
    ("{Ref: Env, Other: 1}", "'Ref' must be the only key of its mapping"),
])
def test_what_cloudformation_rejects_is_an_error_at_its_line(expr: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        value(expr, PARAMS)
    (problem,) = err.value.problems
    assert message in problem.message
    assert problem.path == "t.yaml" and problem.line == PARAMS.count("\n") + 6  # the V: line


def test_a_condition_that_depends_on_itself_is_an_error() -> None:
    with pytest.raises(ConfigError, match="depends on itself"):
        value("!If [A, x, y]", "Conditions:\n  A: !Condition B\n  B: !Condition A")
