"""The parsed form of a DQDL ruleset: rules, composites, conditions and their operands.

A ruleset such as::

    Rules = [ ColumnValues "age" between 18 and 65 where "status = 'active'" with threshold > 0.9 ]

parses to ``Rule(type="ColumnValues", params=(Param("age"),), condition=Condition("between",
(Num(18), Num(65))), where="status = 'active'", threshold=Condition(">", (Num(0.9),)))``.
Operands stay symbolic (``now() - 3 days``, ``avg(last(5))``) until a run resolves them
(:mod:`auditor.data.quality.operands`), so a ruleset parses the same whatever the clock
or the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KEYWORDS = ("NULL", "EMPTY", "WHITESPACES_ONLY")
DURATION_UNITS = {"minutes": 60, "hours": 3600, "days": 86400}
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


@dataclass(frozen=True)
class Num:
    """A number as written (``0.95``, ``-3``)."""

    value: float
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Str:
    """A double-quoted string: a value, a date ``"2024-01-31"`` or a time of day ``"9:30 AM"``."""

    value: str

    def __str__(self) -> str:
        return '"' + self.value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Keyword:
    """``NULL``, ``EMPTY`` (the string ``""``) or ``WHITESPACES_ONLY`` in a ColumnValues condition."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Duration:
    """``3 days``, ``24 hours``, ``45 minutes``."""

    amount: float
    unit: str

    @property
    def seconds(self) -> float:
        return self.amount * DURATION_UNITS[self.unit]

    def __str__(self) -> str:
        return f"{self.amount:g} {self.unit}"


@dataclass(frozen=True)
class Size:
    """``5 MB`` (a file size; a bare number is bytes)."""

    amount: float
    unit: str = "B"

    @property
    def bytes(self) -> float:
        return self.amount * SIZE_UNITS[self.unit]

    def __str__(self) -> str:
        return f"{self.amount:g} {self.unit}"


@dataclass(frozen=True)
class Call:
    """A function call: ``now()``, ``last(10)``, ``avg(last(5))``, ``index(last(3), 0)``."""

    name: str
    args: tuple[Operand, ...] = ()

    def __str__(self) -> str:
        return f"{self.name}({', '.join(str(a) for a in self.args)})"


@dataclass(frozen=True)
class BinOp:
    """``a + b``, ``a - b``, ``a * b``, ``a / b`` (numbers, or a date and a duration)."""

    op: str
    left: Operand
    right: Operand

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


@dataclass(frozen=True)
class Var:
    """``$name``: a constant defined above the rules (resolved at parse time)."""

    name: str

    def __str__(self) -> str:
        return "$" + self.name


Operand = Num | Str | Keyword | Duration | Size | Call | BinOp | Var


@dataclass(frozen=True)
class Condition:
    """An expression a rule's result must satisfy.

    ``op`` is one of ``= > >= < <= between in matches``; ``!=`` is ``=`` negated and
    ``not in`` is ``in`` negated, which matters for NULLs: only those two let a NULL
    row pass (Glue's documented behaviour).
    """

    op: str
    operands: tuple[Operand, ...]
    negated: bool = False
    text: str = ""

    def __str__(self) -> str:
        return self.text or f"{'not ' if self.negated else ''}{self.op} {', '.join(map(str, self.operands))}"

    @property
    def dynamic(self) -> bool:
        """Whether an operand reads the run history (``last()``)."""
        return any(_uses_history(o) for o in self.operands)


def _uses_history(o: Any) -> bool:
    if isinstance(o, Call):
        return o.name == "last" or any(_uses_history(a) for a in o.args)
    if isinstance(o, BinOp):
        return _uses_history(o.left) or _uses_history(o.right)
    return False


@dataclass(frozen=True)
class Param:
    """A rule parameter: a column name, a SQL statement, a dataset alias or a path."""

    value: str
    quoted: bool = True
    line: int = 0
    col: int = 0


@dataclass
class Rule:
    """One DQDL rule as written."""

    type: str
    params: tuple[Param, ...] = ()
    condition: Condition | None = None
    threshold: Condition | None = None
    where: str | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    text: str = ""
    line: int = 0
    col: int = 0

    @property
    def columns(self) -> list[str]:
        """The parameter values (column names for most rule types)."""
        return [p.value for p in self.params]

    # The threshold and the constraint of the earlier API.
    @property
    def constraint(self) -> Condition | None:
        return self.condition


@dataclass
class Composite:
    """``(A) and (B)`` / ``(A) or (B) or (C)``; parts may be composites themselves."""

    op: str
    parts: list[Rule | Composite] = field(default_factory=list)
    text: str = ""
    line: int = 0
    col: int = 0


Node = Rule | Composite


@dataclass
class Ruleset:
    """A parsed DQDL document: rules, analyzers, the constants they used."""

    rules: list[Node]
    source: str = "<ruleset>"
    analyzers: list[Rule] = field(default_factory=list)
    constants: dict[str, str | list[str]] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
