"""One bad data file never aborts a scan; every reading error is one line naming the file.

Hostile and awkward files are built in each test: Parquet as Glue and Spark write it
(decimal, struct, list, map, binary columns), a zip bomb and a truncated workbook, an
empty file, a CSV that is not UTF-8, each next to a good CSV of e-mails that must keep
its PII findings. Then the exit codes the README promises for ``data scan`` and the
single-file commands.
"""

from __future__ import annotations

import decimal
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from xlsx_parts import MAIN, inline_row, sheet_xml, workbook_xml, write_workbook

from auditor.audit_run import default_rule_paths, prepare
from auditor.cli import cli
from auditor.core.errors import DataError
from auditor.data.pii import PiiAnalyzer
from auditor.data.readers import ReadOptions, open_dataset, read_frame
from auditor.data.scan import DataScanOptions, run_data_scan


@pytest.fixture(scope="module")
def prepared() -> Any:
    return prepare(default_rule_paths("data"), resource_prefix="dataset.")


def _emails(path: Path, rows: int = 40) -> Path:
    path.write_text("email\n" + "".join(f"student{i}@example.com\n" for i in range(rows)), encoding="utf-8")
    return path


def _glue_parquet(path: Path) -> Path:
    """Column types Glue and Spark write as a matter of course."""
    n = 30
    table = pa.table({
        "id": pa.array(range(n), type=pa.int64()),
        "amount": pa.array([decimal.Decimal(f"{i}.25") for i in range(n)], type=pa.decimal128(10, 2)),
        "balance": pa.array([decimal.Decimal(f"1234567890123456789.{i:02d}") for i in range(n)],
                            type=pa.decimal128(24, 2)),
        "contact": pa.array([{"city": "Vancouver", "email": f"person{i}@example.com"} for i in range(n)]),
        "tags": pa.array([["a", "b"][: i % 3] for i in range(n)], type=pa.list_(pa.string())),
        "attrs": pa.array([[("k", f"v{i}")] for i in range(n)], type=pa.map_(pa.string(), pa.string())),
        "photo": pa.array([bytes([0, 255, i % 256, 7]) for i in range(n)], type=pa.binary()),
        "note": pa.array([f"plain note {i}".encode() for i in range(n)], type=pa.binary()),
        "status": pa.array(["active", "closed"] * (n // 2)).dictionary_encode(),
    })
    pq.write_table(table, path)
    return path


def _by_resource(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in doc["findings"]:
        out.setdefault(f["resource_id"], []).append(f)
    return out


def _good_file_keeps_its_findings(doc: dict[str, Any], good: Path) -> None:
    email = _by_resource(doc)[f"{good}#email"]
    assert any(f["rule_id"] == "dataset-column-pii-masked" and f["status"] == "FAIL" for f in email)


# --------------------------------------------------------------------------- Parquet column types

def test_parquet_types_are_read_column_by_column(tmp_path: Path) -> None:
    p = _glue_parquet(tmp_path / "glue.parquet")
    with open_dataset(p, ReadOptions(skip_unreadable_columns=True)) as tables:
        table = tables[0]
        df = table.read_all()
    assert table.unread_columns == {"photo": "binary data (binary), not text"}
    assert "photo" not in df.columns and list(df.columns) == table.columns
    assert df["amount"].dtype.kind == "f" and df["amount"].iloc[1] == 1.25
    assert df["balance"].iloc[3] == "1234567890123456789.03"  # beyond float64: exact text
    assert json.loads(df["contact"].iloc[2]) == {"city": "Vancouver", "email": "person2@example.com"}
    assert json.loads(df["tags"].iloc[2]) == ["a", "b"] and json.loads(df["attrs"].iloc[0]) == {"k": "v0"}
    assert df["note"].iloc[4] == "plain note 4"  # binary that is text is read as text
    assert df["status"].tolist()[:2] == ["active", "closed"]


def test_parquet_binary_column_stops_a_single_file_command(tmp_path: Path) -> None:
    p = _glue_parquet(tmp_path / "glue.parquet")
    with pytest.raises(DataError) as err:
        read_frame(p)
    assert str(err.value) == (f"{p}: column 'photo' holds binary data (binary), not text: it cannot be checked for "
                              "PII (convert or drop it first)")
    res = CliRunner().invoke(cli, ["data", "mask", str(p), str(tmp_path / "out.parquet")])
    assert res.exit_code == 2 and res.output.strip() == f"error: {err.value}"
    assert not (tmp_path / "out.parquet").exists()


def test_glue_parquet_next_to_a_good_csv(tmp_path: Path, analyzer: PiiAnalyzer, prepared: Any) -> None:
    glue = _glue_parquet(tmp_path / "glue.parquet")
    good = _emails(tmp_path / "good.csv")
    doc = run_data_scan(prepared, [str(glue), str(good)], DataScanOptions(analyzer=analyzer))
    _good_file_keeps_its_findings(doc, good)
    found = _by_resource(doc)
    photo = found[f"{glue}#photo"]
    assert photo and all(f["status"] == "ERROR" for f in photo)
    assert all(f"{glue}: column 'photo' was not scanned: binary data (binary), not text" in f["message"]
               for f in photo)
    # The e-mail inside the struct is found like any other.
    contact = {f["rule_id"]: f for f in found[f"{glue}#contact"]}
    assert contact["dataset-column-pii-masked"]["status"] == "FAIL"
    assert f"{glue}: column 'photo' was not scanned: binary data (binary), not text" in doc["run"]["warnings"]
    assert {f["status"] for f in found[str(glue)]} == {"FAIL"}  # a known unmasked column decides the file


def test_binary_column_alone_makes_the_file_verdict_an_error(tmp_path: Path, analyzer: PiiAnalyzer,
                                                             prepared: Any) -> None:
    p = tmp_path / "blobs.parquet"
    pq.write_table(pa.table({"id": [1, 2, 3], "blob": pa.array([b"\x00\x01", b"\xff", b"\x80"])}), p)
    doc = run_data_scan(prepared, [str(p)], DataScanOptions(analyzer=analyzer))
    file_findings = _by_resource(doc)[str(p)]
    assert [f["status"] for f in file_findings if f["rule_id"] == "dataset-file-no-unmasked-pii"] == ["ERROR"]


def test_masking_a_struct_column_masks_the_pii_inside(tmp_path: Path) -> None:
    p = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"contact": pa.array([{"email": f"p{i}@example.com"} for i in range(40)])}), p)
    out = tmp_path / "masked.csv"
    res = CliRunner().invoke(cli, ["data", "mask", str(p), str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "@example.com" not in text and "<EMAIL_ADDRESS>" in text


# --------------------------------------------------------------------------- bad files next to a good one

def _zip_bomb(path: Path) -> Path:
    rows = inline_row(1, "n") + "<row><c><v>1</v></c></row>" * 200_000
    return write_workbook(path, sheet_xml(rows))


def _truncated_workbook(path: Path) -> Path:
    book = workbook_xml("S")
    return write_workbook(path, sheet_xml(inline_row(1, "a")), workbook=book[: len(book) // 2])


def _entity_bomb(path: Path) -> Path:
    dtd = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    return write_workbook(path, (dtd + f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>').encode())


def _not_utf8(path: Path) -> Path:
    path.write_bytes("name\nRené Lévesque\n".encode("cp1252"))
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


BAD_FILES = {
    "bomb.xlsx": (_zip_bomb, "refused as a zip bomb"),
    "cut.xlsx": (_truncated_workbook, "corrupt .xlsx workbook (malformed or truncated XML"),
    "entities.xlsx": (_entity_bomb, "entity expansion refused"),
    "latin.csv": (_not_utf8, "not UTF-8 text (invalid byte at offset"),
    "empty.csv": (_empty, "empty file"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_is_its_own_error_and_the_scan_goes_on(tmp_path: Path, analyzer: PiiAnalyzer, prepared: Any,
                                                          name: str) -> None:
    make, message = BAD_FILES[name]
    bad = make(tmp_path / name)
    good = _emails(tmp_path / "zz-good.csv")  # sorted after the bad one: the scan must get there
    doc = run_data_scan(prepared, [str(bad), str(good)], DataScanOptions(analyzer=analyzer))
    _good_file_keeps_its_findings(doc, good)
    errors = _by_resource(doc)[str(bad)]
    assert errors and all(f["status"] == "ERROR" for f in errors)
    for f in errors:
        assert "\n" not in f["message"] and f["message"].startswith(f"{bad}: could not evaluate: {bad}: ")
        assert message in f["message"]
    assert any(w.startswith(f"{bad}: ") and message in w for w in doc["run"]["warnings"])
    assert "René" not in json.dumps(doc)


def test_a_broken_sheet_keeps_the_findings_of_the_good_one(tmp_path: Path, analyzer: PiiAnalyzer,
                                                           prepared: Any) -> None:
    good = sheet_xml(inline_row(1, "email") + "".join(inline_row(i, f"s{i}@example.com") for i in range(2, 40)))
    broken = sheet_xml(inline_row(1, "a") + '<row r="2"><c r="A2" t="s"><v>9</v></c></row>')
    p = write_workbook(tmp_path / "two.xlsx", b"", sheets={"Good": good, "Broken": broken})
    doc = run_data_scan(prepared, [str(p)], DataScanOptions(analyzer=analyzer))
    found = _by_resource(doc)
    assert any(f["status"] == "FAIL" for f in found[f"{p}!Good#email"])
    assert all(f["status"] == "ERROR" and "unreadable cell in column 1" in f["message"] for f in found[f"{p}!Broken"])


# --------------------------------------------------------------------------- exit codes (README's table)

def test_cli_scan_with_a_bad_file_exits_3_with_findings_for_the_good_one(tmp_path: Path) -> None:
    bad, good = _empty(tmp_path / "empty.csv"), _emails(tmp_path / "good.csv")
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["data", "scan", str(bad), str(good), "--output-dir", str(out)])
    assert res.exit_code == 3, res.output
    assert "internal error" not in res.output and f"warning: {bad}: empty file" in res.output
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    _good_file_keeps_its_findings(doc, good)


@pytest.mark.parametrize(("args", "message"), [
    (["{missing}", "{good}"], "error: {missing}: no such file or directory; nothing was scanned"),
    (["--encoding", "bogus", "{good}"], "error: --encoding: unknown encoding 'bogus' (e.g. utf-8, cp1252, latin-1)"),
])
def test_cli_scan_usage_errors_exit_2_before_reading(tmp_path: Path, args: list[str], message: str) -> None:
    names = {"missing": str(tmp_path / "missing.csv"), "good": str(_emails(tmp_path / "good.csv"))}
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["data", "scan", *(a.format(**names) for a in args), "--output-dir", str(out)])
    assert res.exit_code == 2
    assert res.output.strip() == message.format(**names)
    assert not (out / "findings.json").exists()


def test_config_encoding_and_limits_are_validated(tmp_path: Path) -> None:
    good = _emails(tmp_path / "good.csv")
    cfg = tmp_path / "audit.yml"
    cfg.write_text("version: 1\ndata:\n  encoding: nope\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["data", "scan", str(good), "--config", str(cfg), "--output-dir", str(tmp_path)])
    assert res.exit_code == 2 and res.output.strip() == "error: data.encoding (config): unknown encoding 'nope' " \
                                                        "(e.g. utf-8, cp1252, latin-1)"
    cfg.write_text("version: 1\ndata:\n  limits: {xlsx_max_rows: 0, xlsx_max_bytse: 5}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["data", "scan", str(good), "--config", str(cfg), "--output-dir", str(tmp_path)])
    assert res.exit_code == 2
    assert "data.limits.xlsx_max_rows" in res.output and "xlsx_max_bytse" in res.output


@pytest.mark.parametrize("name", ["bomb.xlsx", "cut.xlsx", "latin.csv", "empty.csv"])
def test_single_file_commands_exit_2_with_one_line(tmp_path: Path, name: str) -> None:
    make, message = BAD_FILES[name]
    bad = make(tmp_path / name)
    rules = tmp_path / "r.dqdl"
    rules.write_text("Rules = [ RowCount > 0 ]", encoding="utf-8")
    for args in (["data", "mask", str(bad), str(tmp_path / "out.csv")], ["data", "check", str(bad), "--ruleset",
                                                                          str(rules)]):
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 2, res.output
        [line] = res.output.strip().splitlines()
        assert line.startswith(f"error: {bad}: ") and message in line


def test_config_limits_reach_the_reader(tmp_path: Path) -> None:
    p = write_workbook(tmp_path / "rows.xlsx", sheet_xml("".join(inline_row(i, str(i)) for i in range(1, 30))))
    cfg = tmp_path / "audit.yml"
    cfg.write_text("version: 1\ndata:\n  limits: {xlsx_max_rows: 10}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["data", "mask", str(p), str(tmp_path / "o.csv"), "--config", str(cfg)])
    assert res.exit_code == 2
    assert "row numbered 11, above the 10 limit (data.limits.xlsx_max_rows)" in res.output
