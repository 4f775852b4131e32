"""The ``baseline`` section of the run config.

Example (every key is optional; these are the defaults, from the original
registrar project)::

    version: 1
    baseline:
      account_id: "123456789012"   # optional safety: refuse to run against another account
      region: us-east-1
      name_prefix: registraroffice
      zone_buckets:
        landing: registraroffice-landing
        raw: registraroffice-raw
        curated: registraroffice-curated
      backup_bucket: registraroffice-backup
      trail_bucket: registraroffice-cloudtrail-logs      # CloudTrail log files
      access_log_bucket: registraroffice-access-logs     # S3 server access logs
      trail_name: registraroffice-trail
      data_events: all-buckets          # or zone-buckets (cheaper; CIS 4.8/4.9 then fail)
      budget_usd: 40
      alert_email: governance-alerts@example.com          # billing + CIS alarms
      log_retention_days: 365
      noncurrent_version_days: 90
      pipeline_services: [glue.amazonaws.com, lambda.amazonaws.com]

Account id and partition are read from the session (``sts:GetCallerIdentity``).
``account_id``, when set, must match it: plan and apply refuse to run against
another account (a wrong profile is the classic way to apply to production).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from auditor.core.run_config import config_sections

_BUCKET = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"}
_NAME = {"type": "string", "pattern": r"^[A-Za-z0-9+=,.@_-]{1,40}$"}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The governed AWS baseline (auditor baseline plan/apply/export).",
    "additionalProperties": False,
    "properties": {
        "account_id": {"type": "string", "pattern": r"^\d{12}$"},
        "region": {"type": "string", "pattern": r"^[a-z]{2}(-[a-z]+)+-\d$"},
        "name_prefix": _NAME,
        "zone_buckets": {
            "type": "object",
            "properties": {"landing": _BUCKET, "raw": _BUCKET, "curated": _BUCKET},
            "required": ["landing", "raw", "curated"],
            "additionalProperties": False,
        },
        "backup_bucket": _BUCKET,
        "trail_bucket": _BUCKET,
        "access_log_bucket": _BUCKET,
        "trail_name": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$"},
        "data_events": {"enum": ["all-buckets", "zone-buckets"]},
        "budget_usd": {"type": "number", "exclusiveMinimum": 0},
        "alert_email": {"type": ["string", "null"], "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
        "log_retention_days": {"enum": [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
                                        1096, 1827, 2192, 2557, 2922, 3288, 3653]},
        "noncurrent_version_days": {"type": "integer", "minimum": 1},
        "pipeline_services": {"type": "array", "items": {"type": "string", "pattern": r"\.amazonaws\.com$"},
                              "minItems": 1},
    },
}

config_sections.add("baseline", SCHEMA)


class ZoneBuckets(TypedDict):
    """``baseline.zone_buckets``: the data lake's three zone buckets (all three required)."""

    landing: str
    """The Landing zone's bucket."""
    raw: str
    """The Raw zone's bucket."""
    curated: str
    """The Curated zone's bucket."""


class BaselineSection(TypedDict, total=False):
    """The ``baseline:`` section: what ``auditor baseline plan/apply/export`` builds (every key optional;
    the defaults are :class:`BaselineConfig`'s)."""

    account_id: str
    """A safety: plan and apply refuse to run against another account than this one."""
    region: str
    """The region the baseline is built in (default ``us-east-1``)."""
    name_prefix: str
    """Prefix of every name the baseline creates (roles, keys, topics...; default ``registraroffice``)."""
    zone_buckets: ZoneBuckets
    """The data lake's zone buckets."""
    backup_bucket: str
    """The backup bucket (it holds pipeline data, like the zone buckets)."""
    trail_bucket: str
    """CloudTrail's log files."""
    access_log_bucket: str
    """S3 server access logs."""
    trail_name: str
    """The CloudTrail trail's name."""
    data_events: str
    """``all-buckets`` or ``zone-buckets`` (cheaper; CIS 4.8/4.9 then fail)."""
    budget_usd: float
    """The billing alarm's threshold: estimated charges in USD (default 40)."""
    alert_email: str | None
    """Who gets the billing and CIS alarms (``null``: nobody is subscribed)."""
    log_retention_days: int
    """Retention of the trail's log group (one of CloudWatch Logs' allowed values; default 365)."""
    noncurrent_version_days: int
    """Days before noncurrent object versions expire (default 90)."""
    pipeline_services: list[str]
    """The AWS services the pipeline roles trust (default glue and lambda)."""


@dataclass(frozen=True)
class BaselineConfig:
    """Validated baseline parameters (defaults = the original registrar project)."""

    region: str = "us-east-1"
    account_id: str | None = None
    name_prefix: str = "registraroffice"
    zone_buckets: dict[str, str] = field(default_factory=lambda: {
        "landing": "registraroffice-landing", "raw": "registraroffice-raw", "curated": "registraroffice-curated"})
    backup_bucket: str = "registraroffice-backup"
    trail_bucket: str = "registraroffice-cloudtrail-logs"
    access_log_bucket: str = "registraroffice-access-logs"
    trail_name: str = "registraroffice-trail"
    data_events: str = "all-buckets"
    budget_usd: float = 40
    alert_email: str | None = None
    log_retention_days: int = 365
    noncurrent_version_days: int = 90
    pipeline_services: tuple[str, ...] = ("glue.amazonaws.com", "lambda.amazonaws.com")

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> BaselineConfig:
        """Build from a (schema-validated) ``baseline`` config section (a :class:`BaselineSection`)."""
        values: dict[str, Any] = dict(section)
        if "pipeline_services" in values:
            values["pipeline_services"] = tuple(values["pipeline_services"])
        return cls(**values)

    @property
    def prefix(self) -> str:
        return self.name_prefix

    @property
    def log_group(self) -> str:
        return f"/aws/cloudtrail/{self.trail_name}"

    @property
    def dashboard_name(self) -> str:
        return f"{self.name_prefix}-governance"

    def role(self, purpose: str) -> str:
        """IAM role name for a purpose (``landing-writer`` -> ``registraroffice-landing-writer``)."""
        return f"{self.name_prefix}-{purpose}"

    def alias(self, purpose: str) -> str:
        """KMS alias for a purpose (``data`` or ``logs``)."""
        return f"alias/{self.name_prefix}-{purpose}"

    def topic(self, purpose: str) -> str:
        return f"{self.name_prefix}-{purpose}-alarms"

    @property
    def data_buckets(self) -> list[str]:
        """Zone buckets then the backup bucket: all hold pipeline data (SSE-KMS with the data key)."""
        return [*self.zone_buckets.values(), self.backup_bucket]

    def logical(self, name: str) -> str:
        """A CamelCase identifier usable as a CloudFormation logical id / Terraform name."""
        return "".join(p.capitalize() for p in re.split(r"[^A-Za-z0-9]+", name) if p)
