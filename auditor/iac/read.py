"""Read every input of a scan into one :class:`~auditor.iac.model.Change`.

Inputs are read in the order :func:`~auditor.iac.discover.discover` lists them; the first
one that cannot be read raises (``file:line:col: message``, exit 2) before anything is
judged. ``--param`` values that no template declares are reported as a warning (a typo
would otherwise leave a parameter at its default unnoticed).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from auditor.core.errors import UsageError
from auditor.iac.cfn.intrinsics import PSEUDO
from auditor.iac.cfn.stack import StackReader
from auditor.iac.discover import CFN, PLAN, TF_JSON, discover
from auditor.iac.model import Change


def read_change(paths: list[Path], params: Mapping[str, str]) -> Change:
    from auditor.iac.tf.config import read_tf_json
    from auditor.iac.tf.plan import read_plan

    found = discover(paths)
    if not found.inputs:
        raise UsageError("no CloudFormation template, Terraform plan (terraform show -json) or *.tf.json under "
                         + ", ".join(str(p) for p in paths) + "; nothing to scan")
    change = Change()
    stacks = StackReader(params, change)
    used: set[str] = set()
    for item in found.inputs:
        if item.kind == CFN:
            stacks.read(item.path, text=item.text, parsed=item.parsed)
        elif item.kind == PLAN:
            used |= read_plan(item.path, item.text, change, params)
        elif item.kind == TF_JSON:
            used |= read_tf_json(item.path, item.text, change, params)
    used |= stacks.used_overrides
    for r in change.resources:
        if r.region:
            change.regions.add(r.region)
    account = params.get("AWS::AccountId")
    if account:
        change.account = account
    unused = sorted(set(params) - used - set(PSEUDO))
    if unused:
        change.warnings.append(f"--param {', '.join(unused)}: no template or configuration scanned declares "
                               f"{'it' if len(unused) == 1 else 'them'}")
    if found.hcl_files:
        change.warnings.append(f"{found.hcl_files} Terraform HCL (.tf) file(s) not read: scan the plan "
                               "(terraform show -json plan.out > plan.json) or *.tf.json")
    return change
