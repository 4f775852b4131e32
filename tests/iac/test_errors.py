"""Inputs that cannot be read: one line ``file:line:col: message``, exit 2, nothing evaluated or written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from iac_helpers import FIXTURES

BROKEN = FIXTURES / "broken"


@pytest.mark.parametrize(("name", "where", "message"), [
    ("not-yaml.yaml", ":6:1: ", "invalid YAML"),
    ("unknown-tag.yaml", ":5:19: Resources.Bucket.Properties.BucketName: ", "unknown tag '!Frobnicate'"),
    ("unknown-intrinsic.json", ":5:37: Resources.Bucket.Properties.BucketName.Fn::Frobnicate: ",
     "unknown intrinsic function 'Fn::Frobnicate'"),
    ("trailing-comma.json", ":3:76: ", "invalid JSON"),
    ("plan-v9.json", ":1:2: format_version: ", "unsupported plan format_version '9.0'"),
    ("self-nesting.yaml", ":6:7: Resources.Stack.Properties.TemplateURL: ", "includes itself"),
])
def test_unreadable_input_is_one_located_line_and_exit_2(run_cli: Callable[..., Any], name: str, where: str,
                                                         message: str) -> None:
    result, doc = run_cli(str(BROKEN / name))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith(f"{BROKEN / name}{where}"), lines[0]
    assert message in lines[0]
    assert lines[-1] == "1 configuration error; nothing was evaluated."
    assert doc is None


def test_a_broken_template_stops_the_whole_scan(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    folder = tmp_path / "infra"
    folder.mkdir()
    (folder / "a-good.yaml").write_text((FIXTURES / "cfn" / "lake.json").read_text(), encoding="utf-8")
    (folder / "b-bad.template").write_text("Resources:\n  X: [\n", encoding="utf-8")
    result, doc = run_cli(str(folder))
    assert result.exit_code == 2 and doc is None
    assert "b-bad.template:" in result.output


@pytest.mark.parametrize(("content", "message"), [
    ("just: yaml\n", "not a CloudFormation template, a Terraform plan"),
    ("Resources: {}\n", "a template needs a Resources mapping with at least one resource"),
    ("Resources:\n  X: {Properties: {}}\n", "a resource needs a Type"),
    ("Resourcez: {}\nResources:\n  X: {Type: AWS::S3::Bucket}\n", "unknown top-level section 'Resourcez'"),
])
def test_named_files_must_be_inputs(run_cli: Callable[..., Any], tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(content, encoding="utf-8")
    result, doc = run_cli(str(path))
    assert result.exit_code == 2 and doc is None
    assert message in result.output


def test_missing_path_hcl_and_empty_folder(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    result, _ = run_cli(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "no such file or directory" in result.output
    tf = tmp_path / "main.tf"
    tf.write_text('resource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    result, _ = run_cli(str(tf))
    assert result.exit_code == 2 and "HCL (.tf) is not read" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result, _ = run_cli(str(empty))
    assert result.exit_code == 2 and "nothing to scan" in result.output


def test_bad_param_is_a_usage_error(run_cli: Callable[..., Any]) -> None:
    result, doc = run_cli(str(FIXTURES / "cfn" / "lake.json"), "--param", "NoEqualsSign")
    assert result.exit_code == 2 and doc is None
    assert "expected NAME=VALUE" in result.output


@pytest.mark.parametrize("properties", [
    "VersioningConfiguration: Enabled",
    "BucketEncryption: {ServerSideEncryptionConfiguration: aws:kms}",
    "ReplicationConfiguration: {Rules: [{Destination: arn:aws:s3:::b}]}",
    "Tags: {DataZone: raw}",
])
def test_properties_of_a_shape_cloudformation_rejects_are_one_located_error_or_judged(
        run_cli: Callable[..., Any], tmp_path: Path, properties: str) -> None:
    """Never an internal error: a malformed resource is reported at its line (exit 2), or judged."""
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  Raw:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                    f"      BucketName: registrar-raw\n      {properties}\n", encoding="utf-8")
    result, doc = run_cli(str(path), "--no-fail-on-error")
    assert "internal error" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith(f"{path}:2:3: Raw: cannot read this AWS::S3::Bucket")
        assert doc is None
    else:
        assert doc is not None and doc["findings"]
