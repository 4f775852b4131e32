"""ColumnValues, ColumnLength and ColumnDataType: a condition every row's value must meet.

All three are row-level: each row passes or fails, and the rule passes when every row
in scope passes or, with ``with threshold``, when the share of passing rows meets the
threshold. NULL fails ColumnValues except under ``!=`` and ``not in`` (which pass it
unless the list names ``NULL``); ColumnLength counts NULL as length 0.
"""

from __future__ import annotations

from typing import ClassVar

from auditor.data.quality.context import EvalContext
from auditor.data.quality.model import Rule, Str
from auditor.data.quality.plugin import Case, Measurement, RuleType, compliance_verdict
from auditor.data.quality.registry import rule_type
from auditor.data.quality.rules._common import compliance
from auditor.data.quality.sqlgen import number_predicate, q, value_predicate

_TRUE = ("true", "1", "yes")


@rule_type
class ColumnValues(RuleType):
    """``ColumnValues "Country" in ["US", "CA", NULL]``: each value meets the condition.

    Conditions: ``= != > >= < <=``, ``between A and B`` (exclusive), ``in [...]``,
    ``matches "regex"`` (the whole value must match), each optionally negated with
    ``not``; dates (``"2024-01-31"``, ``now() - 3 days``); the keywords ``NULL``,
    ``EMPTY`` and ``WHITESPACES_ONLY``. Tag ``with ignoreCase = "true"`` compares text
    case-insensitively.
    """

    name = "ColumnValues"
    condition = "values"
    threshold = True
    row_level = True
    examples = (
        'ColumnValues "Country" in [ "US", "CA", "UK", NULL, EMPTY, WHITESPACES_ONLY ]',
        'ColumnValues "gender" in ["F", "M"] where "weightinkgs < 10"',
        'ColumnValues "First_Name" matches "[a-zA-Z]*"',
        'ColumnValues "Load_Date" > (now() - 3 days)',
        'ColumnValues "Customer_ID" between 1 and 2000',
        '(ColumnValues "Age" > 21) OR (ColumnValues "Age" = NULL)',
        'ColumnValues "Age" != 21',
        'ColumnValues "Age" not in [21, 22, 23]',
        '(ColumnValues "Age" != 21) AND (ColumnValues "Age" != NULL)',
        'ColumnValues "Age" not in [21, 22, 23, NULL]',
        'ColumnValues "colA" != NULL with threshold > 0.5',
        'ColumnValues "colA" not in ["a", "b", WHITESPACES_ONLY]',
        'ColumnValues "colB" in ["A", "B"] where "colC is not null" with threshold > 0.9',
        'ColumnValues "colA" in ["A", "B"] with threshold > 0.8',
        'ColumnValues "colA" matches "[a-zA-Z]*" with threshold between 0.2 and 0.9',
        'ColumnValues "colA" not between "2022-05-31" and "2022-06-30"',
    )
    cases = (
        Case('ColumnValues "Age" > 21', {"Age": [30, None, 25]}, "FAIL", (1,), 2 / 3, why="NULL fails"),
        Case('ColumnValues "Age" != 21', {"Age": [30, None, 21]}, "FAIL", (2,), why="!= lets NULL pass"),
        Case('ColumnValues "Age" not in [21, 22, 23]', {"Age": [30, None]}, "PASS", (), 1.0),
        Case('ColumnValues "Age" not in [21, 22, 23, NULL]', {"Age": [30, None]}, "FAIL", (1,)),
        Case('(ColumnValues "Age" != 21) AND (ColumnValues "Age" != NULL)', {"Age": [30, None]}, "FAIL", (1,)),
        Case('(ColumnValues "Age" > 21) OR (ColumnValues "Age" = NULL)', {"Age": [30, None]}, "PASS",
             options={"composite": "row"}),
        Case('ColumnValues "Customer_ID" between 1 and 2000', {"Customer_ID": [1, 5, 2000]}, "FAIL", (0, 2),
             why="between is exclusive"),
        Case('ColumnValues "Country" in [ "US", "CA", "UK", NULL, EMPTY, WHITESPACES_ONLY ]',
             {"Country": ["US", None, "", "  ", "FR"]}, "FAIL", (4,), 0.8),
        Case('ColumnValues "First_Name" matches "[a-zA-Z]*"', {"First_Name": ["Ann", "J0e"]}, "FAIL", (1,)),
        Case('ColumnValues "Customer_ID" < 10 where "Customer_ID > 2"', "Customer_ID,n\n1,a\n5,b\n12,c\n",
             "FAIL", (2,), 0.5, csv=True, why="a where clause compares typed CSV columns"),
        Case('ColumnValues "colA" != NULL with threshold > 0.5', {"colA": ["a", None, "b"]}, "PASS", (1,)),
        Case('ColumnValues "colA" in ["A", "B"] with ignoreCase = "true"', {"colA": ["a", "B"]}, "PASS", ()),
    )

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        col = rule.columns[0]
        assert rule.condition is not None
        ignore_case = str(rule.tags.get("ignoreCase", "")).lower() in _TRUE
        ok = value_predicate(q(col), ctx.type_of(col), rule.condition, ctx.env_for(rule), ignore_case)
        return compliance(ctx, rule, ok, f"Column.{col}.ColumnValues.Compliance")

    def verdict(self, rule: Rule, m: Measurement, ctx: EvalContext) -> bool:
        return compliance_verdict(rule, m, ctx)

    def metric_name(self, rule: Rule) -> str:
        return f"Column.{rule.columns[0]}.ColumnValues.Compliance"


