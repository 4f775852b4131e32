"""Mean, Sum, StandardDeviation, Entropy, ColumnCorrelation, and the AllStatistics analyzer.

NULLs are left out of every statistic (Glue's "Null behavior": 0, NULL, 20, NULL, 40 has
mean 20, sum 60 and standard deviation 16.33, the population formula). A text column
is cast to numbers as Spark casts it; a value that is not a number is left out too. A
statistic of no values at all cannot be evaluated (ERROR).
"""

from __future__ import annotations

from auditor.data.quality.context import EvalContext
from auditor.data.quality.model import Rule
from auditor.data.quality.plugin import Case, EvaluationError, Measurement, RuleType
from auditor.data.quality.registry import rule_type
from auditor.data.quality.rules._common import numeric_expr
from auditor.data.quality.sqlgen import is_numeric, q

_UNITS = {"units": [0, None, 20, None, 40]}


class _Aggregate(RuleType):
    sql = ""

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        col = rule.columns[0]
        expr = numeric_expr(ctx, col)
        n, value = ctx.row(f"SELECT count({expr}), {self.sql.format(x=expr)} FROM {ctx.base(rule)}")
        if not n:
            raise EvaluationError(f"column '{col}' has no numeric value in scope")
        value = float(value)
        return Measurement(value, {self.metric_name(rule): value})


@rule_type
class Mean(_Aggregate):
    """``Mean "Star_Rating" > 3``: the average of the non-NULL values."""

    name = "Mean"
    sql = "avg({x})"
    examples = ('Mean "Star_Rating" > 3', 'Mean "Salary" < 6200 where "Customer_ID < 10"',
                'Mean "colA" > avg(last(10)) + std(last(2))', 'Mean "colA" between min(last(5)) - 1 and max(last(5)) + 1')
    cases = (Case('Mean "units" = 20', _UNITS, "PASS", metric=20.0, why="NULL rows are ignored"),)


@rule_type
class Sum(_Aggregate):
    """``Sum "transaction_total" > 500000``: the sum of the non-NULL values."""

    name = "Sum"
    sql = "sum({x})"
    examples = ('Sum "transaction_total" > 500000', 'Sum "Salary" < 6200 where "Customer_ID < 10"',
                'Sum "ColA" > avg(last(10))', 'Sum "colA" between min(last(10)) - 1 and max(last(10)) + 1')
    cases = (Case('Sum "units" = 60', _UNITS, "PASS", metric=60.0),)


@rule_type
class StandardDeviation(_Aggregate):
    """``StandardDeviation "Star_Rating" < 1.5``: the population standard deviation of the non-NULL values."""

    name = "StandardDeviation"
    sql = "stddev_pop({x})"
    composite_rows = False
    examples = ('StandardDeviation "Star_Rating" < 1.5', 'StandardDeviation "Salary" < 3500 where "Customer_ID < 10"',
                'StandardDeviation "colA" between min(last(10)) - 1 and max(last(10)) + 1')
    cases = (Case('StandardDeviation "units" between 16.32 and 16.34', _UNITS, "PASS", metric=16.329932,
                  why="population formula over 0, 20, 40"),)


@rule_type
class Variance(_Aggregate):
    """``Variance "colA" <= 10.0``: the population variance of the non-NULL values (Glue's parser accepts it)."""

    name = "Variance"
    sql = "var_pop({x})"
    examples = ('Variance "col_A-B.CD" <= 10.0', 'Variance "col_A-B.CD" between 0.1 and 0.5')
    cases = (Case('Variance "units" between 266.6 and 266.7', _UNITS, "PASS", metric=266.666667),)


@rule_type
class Range(_Aggregate):
    """``Range "colA" < 100``: the largest minus the smallest non-NULL value (Glue's parser accepts it)."""

    name = "Range"
    sql = "max({x}) - min({x})"
    examples = ('Range "colA" < 100',)
    cases = (Case('Range "units" = 40', _UNITS, "PASS", metric=40.0),)


