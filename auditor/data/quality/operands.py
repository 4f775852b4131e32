"""Resolve condition operands to values, and check a measured value against a condition.

- Numbers compare as numbers; ``between A and B`` is exclusive (``A < x < B``) and
  ``not between`` is its negation, as Glue evaluates them.
- ``now()`` is the run's clock (UTC); ``now() - 3 days`` a point in time; ``"2024-01-31"``
  a date; ``"9:30 AM"`` / ``"21:45"`` today at that time (in the rule's ``timeZone``
  tag, UTC by default). ``between`` two points in time accepts them in either order.
- ``24 hours`` / ``3 days`` are durations; ``5 MB`` a size in bytes.
- ``last(k)`` is the metric's k most recent values in the run history (newest first);
  aggregated with ``avg min max sum median std abs index``. With no history ``last``
  gives 0.0 (Glue's documented default) and the rule's message says so.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from auditor.data.quality.errors import EvaluationError
from auditor.data.quality.model import BinOp, Call, Condition, Duration, Keyword, Num, Operand, Size, Str, Var

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?:\s*([AaPp][Mm]))?")


@dataclass
class Env:
    """What operands resolve against: the clock, the metric's past values, the rule's tags."""

    now: datetime
    history: list[float] | None = None  # newest first; None when no history is configured
    tags: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parse_time_of_day(text: str) -> time | None:
    m = _TIME.fullmatch(text.strip())
    if not m:
        return None
    hour, minute, ampm = int(m.group(1)), int(m.group(2)), (m.group(3) or "").upper()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "PM" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def as_datetime(text: str, env: Env) -> datetime | None:
    """A date, a timestamp or a time of day (today, in the ``timeZone`` tag) as naive UTC."""
    s = text.strip()
    if _DATE.fullmatch(s):
        return datetime.combine(date.fromisoformat(s), time(0))
    if _DATETIME.match(s):
        try:
            parsed = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    t = parse_time_of_day(s)
    if t is None:
        return None
    zone = env.tags.get("timeZone")
    if zone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            tz = ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise EvaluationError(f"unknown timeZone '{zone}'") from None
        local_today = env.now.replace(tzinfo=UTC).astimezone(tz).date()
        return datetime.combine(local_today, t, tz).astimezone(UTC).replace(tzinfo=None)
    return datetime.combine(env.now.date(), t)


def resolve(o: Operand, env: Env) -> Any:
    """The value of an operand: float, str, Keyword, datetime, timedelta, or a list (``last(k)``)."""
    if isinstance(o, Num):
        return o.value
    if isinstance(o, Str):
        return o.value
    if isinstance(o, Keyword):
        return o
    if isinstance(o, Duration):
        return timedelta(seconds=o.seconds)
    if isinstance(o, Size):
        return o.bytes
    if isinstance(o, Var):
        raise EvaluationError(f"unresolved constant ${o.name}")
    if isinstance(o, BinOp):
        return _binop(o, env)
    return _call(o, env)


def _binop(o: BinOp, env: Env) -> Any:
    left, right = resolve(o.left, env), resolve(o.right, env)
    if isinstance(left, str):
        left = as_datetime(left, env) or left
    if isinstance(left, datetime) and isinstance(right, timedelta):
        return left + right if o.op == "+" else left - right
    if isinstance(left, list) or isinstance(right, list):
        raise EvaluationError("last(k) gives several values: aggregate it, e.g. avg(last(k))")
    try:
        a, b = float(left), float(right)
    except (TypeError, ValueError):
        raise EvaluationError(f"cannot compute {o}") from None
    if o.op == "+":
        return a + b
    if o.op == "-":
        return a - b
    if o.op == "*":
        return a * b
    if b == 0:
        raise EvaluationError(f"division by zero in {o}")
    return a / b


def _call(o: Call, env: Env) -> Any:
    if o.name == "now":
        return env.now
    if o.name == "last":
        return _last(o, env)
    values = [resolve(a, env) for a in o.args]
    nums = _numbers(o, values[0])
    aggregate = _AGGREGATES.get(o.name)
    if aggregate is not None:
        return aggregate(nums)
    if o.name == "percentile":
        q = float(values[1]) if len(values) > 1 else 50.0
        return statistics.quantiles(nums, n=100, method="inclusive")[int(q) - 1] if len(nums) > 1 else nums[0]
    return _index(o, nums, values)


def _last(o: Call, env: Env) -> Any:
    """``last(k)``: the k most recent values (a list when k > 1), 0.0 with no history."""
    k = int(resolve(o.args[0], env)) if o.args else 1
    past = list(env.history or [])[:k]
    if not past:
        env.notes.append(f"no history yet: {o} is 0.0 (Glue's default)")
        return [0.0] if k > 1 else 0.0
    if len(past) < k:
        env.notes.append(f"{o}: only {len(past)} past value(s)")
    return past if k > 1 else past[0]


def _numbers(o: Call, first: Any) -> list[float]:
    """A function's first argument as numbers (``last(k)`` gives several)."""
    seq = first if isinstance(first, list) else [first]
    try:
        return [float(v) for v in seq]
    except (TypeError, ValueError):
        raise EvaluationError(f"{o.name}() needs numbers") from None


def _index(o: Call, nums: list[float], values: list[Any]) -> float:
    """``index(last(k), i)``: the i-th most recent value, 0-based."""
    i = int(float(values[1]))
    if not 0 <= i < len(nums):
        raise EvaluationError(f"{o}: there is no value {i} (only {len(nums)})")
    return nums[i]


def _pstdev(nums: list[float]) -> float:
    return statistics.pstdev(nums) if len(nums) > 1 else 0.0


# Functions of the numbers alone; ``percentile`` and ``index`` also take a second argument.
_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "avg": statistics.fmean, "average": statistics.fmean, "mean": statistics.fmean,
    "median": statistics.median, "max": max, "min": min, "sum": math.fsum,
    "std": _pstdev, "stdev": _pstdev, "abs": lambda nums: abs(nums[0]),
}


def _compare(op: str, value: Any, operands: list[Any]) -> bool:
    if op == "between":
        low, high = operands
        if isinstance(value, datetime):
            low, high = min(low, high), max(low, high)  # "between now() and (now() - 45 minutes)"
        return bool(low < value < high)
    if op == "in":
        return any(value == v for v in operands)
    if op == "matches":
        return re.fullmatch(str(operands[0]), str(value)) is not None
    v = operands[0]
    return bool({"=": value == v, ">": value > v, ">=": value >= v, "<": value < v, "<=": value <= v}[op])


def coerce(value: Any, operand: Any, env: Env) -> Any:
    """An operand in the measured value's terms (a date string against a timestamp...)."""
    if isinstance(value, datetime) and isinstance(operand, str):
        parsed = as_datetime(operand, env)
        if parsed is None:
            raise EvaluationError(f'"{operand}" is not a date or time')
        return parsed
    if isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(operand, timedelta):
        return operand.total_seconds()
    return operand


def check(cond: Condition, value: Any, env: Env) -> bool:
    """Whether a single measured value satisfies ``cond`` (a NULL value never does)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    operands = [coerce(value, resolve(o, env), env) for o in cond.operands]
    if any(isinstance(o, list) for o in operands):
        raise EvaluationError("last(k) gives several values: aggregate it, e.g. avg(last(k))")
    try:
        ok = _compare(cond.op, value, operands)
    except TypeError:
        return False  # a text value against a number: the rule fails, it does not crash
    return not ok if cond.negated else ok
