"""What a DQDL rule type is: one class that declares its syntax, measures, and documents itself.

A rule type plugin is a subclass of :class:`RuleType` registered with
:func:`auditor.data.quality.registry.rule_type`. Everything about the rule type is on
the class: the parameters and the kind of condition it takes (the parser reads them),
``measure`` (the evaluator calls it), the docstring (user documentation, shown by
``docs/dqdl.md``), ``examples`` (the documented forms, which must parse) and ``cases``
(golden cases: a small dataset, a rule, the outcome the Glue documentation gives).

Example::

    @rule_type
    class Sum(RuleType):
        '''Sum "amount" > 100: the sum of the non-NULL values of a numeric column.'''
        name = "Sum"
        examples = ('Sum "transaction_total" > 500000',)
        cases = (Case('Sum "units" = 60', {"units": [0, None, 20, None, 40]}, "PASS"),)

        def measure(self, rule, ctx):
            return Measurement(ctx.scalar(f"SELECT sum(...) FROM {ctx.base(rule)}"))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from auditor.data.quality.context import EvalContext
from auditor.data.quality.errors import EvaluationError as EvaluationError  # part of the plugin API
from auditor.data.quality.model import Rule

# The kinds of condition a rule type takes (what its operands may be).
CONDITION_KINDS = ("none", "number", "values", "string", "duration", "date", "size")


@dataclass
class Measurement:
    """What a rule type measured.

    ``value`` is what the condition (or threshold) is checked against; ``passed`` is set
    by rule types without a condition (IsComplete, ColumnExists...). ``rows`` is the SQL
    of the row-level outcomes, ``SELECT <row id> AS r, <bool> AS ok`` over the rows in
    scope (after ``where``), for row-level rule types. ``metrics`` are Glue-named
    metrics (``Column.age.Completeness``) reported and kept in the run history.
    """

    value: Any = None
    metrics: dict[str, float | int | None] = field(default_factory=dict)
    passed: bool | None = None
    rows: str | None = None
    failing: int | None = None  # how many rows in scope fail, when known (0 skips fetching them)
    message: str = ""


@dataclass(frozen=True)
class Case:
    """A golden case: ``rule`` on ``data`` must give ``outcome`` (and, when given, the failing rows).

    ``data`` maps column -> values (a DataFrame is built from it), or is CSV text when
    ``csv`` is true (read with the same typed reading as ``auditor data check``).
    ``refs`` are reference datasets (alias -> column -> values). ``why`` cites the
    documented behaviour the outcome follows from.
    """

    rule: str
    data: Mapping[str, Sequence[Any]] | str
    outcome: str
    rows: tuple[int, ...] | None = None
    metric: float | None = None
    why: str = ""
    csv: bool = False
    refs: Mapping[str, Mapping[str, Sequence[Any]]] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)


class RuleType:
    """Base class of DQDL rule types (see the module docstring)."""

    name: ClassVar[str] = ""
    params: ClassVar[tuple[int, int | None]] = (1, 1)
    param_label: ClassVar[str] = "a column name"
    rule_name_param: ClassVar[bool] = False  # the first parameter names a rule type (DetectAnomalies)
    analyzer_only: ClassVar[bool] = False  # AllStatistics: only under Analyzers = [...]
    condition: ClassVar[str] = "number"
    condition_optional: ClassVar[bool] = False
    threshold: ClassVar[bool] = False
    where: ClassVar[str] = "filter"  # filter (applied) | ignore (cannot change the result) | no
    row_level: ClassVar[bool] = False
    # Glue excludes these from row-by-row composite evaluation: their verdict is about the whole column.
    composite_rows: ClassVar[bool] = True
    examples: ClassVar[tuple[str, ...]] = ()
    cases: ClassVar[tuple[Case, ...]] = ()

    @property
    def key(self) -> str:
        """The registry name: ``ColumnValues`` -> ``column-values``."""
        import re

        return re.sub(r"(?<!^)(?=[A-Z])", "-", self.name).lower()

    def validate(self, rule: Rule) -> str | None:
        """A parse-time problem with ``rule`` beyond the declared syntax, or ``None``."""
        return None

    def columns(self, rule: Rule) -> list[str]:
        """Columns of the primary dataset the rule reads (a missing one makes the rule ERROR)."""
        return rule.columns

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        raise NotImplementedError

    def verdict(self, rule: Rule, m: Measurement, ctx: EvalContext) -> bool:
        """Whether the measurement passes: ``passed`` if set, else the condition on ``value``."""
        if m.passed is not None:
            return m.passed
        if rule.condition is None:
            raise EvaluationError(f"{self.name} needs a condition")
        return ctx.check(rule.condition, m.value, rule)

    def metric_name(self, rule: Rule) -> str:
        """The Glue metric the rule reports (and dynamic rules compare with its history)."""
        cols = rule.columns
        if not cols:
            return f"Dataset.*.{self.name}"
        if len(cols) == 1:
            return f"Column.{cols[0]}.{self.name}"
        return f"Multicolumn.{','.join(cols)}.{self.name}"


def compliance_verdict(rule: Rule, m: Measurement, ctx: EvalContext) -> bool:
    """Row-level rules: every row in scope passes, or the share that passes meets ``with threshold``."""
    if m.value is None:
        return True  # no row in scope: nothing fails
    if rule.threshold is not None:
        return ctx.check(rule.threshold, m.value, rule)
    return bool(m.value == 1.0)
