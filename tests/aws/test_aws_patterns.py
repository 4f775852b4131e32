"""CloudWatch Logs filter patterns: parsing, matching, and CIS 5.x equivalence by events."""

from __future__ import annotations

import pytest
from cis_patterns import CIS_PATTERNS

from auditor.aws import patterns
from auditor.aws.monitoring import CONTROLS


@pytest.mark.parametrize("control", sorted(CONTROLS))
def test_cis_pattern_matches_its_events_and_not_the_benign_ones(control: str) -> None:
    node = patterns.parse(CIS_PATTERNS[control])
    positives, negatives = CONTROLS[control]
    assert all(patterns.match(node, e) for e in positives)
    assert not any(patterns.match(node, e) for e in negatives)


def test_every_control_has_a_cis_pattern() -> None:
    assert set(CIS_PATTERNS) == set(CONTROLS)


def test_precedence_and_binds_tighter_than_or() -> None:
    node = patterns.parse('{ $.a = 1 || $.b = 2 && $.c = 3 }')
    assert patterns.match(node, {"a": 1})
    assert not patterns.match(node, {"b": 2})
    assert patterns.match(node, {"b": 2, "c": 3})


@pytest.mark.parametrize(("pattern", "event", "expected"), [
    ('{ $.errorCode = "*UnauthorizedOperation" }', {"errorCode": "Client.UnauthorizedOperation"}, True),
    ('{ $.errorCode = "AccessDenied*" }', {"errorCode": "AccessDeniedException"}, True),
    ('{ $.errorCode = "AccessDenied*" }', {"errorCode": "NoSuchKey"}, False),
    ("{ $.eventName = ConsoleLogin }", {"eventName": "ConsoleLogin"}, True),
    ('{ $.x != "Yes" }', {"x": "No"}, True),
    ('{ $.x != "Yes" }', {}, False),  # comparisons on absent fields match nothing
    ("{ $.user.invokedBy NOT EXISTS }", {"user": {}}, True),
    ("{ $.user.invokedBy NOT EXISTS }", {"user": {"invokedBy": "x"}}, False),
    ("{ $.latency > 50 }", {"latency": 51}, True),
    ("{ $.latency > 50 }", {"latency": "51"}, False),
    ("{ $.items[0].id = 7 }", {"items": [{"id": 7}]}, True),
    ("{ $.flag IS TRUE }", {"flag": True}, True),
    ("{ $.v IS NULL }", {"v": None}, True),
    ("{ $.eventName = %^Create.*Trail$% }", {"eventName": "CreateTrail"}, True),
    ("ERROR -DEBUG", {"level": "ERROR"}, True),
    ("ERROR -DEBUG", {"level": "ERROR DEBUG"}, False),
    ("?ERROR ?WARN", {"level": "WARN"}, True),
    ("", {"anything": 1}, True),
])
def test_match(pattern: str, event: dict[str, object], expected: bool) -> None:
    assert patterns.match(patterns.parse(pattern), event) is expected


@pytest.mark.parametrize("bad", ['{ $.a = "x" ', "{ ($.a = 1 }", "{ $.a }", "{ = 1 }", "{ $.a = 1 && }"])
def test_malformed_patterns_raise(bad: str) -> None:
    with pytest.raises(patterns.PatternError):
        patterns.parse(bad)


def test_rewritten_pattern_is_equivalent() -> None:
    """Same events, different text: order, quotes, spacing and parentheses do not matter."""
    rewritten = ("{($.eventName=StopLogging)||($.eventName=StartLogging)||($.eventName=\"DeleteTrail\")"
                 "||(($.eventName=UpdateTrail)||($.eventName=CreateTrail))}")
    node = patterns.parse(rewritten)
    positives, negatives = CONTROLS["cloudtrail-config-changes"]
    assert all(patterns.match(node, e) for e in positives)
    assert not any(patterns.match(node, e) for e in negatives)
