"""Glue semantics end to end: typed reading, composites, history, reference datasets, files, the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.data.quality import MetricHistory, evaluate_ruleset, run_ruleset


def _one(rule: str, data: object, **kw: object) -> object:
    (r,) = evaluate_ruleset(f"Rules = [ {rule} ]", data, **kw)
    return r


def _csv(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------- composites (dqdl.html "How Composite rules work")

DOC_COMPOSITE = pd.DataFrame({"myCol1": [2, 0], "myCol2": [1, 3]})
RULE = '(ColumnValues "myCol1" > 1) OR (ColumnValues "myCol2" > 2)'


def test_composite_is_evaluated_per_dataset_by_default() -> None:
    r = _one(RULE, DOC_COMPOSITE)
    assert r.outcome == "FAIL"  # each part fails over the whole column, so the OR fails


def test_composite_row_method_judges_each_row() -> None:
    r = _one(RULE, DOC_COMPOSITE, composite="row")
    assert r.outcome == "PASS" and list(r.failing_rows) == []
    r = _one('(ColumnValues "myCol1" > 1) AND (ColumnValues "myCol2" > 2)', DOC_COMPOSITE, composite="row")
    assert r.outcome == "FAIL" and list(r.failing_rows) == [0, 1]


# ---------------------------------------------------------------- typed reading

def test_csv_numbers_compare_as_numbers(tmp_path: Path) -> None:
    data = _csv(tmp_path, "n,code\n10,007\n9,008\n100,009\n")
    r = _one('ColumnValues "n" > 9', data)
    assert r.outcome == "FAIL" and list(r.failing_rows) == [1]  # as text, "10" > "9" would be false
    assert _one('ColumnValues "code" in ["007", "008", "009"]', data).outcome == "PASS"  # leading zeros stay text
    assert _one('Sum "n" = 119', data).outcome == "PASS"


def test_where_on_csv_uses_typed_columns(tmp_path: Path) -> None:
    data = _csv(tmp_path, "Customer_ID,gender,weightinkgs\n1,F,5\n2,X,4\n11,X,30\n12,M,8\n")
    r = _one('ColumnValues "gender" in ["F", "M"] where "weightinkgs < 10"', data)
    assert r.outcome == "FAIL" and list(r.failing_rows) == [1]
    assert _one('RowCount between 1 and 3 where "Customer_ID < 10"', data).metric == 2


def test_xlsx_and_parquet_are_typed_too(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "amount", "day"])
    ws.append([1, 10.5, datetime(2024, 1, 2)])
    ws.append([2, 20, datetime(2024, 1, 3)])
    wb.save(tmp_path / "d.xlsx")
    res = evaluate_ruleset('Rules = [ ColumnValues "amount" > 10 where "id >= 1", '
                           'ColumnValues "day" between "2024-01-01" and "2024-01-04", Mean "amount" = 15.25 ]',
                           tmp_path / "d.xlsx")
    assert [r.outcome for r in res] == ["PASS", "PASS", "PASS"]
    pd.DataFrame({"code": ["007", "8"], "n": [1, 2]}).to_parquet(tmp_path / "d.parquet")
    res = evaluate_ruleset('Rules = [ ColumnValues "code" in ["007", "8"], ColumnValues "n" < 3 ]',
                           tmp_path / "d.parquet")
    assert [r.outcome for r in res] == ["PASS", "PASS"]


def test_blank_string_is_complete_but_blank_number_is_null(tmp_path: Path) -> None:
    data = _csv(tmp_path, "name,age\nann,\n,4\n")
    assert _one('IsComplete "name"', data).outcome == "PASS"
    assert _one('ColumnValues "name" = EMPTY with threshold >= 0.5', data).outcome == "PASS"
    r = _one('IsComplete "age"', data)
    assert r.outcome == "FAIL" and list(r.failing_rows) == [0]


# ---------------------------------------------------------------- dynamic rules and anomalies

def _history(values: list[float], dataset: str = "d", key: str = "Dataset.*.RowCount") -> MetricHistory:
    return MetricHistory([{"dataset": dataset, "at": str(i), "metrics": {key: v}} for i, v in enumerate(values)])


def test_dynamic_rules_read_the_history() -> None:
    df = pd.DataFrame({"a": range(12)})
    h = _history([8, 10, 11])  # oldest first: last(3) is [11, 10, 8]
    assert _one("RowCount > avg(last(3))", df, history=h, dataset_id="d").outcome == "PASS"
    assert _one("RowCount = index(last(3), 0) + 1", df, history=h, dataset_id="d").outcome == "PASS"
    assert _one("RowCount < max(last(3))", df, history=h, dataset_id="d").outcome == "FAIL"
    assert _one("RowCount > last()", df, history=h, dataset_id="other").outcome == "PASS"  # another dataset: none
    r = _one("RowCount > avg(last(3))", df, history=_history([]), dataset_id="d")
    assert r.outcome == "PASS" and "no history yet" in r.message  # Glue: last(k) is 0.0; and it says so


def test_detect_anomalies() -> None:
    df = pd.DataFrame({"a": range(10)})
    assert _one('DetectAnomalies "RowCount"', df, history=_history([10, 10, 10]), dataset_id="d").outcome == "PASS"
    r = _one('DetectAnomalies "RowCount"', df, history=_history([50, 52, 51]), dataset_id="d")
    assert r.outcome == "FAIL" and "outside the expected range" in r.message
    r = _one('DetectAnomalies "RowCount"', df, history=_history([10]), dataset_id="d")
    assert r.outcome == "ERROR" and "1 of 3 past values" in r.message
    assert _one('DetectAnomalies "RowCount"', df).outcome == "ERROR"  # no history at all: never a silent PASS


def test_history_from_a_scheduler_folder_and_lineage(tmp_path: Path) -> None:
    (tmp_path / "run1").mkdir()
    (tmp_path / "history.json").write_text(json.dumps({"version": 1, "runs": [{"folder": "run1", "started_at": "t"}]}))
    doc = {"attachments": {"datasets": [{"id": "x.csv", "quality": [{"metrics": {"Dataset.*.RowCount": 7}}]}]}}
    (tmp_path / "run1" / "findings.json").write_text(json.dumps(doc))
    assert MetricHistory.open(tmp_path).past("x.csv", "Dataset.*.RowCount") == [7.0]
    manifests = [{"started_at": "1", "rules": [{"gate": "quality", "metrics": {"Dataset.*.RowCount": 3}}]},
                 {"started_at": "2", "rules": [{"gate": "quality", "metrics": {"Dataset.*.RowCount": 4}}]}]
    assert MetricHistory.from_lineage(manifests, "p").past("p", "Dataset.*.RowCount") == [4.0, 3.0]


def test_data_check_builds_its_history(tmp_path: Path) -> None:
    data = _csv(tmp_path, "a\n1\n2\n")
    rules = tmp_path / "r.dqdl"
    rules.write_text('Rules = [ RowCount > 0, DetectAnomalies "RowCount" ]', encoding="utf-8")
    args = ["data", "check", str(data), "--ruleset", str(rules), "--history", str(tmp_path / "h.jsonl")]
    codes = [CliRunner().invoke(cli, args).exit_code for _ in range(4)]
    assert codes == [3, 3, 3, 0]  # three runs to learn from, then the fourth is judged
    assert len((tmp_path / "h.jsonl").read_text().splitlines()) == 4


# ---------------------------------------------------------------- reference datasets (--ref)

def test_reference_rules_through_the_cli(tmp_path: Path) -> None:
    data = _csv(tmp_path, "id,zip,amount\n1,100,5\n2,200,5\n3,999,10\n")
    ref = _csv(tmp_path, "zip,city,amount\n100,A,10\n200,B,10\n", "ref.csv")
    rules = tmp_path / "r.dqdl"
    rules.write_text('Rules = [ ReferentialIntegrity "zip" "reference.zip" >= 0.66, RowCountMatch "reference" = 1.5, '
                     'AggregateMatch "sum(amount)" "sum(reference.amount)" = 1.0, '
                     'CustomSql "select count(*) from primary p join reference r using (zip)" = 2 ]', encoding="utf-8")
    res = CliRunner().invoke(cli, ["data", "check", str(data), "--ruleset", str(rules), "--ref", f"reference={ref}"])
    assert res.exit_code == 0, res.output
    missing = CliRunner().invoke(cli, ["data", "check", str(data), "--ruleset", str(rules)])
    assert missing.exit_code == 3 and "no reference dataset 'reference'" in missing.output
    bad = CliRunner().invoke(cli, ["data", "check", str(data), "--ruleset", str(rules), "--ref", "reference"])
    assert bad.exit_code == 2 and "expected NAME=PATH" in bad.output


def test_dataset_match_needs_a_unique_key() -> None:
    df = pd.DataFrame({"id": [1, 1], "v": ["a", "b"]})
    r = _one('DatasetMatch "reference" "id" = 1.0', df, refs={"reference": pd.DataFrame({"id": [1], "v": ["a"]})})
    assert r.outcome == "ERROR" and "key map not suitable" in r.message


# ---------------------------------------------------------------- file rules

def test_file_rules_on_a_local_folder(tmp_path: Path) -> None:
    folder = tmp_path / "landing"
    folder.mkdir()
    for name, body in (("a.csv", b"x\n1\n"), ("b.csv", b"x\n1\n"), ("c.csv", b"x\n2\n")):
        (folder / name).write_bytes(body)
    old = time.time() - 10 * 86400
    os.utime(folder / "a.csv", (old, old))
    f = str(folder)
    df = pd.DataFrame({"x": [1]})
    r = _one(f'FileUniqueness "{f}" = 1', df)
    assert r.outcome == "FAIL" and r.metric == pytest.approx(2 / 3)  # a.csv and b.csv have the same content
    sha = hashlib.sha256(b"x\n2\n").hexdigest()
    md5 = hashlib.md5(b"x\n2\n").hexdigest()
    assert _one(f'FileMatch "{folder / "c.csv"}" in ["{sha}"]', df).outcome == "PASS"
    assert _one(f'FileMatch "{folder / "c.csv"}" in ["{md5}"] with hashAlgorithm = "MD5"', df).outcome == "PASS"
    assert _one(f'FileMatch "{folder / "a.csv"}" in ["{sha}"]', df).outcome == "FAIL"
    assert _one(f'FileMatch "{folder / "a.csv"}" "{folder / "b.csv"}"', df).outcome == "PASS"
    assert _one(f'FileSize "{f}" < 1 KB', df).outcome == "PASS"
    assert _one(f'FileSize "{f}" > 5 B', df).outcome == "FAIL"  # each file is 4 bytes
    r = _one(f'FileFreshness "{f}" > (now() - 1 days)', df)
    assert r.outcome == "FAIL" and r.metric == pytest.approx(2 / 3)
    assert _one(f'FileFreshness "{f}" > (now() - 1 days) with threshold > 0.5', df).outcome == "PASS"
    assert _one(f'FileFreshness "{f}" > (now() - 1 days) with recentFiles = 2', df).outcome == "PASS"
    assert _one(f'FileSize "{tmp_path / "nope"}" < 1 KB', df).outcome == "ERROR"


def test_file_rules_without_a_path_check_the_dataset_file(tmp_path: Path) -> None:
    data = _csv(tmp_path, "a\n1\n")
    res = run_ruleset("Rules = [ FileSize < 1 KB, FileUniqueness = 1 ]", data, data_path=str(data))
    assert [r.outcome for r in res.results] == ["PASS", "PASS"]


# ---------------------------------------------------------------- recommendations

def test_recommend_writes_a_ruleset_that_passes(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{'open' if i % 2 else 'closed'},{i * 1.5},2024-01-{i % 28 + 1:02d}" for i in range(1, 41))
    data = _csv(tmp_path, "id,status,score,day\n" + rows + "\n41,,,\n")
    out = tmp_path / "starter.dqdl"
    res = CliRunner().invoke(cli, ["data", "check", str(data), "--recommend", "--ruleset", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert 'ColumnValues "status" in ["closed", "open", EMPTY]' in text and 'IsUnique "id"' in text
    check = CliRunner().invoke(cli, ["data", "check", str(data), "--ruleset", str(out)])
    assert check.exit_code == 0, check.output
    again = CliRunner().invoke(cli, ["data", "check", str(data), "--recommend", "--ruleset", str(out)])
    assert again.exit_code == 2 and "does not overwrite" in again.output


def test_recommend_never_lists_rare_values(tmp_path: Path) -> None:
    data = _csv(tmp_path, "email\n" + "\n".join(["a@x.org", "b@x.org"] * 2 + ["c@x.org"]) + "\n")
    res = CliRunner().invoke(cli, ["data", "check", str(data), "--recommend"])
    assert res.exit_code == 0 and "@x.org" not in res.output


# ---------------------------------------------------------------- errors and privacy

def test_bad_where_clause_is_error_and_never_echoes_values() -> None:
    df = pd.DataFrame({"email": ["jane@example.com"]})
    r = _one("IsComplete \"email\" where \"email = 'jane@example.com' and nope > 1\"", df)
    assert r.outcome == "ERROR" and "where clause" in r.message and "jane@" not in r.message


def test_malformed_ruleset_exits_2_with_position(tmp_path: Path) -> None:
    data = _csv(tmp_path, "a\n1\n")
    rules = tmp_path / "r.dqdl"
    rules.write_text('Rules = [\n  IsComplete "a" and IsUnique "a"\n]', encoding="utf-8")
    res = CliRunner().invoke(cli, ["data", "check", str(data), "--ruleset", str(rules)])
    assert res.exit_code == 2 and f"{rules}:2:18: composite rules need parentheses" in res.output


def test_gate_routes_rows_of_where_rules() -> None:
    from auditor.pipelines.promotion_checks import QualityCheck

    df = pd.DataFrame({"kind": ["a", "b", "a"], "n": [1, -1, -2]})
    gate = QualityCheck("t", 'Rules = [ ColumnValues "n" >= 0 where "kind = \'a\'" ]').check(df, step="curated")
    assert gate.available and not gate.passed and gate.failed_rows is not None
    assert gate.failed_rows.tolist() == [False, False, True]  # the b row is out of scope: it passes
    assert gate.rules[0]["metrics"]  # recorded in the lineage: the history of dynamic rules
