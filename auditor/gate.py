"""The gate: turn a findings document into an exit code a CI pipeline can trust.

- 1 when a FAIL finding is at or above ``fail_on`` (with a baseline: only
  findings that are new since the baseline count);
- 3 when ERROR findings exist (fail closed; ``allow_errors`` relaxes it);
- 0 otherwise.

A definite violation (1) wins over "could not evaluate" (3): the CI log then
shows the actionable failure first; errors are still listed in the summary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from auditor.core.rules import SEVERITIES, severity_rank


@dataclass
class GateResult:
    exit_code: int
    reasons: list[str] = field(default_factory=list)
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    new: list[dict[str, Any]] = field(default_factory=list)


def _key(f: dict[str, Any]) -> tuple[str, str]:
    return f["rule_id"], f["resource_id"]


def decide(doc: dict[str, Any], *, fail_on: str | None, allow_errors: bool = False,
           baseline: dict[str, Any] | None = None) -> GateResult:
    """Decide the gate for ``doc`` (optionally relative to ``baseline``)."""
    findings = doc["findings"]
    failing = [f for f in findings if f["status"] == "FAIL"]
    if baseline is not None:
        before = {_key(f) for f in baseline["findings"] if f["status"] == "FAIL"}
        candidates = [f for f in failing if _key(f) not in before]
    else:
        candidates = failing
    counts: dict[str, Counter[str]] = {sev: Counter() for sev in reversed(SEVERITIES)}
    for f in findings:
        counts[f["severity"]][f["status"]] += 1
    result = GateResult(0, counts=counts, new=candidates if baseline is not None else [])
    if fail_on is not None:
        threshold = severity_rank(fail_on)
        blocking = [f for f in candidates if severity_rank(f["severity"]) >= threshold]
        if blocking:
            what = "new " if baseline is not None else ""
            result.exit_code = 1
            result.reasons.append(f"{len(blocking)} {what}FAIL finding(s) at or above '{fail_on}'")
    errors = [f for f in findings if f["status"] == "ERROR"]
    if errors and not allow_errors:
        result.reasons.append(f"{len(errors)} finding(s) could not be evaluated (ERROR)")
        if result.exit_code == 0:
            result.exit_code = 3
    return result
