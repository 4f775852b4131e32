"""Promotion gates: the data-quality (DQDL) and PII checks run before every promotion.

A gate looks at the frame about to be promoted and returns a :class:`GateResult`:
the rules it evaluated with their outcomes, the rows that failed a row-level
rule, and (for the PII gate) the masked frame to promote instead. The pipeline
then acts as configured - block the promotion, or set the failing rows aside in
Quarantine - and turns the result into a ``pipeline.run`` resource that
``rules/pipeline`` judges in the run's findings.

The checks themselves belong to the data layer (``auditor.data.quality`` for
Glue DQDL, ``auditor.data.pii`` + ``auditor.data.masking`` for PII). When that
layer is not installed a gate says so (``available=False`` with the reason): it
never reports a pass it did not evaluate, and the pipeline fails closed.

Example::

    gate = QualityGate("inquiries-311", 'Rules = [ IsComplete "department", ColumnValues "records" >= 0 ]')
    result = gate.check(frame, step="curated")
    if not result.passed: ...
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class GateResult:
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

    @property
    def failed_rules(self) -> int:
        return sum(1 for r in self.rules if r.get("outcome") != "PASS")

    @property
    def passed(self) -> bool:
        return self.available and self.failed_rules == 0 and not self.unmasked_pii_columns


class Gate:
    """A promotion check."""

    name = ""

    def check(self, frame: pd.DataFrame, *, step: str) -> GateResult:
        raise NotImplementedError


def _optional(module: str, *names: str) -> tuple[Any, ...] | str:
    """The named functions of a data-layer module, or the reason they are unavailable."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return f"{module} is not available (the data-governance layer is not installed)"
        raise
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        return f"{module} does not provide {', '.join(missing)}"
    return tuple(getattr(mod, n) for n in names)


class QualityGate(Gate):
    """Evaluates a Glue DQDL ruleset with the data layer's evaluator."""

    name = "quality"

    def __init__(self, ruleset_name: str, ruleset_text: str) -> None:
        self.ruleset_name, self.ruleset_text = ruleset_name, ruleset_text

    def check(self, frame: pd.DataFrame, *, step: str) -> GateResult:
        funcs = _optional("auditor.data.quality", "parse_ruleset", "evaluate_ruleset")
        if isinstance(funcs, str):
            return GateResult(self.name, step, available=False, error=funcs)
        parse_ruleset, evaluate_ruleset = funcs
        return _quality_result(self.name, step, evaluate_ruleset(parse_ruleset(self.ruleset_text), frame), frame)


def _quality_result(gate: str, step: str, outcome: Any, frame: pd.DataFrame) -> GateResult:
    """Adapt the data layer's DQDL outcome to a GateResult (rows failing any row-level rule)."""
    raise NotImplementedError("wired when auditor.data.quality lands")


class PiiGate(Gate):
    """Classifies columns with the data layer and masks PII per policy before promotion."""

    name = "pii"

    def __init__(self, policy: Any = None, *, mask: bool = True, services: dict[str, Any] | None = None) -> None:
        self.policy, self.mask, self.services = policy, mask, services if services is not None else {}

    def check(self, frame: pd.DataFrame, *, step: str) -> GateResult:
        classify = _optional("auditor.data.pii", "classify_frame")
        masking = _optional("auditor.data.masking", "mask_frame", "load_policy")
        for funcs in (classify, masking):
            if isinstance(funcs, str):
                return GateResult(self.name, step, available=False, error=funcs)
        raise NotImplementedError("wired when auditor.data.pii and auditor.data.masking land")
