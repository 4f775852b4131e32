"""findings.json: the same document back, one finding per line, stable bytes."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.reporting.writers.json_writer import dumps, write_json


def _doc(n: int) -> dict:
    return {"schema_version": "1", "run": {"id": "r"}, "summary": {"total": n},
            "findings": [{"rule_id": f"r{i}", "message": "naïve \"quoted\"\nline", "evidence": {"A.B": [1, {"c": None}]}}
                         for i in range(n)],
            "attachments": {"aws": {"api_calls": {"s3:ListBuckets": 1}}}}


def test_round_trips_with_one_line_per_finding(tmp_path: Path) -> None:
    doc = _doc(3)
    path = write_json(doc, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == doc
    lines = text.splitlines()
    finding_lines = [ln for ln in lines if ln.startswith('    {"rule_id"')]
    assert len(finding_lines) == 3 and all(json.loads(ln.strip().rstrip(",")) for ln in finding_lines)
    assert "naïve" in text  # UTF-8, not \\u escapes
    assert dumps(doc) == text  # deterministic


def test_empty_findings_is_plain_indented_json() -> None:
    doc = _doc(0)
    assert json.loads(dumps(doc)) == doc
    assert '"findings": []' in dumps(doc)
