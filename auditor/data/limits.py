"""How much a data file may hold before the readers refuse it: every limit, in one place.

A hostile or broken file must cost a bounded amount of memory and time: a 1.7 MB
.xlsx can expand to gigabytes, a sheet can claim a cell at row 1,048,576 and column
XFD, a cell can hold a novel. The readers check these limits *before* the expensive
part (zip members are measured before any XML is parsed) or while streaming, and
refuse with one line naming the file and the limit to raise.

The ``data.limits`` section of the run config (``--config``) overrides the defaults::

    version: 1
    data:
      limits:
        max_cell_chars: 1000000          # characters in one cell, any format
        xlsx_max_bytes: 268435456        # a workbook's parts, uncompressed, added up (256 MiB)
        xlsx_max_ratio: 100              # uncompressed / compressed size of a part over 1 MiB
        xlsx_max_rows: 1048576           # sheet rows (Excel's own maximum)
        xlsx_max_columns: 16384          # sheet columns (Excel's own maximum, XFD)
        xlsx_max_cells: 20000000         # rows x columns of one sheet as read

What each XLSX limit buys:

- ``xlsx_max_bytes`` and ``xlsx_max_ratio`` are checked on the zip directory before
  anything is decompressed (a zip bomb is refused in milliseconds). The shared-strings
  part may use at most a quarter of ``xlsx_max_bytes`` (its strings stay in memory while
  the sheets are read), every other non-sheet part at most 1/16 (at least 16 MiB).
- rows, columns and cells are counted while the sheet streams: a sheet that claims a
  cell far away is refused when that cell is reached, never expanded into a grid.

Besides these, the readers keep a few fixed caps that only bound memory (they never
refuse a file Excel could write): see ``CHUNK_MAX_CELLS``, ``CHUNK_MAX_CHARS``,
``XML_MAX_DEPTH``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, TypedDict

MIB = 1024 * 1024

# Fixed memory caps (not configurable: they shape chunks, they never refuse a normal file).
CHUNK_MAX_CELLS = 2_000_000
"""At most this many cells per DataFrame chunk: a wide sheet gets fewer rows per chunk."""
CHUNK_MAX_CHARS = 32_000_000
"""At most this many characters per chunk (and per row: a longer row is refused)."""
XML_MAX_DEPTH = 64
"""Element nesting in a worksheet (Excel writes 5 levels); deeper is refused."""
RATIO_MIN_PART_BYTES = MIB
"""Parts smaller than this are not ratio-checked: tiny XML compresses very well and costs nothing."""


class LimitsSection(TypedDict, total=False):
    """``data.limits``: overrides of the :class:`ReadLimits` defaults (each key optional)."""

    max_cell_chars: int
    """Characters in one cell, any format (default 1,000,000)."""
    xlsx_max_bytes: int
    """A workbook's parts, uncompressed, added up (default 256 MiB)."""
    xlsx_max_ratio: int
    """Uncompressed / compressed size of a part over 1 MiB (default 100)."""
    xlsx_max_rows: int
    """Sheet rows (default 1,048,576, Excel's own maximum)."""
    xlsx_max_columns: int
    """Sheet columns (default 16,384, Excel's own maximum: XFD)."""
    xlsx_max_cells: int
    """Rows x columns of one sheet as read (default 20,000,000)."""


@dataclass(frozen=True)
class ReadLimits:
    """The limits the readers enforce (defaults above; ``data.limits`` in the run config)."""

    max_cell_chars: int = 1_000_000
    xlsx_max_bytes: int = 256 * MIB
    xlsx_max_ratio: int = 100
    xlsx_max_rows: int = 1_048_576
    xlsx_max_columns: int = 16_384
    xlsx_max_cells: int = 20_000_000

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> ReadLimits:
        """Limits from the ``data.limits`` mapping (already schema-validated); missing keys keep defaults."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in (section or {}).items() if k in names})

    @property
    def xlsx_max_shared_strings_bytes(self) -> int:
        """The shared-strings part may use a quarter of ``xlsx_max_bytes``."""
        return self.xlsx_max_bytes // 4

    @property
    def xlsx_max_part_bytes(self) -> int:
        """Any other non-sheet part (workbook, styles, relationships) is parsed whole: 1/16, at least 16 MiB."""
        return max(16 * MIB, self.xlsx_max_bytes // 16)

    @property
    def xml_max_run_bytes(self) -> int:
        """Longest stretch of a worksheet without a ``<``: room for the longest cell text (4 bytes
        per character in UTF-8) and no more, so one tag cannot carry millions of attributes."""
        return 4 * self.max_cell_chars + 64 * 1024


LIMITS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Limits on what a data file may hold (see auditor.data.limits).",
    "additionalProperties": False,
    "x-unknown": "data limit",
    "properties": {
        "max_cell_chars": {"type": "integer", "minimum": 1},
        "xlsx_max_bytes": {"type": "integer", "minimum": 1024},
        "xlsx_max_ratio": {"type": "integer", "minimum": 2},
        "xlsx_max_rows": {"type": "integer", "minimum": 1},
        "xlsx_max_columns": {"type": "integer", "minimum": 1},
        "xlsx_max_cells": {"type": "integer", "minimum": 1},
    },
}
