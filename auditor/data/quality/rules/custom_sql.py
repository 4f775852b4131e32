"""CustomSql: a SQL statement over ``primary`` (and any ``--ref`` dataset).

Two forms, as in Glue:

- ``CustomSql "select count(*) from primary" between 10 and 20``: the statement returns one
  value, checked against the condition.
- ``CustomSql "select Name from primary where Age > 18"``: row-level. The rows of
  ``primary`` the statement returns pass, the others fail (matched on the columns it
  selects, which must be columns of ``primary``). Without a threshold every row must
  pass. ``with threshold > 0.9`` is the share of rows that must pass; a whole-number
  threshold above 1 (``with threshold > 3``) counts failing rows: the rule fails when
  the number of failing rows meets it, as the Glue documentation words it.

SQL runs in DuckDB with file and network access disabled: it can read only the loaded
datasets. A statement that does not run is ERROR, never FAIL. A value that is not a
number is never echoed in a message (it may be personal data).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from auditor.data.quality.context import ROW, TABLE, EvalContext, primary_sql
from auditor.data.quality.model import Num, Rule
from auditor.data.quality.plugin import Case, EvaluationError, Measurement, RuleType
from auditor.data.quality.registry import rule_type
from auditor.data.quality.sqlgen import q


def _count_threshold(rule: Rule) -> bool:
    th = rule.threshold
    return th is not None and all(isinstance(o, Num) and o.value == int(o.value) for o in th.operands) \
        and any(isinstance(o, Num) and o.value > 1 for o in th.operands)


@rule_type
class CustomSql(RuleType):
    """``CustomSql "select count(*) from primary" > 0``, or row-level ``CustomSql "select id from primary where ..."``."""

    name = "CustomSql"
    param_label = "a SQL statement in double quotes"
    condition_optional = True
    threshold = True
    where = "no"
    row_level = True
    examples = ('CustomSql "select count(*) from primary" between 10 and 20',
                'CustomSql "select Name from primary where Age  > 18"',
                'CustomSql "select Name from primary where Age > 18" with threshold > 3')
    cases = (
        Case('CustomSql "select count(*) from primary" between 1 and 5', {"a": [1, 2]}, "PASS", metric=2),
        Case('CustomSql "select Name from primary where Age > 18"', {"Name": ["a", "b", "c"], "Age": [20, 10, 30]},
             "FAIL", (1,), 2 / 3, why="rows the statement does not return fail"),
        Case('CustomSql "select Name from primary where Age > 18" with threshold > 3',
             {"Name": list("abcdef"), "Age": [20, 10, 5, 1, 0, 40]}, "FAIL", (1, 2, 3, 4),
             why="4 rows fail: more than 3"),
        Case('CustomSql "select Name from primary where Age > 18" with threshold > 3',
             {"Name": list("abcdef"), "Age": [20, 10, 5, 1, 30, 40]}, "PASS", (1, 2, 3),
             why="3 rows fail: not more than 3"),
        Case('CustomSql "select Name from primary where Age > 18" with threshold > 0.5',
             {"Name": list("abc"), "Age": [20, 10, 30]}, "PASS", (1,)),
        Case('CustomSql "select count(*) from primary p join reference r on p.id = r.id" = 1',
             {"id": [1, 2]}, "PASS", refs={"reference": {"id": [2, 3]}}),
    )

    def columns(self, rule: Rule) -> list[str]:
        return []

    def metric_name(self, rule: Rule) -> str:
        return "Dataset.*.CustomSQL"

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        sql = primary_sql(rule.columns[0].strip().rstrip(";"))
        if rule.condition is not None:
            return self._value(sql, ctx)
        return self._rows(sql, ctx)

    def _value(self, sql: str, ctx: EvalContext) -> Measurement:
        cur = ctx.con.execute(f"SELECT * FROM ({sql}) AS custom LIMIT 2")
        rows = cur.fetchall()
        if len(rows) > 1 or (rows and len(rows[0]) != 1):
            shape = f"{len(rows)}+ rows" if len(rows) > 1 else f"{len(rows[0])} columns"
            raise EvaluationError(f"the statement must return a single value (it returned {shape}); "
                                  "without a condition it is the row-level form")
        value: Any = rows[0][0] if rows else None
        if isinstance(value, bool):
            value = int(value)
        elif isinstance(value, Decimal):
            value = float(value)
        numeric = isinstance(value, (int, float))
        m = Measurement(value, {"Dataset.*.CustomSQL": value if numeric else None})
        if value is None:
            m.message = "the statement returned no value"
        elif not numeric:
            m.message = "the statement returned a non-numeric value"
        return m

    def _rows(self, sql: str, ctx: EvalContext) -> Measurement:
        described = ctx.con.execute(f"DESCRIBE SELECT * FROM ({sql}) AS custom").fetchall()
        selected = [str(r[0]) for r in described]
        keys = [c for c in selected if c in ctx.primary.columns]
        if not keys or len(keys) != len(selected):
            raise EvaluationError("the row-level form must select columns of primary "
                                  f"({len(selected) - len(keys)} selected column(s) are not)")
        cols = ", ".join(q(c) for c in keys)
        on = " AND ".join(f"t.{q(c)} IS NOT DISTINCT FROM m.{q(c)}" for c in keys)
        rows = (f"SELECT t.{ROW} AS r, (m.__hit IS NOT NULL) AS ok FROM {TABLE} t LEFT JOIN "
                f"(SELECT DISTINCT {cols}, TRUE AS __hit FROM ({sql}) AS custom) m ON {on}")
        total, passing = ctx.row(f"SELECT count(*), count_if(ok) FROM ({rows})")
        value = passing / total if total else None
        return Measurement(value, {"Dataset.*.CustomSQL.Compliance": value}, rows=rows, failing=int(total - passing))

    def verdict(self, rule: Rule, m: Measurement, ctx: EvalContext) -> bool:
        if rule.condition is not None:
            return ctx.check(rule.condition, m.value, rule)
        if m.value is None:
            return True
        if rule.threshold is None:
            return bool(m.value == 1.0)
        if _count_threshold(rule):
            return not ctx.check(rule.threshold, m.failing, rule)
        return ctx.check(rule.threshold, m.value, rule)
