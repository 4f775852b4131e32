"""What the readers produce: resources as a template or plan declares them, with their source.

A :class:`SourceResource` is one resource of a CloudFormation template (a logical id) or
of a Terraform plan or configuration (an address), its properties already resolved
(intrinsics evaluated, ``after_unknown`` values turned into :class:`~auditor.iac.values.Unknown`),
and where it is written (:class:`Location`). The mappers (:mod:`auditor.iac.mappers`)
turn them into the resources the AWS collectors produce.

A reader that cannot read its input raises :class:`~auditor.core.errors.ConfigError`
with one :class:`~auditor.core.errors.Problem` (``file:line:col: message``): exit 2,
nothing is evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.core.documents import LocationDict

CLOUDFORMATION = "cloudformation"
TERRAFORM = "terraform"


@dataclass(frozen=True)
class Location:
    """Where a resource is declared: a file, and a line/column there when the format has them.

    ``address`` is the logical id (``DataBucket``; ``Network/Vpc`` inside a nested stack)
    or the Terraform address (``module.lake.aws_s3_bucket.raw``).
    """

    file: str
    line: int = 0
    column: int = 0
    address: str = ""

    def as_dict(self) -> LocationDict:
        """The ``location`` of a finding (line and column left out when unknown)."""
        out: LocationDict = {"file": self.file}
        if self.line:
            out["line"] = self.line
            out["column"] = self.column or 1
        if self.address:
            out["address"] = self.address
        return out


@dataclass
class SourceResource:
    """One resource as the change declares it.

    ``key`` is unique in the run (file + logical id or address) and is what a
    :class:`~auditor.iac.values.Symbol` pointing at this resource names in its ``target``.
    ``errors`` holds reasons that make every finding on the resource ERROR (``"*"``), e.g.
    a ``Condition`` that cannot be decided before deploy. ``refs`` (Terraform) maps a
    top-level argument to the addresses it references in the configuration, ``declared``
    (Terraform) names the arguments the configuration writes (an unwritten ``bucket`` is a
    name Terraform generates).
    """

    source: str
    type: str
    key: str
    address: str
    props: dict[str, Any]
    location: Location
    errors: dict[str, str] = field(default_factory=dict)
    refs: dict[str, list[str]] = field(default_factory=dict)
    region: str = ""
    account: str = ""
    declared: frozenset[str] | None = None

    @property
    def label(self) -> str:
        """``DataBucket (AWS::S3::Bucket)`` for messages and the not-evaluated list."""
        return f"{self.address} ({self.type})"


@dataclass
class NotEvaluated:
    """A resource the scan read but does not judge, and why (listed once, counted in the summary)."""

    type: str
    address: str
    location: Location
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "address": self.address, "reason": self.reason, **self.location.as_dict()}


@dataclass
class Change:
    """Everything read from the inputs of one run, before mapping."""

    resources: list[SourceResource] = field(default_factory=list)
    not_evaluated: list[NotEvaluated] = field(default_factory=list)
    not_created: list[NotEvaluated] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    account: str = ""
    regions: set[str] = field(default_factory=set)

    def by_key(self) -> dict[str, SourceResource]:
        return {r.key: r for r in self.resources}
