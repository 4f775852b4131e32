"""``auditor data scan``: datasets -> ``dataset.file`` / ``dataset.column`` resources -> findings.

Usage (what the CLI and the demo call)::

    from auditor.audit_run import prepare, default_rule_paths
    from auditor.data.scan import DataScanOptions, run_data_scan

    prepared = prepare(default_rule_paths("data"), resource_prefix="dataset.")
    doc = run_data_scan(prepared, ["landing/enroll.csv", "s3://bucket/raw/"], DataScanOptions())

Each path is a file, a local directory (every .csv/.xlsx/.parquet under it) or
an ``s3://bucket/prefix/`` (every supported object under it). Tables are read
in chunks, twice: the first pass classifies every column on counts and a sample
drawn across all of its rows (``auditor.data.profile``); the second analyses free-text
and mixed columns value by value (only when the table has such columns).

A header cell that holds data (a CSV without a header row) is never echoed: the
column is named ``column_N`` in every output, the file resource lists the positions
in ``header_looks_like_data`` and the run warns (positions only).

With s3:// paths, one S3 HeadBucket comes first: missing credentials, an
unknown profile or an unreachable endpoint stop the scan there with one line
(:class:`~auditor.core.errors.AwsSetupError`, exit 2) before anything is read.

A file that cannot be read (empty, not UTF-8, truncated, a corrupt workbook, a zip
bomb, a sheet beyond ``data.limits``...) becomes a ``dataset.file`` resource with the
reason as its collection error: every file rule gives an ERROR finding naming the
file and the problem, the run warns with the same one line, and the scan goes on
with the other files (ERROR findings make the command exit 3). A Parquet column the
scanner cannot read as values (binary data that is not text) is left out of the
table and becomes a ``dataset.column`` resource with the reason: its findings are
ERROR, never a silent pass. A local path that does not exist is a usage error
(``DataError``, exit 2) raised before anything is read.

The analyzer is built once per run: ``options.analyzer``, else
``context.services["pii_analyzer"]``, else a new one (stored back in the context
so a later step of the same run, e.g. masking, reuses it and its span cache).

The findings document carries ``attachments["datasets"]``: the PII inventory per
table (entity, confidence, counts, masked samples; never raw values).
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.audit_run import evaluate
from auditor.aws.access import probe_s3
from auditor.core.context import RunContext
from auditor.core.documents import FindingsDocument
from auditor.core.errors import DataError
from auditor.core.resources import Inventory, Resource
from auditor.data.classify import FrameClassification, add_free_text_counts, add_value_counts
from auditor.data.pii import PiiAnalyzer, PiiSettings, build_analyzer
from auditor.data.profile import check_header, classify_table, header_warning
from auditor.data.quality import evaluate_ruleset
from auditor.data.readers import FORMATS, ReadOptions, Table, open_dataset, split_s3


@dataclass
class DataScanOptions:
    """How to scan: reading options, detection settings, an optional prebuilt analyzer and context."""

    read: ReadOptions = field(default_factory=ReadOptions)
    settings: PiiSettings = field(default_factory=PiiSettings)
    analyzer: PiiAnalyzer | None = None
    context: RunContext | None = None
    ruleset: Any = None  # a parsed DQDL Ruleset: evaluated on every table (reads the table into memory)


@dataclass
class TableScan:
    """The result of scanning one table."""

    table: Table
    classification: FrameClassification
    rows: int
    nulls: dict[str, int]
    dtypes: dict[str, str]
    header_positions: list[int] = field(default_factory=list)  # header cells that hold data (1-based)


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Files from files, local directories and s3:// prefixes (sorted, supported types only)."""
    out: list[str] = []
    for raw in paths:
        p = str(raw)
        if p.startswith("s3://"):
            if p.endswith("/") or "/" not in p[5:]:
                out.extend(_list_s3(p))
            else:
                out.append(p)
            continue
        local = Path(p)
        if not local.exists():  # a mistyped argument: said at once, before anything is read
            raise DataError(f"{p}: no such file or directory; nothing was scanned")
        if local.is_dir():
            found = sorted(str(f) for f in local.rglob("*") if f.is_file() and f.suffix.lower() in FORMATS)
            if not found:
                raise DataError(f"{p}: no .csv, .xlsx or .parquet files in this directory")
            out.extend(found)
        else:
            out.append(p)
    return out


def _list_s3(prefix_url: str) -> list[str]:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    rest = prefix_url[5:]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        split_s3(prefix_url)
    keys: list[str] = []
    try:
        pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            keys += [o["Key"] for o in page.get("Contents", []) if Path(o["Key"]).suffix.lower() in FORMATS]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise DataError(f"{prefix_url}: cannot list objects ({code})") from None
    except BotoCoreError as exc:
        raise DataError(f"{prefix_url}: cannot reach S3 ({type(exc).__name__})") from None
    if not keys:
        raise DataError(f"{prefix_url}: no .csv, .xlsx or .parquet objects under this prefix")
    return [f"s3://{bucket}/{k}" for k in sorted(keys)]


