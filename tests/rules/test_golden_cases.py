"""Golden pass/fail cases for every shipped rule, run by one parametrised runner.

A case file ``tests/rules/cases/<rule-id>.yml``::

    rule: s3-bucket-versioning-enabled
    now: "2026-06-01T00:00:00Z"         # optional frozen clock for age checks
    params: {}                           # optional param overrides for every case
    cases:
      - name: versioned bucket
        resource: {Name: a, Versioning: {Status: Enabled}}
        expect: PASS
      - name: suspended
        resource: {Name: b, Versioning: {Status: Suspended}}
        expect: FAIL
        message_contains: Suspended      # optional
      - name: not a data bucket
        resource: {Name: c, Tags: {}}
        expect: OUT_OF_SCOPE             # ``where`` excludes it: no finding
      - name: versioning call denied
        resource: {Name: d}
        errors: {Versioning: "GetBucketVersioning: AccessDenied"}
        expect: ERROR

A meta-test requires every shipped rule to have at least one PASS and one FAIL case.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.audit_run import DEFAULT_RULES, prepare
from auditor.core.context import RunContext
from auditor.core.filters import EvalContext
from auditor.core.resources import Resource
from auditor.core.rule_engine import Engine

CASES_DIR = Path(__file__).parent / "cases"
DEFAULT_NOW = "2026-06-01T00:00:00Z"


def _shipped_rules() -> dict[str, Any]:
    if not any(DEFAULT_RULES.rglob("*.yml")):
        return {}
    return {r.id: r for r in prepare([DEFAULT_RULES]).rules}


RULES = _shipped_rules()


def _case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yml"))


def _all_cases() -> list[Any]:
    out = []
    for path in _case_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, case in enumerate(data["cases"]):
            out.append(pytest.param(path, data, case, id=f"{data['rule']}:{case.get('name', i)}"))
    return out


@pytest.mark.parametrize(("path", "spec", "case"), _all_cases())
def test_golden_case(path: Path, spec: dict[str, Any], case: dict[str, Any]) -> None:
    assert spec["rule"] == path.stem, f"{path.name}: 'rule' must equal the file name"
    assert spec["rule"] in RULES, f"{path.name}: no shipped rule '{spec['rule']}'"
    rule = RULES[spec["rule"]].with_overrides({**spec.get("params", {}), **case.get("params", {})})
    now = datetime.fromisoformat(str(case.get("now", spec.get("now", DEFAULT_NOW))).replace("Z", "+00:00"))
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    resource = Resource(type=rule.resource, id=case.get("id", "case-resource"), attrs=case["resource"],
                        region="us-east-1", name=case.get("name", ""), errors=case.get("errors", {}))
    engine = Engine([rule], context=RunContext(clock=lambda: now))
    finding = engine.evaluate(rule, resource, EvalContext(now=now, params=rule.params))
    expected = case["expect"]
    if expected == "OUT_OF_SCOPE":
        assert finding is None, f"expected no finding (out of scope), got {finding and finding.status}"
        return
    assert finding is not None, "resource unexpectedly out of scope"
    assert str(finding.status) == expected, finding.message
    if "message_contains" in case:
        assert case["message_contains"] in finding.message


def test_every_shipped_rule_has_pass_and_fail_cases() -> None:
    missing = []
    for rule_id in RULES:
        path = CASES_DIR / f"{rule_id}.yml"
        if not path.exists():
            missing.append(f"{rule_id}: no case file")
            continue
        expects = {c["expect"] for c in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]}
        if not {"PASS", "FAIL"} <= expects:
            missing.append(f"{rule_id}: needs at least one PASS and one FAIL case (has {sorted(expects)})")
    assert not missing, "\n".join(missing)


def test_case_files_name_shipped_rules() -> None:
    orphans = [p.name for p in _case_files() if p.stem not in RULES]
    assert not orphans, f"case files for rules that do not exist: {orphans}"
