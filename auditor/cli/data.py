"""``auditor data ...``: PII scan, masking and data-quality checks.

Examples::

    auditor data scan landing/enroll.csv s3://bucket/raw/ --fail-on high   # -> reports/data-scan/
    auditor data mask landing/enroll.csv curated/enroll.parquet --policy mask.yml
    auditor data unmask curated/enroll.parquet restored.csv --policy mask.yml
    auditor data check curated/enroll.parquet --ruleset enroll.dqdl [--ref reference=customers.csv]
    auditor data check landing/enroll.csv --recommend --ruleset starter.dqdl
    auditor data model-hash /models/en_core_web_sm-3.8.0
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.cli.common import (
    EXIT_ERROR,
    EXIT_GATE,
    claim_output_dir,
    gate_options,
    output_options,
    parse_formats,
    print_summary,
    rule_options,
    scan_exit_code,
)
from auditor.core.documents import FindingsDocument
from auditor.core.errors import UsageError
from auditor.data.limits import ReadLimits

if TYPE_CHECKING:
    from auditor.data.dataset_types import DataSection

SCAN_COMMAND = "data scan"


def register(cli: click.Group) -> None:
    cli.add_command(data)


@click.group()
def data() -> None:
    """Data governance: find PII, mask it, check data quality (DQDL)."""


def read_options(f: Any) -> Any:
    """--encoding, --sheet, --chunk-rows."""
    f = click.option("--chunk-rows", type=click.IntRange(100, 10_000_000), default=None,
                     help="Rows per chunk when reading (default 50000).")(f)
    f = click.option("--sheet", help="XLSX: read only this sheet (default: every sheet).")(f)
    f = click.option("--encoding", help="CSV text encoding when it is not UTF-8 (e.g. cp1252).")(f)
    return f


def _read_opts(section: DataSection, encoding: str | None, sheet: str | None, chunk_rows: int | None) -> Any:
    """Reading options from the command line over the config's ``data`` section (limits: ``data.limits``).

    An unknown encoding is a usage error (exit 2) here, before any file is read: inside a
    scan it would otherwise become an ERROR finding on every file."""
    import codecs

    from auditor.data.readers import ReadOptions  # deferred: pulls in tempfile

    chosen = encoding or section.get("encoding")
    if chosen:
        try:
            codecs.lookup(chosen)
        except LookupError:
            where = "--encoding" if encoding else "data.encoding (config)"
            raise UsageError(f"{where}: unknown encoding '{chosen}' (e.g. utf-8, cp1252, latin-1)") from None
    return ReadOptions(encoding=chosen, sheet=sheet or section.get("sheet"),
                       chunk_rows=chunk_rows or section.get("chunk_rows") or 50_000,
                       limits=ReadLimits.from_config(section.get("limits")))


def _settings(section: DataSection, sample_size: int | None) -> Any:
    from dataclasses import replace

    from auditor.data.pii import PiiSettings  # deferred: pulls in yaml

    settings = PiiSettings.from_config(section)
    return replace(settings, sample_size=sample_size) if sample_size else settings


@data.command("scan")
@click.argument("paths", nargs=-1, required=True)
@read_options
@click.option("--sample-size", type=click.IntRange(10, 100_000), default=None,
              help="Values sampled per structured column (default 500).")
@click.option("--ruleset", "dqdl", type=click.Path(path_type=Path),
              help="Also evaluate this DQDL ruleset on every table (rule dataset-file-quality-passes).")
@rule_options
@output_options
@gate_options
def scan(paths: tuple[str, ...], encoding: str | None, sheet: str | None, chunk_rows: int | None,
         sample_size: int | None, dqdl: Path | None, rule_paths: tuple[Path, ...], framework: str | None, mutelist: Path | None,
         config: Path | None, framework_dirs: tuple[Path, ...], output_dir: Path, force: bool, formats: str,
         fail_on: str, fail_on_error: bool) -> None:
    """Scan datasets (CSV, XLSX, Parquet; files, directories or s3:// prefixes) for PII
    and judge them with rules/data. Writes findings.json (PII inventory attached, masked samples only)."""
    from auditor.audit_run import default_rule_paths, prepare  # deferred: pulls in yaml
    from auditor.data.dataset_types import DataSection  # deferred: pulls in yaml
    from auditor.data.quality import load_ruleset  # deferred: pulls in numpy
    from auditor.data.scan import DataScanOptions, run_data_scan  # deferred: pulls in numpy
    from auditor.reporting.outputs import write_outputs  # deferred: pulls in importlib.metadata

    ruleset = load_ruleset(dqdl) if dqdl else None  # a DQDL syntax error stops before any reading
    prepared = prepare(list(rule_paths) or default_rule_paths("data"), mutelist=mutelist, config=config,
                       framework_dirs=framework_dirs, framework=framework, resource_prefix="dataset.")
    fmts = parse_formats(formats)
    claim_output_dir(output_dir, SCAN_COMMAND, force=force)
    section = prepared.config.section("data", DataSection)
    opts = DataScanOptions(read=_read_opts(section, encoding, sheet, chunk_rows),
                           settings=_settings(section, sample_size), ruleset=ruleset)
    doc = run_data_scan(prepared, list(paths), opts)
    written = write_outputs(doc, output_dir, fmts, command=SCAN_COMMAND)
    _print_inventory(doc)
    print_summary(doc, written)
    raise SystemExit(scan_exit_code(doc, fail_on, fail_on_error))


def _print_inventory(doc: FindingsDocument) -> None:
    for ds in doc.get("attachments", {}).get("datasets", []):
        if ds.get("error"):
            continue
        pii = [f"{c['name']}={_what(c)}{' (masked)' if c['masked'] else ''}" for c in ds["columns"] if c["pii"]]
        click.echo(f"{ds['id']}: {ds['rows']} rows; PII: {', '.join(pii) if pii else 'none'}")


def _what(column: dict[str, Any]) -> str:
    if column["kind"] not in ("free-text", "mixed"):
        return str(column["entity"])
    label = "free text" if column["kind"] == "free-text" else "mixed"
    counts = ", ".join(f"{e} {n}" for e, n in sorted(column["entity_counts"].items(), key=lambda kv: -kv[1]))
    return f"{label} [{counts}]" if counts else label


def _config_section(config: Path | None) -> DataSection:
    from auditor.core.run_config import load_config  # deferred: pulls in yaml
    from auditor.data.dataset_types import DataSection  # deferred: pulls in yaml
    from auditor.plugins import load_plugins  # deferred: pulls in importlib.metadata

    load_plugins()
    return load_config(config).section("data", DataSection)


@data.command("mask")
@click.argument("src")
@click.argument("dst")
@click.option("--policy", type=click.Path(path_type=Path), help="Masking policy (YAML). Default: replace every "
              "entity with <ENTITY>.")
@click.option("--config", type=click.Path(path_type=Path), help="Run config (the data section is used).")
@read_options
def mask(src: str, dst: str, policy: Path | None, config: Path | None, encoding: str | None, sheet: str | None,
         chunk_rows: int | None) -> None:
    """Mask or tokenise the PII of SRC into DST (format from DST's suffix; local or s3://).

    SRC is read twice: columns are classified on values drawn across the whole file,
    then every chunk is masked (free text and mixed columns span by span). SRC is never
    modified; DST appears only when the whole file is written (no partial output)."""
    from auditor.data.maskfile import mask_dataset  # deferred: pulls in yaml
    from auditor.data.masking import Masker, load_policy  # deferred: pulls in yaml
    from auditor.data.pii import build_analyzer  # deferred: pulls in yaml

    mask_policy = load_policy(policy)
    masker = Masker(mask_policy)  # resolve the key first: a missing key costs no analysis
    section = _config_section(config)
    analyzer = build_analyzer(_settings(section, None))
    report = mask_dataset(src, dst, mask_policy, analyzer, _read_opts(section, encoding, sheet, chunk_rows),
                          masker)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for name, what in report.columns.items():
        click.echo(f"{name}: {what}")
    click.echo(f"wrote {dst} ({report.rows} rows)")


@data.command("unmask")
@click.argument("src")
@click.argument("dst")
@click.option("--policy", type=click.Path(path_type=Path), required=True, help="The masking policy (for its key).")
@read_options
def unmask(src: str, dst: str, policy: Path, encoding: str | None, sheet: str | None, chunk_rows: int | None) -> None:
    """Decrypt the values masked with the ``encrypt`` operator (holders of the key only)."""
    from auditor.data.maskfile import unmask_dataset  # deferred: pulls in yaml
    from auditor.data.masking import Keys, Masker, load_policy, resolve_keys  # deferred: pulls in yaml
    from auditor.data.readers import ReadOptions  # deferred: pulls in tempfile

    mask_policy = load_policy(policy)
    keys: Keys | None = resolve_keys(mask_policy)
    if keys is None:
        raise UsageError(f"{policy}: the policy has no hash/encrypt operator and no key; nothing to unmask")
    report = unmask_dataset(src, dst, Masker(mask_policy, keys),
                            ReadOptions(encoding=encoding, sheet=sheet, chunk_rows=chunk_rows or 50_000))
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"decrypted {report.decrypted} values; wrote {dst}")


@data.command("check")
@click.argument("path")
@click.option("--ruleset", type=click.Path(path_type=Path),
              help="DQDL ruleset file (with --recommend: where to write the starter ruleset).")
@click.option("--ref", "refs", multiple=True, metavar="NAME=PATH",
              help="A reference dataset (local or s3://) for ReferentialIntegrity, DatasetMatch, RowCountMatch, "
                   "SchemaMatch, AggregateMatch and CustomSql; NAME is the alias the rules use. Repeatable.")
@click.option("--recommend", is_flag=True,
              help="Profile PATH and write a starter ruleset that passes on it (to --ruleset, or stdout).")
@click.option("--history", "history_path", type=click.Path(path_type=Path),
              help="Run history for dynamic rules and DetectAnomalies: a metrics file (JSON lines; this run's "
                   "metrics are appended) or a scheduler output folder (read only).")
@click.option("--composite-evaluation", "composite", type=click.Choice(["dataset", "row"]), default="dataset",
              show_default=True, help="Composite rules: combine whole-dataset outcomes, or judge each row (Glue's "
                                      "compositeRuleEvaluation.method = ROW).")
@click.option("--show-rows", type=click.IntRange(0, 1000), default=5, show_default=True,
              help="Failing row numbers shown per rule.")
@read_options
def check(path: str, ruleset: Path | None, refs: tuple[str, ...], recommend: bool, history_path: Path | None,
          composite: str, show_rows: int, encoding: str | None, sheet: str | None, chunk_rows: int | None) -> None:
    """Evaluate a Glue DQDL ruleset over a dataset (CSV, XLSX, Parquet; local or s3://).

    CSV and XLSX columns get the types their values have, so comparisons and ``where``
    clauses work as on a Glue table. Exit 1 when a rule fails, 3 when a rule could not
    be evaluated (ERROR: a column it names is missing, its SQL does not run, a reference
    dataset was not given) and none failed, 0 when every rule passes; 2 for a bad
    ruleset (``file:line:col: message``) or unreadable data.

    Examples::

        auditor data check enroll.csv --ruleset enroll.dqdl
        auditor data check orders.parquet --ruleset orders.dqdl --ref reference=s3://bucket/customers.csv
        auditor data check enroll.csv --recommend --ruleset starter.dqdl
    """
    from contextlib import ExitStack

    from auditor.data.quality import load_ruleset  # deferred: pulls in numpy
    from auditor.data.readers import ReadOptions, open_dataset  # deferred: pulls in tempfile

    if not recommend and ruleset is None:
        raise UsageError("data check: --ruleset FILE is required (or --recommend to write one)")
    if recommend and ruleset is not None and ruleset.exists():
        raise UsageError(f"{ruleset}: already exists; --recommend does not overwrite a ruleset")
    rules = None if recommend else load_ruleset(ruleset)  # type: ignore[arg-type]  # a syntax error stops here
    aliases = dict(_parse_ref(r) for r in refs)
    opts = ReadOptions(encoding=encoding, sheet=sheet, chunk_rows=chunk_rows or 50_000)
    with ExitStack() as stack:
        tables = stack.enter_context(open_dataset(path, opts))
        if len(tables) > 1:
            raise UsageError(f"{path}: {len(tables)} sheets; choose one with --sheet")
        if recommend:
            _recommend(tables[0], ruleset)
            return
        ref_tables = {}
        for alias, ref_path in aliases.items():
            ref = stack.enter_context(open_dataset(ref_path, ReadOptions(encoding=encoding)))
            if len(ref) > 1:
                raise UsageError(f"--ref {alias}={ref_path}: {len(ref)} sheets; a reference needs one")
            ref_tables[alias] = ref[0]
        report = _run_check(rules, tables[0], ref_tables, history_path, composite, path)
    raise SystemExit(_print_report(report, show_rows))


def _parse_ref(text: str) -> tuple[str, str]:
    name, eq, ref_path = text.partition("=")
    if not eq or not name.strip() or not ref_path.strip():
        raise UsageError(f"--ref {text}: expected NAME=PATH (e.g. reference=customers.csv)")
    return name.strip(), ref_path.strip()


def _run_check(rules: Any, table: Any, refs: dict[str, Any], history_path: Path | None, composite: str,
               path: str) -> Any:
    from auditor.data.quality import MetricHistory, run_ruleset  # deferred: pulls in numpy

    history = MetricHistory.open(history_path) if history_path else None
    return run_ruleset(rules, table, refs=refs, history=history, dataset_id=path, data_path=path,
                       composite=composite, record=history is not None and history.path is not None)


def _recommend(table: Any, target: Path | None) -> None:
    from auditor.data.quality.recommend import recommend_ruleset  # deferred: pulls in numpy

    text = recommend_ruleset(table)
    if target is None:
        click.echo(text, nl=False)
        return
    target.write_text(text, encoding="utf-8")
    rules = text.count("\n    ")
    click.echo(f"wrote {target} ({rules} rules that pass on {table.source}; review them, then: "
               f"auditor data check {table.source} --ruleset {target})")


def _print_report(report: Any, show_rows: int) -> int:
    failed = errors = 0
    for r in report.results:
        status = r.outcome
        failed += status == "FAIL"
        errors += status == "ERROR"
        line = f"{status} {r.rule}"
        if r.metric is not None:
            line += f" (metric {r.metric:g})" if isinstance(r.metric, float) else f" (metric {r.metric})"
        if r.failing_rows:
            shown = ", ".join(str(i + 1) for i in r.failing_rows[:show_rows]) if show_rows else ""
            line += f"; {len(r.failing_rows)} failing rows" + (f": {shown}" if shown else "")
        if r.message and r.message != f"{len(r.failing_rows)} row(s) fail":
            line += f"; {r.message}"
        click.echo(line)
    for text, metrics in report.analyzers:
        values = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())
        click.echo(f"ANALYZER {text}: {values or 'no metric'}")
    results = report.results
    passed = len(results) - failed - errors
    click.echo(f"{passed}/{len(results)} rules pass" + (f", {errors} could not be evaluated" if errors else ""))
    # A definite violation (1) wins over "could not evaluate" (3), as in the gate.
    return EXIT_GATE if failed else EXIT_ERROR if errors else 0


@data.command("model-hash")
@click.argument("path")
def model_hash(path: str) -> None:
    """Print the SHA-256 of a spaCy model (directory or installed package) for data.ner.sha256."""
    from auditor.data.pii import model_sha256, resolve_model_path  # deferred: pulls in yaml

    click.echo(model_sha256(resolve_model_path(path)))
