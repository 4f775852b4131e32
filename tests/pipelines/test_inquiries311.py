"""3-1-1 end to end: metrics equal an independent pandas computation from the landed files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pipeline_helpers import write

from auditor.core.context import RunContext
from auditor.pipelines.inquiries311 import sample
from auditor.pipelines.inquiries311.read import read_export
from auditor.pipelines.pipeline_run import run_pipeline
from auditor.pipelines.store import LocalStore

REFERENCE = Path(__file__).parent / "fixtures" / "inquiry-311-sample-rows.csv"  # real rows (OGL-Vancouver)
CALLS = "govtfinance/311inqvol/calls"


def independent(files: list[bytes]) -> pd.DataFrame:
    """The landed exports read with the csv module only: year, department, channel, records."""
    rows = []
    for data in files:
        text = data.decode("utf-8-sig")
        for rec in csv.DictReader(io.StringIO(text, newline=""), delimiter=";", quoting=csv.QUOTE_NONE):
            rows.append({"year": int(rec["Year Month"][:4]), "month": int(rec["Year Month"][5:]),
                         "department": " ".join(rec["Department"].replace('"', "").split()),
                         "channel": rec["Channel"], "records": int(rec["Number of Records"])})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path, Path]:
    root = tmp_path_factory.mktemp("lake")
    out = tmp_path_factory.mktemp("out")
    result = run_pipeline("inquiries-311", root, sample=True, output_dir=out,
                          context=RunContext(run_id="s311first"))
    return result, root, out


def test_sample_run_succeeds_and_publishes(sample_run: tuple) -> None:
    result, root, _ = sample_run
    assert result.status == "succeeded" and result.exit_code == 0
    pointer = json.loads((root / "govtfinance/311inqvol/_CURRENT.json").read_text())
    assert pointer["version"] == "v-s311first"
    for f in pointer["files"]:
        assert (root / f["key"]).is_file()
    assert (root / CALLS / "2023/Curated/v-s311first/inquiries.parquet").is_file()
    assert (root / CALLS / "2024/Raw/inquiries.csv").is_file()


def test_department_and_channel_shares_match_pandas(sample_run: tuple) -> None:
    result, root, _ = sample_run
    landed = [p.read_bytes() for p in sorted((root / CALLS).glob("*/Landing/*.csv"))]
    ref = independent(landed)
    for dim, metric in (("department", "department_share"), ("channel", "channel_share")):
        expect = ref.groupby(["year", dim])["records"].sum().reset_index(name="inquiries")
        expect["share_pct"] = 100 * expect["inquiries"] / expect.groupby("year")["inquiries"].transform("sum")
        got = result.metrics[metric]
        merged = expect.merge(got, on=["year", dim], suffixes=("_exp", "_got"), how="outer", indicator=True)
        assert (merged["_merge"] == "both").all()
        assert (merged["inquiries_exp"] == merged["inquiries_got"]).all()
        assert np.allclose(merged["share_pct_exp"], merged["share_pct_got"])
        for _, part in got.groupby("year"):
            assert part["share_pct"].sum() == pytest.approx(100.0, abs=1e-9)


def test_department_channel_shares_sum_to_100_against_the_real_total(sample_run: tuple) -> None:
    result, root, _ = sample_run
    ref = independent([p.read_bytes() for p in sorted((root / CALLS).glob("*/Landing/*.csv"))])
    got = result.metrics["department_channel_share"]
    totals = ref.groupby("year")["records"].sum()
    for year, part in got.groupby("year"):
        assert part["inquiries"].sum() == totals[year]
        assert part["share_pct"].sum() == pytest.approx(100.0, abs=1e-9)


def test_channel_story_of_the_original_analysis(sample_run: tuple) -> None:
    got = sample_run[0].metrics["channel_share"].set_index(["year", "channel"])["share_pct"]
    assert 85 < got[(2023, "Phone")] < 91 and 65 < got[(2024, "Phone")] < 71
    assert 9 < got[(2023, "Chat")] < 15 and 28 < got[(2024, "Chat")] < 35


def test_year_over_year_compares_the_same_months(sample_run: tuple) -> None:
    result, root, _ = sample_run
    ref = independent([p.read_bytes() for p in sorted((root / CALLS).glob("*/Landing/*.csv"))])
    months = sorted(set(ref[ref.year == 2024].month) & set(ref[ref.year == 2023].month))
    assert months == list(range(1, 11))  # 2024 is a partial, ten-month extract
    cur = ref[(ref.year == 2024) & ref.month.isin(months)]["records"].sum()
    prev = ref[(ref.year == 2023) & ref.month.isin(months)]["records"].sum()
    totals = result.metrics["year_totals"].set_index("year")
    assert totals.loc[2024, "months_compared"] == 10
    assert totals.loc[2024, "change_pct"] == pytest.approx(100 * (cur - prev) / prev)
    dept = result.metrics["department_yoy"]
    fsc = dept[(dept.year == 2024) & (dept.department == "FSC - Property Tax")].iloc[0]
    sel = ref[ref.department.eq("FSC - Property Tax") & ref.month.isin(months)]
    c, p = sel[sel.year == 2024].records.sum(), sel[sel.year == 2023].records.sum()
    assert fsc["change_pct"] == pytest.approx(100 * (c - p) / p)


def test_outliers_use_the_configured_threshold(tmp_path: Path) -> None:
    cfg = write(tmp_path / "cfg.yml", b"version: 1\npipelines:\n  inquiries-311: {outlier_threshold: 2.0}\n")
    result = run_pipeline("inquiries-311", tmp_path / "lake", sample=True, config=cfg)
    flags = result.metrics["department_outliers"]
    assert (flags["threshold"] == 2.0).all()
    share = result.metrics["department_share"]
    for year, part in share.groupby("year"):
        x = np.log(part["inquiries"].astype(float).to_numpy())
        med = np.median(x)
        z = 0.6745 * (x - med) / np.median(np.abs(x - med))
        expected = set(part["department"][np.abs(z) > 2.0])
        got = flags[(flags.year == year) & (flags.flag != "")]
        assert set(got["department"]) == expected
        assert expected  # the threshold is low enough to flag someone: this test can fail
        assert set(got[got.flag == "low"]["department"]) == set(part["department"][z < -2.0])


def test_rerun_over_the_same_inputs_is_idempotent(tmp_path: Path) -> None:
    first = run_pipeline("inquiries-311", tmp_path, sample=True, context=RunContext(run_id="first"))
    pointer = (tmp_path / "govtfinance/311inqvol/_CURRENT.json").read_bytes()
    second = run_pipeline("inquiries-311", tmp_path, sample=True, context=RunContext(run_id="second"))
    assert first.status == "succeeded" and second.status == "up-to-date" and second.exit_code == 0
    assert "up to date" in second.message and "first" in second.message
    assert (tmp_path / "govtfinance/311inqvol/_CURRENT.json").read_bytes() == pointer
    assert second.metrics["channel_share"].equals(first.metrics["channel_share"])


def test_real_portal_rows_are_accepted_unchanged(tmp_path: Path) -> None:
    """The reference rows, in the portal's own bytes (BOM, ';', CRLF, blank BI_IDs)."""
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    portal = ("\ufeff" + "\r\n".join(line.replace(",", ";") for line in lines) + "\r\n").encode()
    f = write(tmp_path / "3-1-1-inquiry-volume.csv", portal)
    result = run_pipeline("inquiries-311", tmp_path / "lake", input_file=f)
    assert result.status == "succeeded", result.message
    landed = list((tmp_path / "lake" / CALLS).glob("*/Landing/*.csv"))
    assert [p.parent.parent.name for p in landed] == ["2010-2024"]
    assert landed[0].read_bytes() == portal  # landing keeps the bytes as received
    ref = independent([portal])
    got = result.metrics["year_totals"].set_index("year")["inquiries"]
    assert got.to_dict() == ref.groupby("year")["records"].sum().to_dict()


