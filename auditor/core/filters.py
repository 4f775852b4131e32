"""Filters: the ``where`` and ``assert`` vocabulary of rules.

Every item of a rule's ``where:`` or ``assert:`` list is a filter; a list means
"all of these hold". Built-in forms::

    - {key: Versioning.Status, op: eq, value: Enabled}          # value filter
    - {key: CreateDate, value_type: age, op: le, param: max_age_days}
    - and: [...]        or: [...]        not: [...]               # boolean blocks
    - any: Policy.Statement                                        # some item matches
      match:
        - {key: Effect, op: eq, value: Deny}
    - all: Grants                                                  # every item matches
      match: [{key: Permission, op: ne, value: FULL_CONTROL}]
    - count: AccessKeys                                            # how many items match
      match: [{key: Status, op: eq, value: Active}]
      op: le
      value: 1
    - {type: some-registered-filter, ...}                          # code-backed filters

Ops: ``eq ne gt ge lt le in not-in contains regex glob present absent empty
not-empty``. ``value_type`` converts the attribute before comparing: ``age``
(days since a timestamp), ``expiration`` (days until a timestamp), ``size``
(length), ``normalize`` (trimmed lower-case text), ``integer``, ``number``,
``string``, ``boolean``. ``regex`` searches anywhere in the text (anchor
explicitly) with Python ``re`` syntax, under a time budget (0.25 s per value,
``AUDITOR_REGEX_TIMEOUT`` changes it): a pattern too slow for a value makes that
finding ERROR, never a hang (see :mod:`auditor.core.saferegex`).
A missing attribute fails every op except ``ne``, ``not-in``, ``absent`` and
``empty``. ``any`` over an empty list is false; ``all`` over an empty list is
true (combine with ``not-empty`` when that matters).
"""

from __future__ import annotations

import fnmatch
import math
import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from auditor.core import saferegex
from auditor.core.errors import EvaluationError
from auditor.core.paths import MISSING, PathSyntaxError, parse_path, resolve, root
from auditor.core.registry import Registry, did_you_mean

OPS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "not-in", "contains", "regex", "glob",
       "present", "absent", "empty", "not-empty")
UNARY_OPS = ("present", "absent", "empty", "not-empty")
VALUE_TYPES = ("age", "expiration", "size", "normalize", "integer", "number", "string", "boolean")
BLOCKS = ("and", "or", "not", "any", "all", "count")

# A leaf that raises one of these while deciding on partial data is "not settled".
_UNDECIDED = (EvaluationError, TypeError, ValueError, KeyError, AttributeError, IndexError)

SubPath = tuple[str | int, ...]


@dataclass
class Outcome:
    """Result of one filter on one item: verdict, evidence and a human reason."""

    ok: bool
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass
class EvalContext:
    """What filters may use while evaluating: the clock, rule params, run services."""

    now: datetime
    params: Mapping[str, Any]
    services: Any = None


@dataclass(frozen=True)
class Issue:
    """A semantic problem inside a filter, relative to the filter's own position."""

    where: SubPath
    message: str
    hint: str = ""
    key: bool = False