@rule_type
class ColumnLength(RuleType):
    """``ColumnLength "Postal_Code" = 5``: each value's length (NULL counts as 0) meets the condition."""

    name = "ColumnLength"
    row_level = True
    examples = ('ColumnLength "Postal_Code" = 5', 'ColumnLength "weightinkgs" = 2 where "weightinkgs > 10"',
                'ColumnLength "Postal_Code" > 4', 'ColumnLength "Postal_Code" < 6',
                '(ColumnLength "Postal_Code" > 4) AND (ColumnValues "Postal_Code" != NULL)',
                'ColumnLength "colC" > 10 where "colD != Concat(colE, colF)"')
    cases = (
        Case('ColumnLength "Postal_Code" > 4', {"Postal_Code": ["12345", None]}, "FAIL", (1,),
             why="NULL is a string of length 0"),
        Case('ColumnLength "Postal_Code" < 6', {"Postal_Code": ["12345", None]}, "PASS", ()),
        Case('ColumnLength "Postal_Code" = 5', {"Postal_Code": ["12345", "1234"]}, "FAIL", (1,), 0.5),
    )

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        col = rule.columns[0]
        assert rule.condition is not None
        length = f"length(COALESCE(CAST({q(col)} AS VARCHAR), ''))"
        ok = number_predicate(length, rule.condition, ctx.env_for(rule))
        return compliance(ctx, rule, ok, f"Column.{col}.ColumnLength.Compliance")

    def verdict(self, rule: Rule, m: Measurement, ctx: EvalContext) -> bool:
        return compliance_verdict(rule, m, ctx)


# Spark type name -> SQL deciding whether a value (as text, trimmed) casts to it.
_CASTS: dict[str, str] = {
    "boolean": "regexp_full_match(lower({v}), 't|true|y|yes|1|f|false|n|no|0')",
    "byte": "(regexp_full_match({v}, '[+-]?[0-9]+') AND TRY_CAST({v} AS TINYINT) IS NOT NULL)",
    "short": "(regexp_full_match({v}, '[+-]?[0-9]+') AND TRY_CAST({v} AS SMALLINT) IS NOT NULL)",
    "integer": "(regexp_full_match({v}, '[+-]?[0-9]+') AND TRY_CAST({v} AS INTEGER) IS NOT NULL)",
    "int": "(regexp_full_match({v}, '[+-]?[0-9]+') AND TRY_CAST({v} AS INTEGER) IS NOT NULL)",
    "long": "(regexp_full_match({v}, '[+-]?[0-9]+') AND TRY_CAST({v} AS BIGINT) IS NOT NULL)",
    "bigint": "(regexp_full_match({v}, '[+-]?[0-9]+') AND TRY_CAST({v} AS BIGINT) IS NOT NULL)",
    "float": "TRY_CAST({v} AS DOUBLE) IS NOT NULL",
    "double": "TRY_CAST({v} AS DOUBLE) IS NOT NULL",
    "decimal": "(regexp_full_match({v}, '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)') AND TRY_CAST({v} AS DOUBLE) IS NOT NULL)",
    "date": "TRY_CAST({v} AS DATE) IS NOT NULL",
    "timestamp": "TRY_CAST({v} AS TIMESTAMP) IS NOT NULL",
    "string": "TRUE",
}


@rule_type
class ColumnDataType(RuleType):
    """``ColumnDataType "colA" = "INTEGER"``: each value can be cast to the type (NULL can).

    Types (any case): Boolean, Byte, Short, Integer, Long, Float, Double, Decimal, Date,
    Timestamp, String. ``with threshold > 0.9`` accepts a share of values.
    """

    name = "ColumnDataType"
    condition = "string"
    threshold = True
    row_level = True
    examples = ('ColumnDataType "colA" = "INTEGER"', 'ColumnDataType "colA" = "INTEGER" with threshold > 0.9',
                'ColumnDataType "colA" = "Timestamp" with threshold > 0.9')
    cases: ClassVar[tuple[Case, ...]] = (
        Case('ColumnDataType "colA" = "INTEGER"', "colA\n1\nx\n3\n", "FAIL", (1,), 2 / 3, csv=True),
        Case('ColumnDataType "colA" = "INTEGER" with threshold > 0.6', "colA\n1\nx\n3\n", "PASS", (1,), csv=True),
        Case('ColumnDataType "d" in ["Date", "Timestamp"]', {"d": ["2024-01-02", "2024-01-02 10:00", None]}, "PASS"),
    )

    def validate(self, rule: Rule) -> str | None:
        assert rule.condition is not None
        for o in rule.condition.operands:
            if isinstance(o, Str) and o.value.lower() not in _CASTS:
                return f"unknown data type '{o.value}' (one of {', '.join(sorted({k.title() for k in _CASTS}))})"
        if rule.condition.op == "matches":
            return "ColumnDataType takes = \"TYPE\", != \"TYPE\" or in [\"TYPE\", ...]"
        return None

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        col = rule.columns[0]
        cond = rule.condition
        assert cond is not None
        value = f"trim(CAST({q(col)} AS VARCHAR))"
        fits = " OR ".join(_CASTS[str(o.value).lower()].format(v=value) for o in cond.operands
                           if isinstance(o, Str))
        ok = f"({q(col)} IS NULL OR COALESCE({'NOT ' if cond.negated else ''}({fits}), FALSE))"
        return compliance(ctx, rule, ok, f"Column.{col}.ColumnDataType.Compliance")

    def verdict(self, rule: Rule, m: Measurement, ctx: EvalContext) -> bool:
        return compliance_verdict(rule, m, ctx)
