"""Dates in the future of the run are bad input: quarantined with a reason, never published."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from pipeline_helpers import write

from auditor.core.context import RunContext
from auditor.pipelines.errors import BadInput
from auditor.pipelines.inquiries311.read import read_export
from auditor.pipelines.pipeline_run import run_pipeline
from auditor.pipelines.registrar import sample
from auditor.pipelines.registrar.clean import clean, read_workbook
from auditor.pipelines.registrar.sample import APPLICATION_COLUMNS

ROOT_311 = "govtfinance/311inqvol"
ROOT_REG = "registraroffice/enrollwithdraw"
RUN_DAY = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def _portal(months: list[str]) -> bytes:
    rows = [f"PR - Park Rangers;Park Bylaw Inquiry;{m};Chat;{i + 1};" for i, m in enumerate(months)]
    header = "Department;Type;Year Month;Channel;Number of Records;BI_ID"
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode()


def test_311_month_after_the_run_is_bad_input() -> None:
    with pytest.raises(BadInput) as info:
        read_export("x.csv", _portal(["2026-11", "2031-09", "2099-01"]), now=RUN_DAY)
    assert info.value.reason == ("2 row(s) with a 'Year Month' in the future (the run's date is 2026-12-07), "
                                 "first at line 3: '2031-09'")


def test_311_current_month_and_the_tolerance() -> None:
    assert len(read_export("x.csv", _portal(["2026-12"]), now=RUN_DAY)) == 1
    with pytest.raises(BadInput, match="in the future"):
        read_export("x.csv", _portal(["2027-01"]), now=RUN_DAY)
    # On New Year's Eve (UTC) it is already January somewhere: within a day is accepted.
    assert len(read_export("x.csv", _portal(["2027-01"]), now=datetime(2026, 12, 31, 12, tzinfo=UTC))) == 1


def test_311_run_quarantines_a_future_export(tmp_path: Path) -> None:
    f = write(tmp_path / "future.csv", _portal(["2026-10", "2031-09"]))
    result = run_pipeline("inquiries-311", tmp_path / "lake", input_file=f, output_dir=tmp_path / "out",
                          context=RunContext(clock=lambda: RUN_DAY, run_id="future311"))
    assert result.exit_code == 2 and "in the future" in result.message
    reasons = [json.loads(p.read_text()) for p in (tmp_path / "lake" / ROOT_311 / "Quarantine").rglob("*.reason.json")]
    assert [r["file"].rsplit("/", 1)[-1] for r in reasons] == ["future.csv"]
    assert "'2031-09'" in reasons[0]["reason"]
    assert not (tmp_path / "lake" / ROOT_311 / "_CURRENT.json").exists()


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _app(app_id: str, date: str, dob: str = "2003-05-01") -> list[object]:
    row = {c: "" for c in APPLICATION_COLUMNS}
    row.update(ApplicationID=app_id, StudentID=str(1000 + int(app_id[-2:])), FirstName="Ada", LastName="Lovelace",
               ApplicationDate=date, DateofBirth=dob, ApplicationCompleted="Yes", Email="ada@example.org", Age="20",
               GPA="3.5")
    return [row[c] for c in APPLICATION_COLUMNS]


def test_registrar_rows_dated_after_the_run_are_rejected_with_a_reason() -> None:
    spec, body = read_workbook("a.xlsx", _xlsx([APPLICATION_COLUMNS, _app("APP-01", "2026-12-07"),
                                                _app("APP-02", "2099-03-14"), _app("APP-03", "2026-03-14",
                                                                                   dob="2030-01-01")]))
    c = clean(spec, body, now=RUN_DAY)
    assert list(c.valid["applicationid"]) == ["APP-01"]
    assert c.reasons == {"applicationdate in the future": 1, "dateofbirth in the future": 1}
    assert len(clean(spec, body).valid) == 3  # without a clock (library use) nothing is judged


def test_registrar_run_never_publishes_a_future_year(tmp_path: Path, make_context: Callable[..., RunContext]) -> None:
    apps = sample.generate(seed=5, applications_per_year=40, years=(2022,))["applications"]
    apps.loc[7, "ApplicationDate"] = pd.Timestamp("2099-01-02")
    future_id = apps.loc[7, "ApplicationID"]
    f = write(tmp_path / "applications.xlsx", sample.xlsx_with_title(apps, "Registrar Office - export", "Apps"))
    ctx = make_context()
    ctx.clock = lambda: RUN_DAY
    result = run_pipeline("registrar", tmp_path / "lake", input_file=f, output_dir=tmp_path / "out", context=ctx)
    assert result.exit_code == 0, result.message
    rejected = next((tmp_path / "lake" / ROOT_REG / "Quarantine").rglob("applications.rejected.csv"))
    frame = pd.read_csv(rejected, dtype=str)
    assert list(frame["applicationid"]) == [future_id]
    assert list(frame["_reason"]) == ["applicationdate in the future"]
    years = {p.name for p in (tmp_path / "lake" / ROOT_REG / "Curated").rglob("received_year=*")}
    assert years == {"received_year=2022"}
