"""Formula neutralisation in every CSV and XLSX the tool writes (issue 13).

Each payload below became a live formula (or passed a first-character check) before:
findings.csv looked at the first character only, and the pipeline metric exports and
``TableWriter`` (``data mask``) did not neutralise at all.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from auditor.core.cellsafe import is_risky, neutralise, neutralise_frame, xlsx_text
from auditor.core.findings import Finding, RunInfo, Status, document
from auditor.data.writers import TableWriter, write_frame
from auditor.pipelines.exports import Chart, export_metrics
from auditor.reporting.writers import load_writers

PAYLOADS = ["=1+1", ' =HYPERLINK("http://x")', "\n=1+1", "\t=1", "+1", "-1+1", "@SUM(A1)", "\r=1", "\uff1d1+1",
            "\u200b=1+1", "\r\n @x"]
SAFE = ["plain", "a=b", "1+1", "-12", "-1,234.50", "", "tok_abc", "enc:v1:AbC-_", "<EMAIL_ADDRESS>", "***-0177"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_risky_and_get_an_apostrophe(payload: str) -> None:
    assert is_risky(payload)
    assert neutralise(payload) == "'" + payload
    assert not is_risky(neutralise(payload))  # neutralising twice changes nothing more


@pytest.mark.parametrize("text", SAFE)
def test_ordinary_text_numbers_and_masking_tokens_are_unchanged(text: str) -> None:
    assert not is_risky(text)
    assert neutralise(text) == text


def test_frame_only_risky_text_cells_and_names_change() -> None:
    df = pd.DataFrame({"=name": ["=1+1", "ann", None, "-5"], "n": [1, -2, 3, 4],
                       "mixed": ["+1", 7, None, "@x"]})
    out = neutralise_frame(df)
    assert list(out.columns) == ["'=name", "n", "mixed"]
    assert out.iloc[:, 0].tolist()[:2] == ["'=1+1", "ann"] and pd.isna(out.iloc[2, 0]) and out.iloc[3, 0] == "-5"
    assert out["n"].tolist() == [1, -2, 3, 4] and out["n"].dtype == df["n"].dtype  # numbers stay numbers
    assert out["mixed"].tolist()[:2] == ["'+1", 7] and out["mixed"].tolist()[3] == "'@x"
    assert df.iloc[0, 0] == "=1+1"  # the caller's frame is not modified


def test_xlsx_text_replaces_what_xml_cannot_hold() -> None:
    assert xlsx_text("a\x01b\tc\nd") == "a\ufffdb\tc\nd"


def _xml_text(text: str) -> str:
    """What an .xlsx gives back: XML reads a CR (or CRLF) as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _assert_no_formula(path: Path, payloads: set[str]) -> None:
    expected = {_xml_text(p) for p in payloads}
    wb = openpyxl.load_workbook(path)  # not data_only: a formula would show as data_type "f"
    seen: set[str] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value in expected:
                    assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
                    seen.add(cell.value)
    assert seen == expected


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:  # newline="": keep a CR inside a cell
        return [c for row in csv.reader(f) for c in row]


def test_metric_exports_are_neutralised(tmp_path: Path) -> None:
    # A 3-1-1 department named by a hostile export reaches the metric tables verbatim.
    frame = pd.DataFrame({"department": PAYLOADS, "inquiries": list(range(len(PAYLOADS)))})
    pivot = pd.DataFrame({"department": PAYLOADS, "2024": [1.5] * len(PAYLOADS)})
    written = export_metrics({"department_share": frame}, tmp_path, "inquiries-311",
                             charts=[Chart("By department", pivot)])
    csv_path, xlsx_path = written
    cells = _csv_cells(csv_path)
    for p in PAYLOADS:
        assert "'" + p in cells and p not in cells
    assert "3" in cells  # numbers are written as numbers
    _assert_no_formula(xlsx_path, set(PAYLOADS))
    wb = openpyxl.load_workbook(xlsx_path)
    assert wb["department_share"]["B3"].value == 1 and wb["department_share"]["B3"].data_type == "n"


def test_findings_csv_neutralises_after_leading_whitespace(tmp_path: Path) -> None:
    run = RunInfo("r1", "2026-06-01T00:00:00Z", "2026-06-01T00:00:01Z", "0.1.0", "aws")
    findings = [Finding("s3-x", "t", Status.FAIL, "high", "aws.s3-bucket", p, "us-east-1", p) for p in PAYLOADS]
    path = load_writers().get("csv")(document(run, findings, {}), tmp_path)
    cells = _csv_cells(path)
    for p in PAYLOADS:
        assert cells.count("'" + p) == 2 and p not in cells


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_table_writer_neutralises_cells_and_header(tmp_path: Path, suffix: str) -> None:
    df = pd.DataFrame({"=h": PAYLOADS, "amount": ["-12"] * len(PAYLOADS), "n": range(len(PAYLOADS))})
    dst = tmp_path / f"out.{suffix}"
    write_frame(df, str(dst))
    if suffix == "csv":
        cells = _csv_cells(dst)
        assert cells[:3] == ["'=h", "amount", "n"]
        assert all("'" + p in cells for p in PAYLOADS) and "-12" in cells
    else:
        _assert_no_formula(dst, {*PAYLOADS, "=h"})
        back = openpyxl.load_workbook(dst).active
        assert back is not None and back["B2"].value == "-12" and back["C3"].value == 1
    umask = os.umask(0)
    os.umask(umask)
    assert dst.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would make it, not mkstemp's 0600


def test_table_writer_xlsx_control_characters_do_not_crash(tmp_path: Path) -> None:
    dst = tmp_path / "c.xlsx"
    with TableWriter(str(dst)) as w:
        w.write(pd.DataFrame({"a": ["bell\x07", "#N/A"]}))
    ws = openpyxl.load_workbook(dst).active
    assert ws is not None
    assert ws["A2"].value == "bell\ufffd"
    assert ws["A3"].value == "#N/A" and ws["A3"].data_type == "s"  # text, not an Excel error value
