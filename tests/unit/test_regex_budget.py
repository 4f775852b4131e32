"""Regexes from rule files and from the audited account run under a time budget.

With ``re``, a rule's ``op: regex`` like ``^(([a-z0-9-])+)+$`` backtracked for hours on a
40-character bucket name, and a CloudWatch ``%regex%`` term hung ``auditor aws scan``.
Now a regex is compiled once by the ``regex`` module and searched with a timeout: over
budget, the finding is ERROR naming the pattern's owner, never a hang and never a PASS.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.aws import patterns
from auditor.core import saferegex
from auditor.core.context import RunContext
from auditor.core.errors import ConfigError, UsageError
from auditor.core.findings import Status
from auditor.core.loader import load_rules
from auditor.core.resources import Inventory, Resource
from auditor.core.rule_engine import Engine

# Exponential even for the ``regex`` module (backreferences defeat its guards).
EVIL = r"^(.*?)*(.*?)*(.*?)*\3\2\1\d"
# Catastrophic for ``re`` (2**39 paths on the name below); ``regex`` settles it at once.
NESTED = r"^(([a-z0-9-])+)+$"
NAME_40 = "registraroffice-enrollwithdraw-landing.x"


def test_evil_search_raises_a_timeout_naming_its_owner() -> None:
    assert len(NAME_40) == 40
    with pytest.raises(saferegex.RegexTimeout) as info:
        saferegex.search(EVIL, NAME_40, owner="rule s3-bucket-evil", budget=0.05)
    assert str(info.value).startswith(f"rule s3-bucket-evil: regex {EVIL!r} did not finish within 0.05 s")


def test_nested_quantifiers_are_settled_within_budget() -> None:
    assert saferegex.search(NESTED, NAME_40, owner="rule x") is False
    assert saferegex.search(NESTED, "registraroffice-landing", owner="rule x") is True


@pytest.mark.parametrize(("pattern", "message"), [
    ("a{100000}", "pattern needs at least 10001 characters per match; the limit is 10000"),
    ("a{4294967294}", "pattern needs at least 10001 characters per match; the limit is 10000"),
    ("(?:a{1000}){1000}", "pattern needs at least 10001 characters per match; the limit is 10000"),
    ("[ab]{20000,}", "pattern needs at least 10001 characters per match; the limit is 10000"),
    ("(" * 60 + ")" * 60, "groups nested more than 50 deep"),
    ("a" * 5000, "pattern is 5000 characters long; the limit is 4096"),
    ("([a-", "unterminated character set at position 1"),
])
def test_costly_or_broken_patterns_are_refused_before_compiling(pattern: str, message: str) -> None:
    # ``regex`` expands a{4294967294} in memory when compiling: it must never get there.
    assert saferegex.problem(pattern) == message


@pytest.mark.parametrize("pattern", [r"^logs-", r"\d{12}" * 5, "(?:a{0,1000}){0,1000}", r"\p{L}+", "a{,5}",
                                     r"arn:aws:s3:::[a-z0-9.-]{3,63}$", "x{2}y{3}|z"])
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    assert saferegex.problem(pattern) == ""


def test_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(saferegex.TIMEOUT_ENV, raising=False)
    assert saferegex.timeout() == 0.25
    monkeypatch.setenv(saferegex.TIMEOUT_ENV, "1.5")
    assert saferegex.timeout() == 1.5
    for bad in ("soon", "0", "-1", "inf", "nan"):
        monkeypatch.setenv(saferegex.TIMEOUT_ENV, bad)
        with pytest.raises(UsageError, match=f"AUDITOR_REGEX_TIMEOUT='{bad}': expected a number of seconds"):
            saferegex.timeout()


# --------------------------------------------------------------------------- rules


def _rules(tmp_path: Path, pattern: str) -> Path:
    f = tmp_path / "evil.yml"
    f.write_text(
        "version: 1\nrules:\n"
        "  - id: widget-name-evil\n    title: Widget names follow the convention\n    resource: test.widget\n"
        "    severity: high\n    compliance: {}\n    remediation: {text: Rename the widget.}\n"
        f"    assert:\n      - {{key: Name, op: regex, value: '{pattern}'}}\n", encoding="utf-8")
    return f


def _findings(tmp_path: Path, pattern: str, frozen_context: RunContext) -> dict[str, tuple[Status, str]]:
    rules = load_rules([_rules(tmp_path, pattern)])
    inventory = Inventory()
    for name in (NAME_40, "widget"):
        inventory.add(Resource("test.widget", name, {"Name": name}))
    findings = Engine(rules, context=frozen_context).run(inventory)
    return {f.resource_id: (f.status, f.message) for f in findings}


def test_rule_regex_over_budget_is_an_error_finding(tmp_path: Path, frozen_context: RunContext) -> None:
    found = _findings(tmp_path, EVIL, frozen_context)
    status, message = found[NAME_40]
    assert status == Status.ERROR
    assert f"could not evaluate: regex on Name: regex {EVIL!r} did not finish within 0.25 s" in message
    assert found["widget"][0] == Status.FAIL  # the same pattern on a short name is simply evaluated


def test_rule_regex_with_nested_quantifiers_fails_on_a_40_character_name(tmp_path: Path,
                                                                          frozen_context: RunContext) -> None:
    found = _findings(tmp_path, NESTED, frozen_context)
    assert found[NAME_40][0] == Status.FAIL
    assert found["widget"][0] == Status.PASS


def test_costly_rule_regex_is_a_located_load_error(tmp_path: Path) -> None:
    f = _rules(tmp_path, "a{100000}")
    with pytest.raises(ConfigError) as info:
        load_rules([f])
    assert [str(p) for p in info.value.problems] == [
        f"{f}:10:39: rules[0].assert[0].value: invalid regex: pattern needs at least 10001 characters per match; "
        "the limit is 10000"]


# --------------------------------------------------------------------------- metric filter patterns


def test_metric_filter_regex_over_budget_names_the_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    # CloudWatch's regex subset (no groups); polynomial for ``regex``, so a tiny budget shows it.
    monkeypatch.setenv(saferegex.TIMEOUT_ENV, "0.001")
    node = patterns.parse("{ $.eventSource = %" + ".?.*" * 245 + "[0-9]% }", owner="metric filter 'evil'")
    with pytest.raises(saferegex.RegexTimeout, match=r"^metric filter 'evil': regex '\.\?\.\*"):
        patterns.match(node, {"eventSource": "organizations.amazonaws.com"})


def test_metric_filter_regex_that_hung_re_is_evaluated() -> None:
    node = patterns.parse("{ $.eventSource = %" + ".*" * 30 + "Z% }")
    assert patterns.match(node, {"eventSource": "ec2.amazonaws.com" * 3}) is False
    assert patterns.match(node, {"eventSource": "ec2.amazonaws.Zom"}) is True


@pytest.mark.parametrize(("pattern", "message"), [
    ("{ $.a = %a{100000}% }", "%a{100000}%: pattern needs at least 10001 characters per match; the limit is 10000"),
    ("{ " + "(" * 400 + "$.a = 1" + ")" * 400 + " }", "parentheses nested more than 50 deep"),
])
def test_hostile_metric_filter_patterns_are_pattern_errors(pattern: str, message: str) -> None:
    # A PatternError makes the filter count for nothing (never a PASS); no RecursionError, no huge compile.
    with pytest.raises(patterns.PatternError) as info:
        patterns.parse(pattern)
    assert str(info.value) == message
