"""Evaluate a DQDL ruleset with DuckDB: outcomes, metrics and row-level results.

Usage (what the pipelines and ``auditor data check`` call)::

    from auditor.data.quality import evaluate_ruleset
    results = evaluate_ruleset("enroll.dqdl", df)              # a path, DQDL text, or a parsed Ruleset
    for r in results:
        r.outcome, r.metric, r.failing_rows, r.metrics         # failing_rows: 0-based row positions

    report = check_dataset(ruleset, "enroll.csv", refs={"reference": "ref.csv"}, history=MetricHistory.open(p))

The data becomes the DuckDB table ``primary_t`` (``primary`` in user SQL) with a row id;
text columns get the types their values have (:mod:`auditor.data.typed`). Each rule is
measured by its plugin; its condition decides PASS or FAIL; a rule that cannot be
evaluated (a missing column, SQL that does not run, no reference dataset) is ERROR,
never FAIL. Composites follow Glue: by default each part is evaluated over the whole
dataset and the outcomes are combined (``and`` is FAIL when a part FAILs, else ERROR when
a part is ERROR; ``or`` is PASS when a part passes, else ERROR when a part is ERROR);
with ``composite="row"`` (Glue's ``compositeRuleEvaluation.method = ROW``) each row is
judged by the combination and the composite passes when every row does.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.core.errors import DataError
from auditor.data.quality.context import ROW, TABLE, Dataset, EvalContext
from auditor.data.quality.model import Composite, Node, Rule, Ruleset
from auditor.data.quality.operands import Env
from auditor.data.quality.parser import load_ruleset, parse_ruleset
from auditor.data.quality.plugin import EvaluationError, Measurement, RuleType
from auditor.data.quality.registry import get_rule_type
from auditor.data.quality.results import RowSet, RuleResult, shown
from auditor.data.readers import ReadOptions, open_dataset
from auditor.data.typed import load_csv, type_text_columns

if TYPE_CHECKING:
    import pandas as pd

    from auditor.data.quality.history import MetricHistory

# Memory DuckDB may use before it spills to disk (a 1M-row CSV needs far less).
MEMORY_LIMIT = "400MB"


def _safe_error(exc: BaseException) -> str:
    """DuckDB's first error line with quoted literals removed (conversion errors quote cell values)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    first = re.sub(r"'(?:[^']|'')*'", "'<value>'", first)
    return re.sub(r'"(?:[^"]|"")*"', lambda m: m.group(0) if len(m.group(0)) < 64 else '"..."', first)[:200]


@dataclass
class Report:
    """Everything one evaluation produced."""

    results: list[RuleResult]
    analyzers: list[tuple[str, dict[str, float | int | None]]] = field(default_factory=list)
    rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def metrics(self) -> dict[str, float | int | None]:
        out: dict[str, float | int | None] = {}
        for r in self.results:
            out.update(r.metrics)
        for _, m in self.analyzers:
            out.update(m)
        return out


class Session:
    """A DuckDB database holding the primary dataset (and references) for one evaluation."""

    def __init__(self, *, spill: bool = False) -> None:
        import duckdb

        self._tmp = tempfile.TemporaryDirectory(prefix="auditor-dq-")
        path = str(Path(self._tmp.name) / "dq.duckdb") if spill else ":memory:"
        self.con = duckdb.connect(path)
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.con.execute(f"SET temp_directory = '{self._tmp.name}'")
        self.primary: Dataset | None = None
        self.refs: dict[str, Dataset] = {}
        self._n = 0

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()

    # ------------------------------------------------------------------ loading
    def load_primary(self, data: Any, columns: list[str] | None = None, source: str = "") -> Dataset:
        self.primary = self._load(TABLE, data, columns, source)
        cols = ", ".join(f'"{c}"' for c in self.primary.columns) or "NULL AS __none"
        self.con.execute(f'CREATE VIEW "primary" AS SELECT {cols} FROM {TABLE}')
        return self.primary

    def load_ref(self, alias: str, data: Any, source: str = "") -> Dataset:
        self._n += 1
        ds = self._load(f"ref_{self._n}", data, None, source)
        schema, dot, name = alias.rpartition(".")
        if dot:
            self.con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            self.con.execute(f'CREATE VIEW "{schema}"."{name}" AS SELECT * EXCLUDE ({ROW}) FROM {ds.table}')
        else:
            self.con.execute(f'CREATE VIEW "{alias}" AS SELECT * EXCLUDE ({ROW}) FROM {ds.table}')
        self.refs[alias] = ds
        return ds

    def _load(self, table: str, data: Any, columns: list[str] | None, source: str) -> Dataset:
        if isinstance(data, (str, Path)):
            return self._load_path(table, str(data))
        if hasattr(data, "df") and hasattr(data, "columns") and not hasattr(data, "iloc"):
            data = data.df()  # a DuckDB relation
        chunks: Iterable[pd.DataFrame] = [data] if hasattr(data, "iloc") else data
        raw = f"{table}__raw"
        names = [str(c) for c in columns] if columns is not None else []
        offset = 0
        for chunk in chunks:
            frame = chunk.reset_index(drop=True)
            if not names:
                names = [str(c) for c in frame.columns]
            frame.columns = names
            frame = frame.assign(**{ROW: np.arange(offset, offset + len(frame), dtype=np.int64)})
            self.con.register("chunk_df", frame)
            if offset == 0 and not self._exists(raw):
                self.con.execute(f"CREATE TABLE {raw} AS SELECT * FROM chunk_df")
            else:
                self.con.execute(f"INSERT INTO {raw} BY NAME SELECT * FROM chunk_df")
            self.con.unregister("chunk_df")
            offset += len(frame)
        if not self._exists(raw):
            cols = ", ".join(f'"{c}" VARCHAR' for c in names)
            self.con.execute(f"CREATE TABLE {raw} ({cols}{', ' if cols else ''}{ROW} BIGINT)")
        types = type_text_columns(self.con, raw, table, row_column=ROW)
        self.con.execute(f"DROP TABLE {raw}")
        return Dataset(table, names, types, source)

    def _load_path(self, table: str, path: str) -> Dataset:
        """Read a CSV / Parquet / XLSX file (local or s3://) straight into DuckDB."""
        with open_dataset(path, ReadOptions()) as tables:
            if len(tables) > 1:
                raise DataError(f"{path}: {len(tables)} sheets; a reference dataset must have one")
            return self.load_table(table, tables[0], path)

    def load_table(self, table: str, t: Any, source: str) -> Dataset:
        """Load a reader ``Table``: DuckDB reads CSV and Parquet itself (fast); XLSX arrives in chunks."""
        import duckdb

        local = _local_file(t)
        try:
            if t.format == "csv" and local is not None and t.encoding.lower() in ("utf-8", "utf-8-sig"):
                types = load_csv(self.con, local, table, delimiter=t.delimiter, columns=list(t.columns),
                                 row_column=ROW)
                return Dataset(table, list(t.columns), types, source)
            if t.format == "parquet" and local is not None and not t.unread_columns:
                cols = ", ".join(f'"{c}"' for c in t.columns)
                self.con.execute(f"CREATE TEMP TABLE {table}__raw AS SELECT {cols}, row_number() OVER () - 1 "
                                 f"AS {ROW} FROM read_parquet('{local}')")
                types = type_text_columns(self.con, f"{table}__raw", table, row_column=ROW)
                self.con.execute(f"DROP TABLE {table}__raw")
                return Dataset(table, list(t.columns), types, source)
        except duckdb.Error as exc:
            raise DataError(f"{source}: cannot read ({_safe_error(exc)})") from None
        return self._load(table, t.chunks(), list(t.columns), source)

    def _exists(self, table: str) -> bool:
        row = self.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                               [table]).fetchone()
        return bool(row and row[0])

    def lock(self) -> None:
        # CustomSql and where clauses are user SQL: no file or network access from here on.
        self.con.execute("SET enable_external_access = false")
        self.con.execute("SET lock_configuration = true")


def _local_file(t: Any) -> str | None:
    """The local file a reader ``Table`` reads (its temporary copy for s3://)."""
    path = getattr(t, "local_path", "")
    return path if path and Path(path).is_file() else None


class Evaluator:
    """Evaluates rules and composites against a loaded :class:`Session`."""

    def __init__(self, session: Session, *, now: datetime | None = None, history: MetricHistory | None = None,
                 dataset_id: str = "", data_path: str | None = None, composite: str = "dataset") -> None:
        assert session.primary is not None
        if composite not in ("dataset", "row"):
            raise ValueError("composite must be 'dataset' or 'row'")
        self.session = session
        self.composite = composite
        self.ctx = EvalContext(session.con, session.primary, (now or datetime.now(UTC)).replace(tzinfo=None),
                               refs=session.refs, history=history, dataset_id=dataset_id, data_path=data_path)

    # ------------------------------------------------------------------ rules
    def run(self, node: Node) -> RuleResult:
        if isinstance(node, Composite):
            return self._composite(node)
        result, _ = self._rule(node)
        return result

    def _rule(self, rule: Rule) -> tuple[RuleResult, Measurement | None]:
        plugin = get_rule_type(rule.type)
        missing = [c for c in plugin.columns(rule) if c not in self.ctx.primary.columns]
        if missing:
            return self._error(rule, f"column '{missing[0]}' does not exist"), None
        past = self.ctx.past(plugin.metric_name(rule) + _where_suffix(rule))
        self.ctx.env = Env(self.ctx.now, history=past, tags=dict(rule.tags))
        try:
            m, passed, rows = self._measure(rule, plugin)
        except EvaluationError as exc:
            return self._error(rule, str(exc)), None
        message = m.message
        if not passed and not message:
            message = self._why(rule, m, rows)
        message = "; ".join(x for x in [message, *self._notes(past)] if x)
        metrics = {k + _where_suffix(rule): shown(v) for k, v in m.metrics.items()}
        value = shown(m.value) if not isinstance(m.value, bool) else int(m.value)
        result = RuleResult(rule.text, passed, value, rows, message, rule.type, metrics=metrics,
                            labels=dict(rule.labels), row_level=plugin.row_level and m.rows is not None)
        return result, m

    def _measure(self, rule: Rule, plugin: RuleType) -> tuple[Measurement, bool, RowSet]:
        """The measurement, the verdict and the failing rows; EvaluationError when the rule
        cannot be evaluated (its message becomes the ERROR outcome's)."""
        import duckdb

        try:
            self._check_where(rule, plugin)
            m = plugin.measure(rule, self.ctx)
            passed = plugin.verdict(rule, m, self.ctx)
            rows = self._failing(m) if plugin.row_level and m.rows else RowSet()
        except duckdb.Error as exc:
            raise EvaluationError(f"the rule does not run: {_safe_error(exc)}") from None
        return m, passed, rows

    def _check_where(self, rule: Rule, plugin: RuleType) -> None:
        """Run a filtering where clause on its own first, so its error names the clause."""
        import duckdb

        if not (rule.where and plugin.where == "filter"):
            return
        try:
            self.ctx.con.execute(f"SELECT 1 FROM {self.ctx.base(rule)} LIMIT 1").fetchall()
        except duckdb.Error as exc:
            raise EvaluationError(f"the where clause does not run: {_safe_error(exc)}") from None

    def _notes(self, past: list[float] | None) -> list[str]:
        """What resolving the operands noted (history used, missing values)."""
        notes = list(self.ctx.env.notes) if self.ctx.env else []
        if past is None and any("no history" in n for n in notes):
            return ["no run history given: last() is 0.0 (Glue's default)"]
        return notes

    def _failing(self, m: Measurement) -> RowSet:
        if m.failing == 0:
            return RowSet()
        arr = self.ctx.con.execute(f"SELECT r FROM ({m.rows}) WHERE NOT ok ORDER BY r").fetchnumpy()["r"]
        return RowSet(np.asarray(arr, dtype=np.int64))

    @staticmethod
    def _why(rule: Rule, m: Measurement, rows: RowSet) -> str:
        value = None if isinstance(m.value, str) else shown(m.value)
        if rows:
            text = f"{len(rows)} row(s) fail"
            if rule.threshold is not None and value is not None:
                text += f" (share passing {value:g}; threshold {rule.threshold})"
            return text
        if m.value is None:
            return "no value (no rows in scope)"
        if value is None:
            return "a non-numeric value"
        target = rule.threshold or rule.condition
        return f"value {value:g} does not satisfy {target}" if target else f"value {value:g}"

    def _error(self, rule: Rule, message: str) -> RuleResult:
        return RuleResult(rule.text, False, None, RowSet(), f"could not evaluate: {message}", rule.type, error=True,
                          labels=dict(rule.labels))

    # ------------------------------------------------------------------ composites
    def _composite(self, node: Composite) -> RuleResult:
        if self.composite == "row":
            return self._composite_rows(node)
        parts = [self.run(p) for p in node.parts]
        return _combine(node, parts)

    def _composite_rows(self, node: Composite) -> RuleResult:
        """Glue's ROW method: each row must satisfy the combination of the parts."""
        try:
            sql, parts = self._row_sql(node)
        except EvaluationError as exc:
            return RuleResult(node.text, False, None, RowSet(), f"could not evaluate: {exc}",
                              f"Composite({node.op})", error=True)
        errors = [p for p in parts if p.error]
        if errors:
            return _combine(node, parts)
        total, passing = self.ctx.row(f"SELECT count(*), count_if(ok) FROM ({sql})")
        rows = self._failing(Measurement(rows=sql, failing=int(total - passing)))
        value = passing / total if total else None
        passed = total == passing
        message = "" if passed else f"{len(rows)} row(s) fail the combination"
        return RuleResult(node.text, passed, shown(value), rows, message, f"Composite({node.op})", row_level=True,
                          metrics={})

    def _row_sql(self, node: Node) -> tuple[str, list[RuleResult]]:
        """SQL of (r, ok) over every row for a rule or composite, and the parts' results."""
        if isinstance(node, Rule):
            plugin = get_rule_type(node.type)
            result, m = self._rule(node)
            if m is not None and m.rows and plugin.row_level and plugin.composite_rows:
                # Rows out of a part's where clause pass that part.
                return (f"SELECT t.{ROW} AS r, COALESCE(p.ok, TRUE) AS ok FROM {TABLE} t "
                        f"LEFT JOIN ({m.rows}) p ON p.r = t.{ROW}"), [result]
            constant = "TRUE" if result.passed else "FALSE"
            return f"SELECT {ROW} AS r, {constant} AS ok FROM {TABLE}", [result]
        subs = [self._row_sql(p) for p in node.parts]
        joined = " ".join(f"JOIN ({s}) p{i} USING (r)" for i, (s, _) in enumerate(subs[1:], start=1))
        op = " AND " if node.op == "and" else " OR "
        ok = op.join(f"p{i}.ok" for i in range(len(subs)))
        return f"SELECT r, ({ok}) AS ok FROM ({subs[0][0]}) p0 {joined}", [r for _, rs in subs for r in rs]

    # ------------------------------------------------------------------ analyzers
    def analyze(self, rule: Rule) -> tuple[str, dict[str, float | int | None]]:
        import duckdb

        plugin = get_rule_type(rule.type)
        self.ctx.env = Env(self.ctx.now, tags=dict(rule.tags))
        try:
            m = plugin.measure(rule, self.ctx)
        except (EvaluationError, duckdb.Error):
            return rule.text, {}
        return rule.text, {k: shown(v) for k, v in m.metrics.items()}


def _where_suffix(rule: Rule) -> str:
    """What a where clause adds to a metric's name: the same measure filtered is another metric."""
    return f" where {rule.where}" if rule.where else ""


def _combine(node: Composite, parts: list[RuleResult]) -> RuleResult:
    passed = all(p.passed for p in parts) if node.op == "and" else any(p.passed for p in parts)
    error = not passed and _undecided(node.op, parts)
    rows = RowSet() if (error or passed) else _composite_failing_rows(node.op, parts)
    failed = [f"{p.rule} ({p.message})" if p.error else p.rule for p in parts if not p.passed]
    what = "could not evaluate" if error else "failed"
    metrics: dict[str, float | int | None] = {}
    for p in parts:
        metrics.update(p.metrics)
    return RuleResult(node.text, passed, None, rows,
                      "" if passed else f"{what}: {'; '.join(failed)}", f"Composite({node.op})", error=error,
                      metrics=metrics, row_level=any(p.row_level for p in parts))


def _undecided(op: str, parts: list[RuleResult]) -> bool:
    """Whether a composite that did not pass is ERROR rather than FAIL: a part could not be
    evaluated, and (for "and") no part FAILed outright, which would decide it."""
    return any(p.error for p in parts) and not (op == "and" and any(p.outcome == "FAIL" for p in parts))


def _composite_failing_rows(op: str, parts: list[RuleResult]) -> RowSet:
    """Rows failing "and" fail any part; rows failing "or" fail every failing part."""
    if op == "and":
        rows = RowSet()
        for p in parts:
            rows = rows.union(p.failing_rows)
        return rows
    row_parts = [p for p in parts if not p.passed]
    rows = row_parts[0].failing_rows if row_parts else RowSet()
    for p in row_parts[1:]:
        rows = rows.intersection(p.failing_rows)
    return rows


def _as_ruleset(ruleset: Ruleset | str | Path) -> Ruleset:
    if isinstance(ruleset, Path):
        return load_ruleset(ruleset)
    if isinstance(ruleset, str):
        if "Rules" not in ruleset and "Analyzers" not in ruleset and Path(ruleset).exists():
            return load_ruleset(ruleset)
        return parse_ruleset(ruleset)
    return ruleset


def run_ruleset(ruleset: Ruleset | str | Path, data: Any, columns: list[str] | None = None, *,
                refs: Mapping[str, Any] | None = None, history: MetricHistory | None = None,
                dataset_id: str = "", now: datetime | None = None, composite: str = "dataset",
                data_path: str | None = None, record: bool = False) -> Report:
    """Evaluate ``ruleset`` over ``data`` and return a :class:`Report` (results, analyzer metrics).

    ``data``: a pandas DataFrame, a DuckDB relation, an iterator of DataFrames (a
    reader's ``Table.chunks()``; ``columns`` names the columns when there may be no
    chunk), a reader ``Table``, or a path. ``refs``: alias -> any of those, for the
    multi-dataset rules and CustomSql. ``history``: past metrics for dynamic rules and
    DetectAnomalies; with ``record`` this run's metrics are added to it.
    """
    rs = _as_ruleset(ruleset)
    spill = not (hasattr(data, "iloc") or isinstance(data, (str, Path)) or hasattr(data, "chunks"))
    session = Session(spill=spill)
    try:
        if hasattr(data, "chunks") and hasattr(data, "format"):
            session.primary = session.load_table(TABLE, data, str(data_path or getattr(data, "source", "")))
            cols = ", ".join(f'"{c}"' for c in session.primary.columns)
            session.con.execute(f'CREATE VIEW "primary" AS SELECT {cols} FROM {TABLE}')
        else:
            session.load_primary(data, columns)
        for alias, ref in (refs or {}).items():
            if hasattr(ref, "chunks") and hasattr(ref, "format"):
                session._n += 1
                ds = session.load_table(f"ref_{session._n}", ref, getattr(ref, "source", ""))
                session.refs[alias] = ds
                session.con.execute(f'CREATE VIEW "{alias}" AS SELECT * EXCLUDE ({ROW}) FROM {ds.table}')
            else:
                session.load_ref(alias, ref)
        session.lock()
        ev = Evaluator(session, now=now, history=history, dataset_id=dataset_id, data_path=data_path,
                       composite=composite)
        results = [ev.run(node) for node in rs.rules]
        analyzers = [ev.analyze(a) for a in rs.analyzers]
        assert session.primary is not None
        rows = int(ev.ctx.scalar(f"SELECT count(*) FROM {TABLE}"))
        report = Report(results, analyzers, rows, dict(session.primary.types))
    finally:
        session.close()
    if record and history is not None:
        history.record(dataset_id, report.metrics, now)
    return report


def evaluate_ruleset(ruleset: Ruleset | str | Path, data: Any, columns: list[str] | None = None,
                     **options: Any) -> list[RuleResult]:
    """Evaluate every rule over ``data``; see :func:`run_ruleset` for the options."""
    return run_ruleset(ruleset, data, columns, **options).results
