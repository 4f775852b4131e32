"""One attribute table per AWS resource type, and the one loop that fetches attributes.

Each resource type declares its attributes once, in an :class:`AttributeTable`: for every
attribute its meaning (the doc users read in ``auditor schema`` and the "did you mean"
hints), how it is fetched and the IAM actions that fetch needs. The resource type's
``attributes`` and ``permissions`` (and so ``auditor permissions``) are derived from it::

    TABLE = AttributeTable("aws.kms-key", listing=("kms:ListKeys",), attributes={
        "KeyId": Attr("key id"),                                   # set by the listing
        "KeyState": Attr("Enabled | Disabled | PendingDeletion | ...", fetch=describe,
                         permissions=("kms:DescribeKey",)),
        "KeyRotationEnabled": Attr("bool, or null when the key cannot rotate", fetch=rotation,
                                   permissions=("kms:GetKeyRotationStatus",), after=("KeySpec", "KeyState")),
    })

    res = TABLE.fill(scope, Resource("aws.kms-key", arn, {"KeyId": ..., "Arn": arn}), item)

:meth:`AttributeTable.fill` is the shared fetch loop: it asks :class:`Pending` which
attributes a rule whose scope or verdict is still open needs, fetches the first of them in
table order, and asks again, so that each answer can settle rules and spare later calls
(a bucket named ``*-raw`` is in the data-zone scope without GetBucketTagging; account-wide
Block Public Access settles every bucket without a GetPublicAccessBlock each). A fetcher is
``fn(scope, resource, item)`` where ``item`` is what the listing returned for the resource;
it runs only after the attributes it lists in ``after`` (a failed one fails it too). A
fetcher marked ``shared`` returns a mapping and fills every attribute that has the same
fetcher with one call (DescribeKey, the credential report). Failures are recorded on the
attributes they were meant to fill (:func:`auditor.aws.collect.fetch`): the rules that read
them report ERROR naming the call, the others are judged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor.aws.attribution import attributing, current
from auditor.aws.collect import Scope, fetch
from auditor.core.filters import EvalContext, decide_all
from auditor.core.resources import Resource
from auditor.core.rules import Rule

__all__ = ["Attr", "AttributeTable", "Fetcher", "Pending", "attributing", "current"]

Fetcher = Callable[[Scope, Resource, Any], Any]


@dataclass(frozen=True)
class Attr:
    """One attribute: its doc, its fetcher (None: the listing sets it) and that fetcher's IAM actions."""

    doc: str
    fetch: Fetcher | None = None
    permissions: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    shared: bool = False
    personal: bool = False  # people's contact details: compared by rules, never shown in findings


