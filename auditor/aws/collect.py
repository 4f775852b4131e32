"""Collector plumbing: the per-scan ``Scope`` and the collector registry.

A collector is a function ``collect(scope) -> list[Resource]`` registered for the
resource type it produces::

    @collector("aws.kms-key")
    def collect_keys(scope: Scope) -> list[Resource]: ...

``scope.needs(type)`` says which top-level attributes the loaded rules read, so a
collector fetches only those (no GetBucketPolicy when no rule reads ``Policy``).
Collectors never raise for one resource: a failed call is recorded with
``scope.record(resource, attribute, api_error)``; a failed listing for a whole
region is ``scope.inventory.fail(...)``. A fetcher that crashes (a bug, an answer
of an unexpected shape) is recorded like a failed call by :func:`fetch`, naming the
exception, so one bad answer costs ERROR findings on the rules that read that
attribute, never the scan; a collector that crashes outright is caught by the scan
(:func:`auditor.aws.scan.run_scan`) and becomes ERROR findings for its resource type.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from auditor.aws.session import ApiError, AwsSession
from auditor.core.filters import EvalContext, decide_all
from auditor.core.resources import Inventory, Resource
from auditor.core.rules import Rule

T = TypeVar("T")
R = TypeVar("R")

Collector = Callable[["Scope"], list[Resource]]
COLLECTORS: dict[str, Collector] = {}


def collector(type_name: str) -> Callable[[Collector], Collector]:
    """Register the collector of a resource type."""

    def deco(fn: Collector) -> Collector:
        COLLECTORS[type_name] = fn
        return fn

    return deco


@dataclass
class Scope:
    """What one scan knows: session, account, regions, what rules need, a thread pool."""

    session: AwsSession
    account: str
    partition: str
    regions: list[str]
    required: dict[str, set[str]]
    pool: ThreadPoolExecutor
    rules: dict[str, list[Rule]] = field(default_factory=dict)
    inventory: Inventory = field(default_factory=Inventory)
    _memo: dict[str, Any] = field(default_factory=dict)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)
    _key_locks: dict[str, threading.Lock] = field(default_factory=dict)

    def needs(self, type_name: str, attribute: str) -> bool:
        """Whether some loaded rule reads ``attribute`` of ``type_name``."""
        return attribute in self.required.get(type_name, set())

    def needs_any(self, type_name: str, *attributes: str) -> bool:
        return bool(self.required.get(type_name, set()) & set(attributes))

    def to_fetch(self, type_name: str, res: Resource) -> set[str]:
        """The attributes of ``res`` worth fetching next, given what is collected so far.

        First the scope: if some rule's ``where`` is not settled by the known attributes,
        the unknown attributes it reads. Then the verdicts: for every enabled rule that
        keeps ``res`` in scope and whose ``assert`` is not settled yet, the unknown
        attributes it reads. A rule whose ``where`` excludes the resource needs nothing; a
        scope a failed call leaves unsettled is an ERROR finding and needs nothing more; a
        verdict already settled needs nothing more (account-wide Block Public Access fully
        on settles the bucket rule without GetPublicAccessBlock). Failed attributes are
        never fetched again. Collectors call this until it is empty, so no call is made
        that no verdict depends on.
        """
        if not self.rules:
            return set(self.required.get(type_name, set())) - set(res.attrs) - set(res.errors)
        known = set(res.attrs)
        done = known | set(res.errors)
        now = datetime.now(UTC)
        scope_missing: set[str] = set()
        verdict_missing: set[str] = set()
        for rule in self.rules.get(type_name, []):
            ctx = EvalContext(now=now, params=rule.params)
            settled = decide_all(rule.where, res.attrs, ctx, known)
            if settled is False:
                continue
            if settled is None:
                # The scope first. If a failed call leaves it unsettled for good, the engine
                # reports an ERROR and there is no verdict to feed.
                scope_missing |= rule.where_roots() - done
                continue
            if rule.enabled and decide_all(rule.assert_, res.attrs, ctx, known) is None:
                verdict_missing |= rule.assert_roots() - done
        return scope_missing or verdict_missing

    def memo(self, key: str, fn: Callable[[], T]) -> T:
        """Compute a shared, derived value once per scan (e.g. the trail list)."""
        with self._memo_lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:
            with self._memo_lock:
                if key in self._memo:
                    return self._memo[key]  # type: ignore[no-any-return]
            with _inline():  # pool workers may be waiting for this value: never wait for them
                value = fn()
            with self._memo_lock:
                self._memo[key] = value
            return value

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Apply ``fn`` to every item on the bounded pool, keeping order.

        Inside a pool task or a :meth:`memo` computation the items run in the calling
        thread instead: a task that waited for pool workers while workers waited for it
        (on the memo) would deadlock the scan.
        """
        items = list(items)
        if getattr(_LOCAL, "inline", False):
            return [fn(i) for i in items]

        def task(item: T) -> R:
            with _inline():
                return fn(item)

        return list(self.pool.map(task, items))

    def arn(self, service: str, region: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    @property
    def account_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:root"

    @property
    def home_region(self) -> str:
        """Region for global services (IAM, S3 listing): us-east-1 in the commercial partition."""
        return {"aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}.get(self.partition, "us-east-1")


_LOCAL = threading.local()


@contextmanager
def _inline() -> Iterator[None]:
    """Within this block, :meth:`Scope.map` runs in the calling thread."""
    before = getattr(_LOCAL, "inline", False)
    _LOCAL.inline = True
    try:
        yield
    finally:
        _LOCAL.inline = before


def record(resource: Resource, attribute: str, err: ApiError) -> None:
    """Store a failed call on the attribute it was meant to fill."""
    resource.errors.setdefault(attribute, err.reason)


def crash_reason(exc: BaseException) -> str:
    """How an unexpected exception reads in an ERROR finding: ``internal error: KeyError: 'GroupName'``."""
    return f"internal error: {type(exc).__name__}: {exc}"


def fetch(resource: Resource, attribute: str, fn: Callable[[], Any], default: Any = None) -> Any:
    """Run ``fn`` and store its value as ``attribute``.

    On :class:`ApiError` the failed call is recorded for ``attribute``; on any other
    exception (a fetcher bug, an answer of an unexpected shape) the exception is
    recorded the same way (see :func:`crash_reason`). Either way the rules that read
    ``attribute`` report ERROR naming the cause, and ``default`` is returned.
    """
    try:
        value = fn()
    except ApiError as err:
        record(resource, attribute, err)
        return default
    except Exception as exc:  # noqa: BLE001 - one fetcher's bug must not lose the scan
        resource.errors.setdefault(attribute, crash_reason(exc))
        return default
    resource.attrs[attribute] = value
    return value


def error_code(fn: Callable[[], T], *ok_codes: str) -> tuple[T | None, str | None]:
    """Call ``fn``; an :class:`ApiError` whose code is in ``ok_codes`` returns (None, code)."""
    try:
        return fn(), None
    except ApiError as err:
        if err.code in ok_codes:
            return None, err.code
        raise
