"""Explicit scope: a rule that must find something to judge says so when it finds nothing.

The data-zone rules (versioning, SSE-KMS, replication...) judge only the buckets their
``where`` selects: tagged ``DataZone``, or named like ``data_bucket_pattern``. An
account whose buckets match neither would otherwise get no finding at all, which reads
like compliance. A rule opts in with the param ``min_in_scope`` (how many resources its
selector must match)::

    - id: s3-bucket-versioning-enabled
      resource: aws.s3-bucket
      params: {data_bucket_pattern: "-(landing|raw|curated)$", min_in_scope: 1}
      where:
        - or:
            - {key: Tags.DataZone, op: present}
            - {key: Name, op: regex, param: data_bucket_pattern}
      assert: [{key: Versioning.Status, op: eq, value: Enabled}]

After collection, :func:`check_scopes` counts, for each such rule, the resources its
``where`` kept (an undecidable scope counts: it is an ERROR finding already). Every
count goes into the scan statistics (``attachments.aws.scope``); a rule that matched
fewer than ``min_in_scope`` gets one **ERROR** finding on the account: nothing was
evaluated, which no gate may read as a pass (ERROR fails the gate closed, exit 3, unless
errors are accepted). It is not a FAIL: an account may rightly hold no data zone, and
saying so is one line of run config (``min_in_scope: 0``). See ``docs/aws-data-zones.md``.
"""

from __future__ import annotations

from typing import Any

from auditor.core.context import RunContext
from auditor.core.filters import EvalContext
from auditor.core.filters import _describe as describe_filter
from auditor.core.findings import Finding, Status
from auditor.core.resources import Inventory
from auditor.core.rule_engine import Engine
from auditor.core.rules import Rule

PARAM = "min_in_scope"
DOC = "docs/aws-data-zones.md"


def selector_text(rule: Rule) -> str:
    """The rule's ``where`` in words, with the values of the params it uses."""
    parts = [describe_filter(f) for f in rule.where]
    if len(parts) == 1 and parts[0].startswith("(") and parts[0].endswith(")"):
        parts[0] = parts[0][1:-1]  # one top-level block: its parentheses only add noise
    text = " and ".join(parts) or "every resource"
    used = {k: v for k, v in rule.params.items() if k != PARAM and f"params.{k}" in text}
    if used:
        text += ", with " + ", ".join(f"{k} = {v!r}" for k, v in sorted(used.items()))
    return text


def check_scopes(rules: list[Rule], inventory: Inventory, context: RunContext,
                 account_arn: str) -> tuple[list[Finding], dict[str, dict[str, Any]]]:
    """(ERROR findings for rules that matched too little, matched counts by rule id)."""
    findings: list[Finding] = []
    counts: dict[str, dict[str, Any]] = {}
    for rule in rules:
        wanted = rule.params.get(PARAM)
        if not isinstance(wanted, int) or isinstance(wanted, bool) or not rule.enabled:
            continue
        candidates = inventory.of(rule.resource)
        engine = Engine([rule], context=context)
        ctx = EvalContext(now=context.now(), params=rule.params, services=context.services)
        matched = sum(1 for r in candidates if _matches(engine, rule, r, ctx))
        selector = selector_text(rule)
        counts[rule.id] = {"resource_type": rule.resource, "selector": selector, "matched": matched,
                           "candidates": len(candidates), PARAM: wanted}
        # A failed listing is already one ERROR finding per rule on the account.
        if matched >= wanted or inventory.failures.get(rule.resource):
            continue
        findings.append(Finding(
            rule_id=rule.id, title=rule.title, status=Status.ERROR, severity=rule.severity,
            resource_type=rule.resource, resource_id=account_arn, region="global",
            message=(f"no scope: {matched} of {len(candidates)} {rule.resource} resources matched this rule's "
                     f"selector [{selector}]; at least {wanted} expected, so nothing was checked"),
            evidence={"matched": matched, "candidates": len(candidates), "selector": selector},
            compliance={k: list(v) for k, v in sorted(rule.compliance.items())},
            remediation=(f"Tag the resources this rule governs (e.g. DataZone=raw on a data-zone bucket), or set "
                         f"the selector's params for {rule.id} in the run config (rules: {rule.id}: params: ...); "
                         f"if the account rightly holds none, set {PARAM}: 0 there. See {DOC}."),
        ))
    return findings, counts


def _matches(engine: Engine, rule: Rule, resource: Any, ctx: EvalContext) -> bool:
    """Whether the rule has a finding on the resource; one that crashes counts (the engine reports it ERROR)."""
    try:
        return engine.evaluate(rule, resource, ctx) is not None
    except Exception:  # noqa: BLE001 - the engine's run reports the crash as an ERROR finding
        return True
