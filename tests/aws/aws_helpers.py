"""Helpers shared by the AWS tests (imported as ``aws_helpers``; fixtures live in conftest)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

POLICY = Path(__file__).resolve().parents[2] / "policy_templates" / "iam" / "auditor-readonly.json"
"""The shipped read-only policy that every scan's requests must fit."""


def allowed_actions() -> set[str]:
    """The actions the shipped read-only policy allows."""
    doc = json.loads(POLICY.read_text(encoding="utf-8"))
    return {a for st in doc["Statement"] if st["Effect"] == "Allow" for a in st["Action"]}


def missing_from_policy(operations: set[tuple[str, str]]) -> list[str]:
    """The (service, operation) pairs that neither the read-only policy nor the organization caller's allows."""
    from auditor.aws.permissions import iam_action, organization_policy

    # The organization scans' own calls (ListAccounts, AssumeRole) are the caller's, not a member's.
    caller = {a for st in organization_policy()["Statement"] for a in st["Action"]}
    allowed = allowed_actions() | caller
    return sorted(f"{svc}:{op} -> {iam_action(svc, op)}" for svc, op in operations if iam_action(svc, op) not in allowed)


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
