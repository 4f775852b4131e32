"""From source resources to the resources the AWS collectors produce.

:class:`Builder` is what every mapper (:mod:`auditor.iac.mappers`) works with: it indexes
the change (by key, by type, by physical name), joins a configuring resource to the one it
configures (a :class:`~auditor.iac.values.Symbol` naming its key, or the same name), and
collects the mapped :class:`~auditor.core.resources.Resource` items with their source
location. A source resource no mapper used is listed as not evaluated by the scan.

Attributes a mapper cannot fill from a template (a bucket's ACL grants, a user's last
sign-in) are recorded as collection errors, so a rule that reads them is ERROR with the
reason, never judged on a missing value. A top-level attribute whose value is unknown
until apply is recorded the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor.core.errors import ConfigError, EvaluationError, Problem
from auditor.core.resources import Inventory, Resource, resource_types
from auditor.iac.model import Change, Location, SourceResource
from auditor.iac.values import Symbol, Unknown

NOT_FROM_TEMPLATES = "not read from templates or plans (the account scan judges it)"


@dataclass
class Builder:
    """The change being mapped, and what the mappers built from it."""

    change: Change
    now: datetime
    inventory: Inventory = field(default_factory=Inventory)
    locations: dict[int, Location] = field(default_factory=dict)
    consumed: set[str] = field(default_factory=set)
    account: dict[str, Any] = field(default_factory=dict)
    account_sources: list[SourceResource] = field(default_factory=list)
    region: dict[str, Any] = field(default_factory=dict)
    region_sources: list[SourceResource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: account / region attribute -> the sources that declare it (a finding points at them)
    attr_sources: dict[str, list[SourceResource]] = field(default_factory=dict)
    #: source key -> the resources built from it (a bucket's key -> its aws.s3-bucket)
    built: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.current: SourceResource | None = None
        self._by_key = {r.key: r for r in self.change.resources}
        self._by_type: dict[str, list[SourceResource]] = defaultdict(list)
        for r in self.change.resources:
            self._by_type[r.type].append(r)
        self._names: dict[tuple[str, str], SourceResource] = {}

    # ------------------------------------------------------------------ reading the change

    def of(self, *types: str) -> list[SourceResource]:
        """Source resources of these types, in the order they were read.

        Iterating the list records the resource being mapped (``current``), so a property of
        an unexpected shape is reported at that resource's line (see :func:`mapping_errors`).
        """
        out = _Tracked(self)
        for t in types:
            out += self._by_type.get(t, [])
        return out

    def source(self, key: str) -> SourceResource | None:
        return self._by_key.get(key)

    def name(self, kind: str, name: Any, source: SourceResource) -> None:
        """Index ``source`` under its physical ``name`` for ``kind`` (e.g. ``"bucket"``)."""
        if isinstance(name, str) and not isinstance(name, Unknown):
            self._names.setdefault((kind, str(name)), source)

    def target(self, value: Any, kind: str, types: Iterable[str]) -> SourceResource | None:
        """The resource of the change that ``value`` designates: by the symbol's key, else by name.

        ``value`` may be a symbol (``!Ref Logs``, ``aws_s3_bucket.logs.id``), a name
        (``"registrar-raw"``) or an ARN whose last part is the name (``arn:aws:s3:::raw``).
        """
        wanted = set(types)
        if isinstance(value, Symbol):
            found = self._by_key.get(value.target)
            if found is not None and found.type in wanted:
                return found
        if isinstance(value, str):
            text = str.__str__(value)
            for candidate in (text, _arn_tail(text)):
                found = self._names.get((kind, candidate))
                if found is not None:
                    return found
        return None

    # ------------------------------------------------------------------ building

    def use(self, *sources: SourceResource) -> None:
        """Mark sources as judged (through the resource they configure or are part of)."""
        self.consumed.update(s.key for s in sources)

    def add(self, resource: Resource, source: SourceResource) -> Resource:
        """Add a mapped resource located at ``source``.

        Every attribute its type declares that the mapper did not set becomes a collection
        error (a rule reading it is ERROR: templates do not say it); a top-level value that is
        unknown until apply becomes one too, with its reason.
        """
        for attr in sorted(_declared(resource.type)):
            if attr not in resource.attrs and attr not in resource.errors:
                resource.errors[attr] = NOT_FROM_TEMPLATES
        for attr, value in list(resource.attrs.items()):
            if isinstance(value, Unknown):
                resource.errors[attr] = f"unknown until apply: {value.reason}"
                del resource.attrs[attr]
        for why, reason in source.errors.items():
            resource.errors[why] = reason
        self.inventory.add(resource)
        self.locations[id(resource)] = source.location
        self.built[source.key].append(resource)
        self.use(source)
        return resource

    def set_account(self, attr: str, value: Any, *sources: SourceResource) -> None:
        """An ``aws.account`` attribute this change declares (a password policy, the trails...)."""
        self.account[attr] = value
        self.account_sources += [s for s in sources if s not in self.account_sources]
        self.attr_sources[f"aws.account/{attr}"] = list(sources)
        self.use(*sources)

    def set_region(self, attr: str, value: Any, *sources: SourceResource) -> None:
        """An ``aws.region`` attribute this change declares (an Access Analyzer, Security Hub)."""
        self.region[attr] = value
        self.region_sources += [s for s in sources if s not in self.region_sources]
        self.attr_sources[f"aws.region/{attr}"] = list(sources)
        self.use(*sources)


class _Tracked(list[SourceResource]):
    """A list of sources that tells the builder which one is being mapped."""

    def __init__(self, builder: Builder) -> None:
        super().__init__()
        self._builder = builder

    def __iter__(self) -> Iterator[SourceResource]:
        for item in super().__iter__():
            self._builder.current = item
            yield item


#: What mapping code raises on a property of a shape CloudFormation or Terraform would reject
#: (a string where a mapping belongs) or on a value decided at deploy read where one is not expected.
MAPPING_ERRORS = (AttributeError, TypeError, KeyError, IndexError, ValueError, EvaluationError)


def mapping_error(b: Builder, exc: BaseException) -> ConfigError:
    """A malformed resource as a one-line error at its declaration (exit 2, nothing judged)."""
    src = b.current
    if src is None:
        return ConfigError([Problem("<change>", 0, 0, "", f"cannot map the change: {type(exc).__name__}: {exc}")])
    loc = src.location
    return ConfigError([Problem(loc.file, loc.line, loc.column, src.address,
                                f"cannot read this {src.type}: {type(exc).__name__}: {exc} "
                                "(a property of an unexpected type?)")])


def _declared(type_name: str) -> dict[str, str]:
    try:
        return dict(resource_types.get(type_name).attributes)
    except Exception:  # noqa: BLE001 - a type not registered declares nothing
        return {}


def _arn_tail(text: str) -> str:
    """``arn:aws:s3:::raw`` -> ``raw``; ``arn:aws:sns:us-east-1:1:alerts`` -> ``alerts``; other text unchanged."""
    if not text.startswith("arn:"):
        return text
    # The last field, then its last path part: placeholders such as ${AWS::Region} hold colons too.
    return text.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def account_id(b: Builder, source: SourceResource) -> str:
    """The account a resource deploys to: ``--param AWS::AccountId``, the plan's account, else a placeholder."""
    return source.account or b.change.account or "${AWS::AccountId}"


def partition(source: SourceResource) -> str:
    return "aws-cn" if source.region.startswith("cn-") else "aws-us-gov" if source.region.startswith("us-gov-") else "aws"


def source_id(source: SourceResource) -> str:
    """The id of a resource whose physical name is decided at deploy: ``file#LogicalId`` or ``file#address``."""
    return source.key