def scan_table(table: Table, analyzer: PiiAnalyzer) -> TableScan:
    """Check the header, classify on a first pass, count free-text and mixed PII on a second."""
    positions = check_header(table, analyzer)
    profiled = classify_table(table, analyzer)
    cls = profiled.classification
    free_text, mixed = cls.free_text_columns, cls.mixed_columns
    if profiled.rows and (free_text or mixed):
        for chunk in table.chunks():
            # One parallel pass over the texts of every free-text column of the chunk (one worker
            # pool, no idle tail per column), its spans dealt back to the columns.
            values = [chunk[col].tolist() for col in free_text]
            spans = analyzer.analyze_many([v for column in values for v in column])
            start = 0
            for col, column in zip(free_text, values, strict=True):
                add_free_text_counts(cls[col], column, analyzer, spans[start:start + len(column)])
                start += len(column)
            for col in mixed:
                add_value_counts(cls[col], chunk[col], analyzer)
    return TableScan(table, cls, profiled.rows, profiled.nulls, profiled.dtypes, positions)


def table_resources(scan: TableScan) -> list[Resource]:
    """The ``dataset.file`` resource and one ``dataset.column`` per column."""
    t, cls = scan.table, scan.classification
    cols = cls.columns
    pii = [c for c, r in cols.items() if r.pii]
    file_attrs = {
        "path": t.id, "format": t.format, "sheet": t.sheet, "size_bytes": t.size_bytes, "rows": scan.rows,
        "columns": len(t.columns), "column_names": list(t.columns), "delimiter": t.delimiter,
        "encoding": t.encoding, "pii_columns": pii,
        "pii_entities": sorted({e for r in cols.values() if r.pii for e in ([r.entity] if r.entity else [])}
                               | {e for r in cols.values() for e in r.entity_counts}),
        "masked_columns": [c for c in pii if cols[c].masked],
        "unmasked_pii_columns": [c for c in pii if not cols[c].masked],
        "free_text_columns": cls.free_text_columns,
        "ambiguous_columns": [c for c, r in cols.items() if r.classification == "ambiguous"],
        "header_looks_like_data": list(scan.header_positions),
        "quality_evaluated": False, "quality_rules": 0, "quality_failed_rules": [],
    }
    out = [Resource(type="dataset.file", id=t.id, attrs=file_attrs, name=t.id)]
    for name, r in cols.items():
        n = scan.nulls.get(name, 0)
        attrs = {
            "path": t.id, "column": name, "dtype": scan.dtypes.get(name, "string"), "rows": scan.rows, "nulls": n,
            "null_ratio": round(n / scan.rows, 4) if scan.rows else 0.0, "kind": r.kind, "entity": r.entity,
            "pii": r.pii, "classification": r.classification, "confidence": r.confidence, "support": r.support,
            "name_hint": r.name_hint, "masked": r.masked, "free_text": r.free_text,
            "entity_counts": dict(r.entity_counts), "uncovered": list(r.uncovered), "sample_size": r.sample_size,
            "masked_samples": list(r.masked_samples), "mask_operator": r.mask_operator, "evidence": dict(r.evidence),
        }
        out.append(Resource(type="dataset.column", id=f"{t.id}#{name}", attrs=attrs, name=f"{t.id}#{name}"))
    return out


def _add_quality(file_resource: Resource, entry: dict[str, Any], table: Table, ruleset: Any) -> None:
    """Evaluate the DQDL ruleset on the table; failures become attributes and the report's quality table."""
    results = evaluate_ruleset(ruleset, table.chunks(), columns=table.columns)
    failed = [r.rule for r in results if r.outcome == "FAIL"]
    file_resource.attrs.update({
        "quality_evaluated": True, "quality_rules": len(results), "quality_failed_rules": failed,
    })
    unevaluated = [f"{r.rule}: {r.message}" for r in results if r.outcome == "ERROR"]
    if unevaluated and not failed:  # a definite failure decides the finding; otherwise it is ERROR, never PASS
        file_resource.errors["quality_failed_rules"] = "DQDL rule(s) " + "; ".join(unevaluated)
    entry["quality"] = [r.as_dict() for r in results]


def inventory_entry(scan: TableScan) -> dict[str, Any]:
    """The report attachment for one table (PII inventory; masked samples and counts only)."""
    t = scan.table
    return {
        "id": t.id, "path": t.source, "format": t.format, "sheet": t.sheet, "rows": scan.rows,
        "columns": [{"name": c, "kind": r.kind, "entity": r.entity, "pii": r.pii,
                     "classification": r.classification, "confidence": r.confidence, "support": r.support,
                     "masked": r.masked, "mask_operator": r.mask_operator, "entity_counts": dict(r.entity_counts),
                     "masked_samples": list(r.masked_samples), "uncovered": list(r.uncovered),
                     "nulls": scan.nulls.get(c, 0)}
                    for c, r in scan.classification.columns.items()],
    }


