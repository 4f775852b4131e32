"""Every AWS operation a scan performs is allowed by the shipped read-only policy.

Each AWS test checks its own requests when it ends (the autouse ``recorded_operations``
fixture of ``conftest.py``), so the check does not depend on which tests ran before. Here a
full scan of the demo account makes sure the check cannot pass vacuously.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_helpers import POLICY, allowed_actions, missing_from_policy, scan

from auditor.aws.permissions import ORGANIZATION_ACTIONS, organization_policy, readonly_policy


def test_shipped_policy_is_up_to_date() -> None:
    assert json.loads(POLICY.read_text(encoding="utf-8")) == readonly_policy(), \
        "run `auditor permissions --write` to regenerate policy_templates/iam/auditor-readonly.json"


@pytest.mark.slow
def test_every_recorded_operation_is_in_the_policy(aws: None, aws_rules: Any,
                                                   recorded_operations: set[tuple[str, str]]) -> None:
    from auditor.aws.seed_demo import seed_demo_account

    info = seed_demo_account()
    scan(aws_rules, info["regions"])
    ops = set(recorded_operations)
    assert len(ops) >= 30, f"too few operations recorded ({len(ops)}): is the recorder wired?"
    caller = {a for st in organization_policy()["Statement"] for a in st["Action"]}
    assert caller == set(ORGANIZATION_ACTIONS)
    missing = missing_from_policy(ops)
    assert not missing, "operations missing from the read-only policy:\n" + "\n".join(missing)


def test_policy_is_read_only() -> None:
    verbs = ("Get", "List", "Describe", "Generate")  # GenerateCredentialReport only builds the report
    assert all(a.split(":")[1].startswith(verbs) for a in allowed_actions())
