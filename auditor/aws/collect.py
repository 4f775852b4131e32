"""Collector plumbing: the per-scan ``Scope`` and the collector registry.

A collector is a function ``collect(scope) -> list[Resource]`` registered for the
resource type it produces::

    @collector("aws.kms-key")
    def collect_keys(scope: Scope) -> list[Resource]: ...

A collector lists its resources and hands each to its type's attribute table
(:mod:`auditor.aws.attributes`), whose one fetch loop asks only for what a rule whose
scope or verdict is still open needs (no GetBucketPolicy when no rule reads ``Policy``).
Collectors never raise for one resource: a failed call is recorded with
``record(resource, attribute, api_error)``; a failed listing for a whole
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
from typing import Any, TypeVar

from auditor.aws.attribution import attributing, current
from auditor.aws.session import ApiError, AwsSession
from auditor.core.errors import crash_summary
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
        # The pool's threads make their calls for the caller's resource type (call statistics).
        made_for = current()

        def task(item: T) -> R:
            with _inline(), attributing(*(made_for or ("", None))):
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
    """How an unexpected exception reads in an ERROR finding: ``internal error: KeyError at auditor/aws/iam.py:88``.

    The type and the line that raised it name the cause; the message is left out because
    it can quote what AWS answered (a tag, a contact's name), which no finding may carry
    (:func:`~auditor.core.errors.crash_summary`)."""
    return f"internal error: {crash_summary(exc)}"


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
