"""``auditor iac scan``: judge CloudFormation and Terraform with the AWS rules, before apply.

::

    from auditor.iac.scan import IacOptions, run_iac_scan
    from auditor.audit_run import default_rule_paths, prepare

    doc = run_iac_scan(prepare(default_rule_paths("aws")), [Path("infra/")], IacOptions(params={"Env": "prod"}))

1. The inputs are found (:mod:`auditor.iac.discover`) and read: CloudFormation through
   :mod:`auditor.iac.cfn`, Terraform plans and ``*.tf.json`` through :mod:`auditor.iac.tf`.
   Any input that cannot be read stops the scan before anything is judged (exit 2).
2. The mappers (:mod:`auditor.iac.mappers`) build the resource types and attributes the
   AWS collectors produce; the shipped rules judge them unchanged, with the same engine,
   mutelist and gate as the account scan. Each finding carries the ``location`` of the
   resource (file, line, column; the logical id or Terraform address).
3. What the change cannot tell is never a PASS: a value unknown until apply makes the
   findings that read it ERROR, with the reason. A rule on the account or a region whose
   attributes the change does not declare (the password policy in a template that has
   none, Access Analyzer, the CIS 5.x alarms when the change has no trail) gets one
   SKIPPED finding whose message starts with ``not in this change``: no gate and no
   framework summary counts it as compliant. A resource type no mapper models is listed
   once under ``attachments.iac.not_evaluated`` and counted in the summary.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.audit_run import Prepared, evaluate
from auditor.aws import resource_types as _aws_types  # noqa: F401 - registers the resource types and the AWS filters
from auditor.core.context import RunContext
from auditor.core.documents import FindingsDocument
from auditor.core.errors import crash_summary
from auditor.core.filters import EvalContext
from auditor.core.findings import Finding, Status
from auditor.core.resources import Inventory, Resource
from auditor.core.rule_engine import Engine
from auditor.core.rules import Rule
from auditor.iac.build import Builder
from auditor.iac.mappers import map_change
from auditor.iac.mappers.joins import unjoined_reason
from auditor.iac.model import Change, Location, NotEvaluated
from auditor.iac.read import read_change
from auditor.iac.values import printable

#: Types of which an account (or each region) has exactly one: rules on them judge account
#: settings, which a change may or may not declare.
SINGLETONS = ("aws.account", "aws.region", "aws.ec2-settings")
NOT_IN_CHANGE = "not in this change"
MAX_LISTED = 1000


@dataclass
class IacOptions:
    """``--param NAME=VALUE`` values: template parameters and pseudo parameters (``AWS::AccountId``...)."""

    params: dict[str, str] = field(default_factory=dict)


def run_iac_scan(prepared: Prepared, paths: list[Path], opts: IacOptions | None = None,
                 context: RunContext | None = None) -> FindingsDocument:
    """Read, map and judge the change under ``paths``; return the findings document (kind ``iac``)."""
    opts = opts or IacOptions()
    context = context or RunContext()
    started = context.now()
    t0 = time.perf_counter()
    change = read_change(paths, opts.params)
    read_seconds = time.perf_counter() - t0
    b = Builder(change, context.now())

    map_change(b)
    account = _singletons(b)
    findings: list[Finding] = []
    rules_in: list[Rule] = []
    for rule in prepared.rules:
        missing = _not_declared(b, rule)
        if missing is None:
            rules_in.append(rule)
        else:
            findings.append(_not_in_change(rule, b, account, missing))
    findings += _judge(b, rules_in, prepared, context)
    not_evaluated = change.not_evaluated + [
        NotEvaluated(s.type, s.address, s.location, unjoined_reason(s) or f"auditor does not model {s.type}")
        for s in change.resources if s.key not in b.consumed]
    stats = _stats(change, b, not_evaluated, read_seconds, time.perf_counter() - t0)
    acct = change.account if re.fullmatch(r"\d{12}", change.account or "") else ""
    return evaluate(replace(prepared, rules=[]), Inventory(), context, kind="iac", started_at=started, account=acct,
                    regions=sorted(change.regions), extra_findings=findings, warnings=change.warnings,
                    attachments={"iac": stats})


def _singletons(b: Builder) -> str:
    """Add the account and region resources the change declares settings of; return the account id."""
    first = b.change.resources[0] if b.change.resources else None
    acct = b.change.account or (first.account if first else "") or "${AWS::AccountId}"
    region = sorted(b.change.regions)[0] if b.change.regions else "${AWS::Region}"
    if b.account:
        src = b.account_sources[0]
        b.add(Resource("aws.account", f"arn:aws:iam::{acct}:root", {"AccountId": acct, **b.account}, region="global",
                       name=f"account {acct}"), src)
        b.use(*b.account_sources)
    if b.region:
        src = b.region_sources[0]
        b.add(Resource("aws.region", f"arn:aws:ec2:{region}:{acct}:region/{region}", {"Region": region, **b.region},
                       region=region if not region.startswith("$") else "", name=region), src)
        b.use(*b.region_sources)
    return acct


def _not_declared(b: Builder, rule: Rule) -> list[str] | None:
    """The attributes a singleton rule reads that the change does not declare (None: the rule is in the change)."""
    if rule.resource not in SINGLETONS:
        return None
    resources = b.inventory.of(rule.resource)
    if rule.resource == "aws.ec2-settings":
        return None if resources else sorted(rule.roots())
    declared = {"aws.account": set(b.account) | {"AccountId"}, "aws.region": set(b.region) | {"Region"}}[rule.resource]
    missing = sorted(rule.roots() - declared)
    return missing if missing or not resources else None


def _not_in_change(rule: Rule, b: Builder, account: str, missing: list[str]) -> Finding:
    if rule.resource == "aws.account":
        rid, what = f"arn:aws:iam::{account}:root", f"account {account}"
    else:
        region = sorted(b.change.regions)[0] if b.change.regions else "${AWS::Region}"
        rid = f"arn:aws:ec2:{region}:{account}:{'region/' + region if rule.resource == 'aws.region' else 'settings'}"
        what = region
    return Finding(rule_id=rule.id, title=rule.title, status=Status.SKIPPED, severity=rule.severity,
                   resource_type=rule.resource, resource_id=rid, region="",
                   message=f"{what}: {NOT_IN_CHANGE}: the templates and plans scanned declare no "
                           f"{', '.join(missing)}; the account scan (auditor aws scan) judges it",
                   evidence={"not_in_change": missing},
                   compliance={k: list(v) for k, v in sorted(rule.compliance.items())},
                   remediation=rule.remediation.render())


def _judge(b: Builder, rules: list[Rule], prepared: Prepared, context: RunContext) -> list[Finding]:
    engine = Engine(rules, prepared.mutelist, context)
    now = context.now()
    out: list[Finding] = []
    for rule in rules:
        ctx = EvalContext(now=now, params=rule.params, services=context.services)
        for resource in b.inventory.of(rule.resource):
            try:
                finding = engine.evaluate(rule, resource, ctx)
            except Exception as exc:  # noqa: BLE001 - as Engine.run: a filter bug costs this rule, never the run
                finding = _error(rule, resource, f"internal error: {crash_summary(exc)}")
            if finding is None:
                continue
            finding.evidence = printable(finding.evidence)
            location = _declared_at(b, rule, resource) or b.locations.get(id(resource))
            if location is not None:
                finding.location = location.as_dict()
            out.append(finding)
    return out


def _error(rule: Rule, resource: Resource, reason: str) -> Finding:
    return Finding(rule_id=rule.id, title=rule.title, status=Status.ERROR, severity=rule.severity,
                   resource_type=rule.resource, resource_id=resource.id, region=resource.region,
                   message=f"{resource.display}: could not evaluate: {reason}", evidence={},
                   compliance={k: list(v) for k, v in sorted(rule.compliance.items())},
                   remediation=rule.remediation.render())


def _declared_at(b: Builder, rule: Rule, resource: Resource) -> Location | None:
    """For an account or region rule: where the setting it reads is declared (the trail, the password policy)."""
    if resource.type not in ("aws.account", "aws.region"):
        return None
    for attr in sorted(rule.roots()):
        sources = b.attr_sources.get(f"{resource.type}/{attr}")
        if sources:
            return sources[0].location
    return None


def _stats(change: Change, b: Builder, not_evaluated: list[NotEvaluated], read_s: float, total_s: float) -> dict[str, Any]:
    by_type = Counter(r.type for r in change.resources)
    return {
        "files": change.files,
        "resources_read": len(change.resources),
        "resources_by_type": dict(sorted(by_type.items())),
        "mapped": {t: len(items) for t, items in sorted(b.inventory.resources.items())},
        "not_evaluated_count": len(not_evaluated),
        "not_evaluated_types": dict(sorted(Counter(n.type for n in not_evaluated).items())),
        "not_evaluated": [n.as_dict() for n in not_evaluated[:MAX_LISTED]],
        "not_created": [n.as_dict() for n in change.not_created[:MAX_LISTED]],
        "aws_managed_policies_not_judged": sorted(set(b.notes)),
        "read_seconds": round(read_s, 3), "seconds": round(total_s, 3),
    }

