"""Hostile and broken workbooks: refused within the limits, in one line naming the file, never expanded.

Every workbook is built here, part by part (``xlsx_parts``): zip bombs, entity bombs,
truncated XML, sheets that claim cells far away or beyond the limits.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from xlsx_parts import BILLION_LAUGHS, MAIN, inline_row, shared_strings, sheet_xml, workbook_xml, write_workbook

from auditor.core.errors import DataError
from auditor.data.limits import ReadLimits
from auditor.data.readers import ReadOptions, header_looks_like_data, open_dataset, read_frame
from auditor.data.xlsx_reader import check_container


def _refused(path: Path, limits: ReadLimits | None = None) -> str:
    """The one-line error reading ``path`` gives (open and read every table)."""
    with pytest.raises(DataError) as err, open_dataset(path, ReadOptions(limits=limits or ReadLimits())) as tables:
        for table in tables:
            for _ in table.chunks():
                pass
    text = str(err.value)
    assert "\n" not in text and text.startswith(str(path)), text
    return text


def _repeated_rows(n: int, numbered: bool = True) -> str:
    if not numbered:  # identical rows (row and cell numbers are optional): deflate shrinks them ~1000 times
        return "<row><c><v>1</v></c></row>" * n
    return "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(2, n + 2))


# --------------------------------------------------------------------------- zip bombs

def test_zip_bomb_is_refused_before_any_xml_is_parsed(tmp_path: Path) -> None:
    # ~4 MB of identical rows compress to a few KB. The sheet is also left unclosed: had it
    # been parsed, the error would be about malformed XML, not the expansion ratio.
    rows = inline_row(1, "n") + _repeated_rows(200_000, numbered=False)
    bomb = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}'.encode()
    p = write_workbook(tmp_path / "bomb.xlsx", bomb)
    assert p.stat().st_size < 64 * 1024 and len(bomb) > 4 * 1024 * 1024
    text = _refused(p)
    assert "refused as a zip bomb" in text and "xlsx_max_ratio" in text and "xl/worksheets/sheet1.xml" in text
    with pytest.raises(DataError, match="zip bomb"):
        check_container(str(p), p, ReadLimits())  # the zip directory alone decides


def test_workbook_larger_than_the_limit_uncompressed(tmp_path: Path) -> None:
    rows = inline_row(1, "n") + _repeated_rows(60_000)
    p = write_workbook(tmp_path / "big.xlsx", sheet_xml(rows), compression=zipfile.ZIP_STORED)
    text = _refused(p, ReadLimits(xlsx_max_bytes=1024 * 1024))
    assert "above the 1,048,576 limit (data.limits.xlsx_max_bytes)" in text
    assert len(read_frame(p)) == 60_000  # within the default limit it is a normal workbook


def test_shared_strings_get_a_quarter_of_the_size_limit(tmp_path: Path) -> None:
    texts = [f"value {i:06d}" for i in range(20_000)]  # ~600 KB of shared strings
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    p = write_workbook(tmp_path / "strings.xlsx", sheet_xml(rows), shared=shared_strings(*texts))
    text = _refused(p, ReadLimits(xlsx_max_bytes=1024 * 1024))
    assert "xl/sharedStrings.xml" in text and "xlsx_max_bytes" in text


def test_a_part_that_lies_about_its_size_is_read_no_further(tmp_path: Path) -> None:
    # The zip directory is checked on the sizes it declares; reading never goes past them.
    import struct

    rows = inline_row(1, "n") + _repeated_rows(5_000)
    p = write_workbook(tmp_path / "liar.xlsx", sheet_xml(rows))
    with zipfile.ZipFile(p) as z:
        real = z.getinfo("xl/worksheets/sheet1.xml").file_size
    data = bytearray(p.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, then central directory
        at = data.find(sig)
        while at != -1:
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at:name_at + 24] == b"xl/worksheets/sheet1.xml":
                assert struct.unpack_from("<I", data, at + offset)[0] == real
                struct.pack_into("<I", data, at + offset, 1000)
            at = data.find(sig, at + 4)
    p.write_bytes(bytes(data))
    assert "corrupt .xlsx workbook (damaged zip data" in _refused(p)


def test_encrypted_zip_member_is_refused(tmp_path: Path) -> None:
    p = write_workbook(tmp_path / "locked.xlsx", sheet_xml(inline_row(1, "a") + inline_row(2, "1")))
    data = bytearray(p.read_bytes())
    at = data.find(b"PK\x01\x02")  # the first central directory entry: set its "encrypted" flag bit
    data[at + 8] |= 0x1
    p.write_bytes(bytes(data))
    assert "password-protected (encrypted) zip member [Content_Types].xml" in _refused(p)


# --------------------------------------------------------------------------- entity bombs and XXE

def test_billion_laughs_in_workbook_xml_is_refused(tmp_path: Path) -> None:
    book = (BILLION_LAUGHS + f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>").encode()
    p = write_workbook(tmp_path / "laughs.xlsx", sheet_xml(inline_row(1, "a")), workbook=book)
    assert "entity expansion refused" in _refused(p)


@pytest.mark.parametrize("part", ["sheet", "shared strings"])
def test_entity_declarations_in_streamed_parts_are_refused(tmp_path: Path, part: str) -> None:
    dtd = BILLION_LAUGHS.encode()
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    for name, prolog in (("laughs", dtd), ("xxe", xxe)):
        if part == "sheet":
            p = write_workbook(tmp_path / f"{name}.xlsx", prolog + sheet_xml(inline_row(1, "&lol9;")))
        else:
            rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            p = write_workbook(tmp_path / f"{name}.xlsx", sheet_xml(rows), shared=prolog + shared_strings("&e;"))
        text = _refused(p)
        assert "declares a DTD" in text and "entity expansion refused" in text
        assert "root:" not in text


# --------------------------------------------------------------------------- truncated and malformed XML

def test_truncated_workbook_xml_is_a_clean_error(tmp_path: Path) -> None:
    book = workbook_xml("S")
    p = write_workbook(tmp_path / "cut.xlsx", sheet_xml(inline_row(1, "a")), workbook=book[: len(book) // 2])
    assert "corrupt .xlsx workbook (malformed or truncated XML" in _refused(p)


def test_truncated_sheet_is_a_clean_error(tmp_path: Path) -> None:
    sheet = sheet_xml(inline_row(1, "id") + "".join(inline_row(i, str(i)) for i in range(2, 200)))
    p = write_workbook(tmp_path / "cut.xlsx", sheet[: len(sheet) - 300])
    text = _refused(p)
    assert "malformed or truncated XML in part xl/worksheets/sheet1.xml" in text


def test_a_sheet_whose_part_is_missing_is_never_dropped_silently(tmp_path: Path) -> None:
    p = write_workbook(tmp_path / "two.xlsx", b"", sheets={"A": sheet_xml(inline_row(1, "a") + inline_row(2, "1")),
                                                          "B": sheet_xml(inline_row(1, "b"))})
    with zipfile.ZipFile(p) as z:
        parts = {n: z.read(n) for n in z.namelist() if n != "xl/worksheets/sheet2.xml"}
    with zipfile.ZipFile(p, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert "sheet 2 refers to a part that is missing" in _refused(p)


@pytest.mark.parametrize(("rows", "message"), [
    ('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', "unreadable cell in column 1 (IndexError)"),
    ('<row r="1"><c r="A1"><v>12abc</v></c></row>', "unreadable cell in column 1 (ValueError)"),
    ('<row r="1"><c r="11"><v>1</v></c></row>', "a cell has an invalid reference"),
    ('<row r="one"><c r="A1"><v>1</v></c></row>', "a row has an invalid row number"),
    ("<x>" * 80 + "</x>" * 80, "nests elements more than 64 deep"),
])
def test_malformed_cells_and_structure(tmp_path: Path, rows: str, message: str) -> None:
    p = write_workbook(tmp_path / "bad.xlsx", sheet_xml(rows), shared=shared_strings("only"))
    assert message in _refused(p)


# --------------------------------------------------------------------------- limits while streaming

@pytest.mark.parametrize(("rows", "limits", "message"), [
    (inline_row(1, "a") + '<row r="1048577"><c r="A1048577"><v>1</v></c></row>', ReadLimits(),
     "row numbered 1,048,577, above the 1,048,576 limit (data.limits.xlsx_max_rows)"),
    ('<row r="1"><c r="XFE1"><v>1</v></c></row>', ReadLimits(),
     "beyond column 16,384 (data.limits.xlsx_max_columns)"),
    (inline_row(1, "a", "b", "c", "d"), ReadLimits(xlsx_max_columns=3),
     "more than 3 cells (data.limits.xlsx_max_columns)"),
    (inline_row(1, "a", "b") + "".join(inline_row(i, "1", "2") for i in range(2, 9)), ReadLimits(xlsx_max_cells=10),
     "more than 10 cells (2 columns; data.limits.xlsx_max_cells)"),
    (inline_row(1, "a") + inline_row(2, "x" * 11), ReadLimits(max_cell_chars=10),
     "more than 10 characters (data.limits.max_cell_chars)"),
])
def test_sheet_beyond_the_limits_is_refused(tmp_path: Path, rows: str, limits: ReadLimits, message: str) -> None:
    p = write_workbook(tmp_path / "limits.xlsx", sheet_xml(rows))
    assert message in _refused(p, limits)


def test_long_shared_string_is_refused(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    p = write_workbook(tmp_path / "long.xlsx", sheet_xml(rows), shared=shared_strings("y" * 50))
    text = _refused(p, ReadLimits(max_cell_chars=20))
    assert "(data.limits.max_cell_chars)" in text and "yyyy" not in text


def test_tag_with_a_flood_of_attributes_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    attrs = " ".join(f'a{i}=""' for i in range(20_000))  # ~170 KB inside one tag
    p = write_workbook(tmp_path / "attrs.xlsx", sheet_xml(f'<row r="1"><c r="A1" {attrs}><v>1</v></c></row>'))
    assert "bytes without markup, more than a cell may hold" in _refused(p, ReadLimits(max_cell_chars=1000))


@pytest.mark.slow
def test_far_away_cells_are_read_without_building_a_grid(tmp_path: Path) -> None:
    rows = ('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="XFD1" t="inlineStr"><is><t>far</t>'
            '</is></c></row><row r="1048576"><c r="A1048576"><v>7</v></c><c r="XFD1048576" t="inlineStr"><is><t>'
            "end</t></is></c></row>")
    df = read_frame(write_workbook(tmp_path / "far.xlsx", sheet_xml(rows)))
    assert df.shape == (1, 16_384)
    assert (df.columns[0], df.columns[1], df.columns[-1]) == ("id", "column_2", "far")
    assert (df["id"].iloc[0], df["far"].iloc[0]) == ("7", "end")
    assert not any(header_looks_like_data(c) for c in df.columns)  # "column_10000" is ours, not data


def test_value_outside_the_header_columns(tmp_path: Path) -> None:
    rows = inline_row(1, "a", "b") + '<row r="2"><c r="D2"><v>1</v></c></row>'
    p = write_workbook(tmp_path / "outside.xlsx", sheet_xml(rows))
    assert "sheet 'S' row 2 has a value in column 4, outside the 2 header columns" in _refused(p)


# --------------------------------------------------------------------------- what a normal workbook gives

def test_cell_types_rich_text_and_namespace_prefixes(tmp_path: Path) -> None:
    shared = (f'<sst xmlns="{MAIN}"><si><t>plain</t></si><si><r><t>ri</t></r><r><t>ch</t></r>'
              "<rPh><t>PHONETIC</t></rPh></si></sst>").encode()
    rows = ('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>name</x:t></x:is></x:c>'
            '<x:c r="B1" t="inlineStr"><x:is><x:t>value</x:t></x:is></x:c></x:row>'
            '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>shared</x:t></x:is></x:c><x:c r="B2" t="s"><x:v>0</x:v>'
            '</x:c></x:row><x:row r="3"><x:c t="inlineStr"><x:is><x:t>rich</x:t></x:is></x:c><x:c t="s"><x:v>1</x:v>'
            '</x:c></x:row><x:row><x:c t="inlineStr"><x:is><x:t>bool</x:t></x:is></x:c><x:c t="b"><x:v>1</x:v></x:c>'
            '</x:row><x:row><x:c t="inlineStr"><x:is><x:t>error</x:t></x:is></x:c><x:c t="e"><x:v>#N/A</x:v></x:c>'
            '</x:row><x:row><x:c t="inlineStr"><x:is><x:t>iso</x:t></x:is></x:c><x:c t="d"><x:v>2024-05-01</x:v>'
            '</x:c></x:row><x:row><x:c t="inlineStr"><x:is><x:t>number</x:t></x:is></x:c><x:c><x:v>42.0</x:v></x:c>'
            '</x:row><x:row><x:c t="inlineStr"><x:is><x:t>formula</x:t></x:is></x:c><x:c t="str"><x:f>A1</x:f>'
            "<x:v>cached</x:v></x:c></x:row>")
    df = read_frame(write_workbook(tmp_path / "types.xlsx", sheet_xml(rows, prefix="x"), shared=shared))
    assert dict(zip(df["name"], df["value"], strict=True)) == {
        "shared": "plain", "rich": "rich", "bool": "true", "error": "#N/A", "iso": "2024-05-01", "number": "42",
        "formula": "cached"}


def test_dates_follow_the_cell_style(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["when", "n"])
    wb.active.append([dt.datetime(2024, 5, 1, 13, 30), 45413])
    p = tmp_path / "dates.xlsx"
    wb.save(p)
    assert read_frame(p).iloc[0].tolist() == ["2024-05-01 13:30:00", "45413"]


def test_header_row_after_empty_rows_and_columns(tmp_path: Path) -> None:
    rows = ('<row r="3"><c r="C3" t="inlineStr"><is><t>id</t></is></c><c r="D3" t="inlineStr"><is><t>mail</t></is>'
            '</c></row><row r="4"/><row r="5"><c r="C5"><v>1</v></c><c r="D5" t="inlineStr"><is><t>a@example.com'
            "</t></is></c></row>")
    df = read_frame(write_workbook(tmp_path / "offset.xlsx", sheet_xml(rows)))
    assert df.to_dict("records") == [{"id": "1", "mail": "a@example.com"}]


@pytest.mark.slow
def test_chunks_of_a_wide_sheet_stay_small(tmp_path: Path) -> None:
    from auditor.data.limits import CHUNK_MAX_CELLS

    width = 5_000
    header = "".join(f'<c r="{_ref(j)}1" t="inlineStr"><is><t>h{j}</t></is></c>' for j in range(1, width + 1))
    body = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(2, 1_002))
    p = write_workbook(tmp_path / "wide.xlsx", sheet_xml(f'<row r="1">{header}</row>{body}'))
    with open_dataset(p) as tables:
        sizes = [len(c) for c in tables[0].chunks()]
    assert sum(sizes) == 1_000 and max(sizes) == CHUNK_MAX_CELLS // width


def _ref(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
