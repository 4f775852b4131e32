"""Mutelist: accepted risks, each with a reason and an expiry date.

Example ``mutelist.yml``::

    version: 1
    mutes:
      - rule: s3-bucket-replication-enabled      # rule id, glob allowed
        resource: "arn:aws:s3:::scratch-*"       # resource id, glob
        reason: Scratch buckets hold no governed data (RISK-114)
        owner: data-platform@example.org
        expires: 2027-03-31

``reason`` and ``expires`` are mandatory. An expired entry no longer mutes; it
is reported in the run's warnings. An invalid mutelist stops the run: it is
never treated as an empty list (fail closed). Only FAIL findings are muted;
an ERROR stays an ERROR.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from auditor.core.errors import ConfigError
from auditor.core.validation import validate
from auditor.core.yamlio import read_yaml

MUTELIST_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "auditor mutelist",
    "type": "object",
    "properties": {
        "version": {"const": 1},
        "mutes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "rule": {"type": "string", "minLength": 1},
                    "resource": {"type": "string", "minLength": 1},
                    "reason": {"type": "string", "minLength": 10, "description": "why the risk is accepted"},
                    "owner": {"type": "string"},
                    "expires": {"type": "string", "format": "date"},
                },
                "required": ["rule", "resource", "reason", "expires"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["version", "mutes"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class MuteEntry:
    rule: str
    resource: str
    reason: str
    expires: date
    owner: str = ""
    source: str = ""

    def matches(self, rule_id: str, resource_id: str) -> bool:
        return fnmatch.fnmatchcase(rule_id, self.rule) and fnmatch.fnmatchcase(resource_id, self.resource)

    def as_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "owner": self.owner, "expires": self.expires.isoformat(), "source": self.source}


@dataclass
class Mutelist:
    entries: list[MuteEntry]

    def lookup(self, rule_id: str, resource_id: str, today: date) -> tuple[MuteEntry | None, MuteEntry | None]:
        """(active entry, expired entry) matching this finding, either may be None."""
        active = expired = None
        for e in self.entries:
            if e.matches(rule_id, resource_id):
                if e.expires >= today:
                    active = active or e
                else:
                    expired = expired or e
        return active, expired

    def expired(self, today: date) -> list[MuteEntry]:
        return [e for e in self.entries if e.expires < today]


def load_mutelist(path: str | Path) -> Mutelist:
    """Load and validate a mutelist; raise ``ConfigError`` with every problem."""
    doc, problems = read_yaml(path)
    if doc.data is not None:
        problems += validate(doc, MUTELIST_SCHEMA)
    entries: list[MuteEntry] = []
    if not problems:
        for i, raw in enumerate(doc.data["mutes"]):
            try:
                expires = date.fromisoformat(raw["expires"])
            except ValueError as exc:
                problems.append(doc.problem(("mutes", i, "expires"), f"invalid date: {exc}"))
                continue
            line, _ = doc.locate(("mutes", i))
            entries.append(MuteEntry(raw["rule"], raw["resource"], raw["reason"], expires,
                                     raw.get("owner", ""), f"{path}:{line}"))
    if problems:
        raise ConfigError(problems)
    return Mutelist(entries)
