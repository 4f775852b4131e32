"""A DQDL rule that could not be evaluated is ERROR (exit 3), never FAIL (exit 1), in every place it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.audit_run import default_rule_paths, prepare
from auditor.cli import cli
from auditor.data.pii import PiiAnalyzer
from auditor.data.quality import evaluate_ruleset, load_ruleset
from auditor.data.scan import DataScanOptions, run_data_scan
from auditor.pipelines.promotion_checks import QualityCheck

DF = pd.DataFrame({"id": [1, 2, 3], "status": ["a", "b", None]})


def _outcomes(rules: str) -> list[str]:
    return [r.outcome for r in evaluate_ruleset(f"Rules = [ {rules} ]", DF)]


def test_outcomes_of_single_rules() -> None:
    assert _outcomes('IsComplete "id", IsComplete "status", IsComplete "nope", '
                     'ColumnValues "id" > 0 where "no_such_col = 1", ColumnExists "nope"') == \
        ["PASS", "FAIL", "ERROR", "ERROR", "FAIL"]  # a missing column is what ColumnExists checks: FAIL
    (missing,) = evaluate_ruleset('Rules = [ IsComplete "nope" ]', DF)
    assert not missing.passed and missing.message == "could not evaluate: column 'nope' does not exist"
    assert missing.as_dict()["outcome"] == "ERROR"


@pytest.mark.parametrize(("rule", "outcome"), [
    ('(IsComplete "status") and (IsComplete "nope")', "FAIL"),   # a definite failure decides "and"
    ('(IsComplete "id") and (IsComplete "nope")', "ERROR"),
    ('(IsComplete "id") or (IsComplete "nope")', "PASS"),        # a definite pass decides "or"
    ('(IsComplete "status") or (IsComplete "nope")', "ERROR"),
    ('(IsComplete "status") or (ColumnValues "id" > 5)', "FAIL"),
])
def test_composite_outcomes(rule: str, outcome: str) -> None:
    assert _outcomes(rule) == [outcome]


def _check(tmp_path: Path, rules: str) -> tuple[int, str]:
    data = tmp_path / "d.csv"
    DF.to_csv(data, index=False)
    dqdl = tmp_path / "r.dqdl"
    dqdl.write_text(f"Rules = [ {rules} ]", encoding="utf-8")
    res = CliRunner().invoke(cli, ["data", "check", str(data), "--ruleset", str(dqdl)])
    return res.exit_code, res.output


def test_data_check_exit_codes(tmp_path: Path) -> None:
    code, out = _check(tmp_path, 'IsComplete "id", IsComplete "nope"')
    assert code == 3, out
    assert "ERROR IsComplete \"nope\"; could not evaluate: column 'nope' does not exist" in out
    assert "1/2 rules pass, 1 could not be evaluated" in out
    code, out = _check(tmp_path, 'ColumnValues "id" < 3, CustomSql "select nope from primary" = 1')
    assert code == 1, out  # a definite violation wins over "could not evaluate"
    assert "FAIL ColumnValues \"id\" < 3" in out and "ERROR CustomSql" in out
    assert _check(tmp_path, 'IsComplete "id"')[0] == 0


def test_data_scan_quality_rule_is_error_not_fail(tmp_path: Path, analyzer: PiiAnalyzer) -> None:
    data = tmp_path / "d.csv"
    DF.to_csv(data, index=False)
    prepared = prepare(default_rule_paths("data"), resource_prefix="dataset.")

    def finding(rules: str) -> dict[str, Any]:
        dqdl = tmp_path / "r.dqdl"
        dqdl.write_text(f"Rules = [ {rules} ]", encoding="utf-8")
        doc = run_data_scan(prepared, [str(data)], DataScanOptions(analyzer=analyzer, ruleset=load_ruleset(dqdl)))
        (f,) = [f for f in doc["findings"] if f["rule_id"] == "dataset-file-quality-passes"]
        return f

    err = finding('IsComplete "id", IsComplete "nope"')
    assert err["status"] == "ERROR" and "column 'nope' does not exist" in err["message"]
    assert finding('IsComplete "status", IsComplete "nope"')["status"] == "FAIL"
    assert finding('IsComplete "id"')["status"] == "PASS"


def test_pipeline_quality_gate_is_unavailable_not_failed() -> None:
    gate = QualityCheck("t", 'Rules = [ IsComplete "id", IsComplete "nope" ]').check(DF, step="curated")
    assert not gate.available and "column 'nope' does not exist" in gate.error
    assert [r["outcome"] for r in gate.rules] == ["PASS", "ERROR"]
    both = QualityCheck("t", 'Rules = [ IsComplete "status", IsComplete "nope" ]').check(DF, step="curated")
    assert both.available and not both.passed and both.aggregate_failed  # FAIL decides; no row is routed


def test_pipeline_run_with_an_unevaluable_rule_exits_3(tmp_path: Path) -> None:
    import json

    dqdl = tmp_path / "q.dqdl"
    dqdl.write_text('Rules = [ IsComplete "department", IsComplete "no_such_column" ]', encoding="utf-8")
    cfg = tmp_path / "c.yml"
    cfg.write_text(f"version: 1\npipelines:\n  inquiries-311: {{quality_ruleset: {dqdl}}}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", "--store", str(tmp_path / "lake"), "--sample",
                                   "--config", str(cfg), "--output-dir", str(tmp_path / "o")])
    assert res.exit_code == 3, res.output
    doc = json.loads((tmp_path / "o" / "findings.json").read_text())
    statuses = {f["status"] for f in doc["findings"] if f["rule_id"] == "pipeline-run-quality-rules-pass"}
    assert "ERROR" in statuses and "FAIL" not in statuses
    assert not (tmp_path / "lake" / "govtfinance" / "311inqvol" / "_CURRENT.json").exists()