class Filter(ABC):
    """Base class of every filter. Subclasses declare ``schema`` (JSON Schema)."""

    schema: ClassVar[dict[str, Any]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @abstractmethod
    def evaluate(self, item: Any, ctx: EvalContext) -> Outcome:
        """Judge ``item`` (resource attributes, or a list element)."""

    def roots(self) -> set[str]:
        """Top-level attributes this filter reads (to route collection errors)."""
        return set()

    def root_set(self) -> frozenset[str]:
        """:meth:`roots`, computed once (a filter does not change after it is built)."""
        cached: frozenset[str] | None = self.__dict__.get("_root_set")
        if cached is None:
            cached = self.__dict__["_root_set"] = frozenset(self.roots())
        return cached

    def decide(self, item: Any, ctx: EvalContext, known: frozenset[str] | set[str]) -> bool | None:
        """The verdict on a partly collected ``item``, or None when it is not settled yet.

        ``known`` are the top-level attributes already collected; any other one may
        still take any value. A leaf is judged only when every attribute it reads is
        known; ``and``/``or``/``not`` settle as soon as their known children do (one
        false child settles an ``and``). This is what lets a collector skip a call:
        a bucket whose name already puts it in scope needs no GetBucketTagging.
        A filter that cannot evaluate is "not settled" (the caller then fetches, or
        reports an ERROR): never a guessed verdict.
        """
        if not self.root_set() <= known:
            return None
        try:
            return self.evaluate(item, ctx).ok
        except _UNDECIDED:
            return None

    def check(self, params: Mapping[str, Any], attributes: Mapping[str, str]) -> list[Issue]:
        """Semantic checks beyond the schema. ``attributes`` empty = unchecked."""
        return []


filter_types: Registry[type[Filter]] = Registry("filter type")


def build(data: Any) -> Filter:
    """Build a filter from its (schema-valid) mapping."""
    if not isinstance(data, dict):
        raise TypeError(f"a filter must be a mapping, got {type(data).__name__}")
    for block in BLOCKS:
        if block in data:
            return filter_types.get(block)(data)
    if "type" in data:
        return filter_types.get(str(data["type"]))(data)
    return filter_types.get("value")(data)


def build_all(items: list[Any]) -> list[Filter]:
    return [build(i) for i in items]


def evaluate_all(filters: list[Filter], item: Any, ctx: EvalContext) -> Outcome:
    """All filters must hold; evidence is merged, the first failure explains."""
    evidence: dict[str, Any] = {}
    for f in filters:
        out = f.evaluate(item, ctx)
        evidence.update(out.evidence)
        if not out.ok:
            return Outcome(False, evidence, out.reason)
    return Outcome(True, evidence, "")


def decide_all(filters: list[Filter], item: Any, ctx: EvalContext, known: frozenset[str] | set[str]) -> bool | None:
    """Three-valued "all of these hold" over a partly collected item (see :meth:`Filter.decide`)."""
    verdict: bool | None = True
    for f in filters:
        v = f.decide(item, ctx, known)
        if v is False:
            return False
        if v is None:
            verdict = None
    return verdict


def check_all(filters: list[Filter], base: SubPath, params: Mapping[str, Any],
              attributes: Mapping[str, str]) -> list[Issue]:
    issues: list[Issue] = []
    for i, f in enumerate(filters):
        for issue in f.check(params, attributes):
            issues.append(Issue((*base, i, *issue.where), issue.message, issue.hint, issue.key))
    return issues


# --------------------------------------------------------------------------- value filter


def _to_datetime(v: Any) -> datetime:
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=UTC)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=UTC)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return datetime.fromtimestamp(v, tz=UTC)
    if isinstance(v, str):
        text = v.strip().replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise EvaluationError(f"{v!r} is not a timestamp") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise EvaluationError(f"{v!r} is not a timestamp")


def convert(value: Any, value_type: str | None, now: datetime) -> Any:
    """Apply ``value_type`` to an attribute value (MISSING and None pass through)."""
    if value_type is None or value is MISSING or value is None:
        return value
    if value_type == "age":
        return (now - _to_datetime(value)).total_seconds() / 86400
    if value_type == "expiration":
        return (_to_datetime(value) - now).total_seconds() / 86400
    if value_type == "size":
        try:
            return len(value)
        except TypeError:
            raise EvaluationError(f"{value!r} has no size") from None
    if value_type == "normalize":
        return str(value).strip().lower()
    try:
        if value_type == "integer":
            return int(value)
        if value_type == "number":
            return float(value)
    except (TypeError, ValueError):
        raise EvaluationError(f"{value!r} is not a {value_type}") from None
    if value_type == "string":
        return str(value)
    if value_type == "boolean":
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "on")
        return bool(value)
    raise EvaluationError(f"unknown value_type {value_type!r}")


def _json_safe(v: Any) -> Any:
    if v is MISSING:
        return None
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, float):
        return round(v, 2) if math.isfinite(v) else str(v)
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v[:20]]
    if isinstance(v, dict):
        return {str(k): _json_safe(x) for k, x in list(v.items())[:50]}
    return v


def _show(v: Any) -> str:
    if v is MISSING:
        return "missing"
    if isinstance(v, float):
        return f"{v:.1f}"
    return repr(_json_safe(v))


