"""What an evaluated rule reports: its outcome, metric(s), failing rows and a safe message."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np


class RowSet(Sequence[int]):
    """0-based positions of failing rows, held as a NumPy array (a million rows cost 8 MB, not 36).

    Behaves like a sorted list of ints: ``len``, iteration, indexing and slicing, ``==``
    with a list, and ``np.asarray(rows)``.
    """

    def __init__(self, rows: Any = ()) -> None:
        self._a = np.asarray(rows, dtype=np.int64).reshape(-1)

    @overload
    def __getitem__(self, i: int) -> int: ...

    @overload
    def __getitem__(self, i: slice) -> list[int]: ...

    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return [int(x) for x in self._a[i]]
        return int(self._a[i])

    def __len__(self) -> int:
        return int(self._a.size)

    def __iter__(self) -> Iterator[int]:
        return (int(x) for x in self._a)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowSet):
            return bool(np.array_equal(self._a, other._a))
        if isinstance(other, (list, tuple)):
            return [int(x) for x in self._a] == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._a if dtype is None else self._a.astype(dtype)

    def __repr__(self) -> str:
        shown = ", ".join(str(int(x)) for x in self._a[:10])
        return f"RowSet([{shown}{', ...' if self._a.size > 10 else ''}])"

    def union(self, other: RowSet) -> RowSet:
        return RowSet(np.union1d(self._a, other._a))

    def intersection(self, other: RowSet) -> RowSet:
        return RowSet(np.intersect1d(self._a, other._a))

    def tolist(self) -> list[int]:
        return [int(x) for x in self._a]


@dataclass
class RuleResult:
    """Outcome of one rule (or composite).

    ``outcome`` is PASS, FAIL, or ERROR (the rule could not be evaluated: a missing
    column, SQL that does not run, no reference dataset given). ``failing_rows`` are the
    rows a row-level rule failed (0-based positions in the dataset). ``metrics`` are
    Glue-named metrics (``Column.age.Completeness``) for reports and the run history.
    Messages never quote cell values.
    """

    rule: str
    passed: bool
    metric: float | int | None = None
    failing_rows: RowSet = field(default_factory=RowSet)
    message: str = ""
    type: str = ""
    error: bool = False
    metrics: dict[str, float | int | None] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    row_level: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.failing_rows, RowSet):
            self.failing_rows = RowSet(self.failing_rows)

    @property
    def outcome(self) -> str:
        """PASS, FAIL, or ERROR (the rule could not be evaluated)."""
        return "PASS" if self.passed else "ERROR" if self.error else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "type": self.type, "passed": self.passed, "outcome": self.outcome,
                               "metric": self.metric, "failing_rows": len(self.failing_rows), "message": self.message}
        if self.metrics:
            out["metrics"] = dict(self.metrics)
        if self.labels:
            out["labels"] = dict(self.labels)
        return out


def shown(value: Any) -> float | int | None:
    """A metric as reported: numbers rounded to 6 places; anything else (text may be PII) dropped."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value, 6)
    try:
        return round(float(value), 6)  # Decimal and NumPy numbers
    except (TypeError, ValueError):
        return None
