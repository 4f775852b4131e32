"""Gate exit codes: 1 on FAIL at/above threshold (or new with a baseline), 3 on ERROR, else 0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.exit_gate import decide


def finding(rule: str, res: str, status: str, severity: str = "high") -> dict[str, Any]:
    return {"rule_id": rule, "title": "t", "status": status, "severity": severity, "resource_type": "test.widget",
            "resource_id": res, "region": "", "message": "m", "evidence": {}, "compliance": {}, "remediation": ""}


def doc(*findings: dict[str, Any]) -> dict[str, Any]:
    from auditor.core.findings import Finding, RunInfo, document

    run = RunInfo("r", "2026-06-01T00:00:00Z", "2026-06-01T00:00:01Z", "0", "aws")
    return document(run, [Finding.from_dict(f) for f in findings], {})


@pytest.mark.parametrize(("findings", "fail_on", "allow", "code"), [
    ([finding("a", "x", "PASS")], "high", False, 0),
    ([finding("a", "x", "FAIL", "medium")], "high", False, 0),
    ([finding("a", "x", "FAIL", "high")], "high", False, 1),
    ([finding("a", "x", "FAIL", "critical")], "high", False, 1),
    ([finding("a", "x", "MUTED", "critical")], "low", False, 0),
    ([finding("a", "x", "ERROR")], "high", False, 3),
    ([finding("a", "x", "ERROR")], "high", True, 0),
    ([finding("a", "x", "ERROR"), finding("b", "y", "FAIL")], "high", False, 1),
    ([finding("a", "x", "FAIL", "low")], None, False, 0),
])
def test_decide(findings: list[dict[str, Any]], fail_on: str | None, allow: bool, code: int) -> None:
    assert decide(doc(*findings), fail_on=fail_on, allow_errors=allow).exit_code == code


def test_baseline_only_new_failures_count() -> None:
    before = doc(finding("a", "x", "FAIL"))
    same = doc(finding("a", "x", "FAIL"))
    worse = doc(finding("a", "x", "FAIL"), finding("a", "y", "FAIL"))
    assert decide(same, fail_on="high", baseline=before).exit_code == 0
    result = decide(worse, fail_on="high", baseline=before)
    assert result.exit_code == 1
    assert [f["resource_id"] for f in result.new] == ["y"]


def test_gate_cli(tmp_path: Path) -> None:
    f = tmp_path / "findings.json"
    f.write_text(json.dumps(doc(finding("a", "x", "FAIL", "critical"), finding("b", "y", "PASS"))))
    runner = CliRunner()
    res = runner.invoke(cli, ["gate", str(f), "--fail-on", "high"])
    assert res.exit_code == 1, res.output
    assert "1 FAIL finding(s) at or above 'high'" in res.output
    assert "critical        1" in res.output
    res = runner.invoke(cli, ["gate", str(f), "--fail-on", "high", "--baseline", str(f)])
    assert res.exit_code == 0, res.output
    assert "new FAIL findings since baseline: 0" in res.output


def test_gate_rejects_invalid_findings_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": "1"}')
    res = CliRunner().invoke(cli, ["gate", str(bad)])
    assert res.exit_code == 2
    assert "not a valid findings document" in res.output
    res = CliRunner().invoke(cli, ["gate", str(tmp_path / "missing.json")])
    assert res.exit_code == 2
    assert "file not found" in res.output
