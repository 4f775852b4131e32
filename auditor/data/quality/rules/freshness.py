"""DataFreshness: how old each value of a date column is (now minus the value).

``DataFreshness "Order_Date" <= 24 hours`` passes when every row's date is at most 24
hours old. Units: minutes, hours, days. A NULL (or a text value that is not a date)
fails its row, so "80.00 % of rows passed" counts them among the 20 % that did not.
"""

from __future__ import annotations

from auditor.data.quality.context import EvalContext
from auditor.data.quality.model import Rule
from auditor.data.quality.plugin import Case, Measurement, RuleType, compliance_verdict
from auditor.data.quality.registry import rule_type
from auditor.data.quality.rules._common import compliance, timestamp_expr
from auditor.data.quality.sqlgen import lit, number_predicate


@rule_type
class DataFreshness(RuleType):
    """``DataFreshness "Order_Date" <= 24 hours``: each value is at most that old (NULL fails)."""

    name = "DataFreshness"
    condition = "duration"
    threshold = True
    row_level = True
    examples = ('DataFreshness "Order_Date" <= 24 hours', 'DataFreshness "Order_Date" between 2 days and 5 days',
                '(DataFreshness "Order_Date" <= 24 hours) OR (ColumnValues "Order_Date" = NULL)',
                'DataFreshness "file_ts" < 24 hours')
    cases = (
        Case('DataFreshness "d" <= 24 hours', {"d": ["2026-12-07 10:00:00", "2026-12-01 00:00:00", None]}, "FAIL",
             (1, 2), 1 / 3, options={"now": "2026-12-07T12:00:00"}, why="NULL fails its row"),
        Case('(DataFreshness "d" <= 24 hours) OR (ColumnValues "d" = NULL)', {"d": ["2026-12-07 10:00:00", None]},
             "PASS", options={"now": "2026-12-07T12:00:00", "composite": "row"}),
    )

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        col = rule.columns[0]
        assert rule.condition is not None
        age = f"(epoch({lit(ctx.now)}) - epoch({timestamp_expr(ctx, col)}))"
        ok = number_predicate(age, rule.condition, ctx.env_for(rule))
        return compliance(ctx, rule, ok, f"Column.{col}.DataFreshness.Compliance")

    def verdict(self, rule: Rule, m: Measurement, ctx: EvalContext) -> bool:
        return compliance_verdict(rule, m, ctx)
