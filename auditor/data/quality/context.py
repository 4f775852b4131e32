"""What a rule type sees while it measures: the DuckDB tables, the clock, the history, the files.

The primary dataset is the table ``primary_t`` with a row id column (``ROW``); user SQL
(CustomSql, ``where``) sees it as ``primary``, without the row id. Each reference
dataset (``--ref NAME=PATH``) is a view named ``NAME`` (``db.table`` makes a schema ``db``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from auditor.data.quality.errors import EvaluationError
from auditor.data.quality.model import Condition, Rule
from auditor.data.quality.operands import Env, check
from auditor.data.quality.sqlgen import q

if TYPE_CHECKING:
    from auditor.data.quality.history import MetricHistory

ROW = "__auditor_row"
TABLE = "primary_t"


@dataclass
class Dataset:
    """A table loaded for evaluation: its SQL name, columns and their DuckDB types."""

    table: str
    columns: list[str]
    types: dict[str, str]
    source: str = ""  # the path it was read from, if any


@dataclass
class EvalContext:
    con: Any
    primary: Dataset
    now: datetime
    refs: dict[str, Dataset] = field(default_factory=dict)
    history: MetricHistory | None = None
    dataset_id: str = ""
    data_path: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    env: Env | None = None  # the environment of the rule being evaluated (its notes end up in the message)

    # -------------------------------------------------------------- SQL helpers
    def scalar(self, sql: str) -> Any:
        row = self.con.execute(sql).fetchone()
        return row[0] if row else None

    def row(self, sql: str) -> tuple[Any, ...]:
        row = self.con.execute(sql).fetchone()
        return tuple(row) if row else ()

    def base(self, rule: Rule) -> str:
        """The rows in scope of ``rule``: the primary table, filtered by its ``where``."""
        if rule.where:
            return f"(SELECT * FROM {TABLE} WHERE ({spark_sql(rule.where)})) AS scope"
        return TABLE

    def col(self, name: str) -> str:
        return q(name)

    def type_of(self, name: str) -> str:
        return self.primary.types.get(name, "VARCHAR")

    def ref(self, alias: str) -> Dataset:
        if alias not in self.refs:
            given = ", ".join(sorted(self.refs)) or "none"
            raise EvaluationError(f"no reference dataset '{alias}' (pass --ref {alias}=PATH; given: {given})")
        return self.refs[alias]

    # -------------------------------------------------------------- conditions
    def check(self, cond: Condition, value: Any, rule: Rule) -> bool:
        return check(cond, value, self.env_for(rule))

    def env_for(self, rule: Rule) -> Env:
        if self.env is None:
            self.env = Env(self.now, tags=dict(rule.tags))
        return self.env

    def past(self, metric: str) -> list[float] | None:
        """The metric's past values for this dataset, newest first (``None``: no history configured)."""
        if self.history is None:
            return None
        return self.history.past(self.dataset_id, metric)


_BACKTICK = re.compile(r"`([^`]*)`")


def spark_sql(sql: str) -> str:
    """Spark SQL as DuckDB reads it: ```col``` quoting becomes ``"col"`` (outside string literals)."""
    parts = re.split(r"('(?:[^']|'')*')", sql)
    return "".join(p if p.startswith("'") else _BACKTICK.sub(lambda m: q(m.group(1)), p) for p in parts)


def primary_sql(sql: str) -> str:
    """User SQL with the bare table name ``primary`` (a DuckDB keyword) quoted, outside literals."""
    parts = re.split(r"('(?:[^']|'')*')", spark_sql(sql))
    return "".join(p if p.startswith("'") else re.sub(r'(?<![".\w])primary(?![".\w])', '"primary"', p, flags=re.I)
                   for p in parts)
