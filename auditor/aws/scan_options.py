"""The options of ``auditor aws scan``: the command line's choices and the run config's ``aws`` section.

:class:`ScanOptions` (one account) and :class:`OrgOptions` (``--organization``) are plain
values shared by the account scan (:mod:`auditor.aws.account_scan`), the organization scan
(:mod:`auditor.aws.organization`) and its worker processes (:mod:`auditor.aws.org_workers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.aws.session import SessionSettings
from auditor.aws.settings import AwsOrganizationSection, AwsSection
from auditor.core.context import RunContext

DEFAULT_ROLE = "OrganizationAccountAccessRole"


@dataclass
class OrgOptions:
    """How to reach the member accounts."""

    role_name: str = DEFAULT_ROLE
    external_id: str | None = None
    accounts: list[str] = field(default_factory=list)
    max_parallel: int = 4
    #: Worker processes (1: every account in this process). Each scans its share of the
    #: accounts with max_parallel / processes threads; see :mod:`auditor.aws.org_workers`.
    processes: int = 1


def org_options(opts: ScanOptions) -> OrgOptions | None:
    """The organization options of a scan: the command line's, completed by the run config's
    ``aws.organization`` section (whose presence alone turns organization mode on); None: one account."""
    section = (opts.config or AwsSection()).get("organization")
    if opts.organization is None and section is None:
        return None
    cfg = section or AwsOrganizationSection()
    cli = opts.organization or OrgOptions(role_name="", max_parallel=0, processes=0)
    return OrgOptions(role_name=cli.role_name or str(cfg.get("role_name") or DEFAULT_ROLE),
                      external_id=cli.external_id or cfg.get("external_id"),
                      accounts=list(cli.accounts or cfg.get("accounts") or []),
                      max_parallel=cli.max_parallel or int(cfg.get("max_parallel") or 4),
                      processes=cli.processes or int(cfg.get("processes") or 1))


@dataclass
class ScanOptions:
    """Command-line choices; ``config`` is the run config's ``aws`` section (the CLI wins)."""

    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    role_arn: str | None = None
    external_id: str | None = None
    max_attempts: int | None = None
    config: AwsSection = field(default_factory=AwsSection)
    #: Scan every account of the organization (``--organization``); see :mod:`auditor.aws.organization`.
    organization: OrgOptions | None = None


def settings_for(opts: ScanOptions, context: RunContext) -> SessionSettings:
    cfg = opts.config or AwsSection()
    return SessionSettings(
        profile=opts.profile or cfg.get("profile"),
        role_arn=opts.role_arn or cfg.get("role_arn"),
        external_id=opts.external_id or cfg.get("external_id"),
        max_attempts=opts.max_attempts or int(cfg.get("max_attempts", 5)),
        connect_timeout=float(cfg.get("connect_timeout", 3.0)),
        read_timeout=float(cfg.get("read_timeout", 30.0)),
        max_workers=int(cfg.get("max_workers", 8)),
        event_hooks=list(context.services.get("aws_event_hooks", [])),
    )
