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
from collections.abc import Mapping
from typing import Any

from auditor.audit_run import Prepared, evaluate
from auditor.aws.account_scan import required_attributes
from auditor.aws.org_members import Member, list_members, scan_members
from auditor.aws.org_workers import scan_in_processes
from auditor.aws.scan_options import OrgOptions, ScanOptions, settings_for
from auditor.aws.session import AwsSession
from auditor.core.context import RunContext
from auditor.core.documents import FindingsDocument
from auditor.core.errors import UsageError
from auditor.core.findings import Finding
from auditor.core.resources import Inventory


def run_org_scan(prepared: Prepared, opts: ScanOptions, org: OrgOptions,
                 context: RunContext | None = None) -> FindingsDocument:
    """Scan the organization's accounts and return one findings document (kind ``aws``)."""
    context = context or RunContext()
    started = context.now()
    t0 = time.perf_counter()
    if not required_attributes(prepared):
        raise UsageError("no AWS rules selected: nothing to scan")
    base = context.services.get("aws_session") or AwsSession(settings_for(opts, context))
    caller, partition = base.caller()
    members = list_members(base)
    chosen = _chosen(members, org, caller)
    results, calls = _scan(prepared, opts, org, context, base, caller, partition, chosen)
    entries = [entry for _, entry in results]
    by_type: dict[str, int] = {}
    for e in entries:
        _add_counts(calls, e.get("api_calls", {}))
        _add_counts(by_type, e.get("api_calls_by_type", {}))
    stats = {
        "organization": _organization(caller, org, members, chosen, entries),
        "api_calls": dict(sorted(calls.items())), "api_calls_total": sum(calls.values()),
        "api_calls_by_type": dict(sorted(by_type.items())),
        "collection_seconds": round(time.perf_counter() - t0, 3),
    }
    return evaluate(prepared, Inventory(), context, kind="aws", started_at=started, account=caller,
                    regions=sorted({r for e in entries for r in e.get("regions", [])}),
                    extra_findings=[f for found, _ in results for f in found], attachments={"aws": stats})


def _chosen(members: list[Member], org: OrgOptions, caller: str) -> list[Member]:
    """The accounts to scan: ``--accounts`` (known or not), else every active member."""
    known = {m.id: m for m in members}
    if caller not in known:
        # AWS lists the caller's own account in its organization; an empty answer (an emulator
        # outside any organization) must not read as "an organization with nothing to check".
        raise UsageError(f"--organization: the caller's account {caller} is not in an AWS Organization "
                         f"(ListAccounts listed {len(members)} accounts, not this one)")
    if org.accounts:
        return [known.get(a) or Member(a, state="") for a in sorted(set(org.accounts))]
    return [m for m in members if m.state == "ACTIVE"]


def _in_processes(org: OrgOptions, chosen: list[Member]) -> bool:
    """Whether the accounts are spread over worker processes (more than one of each)."""
    return org.processes > 1 and len(chosen) > 1


def _scan(prepared: Prepared, opts: ScanOptions, org: OrgOptions, context: RunContext, base: AwsSession,
          caller: str, partition: str, chosen: list[Member]) -> tuple[list[tuple[list[Finding], dict[str, Any]]], dict[str, int]]:
    """Each chosen account's (findings, entry), and the organization's own API calls."""
    calls = dict(base.calls)  # the organization's own calls: GetCallerIdentity, ListAccounts, AssumeRole...
    if _in_processes(org, chosen):
        results, worker_calls = scan_in_processes(prepared, opts, org, caller, partition, chosen)
        _add_counts(calls, worker_calls)
        return results, calls
    results = scan_members(prepared, base, caller, partition, chosen, opts, org, context, org.max_parallel)
    return results, dict(base.calls)  # ... and the AssumeRole calls made since


def _add_counts(total: dict[str, int], more: Mapping[str, int]) -> None:
    """Add ``more``'s counts (API calls by operation or by resource type) to ``total``."""
    for key, n in more.items():
        total[key] = total.get(key, 0) + n


def _organization(caller: str, org: OrgOptions, members: list[Member], chosen: list[Member],
                  entries: list[dict[str, Any]]) -> dict[str, Any]:
    """``attachments.aws.organization``: how it was scanned, each account's entry, what was skipped."""
    chosen_ids = {c.id for c in chosen}
    skipped = [{"id": m.id, "name": m.name, "state": m.state} for m in members
               if m.id not in chosen_ids and m.state != "ACTIVE"]
    return {"caller_account": caller, "role_name": org.role_name, "max_parallel": org.max_parallel,
            "processes": min(org.processes, len(chosen)) if _in_processes(org, chosen) else 1,
            "accounts": entries, "skipped": skipped,
            "scanned": sum(1 for e in entries if e["status"] == "scanned"),
            "failed": sum(1 for e in entries if e["status"] == "error")}
