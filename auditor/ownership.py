"""Who owns a finding, a resource or a control: a resource tag or an ownership file.

Each finding gets an ``owner``, from the first source that knows one:

1. the resource's owner tag, when the collector fetched the resource's tags
   (key ``report.owner_tag`` of the run config, default ``Owner``, matched
   without regard to case);
2. the ownership file (``report.owners`` in the run config, or
   ``auditor report --owners FILE``): the first entry, in file order, whose
   ``resource`` and/or ``rule`` globs match.

A control's owner is the ownership file's first ``control`` entry that
matches it; without one, the report lists the owners of its failing findings.

Ownership file::

    version: 1
    owners:
      - resource: "arn:aws:s3:::registraroffice-*"   # resource id glob
        owner: data-platform@example.org
      - rule: "iam-*"                                # rule id glob
        owner: cloud-security@example.org
      - rule: "dataset-*"
        resource: "*/Curated/*"                      # both must match
        owner: registrar-data-stewards@example.org
      - framework: cis-aws-6.0                       # optional; any framework when left out
        control: "2.*"                               # control id glob
        owner: ciso-office@example.org

An invalid file stops the run with every problem and its line (never an empty
mapping: an ownership file that silently owns nothing would hide gaps).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from auditor.core.errors import ConfigError
from auditor.core.validation import validate
from auditor.core.yamlio import read_yaml

DEFAULT_OWNER_TAG = "Owner"

OWNERS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "auditor ownership file",
    "type": "object",
    "properties": {
        "version": {"const": 1},
        "owners": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "resource": {"type": "string", "minLength": 1, "description": "resource id glob"},
                    "rule": {"type": "string", "minLength": 1, "description": "rule id glob"},
                    "framework": {"type": "string", "minLength": 1},
                    "control": {"type": "string", "minLength": 1, "description": "control id glob"},
                    "owner": {"type": "string", "minLength": 1},
                },
                "required": ["owner"],
                "anyOf": [{"required": ["resource"]}, {"required": ["rule"]}, {"required": ["control"]}],
                "additionalProperties": False,
            },
        },
    },
    "required": ["version", "owners"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class OwnerEntry:
    owner: str
    resource: str = ""
    rule: str = ""
    framework: str = ""
    control: str = ""

    def owns_finding(self, rule_id: str, resource_id: str) -> bool:
        if self.control or not (self.resource or self.rule):
            return False
        return ((not self.resource or fnmatch.fnmatchcase(resource_id, self.resource))
                and (not self.rule or fnmatch.fnmatchcase(rule_id, self.rule)))

    def owns_control(self, framework: str, control_id: str) -> bool:
        return bool(self.control) and (not self.framework or self.framework == framework) \
            and fnmatch.fnmatchcase(control_id, self.control)


@dataclass
class OwnerMap:
    """The ownership file's entries, in file order (the first match wins)."""

    entries: list[OwnerEntry] = field(default_factory=list)
    source: str = ""

    def for_finding(self, rule_id: str, resource_id: str) -> str:
        return next((e.owner for e in self.entries if e.owns_finding(rule_id, resource_id)), "")

    def for_control(self, framework: str, control_id: str) -> str:
        return next((e.owner for e in self.entries if e.owns_control(framework, control_id)), "")

    def to_list(self) -> list[dict[str, str]]:
        """The entries as the findings document records them (``attachments.owners``)."""
        return [{k: v for k, v in asdict(e).items() if v} for e in self.entries]

    @classmethod
    def from_list(cls, items: Any, source: str = "") -> OwnerMap:
        """The map recorded in a findings document (entries that are not mappings are ignored)."""
        entries = [OwnerEntry(str(i.get("owner", "")), str(i.get("resource", "")), str(i.get("rule", "")),
                              str(i.get("framework", "")), str(i.get("control", "")))
                   for i in (items if isinstance(items, list) else []) if isinstance(i, Mapping) and i.get("owner")]
        return cls(entries, source)


def load_owners(path: str | Path) -> OwnerMap:
    """Load and validate an ownership file; raise ``ConfigError`` with every problem."""
    doc, problems = read_yaml(path)
    if doc.data is not None:
        problems += validate(doc, OWNERS_SCHEMA)
    if problems:
        raise ConfigError(problems)
    entries = [OwnerEntry(str(e["owner"]), str(e.get("resource", "")), str(e.get("rule", "")),
                          str(e.get("framework", "")), str(e.get("control", ""))) for e in doc.data["owners"]]
    return OwnerMap(entries, str(path))


def tag_owner(tags: Any, key: str = DEFAULT_OWNER_TAG) -> str:
    """The value of the owner tag in ``tags`` ({Key: Value} or [{"Key", "Value"}]), any case of ``key``.

    >>> tag_owner({"DataZone": "raw", "owner": "data-platform"})
    'data-platform'
    >>> tag_owner([{"Key": "Owner", "Value": "finance"}])
    'finance'
    """
    wanted = key.lower()
    if isinstance(tags, Mapping):
        pairs: Iterable[tuple[Any, Any]] = tags.items()
    elif isinstance(tags, list):
        pairs = ((t.get("Key"), t.get("Value")) for t in tags if isinstance(t, Mapping))
    else:
        return ""
    return next((str(v) for k, v in pairs if isinstance(k, str) and k.lower() == wanted and v), "")