@rule_type
class Entropy(RuleType):
    """``Entropy "Star_Rating" > 1``: -sum(p * ln p) over the frequencies of the non-NULL values."""

    name = "Entropy"
    examples = ('Entropy "Star_Rating" > 1', 'Entropy "Star_Rating" > 1 where "Customer_ID < 10"',
                'Entropy "colA" < max(last(10))', 'Entropy "colA" between min(last(10)) - 1 and max(last(10)) + 1')
    cases = (Case('Entropy "v" between 0.69 and 0.70', {"v": ["a", "b", None]}, "PASS", metric=0.693147,
                  why="two equally frequent values: ln 2"),)

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        col = q(rule.columns[0])
        groups = f"SELECT count(*) AS n FROM {ctx.base(rule)} WHERE {col} IS NOT NULL GROUP BY {col}"
        total, value = ctx.row(f"SELECT sum(n), -sum((n / t) * ln(n / t)) FROM ({groups}), "
                               f"(SELECT sum(n)::DOUBLE AS t FROM ({groups}))")
        if not total:
            raise EvaluationError(f"column '{rule.columns[0]}' has no value in scope")
        value = abs(float(value)) + 0.0
        return Measurement(value, {self.metric_name(rule): value})


@rule_type
class ColumnCorrelation(RuleType):
    """``ColumnCorrelation "height" "weight" > 0.8``: Pearson correlation over rows where both are non-NULL."""

    name = "ColumnCorrelation"
    params = (2, 2)
    param_label = "two column names"
    examples = ('ColumnCorrelation "height" "weight" > 0.8',
                'ColumnCorrelation "weightinkgs" "Salary" > 0.8 where "weightinkgs > 40"',
                'ColumnCorrelation "colA" "colB" between min(last(10)) and max(last(10))',
                'ColumnCorrelation "colA" "colB" < avg(last(5)) + std(last(5))')
    cases = (Case('ColumnCorrelation "id" "units" = 1.0', {"id": [100, 101, 102, 103, 104],
                                                           "units": [0, None, 20, None, 40]}, "PASS", metric=1.0,
                  why="rows 101 and 103 are ignored"),)

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        a, b = (numeric_expr(ctx, c) for c in rule.columns)
        value = ctx.scalar(f"SELECT corr({a}, {b}) FROM {ctx.base(rule)}")
        if value is None or value != value:
            raise EvaluationError("correlation is undefined (fewer than 2 rows with both values, or a constant column)")
        value = round(float(value), 12)
        return Measurement(value, {self.metric_name(rule): value})


@rule_type
class AllStatistics(RuleType):
    """``Analyzers = [ AllStatistics "col" ]``: row count, completeness, uniqueness, and length or value statistics."""

    name = "AllStatistics"
    condition = "none"
    analyzer_only = True
    examples = ()

    def columns(self, rule: Rule) -> list[str]:
        return [] if rule.columns == ["AllColumns"] else rule.columns

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        cols = ctx.primary.columns if rule.columns == ["AllColumns"] else rule.columns
        base = ctx.base(rule)
        metrics: dict[str, float | int | None] = {"Dataset.*.RowCount": int(ctx.scalar(f"SELECT count(*) FROM {base}"))}
        for col in cols:
            c = q(col)
            total, nonnull, distinct = ctx.row(f"SELECT count(*), count({c}), count(DISTINCT {c}) FROM {base}")
            metrics[f"Column.{col}.Completeness"] = nonnull / total if total else None
            metrics[f"Column.{col}.DistinctValuesCount"] = int(distinct)
            if is_numeric(ctx.type_of(col)):
                lo, hi, mean, sd, s = ctx.row(f"SELECT min({c}), max({c}), avg({c}), stddev_pop({c}), sum({c}) "
                                              f"FROM {base}")
                metrics.update({f"Column.{col}.Minimum": lo, f"Column.{col}.Maximum": hi, f"Column.{col}.Mean": mean,
                                f"Column.{col}.StandardDeviation": sd, f"Column.{col}.Sum": s})
            else:
                lo, hi = ctx.row(f"SELECT min(length(CAST({c} AS VARCHAR))), max(length(CAST({c} AS VARCHAR))) "
                                 f"FROM {base}")
                metrics.update({f"Column.{col}.MinimumLength": lo, f"Column.{col}.MaximumLength": hi})
        return Measurement(None, {k: (float(v) if isinstance(v, float) else v) for k, v in metrics.items()},
                           passed=True)
