"""SQL for row-level conditions: the DuckDB expression that is TRUE for a row that passes.

``value_predicate('"age"', "BIGINT", <Condition > 21>, env)`` gives ``COALESCE(("age" > 21.0), FALSE)``.
How a column compares follows its type (the typed reading): a numeric column against
numbers, a date or timestamp column against points in time, text against text. A text
column compared with a number is cast like Spark casts it (a value that is not a number
fails the row). NULL fails every condition except ``!=`` and ``not in`` (which let it
pass unless the list names ``NULL``), as the Glue documentation specifies.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from auditor.data.quality.errors import EvaluationError
from auditor.data.quality.model import Condition, Keyword
from auditor.data.quality.operands import Env, as_datetime, resolve

NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "REAL",
                 "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")
TEMPORAL_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(v: Any) -> str:
    """A SQL literal for a resolved operand."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            return f"'{v}'::DOUBLE"
        return repr(float(v))
    if isinstance(v, datetime):
        return f"TIMESTAMP '{v.isoformat(sep=' ')}'"
    return "'" + str(v).replace("'", "''") + "'"


def is_numeric(col_type: str) -> bool:
    return col_type.upper().startswith(NUMERIC_TYPES) or col_type.upper().startswith("DECIMAL")


def is_temporal(col_type: str) -> bool:
    return col_type.upper().startswith(TEMPORAL_TYPES)


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        return None


def value_predicate(col: str, col_type: str, cond: Condition, env: Env, ignore_case: bool = False) -> str:
    """The pass expression of ``ColumnValues <col> <cond>`` for one row."""
    resolved = [resolve(o, env) for o in cond.operands]
    if any(isinstance(v, list) for v in resolved):
        raise EvaluationError("last(k) gives several values: aggregate it, e.g. avg(last(k))")
    keywords = {v.name for v in resolved if isinstance(v, Keyword)}
    values = [v for v in resolved if not isinstance(v, Keyword)]
    target, values = _domain(col, col_type, cond, values, env, ignore_case)
    text = f"CAST({col} AS VARCHAR)"
    base = _base(cond.op, target, values) if values else None
    if cond.op in ("=", "in"):
        pieces = [f"COALESCE({base}, FALSE)"] if base else []
        if "NULL" in keywords:
            pieces.append(f"({col} IS NULL)")
        if "EMPTY" in keywords:
            pieces.append(f"COALESCE({text} = '', FALSE)")
        if "WHITESPACES_ONLY" in keywords:
            pieces.append(f"COALESCE(regexp_full_match({text}, '\\s+'), FALSE)")
        match = " OR ".join(pieces) or "FALSE"
        if not cond.negated:
            return f"({match})"
        if "NULL" in keywords:
            return f"(NOT ({match}))"
        return f"(({col} IS NULL) OR NOT ({match}))"
    assert base is not None
    return f"COALESCE(NOT {base}, FALSE)" if cond.negated else f"COALESCE({base}, FALSE)"


def _domain(col: str, col_type: str, cond: Condition, values: list[Any], env: Env,
            ignore_case: bool) -> tuple[str, list[Any]]:
    """(the column expression, the operands) in the domain they compare in."""
    if cond.op == "matches":
        target = f"CAST({col} AS VARCHAR)"
        return (f"lower({target})" if ignore_case else target), values
    if _compares_as_time(col_type, cond.op, values, env):
        return _time_domain(col, col_type, cond.op, values, env)
    numbers = [_number(v) for v in values]
    if _compares_as_number(col_type, values, numbers):
        target = col if is_numeric(col_type) else f"TRY_CAST(CAST({col} AS VARCHAR) AS DOUBLE)"
        return target, numbers
    return _text_domain(col, values, ignore_case)


def _compares_as_time(col_type: str, op: str, values: list[Any], env: Env) -> bool:
    """Whether the operands are points in time: one is, or all are date strings compared
    with a date column or by order (``> "2024-01-01"`` on text reads the text as a date)."""
    strings = [v for v in values if isinstance(v, str)]
    # Read every string even when a datetime operand decides: an unknown timeZone is an error.
    dates = [as_datetime(s, env) for s in strings]
    if not values:
        return False
    if any(isinstance(v, datetime) for v in values):
        return True
    ordering = op in (">", ">=", "<", "<=", "between")
    return bool(strings) and all(d is not None for d in dates) and (is_temporal(col_type) or ordering)


def _time_domain(col: str, col_type: str, op: str, values: list[Any], env: Env) -> tuple[str, list[Any]]:
    out = [v if isinstance(v, datetime) else as_datetime(str(v), env) for v in values]
    if any(v is None for v in out):
        raise EvaluationError("cannot compare a date column with a value that is not a date")
    if op == "between":
        out = sorted(out)  # type: ignore[type-var]
    if is_temporal(col_type):
        return f"CAST({col} AS TIMESTAMP)", out
    return f"TRY_CAST(CAST({col} AS VARCHAR) AS TIMESTAMP)", out


def _compares_as_number(col_type: str, values: list[Any], numbers: list[float | None]) -> bool:
    """Whether every operand is a number, and a text operand (``"5"``) meets a numeric column."""
    has_text = any(isinstance(v, str) for v in values)
    return bool(values) and all(n is not None for n in numbers) and (not has_text or is_numeric(col_type))


def _text_domain(col: str, values: list[Any], ignore_case: bool) -> tuple[str, list[Any]]:
    target = f"CAST({col} AS VARCHAR)"
    texts = [str(v) if not isinstance(v, float) or not v.is_integer() else str(int(v)) for v in values]
    if ignore_case:
        return f"lower({target})", [t.lower() for t in texts]
    return target, texts


def _base(op: str, target: str, values: list[Any]) -> str:
    if op == "between":
        return f"({target} > {lit(values[0])} AND {target} < {lit(values[1])})"
    if op == "in":
        return f"({target} IN ({', '.join(lit(v) for v in values)}))"
    if op == "matches":
        return f"regexp_full_match({target}, {lit(values[0])})"
    return f"({target} {op} {lit(values[0])})"


def number_predicate(expr: str, cond: Condition, env: Env) -> str:
    """The pass expression of a numeric per-row measure (a length, an age in seconds)."""
    resolved = [resolve(o, env) for o in cond.operands]
    values = []
    for v in resolved:
        if hasattr(v, "total_seconds"):
            values.append(float(v.total_seconds()))
        elif (n := _number(v)) is not None:
            values.append(n)
        else:
            raise EvaluationError("expected a number")
    base = _base(cond.op, expr, values)
    if cond.negated and cond.op in ("=", "in"):
        return f"COALESCE(NOT {base}, TRUE)"
    return f"COALESCE(NOT {base}, FALSE)" if cond.negated else f"COALESCE({base}, FALSE)"
