"""A small table is parsed once per run: the second pass (classify, then count or mask) reuses
the first pass's chunks; a large one, or a pass stopped early, is read again from the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.data import readers
from auditor.data.readers import ReadOptions, open_dataset


def _csv(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},x{i}\n" for i in range(rows)), encoding="utf-8")
    return path


def _passes(table: readers.Table) -> list[int]:
    """How many times the underlying reader runs while reading the table twice."""
    calls: list[int] = []
    real = table._reader
    assert real is not None

    def counting():  # type: ignore[no-untyped-def]
        calls.append(1)
        return real()

    table._reader = counting
    first = [len(c) for c in table.chunks()]
    second = [len(c) for c in table.chunks()]
    assert first == second
    return calls


def test_small_table_is_parsed_once(tmp_path: Path) -> None:
    with open_dataset(str(_csv(tmp_path, 250)), ReadOptions(chunk_rows=100)) as tables:
        assert len(_passes(tables[0])) == 1


def test_large_table_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "KEEP_CELLS", 300)  # 250 rows x 2 columns = 500 cells
    with open_dataset(str(_csv(tmp_path, 250)), ReadOptions(chunk_rows=100)) as tables:
        assert len(_passes(tables[0])) == 2


def test_a_pass_stopped_early_is_not_kept(tmp_path: Path) -> None:
    with open_dataset(str(_csv(tmp_path, 250)), ReadOptions(chunk_rows=100)) as tables:
        table = tables[0]
        next(iter(table.chunks()))  # the header check reads one chunk and stops
        assert table._kept is None
        assert sum(len(c) for c in table.chunks()) == 250
