"""``auditor aws scan --organization``: every account of an AWS Organization in one findings document.

Run from the organization's management account or a delegated administrator::

    auditor aws scan --organization --role-name OrganizationAccountAccessRole --max-parallel 4
    auditor aws scan --organization --accounts 111111111111,222222222222 --external-id audit-2025

1. ``organizations:ListAccounts`` lists the members; only ``ACTIVE`` ones are scanned
   (suspended and closing accounts are listed in ``attachments.aws.organization``).
   ``--accounts`` narrows the scan to some of them; an id that is not an active member is
   reported as ERROR findings, never skipped silently.
2. Each account is reached by assuming ``arn:<partition>:iam::<id>:role/<role-name>``
   (``--external-id`` when the role's trust policy requires one). The caller's own account
   is scanned with the caller's credentials: the management account has no
   OrganizationAccountAccessRole.
3. Up to ``--max-parallel`` accounts are scanned at once, each with its own session,
   cache and thread pool (``aws.max_workers``); all sessions share one botocore loader.
   ``--processes N`` spreads the accounts over N worker processes
   (:mod:`auditor.aws.org_workers`), for organizations whose scan is CPU-bound.
4. Every finding carries its ``account``. An account whose role cannot be assumed, or
   whose scan fails outright, gets one ERROR finding per rule on
   ``arn:<partition>:iam::<id>:root`` naming the cause; the other accounts go on.

The document's ``run.account`` is the caller's account; ``attachments.aws`` holds the
organization (accounts scanned, failed, skipped) and each account's scan statistics.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from auditor.audit_run import Prepared, evaluate
from auditor.aws.collect import crash_reason
from auditor.aws.scan import ScanOptions, collect_account, required_attributes, settings_for, with_account
from auditor.aws.session import ApiError, AwsSession
from auditor.core.context import RunContext
from auditor.core.errors import AuditorError, CollectionError, UsageError
from auditor.core.findings import Finding, Status
from auditor.core.resources import Inventory

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


@dataclass
class Member:
    """One account of the organization as ListAccounts reports it."""

    id: str
    name: str = ""
    state: str = "ACTIVE"


def org_options(opts: ScanOptions) -> OrgOptions | None:
    """The organization options of a scan: the command line's, completed by the run config's
    ``aws.organization`` section (whose presence alone turns organization mode on); None: one account."""
    section = (opts.config or {}).get("organization")
    if opts.organization is None and section is None:
        return None
    cfg = section or {}
    cli = opts.organization or OrgOptions(role_name="", max_parallel=0, processes=0)
    return OrgOptions(role_name=cli.role_name or str(cfg.get("role_name") or DEFAULT_ROLE),
                      external_id=cli.external_id or cfg.get("external_id"),
                      accounts=list(cli.accounts or cfg.get("accounts") or []),
                      max_parallel=cli.max_parallel or int(cfg.get("max_parallel") or 4),
                      processes=cli.processes or int(cfg.get("processes") or 1))


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


def run_org_scan(prepared: Prepared, opts: ScanOptions, org: OrgOptions,
                 context: RunContext | None = None) -> dict[str, Any]:
    """Scan the organization's accounts and return one findings document (kind ``aws``)."""
    context = context or RunContext()
    started = context.now()
    t0 = time.perf_counter()
    if not required_attributes(prepared):
        raise UsageError("no AWS rules selected: nothing to scan")
    base = context.services.get("aws_session") or AwsSession(settings_for(opts, context))
    identity = base.identity()
    caller = str(identity["Account"])
    partition = str(identity.get("Arn", "arn:aws:")).split(":")[1] or "aws"
    members = list_members(base)
    known = {m.id: m for m in members}
    if caller not in known:
        # AWS lists the caller's own account in its organization; an empty answer (an emulator
        # outside any organization) must not read as "an organization with nothing to check".
        raise UsageError(f"--organization: the caller's account {caller} is not in an AWS Organization "
                         f"(ListAccounts listed {len(members)} accounts, not this one)")
    if org.accounts:
        chosen = [known.get(a) or Member(a, state="") for a in sorted(set(org.accounts))]
    else:
        chosen = [m for m in members if m.state == "ACTIVE"]
    calls = dict(base.calls)  # the organization's own calls: GetCallerIdentity, ListAccounts, AssumeRole...
    if org.processes > 1 and len(chosen) > 1:
        from auditor.aws.org_workers import scan_in_processes

        results, worker_calls = scan_in_processes(prepared, opts, org, caller, partition, chosen)
        for op, n in worker_calls.items():
            calls[op] = calls.get(op, 0) + n
    else:
        results = scan_members(prepared, base, caller, partition, chosen, opts, org, context, org.max_parallel)
        calls = dict(base.calls)  # ... and the AssumeRole calls made since
    findings = [f for found, _ in results for f in found]
    entries = [entry for _, entry in results]
    regions = sorted({r for e in entries for r in e.get("regions", [])})
    skipped = [{"id": m.id, "name": m.name, "state": m.state} for m in members
               if m.id not in {c.id for c in chosen} and m.state != "ACTIVE"]
    by_type: dict[str, int] = {}
    for e in entries:
        for op, n in e.get("api_calls", {}).items():
            calls[op] = calls.get(op, 0) + n
        for t, n in e.get("api_calls_by_type", {}).items():
            by_type[t] = by_type.get(t, 0) + n
    stats = {
        "organization": {"caller_account": caller, "role_name": org.role_name, "max_parallel": org.max_parallel,
                         "processes": min(org.processes, len(chosen)) if org.processes > 1 and len(chosen) > 1 else 1,
                         "accounts": entries, "skipped": skipped,
                         "scanned": sum(1 for e in entries if e["status"] == "scanned"),
                         "failed": sum(1 for e in entries if e["status"] == "error")},
        "api_calls": dict(sorted(calls.items())), "api_calls_total": sum(calls.values()),
        "api_calls_by_type": dict(sorted(by_type.items())),
        "collection_seconds": round(time.perf_counter() - t0, 3),
    }
    return evaluate(prepared, Inventory(), context, kind="aws", started_at=started, account=caller, regions=regions,
                    extra_findings=findings, attachments={"aws": stats})
