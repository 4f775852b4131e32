"""Mask a whole dataset file: classify on a first pass over the file, mask on a second, write atomically.

Usage (the CLI's ``data mask`` and the pipelines)::

    from auditor.data.maskfile import mask_dataset
    report = mask_dataset("landing/enroll.csv", "curated/enroll.parquet", policy, analyzer)
    report.rows, report.columns       # column -> "EMAIL_ADDRESS -> hash" / "free text, span by span"
    report.warnings                   # e.g. a header row that holds data (positions only)

``unmask_dataset`` is the reverse for holders of the key (``auditor data unmask``):
well-formed ``enc:v1:`` tokens are decrypted, everything else is copied as it is.

Nothing is written before the whole file has been classified: a column that is empty
for its first chunks and full of e-mails later is masked from its first row on (see
``auditor.data.profile``). The input is read twice and never modified. A header cell
that holds data is written as ``column_N``. The output format follows DST's suffix;
DST appears only once fully written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from auditor.core.errors import DataError, UsageError
from auditor.data.classify import ColumnClassification, FrameClassification
from auditor.data.masking import Masker, MaskPolicy, UnmaskCounts, mask_frame, unmask_frame
from auditor.data.parallel import can_fork, fork_map
from auditor.data.pii import PiiAnalyzer
from auditor.data.profile import check_header, classify_table, header_warning
from auditor.data.readers import ReadOptions, open_dataset
from auditor.data.writers import TableWriter, refuse_overwrite

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class MaskReport:
    """What was masked (no values)."""

    src: str
    dst: str
    rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    classification: FrameClassification | None = None
    warnings: list[str] = field(default_factory=list)


def mask_dataset(src: str, dst: str, policy: MaskPolicy, analyzer: PiiAnalyzer,
                 read: ReadOptions | None = None, masker: Masker | None = None) -> MaskReport:
    """Mask SRC into DST; one table (choose a workbook sheet with ``ReadOptions.sheet``)."""
    refuse_overwrite(dst, [src], "the masked output")  # ./src, a symlink or a hard link to it too
    masker = masker or Masker(policy)
    report = MaskReport(src, dst)
    with open_dataset(src, read or ReadOptions()) as tables:
        if len(tables) > 1:
            raise UsageError(f"{src}: {len(tables)} sheets; choose one with --sheet")
        table = tables[0]
        positions = check_header(table, analyzer)
        if positions:
            report.warnings.append(header_warning(table, positions))
        classification = classify_table(table, analyzer).classification
        with TableWriter(dst, delimiter=table.delimiter or ",") as writer:
            for chunk in table.chunks():
                writer.write(_mask_chunk(chunk, classification, policy, masker, analyzer.workers))
        report.rows = writer.rows
    report.classification = classification
    for name, c in classification.columns.items():
        what = _what_was_masked(name, c, policy)
        if what:
            report.columns[name] = what
    return report


# Rows below which forking workers to mask a chunk costs more than it saves.
PARALLEL_MASK_MIN = 10_000


def _mask_chunk(chunk: pd.DataFrame, classification: FrameClassification, policy: MaskPolicy, masker: Masker,
                workers: int) -> pd.DataFrame:
    """``mask_frame`` of one chunk, its rows shared among ``workers`` forked processes when large
    (each masks a slice; free-text spans come from the inherited cache or are found there)."""
    import pandas as pd

    if workers <= 1 or len(chunk) < PARALLEL_MASK_MIN or not can_fork():
        return mask_frame(chunk, classification, policy, masker)
    bounds = [len(chunk) * k // workers for k in range(workers + 1)]
    parts = fork_map(lambda k: mask_frame(chunk.iloc[bounds[k]:bounds[k + 1]], classification, policy, masker),
                     workers, workers)
    return pd.concat(parts)


@dataclass
class UnmaskReport:
    """What was decrypted (counts only)."""

    src: str
    dst: str
    rows: int = 0
    decrypted: int = 0
    undecryptable: int = 0
    warnings: list[str] = field(default_factory=list)


def unmask_dataset(src: str, dst: str, masker: Masker, read: ReadOptions | None = None) -> UnmaskReport:
    """Decrypt the ``enc:v1:`` tokens of SRC into DST; one table, written atomically.

    Text that only looks like a token stays as it is (reported as a warning with
    its count). When tokens are present and not one of them decrypts, the key is
    wrong: ``DataError`` naming SRC, and DST is not written.
    """
    refuse_overwrite(dst, [src], "the unmasked output")  # the masked file is kept
    report = UnmaskReport(src, dst)
    counts = UnmaskCounts()
    with open_dataset(src, read or ReadOptions()) as tables:
        if len(tables) > 1:
            raise UsageError(f"{src}: {len(tables)} sheets; choose one with --sheet")
        with TableWriter(dst, delimiter=tables[0].delimiter or ",") as writer:
            for chunk in tables[0].chunks():
                writer.write(unmask_frame(chunk, masker, counts)[0])
            if counts.undecryptable and not counts.decrypted:
                raise DataError(f"{src}: none of the {counts.undecryptable} encrypted value(s) decrypts with "
                                "this policy's key (wrong key or corrupted file); nothing written")
        report.rows = writer.rows
    report.decrypted, report.undecryptable = counts.decrypted, counts.undecryptable
    if counts.undecryptable:
        report.warnings.append(f"{src}: {counts.undecryptable} value(s) look like encrypted tokens but do not "
                               "decrypt with this key; left as they are")
    return report


def _what_was_masked(name: str, c: ColumnClassification, policy: MaskPolicy) -> str:
    if c.free_text:
        return "free text, whole cells redacted" if policy.strict_free_text else "free text, masked span by span"
    if c.kind == "mixed":
        return "mixed values, detected PII masked span by span"
    if c.pii and not c.masked:
        return f"{c.entity} -> {policy.operator_for(c.entity, name).name}"
    return ""
