"""Recommend a starter DQDL ruleset from the data, as Glue's rule recommendations do.

``auditor data check PATH --recommend`` profiles the dataset (with the same typed
reading as a check) and writes rules that pass on it, for a person to edit:

- ``RowCount`` around the current count and ``ColumnCount`` equal to it;
- per column: ``IsComplete`` (or ``Completeness >=`` the current share), ``IsUnique``
  when every value is distinct, a value range for numbers and dates, a length range
  for text, and ``ColumnValues ... in [...]`` for a text column with at most 10
  distinct values each seen in at least 5 rows (rarer values could single out a
  person; they are never written).

Every recommended rule is evaluated on the data before it is written; one that does
not pass is left out, so the starter ruleset always passes on the data it came from.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from auditor.data.quality.context import TABLE
from auditor.data.quality.evaluation import Session, run_ruleset
from auditor.data.quality.sqlgen import is_numeric, is_temporal, q

MAX_CATEGORIES = 10
MIN_CATEGORY_ROWS = 5


def _s(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _column_rules(con: Any, col: str, col_type: str, rows: int) -> list[str]:
    c = q(col)
    nonnull, distinct = con.execute(f"SELECT count({c}), count(DISTINCT {c}) FROM {TABLE}").fetchone()
    out = _completeness_rules(col, nonnull, distinct, rows)
    if not nonnull:
        return out
    share = nonnull / rows if rows else 1.0
    threshold = "" if nonnull == rows else f" with threshold >= {math.floor(share * 100) / 100:g}"
    if is_numeric(col_type):
        out.append(_number_range(con, col, threshold))
    elif is_temporal(col_type):
        out.append(_date_range(con, col, threshold))
    elif col_type.startswith("VARCHAR"):
        out += _text_rules(con, col, nonnull, distinct, rows, threshold)
    return out


def _completeness_rules(col: str, nonnull: int, distinct: int, rows: int) -> list[str]:
    out: list[str] = []
    share = nonnull / rows if rows else 1.0
    if nonnull == rows:
        out.append(f"IsComplete {_s(col)}")
    elif nonnull:
        out.append(f"Completeness {_s(col)} >= {math.floor(share * 100) / 100:g}")
    if nonnull and distinct == nonnull and rows > 1:
        out.append(f"IsUnique {_s(col)}")
    return out


def _number_range(con: Any, col: str, threshold: str) -> str:
    c = q(col)
    lo, hi = con.execute(f"SELECT min({c}), max({c}) FROM {TABLE}").fetchone()
    return f"ColumnValues {_s(col)} between {_num(math.floor(lo) - 1)} and {_num(math.ceil(hi) + 1)}{threshold}"


def _date_range(con: Any, col: str, threshold: str) -> str:
    c = q(col)
    lo, hi = con.execute(f"SELECT CAST(min({c}) AS DATE), CAST(max({c}) AS DATE) FROM {TABLE}").fetchone()
    return (f'ColumnValues {_s(col)} between "{(lo - timedelta(days=1)).isoformat()}" and '
            f'"{(hi + timedelta(days=2)).isoformat()}"{threshold}')


def _text_rules(con: Any, col: str, nonnull: int, distinct: int, rows: int, threshold: str) -> list[str]:
    """A length range, and the allowed values when there are few and each is common."""
    c = q(col)
    lo, hi = con.execute(f"SELECT min(length({c})), max(length({c})) FROM {TABLE}").fetchone()
    low = 0 if nonnull < rows else lo  # NULL counts as length 0
    out = [f"ColumnLength {_s(col)} between {max(low - 1, -1)} and {hi + 1}"]
    if distinct <= MAX_CATEGORIES + 1 and rows >= MIN_CATEGORY_ROWS:
        out += _category_rule(con, col, threshold)
    return out


def _category_rule(con: Any, col: str, threshold: str) -> list[str]:
    """``ColumnValues ... in [...]`` when at most MAX_CATEGORIES values each fill MIN_CATEGORY_ROWS rows."""
    c = q(col)
    counts = con.execute(f"SELECT {c}, count(*) FROM {TABLE} WHERE {c} IS NOT NULL GROUP BY {c} "
                         f"ORDER BY {c}").fetchall()
    values = [_s(str(v)) for v, _ in counts if v != ""]
    if any(v == "" for v, _ in counts):
        values.append("EMPTY")  # blank cells of a text column (an empty value singles nobody out)
    if len(values) <= MAX_CATEGORIES and all(n >= MIN_CATEGORY_ROWS for v, n in counts if v != ""):
        return [f"ColumnValues {_s(col)} in [{', '.join(values)}]{threshold}"]
    return []


def recommend_rules(data: Any, columns: list[str] | None = None) -> list[str]:
    """Recommended rules (DQDL text, one per item) that all pass on ``data``."""
    session = Session()
    try:
        if hasattr(data, "chunks") and hasattr(data, "format"):
            session.primary = session.load_table(TABLE, data, getattr(data, "source", ""))
        else:
            session.load_primary(data, columns)
        assert session.primary is not None
        con, primary = session.con, session.primary
        rows = int(con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])  # type: ignore[index]
        rules = [f"RowCount between {rows // 2} and {rows * 2 + 1}", f"ColumnCount = {len(primary.columns)}"]
        for col in primary.columns:
            rules += _column_rules(con, col, primary.types[col], rows)
    finally:
        session.close()
    text = "Rules = [\n    " + ",\n    ".join(rules) + "\n]\n"
    results = run_ruleset(text, data, columns)
    return [r for r, res in zip(rules, results.results, strict=True) if res.outcome == "PASS"]


def recommend_ruleset(data: Any, columns: list[str] | None = None, source: str = "") -> str:
    """A starter ruleset (DQDL text with a header comment) that passes on ``data``."""
    rules = recommend_rules(data, columns)
    where = source or getattr(data, "source", "") or "the data"
    head = (f"# Starter ruleset recommended from {where}: every rule passes on that data.\n"
            "# Review it: tighten the ranges, drop what does not matter, add business rules.\n")
    return head + "Rules = [\n    " + ",\n    ".join(rules) + "\n]\n"
