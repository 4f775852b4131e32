"""Registrar normalisation: every way a record can be unusable is set aside with its reason."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from auditor.pipelines.errors import BadInput
from auditor.pipelines.registrar.clean import SPECS, clean, read_workbook
from auditor.pipelines.registrar.sample import APPLICATION_COLUMNS


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _app(app_id: str, sid: str, date: str, done: str, first: str = "Ada") -> list[object]:
    row = {c: "" for c in APPLICATION_COLUMNS}
    row.update(ApplicationID=app_id, StudentID=sid, FirstName=first, LastName="Lovelace", ApplicationDate=date,
               ApplicationCompleted=done, Email="ada@example.org", Age="20", GPA="3.5")
    return [row[c] for c in APPLICATION_COLUMNS]


def test_reasons_for_every_kind_of_bad_record() -> None:
    data = _xlsx([["Registrar Office - export"], APPLICATION_COLUMNS,
                  _app("APP-1", "1234", "2022-03-14", "Yes"),
                  _app("APP-1", "1234", "2022-03-14", " yes ", first="  ADA "),   # near duplicate -> removed
                  _app("APP-2", "1235", "03/15/2022", "NO"),                       # US date format -> valid
                  _app("APP-3", "", "2022-03-16", "Yes"),                          # missing studentid
                  _app("APP-4", "12a4", "2022-03-16", "Yes"),                      # malformed studentid
                  _app("APP-5", "1236", "2022-13-40", "Yes"),                      # unparseable date
                  _app("APP-6", "1237", "2022-03-16", "maybe"),                    # bad flag
                  _app("APP-2", "1299", "2023-01-01", "Yes")])                     # key clash
    spec, body = read_workbook("applications.xlsx", data)
    assert spec.kind == "applications"
    c = clean(spec, body)
    assert c.rows_read == 8 and c.duplicates == 1
    assert list(c.valid["applicationid"]) == ["APP-1", "APP-2"]
    assert list(c.valid["applicationcompleted"]) == [True, False]
    assert list(c.valid["received_year"]) == [2022, 2022]
    assert c.valid.loc[0, "firstname"] == "Ada"
    assert c.reasons == {"applicationcompleted is not yes/no": 1, "duplicate applicationid with different values": 1,
                         "malformed studentid": 1, "missing studentid": 1, "unparseable applicationdate": 1}
    assert all("1234" not in r and "Ada" not in r for r in c.reasons)  # reasons never quote values


def test_header_is_found_below_a_title_row_and_kind_is_recognised() -> None:
    cols = list(SPECS["withdrawals"].columns)
    spec, body = read_workbook("w.xlsx", _xlsx([["title"], [], cols, ["1234", "A", "B", "CS101", "Approved",
                                                                       "2022-10-01"]]))
    assert spec.kind == "withdrawals" and list(body.columns)[-1] == "withdrawaldate"


def test_an_unrelated_workbook_is_bad_input() -> None:
    with pytest.raises(BadInput, match="no registrar header found"):
        read_workbook("x.xlsx", _xlsx([["a", "b"], [1, 2]]))