def _check_s3_access(paths: Sequence[str | Path]) -> None:
    """Probe S3 once before the first s3:// path is read (see the module docstring)."""
    first = next((str(p) for p in paths if str(p).startswith("s3://")), None)
    bucket = first[len("s3://"):].partition("/")[0] if first else ""
    if bucket:  # "s3:///x" is reported per path by split_s3

        probe_s3(bucket)


# What reading or analysing a hostile file can raise besides DataError. Named rather than
# ``Exception`` so that an interrupt or an exhausted memory still stops the run; together they
# cover what pandas, pyarrow, openpyxl, zlib and the csv module raise on bad input.
_FILE_ERRORS: tuple[type[BaseException], ...] = (
    ValueError, TypeError, LookupError, AttributeError, ArithmeticError, RuntimeError, OSError, EOFError,
    SyntaxError, zlib.error, csv.Error,
)


def _scan_file(path: str, read: ReadOptions, analyzer: PiiAnalyzer, ruleset: Any, inventory: Inventory,
               datasets: list[dict[str, Any]], warnings: list[str]) -> None:
    """Scan one file's tables into the inventory. Whatever goes wrong with this file (reading it,
    analysing it) becomes its ERROR (a ``dataset.file`` resource with the reason), and the
    scan goes on with the next file: one bad file never costs the findings of the others."""
    current = path  # the table being read, so a workbook's good sheets keep their findings
    try:
        with open_dataset(path, read) as tables:
            for table in tables:
                current = table.id
                if table.error:  # a broken sheet of a workbook whose other sheets are fine
                    raise DataError(table.error)
                scan = scan_table(table, analyzer)
                if scan.header_positions:
                    warnings.append(header_warning(table, scan.header_positions))
                resources = table_resources(scan)
                entry = inventory_entry(scan)
                if ruleset is not None:
                    _add_quality(resources[0], entry, table, ruleset)
                resources += _unread_columns(table, resources[0], entry, warnings)
                inventory.extend(resources)
                datasets.append(entry)
        return
    except DataError as exc:
        reason = _one_line(str(exc))
    except _FILE_ERRORS as exc:
        # Not a problem the readers know: said as such, without the exception's text (it may quote data).
        reason = f"{current}: could not be read: unexpected {type(exc).__name__} (please report it)"
    warnings.append(reason)
    inventory.add(Resource(type="dataset.file", id=current, attrs={"path": current}, name=current,
                           errors={"*": reason}))
    datasets.append({"id": current, "path": path, "error": reason, "columns": []})


def _unread_columns(table: Table, file_resource: Resource, entry: dict[str, Any],
                    warnings: list[str]) -> list[Resource]:
    """The columns the reader left out (binary data): each an ERROR column, never a silent pass."""
    out = []
    for name, why in table.unread_columns.items():
        reason = f"{table.id}: column '{name}' was not scanned: {why}"
        warnings.append(reason)
        out.append(Resource(type="dataset.column", id=f"{table.id}#{name}", attrs={"path": table.id, "column": name},
                            name=f"{table.id}#{name}", errors={"*": reason}))
    if out:
        entry["unread_columns"] = dict(table.unread_columns)
        if not file_resource.attrs.get("unmasked_pii_columns"):  # a known unmasked column decides on its own
            file_resource.errors.setdefault("unmasked_pii_columns",
                                            f"{len(out)} column(s) not scanned: {', '.join(table.unread_columns)}")
    return out


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in text.splitlines() if line.strip()) or text


def run_data_scan(prepared: Any, paths: Sequence[str | Path], options: DataScanOptions | None = None) -> FindingsDocument:
    """Scan datasets and evaluate the prepared rules; returns the findings document (kind ``data``)."""
    options = options or DataScanOptions()
    context = options.context or RunContext()
    started = context.now()
    _check_s3_access(paths)
    files = expand_paths(paths)  # a path that does not exist stops here, before the analyzer is built
    analyzer = options.analyzer or context.services.get("pii_analyzer") or build_analyzer(options.settings)
    context.services.setdefault("pii_analyzer", analyzer)  # one engine per run: later steps reuse it
    inventory = Inventory()
    datasets: list[dict[str, Any]] = []
    warnings: list[str] = []
    # A column the readers cannot take as values (binary Parquet) is reported, never fatal.
    read = replace(options.read, skip_unreadable_columns=True)
    for path in files:
        _scan_file(path, read, analyzer, options.ruleset, inventory, datasets, warnings)
    return evaluate(prepared, inventory, context, kind="data", started_at=started, warnings=warnings,
                    attachments={"datasets": datasets})
