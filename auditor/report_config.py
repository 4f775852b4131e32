"""The ``report:`` section of the run config: owners, remediation SLA, exception warnings.

Example::

    version: 1
    report:
      owner_tag: Owner              # resource tag naming the owner (default Owner, any case)
      owners: owners.yml            # ownership file (see auditor.ownership), relative to the working directory
      sla_days:                     # days to fix a FAIL, by severity, from its first_seen
        critical: 7
        high: 30
        medium: 90
        low: 180
        info: 365
      expiring_days: 30             # a mute expiring within this many days is "expiring soon"

Read by every command that writes findings (owners), by ``auditor run`` and by
``auditor report --config`` (SLA, owners, expiring). Unset keys keep the
defaults shown above.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

from auditor.core.rules import SEVERITIES
from auditor.core.run_config import RunConfig, config_sections
from auditor.ownership import DEFAULT_OWNER_TAG, OwnerMap, load_owners

DEFAULT_SLA_DAYS: dict[str, int] = {"critical": 7, "high": 30, "medium": 90, "low": 180, "info": 365}
DEFAULT_EXPIRING_DAYS = 30

REPORT_SECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "owner_tag": {"type": "string", "minLength": 1},
        "owners": {"type": "string", "minLength": 1},
        "sla_days": {"type": "object", "additionalProperties": False,
                     "properties": {s: {"type": "integer", "minimum": 1} for s in SEVERITIES}},
        "expiring_days": {"type": "integer", "minimum": 0},
    },
}

if "report" not in config_sections:
    config_sections.add("report", REPORT_SECTION_SCHEMA)


class ReportSection(TypedDict, total=False):
    """The ``report:`` section as written in the file (every key optional)."""

    owner_tag: str
    """The resource tag naming a finding's owner (default ``Owner``, any case)."""
    owners: str
    """An ownership file (see :mod:`auditor.ownership`), relative to the working directory."""
    sla_days: dict[str, int]
    """Days to fix a FAIL from its ``first_seen``, per severity (unset severities keep the default)."""
    expiring_days: int
    """A mute expiring within this many days is "expiring soon" (default 30)."""


@dataclass
class ReportSettings:
    """The ``report:`` section, with defaults filled in and the ownership file loaded."""

    owner_tag: str = DEFAULT_OWNER_TAG
    owners: OwnerMap = field(default_factory=OwnerMap)
    sla_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SLA_DAYS))
    expiring_days: int = DEFAULT_EXPIRING_DAYS


def report_settings(config: RunConfig | None = None, *, owners_file: str | None = None) -> ReportSettings:
    """The settings of ``config`` (defaults without one); ``owners_file`` overrides ``report.owners``.

    Raises ``ConfigError`` when the ownership file is invalid.
    """
    section = config.section("report", ReportSection) if config is not None else ReportSection()
    path = owners_file or section.get("owners")
    return ReportSettings(
        owner_tag=section.get("owner_tag", DEFAULT_OWNER_TAG),
        owners=load_owners(path) if path else OwnerMap(),
        sla_days={**DEFAULT_SLA_DAYS, **(section.get("sla_days") or {})},
        expiring_days=int(section.get("expiring_days", DEFAULT_EXPIRING_DAYS)),
    )