_EXPECT = {
    "eq": "expected {v}", "ne": "expected anything but {v}", "gt": "expected > {v}",
    "ge": "expected >= {v}", "lt": "expected < {v}", "le": "expected <= {v}",
    "in": "expected one of {v}", "not-in": "expected none of {v}",
    "contains": "expected to contain {v}", "regex": "expected to match /{raw}/",
    "glob": "expected to match '{raw}'", "present": "expected to be present",
    "absent": "expected to be absent", "empty": "expected to be empty",
    "not-empty": "expected not to be empty",
}


def _is_empty(v: Any) -> bool:
    return v is MISSING or v is None or (hasattr(v, "__len__") and len(v) == 0)


def _ordered(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], bool]:
    """An order comparison that is false, not an error, between values that do not order (str vs int)."""
    def holds(actual: Any, expected: Any) -> bool:
        try:
            return bool(op(actual, expected))
        except TypeError:
            return False
    return holds


def _contains(actual: Any, expected: Any) -> bool:
    try:
        return expected in actual
    except TypeError:
        return False


#: Ops that also decide on a missing attribute ("absent" holds, "ne" and "not-in" hold too).
_ON_MISSING_TOO: dict[str, Callable[[Any, Any], bool]] = {
    "present": lambda actual, _: actual is not MISSING and actual is not None,
    "absent": lambda actual, _: actual is MISSING or actual is None,
    "empty": lambda actual, _: _is_empty(actual),
    "not-empty": lambda actual, _: not _is_empty(actual),
    "ne": lambda actual, expected: bool(actual != expected),
    "not-in": lambda actual, expected: actual not in expected,
}
#: Ops that never hold on a missing attribute ("regex" is compare's own: it names its owner).
_ON_PRESENT: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda actual, expected: bool(actual == expected),
    "in": lambda actual, expected: actual in expected,
    "contains": _contains,
    "glob": lambda actual, expected: actual is not None and fnmatch.fnmatchcase(str(actual), str(expected)),
    "gt": _ordered(operator.gt),
    "ge": _ordered(operator.ge),
    "lt": _ordered(operator.lt),
    "le": _ordered(operator.le),
}


def compare(op: str, actual: Any, expected: Any, owner: str = "op regex") -> bool:
    """The value filter's comparison table (``owner`` names a slow regex in its ERROR)."""
    on_missing_too = _ON_MISSING_TOO.get(op)
    if on_missing_too is not None:
        return on_missing_too(actual, expected)
    if actual is MISSING:
        return False
    if op == "regex":
        return actual is not None and saferegex.search(str(expected), str(actual), owner)
    on_present = _ON_PRESENT.get(op)
    if on_present is None:
        raise EvaluationError(f"unknown op {op!r}")
    return on_present(actual, expected)


def _operand(data: dict[str, Any], ctx: EvalContext) -> Any:
    if "param" in data:
        return ctx.params[data["param"]]
    return data.get("value")


_VALUE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Compare the attribute at `key` (dotted path) with `value` or a rule `param`.",
    "properties": {
        "type": {"const": "value"},
        "key": {"type": "string", "minLength": 1, "description": "dotted path, e.g. Versioning.Status"},
        "op": {"enum": list(OPS)},
        "value": {},
        "param": {"type": "string", "description": "name of a rule param to compare with"},
        "value_type": {"enum": list(VALUE_TYPES)},
    },
    "required": ["key", "op"],
    "additionalProperties": False,
}


