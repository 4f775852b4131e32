"""Golden HTML: a frozen clock and run id must give byte-identical output.

A change to the templates or the model shows up here as a diff to review.
Regenerate after an intended change with::

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/reporting/test_golden.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from reporting_synth import make_doc

from auditor.reporting.writers.html_writer import render

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report.html"
FROZEN = "2026-11-27T12:00:00Z"


def _normalise(html: str) -> str:
    # The tool version moves with every release; nothing else may vary.
    return re.sub(r"auditor \d+\.\d+\.\d+\S*", "auditor <VERSION>", html)


def _render(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.delenv("AUDITOR_TEMPLATES", raising=False)
    monkeypatch.chdir(tmp_path)  # no reports/templates override from the working tree
    prev = make_doc(seed=11, n_buckets=3, run_id="golden-prev", started_at="2026-11-20T10:00:00Z",
                    finished_at="2026-11-20T10:06:00Z")
    cur = make_doc(seed=12, n_buckets=3, run_id="golden-run")
    return _normalise(render([cur], baseline=prev, generated_at=FROZEN))


def test_html_matches_golden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    html = _render(monkeypatch, tmp_path)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(html, encoding="utf-8")
    assert GOLDEN.exists(), "golden file missing: run with UPDATE_GOLDEN=1 once and review it"
    expected = GOLDEN.read_text(encoding="utf-8")
    if html != expected:
        import difflib

        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), html.splitlines(True),
                                                 "golden", "rendered", n=1))[:60])
        pytest.fail(f"HTML differs from {GOLDEN} (UPDATE_GOLDEN=1 to accept):\n{diff}")


def test_render_is_deterministic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _render(monkeypatch, tmp_path) == _render(monkeypatch, tmp_path)
