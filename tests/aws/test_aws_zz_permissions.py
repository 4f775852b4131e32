"""Every AWS operation the suite's scans performed is allowed by the shipped read-only policy.

Named ``zz`` so it runs after the other AWS tests of this folder: it checks the
operations they recorded (botocore ``before-call``) plus those of a full scan of
the demo account run here, so it cannot pass vacuously.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_helpers import RECORDED, scan

from auditor.aws.permissions import ORGANIZATION_ACTIONS, iam_action, organization_policy, readonly_policy

POLICY = Path(__file__).resolve().parents[2] / "policy_templates" / "iam" / "auditor-readonly.json"


def _allowed() -> set[str]:
    doc = json.loads(POLICY.read_text(encoding="utf-8"))
    return {a for st in doc["Statement"] if st["Effect"] == "Allow" for a in st["Action"]}


def test_shipped_policy_is_up_to_date() -> None:
    assert json.loads(POLICY.read_text(encoding="utf-8")) == readonly_policy(), \
        "run `auditor permissions --write` to regenerate policy_templates/iam/auditor-readonly.json"


def test_every_recorded_operation_is_in_the_policy(aws: None, aws_rules: Any) -> None:
    from auditor.aws.seed_demo import seed_demo_account

    info = seed_demo_account()
    scan(aws_rules, info["regions"])
    ops = set(RECORDED)
    assert len(ops) >= 30, f"too few operations recorded ({len(ops)}): is the recorder wired?"
    # The organization scans' own calls (ListAccounts, AssumeRole) are the caller's, not a member's.
    caller = {a for st in organization_policy()["Statement"] for a in st["Action"]}
    assert caller == set(ORGANIZATION_ACTIONS)
    missing = sorted(f"{svc}:{op} -> {iam_action(svc, op)}" for svc, op in ops
                     if iam_action(svc, op) not in _allowed() | caller)
    assert not missing, "operations missing from the read-only policy:\n" + "\n".join(missing)


def test_policy_is_read_only() -> None:
    verbs = ("Get", "List", "Describe", "Generate")  # GenerateCredentialReport only builds the report
    assert all(a.split(":")[1].startswith(verbs) for a in _allowed())
