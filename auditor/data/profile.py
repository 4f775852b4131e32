"""Whole-table classification, streamed: the header check and the first of two passes.

Usage (what the data scan and ``data mask`` call)::

    from auditor.data.profile import check_header, classify_table

    with open_dataset("landing/enroll.csv") as tables:
        table = tables[0]
        positions = check_header(table, analyzer)   # header cells holding data -> column_N
        profiled = classify_table(table, analyzer)  # pass 1: every chunk counted and sampled
        profiled.classification["email"].pii
        for chunk in table.chunks():                # pass 2: mask, or count free-text PII
            ...

Pass 1 keeps, per column, exact counts and a uniform sample of at most
``sample_size`` values (``auditor.data.sampling``): memory is bounded whatever the
file size, and every column is judged on values drawn from all of its rows, not
from the first chunk. The input is a file, so reading it twice costs I/O, never
correctness: nothing is masked before the whole file has been seen.

Header cells are checked like values: one that looks like data (an e-mail, a
number, a date, 5+ digits) or in which the analyzer finds an entity is a data row
taken for a header (a CSV without one). Its column is renamed ``column_N`` for
every later read, so the value never reaches a report, a finding or the masked file.
When more than half of the header cells hold data, every cell of the row is treated
so (the detector cannot find every name, and a status value is data too).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.data.classify import (
    NOT_PII_ENTITIES,
    ColumnClassification,
    FrameClassification,
    apply_quasi_identifiers,
    classify_profile,
    name_hint,
)
from auditor.data.parallel import fork_map
from auditor.data.readers import Table, header_looks_like_data
from auditor.data.sampling import ColumnSampler

if TYPE_CHECKING:
    from auditor.data.pii import PiiAnalyzer

_DATA_ROW = 0.5  # above this share of header cells holding data, the whole header row is data
_HEADER_MAX_CHARS = 200


@dataclass
class TableProfile:
    """The first pass over a table: its classification and plain counts."""

    classification: FrameClassification
    rows: int
    nulls: dict[str, int]
    dtypes: dict[str, str]
    # The parsed rows of a small table (see ``Table.kept_chunks``), for the next open of the same
    # unchanged file in this run; only the most recently profiled table keeps them.
    chunks: list[Any] | None = None


def column_dtype(series: Any) -> str:
    """The storage type of a column as reports name it (string, int64, float64, bool, datetime)."""
    kind = series.dtype.kind
    if kind in "OUT" or str(series.dtype) in ("str", "string"):
        return "string"
    return {"i": "int64", "u": "int64", "f": "float64", "b": "bool", "M": "datetime"}.get(kind, str(series.dtype))


_REMEMBERED = 64  # profiles an analyzer keeps (a run scans, then masks, the same files)


def _identity(table: Table) -> tuple[object, ...] | None:
    """What makes a local file's table the same table again: path, size, change time, inode,
    sheet, columns and how it is read. None for s3:// (re-read: an object may change)."""
    if table.source.startswith("s3://"):
        return None
    try:
        st = os.stat(table.source)
    except OSError:
        return None
    return (os.path.realpath(table.source), st.st_size, st.st_mtime_ns, st.st_ino, table.sheet,
            tuple(table.columns), table.delimiter, table.encoding)


def classify_table(table: Table, analyzer: PiiAnalyzer) -> TableProfile:
    """Read every chunk once, then classify each column on its whole-column profile.

    The analyzer remembers the result for an unchanged local file, so ``data mask`` after
    ``data scan`` in one run (what a pipeline's PII gate does) does not classify it twice."""
    key = _identity(table)
    remembered = analyzer.profiles.get(key) if key else None
    if isinstance(remembered, TableProfile):  # the analyzer keeps them as objects (pii cannot import this module)
        if remembered.chunks is not None:
            table.reuse_chunks(remembered.chunks)  # the same bytes, already parsed: no second parse
        return remembered
    profiled = _classify_table(table, analyzer)
    if key and len(analyzer.profiles) < _REMEMBERED:
        for earlier in analyzer.profiles.values():
            if isinstance(earlier, TableProfile):
                earlier.chunks = None  # bounded memory: one table's rows at most
        profiled.chunks = table.kept_chunks()
        analyzer.profiles[key] = profiled
    return profiled


