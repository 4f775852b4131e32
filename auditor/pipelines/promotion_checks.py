"""Promotion gates: the data-quality (DQDL) and PII checks run before every promotion.

A gate looks at the frame about to be promoted and returns a :class:`CheckResult`:
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

    gate = QualityCheck("inquiries-311", 'Rules = [ IsComplete "department", ColumnValues "records" >= 0 ]')
    result = gate.check(frame, step="curated")
    if not result.passed: ...
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


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


class QualityCheck(PromotionCheck):
    """Evaluates a Glue DQDL ruleset with the data layer's evaluator."""

    name = "quality"

    def __init__(self, ruleset_name: str, ruleset_text: str, *, history: Any = None, dataset_id: str = "") -> None:
        """``history``: past metrics for dynamic rules (e.g. ``MetricHistory.from_lineage(...)``)."""
        self.ruleset_name, self.ruleset_text = ruleset_name, ruleset_text
        self.history, self.dataset_id = history, dataset_id or ruleset_name

    def check(self, frame: pd.DataFrame, *, step: str) -> CheckResult:
        import numpy as np

        funcs = _optional("auditor.data.quality", "parse_ruleset", "evaluate_ruleset")
        if isinstance(funcs, str):
            return CheckResult(self.name, step, available=False, error=funcs)
        parse_ruleset, evaluate_ruleset = funcs
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


TEXT_SAMPLE = 500


