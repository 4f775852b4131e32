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
from auditor.iac.discover import discover
from auditor.iac.model import Change
from auditor.iac.readers import IacReader, load_readers


def read_change(paths: list[Path], params: Mapping[str, str]) -> Change:
    """Read every input under ``paths`` with the reader of its kind (one reader object per kind per scan)."""
    found = discover(paths)
    if not found.inputs:
        raise UsageError("no CloudFormation template, Terraform plan (terraform show -json) or *.tf.json under "
                         + ", ".join(str(p) for p in paths) + "; nothing to scan")
    change = Change()
    registry = load_readers()
    readers: dict[str, IacReader] = {}
    for item in found.inputs:
        if item.kind not in readers:
            readers[item.kind] = registry.get(item.kind)(change, params)
        readers[item.kind].read(item)
    used: set[str] = set().union(*(r.used for r in readers.values()))
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
