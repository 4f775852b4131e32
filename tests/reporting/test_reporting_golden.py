"""Golden HTML: a frozen clock and run id must give byte-identical output.

A change to the templates or the model shows up here as a diff to review.
Regenerate after an intended change with::

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/reporting/test_reporting_golden.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from reporting_synth import make_doc

from auditor.compliance.mapping import Control, Framework
from auditor.report_config import DEFAULT_SLA_DAYS, ReportSettings
from auditor.reporting.writers.html_writer import render

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report.html"
FROZEN = "2026-11-27T12:00:00Z"


def _normalise(html: str) -> str:
    # The tool version moves with every release; nothing else may vary.
    return re.sub(r"auditor \d+\.\d+\.\d+\S*", "auditor <VERSION>", html)


def _frameworks() -> dict[str, Framework]:
    """A fixed control set, so edits to the shipped framework files do not move this golden file."""
    cis = Framework("cis-aws-6.0", "CIS Amazon Web Services Foundations Benchmark", "6.0.0", controls=[
        Control("2.1", "Account contact details are current", "Identity and Access Management", automated=False),
        Control("2.4", "The root user has MFA enabled", "Identity and Access Management"),
        Control("2.7", "The password policy requires at least 14 characters", "Identity and Access Management"),
        Control("2.9", "Every IAM user with a console password has MFA", "Identity and Access Management"),
        Control("3.1.1", "S3 bucket policies deny HTTP requests", "Storage"),
        Control("3.1.4", "S3 Block Public Access is enabled", "Storage"),
        Control("4.1", "CloudTrail is enabled in all regions", "Logging"),
        Control("4.6", "Rotation is enabled for customer-created symmetric KMS keys", "Logging")])
    gb = Framework("governance-baseline", "Data-platform governance baseline", "1.0", controls=[
        Control(f"GB-{c}", f"Baseline control {c}") for c in
        ("S3-1", "S3-2", "S3-3", "S3-4", "KMS-1", "CT-1", "IAM-1", "DATA-1", "DATA-2", "DATA-3")])
    return {"cis-aws-6.0": cis, "governance-baseline": gb}


def _render(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.delenv("AUDITOR_TEMPLATES", raising=False)
    # The run's own rule list only: edits to the shipped rules' mappings do not move this golden file.
    monkeypatch.setattr("auditor.reporting.coverage._shipped_catalogue", lambda: {})
    monkeypatch.chdir(tmp_path)  # no reports/templates override from the working tree
    fws = _frameworks()
    ids = {k: v.control_ids() for k, v in fws.items()}
    # Two weeks before: failures open since then are past the critical SLA (7 days), not the high one (30).
    prev = make_doc(seed=11, n_buckets=3, run_id="golden-prev", started_at="2026-11-13T10:00:00Z",
                    finished_at="2026-11-13T10:06:00Z", frameworks=ids)
    cur = make_doc(seed=12, n_buckets=3, run_id="golden-run", frameworks=ids)
    for doc in (prev, cur):  # only the fixed frameworks: no cis-aws-5.0 mapping
        for f in doc["findings"]:
            f["compliance"].pop("cis-aws-5.0", None)
    # A configured SLA (high: 10 days instead of 30), so the golden shows failures past it.
    settings = ReportSettings(sla_days={**DEFAULT_SLA_DAYS, "high": 10})
    return _normalise(render([cur], baseline=prev, generated_at=FROZEN, frameworks=fws, settings=settings))


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
