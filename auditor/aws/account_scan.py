"""One account's collection: what the rules need, collected side by side into one inventory.

Used by the scan of one account (:func:`auditor.aws.scan.run_scan`) and by each member
account of an organization scan (:mod:`auditor.aws.org_members`).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from auditor.audit_run import Prepared
from auditor.aws import resource_types as _types  # noqa: F401 - registers the resource types
from auditor.aws.attribution import attributing
from auditor.aws.collect import COLLECTORS, Scope, crash_reason
from auditor.aws.scan_options import ScanOptions
from auditor.aws.scope_check import check_scopes
from auditor.aws.session import ApiError, AwsSession
from auditor.core.context import RunContext
from auditor.core.errors import CollectionError
from auditor.core.findings import Finding
from auditor.core.resources import Inventory


def required_attributes(prepared: Prepared) -> dict[str, set[str]]:
    """Resource type -> top-level attributes the rules read."""
    out: dict[str, set[str]] = {}
    for rule in prepared.rules:
        if rule.resource in COLLECTORS:
            out.setdefault(rule.resource, set()).update(rule.roots())
    return out


def _regions(session: AwsSession, opts: ScanOptions) -> list[str]:
    chosen = list(opts.regions) or list(opts.config.get("regions") or [])
    if chosen:
        return sorted(set(chosen))
    try:
        listed = session.call("ec2", session.default_region, "DescribeRegions", AllRegions=False)
    except ApiError as err:
        raise CollectionError(f"cannot list the account's enabled regions ({err.reason}); "
                              "pass --region or set aws.regions in the run config") from None
    return sorted(r["RegionName"] for r in listed.get("Regions", []))


def _collect_all(scope: Scope, type_names: list[str]) -> list[Inventory]:
    """Run every collector at once, each into its own inventory (merged in ``type_names`` order).

    Collectors run side by side so that one waiting on a slow listing (the credential
    report, a region's EC2) does not hold up the others; their per-resource calls share
    the scan's bounded pool, and shared values (trails, account settings) are computed
    once through ``Scope.memo``.

    A collector that raises loses only its own resource type: its inventory is replaced
    by one listing failure on the account naming the exception, so every rule of that
    type reports ERROR and the other collectors' findings are kept.
    """
    def one(type_name: str) -> Inventory:
        own = replace(scope, inventory=Inventory())
        try:
            with attributing(type_name, None):
                own.inventory.extend(COLLECTORS[type_name](own))
        except Exception as exc:  # noqa: BLE001 - a collector bug costs its rules, never the scan
            own.inventory = Inventory()
            own.inventory.fail(type_name, scope.account_arn, "global",
                               f"collector of {type_name} failed: {crash_reason(exc)}")
        return own.inventory

    with ThreadPoolExecutor(max_workers=max(1, len(type_names)), thread_name_prefix="auditor-collect") as outer:
        return list(outer.map(one, type_names))


@dataclass
class AccountScan:
    """What one account's collection produced: the inventory, the scope findings and statistics."""

    account: str
    partition: str
    regions: list[str]
    inventory: Inventory
    scope_findings: list[Finding]
    stats: dict[str, Any]


def collect_account(prepared: Prepared, session: AwsSession, opts: ScanOptions, context: RunContext, *,
                    account: str, partition: str) -> AccountScan:
    """Collect what the rules need from one account (``session`` is already that account's).

    Raises :class:`~auditor.core.errors.CollectionError` when the account's regions cannot
    be listed; every other failure is recorded on the resources (ERROR findings).
    """
    t0 = time.perf_counter()
    required = required_attributes(prepared)
    regions = _regions(session, opts)
    inventory = Inventory()
    with ThreadPoolExecutor(max_workers=session.settings.max_workers, thread_name_prefix="auditor-aws") as pool:
        rules_by_type: dict[str, list[Any]] = {}
        for rule in prepared.rules:
            rules_by_type.setdefault(rule.resource, []).append(rule)
        scope = Scope(session=session, account=account, partition=partition, regions=regions, required=required,
                      pool=pool, inventory=inventory, rules=rules_by_type)
        for collected in _collect_all(scope, sorted(required)):
            inventory.merge(collected)
    counts = {t: len(items) for t, items in sorted(inventory.resources.items())}
    no_scope, matched = check_scopes(prepared.rules, inventory, context, scope.account_arn)
    stats = {"account": account, "regions": regions, "resources": counts, "scope": matched,
             "api_calls": dict(sorted(session.calls.items())), "api_calls_total": sum(session.calls.values()),
             "api_calls_by_type": dict(sorted(session.calls_by_type.items())),
             "collection_seconds": round(time.perf_counter() - t0, 3)}
    return AccountScan(account, partition, regions, inventory, no_scope, stats)


def with_account(findings: list[Finding], account: str) -> list[Finding]:
    """The findings, each naming the account it is about (``account`` in findings.json)."""
    for f in findings:
        f.account = account
    return findings
