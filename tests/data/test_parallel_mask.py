"""Masking a large chunk in forked workers writes exactly what one process writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.data import maskfile
from auditor.data.masking import MaskPolicy
from auditor.data.pii import PiiSettings, build_analyzer
from auditor.data.samples import generate_registrar
from auditor.data.writers import write_frame

pytestmark = pytest.mark.slow


def test_parallel_mask_matches_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = maskfile.PARALLEL_MASK_MIN + 1500
    df = generate_registrar(rows, seed=11)[0]
    src = tmp_path / "registrar.csv"
    write_frame(df, str(src))
    calls: list[int] = []
    real = maskfile.fork_map

    def spy(task: Any, count: int, workers: int) -> list[Any]:
        calls.append(workers)
        return real(task, count, workers)

    monkeypatch.setattr(maskfile, "fork_map", spy)
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    maskfile.mask_dataset(str(src), str(one), MaskPolicy(), build_analyzer(PiiSettings(workers=1)))
    assert calls == []
    report = maskfile.mask_dataset(str(src), str(two), MaskPolicy(), build_analyzer(PiiSettings(workers=2)))
    if maskfile.can_fork():
        assert calls == [2]
    assert report.rows == rows
    assert one.read_bytes() == two.read_bytes()
    emails = [e for e in df["email"].dropna().tolist() if "@" in e]
    text = two.read_text(encoding="utf-8")
    assert emails and not [e for e in emails[:500] if e in text]
