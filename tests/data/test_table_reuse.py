"""A small table is parsed once per run: the second pass (classify, then count or mask) reuses
the first pass's chunks; a large one, or a pass stopped early, is read again from the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def test_mask_after_scan_in_one_run_parses_the_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         analyzer: Any) -> None:
    """A pipeline's PII check scans, then masks, the same file with one analyzer: the mask
    reuses the scan's parsed rows (and classification) and writes the same output as a fresh run."""
    import pandas as pd

    from auditor.audit_run import default_rule_paths, prepare
    from auditor.data.maskfile import mask_dataset
    from auditor.data.masking import MaskPolicy
    from auditor.data.pii import build_analyzer
    from auditor.data.scan import DataScanOptions, run_data_scan

    src = tmp_path / "people.csv"
    src.write_text("name,email,notes\n" + "".join(
        f"Maria Lopez {i},maria{i}@example.com,called back on day {i}\n" for i in range(300)), encoding="utf-8")
    fresh = tmp_path / "fresh.csv"
    mask_dataset(str(src), str(fresh), MaskPolicy(), build_analyzer())
    parses: list[int] = []
    real = pd.read_csv

    def spy(*args: Any, **kwargs: Any) -> Any:
        if "nrows" not in kwargs:  # a whole read, not the header read every open makes
            parses.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", spy)
    run = build_analyzer()
    run_data_scan(prepare(default_rule_paths("data"), resource_prefix="dataset."), [str(src)],
                  DataScanOptions(analyzer=run))
    scanned = len(parses)
    out = tmp_path / "out.csv"
    mask_dataset(str(src), str(out), MaskPolicy(), run)
    assert scanned == 1 and len(parses) == scanned  # the scan's two passes and the mask: one parse
    assert out.read_bytes() == fresh.read_bytes()
