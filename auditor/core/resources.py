"""Resources: what collectors produce and rules judge.

A resource is a plain dict of attributes with an id (ARN for AWS, ``path#column``
for dataset columns, ``pipeline/run/step`` for pipeline steps), a type and a
region. Collectors never raise for a single resource: an attribute they could
not fetch is recorded in ``errors`` (attribute -> reason, ``"*"`` for all of
them), and a rule that needs it yields an ERROR finding naming the reason.
A whole listing that failed (``ListBuckets`` denied) is a ``ScopeFailure``.

Resource types are declared once and registered::

    @resource_types.register("aws.kms-key")
    class KmsKey(ResourceType):
        '''A KMS key. Example rule: ``{key: KeyRotationEnabled, op: eq, value: true}``'''
        attributes = {"KeyManager": "CUSTOMER or AWS", "KeyRotationEnabled": "bool"}
        permissions = ("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus")
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from auditor.core.registry import Registry


@dataclass
class Resource:
    """One thing to judge: its type, id, region and attributes."""

    type: str
    id: str
    attrs: dict[str, Any]
    region: str = ""
    name: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """Short human name used in messages (falls back to the id)."""
        return self.name or self.id


@dataclass(frozen=True)
class ScopeFailure:
    """A listing that failed for a whole scope (e.g. an account or a region)."""

    type: str
    scope_id: str
    region: str
    reason: str


class ResourceType:
    """Declaration of a resource type: attributes, permissions and docs.

    ``attributes`` lists the top-level attributes rules may use (with a short
    description); rule keys are checked against it with a "did you mean" hint.
    An empty mapping means "free-form" (no key checking).

    ``personal`` names the attributes that hold people's contact details: rules may read
    them, findings never show their values (:mod:`auditor.core.personal`).
    """

    name: ClassVar[str] = ""
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()
    personal: ClassVar[frozenset[str]] = frozenset()


resource_types: Registry[type[ResourceType]] = Registry("resource type")


@dataclass
class Inventory:
    """Everything collected for one run, by resource type."""

    resources: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, list[ScopeFailure]] = field(default_factory=lambda: defaultdict(list))

    def add(self, resource: Resource) -> None:
        self.resources[resource.type].append(resource)

    def extend(self, resources: Iterable[Resource]) -> None:
        for r in resources:
            self.add(r)

    def fail(self, type_: str, scope_id: str, region: str, reason: str) -> None:
        self.failures[type_].append(ScopeFailure(type_, scope_id, region, reason))

    def merge(self, other: Inventory) -> None:
        for t, items in other.resources.items():
            self.resources[t].extend(items)
        for t, fails in other.failures.items():
            self.failures[t].extend(fails)

    def of(self, type_: str) -> list[Resource]:
        return self.resources.get(type_, [])
