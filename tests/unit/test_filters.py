"""The value filter's ops, value types, blocks and list filters, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.core.errors import EvaluationError
from auditor.core.filters import EvalContext, build
from auditor.core.paths import MISSING, PathSyntaxError, parse_path, resolve

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CTX = EvalContext(now=NOW, params={"limit": 5, "names": ["a", "b"]})

ITEM: dict[str, Any] = {
    "Name": "logs-bucket",
    "Size": 7,
    "Enabled": True,
    "Nothing": None,
    "Empty": [],
    "Versioning": {"Status": "Enabled"},
    "Created": (NOW - timedelta(days=100)).isoformat(),
    "Expires": (NOW + timedelta(days=3)).isoformat(),
    "Tags": {"env": "prod", "a.b": "dotted"},
    "Keys": [{"Status": "Active", "Age": 10}, {"Status": "Inactive", "Age": 400}, {"Status": "Active", "Age": 100}],
    "Policy": {"Statement": [{"Effect": "Allow"}, {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
}


@pytest.mark.parametrize(("spec", "ok"), [
    ({"key": "Name", "op": "eq", "value": "logs-bucket"}, True),
    ({"key": "Name", "op": "ne", "value": "logs-bucket"}, False),
    ({"key": "Size", "op": "gt", "value": 7}, False),
    ({"key": "Size", "op": "ge", "value": 7}, True),
    ({"key": "Size", "op": "lt", "value": 8}, True),
    ({"key": "Size", "op": "le", "value": 6}, False),
    ({"key": "Size", "op": "le", "param": "limit"}, False),
    ({"key": "Name", "op": "in", "value": ["x", "logs-bucket"]}, True),
    ({"key": "Name", "op": "not-in", "value": ["logs-bucket"]}, False),
    ({"key": "Name", "op": "contains", "value": "logs"}, True),
    ({"key": "Name", "op": "regex", "value": "^logs-"}, True),
    ({"key": "Name", "op": "glob", "value": "*-bucket"}, True),
    ({"key": "Name", "op": "present"}, True),
    ({"key": "Nothing", "op": "present"}, False),
    ({"key": "Missing", "op": "absent"}, True),
    ({"key": "Empty", "op": "empty"}, True),
    ({"key": "Missing", "op": "empty"}, True),
    ({"key": "Keys", "op": "not-empty"}, True),
    ({"key": "Versioning.Status", "op": "eq", "value": "Enabled"}, True),
    ({"key": 'Tags."a.b"', "op": "eq", "value": "dotted"}, True),
    ({"key": "Keys[1].Status", "op": "eq", "value": "Inactive"}, True),
    ({"key": "Keys[9].Status", "op": "eq", "value": "Inactive"}, False),
    ({"key": "Missing", "op": "eq", "value": None}, False),
    ({"key": "Missing", "op": "ne", "value": "x"}, True),
    ({"key": "Missing", "op": "gt", "value": 1}, False),
    ({"key": "Name", "op": "gt", "value": 1}, False),  # type mismatch is a FAIL, not a crash
    ({"key": "Created", "value_type": "age", "op": "gt", "value": 99}, True),
    ({"key": "Created", "value_type": "age", "op": "le", "value": 90}, False),
    ({"key": "Expires", "value_type": "expiration", "op": "lt", "value": 7}, True),
    ({"key": "Keys", "value_type": "size", "op": "eq", "value": 3}, True),
    ({"key": "Versioning.Status", "value_type": "normalize", "op": "eq", "value": "enabled"}, True),
    ({"key": "Size", "value_type": "string", "op": "eq", "value": "7"}, True),
])
def test_value_ops(spec: dict[str, Any], ok: bool) -> None:
    assert build(spec).evaluate(ITEM, CTX).ok is ok


def test_fail_reason_and_evidence() -> None:
    out = build({"key": "Versioning.Status", "op": "eq", "value": "Suspended"}).evaluate(ITEM, CTX)
    assert not out.ok
    assert out.evidence == {"Versioning.Status": "Enabled"}
    assert out.reason == "Versioning.Status is 'Enabled', expected 'Suspended'"


def test_age_reason_mentions_days() -> None:
    out = build({"key": "Created", "value_type": "age", "op": "le", "value": 90}).evaluate(ITEM, CTX)
    assert out.reason == "Created (age) is 100.0 days, expected <= 90"


def test_bad_timestamp_is_an_evaluation_error() -> None:
    with pytest.raises(EvaluationError, match="not a timestamp"):
        build({"key": "Name", "value_type": "age", "op": "gt", "value": 1}).evaluate(ITEM, CTX)


@pytest.mark.parametrize(("spec", "ok"), [
    ({"and": [{"key": "Size", "op": "eq", "value": 7}, {"key": "Enabled", "op": "eq", "value": True}]}, True),
    ({"and": [{"key": "Size", "op": "eq", "value": 7}, {"key": "Enabled", "op": "eq", "value": False}]}, False),
    ({"or": [{"key": "Size", "op": "eq", "value": 1}, {"key": "Enabled", "op": "eq", "value": True}]}, True),
    ({"or": [{"key": "Size", "op": "eq", "value": 1}, {"key": "Enabled", "op": "eq", "value": False}]}, False),
    ({"not": [{"key": "Size", "op": "eq", "value": 7}]}, False),
    ({"not": [{"key": "Size", "op": "eq", "value": 1}]}, True),
    ({"any": "Keys", "match": [{"key": "Age", "op": "gt", "value": 365}]}, True),
    ({"any": "Keys", "match": [{"key": "Age", "op": "gt", "value": 999}]}, False),
    ({"any": "Missing", "match": [{"key": "Age", "op": "gt", "value": 1}]}, False),
    ({"all": "Keys", "match": [{"key": "Age", "op": "lt", "value": 500}]}, True),
    ({"all": "Keys", "match": [{"key": "Status", "op": "eq", "value": "Active"}]}, False),
    ({"all": "Empty", "match": [{"key": "Status", "op": "eq", "value": "Active"}]}, True),
    ({"count": "Keys", "match": [{"key": "Status", "op": "eq", "value": "Active"}], "op": "le", "value": 1}, False),
    ({"count": "Keys", "match": [{"key": "Status", "op": "eq", "value": "Active"}], "op": "eq", "value": 2}, True),
    ({"count": "Keys", "op": "le", "param": "limit"}, True),
    ({"any": "Tags", "match": [{"key": "Key", "op": "eq", "value": "env"}, {"key": "Value", "op": "eq", "value": "prod"}]}, True),
    ({"any": "Policy.Statement", "match": [
        {"key": "Effect", "op": "eq", "value": "Deny"},
        {"key": 'Condition.Bool."aws:SecureTransport"', "op": "eq", "value": "false"}]}, True),
    ({"any": "Keys", "match": [{"key": "@", "op": "present"}]}, True),
])
def test_blocks(spec: dict[str, Any], ok: bool) -> None:
    assert build(spec).evaluate(ITEM, CTX).ok is ok


def test_all_reason_names_the_failing_item() -> None:
    out = build({"all": "Keys", "match": [{"key": "Age", "op": "lt", "value": 365}]}).evaluate(ITEM, CTX)
    assert out.reason == "Keys[1]: Age is 400, expected < 365"


def test_count_reason() -> None:
    spec = {"count": "Keys", "match": [{"key": "Status", "op": "eq", "value": "Active"}], "op": "le", "value": 1}
    assert build(spec).evaluate(ITEM, CTX).reason == "2 item(s) of Keys match Status eq 'Active', expected <= 1"


def test_list_filter_over_scalar_is_evaluation_error() -> None:
    with pytest.raises(EvaluationError, match="Name is not a list"):
        build({"any": "Name", "match": [{"key": "@", "op": "present"}]}).evaluate(ITEM, CTX)


def test_roots() -> None:
    f = build({"or": [{"key": "Versioning.Status", "op": "present"},
                      {"any": "Keys", "match": [{"key": "Age", "op": "present"}]}]})
    assert f.roots() == {"Versioning", "Keys"}


def test_paths() -> None:
    assert parse_path('a.b[2]."x.y".c') == ("a", "b", 2, "x.y", "c")
    assert resolve({"a": [1, 2]}, "a[-1]") == 2
    assert resolve({"a": 1}, "a.b") is MISSING
    for bad in ("a..b", ".a", "a.", "[0]", 'a"b"'):
        with pytest.raises(PathSyntaxError):
            parse_path(bad)


@given(st.dictionaries(st.text(alphabet="abcXYZ_", min_size=1, max_size=5), st.integers(), max_size=5))
def test_eq_and_ne_are_complements(data: dict[str, int]) -> None:
    for key, value in data.items():
        eq = build({"key": key, "op": "eq", "value": value}).evaluate(data, CTX).ok
        ne = build({"key": key, "op": "ne", "value": value}).evaluate(data, CTX).ok
        assert eq != ne


# ---------------------------------------------------------------- decide: verdicts on partial data

PARTIAL: dict[str, Any] = {"Name": "sales-raw", "Size": 7}
KNOWN = {"Name", "Size"}


@pytest.mark.parametrize(("spec", "verdict"), [
    ({"key": "Name", "op": "regex", "value": "-raw$"}, True),
    ({"key": "Tags.zone", "op": "present"}, None),  # Tags not collected yet: could be anything
    ({"or": [{"key": "Tags.zone", "op": "present"}, {"key": "Name", "op": "regex", "value": "-raw$"}]}, True),
    ({"or": [{"key": "Tags.zone", "op": "present"}, {"key": "Name", "op": "eq", "value": "x"}]}, None),
    ({"or": [{"key": "Size", "op": "gt", "value": 9}, {"key": "Name", "op": "eq", "value": "x"}]}, False),
    ({"and": [{"key": "Tags.zone", "op": "present"}, {"key": "Size", "op": "gt", "value": 9}]}, False),
    ({"and": [{"key": "Tags.zone", "op": "present"}, {"key": "Size", "op": "lt", "value": 9}]}, None),
    ({"not": [{"key": "Tags.zone", "op": "present"}, {"key": "Size", "op": "gt", "value": 9}]}, True),
    ({"not": [{"key": "Tags.zone", "op": "present"}]}, None),
    ({"any": "Tags", "match": [{"key": "Key", "op": "eq", "value": "zone"}]}, None),
    ({"key": "Name", "value_type": "age", "op": "gt", "value": 1}, None),  # cannot evaluate: not settled
])
def test_decide_settles_only_what_known_attributes_settle(spec: dict[str, Any], verdict: bool | None) -> None:
    assert build(spec).decide(PARTIAL, CTX, KNOWN) is verdict


@given(st.sampled_from(["x", "sales-raw"]), st.booleans(), st.integers(0, 20))
def test_a_settled_verdict_holds_whatever_the_unknown_attributes_turn_out(name: str, tagged: bool, size: int) -> None:
    spec = {"or": [{"and": [{"key": "Tags.zone", "op": "present"}, {"key": "Size", "op": "lt", "value": 9}]},
                   {"key": "Name", "op": "regex", "value": "-raw$"}]}
    f = build(spec)
    partial = {"Name": name, "Size": size}
    full = {**partial, "Tags": {"zone": "raw"} if tagged else {}}
    settled = f.decide(partial, CTX, {"Name", "Size"})
    assert settled is None or settled == f.evaluate(full, CTX).ok
    assert f.decide(full, CTX, {"Name", "Size", "Tags"}) == f.evaluate(full, CTX).ok


def test_or_pass_evidence_is_what_made_it_hold() -> None:
    f = build({"or": [{"key": "Size", "op": "gt", "value": 9}, {"key": "Name", "op": "eq", "value": "logs-bucket"}]})
    out = f.evaluate(ITEM, CTX)
    assert out.ok and out.evidence == {"Name": "logs-bucket"}
