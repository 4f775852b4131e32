"""Templates come from people we do not trust: bounded reading, and no verdict rests on an unknown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from iac_helpers import FIXTURES, scan

from auditor.core.yamlio import parse_yaml
from auditor.iac.cfn.template import SHORT_FORMS
from auditor.iac.jsonpos import JsonPositions


def test_short_forms_become_long_forms_with_their_positions() -> None:
    doc, problems = parse_yaml("A: !Ref B\nC: !GetAtt [K, Arn]\nD: !If [c, !Sub 'x${y}', !Ref AWS::NoValue]\n",
                               "t.yaml", SHORT_FORMS)
    assert problems == []
    assert doc.data == {"A": {"Ref": "B"}, "C": {"Fn::GetAtt": ["K", "Arn"]},
                        "D": {"Fn::If": ["c", {"Fn::Sub": "x${y}"}, {"Ref": "AWS::NoValue"}]}}
    assert doc.locate(("D", "Fn::If", 1, "Fn::Sub")) == (3, 12)
    # Without the table, rule files keep refusing local tags on scalars.
    _, problems = parse_yaml("A: !Ref B\n", "r.yml")
    assert problems and "could not determine a constructor for the tag '!Ref'" in problems[0].message


def test_alias_bombs_through_tags_are_refused(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    lines = ["a: &a [!Ref x, !Ref x, !Ref x, !Ref x, !Ref x, !Ref x, !Ref x, !Ref x, !Ref x, !Ref x]"]
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("Metadata:\n" + "\n".join("  " + line for line in lines)
                    + "\nResources:\n  B: {Type: AWS::S3::Bucket}\n", encoding="utf-8")
    result, doc = run_cli(str(bomb))
    assert result.exit_code == 2 and doc is None
    assert "aliases expand to more than 10000 values" in result.output


def test_deep_and_large_templates_are_refused(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": '
                    + "[" * 500 + "]" * 500 + "}}}}", encoding="utf-8")
    result, _ = run_cli(str(deep))
    assert result.exit_code == 2 and "nested more than 100 levels deep" in result.output
    large = tmp_path / "large.yaml"
    large.write_text("Resources:\n  B: {Type: AWS::S3::Bucket}\n# " + "x" * (6 * 1024 * 1024) + "\n", encoding="utf-8")
    result, _ = run_cli(str(large))
    assert result.exit_code == 2 and "file larger than 5 MB" in result.output


def test_nesting_deeper_than_the_limit_is_an_error(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    for i in range(12):
        body = {"Resources": {"Next": {"Type": "AWS::CloudFormation::Stack",
                                       "Properties": {"TemplateURL": f"s{i + 1}.json"}}}} if i < 11 else \
            {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}
        (tmp_path / f"s{i}.json").write_text(json.dumps(body), encoding="utf-8")
    result, _ = run_cli(str(tmp_path / "s0.json"))
    assert result.exit_code == 2 and "nested stacks deeper than 8 levels" in result.output


def _unknown_leaves(node: Any) -> Any:
    """Every value (a whole intrinsic function included) replaced by an import from another stack."""
    if isinstance(node, dict) and len(node) == 1 and next(iter(node)).startswith(("Fn::", "Ref")):
        return {"Fn::ImportValue": "decided-elsewhere"}
    if isinstance(node, dict):
        return {k: _unknown_leaves(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unknown_leaves(v) for v in node]
    return {"Fn::ImportValue": "decided-elsewhere"}


def test_no_pass_ever_rests_on_an_unknown_value(tmp_path: Path) -> None:
    """Every property value of the lake fixture made unknown: nothing crashes, nothing unknown passes."""
    source = yaml.safe_load(json.dumps(_tagless(FIXTURES / "cfn" / "lake.yaml")))
    for body in source["Resources"].values():
        if "Properties" in body:
            body["Properties"] = _unknown_leaves(body["Properties"])
    template = tmp_path / "unknown.json"
    template.write_text(json.dumps(source), encoding="utf-8")
    doc = scan(template)
    judged = [f for f in doc["findings"] if f["status"] != "SKIPPED"]
    assert len([f for f in judged if f["status"] == "ERROR"]) >= 10
    # What configures a resource named by an unknown value is listed, with that reason.
    listed = {n["address"]: n["reason"] for n in doc["attachments"]["iac"]["not_evaluated"]}
    assert "its target is decided at deploy" in listed["LandingPolicy"]
    assert "its target is decided at deploy" in listed["PipelineKeyOne"]
    for f in judged:
        if f["status"] in ("PASS", "FAIL"):
            assert "unknown until apply" not in json.dumps(f["evidence"]), f
    plan = json.loads((FIXTURES / "terraform" / "plan.json").read_text(encoding="utf-8"))
    for rc in plan["resource_changes"]:
        after = rc["change"]["after"] or {}
        rc["change"]["after_unknown"] = {k: True for k in after}
    unknown_plan = tmp_path / "plan.json"
    unknown_plan.write_text(json.dumps(plan), encoding="utf-8")
    doc = scan(unknown_plan)
    for f in doc["findings"]:
        if f["status"] in ("PASS", "FAIL"):
            assert "unknown until apply" not in json.dumps(f["evidence"]), f


def _tagless(path: Path) -> Any:
    from auditor.iac.cfn.template import read_template

    return read_template(path).data


def test_json_positions_of_keys_and_values() -> None:
    text = '{\n  "a": [1, {"b\\"c": true}],\n  "d": {"e": null}\n}'
    pos = JsonPositions(text, max_depth=5)
    assert pos.locate(("a",)) == (2, 3)
    assert pos.locate(("a", 1, 'b"c')) == (2, 13)
    assert pos.locate(("d", "e"), key=False) == (3, 14)
    assert pos.locate(("d", "missing")) == (3, 3)
