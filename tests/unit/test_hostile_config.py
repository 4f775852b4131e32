"""Hostile rule, mutelist, config, policy and findings files: refused early, in one line, exit 2.

Rule files arrive through pull requests and pre-commit; findings documents are handed to
``report`` and ``gate --baseline``. A "billion laughs" YAML used to take 3.9 GB before a
``MemoryError``; 5,000-deep YAML or JSON and a 5,000-digit JSON integer ended in an
internal error (exit 3) instead of a located configuration error.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.core import jsonio, yamlio
from auditor.core.errors import ConfigError
from auditor.core.loader import load_rules
from auditor.core.mutes import load_mutelist
from auditor.core.run_config import load_config

FIX = Path(__file__).parent.parent / "fixtures"


def laughs(key: str = "lol", indent: str = "") -> str:
    """Nine levels of ten aliases each: 10**9 strings once expanded."""
    lines = [f"{indent}{key}:", f'{indent}  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        lines.append(f"{indent}  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# Where the bomb sits in each kind of file (the line of the first alias that crosses the budget).
BOMBS = {
    "rule file": ("version: 1\nrules:\n  - id: s3-bucket-laughs\n    title: Laughs\n    resource: aws.s3-bucket\n"
                  "    severity: low\n" + laughs("params", "    ") + "    assert: [{key: Name, op: present}]\n"),
    "mutelist": "version: 1\nmutes: []\n" + laughs(),
    "run config": "version: 1\n" + laughs("rules"),
    "masking policy": "version: 1\n" + laughs("entities"),
}


def _load_masking_policy(path: Path) -> Any:
    from auditor.data.masking import load_policy

    return load_policy(path)


LOADERS: dict[str, Callable[[Path], Any]] = {
    "rule file": lambda p: load_rules([p]),
    "mutelist": load_mutelist,
    "run config": load_config,
    "masking policy": _load_masking_policy,
}


def refused(loader: Callable[[Path], Any], path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        loader(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_billion_laughs_is_refused_with_little_memory(tmp_path: Path, kind: str) -> None:
    f = tmp_path / "bomb.yml"
    f.write_text(BOMBS[kind], encoding="utf-8")
    tracemalloc.start()
    try:
        (problem,) = refused(LOADERS[kind], f)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problem.startswith(f"{f}:")
    assert problem.endswith("aliases expand to more than 10000 values")
    assert peak < 50 * 1024 * 1024  # the expansion is counted, never built


def test_billion_laughs_problem_points_at_the_alias() -> None:
    doc, problems = yamlio.parse_yaml(laughs(), "bomb.yml")
    assert doc.data is None
    # l3's eighth alias (line 5, column 47) is where the expansion crosses 10,000 values.
    assert [str(p) for p in problems] == ["bomb.yml:5:47: lol.l3[7][9][0][1]: aliases expand to more than 10000 values"]


def test_billion_laughs_rule_file_exits_2_with_one_located_problem(tmp_path: Path) -> None:
    f = tmp_path / "bomb.yml"
    f.write_text(BOMBS["rule file"], encoding="utf-8")
    res = CliRunner().invoke(cli, ["rules", "validate", str(f)])
    assert res.exit_code == 2
    assert res.output.splitlines() == [
        f"{f}:11:51: rules[0].params.l3[7][9]...: aliases expand to more than 10000 values",
        "1 configuration error; nothing was evaluated."]


def test_small_anchors_still_work(tmp_path: Path) -> None:
    f = tmp_path / "m.yml"
    f.write_text("version: 1\nmutes:\n"
                 "  - &legacy {rule: widget-enabled, resource: 'widget-legacy-*', reason: Legacy widgets go away (R-1),"
                 " expires: 2027-01-31}\n"
                 "  - {rule: widget-small, resource: 'widget-legacy-*', reason: Legacy widgets go away (R-1),"
                 " expires: 2027-01-31}\n", encoding="utf-8")
    assert len(load_mutelist(f).entries) == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("[" * 5000 + "]" * 5000, "f.yml:1:102: [0][0][0][0][0][0]...: nested more than 100 levels deep"),
    ("x:\n" + "".join("  " * i + "k:\n" for i in range(1, 1000)),  # (5,000 would be over 5 MB)
     "f.yml:101:201: x.k.k.k.k.k...: nested more than 100 levels deep"),
    ("a: &a [*a]\n", "f.yml:1:8: a[0][0][0][0][0]...: nested more than 100 levels deep (through aliases)"),
    ("x: " + "9" * 5000 + "\n", "f.yml:1:4: invalid YAML: number of 5000 characters (the limit is 100)"),
    # Sexagesimal (YAML 1.1) integers take quadratic time to convert.
    ("x: 1" + ":1" * 100_000 + "\n", "f.yml:1:4: invalid YAML: number of 200001 characters (the limit is 100)"),
    ("a: &a [1]\n? [*a, *a]\n: 1\n", "f.yml:2:3: a mapping key must be a plain value, not a list or mapping"),
    ("x: !!timestamp 2026-13-45\n", "f.yml:1:1: x: invalid YAML: month must be in 1..12"),
])
def test_yaml_limits_are_located_problems(text: str, expected: str) -> None:
    _, problems = yamlio.parse_yaml(text, "f.yml")
    assert [str(p) for p in problems] == [expected]


def test_5000_deep_yaml_rule_file_is_a_config_error(tmp_path: Path) -> None:
    f = tmp_path / "deep.yml"
    f.write_text("version: 1\nrules: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert refused(lambda p: load_rules([p]), f) == [f"{f}:2:108: rules[0][0][0][0][0]...: nested more than 100 levels deep"]


def test_file_over_5_mb_is_not_read(tmp_path: Path) -> None:
    f = tmp_path / "big.yml"
    f.write_bytes(b"version: 1\nmutes: []\n" + b"#" * (5 * 1024 * 1024))
    assert refused(load_mutelist, f) == [f"{f}:0:0: file larger than 5 MB"]


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 5000 + "]" * 5000, "nested more than 100 levels deep: line 1 column 101 (char 100)"),
    # Under Python's recursion limit but over ours: consumers after the parse recurse too.
    ('{"a": "[[[[", "b": ' + "[" * 150 + "]" * 150 + "}", "nested more than 100 levels deep: line 1 column 119 (char 118)"),
    ('{"n": ' + "9" * 5000 + "}", "number of 5000 characters (the limit is 100): line 1 column 7 (char 6)"),
    ('{"n": 1.' + "5" * 500 + "}", "number of 502 characters (the limit is 100): line 1 column 7 (char 6)"),
])
def test_json_limits(text: str, message: str) -> None:
    with pytest.raises(jsonio.JsonLimitError) as info:
        jsonio.loads(text)
    assert str(info.value) == message
    assert isinstance(info.value, json.JSONDecodeError)  # every "not JSON" handler applies


def test_json_within_limits_is_unchanged() -> None:
    text = json.dumps({"deep": json.loads("[" * 99 + "]" * 99), "n": 10**99, "x": 1.5, "s": "[[[{{{"})
    assert jsonio.loads(text) == json.loads(text)


def _findings_text(evidence: str) -> str:
    from auditor.core.findings import Finding, RunInfo, document

    run = RunInfo("r", "2026-06-01T00:00:00Z", "2026-06-01T00:00:01Z", "0", "aws")
    finding = Finding.from_dict({"rule_id": "a", "title": "t", "status": "FAIL", "severity": "high",
                                 "resource_type": "test.widget", "resource_id": "x", "region": "", "message": "m",
                                 "evidence": {"marker": 1}, "compliance": {}, "remediation": ""})
    return json.dumps(document(run, [finding], {})).replace('{"marker": 1}', evidence)


@pytest.mark.parametrize(("evidence", "reason"), [
    ('{"n": ' + "[" * 5000 + "]" * 5000 + "}", "nested more than 100 levels deep"),
    ('{"n": ' + "7" * 5000 + "}", "number of 5000 characters (the limit is 100)"),
])
@pytest.mark.parametrize("command", ["gate", "report-baseline"])
def test_hostile_findings_document_exits_2_in_one_line(tmp_path: Path, evidence: str, reason: str,
                                                       command: str) -> None:
    good = tmp_path / "good.json"
    good.write_text(_findings_text('{"marker": 1}'), encoding="utf-8")
    bad = tmp_path / "hostile.json"
    bad.write_text(_findings_text(evidence), encoding="utf-8")
    args = (["gate", str(bad), "--fail-on", "high"] if command == "gate"
            else ["report", str(good), "--baseline", str(bad), "-o", str(tmp_path / "out" / "index.html")])
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2, res.output
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {bad}: not a findings JSON document ({reason}: line ")
