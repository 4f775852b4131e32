"""An organization scan judges the same region-wide resource once per account: the account is
part of a finding's identity, so one account's fix never hides another account's regression."""

from __future__ import annotations

import copy
from typing import Any

from auditor.exit_gate import decide
from auditor.reporting.diff import diff_documents, finding_key


def _finding(account: str, status: str) -> dict[str, Any]:
    return {"rule_id": "cis-6.1.1-ebs-default-encryption", "resource_type": "aws.region", "resource_id": "us-east-1",
            "region": "us-east-1", "account": account, "status": status, "severity": "high",
            "message": "EBS default encryption is off", "title": "EBS default encryption"}


def _doc(*findings: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": "1.0", "run": {"id": "r", "started_at": "2026-12-01T00:00:00Z",
                                              "finished_at": "2026-12-01T00:00:00Z", "tool_version": "0",
                                              "kind": "aws", "account": "111111111111,222222222222"},
            "findings": list(findings)}


def test_same_resource_in_two_accounts_is_two_findings() -> None:
    a, b = _finding("111111111111", "FAIL"), _finding("222222222222", "FAIL")
    assert finding_key(a) != finding_key(b)


def test_one_account_fixed_and_another_broken_is_one_resolved_and_one_new() -> None:
    baseline = _doc(_finding("111111111111", "FAIL"), _finding("222222222222", "PASS"))
    current = _doc(_finding("111111111111", "PASS"), _finding("222222222222", "FAIL"))
    diff = diff_documents(current, baseline)
    assert [f["account"] for f in diff.new] == ["222222222222"]
    assert [f["account"] for f in diff.resolved] == ["111111111111"]
    # The CI gate with the baseline sees the regression (keyed without the account it did not).
    assert decide(copy.deepcopy(current), fail_on="high", baseline=baseline).exit_code == 1


def test_findings_without_an_account_keep_their_identity() -> None:
    f = {"rule_id": "r", "resource_type": "dataset.column", "resource_id": "lake/x/Curated/v-abcdef12/t#c"}
    assert finding_key(f) == ("r", "", "lake/x/Curated/v-*/t#c")