class PiiCheck(PromotionCheck):
    """Classifies columns with the data layer and masks PII per policy before promotion.

    The run's Presidio analyzer is built once and kept in ``services["pii_analyzer"]``
    (settings from ``services["pii_config"]``, the ``data`` config section).
    After masking the frame is classified again: a column that still holds raw
    values is reported in ``unmasked_pii_columns`` and the promotion must stop.
    With ``mask=False`` (``on_pii: block``) nothing is masked: any raw PII blocks.

    ``declared``: columns the pipeline's schema says hold PII (column -> entity).
    They are PII whatever detection says (detection still runs on every other
    column) and count as masked only when every value is a mask placeholder,
    token or ciphertext.
    """

    name = "pii"

    def __init__(self, policy: str | None = None, *, mask: bool = True, services: dict[str, Any] | None = None,
                 table_id: str = "", declared: dict[str, str] | None = None) -> None:
        self.policy, self.mask = policy, mask
        self.declared = dict(declared or {})
        self.services = services if services is not None else {}
        self.table_id = table_id

    def check(self, frame: pd.DataFrame, *, step: str) -> CheckResult:
        pii = _optional("auditor.data.pii", "build_analyzer", "PiiSettings")
        classify = _optional("auditor.data.classify", "classify_frame")
        masking = _optional("auditor.data.masking", "mask_frame", "load_policy")
        if isinstance(pii, str) or isinstance(classify, str) or isinstance(masking, str):
            reason = next(f for f in (pii, classify, masking) if isinstance(f, str))
            return CheckResult(self.name, step, available=False, error=reason)
        build_analyzer, pii_settings = pii
        (classify_frame,) = classify
        mask_frame, load_policy = masking
        analyzer = self.services.get("pii_analyzer")
        if analyzer is None:
            settings = self.services.get("pii_settings") or pii_settings.from_config(self.services.get("pii_config", {}))
            analyzer = build_analyzer(settings)
            self.services["pii_analyzer"] = analyzer
        policies = self.services.setdefault("masking_policies", {})
        if self.policy not in policies:
            policies[self.policy] = load_policy(self.policy)
        found = self._classify(classify_frame, analyzer, frame, list(frame.columns))
        text = {c: self._text_state(analyzer, frame[c]) for c in found.free_text_columns}
        raw = [c for c in found.pii_columns if not found[c].masked and c not in text]
        # A free-text column is masked (every value analysed) unless a sample shows it was masked before.
        raw_text = [c for c, (leaks, placeholders) in text.items() if leaks or not placeholders]
        out, after = frame, found
        if self.mask and (raw or raw_text):
            todo = {c: found[c] for c in [*raw, *raw_text]}
            out = mask_frame(frame, type(found)(todo, analyzer), policies[self.policy])
            # Verify: never trust a mask we did not check (only the columns masking touched changed).
            again = self._classify(classify_frame, analyzer, out, raw)
            after = type(found)({**found.columns, **again.columns}, analyzer)
            text.update({c: self._text_state(analyzer, out[c]) for c in raw_text})
        for c, (leaks, placeholders) in text.items():
            after.columns[c] = self._text_verdict(after.columns[c], leaks, placeholders)
        pii_columns = sorted({*found.pii_columns, *(c for c in text if after.columns[c].pii)})
        still = sorted(c for c, r in after.columns.items() if r.pii and not r.masked)
        masked = sorted(c for c in pii_columns if c not in still)
        rule = {"rule": "no unmasked PII promoted", "outcome": "FAIL" if still else "PASS",
                "detail": f"{len(pii_columns)} PII column(s), {len(masked)} masked"}
        return CheckResult(self.name, step, rules=[rule], frame=out, pii_columns=pii_columns,
                          masked_columns=masked, unmasked_pii_columns=still,
                          resources=_dataset_resources(self.table_id, out, after) if self.table_id else [])


    def _classify(self, classify_frame: Any, analyzer: Any, frame: pd.DataFrame, columns: list[Any]) -> Any:
        """Classify ``columns`` of ``frame``; declared columns are decided by the schema, not sampled."""
        detect = [c for c in columns if c not in self.declared]
        # Free text is checked by _text_state on a sample; masking analyses every value.
        found = classify_frame(frame[detect], analyzer, analyze_free_text=False)
        for column in columns:
            if column in self.declared:
                found.columns[column] = self._declared(column, frame[column])
        return found

    def _text_state(self, analyzer: Any, series: pd.Series) -> tuple[int, int]:
        """(values with a raw PII span, values with a mask placeholder) in a sample of a free-text column."""
        from auditor.data.classify import MASK_PLACEHOLDER

        values = series.dropna().astype("str")
        values = values[values.str.strip() != ""]
        if len(values) > TEXT_SAMPLE:
            values = values.sample(n=TEXT_SAMPLE, random_state=0)
        texts = values.tolist()
        leaks = placeholders = 0
        for text, spans in zip(texts, analyzer.analyze_many(texts), strict=True):
            if any(not MASK_PLACEHOLDER.fullmatch(text[s.start:s.end]) for s in spans):
                leaks += 1
            if MASK_PLACEHOLDER.search(text):
                placeholders += 1
        return leaks, placeholders

    @staticmethod
    def _text_verdict(col: Any, leaks: int, placeholders: int) -> Any:
        from dataclasses import replace

        pii = bool(leaks or placeholders)
        return replace(col, pii=pii, classification="pii" if pii else "not-pii", masked=pii and not leaks,
                       evidence={**col.evidence, "decided_by": f"free text: {leaks} of a {TEXT_SAMPLE}-value sample "
                                 f"with raw PII, {placeholders} with mask placeholders"})

    def _declared(self, column: str, series: pd.Series) -> Any:
        from auditor.data.classify import ColumnClassification, looks_masked

        values = series.dropna().astype("str").unique()
        masked = bool(len(values)) and all(looks_masked(v) for v in values)
        return ColumnClassification(column=column, kind="structured", entity=self.declared[column], pii=True,
                                    classification="pii", confidence=1.0, support=1.0, masked=masked,
                                    sample_size=len(values),
                                    evidence={"decided_by": "declared PII in the pipeline schema"})


def _dataset_resources(table_id: str, frame: pd.DataFrame, classification: Any) -> list[Any]:
    """``dataset.file`` / ``dataset.column`` resources of the promoted table, for ``rules/data``."""
    from auditor.data.readers import Table
    from auditor.data.scan import TableScan, _dtype, table_resources

    table = Table(id=table_id, source=table_id, format="parquet", columns=[str(c) for c in frame.columns])
    scan = TableScan(table, classification, len(frame), {str(c): int(n) for c, n in frame.isna().sum().items()},
                     {str(c): _dtype(frame[c]) for c in frame.columns})
    resources: list[Any] = table_resources(scan)
    return resources


def quality_history(store: Any, pipeline: str) -> Any:
    """The quality metrics of this pipeline's earlier runs (their lineage manifests, oldest
    first): what dynamic DQDL rules (``avg(last(10))``) and DetectAnomalies compare against."""
    from auditor.data.quality.history import MetricHistory
    from auditor.pipelines.lineage import history

    return MetricHistory.from_lineage(history(store, pipeline), pipeline)
