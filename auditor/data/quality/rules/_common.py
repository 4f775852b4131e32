"""Helpers shared by the built-in rule types."""

from __future__ import annotations

from auditor.data.quality.context import ROW, EvalContext
from auditor.data.quality.model import Rule
from auditor.data.quality.plugin import EvaluationError, Measurement
from auditor.data.quality.sqlgen import is_numeric, is_temporal, q


def compliance(ctx: EvalContext, rule: Rule, ok_sql: str, metric: str) -> Measurement:
    """A row-level measurement: the share of rows in scope for which ``ok_sql`` holds.

    ``ok_sql`` must never be NULL (wrap it in COALESCE). With no row in scope the value is
    ``None``: nothing failed.
    """
    rows = f"SELECT {ROW} AS r, {ok_sql} AS ok FROM {ctx.base(rule)}"
    total, passing = ctx.row(f"SELECT count(*), count_if(ok) FROM ({rows})")
    value = passing / total if total else None
    return Measurement(value, {metric: value}, rows=rows, failing=int(total - passing))


def numeric_expr(ctx: EvalContext, column: str) -> str:
    """The column as numbers: as is when numeric, cast like Spark when text (non-numbers are NULL)."""
    col_type = ctx.type_of(column)
    if is_numeric(col_type):
        return q(column)
    if col_type == "BOOLEAN":
        return f"CAST({q(column)} AS INTEGER)"
    if col_type.startswith("VARCHAR"):
        return f"TRY_CAST({q(column)} AS DOUBLE)"
    raise EvaluationError(f"column '{column}' is {col_type}, not numeric")


def timestamp_expr(ctx: EvalContext, column: str) -> str:
    """The column as timestamps (a text column is cast; values that are not dates are NULL)."""
    col_type = ctx.type_of(column)
    if is_temporal(col_type):
        return f"CAST({q(column)} AS TIMESTAMP)"
    if col_type.startswith("VARCHAR"):
        return f"TRY_CAST({q(column)} AS TIMESTAMP)"
    raise EvaluationError(f"column '{column}' is {col_type}, not a date")


def require_value(value: object, what: str) -> None:
    if value is None:
        raise EvaluationError(what)
