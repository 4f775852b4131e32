"""Evaluate a DQDL ruleset with DuckDB, with row-level outcomes.

Usage (what the pipelines call)::

    from auditor.data.quality import evaluate_ruleset
    results = evaluate_ruleset("enroll.dqdl", df)        # a path, DQDL text, or a parsed Ruleset
    for r in results:
        r.rule, r.passed, r.metric, r.failing_rows       # failing_rows: 0-based row positions

The frame is registered as the table ``primary`` (the name Glue uses in
CustomSql). Text columns are compared as numbers where the constraint is
numeric (``TRY_CAST``; a value that is not a number fails the row). Empty cells
fail ColumnValues / ColumnLength rows and count as incomplete.

Row-level rules (IsComplete, Completeness, ColumnValues, ColumnLength, IsUnique,
Uniqueness, IsPrimaryKey) return the rows that failed; aggregate rules (RowCount,
Mean, ...) return the metric only. ``where`` restricts a rule to matching rows.

Each result has an ``outcome``: PASS, FAIL, or ERROR when the rule could not be
evaluated at all (a column it names does not exist, its SQL or ``where``
condition does not run): an ERROR is never a FAIL, since nothing about the data
was learned (``auditor data check`` exits 3 for it, 1 for a FAIL). A composite
``(A) and (B)`` is FAIL when a part FAILs, else ERROR when a part is ERROR;
``(A) or (B)`` is PASS when a part passes, else ERROR when a part is ERROR.
CustomSql runs with DuckDB's external access disabled (no files, no network):
it can only read ``primary``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.core.errors import DataError
from auditor.data.quality.parser import Composite, Constraint, Node, Rule, Ruleset, load_ruleset, parse_ruleset

if TYPE_CHECKING:
    import pandas as pd

ROWID = "__auditor_row"


@dataclass
class RuleResult:
    """Outcome of one rule (or composite)."""

    rule: str
    passed: bool
    metric: float | int | None = None
    failing_rows: list[int] = field(default_factory=list)
    message: str = ""
    type: str = ""
    error: bool = False  # could not be evaluated (``passed`` is then False too): outcome ERROR

    @property
    def outcome(self) -> str:
        """PASS, FAIL, or ERROR (the rule could not be evaluated)."""
        return "PASS" if self.passed else "ERROR" if self.error else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "type": self.type, "passed": self.passed, "outcome": self.outcome,
                "metric": self.metric, "failing_rows": len(self.failing_rows), "message": self.message}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(v: Any) -> str:
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def _safe_error(exc: BaseException) -> str:
    """DuckDB's first error line with quoted literals removed (conversion errors quote cell values)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"'(?:[^']|'')*'", "'<value>'", first)[:200]


def _primary(sql: str) -> str:
    """Quote the bare table name ``primary`` (a reserved word in DuckDB) outside string literals."""
    parts = re.split(r"('(?:[^']|'')*')", sql)
    return "".join(p if p.startswith("'") else re.sub(r'(?<!")\bprimary\b(?!")', '"primary"', p, flags=re.I)
                   for p in parts)


def _numeric(c: Constraint) -> bool:
    return all(isinstance(v, (int, float)) for v in c.values) and c.op != "matches"


def _predicate(expr: str, c: Constraint) -> str:
    """SQL that is TRUE for a row whose ``expr`` satisfies the constraint (NULL fails)."""
    target = f"TRY_CAST({expr} AS DOUBLE)" if _numeric(c) else f"CAST({expr} AS VARCHAR)"
    if c.op == "between":
        sql = f"{target} BETWEEN {_lit(c.values[0])} AND {_lit(c.values[1])}"
    elif c.op == "in":
        sql = f"{target} IN ({', '.join(_lit(v) for v in c.values)})"
    elif c.op == "matches":
        sql = f"regexp_full_match({target}, {_lit(c.values[0])})"
    else:
        sql = f"{target} {'<>' if c.op == '!=' else c.op} {_lit(c.values[0])}"
    if c.negated:
        sql = f"NOT ({sql})"
    return f"COALESCE({sql}, FALSE)"


# Memory DuckDB may use when a dataset arrives in chunks; beyond it, it spills to disk.
CHUNKED_MEMORY_LIMIT = "512MB"


class _Evaluator:
    """The dataset loaded into DuckDB, with a row id column for row-level outcomes.

    A DataFrame is loaded in memory. Chunks (an iterator of DataFrames, as the
    readers stream them) go into a DuckDB database file in a temporary
    directory with a memory limit, so a large file is evaluated without holding
    it whole in memory: one chunk at a time in pandas, DuckDB spilling the rest.
    """

    def __init__(self, data: pd.DataFrame | Iterable[pd.DataFrame], columns: list[str] | None = None) -> None:
        import duckdb

        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if hasattr(data, "iloc"):
            self.con = duckdb.connect(":memory:")
            chunks: Iterable[pd.DataFrame] = [data]  # type: ignore[list-item]
        else:
            self._tmp = tempfile.TemporaryDirectory(prefix="auditor-dq-")
            self.con = duckdb.connect(str(Path(self._tmp.name) / "dq.duckdb"))
            self.con.execute(f"SET memory_limit = '{CHUNKED_MEMORY_LIMIT}'")
            self.con.execute(f"SET temp_directory = '{self._tmp.name}'")
            chunks = data  # type: ignore[assignment]
        self.columns = [str(c) for c in columns] if columns is not None else []
        offset = 0
        for chunk in chunks:
            frame = chunk.reset_index(drop=True)
            if not self.columns:
                self.columns = [str(c) for c in frame.columns]
            frame.columns = self.columns
            frame[ROWID] = range(offset, offset + len(frame))
            self.con.register("chunk_df", frame)
            if offset == 0 and not self._has_table():
                self.con.execute("CREATE TABLE primary_t AS SELECT * FROM chunk_df")
            else:
                self.con.execute("INSERT INTO primary_t BY NAME SELECT * FROM chunk_df")
            self.con.unregister("chunk_df")
            offset += len(frame)
        if not self._has_table():
            cols = ", ".join(f"{_q(c)} VARCHAR" for c in self.columns)
            self.con.execute(f"CREATE TABLE primary_t ({cols}{', ' if cols else ''}{_q(ROWID)} BIGINT)")
        self.con.execute("CREATE VIEW \"primary\" AS SELECT * FROM primary_t")
        # CustomSql is user SQL: no file or network access from here on.
        self.con.execute("SET enable_external_access = false")
        self.con.execute("SET lock_configuration = true")

    def _has_table(self) -> bool:
        return bool(self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'primary_t'").fetchone()[0])

    def close(self) -> None:
        self.con.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def scalar(self, sql: str) -> Any:
        row = self.con.execute(sql).fetchone()
        return row[0] if row else None

    def rows(self, sql: str) -> list[int]:
        return [int(r[0]) for r in self.con.execute(sql).fetchall()]

    def base(self, rule: Rule) -> str:
        return f'(SELECT * FROM "primary" WHERE {rule.where})' if rule.where else '"primary"'

    def run(self, node: Node) -> RuleResult:
        if isinstance(node, Composite):
            parts = [self.run(p) for p in node.parts]
            passed = all(p.passed for p in parts) if node.op == "and" else any(p.passed for p in parts)
            # A definite FAIL of one part decides "and"; otherwise an unevaluated part leaves it open.
            error = not passed and any(p.error for p in parts) and not (
                node.op == "and" and any(p.outcome == "FAIL" for p in parts))
            sets = [set(p.failing_rows) for p in parts]
            rows = set().union(*sets) if node.op == "and" else set.intersection(*sets)
            failed = [f"{p.rule} ({p.message})" if p.error else p.rule for p in parts if not p.passed]
            what = "could not evaluate" if error else "failed"
            return RuleResult(node.text, passed, None, [] if error else sorted(rows), type=f"Composite({node.op})",
                              message="" if passed else f"{what}: {'; '.join(failed)}", error=error)
        for col in node.columns if node.type not in ("CustomSql",) else []:
            if col not in self.columns and node.type != "ColumnExists":
                return RuleResult(node.text, False, None, [], f"could not evaluate: column '{col}' does not exist",
                                  node.type, error=True)
        try:
            return self.rule(node)
        except DataError:
            raise
        except Exception as exc:
            import duckdb

            if not isinstance(exc, duckdb.Error):
                raise
            return RuleResult(node.text, False, None, [], f"could not evaluate: {_safe_error(exc)}", node.type,
                              error=True)

    def rule(self, r: Rule) -> RuleResult:
        base = self.base(r)
        t = r.type
        col = _q(r.columns[0]) if r.columns else ""
        if t == "ColumnExists":
            ok = r.columns[0] in self.columns
            return RuleResult(r.text, ok, int(ok), [], "" if ok else f"column '{r.columns[0]}' is missing", t)
        if t == "RowCount":
            return self._aggregate(r, f"SELECT count(*) FROM {base}")
        if t == "DistinctValuesCount":
            return self._aggregate(r, f"SELECT count(DISTINCT {col}) FROM {base}")
        if t == "Mean":
            return self._aggregate(r, f"SELECT avg(TRY_CAST({col} AS DOUBLE)) FROM {base}")
        if t == "StandardDeviation":
            return self._aggregate(r, f"SELECT stddev_samp(TRY_CAST({col} AS DOUBLE)) FROM {base}")
        if t == "CustomSql":
            sql = _primary(r.columns[0].strip().rstrip(";"))
            if r.where:
                sql = f"SELECT * FROM ({sql}) WHERE {r.where}"
            return self._aggregate(r, sql)
        total = self.scalar(f"SELECT count(*) FROM {base}") or 0
        if t in ("IsComplete", "Completeness"):
            bad = self.rows(f"SELECT {ROWID} FROM {base} WHERE {col} IS NULL OR CAST({col} AS VARCHAR) = '' "
                            f"ORDER BY {ROWID}")
            metric = (total - len(bad)) / total if total else 1.0
            ok = metric == 1.0 if t == "IsComplete" else r.constraint is not None and r.constraint.check(metric)
            return RuleResult(r.text, ok, round(metric, 6), bad, "" if ok else f"completeness {metric:.4f}", t)
        if t in ("IsUnique", "Uniqueness", "IsPrimaryKey"):
            cols = ", ".join(_q(c) for c in r.columns)
            dup = self.rows(f"SELECT {ROWID} FROM (SELECT {ROWID}, count(*) OVER (PARTITION BY {cols}) AS n "
                            f"FROM {base}) WHERE n > 1 ORDER BY {ROWID}")
            nulls: list[int] = []
            if t == "IsPrimaryKey":
                cond = " OR ".join(f"{_q(c)} IS NULL" for c in r.columns)
                nulls = self.rows(f"SELECT {ROWID} FROM {base} WHERE {cond}")
            bad = sorted(set(dup) | set(nulls))
            metric = (total - len(dup)) / total if total else 1.0
            ok = (r.constraint is not None and r.constraint.check(metric)) if t == "Uniqueness" else not bad
            msg = "" if ok else f"uniqueness {metric:.4f}" + (f", {len(nulls)} empty key rows" if nulls else "")
            return RuleResult(r.text, ok, round(metric, 6), bad, msg, t)
        if t in ("ColumnValues", "ColumnLength"):
            assert r.constraint is not None
            expr = f"length(CAST({col} AS VARCHAR))" if t == "ColumnLength" else col
            pred = _predicate(expr, r.constraint)
            bad = self.rows(f"SELECT {ROWID} FROM {base} WHERE NOT ({pred}) ORDER BY {ROWID}")
            share = (total - len(bad)) / total if total else 1.0
            ok = r.threshold.check(share) if r.threshold is not None else not bad
            return RuleResult(r.text, ok, round(share, 6), bad,
                              "" if ok else f"{len(bad)} of {total} rows fail", t)
        raise DataError(f"rule type {t} is not supported")  # the parser only admits known types

    def _aggregate(self, r: Rule, sql: str) -> RuleResult:
        metric = self.scalar(sql)
        if isinstance(metric, bool):
            metric = int(metric)
        if metric is not None and not isinstance(metric, (int, float, str)):
            metric = float(metric)
        target = r.threshold or r.constraint
        ok = target is not None and target.check(metric)
        numeric = isinstance(metric, (int, float))
        shown = (round(metric, 6) if isinstance(metric, float) else metric) if numeric else None
        # A CustomSql result that is not a number may be a data value (PII): never echo it.
        what = f"value {shown}" if numeric else ("no value" if metric is None else "a non-numeric value")
        return RuleResult(r.text, ok, shown, [], "" if ok else f"{what} does not satisfy {target}", r.type)


def evaluate_ruleset(ruleset: Ruleset | str | Path, data: Any, columns: list[str] | None = None) -> list[RuleResult]:
    """Evaluate every rule over ``data``.

    ``data`` is a pandas DataFrame, a DuckDB relation, or an iterator of
    DataFrames (a reader's ``Table.chunks()``: row ids continue across chunks,
    memory stays bounded); ``columns`` names the columns when there may be no
    chunk at all.
    """
    if isinstance(ruleset, Path):
        ruleset = load_ruleset(ruleset)
    elif isinstance(ruleset, str):
        ruleset = (load_ruleset(ruleset) if "Rules" not in ruleset and Path(ruleset).exists()
                   else parse_ruleset(ruleset))
    if hasattr(data, "iloc"):
        source: Any = data
    elif hasattr(data, "df") and hasattr(data, "columns"):
        source = data.df()  # a DuckDB relation
    else:
        source = iter(data)
    ev = _Evaluator(source, columns)
    try:
        return [ev.run(node) for node in ruleset.rules]
    finally:
        ev.close()