@dataclass
class AttributeTable:
    """The attributes of one resource type, in fetch order (cheap and widely read first)."""

    type_name: str
    attributes: dict[str, Attr]
    listing: tuple[str, ...] = ()
    _fetchable: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._fetchable = frozenset(a for a, spec in self.attributes.items() if spec.fetch is not None)
        for name, spec in self.attributes.items():
            unknown = [d for d in spec.after if d not in self.attributes]
            if unknown:
                raise ValueError(f"{self.type_name}.{name}: 'after' names unknown attributes {unknown}")

    def docs(self) -> dict[str, str]:
        """Attribute -> doc, as the resource type declares them."""
        return {name: spec.doc for name, spec in self.attributes.items()}

    def personal(self) -> frozenset[str]:
        """The attributes that hold personal data (``ResourceType.personal``)."""
        return frozenset(name for name, spec in self.attributes.items() if spec.personal)

    def permissions(self) -> tuple[str, ...]:
        """Every IAM action the listing and the fetchers need (first seen first)."""
        out = dict.fromkeys(self.listing)
        for spec in self.attributes.values():
            out.update(dict.fromkeys(spec.permissions))
        return tuple(out)

    def attribute_permissions(self, name: str) -> tuple[str, ...]:
        """The IAM actions needed to know ``name``: its fetcher's and those of the attributes it comes after."""
        spec = self.attributes[name]
        out = dict.fromkeys(spec.permissions)
        for dep in spec.after:
            out.update(dict.fromkeys(self.attribute_permissions(dep)))
        return tuple(out)

    def fill(self, scope: Scope, res: Resource, item: Any = None) -> Resource:
        """Fetch what the loaded rules still need of ``res``, one attribute at a time; returns ``res``."""
        pending = Pending(self.type_name, scope.rules.get(self.type_name, []),
                          scope.required.get(self.type_name, set()))
        while todo := pending.needed(res) & self._fetchable:
            name = next(a for a in self.attributes if a in todo)
            self._fetch(scope, res, item, name)
        return res

    def fetch_now(self, scope: Scope, res: Resource, item: Any, name: str) -> None:
        """Fetch ``name`` (and what it comes after) whatever the rules need: for values other code reuses."""
        if name not in res.attrs and name not in res.errors:
            self._fetch(scope, res, item, name)

    def _fetch(self, scope: Scope, res: Resource, item: Any, name: str) -> None:
        spec = self.attributes[name]
        for dep in spec.after:
            if dep not in res.attrs and dep not in res.errors and dep in self._fetchable:
                self._fetch(scope, res, item, dep)
        failed = [res.errors[d] for d in spec.after if d in res.errors]
        if failed or "*" in res.errors:
            res.errors.setdefault(name, failed[0] if failed else res.errors["*"])
            return
        fn = spec.fetch
        assert fn is not None
        with attributing(self.type_name, name):
            if not spec.shared:
                fetch(res, name, lambda: fn(scope, res, item))
                return
            group = [a for a, s in self.attributes.items() if s.fetch is fn]
            values = fetch(res, name, lambda: fn(scope, res, item))
        if name in res.errors:
            for other in group:
                res.errors.setdefault(other, res.errors[name])
            return
        res.attrs.pop(name, None)
        for other in group:
            if isinstance(values, Mapping) and other in values:
                res.attrs[other] = values[other]
            else:
                res.errors.setdefault(other, f"internal error: {fn.__name__} did not return {other}")


class Pending:
    """Which attributes of a resource the open rules of its type still need.

    A rule is open while its ``where`` is undecided, or it keeps the resource in scope and
    its ``assert`` is undecided. Scopes come first: if some rule's scope is open, only the
    attributes scopes read are asked for. A rule whose scope excludes the resource, or whose
    verdict is settled, is closed for good (rules are not re-evaluated on every answer);
    attributes that failed are never asked for again. Without rules (a caller that only
    knows the attribute names), every required attribute not yet known is needed.
    """

    def __init__(self, type_name: str, rules: list[Rule], required: set[str]) -> None:
        self.type_name = type_name
        self.open: list[tuple[Rule, bool]] = [(r, False) for r in rules]  # (rule, scope already settled in)
        self.by_rules = bool(rules)
        self.required = required
        self.now = datetime.now(UTC)
        self._ctx: dict[str, EvalContext] = {}

    def _context(self, rule: Rule) -> EvalContext:
        ctx = self._ctx.get(rule.id)
        if ctx is None:
            ctx = self._ctx[rule.id] = EvalContext(now=self.now, params=rule.params)
        return ctx

    def needed(self, res: Resource) -> set[str]:
        if not self.by_rules:
            return set(self.required) - set(res.attrs) - set(res.errors)
        known = set(res.attrs)
        done = known | set(res.errors)
        scope_missing: set[str] = set()
        verdict_missing: set[str] = set()
        still: list[tuple[Rule, bool]] = []
        for rule, in_scope in self.open:
            ctx = self._context(rule)
            if not in_scope:
                settled = decide_all(rule.where, res.attrs, ctx, known)
                if settled is False:
                    continue
                if settled is None:
                    # The scope first. If a failed call leaves it unsettled for good, the engine
                    # reports an ERROR and there is no verdict to feed.
                    missing = rule.where_roots() - done
                    if missing:
                        scope_missing |= missing
                        still.append((rule, False))
                    continue
            if not rule.enabled or decide_all(rule.assert_, res.attrs, ctx, known) is not None:
                continue
            missing = rule.assert_roots() - done
            if missing:
                verdict_missing |= missing
                still.append((rule, True))
        self.open = still
        return scope_missing or verdict_missing
