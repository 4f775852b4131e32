"""Bad input: one clear line, the file quarantined with a reason, curated untouched, exit != 0."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from pipeline_helpers import write

from auditor.cli import cli
from auditor.pipelines.inquiries311 import sample as sample311
from auditor.pipelines.registrar import sample as sample_reg

ROOT_311 = "govtfinance/311inqvol"
ROOT_REG = "registraroffice/enrollwithdraw"


def _portal(rows: list[str]) -> bytes:
    header = "Department;Type;Year Month;Channel;Number of Records;BI_ID"
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode()


GOOD_ROW = "FSC - Property Tax;Property Tax Account Balance Inquiry;2023-08;Phone;1742;"
BAD_311 = {
    "wrong-delimiter.csv": (
        b"Department,Type,Year Month,Channel,Number of Records,BI_ID\r\n"
        b"FSC - Property Tax,Property Tax Inquiry,2023-08,Phone,1742,\r\n",
        "wrong delimiter: the header is ','-separated; the portal export uses ';'"),
    "missing-column.csv": (
        "\ufeffDepartment;Type;Year Month;Number of Records;BI_ID\r\nFSC - Property Tax;X;2023-08;3;\r\n".encode(),
        "missing column(s) 'Channel'"),
    "bad-month.csv": (_portal([GOOD_ROW, "PR - Park Rangers;Park Bylaw Inquiry;2023-13;Chat;3;"]),
                      "1 row(s) with an invalid 'Year Month' (expected YYYY-MM), first at line 3: '2023-13'"),
    "negative.csv": (_portal([GOOD_ROW, "PR - Park Rangers;Park Bylaw Inquiry;2023-04;Chat;-3;"]),
                     "1 row(s) with a negative 'Number of Records', first at line 3: '-3'"),
    "corrupt.xlsx": (b"PK\x03\x04 this is not really a workbook", "not a readable .xlsx workbook"),
}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["pipeline", "run", *args])
    return result.exit_code, result.output


def _snapshot(root: Path, sub: str) -> dict[str, bytes]:
    base = root / sub
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(base.rglob("*"))
            if p.is_file() and ("/Curated" in str(p) or p.name == "_CURRENT.json")}


@pytest.fixture(scope="module")
def published_311(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lake311")
    code, out = _run("inquiries-311", "--store", str(root), "--sample", "--output-dir", str(root.parent / "o"))
    assert code == 0, out
    return root


@pytest.mark.parametrize("name", sorted(BAD_311))
def test_bad_311_file(published_311: Path, tmp_path: Path, name: str) -> None:
    data, message = BAD_311[name]
    before = _snapshot(published_311, ROOT_311)
    f = write(tmp_path / name, data)
    code, out = _run("inquiries-311", "--store", str(published_311), "--input", str(f),
                     "--output-dir", str(tmp_path / "out"))
    assert code == 2, out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], out
    assert _snapshot(published_311, ROOT_311) == before  # curated untouched
    reasons = [json.loads(p.read_text()) for p in (published_311 / ROOT_311 / "Quarantine").rglob("*.reason.json")]
    mine = [r for r in reasons if r["file"].endswith(name)]
    assert len(mine) == 1 and message in mine[0]["reason"]
    copy = next((published_311 / ROOT_311 / "Quarantine").rglob(name))
    assert copy.read_bytes() == data
    landed = list((published_311 / ROOT_311 / "calls").glob(f"*/Landing/{name}"))
    assert landed and landed[0].read_bytes() == data  # landing is never modified or deleted
    findings = json.loads((tmp_path / "out" / "findings.json").read_text())
    fails = {f["rule_id"] for f in findings["findings"] if f["status"] == "FAIL"}
    assert "pipeline-run-no-quarantined-files" in fails


def test_a_quarantined_file_does_not_block_later_runs(published_311: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "neg2.csv", _portal(["PR - Park Rangers;Park Bylaw Inquiry;2023-04;Chat;-9;"]))
    assert _run("inquiries-311", "--store", str(published_311), "--input", str(f),
                "--output-dir", str(tmp_path / "o1"))[0] == 2
    code, out = _run("inquiries-311", "--store", str(published_311), "--output-dir", str(tmp_path / "o2"))
    assert code == 0, out
    assert "quarantined earlier" in out


def test_empty_landing_zone(tmp_path: Path) -> None:
    for name in ("inquiries-311", "registrar"):
        code, out = _run(name, "--store", str(tmp_path / "lake"), "--output-dir", str(tmp_path / f"o-{name}"))
        assert code == 2
        assert "error: empty landing zone: no" in out


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_registrar_corrupt_and_missing_column(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    cols = [c for c in sample_reg.APPLICATION_COLUMNS if c != "ApplicationCompleted"]
    cases = {
        "corrupt.xlsx": (b"\x00\x01 definitely not a zip", "not a readable .xlsx workbook"),
        "applications-2024.xlsx": (_xlsx([cols, ["APP-1", "1234", *["x"] * (len(cols) - 2)]]),
                                   "applications export is missing column(s) 'ApplicationCompleted'"),
    }
    for name, (data, message) in cases.items():
        f = write(tmp_path / name, data)
        code, out = _run("registrar", "--store", str(root), "--input", str(f), "--output-dir", str(tmp_path / "o"))
        assert code == 2, out
        assert message in out
        reasons = [json.loads(p.read_text()) for p in (root / ROOT_REG / "Quarantine").rglob("*.reason.json")]
        assert any(r["file"].endswith(name) and message in r["reason"] for r in reasons)
        assert not (root / ROOT_REG / "_CURRENT.json").exists()
        assert not list((root / ROOT_REG).glob("Curated/*"))


def test_311_sample_generator_output_passes_the_reader() -> None:
    from auditor.pipelines.inquiries311.read import read_export

    assert len(read_export("x.csv", sample311.to_portal_csv(sample311.generate(seed=5, years=(2023,))))) > 1000
