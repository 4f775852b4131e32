"""A run's input and exports (issue 13): no hidden input, no export over an input, no live formula."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.core.errors import UsageError
from auditor.pipelines.exports import export_metrics

HEADER = "Department;Type;Year Month;Channel;Number of Records;BI_ID"
HOSTILE = ["=1+1", " =HYPERLINK(A1)", "@SUM(A1)", "+1", "-1+1"]
CLEANED = {h.strip() for h in HOSTILE}  # the 3-1-1 reader trims the department names


def _portal(rows: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode()


def _calls(path: Path) -> Path:
    rows = [f"{d};Property Tax Inquiry;2023-0{i + 1};Phone;{10 + i};" for i, d in enumerate(HOSTILE)]
    rows.append("FSC - Property Tax;Property Tax Account Balance Inquiry;2023-08;Phone;1742;")
    path.write_bytes(_portal(rows))
    return path


def _run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", *args])
    return res.exit_code, res.output


def test_hidden_input_is_refused_before_landing(tmp_path: Path) -> None:
    hidden = _calls(tmp_path / ".hidden.csv")
    store = tmp_path / "lake"
    code, out = _run("--input", str(hidden), "--store", str(store), "--output-dir", str(tmp_path / "out"))
    assert code == 2, out
    assert out.strip().splitlines() == [
        f"error: --input {hidden}: a hidden file name (starting with '.') is never processed: the zones skip "
        "such names as temporary files; copy or rename it, e.g. to hidden.csv"]
    assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))  # nothing landed


def test_input_in_the_export_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    exports = out / "pipelines" / "inquiries-311"
    exports.mkdir(parents=True)
    src = _calls(exports / "department_share.csv")
    before = src.read_bytes()
    code, text = _run("--input", str(src), "--store", str(tmp_path / "lake"), "--output-dir", str(out))
    assert code == 2 and "where this run exports its metrics" in text, text
    assert src.read_bytes() == before


def test_exports_inside_the_pipeline_zones_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "lake"
    landing = store / "govtfinance" / "311inqvol" / "calls" / "2023" / "Landing"
    landing.mkdir(parents=True)
    code, text = _run("--sample", "--store", str(store), "--output-dir", str(landing))
    assert code == 2 and "inside the pipeline's zones" in text, text
    assert not any(landing.iterdir())


def test_export_never_replaces_a_protected_file(tmp_path: Path) -> None:
    src = tmp_path / "data.csv"
    src.write_text("keep me", encoding="utf-8")
    link_dir = tmp_path / "out"
    link_dir.mkdir()
    (link_dir / "channel_share.csv").symlink_to(src)
    frame = pd.DataFrame({"channel": ["Phone"], "share": [1.0]})
    with pytest.raises(UsageError, match="would overwrite the input"):
        export_metrics({"channel_share": frame}, link_dir, "inquiries-311", [], protect=[src])
    assert src.read_text(encoding="utf-8") == "keep me"
    assert not (link_dir / "inquiries-311-metrics.xlsx").exists()  # nothing written at all


def test_hostile_departments_are_text_in_every_export(tmp_path: Path) -> None:
    src = _calls(tmp_path / "calls.csv")
    out = tmp_path / "out"
    code, text = _run("--input", str(src), "--store", str(tmp_path / "lake"), "--output-dir", str(out))
    assert code == 0, text
    exports = out / "pipelines" / "inquiries-311"
    seen: set[str] = set()
    for path in exports.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            cells = [c for row in csv.reader(f) for c in row]
        assert not [c for c in cells if c in CLEANED], path.name  # never as written
        seen |= {c[1:] for c in cells if c.startswith("'") and c[1:] in CLEANED}
    assert seen == CLEANED
    wb = openpyxl.load_workbook(exports / "inquiries-311-metrics.xlsx")
    in_xlsx = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in CLEANED:
                    assert cell.data_type == "s" and cell.quotePrefix
                    in_xlsx.add(cell.value)
    assert in_xlsx == CLEANED
