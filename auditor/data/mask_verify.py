"""Mask a frame per policy, then verify that nothing detected as PII remains: the data layer's API for gates.

One call does what a promotion gate needs: classify every column (structured values
on a sample, free text value by value on a sample), mask the PII columns with the
masking policy's operators, classify the masked columns again, and say which PII
columns still hold raw values. A mask is never trusted unchecked.

Example::

    from auditor.data.mask_verify import MaskRequest, mask_and_verify

    verdict = mask_and_verify(frame, MaskRequest(policy="policy.yml", declared={"email": "EMAIL_ADDRESS"}),
                              services)
    verdict.frame                   # the masked frame (the input itself when nothing needed masking)
    verdict.unmasked_pii_columns    # [] unless raw PII remains: then nothing may be promoted
    verdict.table_resources("s3://lake/Raw/applications.csv")   # dataset.file / dataset.column resources

``services`` is the run's cache (``RunContext.services``): the Presidio analyzer is built
once per run from ``services["pii_settings"]`` or ``services["pii_config"]`` (the ``data``
config section) and kept in ``services["pii_analyzer"]``; loaded masking policies are
kept in ``services["masking_policies"]``.

``declared`` columns (column -> entity, from a pipeline's schema) are PII whatever
detection says, and count as masked only when every value is a mask placeholder, token
or ciphertext. With ``mask=False`` nothing is masked: the verdict says what is raw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from auditor.core.resources import Resource
from auditor.data.classify import (
    MASK_PLACEHOLDER,
    ColumnClassification,
    FrameClassification,
    classify_frame,
    looks_masked,
)
from auditor.data.masking import MaskPolicy, load_policy, mask_frame
from auditor.data.pii import PiiSettings, build_analyzer
from auditor.data.profile import column_dtype
from auditor.data.readers import Table
from auditor.data.scan import TableScan, table_resources

# Values of a free-text column analysed to decide whether it still holds raw PII.
TEXT_SAMPLE = 500


@dataclass(frozen=True)
class MaskRequest:
    """How to mask: the policy file (``None``: the default policy), whether to mask, the declared PII."""

    policy: str | None = None
    mask: bool = True
    declared: Mapping[str, str] = field(default_factory=dict)


@dataclass
class MaskVerdict:
    """The frame to promote and what verification found in it."""

    frame: pd.DataFrame
    classification: FrameClassification
    pii_columns: list[str]
    masked_columns: list[str]
    unmasked_pii_columns: list[str]

    def table_resources(self, table_id: str) -> list[Resource]:
        """``dataset.file`` / ``dataset.column`` resources of the frame as ``table_id``, for ``rules/data``."""
        frame = self.frame
        table = Table(id=table_id, source=table_id, format="parquet", columns=[str(c) for c in frame.columns])
        scan = TableScan(table, self.classification, len(frame),
                         {str(c): int(n) for c, n in frame.isna().sum().items()},
                         {str(c): column_dtype(frame[c]) for c in frame.columns})
        return table_resources(scan)


def mask_and_verify(frame: pd.DataFrame, request: MaskRequest, services: dict[str, Any]) -> MaskVerdict:
    """Mask ``frame`` per ``request`` and verify the result (see the module docstring)."""
    analyzer = run_analyzer(services)
    policy = _policy(services, request.policy)  # loaded first: a bad policy file stops even a clean frame
    declared = dict(request.declared)
    found = _classify(analyzer, frame, list(frame.columns), declared)
    text = {c: _text_state(analyzer, frame[c]) for c in found.free_text_columns}
    raw, raw_text = _raw_columns(found, text)
    out, after = frame, found
    if request.mask and (raw or raw_text):
        todo = {c: found[c] for c in [*raw, *raw_text]}
        out = mask_frame(frame, FrameClassification(todo, analyzer), policy)
        # Verify: only the columns masking touched changed, so only they are classified again.
        again = _classify(analyzer, out, raw, declared)
        after = FrameClassification({**found.columns, **again.columns}, analyzer)
        text.update({c: _text_state(analyzer, out[c]) for c in raw_text})
    for c, (leaks, placeholders) in text.items():
        after.columns[c] = _text_verdict(after.columns[c], leaks, placeholders)
    return _verdict(out, found, after, list(text))


def _raw_columns(found: FrameClassification, text: dict[str, tuple[int, int]]) -> tuple[list[str], list[str]]:
    """(structured PII columns not masked yet, free-text columns to mask)."""
    raw = [c for c in found.pii_columns if not found[c].masked and c not in text]
    # A free-text column is masked (every value analysed) unless a sample shows it was masked before.
    raw_text = [c for c, (leaks, placeholders) in text.items() if leaks or not placeholders]
    return raw, raw_text


def run_analyzer(services: dict[str, Any]) -> Any:
    """The run's Presidio analyzer, built once and kept in ``services["pii_analyzer"]``."""
    analyzer = services.get("pii_analyzer")
    if analyzer is None:
        settings = services.get("pii_settings") or PiiSettings.from_config(services.get("pii_config", {}))
        analyzer = services["pii_analyzer"] = build_analyzer(settings)
    return analyzer


def _policy(services: dict[str, Any], path: str | None) -> MaskPolicy:
    policies: dict[str | None, MaskPolicy] = services.setdefault("masking_policies", {})
    if path not in policies:
        policies[path] = load_policy(path)
    return policies[path]


def _verdict(out: pd.DataFrame, found: FrameClassification, after: FrameClassification,
             text_columns: list[str]) -> MaskVerdict:
    pii_columns = sorted({*found.pii_columns, *(c for c in text_columns if after.columns[c].pii)})
    still = sorted(c for c, r in after.columns.items() if r.pii and not r.masked)
    masked = sorted(c for c in pii_columns if c not in still)
    return MaskVerdict(out, after, pii_columns, masked, still)


def _classify(analyzer: Any, frame: pd.DataFrame, columns: list[Any], declared: dict[str, str]) -> FrameClassification:
    """Classify ``columns`` of ``frame``; declared columns are decided by the schema, not sampled."""
    detect = [c for c in columns if c not in declared]
    # Free text is checked by _text_state on a sample; masking analyses every value.
    found = classify_frame(frame[detect], analyzer, analyze_free_text=False)
    for column in columns:
        if column in declared:
            found.columns[column] = _declared(column, declared[column], frame[column])
    return found


def _text_state(analyzer: Any, series: pd.Series) -> tuple[int, int]:
    """(values with a raw PII span, values with a mask placeholder) in a sample of a free-text column."""
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


def _text_verdict(col: ColumnClassification, leaks: int, placeholders: int) -> ColumnClassification:
    pii = bool(leaks or placeholders)
    return replace(col, pii=pii, classification="pii" if pii else "not-pii", masked=pii and not leaks,
                   evidence={**col.evidence, "decided_by": f"free text: {leaks} of a {TEXT_SAMPLE}-value sample "
                             f"with raw PII, {placeholders} with mask placeholders"})


def _declared(column: str, entity: str, series: pd.Series) -> ColumnClassification:
    values = series.dropna().astype("str").unique()
    masked = bool(len(values)) and all(looks_masked(v) for v in values)
    return ColumnClassification(column=column, kind="structured", entity=entity, pii=True,
                                classification="pii", confidence=1.0, support=1.0, masked=masked,
                                sample_size=len(values),
                                evidence={"decided_by": "declared PII in the pipeline schema"})
