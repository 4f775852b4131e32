"""The engine: one finding per in-scope resource, every status, fail closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.audit_run import evaluate, prepare
from auditor.core.context import RunContext
from auditor.core.findings import Status
from auditor.core.mutes import load_mutelist
from auditor.core.resources import Inventory, Resource
from auditor.core.rule_engine import Engine
from auditor.schemas import findings_errors

FIX = Path(__file__).parent.parent / "fixtures"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def widget(name: str, **attrs: object) -> Resource:
    base = {"Name": name, "Enabled": True, "Size": 3, "Tags": {"env": "prod"},
            "Created": (NOW - timedelta(days=10)).isoformat()}
    base.update(attrs)
    return Resource("test.widget", f"widget:{name}", base, region="us-east-1", name=name)


def run(resources: list[Resource], **kw: object) -> list:
    p = prepare([FIX / "rules" / "good"], **kw)  # type: ignore[arg-type]
    inv = Inventory()
    inv.extend(resources)
    return Engine(p.rules, p.mutelist, RunContext(clock=lambda: NOW)).run(inv)


def by(findings: list, rule: str) -> dict[str, object]:
    return {f.resource_id: f for f in findings if f.rule_id == rule}


def test_one_finding_per_in_scope_resource_and_rule() -> None:
    fs = run([widget("a"), widget("b", Enabled=False), widget("c", Tags={"env": "dev"})])
    assert len(by(fs, "widget-enabled")) == 3
    # widget-small only applies to prod widgets
    assert set(by(fs, "widget-small")) == {"widget:a", "widget:b"}
    assert [f.sort_key for f in fs] == sorted(f.sort_key for f in fs)


def test_pass_and_fail_with_evidence_and_message() -> None:
    fs = by(run([widget("a"), widget("big", Size=99)]), "widget-small")
    assert fs["widget:a"].status == Status.PASS
    big = fs["widget:big"]
    assert big.status == Status.FAIL
    assert big.message == "big is 99, over 10"  # the rule's message template
    assert big.evidence == {"Size": 99}
    assert big.remediation == ""


def test_default_fail_message_explains() -> None:
    (f,) = by(run([widget("off", Enabled=False)]), "widget-enabled").values()
    assert f.message == "off: Enabled is False, expected True"
    assert f.compliance == {"cis-aws-6.0": ["4.6"], "governance-baseline": ["GB-KMS-1"]}
    assert f.remediation == "Run: widget enable <NAME>"


def test_collection_error_on_a_read_attribute_is_error() -> None:
    r = widget("denied")
    r.errors = {"Enabled": "GetWidget: AccessDenied (User is not authorized)"}
    fs = run([r])
    enabled = by(fs, "widget-enabled")["widget:denied"]
    assert enabled.status == Status.ERROR
    assert "GetWidget: AccessDenied" in enabled.message
    # a rule that does not read the failed attribute is unaffected
    assert by(fs, "widget-small")["widget:denied"].status == Status.PASS


def test_whole_resource_error_and_scope_failure() -> None:
    r = widget("gone")
    r.errors = {"*": "DescribeWidget: Throttling after 10 attempts"}
    p = prepare([FIX / "rules" / "good"])
    inv = Inventory()
    inv.add(r)
    inv.fail("test.widget", "arn:aws:widget:eu-west-1:123456789012:*", "eu-west-1", "ListWidgets: OptInRequired")
    fs = Engine(p.rules, None, RunContext(clock=lambda: NOW)).run(inv)
    assert {f.status for f in fs} == {Status.ERROR}
    scope = [f for f in fs if f.region == "eu-west-1"]
    assert len(scope) == len(p.rules)
    assert "ListWidgets: OptInRequired" in scope[0].message


def test_evaluation_error_becomes_error_finding() -> None:
    (f,) = by(run([widget("bad", Created="not-a-date")]), "widget-young").values()
    assert f.status == Status.ERROR
    assert "'not-a-date' is not a timestamp" in f.message


def test_disabled_rule_is_skipped_with_reason() -> None:
    fs = run([widget("a")], config=FIX / "configs" / "budget.yml")
    young = by(fs, "widget-young")["widget:a"]
    assert young.status == Status.SKIPPED
    assert "disabled" in young.message
    assert by(fs, "widget-enabled")["widget:a"].severity == "critical"


def test_config_param_override_changes_verdict() -> None:
    fs = run([widget("mid", Size=30)], config=FIX / "configs" / "budget.yml")
    assert by(fs, "widget-small")["widget:mid"].status == Status.PASS
    fs = run([widget("mid", Size=30)])
    assert by(fs, "widget-small")["widget:mid"].status == Status.FAIL


def test_mutelist_mutes_fail_only_until_expiry() -> None:
    legacy = widget("legacy-1", Enabled=False)
    legacy.id = "widget-legacy-1"
    old = widget("old", Enabled=False)
    old.id = "widget-old"
    fs = run([legacy, old], mutelist=FIX / "mutelists" / "valid.yml")
    muted = by(fs, "widget-enabled")["widget-legacy-1"]
    assert muted.status == Status.MUTED
    assert muted.mute is not None and muted.mute["reason"].startswith("Legacy widgets")
    expired = by(fs, "widget-enabled")["widget-old"]
    assert expired.status == Status.FAIL
    assert "mute expired 2026-01-01" in expired.message


def test_errors_are_never_muted() -> None:
    r = widget("legacy-2")
    r.id = "widget-legacy-2"
    r.errors = {"*": "boom"}
    m = load_mutelist(FIX / "mutelists" / "valid.yml")
    p = prepare([FIX / "rules" / "good"])
    inv = Inventory()
    inv.add(r)
    fs = Engine(p.rules, m, RunContext(clock=lambda: NOW)).run(inv)
    assert all(f.status == Status.ERROR for f in fs)


def test_document_validates_and_summarises(tmp_path: Path) -> None:
    p = prepare([FIX / "rules" / "good"], mutelist=FIX / "mutelists" / "valid.yml", today=NOW)
    inv = Inventory()
    inv.extend([widget("a"), widget("b", Enabled=False)])
    ctx = RunContext(clock=lambda: NOW, run_id="r1")
    doc = evaluate(p, inv, ctx, kind="aws", started_at=NOW, account="123456789012", regions=["us-east-1"])
    assert findings_errors(doc) == []
    s = doc["summary"]
    assert s["by_status"] == {"PASS": 5, "FAIL": 1, "ERROR": 0, "SKIPPED": 0, "MUTED": 0}
    assert s["by_severity"]["high"] == 1
    assert s["frameworks"]["cis-aws-6.0"] == {"controls": 63, "evaluated": 1, "passed": 0, "failed": 1, "error": 0}
    assert doc["run"]["warnings"] == [
        f"{FIX / 'mutelists' / 'valid.yml'}:8: mute of widget-* on widget-old expired 2026-01-01 and no longer mutes"]


def test_a_failed_call_blocks_scope_only_when_the_rest_cannot_settle_it() -> None:
    from auditor.core.filters import EvalContext, build_all
    from auditor.core.rules import Rule

    rule = Rule(id="zone-enabled", title="t", resource="test.widget", severity="low",
                where=build_all([{"or": [{"key": "Tags.zone", "op": "present"},
                                         {"key": "Name", "op": "regex", "value": "-raw$"}]}]),
                assert_=build_all([{"key": "Enabled", "op": "eq", "value": True}]))
    ctx = EvalContext(now=NOW, params={})
    named, other = widget("sales-raw"), widget("misc")
    for r in (named, other):
        del r.attrs["Tags"]
        r.errors = {"Tags": "GetWidgetTags: AccessDenied"}
    engine = Engine([rule], None, RunContext(clock=lambda: NOW))
    passed = engine.evaluate(rule, named, ctx)
    assert passed is not None and passed.status == Status.PASS  # its name settles the scope
    blocked = engine.evaluate(rule, other, ctx)
    assert blocked is not None and blocked.status == Status.ERROR
    assert "GetWidgetTags: AccessDenied" in blocked.message


def test_finding_to_dict_is_the_dataclass_as_a_dict() -> None:
    """The hand-written to_dict (speed) keeps asdict's keys, order and values."""
    from dataclasses import asdict

    from auditor.core.findings import Finding

    for mute in (None, {"reason": "accepted", "owner": "sec"}):
        f = Finding(rule_id="r", title="t", status=Status.MUTED, severity="low", resource_type="x", resource_id="i",
                    region="eu-west-1", message="m", evidence={"A.B": [1, {"c": 2}]}, compliance={"cis": ["1.1"]},
                    remediation="fix", mute=mute)
        expected = asdict(f)
        expected["status"] = "MUTED"
        if mute is None:
            del expected["mute"]
        # Optional fields (owner, first_seen, location...) are left out while unset.
        required = ("rule_id", "title", "status", "severity", "resource_type", "resource_id", "region", "message",
                    "evidence", "compliance", "remediation", "mute")
        expected = {k: v for k, v in expected.items() if k in required or v not in ("", None)}
        assert list(f.to_dict().items()) == list(expected.items())
