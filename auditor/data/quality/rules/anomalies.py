"""DetectAnomalies: is this run's metric unusual against the dataset's run history?

``DetectAnomalies "RowCount"``, ``DetectAnomalies "Completeness" "colA"`` (also written
``DetectAnomalies of Completeness of "colA"``) compute the named rule type's metric and
compare it with its past values (see :mod:`auditor.data.quality.history`). Glue uses a
learned model; here the test is explicit: the value is anomalous when it lies more than
three (population) standard deviations from the mean of the past values, or differs
from them at all when they never varied. With fewer than three past values there is
nothing to compare with: the rule is ERROR and says how many values it has.
"""

from __future__ import annotations

import statistics
from typing import Any

from auditor.core.registry import UnknownNameError
from auditor.data.quality.context import EvalContext, primary_sql
from auditor.data.quality.model import Rule
from auditor.data.quality.plugin import EvaluationError, Measurement, RuleType
from auditor.data.quality.registry import get_rule_type, rule_type
from auditor.data.quality.rules._common import numeric_expr
from auditor.data.quality.rules.custom_sql import CustomSql
from auditor.data.quality.sqlgen import q

MIN_HISTORY = 3
SIGMAS = 3.0
SUPPORTED = ("RowCount", "Completeness", "Uniqueness", "Mean", "Sum", "StandardDeviation", "Entropy",
             "DistinctValuesCount", "UniqueValueRatio", "ColumnLength", "ColumnValues", "ColumnCorrelation",
             "CustomSql", "ColumnCount")
_BY_LOWER = {n.lower(): n for n in SUPPORTED}


def _inner(rule: Rule) -> Rule:
    name, *params = rule.params
    return Rule(_BY_LOWER.get(name.value.lower(), name.value), tuple(params), where=rule.where, text=rule.text,
                line=rule.line, col=rule.col)


def _metric(inner: Rule, ctx: EvalContext) -> tuple[str, Any]:
    """The metric DetectAnomalies watches for the inner rule type (Glue's metric names)."""
    plugin = get_rule_type(inner.type)
    base = ctx.base(inner)
    if inner.type in ("ColumnLength", "ColumnValues"):
        col = inner.columns[0]
        if inner.type == "ColumnLength":
            return (f"Column.{col}.MaximumLength",
                    ctx.scalar(f"SELECT max(length(CAST({q(col)} AS VARCHAR))) FROM {base}"))
        return f"Column.{col}.Maximum", ctx.scalar(f"SELECT max({numeric_expr(ctx, col)}) FROM {base}")
    if inner.type == "CustomSql":
        m = CustomSql()._value(primary_sql(inner.columns[0]), ctx)
        return "Dataset.*.CustomSQL", m.value
    key = plugin.metric_name(inner)
    m = plugin.measure(inner, ctx)
    return key, m.metrics.get(key, m.value)


@rule_type
class DetectAnomalies(RuleType):
    """``DetectAnomalies "RowCount"``: the metric is within 3 standard deviations of its history (3+ past runs)."""

    name = "DetectAnomalies"
    params = (1, None)
    param_label = "a rule type name, e.g. \"RowCount\""
    condition = "none"
    rule_name_param = True
    examples = ('DetectAnomalies "RowCount"', 'DetectAnomalies of RowCount',
                'DetectAnomalies of Completeness of "colA"', 'DetectAnomalies "Completeness" "colA"',
                'DetectAnomalies of ColumnCorrelation of "colA" and "colB"', 'DetectAnomalies "ColumnLength" "id"')

    def validate(self, rule: Rule) -> str | None:
        name = _inner(rule).type
        if name not in SUPPORTED:
            return f"DetectAnomalies supports {', '.join(SUPPORTED)}"
        try:
            inner = get_rule_type(name)
        except UnknownNameError as exc:
            return str(exc)
        low, high = inner.params
        n = len(rule.params) - 1
        if n < low or (high is not None and n > high):
            return f"DetectAnomalies of {inner.name} takes {inner.param_label}"
        return None

    def columns(self, rule: Rule) -> list[str]:
        inner = _inner(rule)
        return get_rule_type(inner.type).columns(inner)

    def metric_name(self, rule: Rule) -> str:
        inner = _inner(rule)
        if inner.type == "ColumnLength":
            return f"Column.{inner.columns[0]}.MaximumLength"
        if inner.type == "ColumnValues":
            return f"Column.{inner.columns[0]}.Maximum"
        return get_rule_type(inner.type).metric_name(inner)

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        key, value = _metric(_inner(rule), ctx)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EvaluationError(f"{key} has no value to compare")
        past = ctx.past(key)
        if past is None:
            raise EvaluationError(f"no run history to detect anomalies of {key} (pass --history)")
        if len(past) < MIN_HISTORY:
            raise EvaluationError(f"not enough history to detect anomalies of {key}: "
                                  f"{len(past)} of {MIN_HISTORY} past values")
        value = float(value)
        mean, sd = statistics.fmean(past), statistics.pstdev(past)
        low, high = mean - SIGMAS * sd, mean + SIGMAS * sd
        ok = low - 1e-9 * abs(mean) <= value <= high + 1e-9 * abs(mean)
        message = "" if ok else (f"{key} = {value:g} is outside the expected range {low:g} .. {high:g} "
                                 f"({len(past)} past values)")
        return Measurement(value, {key: value}, passed=ok, message=message)

