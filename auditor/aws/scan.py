"""``auditor aws scan``: collect what the rules need, evaluate, return the findings document.

::

    from auditor.audit_run import prepare, default_rule_paths
    from auditor.aws.scan import ScanOptions, run_scan

    doc = run_scan(prepare(default_rule_paths("aws")), ScanOptions(regions=["us-east-1"]))

The scan first checks the identity with one STS GetCallerIdentity (one attempt,
short connect timeout), so missing or rejected credentials, an unknown profile or
an unreachable endpoint fail in seconds with one clear
:class:`~auditor.core.errors.AwsSetupError` (a configuration error, exit 2). Then
it collects only the resource types, and only the attributes, the loaded rules
read; every later failure becomes ERROR findings on the affected resources (exit 3),
and so does a collector that crashes (its resource type only: the other findings
are kept). A rule with the param ``min_in_scope`` whose selector matched fewer
resources gets an ERROR finding on the account (:mod:`auditor.aws.scope_check`);
the matched counts are in ``attachments.aws.scope``.

Tests and tools may inject into ``RunContext.services``: ``aws_session`` (an
:class:`~auditor.aws.session.AwsSession`) or ``aws_event_hooks`` (a list of
``(botocore_event, handler)`` pairs registered on the session, e.g. to inject
errors or record calls).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from auditor.audit_run import Prepared, evaluate
from auditor.aws import resource_types as _types  # noqa: F401 - registers the resource types
from auditor.aws.attributes import attributing
from auditor.aws.collect import COLLECTORS, Scope, crash_reason
from auditor.aws.scope_check import check_scopes
from auditor.aws.session import ApiError, AwsSession, SessionSettings
from auditor.core.context import RunContext
from auditor.core.errors import CollectionError, UsageError
from auditor.core.findings import Finding
from auditor.core.resources import Inventory

if TYPE_CHECKING:
    from auditor.aws.organization import OrgOptions


@dataclass
class ScanOptions:
    """Command-line choices; ``config`` is the run config's ``aws`` section (the CLI wins)."""

    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    role_arn: str | None = None
    external_id: str | None = None
    max_attempts: int | None = None
    config: dict[str, Any] = field(default_factory=dict)
    #: Scan every account of the organization (``--organization``); see :mod:`auditor.aws.organization`.
    organization: OrgOptions | None = None


def settings_for(opts: ScanOptions, context: RunContext) -> SessionSettings:
    cfg = opts.config or {}
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


def run_scan(prepared: Prepared, opts: ScanOptions, context: RunContext | None = None) -> dict[str, Any]:
    """Scan the account (or, with ``opts.organization`` or ``aws.organization`` in the run config, every
    account of the organization) and return the findings document (kind ``aws``)."""
    from auditor.aws.organization import org_options, run_org_scan

    context = context or RunContext()
    org = org_options(opts)
    if org is not None:
        return run_org_scan(prepared, opts, org, context)
    started = context.now()
    if not required_attributes(prepared):
        raise UsageError("no AWS rules selected: nothing to scan")
    session = context.services.get("aws_session") or AwsSession(settings_for(opts, context))
    identity = session.identity()
    account = str(identity["Account"])
    partition = str(identity.get("Arn", "arn:aws:")).split(":")[1] or "aws"
    done = collect_account(prepared, session, opts, context, account=account, partition=partition)
    doc = evaluate(prepared, done.inventory, context, kind="aws", started_at=started, account=account,
                   regions=done.regions, extra_findings=done.scope_findings, attachments={"aws": done.stats})
    for f in doc["findings"]:
        f["account"] = account
    return doc
