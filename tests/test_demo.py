"""``auditor demo`` end to end: the quickstart's main job must keep working."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.embedded_demo import run_demo
from auditor.schemas import findings_errors

pytestmark = pytest.mark.slow  # end to end: the whole demo


def test_demo_writes_a_valid_findings_document_covering_every_capability(tmp_path: Path) -> None:
    lines = list(run_demo(tmp_path))
    assert not [line for line in lines if "not available" in line], lines
    doc = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert findings_errors(doc) == []
    types = {f["resource_type"].split(".")[0] for f in doc["findings"]}
    assert {"aws", "dataset", "pipeline"} <= types
    # the seeded account's deliberate gaps are flagged, with CIS ids
    fails = [f for f in doc["findings"] if f["status"] == "FAIL"]
    assert any(f["compliance"].get("cis-aws-6.0") for f in fails)
    assert doc["summary"]["frameworks"]["cis-aws-6.0"]["evaluated"] > 0
    assert doc["run"]["kind"] == "all" and doc["run"]["command"] == "demo"
    for report in ("index.html", "findings.sarif", "junit.xml", "findings.csv", "findings.ocsf.json"):
        assert (tmp_path / report).stat().st_size > 0, report
