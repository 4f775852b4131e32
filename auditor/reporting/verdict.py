"""The verdict per framework: COMPLIANT, NOT COMPLIANT or INCOMPLETE.

From the control statuses (``auditor.reporting.controls``):

- **NOT COMPLIANT**: at least one control fails (an accepted, unexpired
  exception is not a failure; an expired one is);
- **INCOMPLETE**: none fails, but an automated control could not be evaluated
  (an error, no rule, its rule not run in this report or disabled; a manual
  control whose rule could not run is listed with the manual ones);
- **COMPLIANT**: every automated control passes, with or without resources in
  scope. Manual controls are listed for attestation; they never make a
  verdict, because no scan can decide them.

The verdict is the answer to "are we compliant with CIS AWS 6.0?"; the pass
rate of controls is shown beside it, never instead of it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from auditor.core.rules import SEVERITIES, severity_rank
from auditor.reporting.controls import KINDS, ControlStatus

COMPLIANT, NOT_COMPLIANT, INCOMPLETE = "COMPLIANT", "NOT COMPLIANT", "INCOMPLETE"


@dataclass
class Verdict:
    """One framework's verdict and what it rests on."""

    framework: str
    title: str
    version: str
    verdict: str
    counts: dict[str, int] = field(default_factory=dict)  # control kind -> number of controls
    failing: list[ControlStatus] = field(default_factory=list)  # worst severity first
    unevaluated: list[ControlStatus] = field(default_factory=list)
    manual: list[ControlStatus] = field(default_factory=list)

    @property
    def failing_by_severity(self) -> dict[str, int]:
        c = Counter(s.worst for s in self.failing)
        return {sev: c[sev] for sev in reversed(SEVERITIES) if c[sev]}

    @property
    def pass_rate(self) -> float | None:
        """Passing controls among those decided (pass, no resources in scope, fail, error)."""
        ok = self.counts.get("pass", 0) + self.counts.get("no-resources", 0)
        decided = ok + self.counts.get("fail", 0) + self.counts.get("error", 0)
        return ok / decided if decided else None

    @property
    def css(self) -> str:
        return self.verdict.replace(" ", "-")

    @property
    def reason(self) -> str:
        """One line that says why, e.g. ``3 controls fail (1 critical, 2 high)``."""
        if self.verdict == NOT_COMPLIANT:
            sev = ", ".join(f"{n} {s}" for s, n in self.failing_by_severity.items())
            return f"{_n(len(self.failing), 'control')} fail{'s' if len(self.failing) == 1 else ''} ({sev})"
        if self.verdict == INCOMPLETE:
            decided = sum(self.counts.get(k, 0) for k in ("pass", "no-resources", "fail", "error"))
            if not decided:
                return "no control of this framework was evaluated in this report"
            return f"{_n(len(self.unevaluated), 'automated control')} could not be evaluated"
        auto = sum(self.counts.get(k, 0) for k in ("pass", "no-resources"))
        text = f"all {_n(auto, 'automated control')} pass"
        return text + (f"; {_n(len(self.manual), 'manual control')} to attest" if self.manual else "")


def _n(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def verdict_of(framework: str, title: str, version: str, statuses: list[ControlStatus]) -> Verdict:
    """The verdict of one framework from its control statuses (see the module docstring)."""
    counts = Counter(s.kind for s in statuses)
    failing = sorted((s for s in statuses if s.kind == "fail"),
                     key=lambda s: (-severity_rank(s.worst) if s.worst else 1, _control_key(s.id)))
    # A manual control stays the attester's call even when a rule mapped to it could not run.
    unevaluated = [s for s in statuses if s.kind in ("error", "not-evaluated") and s.automated]
    manual = [s for s in statuses if not s.automated and s.kind in ("manual", "error", "not-evaluated")]
    if failing:
        verdict = NOT_COMPLIANT
    elif unevaluated or not statuses:
        verdict = INCOMPLETE
    else:
        verdict = COMPLIANT
    return Verdict(framework, title, version, verdict, {k: counts.get(k, 0) for k in KINDS},
                   failing, unevaluated, manual)


def _control_key(control_id: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in control_id.replace("-", ".").split("."))
