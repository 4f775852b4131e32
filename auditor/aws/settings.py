"""The ``aws`` section of the run configuration (``--config audit.yml``)::

    version: 1
    aws:
      regions: [us-east-1, eu-west-1]   # default: every enabled region of the account
      max_attempts: 8                    # botocore adaptive retry attempts (default 5)
      max_workers: 8                     # bounded thread pool for per-resource calls
      connect_timeout: 3                 # seconds; an unreachable endpoint fails fast
      read_timeout: 30
      role_arn: arn:aws:iam::123456789012:role/auditor-readonly
      external_id: my-external-id
      profile: audit
      organization:                      # scan every account of the organization (see --organization)
        role_name: OrganizationAccountAccessRole
        external_id: my-external-id
        accounts: ["111111111111"]       # default: every active account
        max_parallel: 4
        processes: 2                     # worker processes (default 1)

Command-line options win over the file.
"""

from __future__ import annotations

from typing import Any, TypedDict

from auditor.core.run_config import config_sections

AWS_SECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "How `auditor aws scan` reaches the account.",
    "properties": {
        "regions": {"type": "array", "items": {"type": "string", "pattern": r"^[a-z]{2}(-[a-z]+)+-\d$"},
                    "uniqueItems": True},
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 20},
        "max_workers": {"type": "integer", "minimum": 1, "maximum": 64},
        "connect_timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 60},
        "read_timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 300},
        "role_arn": {"type": "string", "pattern": r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"},
        "external_id": {"type": "string", "minLength": 2},
        "profile": {"type": "string", "minLength": 1},
        "organization": {
            "type": "object",
            "description": "Scan every active account of the AWS Organization (docs/aws-organizations.md).",
            "properties": {
                "role_name": {"type": "string", "pattern": r"^[\w+=,.@/-]{1,512}$"},
                "external_id": {"type": "string", "minLength": 2},
                "accounts": {"type": "array", "items": {"type": "string", "pattern": r"^\d{12}$"},
                             "uniqueItems": True},
                "max_parallel": {"type": "integer", "minimum": 1, "maximum": 64},
                "processes": {"type": "integer", "minimum": 1, "maximum": 64},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

if "aws" not in config_sections:
    config_sections.add("aws", AWS_SECTION_SCHEMA)


class AwsOrganizationSection(TypedDict, total=False):
    """``aws.organization``: scan every active account of the AWS Organization (its presence alone
    turns organization mode on; docs/aws-organizations.md)."""

    role_name: str
    """The role assumed in each member account (default ``OrganizationAccountAccessRole``)."""
    external_id: str
    """The external id of that role's trust policy."""
    accounts: list[str]
    """Only these 12-digit account ids (default: every active account)."""
    max_parallel: int
    """Accounts scanned at once, in total (default 4)."""
    processes: int
    """Worker processes sharing the accounts (default 1: all in this process)."""


class AwsSection(TypedDict, total=False):
    """The ``aws:`` section: how ``auditor aws scan`` reaches the account (the command line wins)."""

    regions: list[str]
    """Regions to scan (default: every enabled region of the account)."""
    max_attempts: int
    """botocore adaptive retry attempts per call (default 5)."""
    max_workers: int
    """Bounded thread pool for per-resource calls (default 8)."""
    connect_timeout: float
    """Seconds to connect before an endpoint counts as unreachable (default 3)."""
    read_timeout: float
    """Seconds to wait for an answer (default 30)."""
    role_arn: str
    """A role to assume for the scan (``arn:aws:iam::123456789012:role/auditor-readonly``)."""
    external_id: str
    """The external id of that role's trust policy."""
    profile: str
    """The AWS profile to start from."""
    organization: AwsOrganizationSection
    """Scan the whole organization (see :class:`AwsOrganizationSection`)."""
