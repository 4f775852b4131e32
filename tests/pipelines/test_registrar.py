"""Registrar end to end: ACR and withdrawal rate equal an independent computation from the
landed workbooks; PII never reaches Raw or Curated unmasked."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from auditor.core.context import RunContext
from auditor.pipelines.pipeline_run import run_pipeline
from auditor.pipelines.registrar import sample

ROOT = "registraroffice/enrollwithdraw"


def _rows(data: bytes) -> list[dict[str, str]]:
    """A workbook read with openpyxl only: skip the title row, header is the row with StudentID."""
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    h = next(i for i, r in enumerate(rows) if "StudentID" in r)
    return [dict(zip(rows[h], r, strict=False)) for r in rows[h + 1:]]


def _date(text: str) -> datetime | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _valid(rows: list[dict[str, str]], critical: list[str], date_col: str, key: list[str],
           flag: str | None) -> list[dict[str, Any]]:
    seen_rows, seen_keys, out = set(), set(), []
    for r in rows:
        n = {k: " ".join(v.split()) for k, v in r.items()}
        for k in ("FirstName", "LastName"):
            if k in n:
                n[k] = n[k].title()
        if any(not n[c] for c in critical):
            continue
        d = _date(n[date_col])
        if d is None:
            continue
        n[date_col] = d
        if flag:
            low = n[flag].lower()
            if low not in ("yes", "no"):
                continue
            n[flag] = low == "yes"
        row_key = tuple(sorted((k, str(v)) for k, v in n.items()))
        if row_key in seen_rows:
            continue
        seen_rows.add(row_key)
        k = tuple(str(n[c]) for c in key)
        if k in seen_keys:
            continue
        seen_keys.add(k)
        out.append(n)
    return out


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory, pii_analyzer: Any) -> tuple[Any, Path, Path]:
    root, out = tmp_path_factory.mktemp("lake"), tmp_path_factory.mktemp("out")
    ctx = RunContext(run_id="regfirst", services={"pii_analyzer": pii_analyzer})
    return run_pipeline("registrar", root, sample=True, output_dir=out, context=ctx), root, out


def _landed(root: Path, folder: str) -> bytes:
    return next((root / ROOT / "Landing" / folder).glob("*.xlsx")).read_bytes()


def test_sample_run_succeeds(sample_run: tuple) -> None:
    result, root, _ = sample_run
    assert result.status == "succeeded", result.message
    pointer = json.loads((root / ROOT / "_CURRENT.json").read_text())
    keys = {f["key"].split("v-regfirst/")[1] for f in pointer["files"]}
    assert {"applications/received_year=2022/part-0.parquet", "applications/received_year=2023/part-0.parquet",
            "enrollments/part-0.parquet", "withdrawals/part-0.parquet", "metrics/acr.parquet"} <= keys


def test_acr_matches_an_independent_computation(sample_run: tuple) -> None:
    result, root, _ = sample_run
    apps = _valid(_rows(_landed(root, "historic-enrollment-data")),
                  ["ApplicationID", "StudentID", "ApplicationDate", "ApplicationCompleted"],
                  "ApplicationDate", ["ApplicationID"], "ApplicationCompleted")
    frame = pd.DataFrame({"year": [a["ApplicationDate"].year for a in apps],
                          "done": [a["ApplicationCompleted"] for a in apps]})
    expect = frame.groupby("year")["done"].agg(["count", "sum"])
    got = result.metrics["acr"].set_index("received_year")
    for year in (2022, 2023):
        assert got.loc[year, "applications"] == expect.loc[year, "count"]
        assert got.loc[year, "completed"] == expect.loc[year, "sum"]
        assert got.loc[year, "acr"] == pytest.approx(100 * expect.loc[year, "sum"] / expect.loc[year, "count"])
    # The story of the original project, computed (never written in).
    assert 85 <= got.loc[2022, "acr"] <= 95 and 25 <= got.loc[2023, "acr"] <= 35


def test_withdrawal_rate_matches_an_independent_computation(sample_run: tuple) -> None:
    result, root, _ = sample_run
    enr = _valid(_rows(_landed(root, "Total-enrollments")), ["StudentID", "EnrollmentDate"], "EnrollmentDate",
                 ["StudentID", "EnrollmentDate"], None)
    wd = _valid(_rows(_landed(root, "withdrawal_request")), ["StudentID", "WithdrawalDate"], "WithdrawalDate",
                ["StudentID", "Course", "WithdrawalDate"], None)
    got = result.metrics["enrollment_withdrawal"].set_index("year")
    for year in (2022, 2023):
        e = sum(1 for r in enr if r["EnrollmentDate"].year == year)
        w = sum(1 for r in wd if r["WithdrawalDate"].year == year)
        assert (got.loc[year, "enrollments"], got.loc[year, "withdrawals"]) == (e, w)
        assert got.loc[year, "withdrawal_rate"] == pytest.approx(100 * w / e)


def test_curated_view_has_masked_names(sample_run: tuple) -> None:
    view = sample_run[0].metrics["curated_view"]
    assert list(view.columns) == ["studentid", "firstname", "lastname", "received_year", "acr"]
    assert set(view["firstname"]) == {"<PERSON>"} and set(view["lastname"]) == {"<PERSON>"}
    assert "curated_view" not in sample_run[0].attachment()["metrics"]  # row level: never in reports


def test_no_raw_pii_in_raw_or_curated(sample_run: tuple) -> None:
    _, root, _ = sample_run
    clean = sample.generate(2022)["applications"]
    emails = set(clean["Email"])
    phones = set(clean["PhoneNumber"])
    raw = pd.read_csv(root / ROOT / "Raw/applications.csv", dtype=str)
    curated = pd.concat(pd.read_parquet(p) for p in (root / ROOT / "Curated").rglob("applications/*/*.parquet"))
    for frame in (raw, curated):
        text = frame.astype(str).to_csv()
        assert not any(e in text for e in list(emails)[:300])
        assert not any(p in text for p in list(phones)[:300])
        assert set(frame["email"]) == {"<EMAIL_ADDRESS>"}
        assert set(frame["dateofbirth"]) == {"<DATE_OF_BIRTH>"}
        notes = frame["notes"].dropna()
        assert notes.str.contains("<PHONE_NUMBER>").any() and not notes.str.contains(r"\d{3}-\d{4}").any()


def test_invalid_records_are_set_aside_with_reasons(sample_run: tuple) -> None:
    result, root, _ = sample_run
    rejected = next((root / ROOT / "Quarantine").rglob("applications.rejected.csv"))
    reason = json.loads(rejected.with_name(rejected.name + ".reason.json").read_text())
    frame = pd.read_csv(rejected, dtype=str)
    assert len(frame) == reason["records"] > 0
    assert set(frame["_reason"]) <= {"missing applicationid", "missing studentid", "missing applicationdate",
                                     "missing applicationcompleted"}
    raw_step = next(f for f in result.findings["findings"]
                    if f["rule_id"] == "pipeline-run-rejected-records-within-limit" and f["resource_id"].endswith("raw"))
    assert raw_step["status"] == "PASS"


def test_findings_judge_pii_and_quality(sample_run: tuple) -> None:
    doc = sample_run[0].findings
    by = {(f["rule_id"], f["resource_id"].rsplit("/", 1)[-1]): f["status"] for f in doc["findings"]}
    assert by[("pipeline-run-curated-pii-masked", "curated")] == "PASS"
    assert by[("pipeline-run-quality-rules-pass", "curated")] == "PASS"
    assert any(f["resource_type"] == "dataset.column" for f in doc["findings"])
    text = json.dumps(doc)
    assert "@example.org" not in text


def test_quality_failure_quarantines_rows(tmp_path: Path, make_context: Callable[..., RunContext]) -> None:
    cfg = tmp_path / "cfg.yml"
    rules = tmp_path / "strict.dqdl"
    rules.write_text('Rules = [ ColumnValues "gpa" >= 2.5, RowCount > 0 ]\n')
    cfg.write_text(f"version: 1\npipelines:\n  registrar: {{quality_ruleset: {rules}, on_quality_failure: quarantine}}\n")
    result = run_pipeline("registrar", tmp_path / "lake", sample=True, config=cfg, context=make_context())
    assert result.status == "succeeded", result.message
    q = next((tmp_path / "lake" / ROOT / "Quarantine").rglob("applications.quality-rejected.csv"))
    bad = pd.read_csv(q)
    assert len(bad) > 0 and (bad["gpa"].isna() | (bad["gpa"] < 2.5)).all()
    raw_rows = len(pd.read_csv(tmp_path / "lake" / ROOT / "Raw/applications.csv"))
    assert result.metrics["acr"]["applications"].sum() + len(bad) == raw_rows
    view = result.metrics["curated_view"]
    assert len(view) == result.metrics["acr"]["applications"].sum()


def test_quality_failure_blocks_when_configured(tmp_path: Path, make_context: Callable[..., RunContext]) -> None:
    rules = tmp_path / "strict.dqdl"
    rules.write_text('Rules = [ RowCount > 1000000 ]\n')
    cfg = tmp_path / "cfg.yml"
    cfg.write_text(f"version: 1\npipelines:\n  registrar: {{quality_ruleset: {rules}, on_quality_failure: quarantine}}\n")
    result = run_pipeline("registrar", tmp_path / "lake", sample=True, config=cfg, context=make_context())
    assert result.status == "blocked" and result.exit_code == 1
    assert "quality gate failed (RowCount > 1000000)" in result.message
    reason = json.loads(next((tmp_path / "lake" / ROOT / "Quarantine").rglob("promotion-blocked.reason.json"))
                        .read_text())
    assert "RowCount > 1000000" in reason["reason"] and reason["rules"][0]["outcome"] == "FAIL"
    assert not (tmp_path / "lake" / ROOT / "_CURRENT.json").exists()
    by = {f["rule_id"]: f["status"] for f in result.findings["findings"] if f["resource_id"].endswith("curated")}
    assert by["pipeline-run-quality-rules-pass"] == "FAIL"


def test_on_pii_block_refuses_raw_pii(tmp_path: Path, make_context: Callable[..., RunContext]) -> None:
    cfg = tmp_path / "cfg.yml"
    cfg.write_text("version: 1\npipelines:\n  registrar: {on_pii: block}\n")
    result = run_pipeline("registrar", tmp_path / "lake", sample=True, config=cfg, context=make_context())
    assert result.status == "blocked" and result.exit_code == 1
    assert "unmasked PII" in result.message and "email" in result.message
    assert not (tmp_path / "lake" / ROOT / "Raw").exists()
    assert not (tmp_path / "lake" / ROOT / "_CURRENT.json").exists()
