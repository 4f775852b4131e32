"""Comparisons behind the plan: by meaning, not by bytes."""

from __future__ import annotations

from auditor.baseline.model import (
    ABSENT,
    merge_rules,
    merge_statements,
    policy_diff,
    rules_diff,
    statements_diff,
    subset_diff,
)

DOC = {"Version": "2012-10-17", "Statement": [
    {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::b"},
    {"Sid": "B", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::b"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


def test_policy_equal_by_meaning() -> None:
    same = {"Version": "2012-10-17", "Statement": [
        {"Sid": "B", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:*"], "Resource": "arn:aws:s3:::b",
         "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}},
        {"Sid": "A", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": ["arn:aws:s3:::b"]}]}
    assert policy_diff(same, DOC) == []
    assert policy_diff(__import__("json").dumps(same), DOC) == []


def test_policy_diff_names_statements() -> None:
    extra = {**DOC, "Statement": [*DOC["Statement"], {"Sid": "Open", "Effect": "Allow", "Action": "*",
                                                      "Resource": "*"}]}
    assert policy_diff(extra, DOC) == ["statement Open: removed (not in the baseline)"]
    changed = {**DOC, "Statement": [DOC["Statement"][0], {**DOC["Statement"][1], "Effect": "Allow"}]}
    assert policy_diff(changed, DOC) == ["statement B: changed"]
    assert policy_diff(ABSENT, DOC) == ["policy: (absent) -> baseline document"]


def test_bucket_policy_statements_are_merged_by_sid() -> None:
    foreign = {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
               "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    current = {"Version": "2012-10-17", "Statement": [foreign, {**DOC["Statement"][1], "Effect": "Allow"}]}
    assert sorted(statements_diff(current, DOC)) == ["statement A: added", "statement B: changed"]
    merged = merge_statements(current, DOC)
    assert [s["Sid"] for s in merged["Statement"]] == ["A", "B", "Partner"]
    assert statements_diff(merged, DOC) == []


def test_subset_diff_ignores_extra_live_fields_and_numeric_forms() -> None:
    assert subset_diff({"Threshold": 40.0, "StateValue": "OK"}, {"Threshold": 40}) == []
    assert subset_diff({"Enabled": "true"}, {"Enabled": True}) == []
    assert subset_diff({"Status": "Suspended"}, {"Status": "Enabled"}) == ['Status: "Suspended" -> "Enabled"']
    assert subset_diff(ABSENT, {"A": 1, "B": {"C": 2}}) == ["A: (absent) -> 1", "B.C: (absent) -> 2"]
    assert subset_diff(ABSENT, {}) == ["(absent) -> present"]
    assert subset_diff({"L": [1, 2]}, {"L": [2, 1]}) == ["L: [1, 2] -> [2, 1]"]


def test_rules_merge_keeps_foreign_rules_and_reports_ours() -> None:
    ours = {"Rules": [{"ID": "baseline", "Status": "Enabled"}]}
    current = {"Rules": [{"ID": "team", "Status": "Enabled"}, {"ID": "baseline", "Status": "Disabled"}]}
    assert rules_diff(current, ours) == ['rule baseline.Status: "Disabled" -> "Enabled"']
    assert merge_rules(current, ours)["Rules"] == [{"ID": "baseline", "Status": "Enabled"},
                                                   {"ID": "team", "Status": "Enabled"}]
    assert rules_diff({"Rules": [{"ID": "team"}]}, ours) == ["rule baseline: (absent) -> baseline rule"]
    assert merge_rules(ABSENT, ours) == ours


def test_rules_diff_when_reported() -> None:
    ours = {"Rules": [{"ID": "r", "Status": "Enabled", "SourceSelectionCriteria": {"X": 1}}]}
    assert rules_diff({"Rules": [{"ID": "r", "Status": "Enabled"}]}, ours, when_reported=("SourceSelectionCriteria",)) == []
    assert rules_diff({"Rules": [{"ID": "r", "Status": "Enabled", "SourceSelectionCriteria": {"X": 0}}]}, ours,
                      when_reported=("SourceSelectionCriteria",)) == ["rule r.SourceSelectionCriteria.X: 0 -> 1"]