@filter_types.register("value")
class ValueFilter(Filter):
    """Compare one attribute with a value.

    Example::

        assert:
          - {key: MfaActive, op: eq, value: true}
          - {key: PasswordLastChanged, value_type: age, op: le, param: max_password_age_days}
    """

    schema = _VALUE_SCHEMA

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.key: str = data["key"]
        self.op: str = data["op"]
        self.value_type: str | None = data.get("value_type")

    def roots(self) -> set[str]:
        r = root(self.key)
        return {r} if r else set()

    def evaluate(self, item: Any, ctx: EvalContext) -> Outcome:
        raw = resolve(item, self.key)
        actual = convert(raw, self.value_type, ctx.now)
        expected = None if self.op in UNARY_OPS else _operand(self.data, ctx)
        ok = compare(self.op, actual, expected, f"regex on {self.key}")
        label = self.key if self.key != "@" else "value"
        shown = raw if self.value_type in (None, "normalize", "string") else actual
        evidence = {label if not self.value_type else f"{label}|{self.value_type}": _json_safe(shown)}
        if ok:
            return Outcome(True, evidence)
        numeric = isinstance(actual, (int, float)) and not isinstance(actual, bool)
        unit = " days" if self.value_type in ("age", "expiration") and numeric else ""
        expect = _EXPECT[self.op].format(v=_show(expected), raw=expected)
        what = f"{label} ({self.value_type})" if self.value_type else label
        return Outcome(False, evidence, f"{what} is {_show(actual)}{unit}, {expect}")

    def check(self, params: Mapping[str, Any], attributes: Mapping[str, str]) -> list[Issue]:
        try:
            parse_path(self.key)
        except PathSyntaxError as exc:
            return [Issue(("key",), str(exc))]
        issues = self._attribute_issues(attributes)
        if self.op in UNARY_OPS:
            if "value" in self.data or "param" in self.data:
                issues.append(Issue(("op",), f"op '{self.op}' takes no value"))
            return issues
        return issues + self._operand_issues(params) + self._value_issues()

    def _attribute_issues(self, attributes: Mapping[str, str]) -> list[Issue]:
        """The key's attribute must be one the resource type collects (when the type is known)."""
        top = root(self.key)
        if attributes and top is not None and top not in attributes:
            return [Issue(("key",), f"unknown attribute '{top}' for this resource type",
                          did_you_mean(top, list(attributes)))]
        return []

    def _operand_issues(self, params: Mapping[str, Any]) -> list[Issue]:
        """A binary op needs exactly one of ``value`` and ``param``; a param must be declared."""
        has_value, has_param = "value" in self.data, "param" in self.data
        issues: list[Issue] = []
        if has_value and has_param:
            issues.append(Issue(("param",), "give either 'value' or 'param', not both", key=True))
        elif not (has_value or has_param):
            issues.append(Issue(("op",), f"op '{self.op}' needs a 'value' or a 'param'"))
        if has_param and self.data["param"] not in params:
            name = self.data["param"]
            issues.append(Issue(("param",), f"unknown param '{name}' (declare it under the rule's params)",
                                did_you_mean(name, list(params))))
        return issues

    def _value_issues(self) -> list[Issue]:
        """A literal ``value`` must suit the op: a list for in/not-in, a safe regex, a number for numeric types."""
        if "value" not in self.data:
            return []
        value = self.data["value"]
        issues: list[Issue] = []
        if self.op in ("in", "not-in") and not isinstance(value, list):
            issues.append(Issue(("value",), f"op '{self.op}' needs a list value"))
        why = saferegex.problem(str(value)) if self.op == "regex" else None
        if why:
            issues.append(Issue(("value",), f"invalid regex: {why}"))
        numeric_op = self.op in ("gt", "ge", "lt", "le", "eq", "ne")
        if self.value_type in ("age", "expiration", "size") and numeric_op and (
                not isinstance(value, (int, float)) or isinstance(value, bool)):
            issues.append(Issue(("value",), f"value_type '{self.value_type}' compares numbers, got {value!r}"))
        return issues


# --------------------------------------------------------------------------- boolean blocks