def _classify_table(table: Table, analyzer: PiiAnalyzer) -> TableProfile:
    samplers = {c: ColumnSampler(c, analyzer.settings.sample_size) for c in table.columns}
    rows = 0
    nulls: Counter[str] = Counter()
    dtypes: dict[str, str] = {}
    for chunk in table.chunks():
        if not dtypes:
            dtypes = {str(c): column_dtype(chunk[c]) for c in chunk.columns}
        for col in chunk.columns:
            samplers[str(col)].add(chunk[col])
        for col, n in chunk.isna().sum().items():
            nulls[str(col)] += int(n)
        rows += len(chunk)
    columns = _classify_columns(samplers, analyzer)
    apply_quasi_identifiers(columns)
    return TableProfile(FrameClassification(columns, analyzer), rows, dict(nulls), dtypes)


# Sampled cells below which classifying the columns in forked workers costs more than it saves.
PARALLEL_CELLS = 4000


def _classify_columns(samplers: dict[str, ColumnSampler], analyzer: PiiAnalyzer) -> dict[str, ColumnClassification]:
    """Each column's classification from its profile; the columns shared among worker processes
    when there are many sampled cells (each column is classified on its own)."""
    profiles = {c: s.profile() for c, s in samplers.items() if s.rows}
    names = list(profiles)
    if sum(len(p.sample) for p in profiles.values()) < PARALLEL_CELLS:
        found = [classify_profile(profiles[c], analyzer) for c in names]
    else:
        found = fork_map(lambda k: classify_profile(profiles[names[k]], analyzer), len(names), analyzer.workers)
    done = dict(zip(names, found, strict=True))
    return {c: done.get(c) or ColumnClassification(column=c) for c in samplers}


def check_header(table: Table, analyzer: PiiAnalyzer) -> list[int]:
    """Positions (1-based) of header cells that hold data; those columns become ``column_N``."""
    flagged = [i for i, name in enumerate(table.columns, start=1) if header_cell_holds_data(name, analyzer)]
    if len(flagged) > _DATA_ROW * len(table.columns):
        # Mostly data: the whole row is a data row taken for a header (a name the detector
        # misses, a status value), so no cell of it is shown.
        flagged = list(range(1, len(table.columns) + 1))
    if flagged:
        taken = set(table.columns)
        names: dict[int, str] = {}
        for i in flagged:
            name, k = f"column_{i}", 2
            while name in taken:  # a real header may already be called column_3
                name, k = f"column_{i}_{k}", k + 1
            taken.add(name)
            names[i] = name
        table.rename_columns(names)
    return flagged


def header_cell_holds_data(cell: str, analyzer: PiiAnalyzer) -> bool:
    """A header cell shaped like a value, or holding an entity the analyzer detects."""
    if len(cell) > _HEADER_MAX_CHARS or header_looks_like_data(cell):
        return True  # no column is named with a paragraph: it is data (and too long to analyse cheaply)
    spans = [*analyzer.analyze_text(cell), *analyzer.analyze_cell(cell)[0]]
    return any(s.entity not in NOT_PII_ENTITIES and not _header_word(cell[s.start:s.end]) for s in spans)


def _header_word(text: str) -> bool:
    """One word that names a PII column ("Name" in "Mother Name"): header vocabulary, not data."""
    return len(text.split()) == 1 and name_hint(text) is not None


def header_warning(table: Table, positions: list[int]) -> str:
    """The one-line warning for header cells that hold data (positions and new names, never the cells)."""
    where = ", ".join(str(p) for p in positions)
    shown = ", ".join(table.columns[p - 1] for p in positions)
    return (f"{table.id}: header looks like data in column {where} (a file without a header row?); "
            f"shown as {shown} in every output")