@pytest.mark.slow
def test_xlsx_variant_gives_the_same_metrics(tmp_path: Path) -> None:
    frame = sample.generate(seed=7, years=(2023,))
    csv_file = write(tmp_path / "a.csv", sample.to_portal_csv(frame))
    xlsx_file = write(tmp_path / "a.xlsx", sample.to_xlsx(frame))
    a = run_pipeline("inquiries-311", tmp_path / "l1", input_file=csv_file)
    b = run_pipeline("inquiries-311", tmp_path / "l2", input_file=xlsx_file)
    assert a.status == b.status == "succeeded"
    for name in ("department_share", "channel_share", "department_channel_share"):
        pd.testing.assert_frame_equal(a.metrics[name], b.metrics[name])


def test_stray_quotes_are_normalised() -> None:
    frame = sample.generate(seed=1, years=(2023,), stray_quote_rate=0.5)
    assert frame["Department"].str.contains('"').any()
    parsed = read_export("x.csv", sample.to_portal_csv(frame))
    assert not parsed["department"].str.contains('"').any()
    assert set(parsed["department"]) <= set(sample.DEPARTMENT_SHARES)


def test_sample_is_deterministic() -> None:
    assert sample.sample_files(311) == sample.sample_files(311)
    data = sample.sample_files(311)["2023/3-1-1-inquiry-volume-2023.csv"]
    assert data.startswith(b"\xef\xbb\xbfDepartment;Type;Year Month;Channel;Number of Records;BI_ID\r\n")
    assert b"ZZ OLD - " in data
    assert {line.split(b";")[3] for line in data.split(b"\r\n")[1:] if line} == {
        b"Phone", b"Chat", b"E-mail", b"Social Media", b"Mail"}


