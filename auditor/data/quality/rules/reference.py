"""Rules over a primary and a reference dataset (``--ref NAME=PATH``).

ReferentialIntegrity, DatasetMatch, RowCountMatch, SchemaMatch and AggregateMatch name
the reference dataset by its alias. A reference that was not given makes the rule
ERROR. Reference datasets are read with the same typed reading as the primary one.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.data.quality.context import ROW, Dataset, EvalContext
from auditor.data.quality.model import Rule
from auditor.data.quality.plugin import Case, EvaluationError, Measurement, RuleType
from auditor.data.quality.registry import rule_type
from auditor.data.quality.sqlgen import q

_REF: dict[str, dict[str, list[Any]]] = {"reference": {"id": [1, 2, 3], "name": ["a", "b", "c"]}}


def _split_cols(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _ref_spec(text: str) -> tuple[str, list[str]]:
    """``"reference.{a,b}"`` / ``"reference.a"`` / ``"db.table.a"`` -> (alias, columns)."""
    m = re.fullmatch(r"(.+)\.\{(.*)\}", text.strip())
    if m:
        return m.group(1), _split_cols(m.group(2))
    alias, dot, col = text.strip().rpartition(".")
    if not dot or not alias or not col:
        raise ValueError
    return alias, [col]


def _eq(a: str, a_type: str, b: str, b_type: str) -> str:
    """Null-safe equality; values of different types compare as text."""
    if a_type == b_type:
        return f"{a} IS NOT DISTINCT FROM {b}"
    return f"CAST({a} AS VARCHAR) IS NOT DISTINCT FROM CAST({b} AS VARCHAR)"


def _join_eq(a: str, a_type: str, b: str, b_type: str) -> str:
    """Equality for a join key (NULL never matches, as in a SQL join)."""
    if a_type == b_type:
        return f"{a} = {b}"
    return f"CAST({a} AS VARCHAR) = CAST({b} AS VARCHAR)"


def _need(ref: Dataset, cols: list[str], alias: str) -> None:
    missing = [c for c in cols if c not in ref.columns]
    if missing:
        raise EvaluationError(f"reference '{alias}' has no column '{missing[0]}'")


@rule_type
class ReferentialIntegrity(RuleType):
    """``ReferentialIntegrity "city,state" "reference.{ref_city,ref_state}" = 1.0``: share of rows found in the reference.

    A row whose key column(s) hold NULL is not found (as in a SQL join).
    """

    name = "ReferentialIntegrity"
    params = (2, 2)
    param_label = "primary columns and reference columns (\"reference.{a,b}\")"
    row_level = True
    composite_rows = False
    examples = ('ReferentialIntegrity "zipcode" "reference.zipcode" = 1.0',
                'ReferentialIntegrity "city,state" "reference.{ref_city,ref_state}" = 1.0',
                'ReferentialIntegrity "city,state,zipcode" "reference.{ref_city,ref_state,ref_zipcode}" >= 0.98')
    cases = (
        Case('ReferentialIntegrity "id" "reference.id" = 1.0', {"id": [1, 2, 4]}, "FAIL", (2,), 2 / 3, refs=_REF),
        Case('ReferentialIntegrity "id,name" "reference.{id,name}" > 0.5', {"id": [1, 2], "name": ["a", "x"]},
             "FAIL", (1,), 0.5, refs=_REF),
    )

    def validate(self, rule: Rule) -> str | None:
        try:
            _, ref_cols = _ref_spec(rule.columns[1])
        except ValueError:
            return 'the reference columns are "alias.column" or "alias.{col1,col2}"'
        if len(ref_cols) != len(self._primary(rule)):
            return "ReferentialIntegrity needs as many reference columns as primary columns"
        return None

    @staticmethod
    def _primary(rule: Rule) -> list[str]:
        return [c[len("primary."):] if c.startswith("primary.") else c for c in _split_cols(rule.columns[0])]

    def columns(self, rule: Rule) -> list[str]:
        return self._primary(rule)

    def metric_name(self, rule: Rule) -> str:
        return f"Column.{','.join(self._primary(rule))}.ReferentialIntegrity"

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        cols = self._primary(rule)
        alias, ref_cols = _ref_spec(rule.columns[1])
        ref = ctx.ref(alias)
        _need(ref, ref_cols, alias)
        on = " AND ".join(_join_eq(f"p.{q(a)}", ctx.type_of(a), f"k.{q(b)}", ref.types[b])
                          for a, b in zip(cols, ref_cols, strict=True))
        keys = ", ".join(q(b) for b in ref_cols)
        rows = (f"SELECT p.{ROW} AS r, (k.__hit IS NOT NULL) AS ok FROM {ctx.base(rule)} p LEFT JOIN "
                f"(SELECT DISTINCT {keys}, TRUE AS __hit FROM {ref.table}) k ON {on}")
        total, passing = ctx.row(f"SELECT count(*), count_if(ok) FROM ({rows})")
        value = passing / total if total else None
        return Measurement(value, {self.metric_name(rule): value}, rows=rows, failing=int(total - passing))


def _mapping(text: str) -> list[tuple[str, str]]:
    """``"ID1->ID11,ID2"`` -> [("ID1", "ID11"), ("ID2", "ID2")]."""
    out = []
    for part in _split_cols(text):
        left, arrow, right = part.partition("->")
        out.append((left.strip(), right.strip() if arrow else left.strip()))
    return out


@rule_type
class DatasetMatch(RuleType):
    """``DatasetMatch "reference" "ID1,ID2" "colA,colB" >= 0.9``: share of rows equal to the reference row with the same key.

    Keys are mapped with ``->`` when the names differ (``"ID1->ID11"``); without match
    columns every other column is compared (by name). The keys must be unique and
    complete in both datasets, else the rule is ERROR ("key map not suitable").
    """

    name = "DatasetMatch"
    params = (2, 3)
    param_label = "a reference alias and key columns"
    row_level = True
    composite_rows = False
    examples = ('DatasetMatch "reference" "ID" >= 0.95', 'DatasetMatch "reference" "ID1,ID2" = 0.99',
                'DatasetMatch "reference" "ID1->ID11,ID2->ID22" "colA->colAA" between 0.4 and 0.8',
                'DatasetMatch "reference" "ID1,ID2" "colA,colB,colC" = 0.99')
    cases = (
        Case('DatasetMatch "reference" "id" >= 0.6', {"id": [1, 2, 3], "name": ["a", "x", "c"]}, "PASS", (1,),
             2 / 3, refs=_REF),
        Case('DatasetMatch "reference" "id" = 1.0', {"id": [1, 2], "name": ["a", "b"]}, "PASS", refs=_REF),
    )

    def columns(self, rule: Rule) -> list[str]:
        cols = [a for a, _ in _mapping(rule.columns[1])]
        if len(rule.columns) > 2:
            cols += [a for a, _ in _mapping(rule.columns[2])]
        return cols

    def metric_name(self, rule: Rule) -> str:
        return f"Dataset.{rule.columns[0]}.DatasetMatch"

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        alias = rule.columns[0]
        ref = ctx.ref(alias)
        keys = _mapping(rule.columns[1])
        key_names = {a for a, _ in keys}
        if len(rule.columns) > 2:
            match = _mapping(rule.columns[2])
        else:
            match = [(c, c) for c in ctx.primary.columns if c not in key_names]
        _need(ref, [b for _, b in keys] + [b for _, b in match], alias)
        self._suitable(ctx, ctx.base(rule), [a for a, _ in keys], "primary")
        self._suitable(ctx, ref.table, [b for _, b in keys], alias)
        on = " AND ".join(_join_eq(f"p.{q(a)}", ctx.type_of(a), f"k.{q(b)}", ref.types[b]) for a, b in keys)
        same = " AND ".join(_eq(f"p.{q(a)}", ctx.type_of(a), f"k.{q(b)}", ref.types[b]) for a, b in match) or "TRUE"
        rows = (f"SELECT p.{ROW} AS r, COALESCE(k.__hit AND ({same}), FALSE) AS ok FROM {ctx.base(rule)} p "
                f"LEFT JOIN (SELECT *, TRUE AS __hit FROM {ref.table}) k ON {on}")
        total, passing = ctx.row(f"SELECT count(*), count_if(ok) FROM ({rows})")
        value = passing / total if total else None
        return Measurement(value, {self.metric_name(rule): value}, rows=rows, failing=int(total - passing))

    @staticmethod
    def _suitable(ctx: EvalContext, table: str, keys: list[str], which: str) -> None:
        cols = ", ".join(q(k) for k in keys)
        nulls = " OR ".join(f"{q(k)} IS NULL" for k in keys)
        bad = ctx.scalar(f"SELECT (SELECT count(*) FROM {table} WHERE {nulls}) + "
                         f"(SELECT count(*) FROM (SELECT {cols} FROM {table} GROUP BY {cols} HAVING count(*) > 1))")
        if bad:
            raise EvaluationError(f"provided key map not suitable for given data frames: the key of {which} is "
                                  "not unique and complete")


@rule_type
class RowCountMatch(RuleType):
    """``RowCountMatch "reference" >= 0.9``: rows of primary / rows of the reference."""

    name = "RowCountMatch"
    param_label = "a reference alias"
    where = "no"
    examples = ('RowCountMatch "reference" = 1.0', 'RowCountMatch "reference" >= 0.95',
                'RowCountMatch "reference" between 0.8 and 0.98')
    cases = (Case('RowCountMatch "reference" = 1.0', {"id": [1, 2, 3]}, "PASS", metric=1.0, refs=_REF),
             Case('RowCountMatch "reference" >= 0.9', {"id": [1, 2]}, "FAIL", refs=_REF))

    def columns(self, rule: Rule) -> list[str]:
        return []

    def metric_name(self, rule: Rule) -> str:
        return f"Dataset.{rule.columns[0]}.RowCountMatch"

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        ref = ctx.ref(rule.columns[0])
        mine = ctx.scalar(f"SELECT count(*) FROM {ctx.base(rule)}")
        theirs = ctx.scalar(f"SELECT count(*) FROM {ref.table}")
        if not theirs:
            raise EvaluationError(f"reference '{rule.columns[0]}' has no rows")
        value = mine / theirs
        return Measurement(value, {self.metric_name(rule): value})


@rule_type
class SchemaMatch(RuleType):
    """``SchemaMatch "reference" = 1.0``: share of columns with the same name and type in both (order ignored).

    The share is over every column name of either dataset, so a column only one side
    has lowers it.
    """

    name = "SchemaMatch"
    param_label = "a reference alias"
    where = "no"
    examples = ('SchemaMatch "reference" = 1.0', 'SchemaMatch "reference" >= 0.6',
                'SchemaMatch "reference" between 0.4 and 0.9')
    cases = (Case('SchemaMatch "reference" = 1.0', {"name": ["x"], "id": [9]}, "PASS", metric=1.0, refs=_REF),
             Case('SchemaMatch "reference" = 1.0', {"id": ["x"], "name": ["y"]}, "FAIL", metric=0.5, refs=_REF,
                  why="id is text here and a number in the reference"))

    def columns(self, rule: Rule) -> list[str]:
        return []

    def metric_name(self, rule: Rule) -> str:
        return f"Dataset.{rule.columns[0]}.SchemaMatch"

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        ref = ctx.ref(rule.columns[0])
        names = set(ctx.primary.columns) | set(ref.columns)
        same = [c for c in names if c in ctx.primary.types and ref.types.get(c) == ctx.primary.types[c]]
        value = len(same) / len(names) if names else 1.0
        return Measurement(value, {self.metric_name(rule): value})


_AGG = re.compile(r"\s*(sum|avg)\s*\(\s*(.+?)\s*\)\s*", re.I)


@rule_type
class AggregateMatch(RuleType):
    """``AggregateMatch "sum(amount)" "sum(reference.amount)" >= 0.99``: ratio of two aggregates (sum or avg)."""

    name = "AggregateMatch"
    params = (2, 2)
    param_label = 'two aggregates, e.g. "sum(amount)" "sum(reference.amount)"'
    where = "no"
    examples = ('AggregateMatch "sum(amount)" "sum(total_amount)" = 1.0',
                'AggregateMatch "avg(ratings)" "avg(reference.ratings)" >= 0.9',
                'AggregateMatch "SUM(col-A)" "SUM(reference.colA)" >= 0.95')
    cases = (Case('AggregateMatch "sum(amount)" "sum(total_amount)" = 1.0', {"amount": [1, 2], "total_amount": [2, 1]},
                  "PASS", metric=1.0),
             Case('AggregateMatch "avg(v)" "avg(reference.id)" >= 0.9', {"v": [1, 2]}, "FAIL", metric=0.75,
                  refs=_REF))

    def validate(self, rule: Rule) -> str | None:
        for p in rule.columns:
            if not _AGG.fullmatch(p):
                return f'"{p}" is not an aggregate: sum(column) or avg(column)'
        return None

    def columns(self, rule: Rule) -> list[str]:
        return []

    def metric_name(self, rule: Rule) -> str:
        cols = [self._parse(p)[1] for p in rule.columns]
        return f"Column.{cols[0] if cols[0] == cols[1] else ','.join(cols)}.AggregateMatch"

    @staticmethod
    def _parse(text: str) -> tuple[str, str]:
        m = _AGG.fullmatch(text)
        assert m is not None
        return m.group(1).lower(), m.group(2)

    def _aggregate(self, text: str, ctx: EvalContext) -> float:
        fn, path = self._parse(text)
        if path in ctx.primary.columns or (path.startswith("primary.") and path[8:] in ctx.primary.columns):
            table, col, types = "primary_t", path.removeprefix("primary."), ctx.primary.types
        else:
            alias, dot, col = path.rpartition(".")
            if not dot:
                raise EvaluationError(f"column '{path}' does not exist")
            ref = ctx.ref(alias)
            _need(ref, [col], alias)
            table, types = ref.table, ref.types
        expr = q(col) if types.get(col, "VARCHAR") != "VARCHAR" else f"TRY_CAST({q(col)} AS DOUBLE)"
        value = ctx.scalar(f"SELECT {fn}({expr}) FROM {table}")
        if value is None:
            raise EvaluationError(f"{fn}({path}) has no value")
        return float(value)

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        first, second = (self._aggregate(p, ctx) for p in rule.columns)
        if second == 0:
            raise EvaluationError("the second aggregate is 0: the ratio is undefined")
        value = first / second
        return Measurement(value, {self.metric_name(rule): value})
