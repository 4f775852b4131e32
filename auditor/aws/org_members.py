"""The member accounts of an organization scan: listing them and scanning each.

Shared by the organization scan in this process (:mod:`auditor.aws.organization`) and its
worker processes (:mod:`auditor.aws.org_workers`).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from auditor.audit_run import Prepared, evaluate
from auditor.aws.account_scan import collect_account, with_account
from auditor.aws.collect import crash_reason
from auditor.aws.scan_options import OrgOptions, ScanOptions
from auditor.aws.session import ApiError, AwsSession
from auditor.core.context import RunContext
from auditor.core.errors import AuditorError, CollectionError, UsageError
from auditor.core.findings import Finding, Status


@dataclass
class Member:
    """One account of the organization as ListAccounts reports it."""

    id: str
    name: str = ""
    state: str = "ACTIVE"


def list_members(session: AwsSession) -> list[Member]:
    """Every account of the caller's organization (management account or delegated administrator)."""
    try:
        listed = session.paginate("organizations", session.default_region, "ListAccounts", "Accounts")
    except ApiError as err:
        if err.code == "AWSOrganizationsNotInUseException":
            raise UsageError("--organization: the caller's account is not in an AWS Organization "
                             "(ListAccounts: AWSOrganizationsNotInUseException)") from None
        raise CollectionError(f"--organization: cannot list the organization's accounts ({err.reason}); run from "
                              "the management account or a delegated administrator with "
                              "organizations:ListAccounts") from None
    # ``State`` replaced ``Status`` in 2025; older endpoints (and some emulators) only send Status.
    return sorted((Member(str(a["Id"]), str(a.get("Name", "")), str(a.get("State") or a.get("Status") or ""))
                   for a in listed), key=lambda m: m.id)


def _role_arn(partition: str, account: str, role_name: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{role_name}"


def account_errors(prepared: Prepared, account: str, partition: str, reason: str) -> list[Finding]:
    """One ERROR finding per enabled rule on the account (SKIPPED for disabled ones): nothing was judged."""
    root = f"arn:{partition}:iam::{account}:root"
    out = []
    for rule in prepared.rules:
        status = Status.ERROR if rule.enabled else Status.SKIPPED
        message = (f"account {account}: could not evaluate: {reason}" if rule.enabled
                   else f"account {account}: rule disabled by the run configuration")
        out.append(Finding(rule_id=rule.id, title=rule.title, status=status, severity=rule.severity,
                           resource_type=rule.resource, resource_id=root, region="global", message=message,
                           compliance={k: list(v) for k, v in sorted(rule.compliance.items())},
                           remediation=rule.remediation.render(), account=account))
    return out


def _scan_member(prepared: Prepared, base: AwsSession, caller: str, partition: str, member: Member,
                 opts: ScanOptions, org: OrgOptions, context: RunContext) -> tuple[list[Finding], dict[str, Any]]:
    """One account's findings and its entry in ``attachments.aws.organization.accounts``."""
    t0 = time.perf_counter()
    entry: dict[str, Any] = {"id": member.id, "name": member.name, "state": member.state}
    if member.state != "ACTIVE":
        reason = ("not a member of the organization" if not member.state
                  else f"not an active account of the organization (state {member.state})")
        entry.update(status="error", reason=reason)
        return account_errors(prepared, member.id, partition, reason), entry
    try:
        if member.id == caller:
            session, entry["role"] = base.sibling(), "caller credentials"
        else:
            entry["role"] = _role_arn(partition, member.id, org.role_name)
            session = base.assume(entry["role"], org.external_id)
        done = collect_account(prepared, session, opts, context, account=member.id, partition=partition)
        findings = evaluate(prepared, done.inventory, context, kind="aws", started_at=context.now(),
                            account=member.id, regions=done.regions, extra_findings=done.scope_findings)["findings"]
    except ApiError as err:
        reason = f"cannot assume {entry.get('role')}: {err.reason}" if err.operation == "AssumeRole" else err.reason
        entry.update(status="error", reason=reason)
        return account_errors(prepared, member.id, partition, reason), entry
    except AuditorError as err:  # e.g. the account's regions cannot be listed
        entry.update(status="error", reason=str(err))
        return account_errors(prepared, member.id, partition, str(err)), entry
    except Exception as exc:  # noqa: BLE001 - one account's failure must not lose the organization's scan
        entry.update(status="error", reason=crash_reason(exc))
        return account_errors(prepared, member.id, partition, crash_reason(exc)), entry
    entry.update(status="scanned", seconds=round(time.perf_counter() - t0, 3), **{
        k: done.stats[k] for k in ("regions", "resources", "api_calls_total", "scope")})
    entry["api_calls"] = done.stats["api_calls"]
    entry["api_calls_by_type"] = done.stats["api_calls_by_type"]
    return with_account([Finding.from_dict(f) for f in findings], member.id), entry


def scan_members(prepared: Prepared, base: AwsSession, caller: str, partition: str, members: list[Member],
                 opts: ScanOptions, org: OrgOptions, context: RunContext,
                 threads: int) -> list[tuple[list[Finding], dict[str, Any]]]:
    """Scan ``members`` with up to ``threads`` at once; each result in ``members`` order."""
    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="auditor-account") as pool:
        return list(pool.map(lambda m: _scan_member(prepared, base, caller, partition, m, opts, org, context),
                             members))
