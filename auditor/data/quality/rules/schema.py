"""RowCount, ColumnCount, ColumnExists, ColumnNamesMatchPattern: the shape of the dataset."""

from __future__ import annotations

import re

from auditor.data.quality.context import EvalContext
from auditor.data.quality.model import Rule
from auditor.data.quality.plugin import Case, Measurement, RuleType
from auditor.data.quality.registry import rule_type


@rule_type
class RowCount(RuleType):
    """``RowCount between 10 and 100``: the number of rows (in scope of ``where``).

    The documentation's ``(RowCount "id" > 100)`` shows a column parameter; it is accepted
    and has no effect (rows are rows).
    """

    name = "RowCount"
    params = (0, 1)
    param_label = "no parameter"
    examples = ('RowCount between 10 and 100', 'RowCount between 1 and 50 where "Customer_ID < 10"',
                'RowCount > avg(last(10)) * 0.8', 'RowCount = 100', 'RowCount > 0',
                '(RowCount "id" > 100) or (IsPrimaryKey "id")')
    cases = (
        Case('RowCount between 1 and 50 where "Customer_ID < 10"', "Customer_ID\n1\n5\n12\n", "PASS", metric=2,
             csv=True),
        Case('RowCount between 2 and 3', {"a": [1, 2, 3]}, "FAIL", metric=3, why="between is exclusive"),
        Case('RowCount > avg(last(10)) * 0.8', {"a": [1]}, "PASS", metric=1,
             why="no history: last(10) is 0.0, Glue's default"),
    )

    def columns(self, rule: Rule) -> list[str]:
        return []

    def metric_name(self, rule: Rule) -> str:
        return "Dataset.*.RowCount"

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        value = int(ctx.scalar(f"SELECT count(*) FROM {ctx.base(rule)}"))
        return Measurement(value, {"Dataset.*.RowCount": value})


@rule_type
class ColumnCount(RuleType):
    """``ColumnCount between 10 and 20``: the number of columns."""

    name = "ColumnCount"
    params = (0, 0)
    param_label = "no parameter"
    where = "ignore"
    examples = ('ColumnCount between 10 and 20', 'ColumnCount >= avg(last(10))',
                'ColumnCount between min(last(10))-1 and max(last(10))+1')
    cases = (Case('ColumnCount between 1 and 3', {"a": [1], "b": [2]}, "PASS", metric=2),)

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        value = len(ctx.primary.columns)
        return Measurement(value, {"Dataset.*.ColumnCount": value})


@rule_type
class ColumnExists(RuleType):
    """``ColumnExists "Middle_Name"``: the column is in the dataset."""

    name = "ColumnExists"
    condition = "none"
    where = "no"
    examples = ('ColumnExists "Middle_Name"',)
    cases = (Case('ColumnExists "Middle_Name"', {"First_Name": ["a"]}, "FAIL"),
             Case('ColumnExists "First_Name"', {"First_Name": ["a"]}, "PASS"))

    def columns(self, rule: Rule) -> list[str]:
        return []

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        ok = rule.columns[0] in ctx.primary.columns
        return Measurement(int(ok), passed=ok, message="" if ok else f"column '{rule.columns[0]}' is missing")


@rule_type
class ColumnNamesMatchPattern(RuleType):
    """``ColumnNamesMatchPattern "aws_.*"``: every column name matches the regular expression (whole name)."""

    name = "ColumnNamesMatchPattern"
    param_label = "a regular expression in double quotes"
    condition = "none"
    where = "ignore"
    examples = ('ColumnNamesMatchPattern "aws_.*"', 'ColumnNamesMatchPattern "aws_.*" where "weightinkgs > 10"')
    cases = (Case('ColumnNamesMatchPattern "aws_.*"', {"aws_a": [1], "b": [2]}, "FAIL", metric=0.5),
             Case('ColumnNamesMatchPattern "aws_.*"', {"aws_a": [1], "aws_b": [2]}, "PASS", metric=1.0))

    def validate(self, rule: Rule) -> str | None:
        try:
            re.compile(rule.columns[0])
        except re.error as exc:
            return f"invalid regular expression ({exc})"
        return None

    def columns(self, rule: Rule) -> list[str]:
        return []

    def metric_name(self, rule: Rule) -> str:
        return "Dataset.*.ColumnNamesPatternMatchRatio"

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        names = ctx.primary.columns
        pattern = re.compile(rule.columns[0])
        bad = [n for n in names if not pattern.fullmatch(n)]
        ratio = (len(names) - len(bad)) / len(names) if names else 1.0
        return Measurement(ratio, {self.metric_name(rule): ratio}, passed=not bad,
                           message=f"{len(bad)} of {len(names)} column names do not match" if bad else "")
