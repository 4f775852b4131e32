"""What changed since the previous run: new, resolved and unchanged failures.

A failure is identified by ``(rule_id, resource_id)``. Against a baseline:

- *new*: FAIL now, not FAIL in the baseline (a regression or a new resource);
- *resolved*: FAIL in the baseline, not FAIL now (fixed, muted or gone);
- *unchanged*: FAIL in both.

The gate (``auditor gate --baseline``) counts the same *new* set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str]


def finding_key(f: dict[str, Any]) -> Key:
    return f["rule_id"], f["resource_id"]


@dataclass
class Diff:
    """The comparison of a findings document with its baseline."""

    baseline_run: dict[str, Any]
    new: list[dict[str, Any]] = field(default_factory=list)
    resolved: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)

    @property
    def new_keys(self) -> set[Key]:
        return {finding_key(f) for f in self.new}


def diff_documents(current: dict[str, Any], baseline: dict[str, Any]) -> Diff:
    """Compare the FAIL findings of ``current`` with those of ``baseline``."""
    before = {finding_key(f): f for f in baseline["findings"] if f["status"] == "FAIL"}
    now = {finding_key(f): f for f in current["findings"] if f["status"] == "FAIL"}
    out = Diff(baseline_run=baseline["run"])
    for key, f in now.items():
        (out.unchanged if key in before else out.new).append(f)
    out.resolved = [f for key, f in before.items() if key not in now]
    return out
