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

from auditor.audit_run import Prepared, evaluate
from auditor.aws.account_scan import collect_account, required_attributes
from auditor.aws.organization import run_org_scan
from auditor.aws.scan_options import ScanOptions, org_options, settings_for
from auditor.aws.session import AwsSession
from auditor.core.context import RunContext
from auditor.core.documents import FindingsDocument
from auditor.core.errors import UsageError

__all__ = ["ScanOptions", "run_scan"]


def run_scan(prepared: Prepared, opts: ScanOptions, context: RunContext | None = None) -> FindingsDocument:
    """Scan the account (or, with ``opts.organization`` or ``aws.organization`` in the run config, every
    account of the organization) and return the findings document (kind ``aws``)."""
    context = context or RunContext()
    org = org_options(opts)
    if org is not None:
        return run_org_scan(prepared, opts, org, context)
    started = context.now()
    if not required_attributes(prepared):
        raise UsageError("no AWS rules selected: nothing to scan")
    session = context.services.get("aws_session") or AwsSession(settings_for(opts, context))
    account, partition = session.caller()
    done = collect_account(prepared, session, opts, context, account=account, partition=partition)
    doc = evaluate(prepared, done.inventory, context, kind="aws", started_at=started, account=account,
                   regions=done.regions, extra_findings=done.scope_findings, attachments={"aws": done.stats})
    for f in doc["findings"]:
        f["account"] = account
    return doc
