"""Readers: formats, delimiters, encodings, S3, and one clear line for every kind of bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.core.errors import DataError
from auditor.data.readers import ReadOptions, open_dataset, read_frame
from auditor.data.writers import write_frame


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(("name", "data", "delimiter"), [
    ("comma.csv", b"id,name\n1,Ann\n2,Bob\n", ","),
    ("semi.csv", b"id;name;city\n1;Ann;Ottawa\n2;Bob;Laval\n", ";"),
    ("tab.tsv", b"id\tname\n1\tAnn\n2\tBob\n", "\t"),
    ("pipe.csv", b"id|name\n1|Ann\n2|Bob\n", "|"),
    ("bom.csv", b"\xef\xbb\xbfid;name\n1;Ann\n", ";"),
])
def test_csv_delimiter_and_bom(tmp_path: Path, name: str, data: bytes, delimiter: str) -> None:
    with open_dataset(_write(tmp_path, name, data)) as tables:
        t = tables[0]
        assert t.delimiter == delimiter
        assert t.columns[:2] == ["id", "name"]  # no BOM glued to the first header
        df = t.read_all()
    assert df["name"].iloc[0] == "Ann"


def test_csv_keeps_identifiers_as_text(tmp_path: Path) -> None:
    df = read_frame(_write(tmp_path, "ids.csv", b"studentid,zip\n00012345,02134\n"))
    assert df["studentid"].iloc[0] == "00012345"
    assert df["zip"].iloc[0] == "02134"


def test_csv_reads_in_chunks_with_continuous_index(tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    p.write_text("a,b\n" + "".join(f"{i},x{i}\n" for i in range(1050)), encoding="utf-8")
    with open_dataset(p, ReadOptions(chunk_rows=500)) as tables:
        chunks = list(tables[0].chunks())
    assert [len(c) for c in chunks] == [500, 500, 50]
    assert chunks[2].index[0] == 1000


def test_non_utf8_needs_encoding(tmp_path: Path) -> None:
    p = _write(tmp_path, "latin.csv", "name,city\nRené,Montréal\n".encode("cp1252"))
    with pytest.raises(DataError) as err:
        read_frame(p)
    assert str(err.value).startswith(f"{p}: not UTF-8 text")
    assert "--encoding" in str(err.value)
    assert read_frame(p, ReadOptions(encoding="cp1252"))["name"].iloc[0] == "René"


BAD_INPUTS = [
    ("empty.csv", b"", "empty file"),
    ("blank.csv", b"\n\n  \n", "empty file"),
    ("header.csv", b"id,name,email\n", "header only, no data rows"),
    ("ragged.csv", b"a,b,c\n1,2,3\n4,5,6,7\n", "ragged rows: line 3 has 4 fields, the header has 3"),
    ("dupcols.csv", b"a,a\n1,2\n", "duplicate column name"),
    ("quote.csv", b'a,b\n1,"unterminated\n', "unterminated quoted field"),
    ("trunc.parquet", None, "truncated or not a Parquet file"),
    ("corrupt.xlsx", b"PK\x03\x04garbage-not-a-real-zip", "corrupt .xlsx workbook"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
    ("text.xlsx", b"id,name\n1,Ann\n", "not a valid .xlsx workbook"),
    ("data.json", b"{}", "unsupported file type"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_one_line_naming_the_file(tmp_path: Path, name: str, data: bytes | None, message: str) -> None:
    if data is None:  # a real Parquet file cut in half
        good = tmp_path / "good.parquet"
        write_frame(pd.DataFrame({"a": range(1000), "b": [f"v{i}" for i in range(1000)]}), str(good))
        data = good.read_bytes()[: good.stat().st_size // 2]
    p = _write(tmp_path, name, data)
    with pytest.raises(DataError) as err:
        read_frame(p)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(str(p))
    assert message in text


@pytest.mark.parametrize(("name", "data", "message"), BAD_INPUTS[:6], ids=[b[0] for b in BAD_INPUTS[:6]])
def test_bad_input_cli_exit_nonzero_no_traceback(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    p = _write(tmp_path, name, data)
    res = CliRunner().invoke(cli, ["data", "mask", str(p), str(tmp_path / "out.csv")])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert message in res.output
    assert not (tmp_path / "out.csv").exists()  # no partial output


def test_huge_cell_is_refused_with_its_position(tmp_path: Path) -> None:
    p = tmp_path / "huge.csv"
    p.write_text("id,notes\n1,short\n2," + "x" * (10 * 1024 * 1024) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_frame(p)
    assert "column 'notes' row 2" in str(err.value)
    assert "max_cell_chars" in str(err.value)
    assert "xxxx" not in str(err.value)  # contents never quoted


def test_mixed_types_in_xlsx_column_read_as_text(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Enrol"
    ws.append(["id", "value"])
    ws.append([1, "text"])
    ws.append([2, 42])
    ws.append([3, 3.5])
    ws.append([4, dt.datetime(2024, 5, 1)])
    ws.append([5, True])
    ws.append([6, None])
    p = tmp_path / "mixed.xlsx"
    wb.save(p)
    df = read_frame(p)
    assert df["value"].tolist()[:5] == ["text", "42", "3.5", "2024-05-01", "true"]
    assert pd.isna(df["value"].iloc[5])
    assert df["id"].tolist()[0] == "1"


def test_xlsx_named_sheet_or_all(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "A"
    wb.active.append(["x"])
    wb.active.append([1])
    b = wb.create_sheet("B")
    b.append(["y", "z"])
    b.append([2, 3])
    p = tmp_path / "two.xlsx"
    wb.save(p)
    with open_dataset(p) as tables:
        assert [t.id for t in tables] == [f"{p}!A", f"{p}!B"]
    with open_dataset(p, ReadOptions(sheet="B")) as tables:
        assert tables[0].columns == ["y", "z"]
    with pytest.raises(DataError, match="no sheet 'b'; sheets: A, B"), open_dataset(p, ReadOptions(sheet="b")):
        pass


def test_parquet_keeps_types_and_batches(tmp_path: Path) -> None:
    p = tmp_path / "t.parquet"
    write_frame(pd.DataFrame({"n": range(1200), "s": ["a"] * 1200}), str(p))
    with open_dataset(p, ReadOptions(chunk_rows=500)) as tables:
        chunks = list(tables[0].chunks())
    assert [len(c) for c in chunks] == [500, 500, 200]
    assert chunks[0]["n"].dtype.kind == "i"
    assert chunks[1].index[0] == 500


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_frame(tmp_path / "nope.csv")


def test_s3_read_and_errors_with_moto(tmp_path: Path) -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="landing")
        s3.put_object(Bucket="landing", Key="in/enroll.csv", Body=b"id;email\n1;a@example.com\n")
        with open_dataset("s3://landing/in/enroll.csv") as tables:
            df = tables[0].read_all()
            assert tables[0].id == "s3://landing/in/enroll.csv"
        assert df["email"].tolist() == ["a@example.com"]
        with pytest.raises(DataError, match=r"^s3://landing/in/missing.csv: object not found$"):
            read_frame("s3://landing/in/missing.csv")
        write_frame(df, "s3://landing/out/enroll.parquet")
        assert read_frame("s3://landing/out/enroll.parquet")["email"].tolist() == ["a@example.com"]


def test_writer_leaves_no_partial_output(tmp_path: Path) -> None:
    from auditor.data.writers import TableWriter

    dst = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), TableWriter(str(dst)) as w:
        w.write(pd.DataFrame({"a": [1]}))
        raise RuntimeError("boom")
    assert not dst.exists()
    assert list(tmp_path.iterdir()) == []


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(DataError, match=r"corrupt \.xlsx workbook"):
        read_frame(p)