def test_lineage_manifest_and_findings(sample_run: tuple) -> None:
    result, root, out = sample_run
    manifest = json.loads((root / "_lineage/inquiries-311/s311first.json").read_text())
    assert manifest["status"] == "succeeded" and manifest["tool_version"]
    assert {i["key"].rsplit("/", 1)[1] for i in manifest["inputs"]} == {
        "3-1-1-inquiry-volume-2023.csv", "3-1-1-inquiry-volume-2024.csv"}
    for i in manifest["inputs"]:
        from hashlib import sha256
        assert sha256((root / i["key"]).read_bytes()).hexdigest() == i["sha256"]
    assert any(o["zone"] == "Curated" and o["rows"] > 0 for o in manifest["outputs"])
    assert {r["rule"] for r in manifest["rules"]} >= {'IsComplete "department"', "RowCount > 0"}
    assert set(manifest["timings"]) >= {"read", "gates", "write", "metrics", "total"}
    doc = result.findings
    from auditor.schemas import findings_errors
    assert findings_errors(doc) == []
    assert doc["run"]["kind"] == "pipeline"
    ids = {f["rule_id"] for f in doc["findings"]}
    assert "pipeline-run-quality-rules-pass" in ids
    att = doc["attachments"]["pipelines"][0]
    assert att["pipeline"] == "inquiries-311" and att["metrics"]["channel_share"]
    assert (out / "pipelines/inquiries-311/lineage.json").is_file()


def test_xlsx_export_has_native_bar_charts(sample_run: tuple) -> None:
    from openpyxl import load_workbook

    _, _, out = sample_run
    wb = load_workbook(out / "pipelines/inquiries-311/inquiries-311-metrics.xlsx")
    charts = [c for ws in wb.worksheets for c in ws._charts]
    assert len(charts) >= 3
    assert all(type(c).__name__ == "BarChart" for c in charts)
    assert "channel_share" in wb.sheetnames
    assert (out / "pipelines/inquiries-311/department_share.csv").is_file()


def test_a_newer_extract_supersedes_rows_of_an_older_one(tmp_path: Path,
                                                        make_context: Callable[..., RunContext]) -> None:
    frame = sample.generate(seed=3, years=(2023,))
    older = write(tmp_path / "a-2023.csv", sample.to_portal_csv(frame))
    newer_frame = frame.copy()
    newer_frame.loc[0, "Number of Records"] = str(int(newer_frame.loc[0, "Number of Records"]) + 1000)
    newer = write(tmp_path / "b-2023.csv", sample.to_portal_csv(newer_frame))
    run_pipeline("inquiries-311", tmp_path / "lake", input_file=older)
    result = run_pipeline("inquiries-311", tmp_path / "lake", input_file=newer)
    total = result.metrics["year_totals"].set_index("year").loc[2023, "inquiries"]
    assert total == independent([newer.read_bytes()])["records"].sum()
    assert result.lineage["inputs"] and LocalStore(tmp_path / "lake").exists(
        f"{CALLS}/2023/Landing/a-2023.csv")
