"""Mask a whole dataset file: read in chunks, classify on the first chunk, mask, write atomically.

Usage (the CLI's ``data mask`` and the pipelines)::

    from auditor.data.maskfile import mask_dataset
    report = mask_dataset("landing/enroll.csv", "curated/enroll.parquet", policy, analyzer)
    report.rows, report.columns       # column -> "EMAIL_ADDRESS -> hash" / "free text, span by span"

The output format follows DST's suffix; DST appears only once fully written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.core.errors import UsageError
from auditor.data.classify import FrameClassification, classify_frame
from auditor.data.masking import Masker, MaskPolicy, mask_frame
from auditor.data.pii import PiiAnalyzer
from auditor.data.readers import ReadOptions, open_dataset
from auditor.data.writers import TableWriter


@dataclass
class MaskReport:
    """What was masked (no values)."""

    src: str
    dst: str
    rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    classification: FrameClassification | None = None


def mask_dataset(src: str, dst: str, policy: MaskPolicy, analyzer: PiiAnalyzer,
                 read: ReadOptions | None = None, masker: Masker | None = None) -> MaskReport:
    """Mask SRC into DST; one table (choose a workbook sheet with ``ReadOptions.sheet``)."""
    if src == dst:
        raise UsageError("SRC and DST must differ (landing files are never modified)")
    masker = masker or Masker(policy)
    report = MaskReport(src, dst)
    with open_dataset(src, read or ReadOptions()) as tables:
        if len(tables) > 1:
            raise UsageError(f"{src}: {len(tables)} sheets; choose one with --sheet")
        table = tables[0]
        classification: FrameClassification | None = None
        with TableWriter(dst, delimiter=table.delimiter or ",") as writer:
            for chunk in table.chunks():
                if classification is None:
                    classification = classify_frame(chunk, analyzer, analyze_free_text=False)
                writer.write(mask_frame(chunk, classification, policy, masker))
        report.rows = writer.rows
    report.classification = classification
    for name, c in (classification.columns if classification else {}).items():
        if c.free_text:
            report.columns[name] = "free text, whole cells redacted" if policy.strict_free_text \
                else "free text, masked span by span"
        elif c.pii and not c.masked:
            report.columns[name] = f"{c.entity} -> {policy.operator_for(c.entity, name).name}"
    return report
