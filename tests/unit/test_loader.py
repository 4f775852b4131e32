"""Rule loading fails closed, reporting every problem with line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit_run import prepare
from auditor.core.errors import ConfigError

FIX = Path(__file__).parent.parent / "fixtures" / "rules"


def problems(*paths: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        prepare(list(paths))
    return [str(p) for p in sorted(info.value.problems)]


def test_three_mistakes_three_lines_with_positions() -> None:
    f = FIX / "broken" / "three-mistakes.yml"
    assert problems(f) == [
        f"{f}:6:15: rules[0].severity: 'hi' is not one of info, low, medium, high, critical (did you mean 'high'?)",
        f"{f}:8:38: rules[0].assert[0].op: 'equals' is not one of eq, ne, gt, ge, lt, le, in, not-in, contains, "
        "regex, glob, present, absent, empty, not-empty (did you mean 'eq'?)",
        f"{f}:14:15: rules[1].assert[0].key: unknown attribute 'Nmae' for this resource type (did you mean 'Name'?)",
    ]


def test_duplicate_yaml_keys_are_errors() -> None:
    f = FIX / "broken" / "duplicate-key.yml"
    assert problems(f) == [f"{f}:7:5: rules[0].severity: duplicate key 'severity' (first defined on line 6)"]


def test_syntax_error_is_located() -> None:
    f = FIX / "broken" / "syntax.yml"
    (msg,) = problems(f)
    assert msg.startswith(f"{f}:5:1: invalid YAML: expected ','")


def test_semantic_mistakes_all_reported() -> None:
    f = FIX / "broken" / "semantic.yml"
    assert problems(f) == [
        f"{f}:7:32: rules[0].compliance.cis-aws-6.0[0]: unknown control '4.66' in cis-aws-6.0 (did you mean '4.6'?)",
        f"{f}:7:41: rules[0].compliance.cis-aws-7.0: unknown framework 'cis-aws-7.0' (did you mean 'cis-aws-6.0'?)",
        f"{f}:9:39: rules[0].assert[0].value: invalid regex: unterminated character set at position 1",
        f"{f}:10:36: rules[0].assert[1].param: unknown param 'max_sise' (declare it under the rule's params)",
        f"{f}:11:37: rules[0].assert[2].value: op 'in' needs a list value",
        f"{f}:12:16: rules[0].assert[3].type: unknown filter type 'no-such-filter'",
    ]


def test_control_id_written_as_number_gets_a_quoting_hint() -> None:
    f = FIX / "broken" / "control-as-number.yml"
    assert problems(f) == [
        f"{f}:7:32: rules[0].compliance.cis-aws-6.0[0]: expected a string, got number 4.6 (quote it: '4.6')"
    ]


def test_duplicate_rule_id_across_files() -> None:
    a, b = FIX / "broken" / "dup-id-a.yml", FIX / "broken" / "dup-id-b.yml"
    assert problems(a, b) == [f"{b}:3:9: rules[0].id: duplicate rule id 'widget-twice' (also defined at {a}:3)"]


def test_duplicate_rule_id_points_at_the_second_definition(tmp_path: Path) -> None:
    # The first rule has a schema problem, so it is not built: the duplicate must still be
    # reported on the second definition's own id (rules[2]), not on rules[1].
    rule = ("  - id: {id}\n    title: A widget rule\n    resource: test.widget\n    severity: {sev}\n"
            "    assert: [{{key: Enabled, op: eq, value: true}}]\n")
    f = tmp_path / "dup-in-file.yml"
    f.write_text("version: 1\nrules:\n" + rule.format(id="widget-broken", sev="hi")
                 + rule.format(id="widget-once", sev="high") + rule.format(id="widget-once", sev="high"))
    dup = [m for m in problems(f) if "duplicate rule id" in m]
    assert dup == [f"{f}:13:9: rules[2].id: duplicate rule id 'widget-once' (also defined at {f}:8)"]


def test_every_file_is_reported_in_one_run() -> None:
    msgs = problems(FIX / "broken")
    files = {m.split(":", 1)[0] for m in msgs}
    # every broken fixture contributes (dup-id-a is the first definition: its twin reports)
    assert len(files) == 6


def test_missing_file_and_empty_dir(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.yml") == [f"{tmp_path / 'nope.yml'}:0:0: file not found"]
    assert problems(tmp_path) == [f"{tmp_path}:0:0: no rule files found"]


def test_not_utf8(tmp_path: Path) -> None:
    f = tmp_path / "latin1.yml"
    f.write_bytes("version: 1\nrules: []\n# caf\xe9\n".encode("latin-1"))
    (msg,) = problems(f)
    assert "not UTF-8" in msg


def test_top_level_shape(tmp_path: Path) -> None:
    f = tmp_path / "r.yml"
    f.write_text("version: 2\nrule: []\n")
    assert problems(f) == [
        f"{f}:1:1: missing required field 'rules'",
        f"{f}:1:10: version: must be 1, got 2",
        f"{f}:2:1: rule: unknown field 'rule' (did you mean 'rules'?)",
    ]


def test_good_rules_load() -> None:
    p = prepare([FIX / "good"])
    assert [r.id for r in p.rules] == ["widget-enabled", "widget-small", "widget-young"]
    enabled = p.rules[0]
    assert enabled.compliance == {"cis-aws-6.0": ["4.6"], "governance-baseline": ["GB-KMS-1"]}
    assert enabled.source.endswith("widgets.yml:3")


def test_framework_filter_and_unknown_framework() -> None:
    from auditor.core.errors import UsageError

    p = prepare([FIX / "good"], framework="governance-baseline")
    assert [r.id for r in p.rules] == ["widget-enabled"]
    with pytest.raises(UsageError, match=r"did you mean 'cis-aws-6\.0'"):
        prepare([FIX / "good"], framework="cis-aws-6")
