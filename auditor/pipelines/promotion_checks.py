"""Promotion gates: the data-quality (DQDL) and PII checks run before every promotion.

A gate looks at the frame about to be promoted and returns a :class:`CheckResult`:
the rules it evaluated with their outcomes, the rows that failed a row-level
rule, and (for the PII gate) the masked frame to promote instead. The pipeline
then acts as configured - block the promotion, or set the failing rows aside in
Quarantine - and turns the result into a ``pipeline.run`` resource that
``rules/pipeline`` judges in the run's findings.

The checks themselves belong to the data layer and are called through its public API:
``auditor.data.quality`` for Glue DQDL, ``auditor.data.mask_verify`` (mask per policy,
then verify nothing detected remains) for PII. A gate that could not evaluate (a DQDL
rule that errors) says so (``available=False`` with the reason): it never reports a pass
it did not evaluate, and the pipeline fails closed.

Example::

    gate = QualityCheck("inquiries-311", 'Rules = [ IsComplete "department", ColumnValues "records" >= 0 ]')
    result = gate.check(frame, step="curated")
    if not result.passed: ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from auditor.data.mask_verify import MaskRequest, mask_and_verify
from auditor.data.quality import evaluate_ruleset, parse_ruleset
from auditor.data.quality.history import MetricHistory
from auditor.pipelines.lineage import history


@dataclass
class CheckResult:
    """What one gate found on one frame."""

    gate: str
    step: str
    available: bool = True
    error: str = ""
    rules: list[dict[str, Any]] = field(default_factory=list)
    failed_rows: pd.Series | None = None
    frame: pd.DataFrame | None = None
    pii_columns: list[str] = field(default_factory=list)
    masked_columns: list[str] = field(default_factory=list)
    unmasked_pii_columns: list[str] = field(default_factory=list)
    resources: list[Any] = field(default_factory=list)
    aggregate_failed: bool = False  # a failed rule without row-level outcome: rows cannot be routed

    @property
    def failed_rules(self) -> int:
        return sum(1 for r in self.rules if r.get("outcome") != "PASS")

    @property
    def passed(self) -> bool:
        return self.available and self.failed_rules == 0 and not self.unmasked_pii_columns


class PromotionCheck:
    """A promotion check."""

    name = ""

    def check(self, frame: pd.DataFrame, *, step: str) -> CheckResult:
        raise NotImplementedError


class QualityCheck(PromotionCheck):
    """Evaluates a Glue DQDL ruleset with the data layer's evaluator."""

    name = "quality"

    def __init__(self, ruleset_name: str, ruleset_text: str, *, history: Any = None, dataset_id: str = "") -> None:
        """``history``: past metrics for dynamic rules (e.g. ``MetricHistory.from_lineage(...)``)."""
        self.ruleset_name, self.ruleset_text = ruleset_name, ruleset_text
        self.history, self.dataset_id = history, dataset_id or ruleset_name

    def check(self, frame: pd.DataFrame, *, step: str) -> CheckResult:
        import numpy as np

        results = evaluate_ruleset(parse_ruleset(self.ruleset_text), frame.reset_index(drop=True),
                                   history=self.history, dataset_id=self.dataset_id)
        failed = np.zeros(len(frame), dtype=bool)
        rules = []
        aggregate_failed = False
        for r in results:
            # "metrics" (Glue-named) go into the lineage manifest: the history dynamic rules read.
            rules.append({"rule": r.rule, "outcome": r.outcome, "metric": r.metric,
                          "failing_rows": len(r.failing_rows), "detail": r.message,
                          "metrics": dict(getattr(r, "metrics", {}) or {})})
            if not r.passed:
                if r.failing_rows:
                    failed[np.asarray(r.failing_rows, dtype=int)] = True
                else:  # includes ERROR: rows cannot be routed around a rule nobody evaluated
                    aggregate_failed = True
        unevaluated = [f"{r['rule']}: {r['detail']}" for r in rules if r["outcome"] == "ERROR"]
        if unevaluated and not any(r["outcome"] == "FAIL" for r in rules):
            # Could not evaluate is never a pass or a fail: the gate is unavailable (fail closed, exit 3).
            # With a definite FAIL as well, the FAIL decides (exit 1), and no row is routed.
            return CheckResult(self.name, step, available=False, rules=rules, frame=frame,
                              error="DQDL rule(s) " + "; ".join(unevaluated))
        return CheckResult(self.name, step, rules=rules, frame=frame,
                          failed_rows=pd.Series(failed, index=frame.index), aggregate_failed=aggregate_failed)


class PiiCheck(PromotionCheck):
    """Masks PII per policy before promotion and verifies the result, through the data layer's API.

    :func:`auditor.data.mask_verify.mask_and_verify` classifies the columns, masks the PII
    ones with the masking policy and classifies the masked columns again: a column that
    still holds raw values is reported in ``unmasked_pii_columns`` and the promotion must
    stop. With ``mask=False`` (``on_pii: block``) nothing is masked: any raw PII blocks.
    The run's Presidio analyzer and policies are kept in ``services`` (see that module).

    ``declared``: columns the pipeline's schema says hold PII (column -> entity). They are
    PII whatever detection says and count as masked only when every value is masked.
    """

    name = "pii"

    def __init__(self, policy: str | None = None, *, mask: bool = True, services: dict[str, Any] | None = None,
                 table_id: str = "", declared: dict[str, str] | None = None) -> None:
        self.policy, self.mask = policy, mask
        self.declared = dict(declared or {})
        self.services = services if services is not None else {}
        self.table_id = table_id

    def check(self, frame: pd.DataFrame, *, step: str) -> CheckResult:
        verdict = mask_and_verify(frame, MaskRequest(self.policy, mask=self.mask, declared=self.declared), self.services)
        still = verdict.unmasked_pii_columns
        rule = {"rule": "no unmasked PII promoted", "outcome": "FAIL" if still else "PASS",
                "detail": f"{len(verdict.pii_columns)} PII column(s), {len(verdict.masked_columns)} masked"}
        return CheckResult(self.name, step, rules=[rule], frame=verdict.frame, pii_columns=verdict.pii_columns,
                           masked_columns=verdict.masked_columns, unmasked_pii_columns=still,
                           resources=verdict.table_resources(self.table_id) if self.table_id else [])


def quality_history(store: Any, pipeline: str) -> Any:
    """The quality metrics of this pipeline's earlier runs (their lineage manifests, oldest
    first): what dynamic DQDL rules (``avg(last(10))``) and DetectAnomalies compare against."""
    return MetricHistory.from_lineage(history(store, pipeline), pipeline)
