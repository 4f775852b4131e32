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

A mute is a reviewed, temporary acceptance, so two more guards apply:

- lifetime: ``expires`` may be at most ``max_days`` (default 366: a year, leap
  day included) after the run's date. An entry beyond it is an error at its
  ``expires`` (``mutelist.yml:7:14: mutes[0].expires: ...``), never silently
  shortened: the file says what it does. The cap is set in the run config::

      mutelist: {max_days: 90}

- catch-all: an entry whose ``rule`` or ``resource`` glob matches everything
  (``"*"``, ``"**"``, ``"*?"``...) mutes every FAIL of a rule, or every rule's
  FAIL on a resource (both: every FAIL of the run). It still mutes, but the run
  warns, naming the entry's ``file:line:col``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypedDict

from auditor.core.documents import MuteDict
from auditor.core.errors import ConfigError, Problem
from auditor.core.run_config import config_sections
from auditor.core.validation import validate
from auditor.core.yamlio import Document, read_yaml

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

    def as_dict(self) -> MuteDict:
        return {"reason": self.reason, "owner": self.owner, "expires": self.expires.isoformat(), "source": self.source}


@dataclass
class Mutelist:
    entries: list[MuteEntry]
    warnings: list[str] = field(default_factory=list)  # catch-all entries (see catch_all_warnings)

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


def load_mutelist(path: str | Path, *, today: date | None = None, max_days: int | None = None) -> Mutelist:
    """Load and validate a mutelist; raise ``ConfigError`` with every problem.

    ``today`` (default: the local date) and ``max_days`` (default ``MAX_MUTE_DAYS``)
    bound each entry's lifetime; catch-all entries become ``Mutelist.warnings``.
    """
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
    if not problems:
        problems += lifetime_problems(doc, today or date.today(), MAX_MUTE_DAYS if max_days is None else max_days)
    if problems:
        raise ConfigError(problems)
    return Mutelist(entries, catch_all_warnings(doc))


# -- lifetime cap and catch-all entries ------------------------------------------------------------

MAX_MUTE_DAYS = 366
MUTELIST_CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Limits on the mutelist (--mutelist).",
    "additionalProperties": False,
    "properties": {
        "max_days": {"type": "integer", "minimum": 1, "maximum": 3660,
                     "description": f"longest a mute may last, in days after the run's date (default {MAX_MUTE_DAYS})"},
    },
}
if "mutelist" not in config_sections:
    config_sections.add("mutelist", MUTELIST_CONFIG_SCHEMA)


class MutelistSection(TypedDict, total=False):
    """The ``mutelist:`` section of the run config (limits on the ``--mutelist`` file)."""

    max_days: int
    """The longest a mute may last, in days after the run's date (default 366)."""


def lifetime_problems(doc: Document, today: date, max_days: int) -> list[Problem]:
    """One problem per entry of a validated mutelist ``doc`` that expires more than ``max_days`` after ``today``."""
    out = []
    for i, raw in enumerate(doc.data["mutes"]):
        expires = date.fromisoformat(raw["expires"])
        days = (expires - today).days
        if days > max_days:
            out.append(doc.problem(("mutes", i, "expires"),
                                   f"{expires.isoformat()} is {days} days after {today.isoformat()}; a mute lasts "
                                   f"at most {max_days} days (mutelist.max_days in --config): set an earlier "
                                   "date and review the risk then"))
    return out


def matches_everything(pattern: str) -> bool:
    """Whether a glob matches every rule or resource id (only ``*`` and ``?``, with a ``*``)."""
    return "*" in pattern and set(pattern) <= {"*", "?"}


def catch_all_warnings(doc: Document) -> list[str]:
    """A warning (``file:line:col: ...``) for each entry of ``doc`` matching every rule or every resource."""
    out = []
    for i, raw in enumerate(doc.data["mutes"]):
        every = [k for k in ("rule", "resource") if matches_everything(raw[k])]
        if not every:
            continue
        what = {("rule",): f"every rule's FAIL on resources matching {raw['resource']!r}",
                ("resource",): f"every FAIL of rule(s) {raw['rule']!r}, on any resource",
                ("rule", "resource"): "every FAIL finding of the run"}[tuple(every)]
        p = doc.problem(("mutes", i, every[0]), f"catch-all mute: it mutes {what} until {raw['expires']}; "
                                                "name the rules and resources it accepts")
        out.append(str(p))
    return out