def _filter_list_schema() -> dict[str, Any]:
    return {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/filter"}}


class _Block(Filter):
    block: ClassVar[str] = ""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.children = build_all(data[self.block])

    def roots(self) -> set[str]:
        out: set[str] = set()
        for c in self.children:
            out |= c.roots()
        return out

    def check(self, params: Mapping[str, Any], attributes: Mapping[str, str]) -> list[Issue]:
        return check_all(self.children, (self.block,), params, attributes)


@filter_types.register("and")
class AndFilter(_Block):
    """All of the listed filters hold.

    Example: ``and: [{key: KeyManager, op: eq, value: CUSTOMER}, {key: KeyState, op: eq, value: Enabled}]``
    """

    block = "and"
    schema = {"type": "object", "properties": {"and": _filter_list_schema()},
              "required": ["and"], "additionalProperties": False}

    def evaluate(self, item: Any, ctx: EvalContext) -> Outcome:
        return evaluate_all(self.children, item, ctx)

    def decide(self, item: Any, ctx: EvalContext, known: frozenset[str] | set[str]) -> bool | None:
        return decide_all(self.children, item, ctx, known)


@filter_types.register("or")
class OrFilter(_Block):
    """At least one of the listed filters holds.

    Example: ``or: [{key: MultiAZ, op: eq, value: true}, {key: Cluster.MultiAZ, op: eq, value: true}]``
    """

    block = "or"
    schema = {"type": "object", "properties": {"or": _filter_list_schema()},
              "required": ["or"], "additionalProperties": False}

    def evaluate(self, item: Any, ctx: EvalContext) -> Outcome:
        evidence: dict[str, Any] = {}
        reasons: list[str] = []
        for c in self.children:
            out = c.evaluate(item, ctx)
            if out.ok:
                # What made it hold, not the alternatives tried before (which may read
                # attributes never collected because this one settles the verdict).
                return Outcome(True, out.evidence)
            evidence.update(out.evidence)
            reasons.append(out.reason)
        return Outcome(False, evidence, "none of: " + "; ".join(reasons))

    def decide(self, item: Any, ctx: EvalContext, known: frozenset[str] | set[str]) -> bool | None:
        verdict: bool | None = False
        for c in self.children:
            v = c.decide(item, ctx, known)
            if v is True:
                return True
            if v is None:
                verdict = None
        return verdict


@filter_types.register("not")
class NotFilter(_Block):
    """The listed filters do not all hold. Example: ``not: [{key: State, op: eq, value: terminated}]``"""

    block = "not"
    schema = {"type": "object", "properties": {"not": _filter_list_schema()},
              "required": ["not"], "additionalProperties": False}

    def evaluate(self, item: Any, ctx: EvalContext) -> Outcome:
        out = evaluate_all(self.children, item, ctx)
        if out.ok:
            return Outcome(False, out.evidence, "expected not: " + " and ".join(_describe(c) for c in self.children))
        return Outcome(True, out.evidence)

    def decide(self, item: Any, ctx: EvalContext, known: frozenset[str] | set[str]) -> bool | None:
        v = decide_all(self.children, item, ctx, known)
        return None if v is None else not v


def _describe(f: Filter) -> str:
    """A short human reading of a filter, for FAIL messages."""
    d = f.data
    if isinstance(f, ValueFilter):
        operand = "" if f.op in UNARY_OPS else " " + (f"params.{d['param']}" if "param" in d else repr(d.get("value")))
        what = f"{f.key} ({f.value_type})" if f.value_type else f.key
        return f"{what} {f.op}{operand}"
    if isinstance(f, _Block):
        parts = [_describe(c) for c in f.children]
        if f.block == "not":
            return "not (" + " and ".join(parts) + ")"
        joined = f" {f.block} ".join(parts)
        return f"({joined})" if len(parts) > 1 else joined
    if isinstance(f, _ListBlock):
        matched = " and ".join(_describe(m) for m in f.match) or "anything"
        return f"{f.block} of {f.key} has {matched}"
    return f"{d.get('type', next(iter(d)))} filter"


# --------------------------------------------------------------------------- list blocks


class _ListBlock(Filter):
    block: ClassVar[str] = ""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.key: str = data[self.block]
        self.match = build_all(data.get("match", []))

    def roots(self) -> set[str]:
        r = root(self.key)
        return {r} if r else set()

    def items(self, item: Any) -> list[Any]:
        value = resolve(item, self.key)
        if value is MISSING or value is None:
            return []
        if isinstance(value, dict):
            return [{"Key": k, "Value": v} for k, v in value.items()]
        if not isinstance(value, list):
            raise EvaluationError(f"{self.key} is not a list (got {type(value).__name__})")
        return value

    def check(self, params: Mapping[str, Any], attributes: Mapping[str, str]) -> list[Issue]:
        issues: list[Issue] = []
        try:
            parse_path(self.key)
        except PathSyntaxError as exc:
            return [Issue((self.block,), str(exc))]
        top = root(self.key)
        if attributes and top is not None and top not in attributes:
            issues.append(Issue((self.block,), f"unknown attribute '{top}' for this resource type",
                                did_you_mean(top, list(attributes))))
        # Inside the list, keys are relative to each item: not checked against attributes.
        issues += check_all(self.match, ("match",), params, {})
        return issues


def _list_schema(block: str, extra: dict[str, Any] | None = None, required_match: bool = True) -> dict[str, Any]:
    props: dict[str, Any] = {block: {"type": "string", "minLength": 1}, "match": _filter_list_schema()}
    props.update(extra or {})
    req = [block, "match"] if required_match else [block]
    return {"type": "object", "properties": props, "required": req, "additionalProperties": False}


@filter_types.register("any")
class AnyFilter(_ListBlock):
    """Some item of a list attribute matches every filter under ``match``.

    Example (a bucket policy that denies plain HTTP)::

        - any: Policy.Statement
          match:
            - {key: Effect, op: eq, value: Deny}
            - {key: Condition.Bool."aws:SecureTransport", op: in, value: ["false", false]}
    """

    block = "any"
    schema = _list_schema("any")

    def evaluate(self, item: Any, ctx: EvalContext) -> Outcome:
        elements = self.items(item)
        for i, element in enumerate(elements):
            if evaluate_all(self.match, element, ctx).ok:
                return Outcome(True, {f"{self.key}[{i}]": "matches"})
        return Outcome(False, {f"{self.key}|count": len(elements)},
                       f"no item of {self.key} ({len(elements)} items) has "
                       + " and ".join(_describe(m) for m in self.match))


@filter_types.register("all")
class AllFilter(_ListBlock):
    """Every item of a list attribute matches every filter under ``match``.

    Example (no grant to a group such as AllUsers): ``{all: Acl.Grants, match: [{key: Grantee.URI, op: absent}]}``
    """

    block = "all"
    schema = _list_schema("all")

    def evaluate(self, item: Any, ctx: EvalContext) -> Outcome:
        elements = self.items(item)
        for i, element in enumerate(elements):
            out = evaluate_all(self.match, element, ctx)
            if not out.ok:
                ev = {f"{self.key}[{i}].{k}": v for k, v in out.evidence.items()}
                return Outcome(False, ev, f"{self.key}[{i}]: {out.reason}")
        return Outcome(True, {f"{self.key}|count": len(elements)})


@filter_types.register("count")
class CountFilter(_ListBlock):
    """How many items of a list attribute match ``match`` (all items when omitted).

    Example (at most one active access key)::

        - count: AccessKeys
          match: [{key: Status, op: eq, value: Active}]
          op: le
          value: 1
    """

    block = "count"
    schema = _list_schema("count", {"op": {"enum": ["eq", "ne", "gt", "ge", "lt", "le"]},
                                    "value": {"type": "number"}, "param": {"type": "string"}},
                          required_match=False)
    schema["required"] = ["count", "op"]

    def evaluate(self, item: Any, ctx: EvalContext) -> Outcome:
        n = sum(1 for e in self.items(item) if evaluate_all(self.match, e, ctx).ok)
        expected = _operand(self.data, ctx)
        ok = compare(self.data["op"], n, expected)
        ev = {f"{self.key}|count": n}
        if ok:
            return Outcome(True, ev)
        what = " and ".join(_describe(m) for m in self.match) or "any"
        return Outcome(False, ev, f"{n} item(s) of {self.key} match {what}, "
                       + _EXPECT[self.data["op"]].format(v=expected, raw=expected))

    def check(self, params: Mapping[str, Any], attributes: Mapping[str, str]) -> list[Issue]:
        issues = super().check(params, attributes)
        has_value, has_param = "value" in self.data, "param" in self.data
        if has_value == has_param:
            issues.append(Issue(("op",), "count needs exactly one of 'value' or 'param'"))
        elif has_param and self.data["param"] not in params:
            issues.append(Issue(("param",), f"unknown param '{self.data['param']}'",
                                did_you_mean(self.data["param"], list(params))))
        return issues
