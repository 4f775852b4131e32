"""An input workbook's first sheet as a grid of strings, read within ``data.limits``.

Pipeline inputs are files people upload: a workbook is read by the same bounded reader as
``auditor data scan`` (``auditor/data/xlsx_reader.py``: the zip directory checked before
anything is decompressed, no DTDs or entities, one row in memory at a time, rows, columns and
cell text capped), never by a reader that builds a dense sheet from the dimensions it claims.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from auditor.core.errors import DataError
from auditor.data.limits import ReadLimits
from auditor.data.xlsx_reader import iter_rows, open_workbook


def _text(value: object) -> str:
    """A cell as the pipelines compare it: text as is, numbers as Python prints them ("12.0")."""
    return "" if value is None else str(value)


def read_grid(name: str, data: bytes, limits: ReadLimits | None = None) -> pd.DataFrame:
    """The first sheet, every cell a string, no header row taken (rows without a value skipped).
    Raises ``DataError`` naming ``name`` for a corrupt, hostile or over-limit workbook."""
    limits = limits or ReadLimits()
    with tempfile.TemporaryDirectory(prefix="auditor-xlsx-") as tmp:
        path = Path(tmp) / "input.xlsx"
        path.write_bytes(data)
        book = open_workbook(name, path, limits)
        if not book.sheet_names:
            raise DataError(f"{name}: the workbook has no sheet")
        rows = [dict(cells) for _number, cells in iter_rows(book, book.sheet_names[0]) if cells]
    if not rows:
        return pd.DataFrame(dtype=str)
    # The used range, as a spreadsheet shows it: from the first to the last column holding a value.
    lo, hi = min(min(r) for r in rows), max(max(r) for r in rows)
    return pd.DataFrame([[_text(r.get(c)) for c in range(lo, hi + 1)] for r in rows], dtype=str)
