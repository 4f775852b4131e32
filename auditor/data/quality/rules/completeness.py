"""IsComplete and Completeness: how many values of a column are not NULL.

A blank cell of a CSV text column is the empty string, not NULL, so it is complete; in
a typed column (a number, a date) a blank is NULL and is not (Glue's "Null behavior").
Both are row-level: the rows with NULL fail.
"""

from __future__ import annotations

from auditor.data.quality.context import EvalContext
from auditor.data.quality.model import Rule
from auditor.data.quality.plugin import Case, Measurement, RuleType
from auditor.data.quality.registry import rule_type
from auditor.data.quality.rules._common import compliance
from auditor.data.quality.sqlgen import q


def _completeness(rule: Rule, ctx: EvalContext) -> Measurement:
    col = rule.columns[0]
    return compliance(ctx, rule, f"({q(col)} IS NOT NULL)", f"Column.{col}.Completeness")


@rule_type
class IsComplete(RuleType):
    """``IsComplete "email"``: every value of the column is non-NULL (rows with NULL fail)."""

    name = "IsComplete"
    condition = "none"
    row_level = True
    examples = (
        'IsComplete "email"',
        'IsComplete "Email" where "Customer_ID between 1 and 50"',
        'IsComplete "Customer_ID"  where "Customer_ID < 16 and Customer_ID != 12"',
        'IsComplete "passenger_count" where "payment_type<>0"',
    )
    cases = (
        Case('IsComplete "email"', {"email": ["a@example.com", None, "c@example.com"]}, "FAIL", (1,), 2 / 3),
        Case('IsComplete "name"', "name,age\nann,3\n,4\n", "PASS", (), 1.0, csv=True,
             why="a blank CSV cell of a string column is an empty string, not NULL"),
        Case('IsComplete "age"', "name,age\nann,\nbob,4\n", "FAIL", (0,), 0.5, csv=True,
             why="a blank CSV cell of an int column is NULL"),
        Case('IsComplete "Customer_ID" where "Customer_ID < 16 and Customer_ID != 12"',
             "Customer_ID,x\n1,a\n12,b\n20,c\n,d\n", "PASS", (), 1.0, csv=True,
             why="where filters typed rows: 12, 20 and the NULL row are out of scope"),
    )

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        m = _completeness(rule, ctx)
        m.passed = m.failing == 0
        return m

    def metric_name(self, rule: Rule) -> str:
        return f"Column.{rule.columns[0]}.Completeness"


@rule_type
class Completeness(RuleType):
    """``Completeness "First_Name" > 0.95``: the share of non-NULL values meets the condition."""

    name = "Completeness"
    row_level = True
    composite_rows = False
    examples = (
        'Completeness "First_Name" > 0.95',
        'Completeness "First_Name" > 0.95 where "weightinkgs > 10"',
        'Completeness "colA" between min(last(5)) - 1 and max(last(5)) + 1',
        'Completeness "colA" <= avg(last(10))',
    )
    cases = (
        Case('Completeness "First_Name" > 0.95', {"First_Name": ["a"] * 19 + [None]}, "FAIL", (19,), 0.95,
             why="0.95 is not greater than 0.95"),
        Case('Completeness "First_Name" >= 0.95', {"First_Name": ["a"] * 19 + [None]}, "PASS", (19,), 0.95),
        Case('Completeness "First_Name" > 0.95 where "weightinkgs > 10"',
             {"First_Name": ["a", None, "b", "c"], "weightinkgs": [20, 5, 30, 40]}, "PASS", (), 1.0),
        Case('Completeness "colA" <= avg(last(10))', {"colA": ["a", None]}, "FAIL", (1,), 0.5,
             why="no history: last(10) is 0.0, Glue's default"),
    )

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        return _completeness(rule, ctx)
