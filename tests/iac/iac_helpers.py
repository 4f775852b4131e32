"""Helpers for the IaC scan tests: run a scan in process and look findings up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.core.context import RunContext

FIXTURES = Path(__file__).parent / "fixtures"
FROZEN = datetime(2026, 6, 1, tzinfo=UTC)


def scan(*paths: str | Path, params: dict[str, str] | None = None, mutelist: Path | None = None) -> dict[str, Any]:
    """The findings document of ``auditor iac scan`` on ``paths``, with the shipped AWS rules."""
    from auditor.audit_run import default_rule_paths, prepare
    from auditor.iac.scan import IacOptions, run_iac_scan

    prepared = prepare(default_rule_paths("aws"), mutelist=mutelist, today=FROZEN)
    return run_iac_scan(prepared, [Path(p) for p in paths], IacOptions(params=params or {}),
                        RunContext(clock=lambda: FROZEN, run_id="iac-test"))


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line of ``path`` that starts with ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(text))


def finding(doc: dict[str, Any], rule: str, resource: str) -> dict[str, Any]:
    """The one finding of ``rule`` whose resource id or address ends with ``resource``."""
    found = [f for f in doc["findings"] if f["rule_id"] == rule
             and (f["resource_id"].endswith(resource) or (f.get("location") or {}).get("address") == resource)]
    assert len(found) == 1, f"{rule} on {resource}: {len(found)} findings " \
                            f"({[f['resource_id'] for f in doc['findings'] if f['rule_id'] == rule]})"
    return found[0]


def statuses(doc: dict[str, Any], rule: str) -> dict[str, str]:
    """address (or resource id) -> status, for every finding of ``rule``."""
    return {(f.get("location") or {}).get("address") or f["resource_id"]: f["status"]
            for f in doc["findings"] if f["rule_id"] == rule}
