"""Helpers shared by the AWS tests (imported as ``aws_helpers``; fixtures live in conftest)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

RECORDED: set[tuple[str, str]] = set()
"""(service, operation) of every request any scan session sent during the suite."""


def scan(prepared: Any, regions: list[str] | None = None, **services: Any) -> dict[str, Any]:
    """Run a scan with a fixed clock; ``services`` go into the RunContext."""
    from auditor.aws.scan import ScanOptions, run_scan
    from auditor.core.context import RunContext

    ctx = RunContext(clock=lambda: datetime.now(UTC), services=dict(services))
    return run_scan(prepared, ScanOptions(regions=regions or ["us-east-1"], max_attempts=2), ctx)


def by_rule(doc: dict[str, Any], rule_id: str) -> dict[str, dict[str, Any]]:
    """Findings of one rule, keyed by resource id."""
    return {f["resource_id"]: f for f in doc["findings"] if f["rule_id"] == rule_id}


def only_rules(prepared: Any, *ids: str) -> Any:
    """A copy of ``prepared`` restricted to some rules."""
    from dataclasses import replace

    chosen = [r for r in prepared.rules if r.id in ids]
    assert len(chosen) == len(ids), f"unknown rule among {ids}"
    return replace(prepared, rules=chosen)
