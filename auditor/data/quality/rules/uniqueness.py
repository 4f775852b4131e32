"""IsUnique, Uniqueness, IsPrimaryKey, UniqueValueRatio, DistinctValuesCount.

As in Deequ, on which Glue Data Quality is built, NULLs are left out: a value is unique
when it occurs exactly once among the non-NULL values, and Uniqueness is the share of
non-NULL rows whose value is unique. With several columns the combination counts (a row
is left out only when all its columns are NULL). IsPrimaryKey also needs every column
complete.
"""

from __future__ import annotations

from auditor.data.quality.context import ROW, EvalContext
from auditor.data.quality.model import Rule
from auditor.data.quality.plugin import Case, Measurement, RuleType
from auditor.data.quality.registry import rule_type
from auditor.data.quality.sqlgen import q


def _cols(rule: Rule) -> str:
    return ", ".join(q(c) for c in rule.columns)


def _any_value(rule: Rule) -> str:
    return "(" + " OR ".join(f"{q(c)} IS NOT NULL" for c in rule.columns) + ")"


def _name(rule: Rule, metric: str) -> str:
    cols = rule.columns
    return f"Column.{cols[0]}.{metric}" if len(cols) == 1 else f"Multicolumn.{','.join(cols)}.{metric}"


def _uniqueness(rule: Rule, ctx: EvalContext) -> Measurement:
    """Share of non-NULL rows whose value (combination) occurs once; rows of repeated values fail."""
    base = ctx.base(rule)
    groups = f"SELECT count(*) AS n FROM {base} WHERE {_any_value(rule)} GROUP BY {_cols(rule)}"
    total, unique = ctx.row(f"SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE n = 1), 0) FROM ({groups})")
    value = unique / total if total else None
    rows = (f"SELECT {ROW} AS r, (NOT {_any_value(rule)} OR count(*) OVER (PARTITION BY {_cols(rule)}) = 1) AS ok "
            f"FROM {base}")
    return Measurement(value, {_name(rule, "Uniqueness"): value}, rows=rows, failing=int(total - unique))


@rule_type
class IsUnique(RuleType):
    """``IsUnique "email"``: no non-NULL value (or combination of values) occurs twice."""

    name = "IsUnique"
    params = (1, None)
    param_label = "one or more column names"
    condition = "none"
    row_level = True
    examples = ('IsUnique "email"', 'IsUnique "email" where "customer_id < 100"', 'IsUnique "col_1" "col_2"')
    cases = (
        Case('IsUnique "id"', {"id": [1, 2, 2, None]}, "FAIL", (1, 2), 1 / 3),
        Case('IsUnique "id"', {"id": [1, 2, None, None]}, "PASS", (), 1.0, why="NULLs are not values"),
        Case('IsUnique "a" "b"', {"a": [1, 1, 2], "b": ["x", "y", "x"]}, "PASS", (), 1.0),
    )

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        m = _uniqueness(rule, ctx)
        m.passed = m.failing == 0
        return m

    def metric_name(self, rule: Rule) -> str:
        return _name(rule, "Uniqueness")


@rule_type
class Uniqueness(RuleType):
    """``Uniqueness "email" > 0.99``: the share of unique non-NULL values meets the condition."""

    name = "Uniqueness"
    params = (1, None)
    param_label = "one or more column names"
    row_level = True
    composite_rows = False
    examples = ('Uniqueness "email" = 1.0', 'Uniqueness "colA" between min(last(10)) and max(last(10))',
                'Uniqueness "colA" >= avg(last(10))', 'Uniqueness "email" >= 0.9 where "customer_id < 100"',
                'Uniqueness "col_1" "col_2" > 0.5')
    cases = (
        Case('Uniqueness "status" > 0.5', {"status": ["a", "b", "a", "c", "a"]}, "FAIL", (0, 2, 4), 0.4),
        Case('Uniqueness "a" "b" = 1.0', {"a": [1, 1], "b": [1, 2]}, "PASS", (), 1.0),
    )

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        return _uniqueness(rule, ctx)


@rule_type
class IsPrimaryKey(RuleType):
    """``IsPrimaryKey "id"`` / ``IsPrimaryKey "a" "b"``: the column(s) are complete and unique."""

    name = "IsPrimaryKey"
    params = (1, None)
    param_label = "one or more column names"
    condition = "none"
    row_level = True
    examples = ('IsPrimaryKey "Customer_ID"', 'IsPrimaryKey "Customer_ID" "Customer_Name"',
                'IsPrimaryKey "Customer_ID" where "Customer_ID < 10"')
    cases = (
        Case('IsPrimaryKey "id"', {"id": [1, 2, 2, None]}, "FAIL", (1, 2, 3)),
        Case('IsPrimaryKey "id" "k"', {"id": [1, 1, 2], "k": ["a", "b", "a"]}, "PASS", ()),
    )

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        unique = _uniqueness(rule, ctx)
        base = ctx.base(rule)
        complete = " AND ".join(f"{q(c)} IS NOT NULL" for c in rule.columns)
        rows = (f"SELECT {ROW} AS r, (({complete}) AND count(*) OVER (PARTITION BY {_cols(rule)}) = 1) AS ok "
                f"FROM {base}")
        total, passing = ctx.row(f"SELECT count(*), count_if({complete}) FROM {base}")
        completeness = passing / total if total else None
        failing = None if unique.failing or passing < total else 0
        return Measurement(unique.value, {**unique.metrics, _name(rule, "Completeness"): completeness},
                           passed=unique.failing == 0 and passing == total, rows=rows, failing=failing)

    def metric_name(self, rule: Rule) -> str:
        return _name(rule, "Uniqueness")


@rule_type
class UniqueValueRatio(RuleType):
    """``UniqueValueRatio "test_score" > 0.8``: values occurring once / distinct values ([a,a,b] -> 0.5)."""

    name = "UniqueValueRatio"
    examples = ('UniqueValueRatio "test_score" between 0 and 0.5',
                'UniqueValueRatio "Customer_ID" between 0 and 0.5 where "Customer_ID < 10"',
                'UniqueValueRatio "colA" > avg(last(10))', 'UniqueValueRatio "colA" <= index(last(10),2) + std(last(5))')
    cases = (Case('UniqueValueRatio "v" = 0.5', {"v": ["a", "a", "b", None]}, "PASS", metric=0.5),)

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        col = q(rule.columns[0])
        groups = f"SELECT count(*) AS n FROM {ctx.base(rule)} WHERE {col} IS NOT NULL GROUP BY {col}"
        distinct, unique = ctx.row(f"SELECT count(*), count(*) FILTER (WHERE n = 1) FROM ({groups})")
        value = unique / distinct if distinct else None
        return Measurement(value, {self.metric_name(rule): value})


@rule_type
class DistinctValuesCount(RuleType):
    """``DistinctValuesCount "State" > 3``: the number of distinct non-NULL values."""

    name = "DistinctValuesCount"
    examples = ('DistinctValuesCount "State" > 3', 'DistinctValuesCount "Customer_ID" < 6 where "Customer_ID < 10"',
                'DistinctValuesCount "colA" between avg(last(10))-1 and avg(last(10))+1',
                'DistinctValuesCount "colA" <= index(last(10),2) + std(last(5))')
    cases = (Case('DistinctValuesCount "State" > 3', {"State": ["WA", "OR", "WA", "CA", None]}, "FAIL", metric=3),)

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        value = ctx.scalar(f"SELECT count(DISTINCT {q(rule.columns[0])}) FROM {ctx.base(rule)}")
        return Measurement(int(value), {self.metric_name(rule): int(value)})
