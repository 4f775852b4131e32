"""Pipeline inputs go through the bounded workbook reader: a zip bomb, an entity bomb or a
truncated workbook uploaded to a pipeline is refused with one line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from xlsx_parts import BILLION_LAUGHS, MAIN, inline_row, sheet_xml, write_workbook

from auditor.pipelines.errors import BadInput
from auditor.pipelines.inquiries311.read import _read_xlsx
from auditor.pipelines.registrar.clean import read_workbook
from auditor.pipelines.workbook import read_grid


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_a_workbook_reads_as_its_used_range(tmp_path: Path) -> None:
    sheet = sheet_xml(inline_row(1, "Year Month", "Department") + inline_row(2, "2024-01", "Parks"))
    grid = read_grid("in.xlsx", _bytes(write_workbook(tmp_path / "in.xlsx", sheet)))
    assert grid.values.tolist() == [["Year Month", "Department"], ["2024-01", "Parks"]]


@pytest.mark.parametrize("reader", [_read_xlsx, read_workbook])
def test_a_zip_bomb_upload_is_refused_by_name(tmp_path: Path, reader: object) -> None:
    rows = inline_row(1, "n") + "<row><c><v>1</v></c></row>" * 200_000
    bomb = write_workbook(tmp_path / "bomb.xlsx", f'<worksheet xmlns="{MAIN}"><sheetData>{rows}'.encode())
    with pytest.raises(BadInput, match="zip bomb") as err:
        reader("bomb.xlsx", _bytes(bomb))  # type: ignore[operator]
    assert "\n" not in str(err.value)


def test_an_entity_bomb_upload_is_refused(tmp_path: Path) -> None:
    bomb = write_workbook(tmp_path / "laughs.xlsx", BILLION_LAUGHS)
    with pytest.raises(BadInput):
        _read_xlsx("laughs.xlsx", _bytes(bomb))


def test_quarantined_records_are_neutralised_zone_data_is_not() -> None:
    import pandas as pd

    from auditor.pipelines.base import csv_bytes

    frame = pd.DataFrame({"department": ["=1+1", " =HYPERLINK(\"http://x\")", "Parks"], "count": [1, -2, 3]})
    people = csv_bytes(frame, for_people=True).decode()
    assert "'=1+1" in people and "' =HYPERLINK" in people and ",-2" in people
    assert "'=" not in csv_bytes(frame).decode()  # zone data stays byte for byte what was read
