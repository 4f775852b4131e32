"""Personal attribute values never reach a finding, however a message quotes them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.core.findings import Finding, Status
from auditor.core.personal import HIDDEN, hide_personal

PERSONAL = frozenset({"Contact"})


def _finding(message: str, evidence: dict[str, Any]) -> Finding:
    return Finding(rule_id="r", title="t", status=Status.FAIL, severity="low", resource_type="aws.account",
                   resource_id="arn:aws:iam::123456789012:root", region="global", message=message, evidence=evidence)


@pytest.mark.parametrize("name", ["Ana Lima", "O'Brien \"Ops\"", "Zoë\nNakamura", "back\\slash Team", "Émile Zola"])
def test_every_quoted_form_of_a_value_is_hidden(name: str) -> None:
    attrs = {"Contact": {"Name": name, "Phone": "+16045550100"}}
    quoted = [name, repr(name), repr({"Name": name}), f"{name}s", json.dumps(name)]
    f = _finding(" / ".join(quoted) + " at +16045550100", {"Contact.Name": name, "Contact": attrs["Contact"],
                                                          "Other": "kept"})
    hide_personal(f, attrs, PERSONAL)
    for written in (name, repr(name)[1:-1], json.dumps(name)[1:-1], "+16045550100"):
        assert written not in f.message, (written, f.message)
    assert f.evidence == {"Contact.Name": HIDDEN, "Contact": HIDDEN, "Other": "kept"}


def test_declared_values_are_hidden_and_absence_is_shown() -> None:
    f = _finding("Contact.Name is missing, expected 'Service Desk'", {"Contact.Name": None, "Contact.Phone": ""})
    hide_personal(f, {}, PERSONAL, ["Service Desk"])
    assert f.message == f"Contact.Name is missing, expected '{HIDDEN}'"
    assert f.evidence == {"Contact.Name": None, "Contact.Phone": ""}


def test_short_codes_and_other_attributes_are_left_alone() -> None:
    f = _finding("country CA, region BC, bucket logs-raw", {"Bucket": "logs-raw"})
    hide_personal(f, {"Contact": {"CountryCode": "CA", "StateOrRegion": "BC"}, "Bucket": "logs-raw"}, PERSONAL)
    assert f.message == "country CA, region BC, bucket logs-raw" and f.evidence == {"Bucket": "logs-raw"}


def test_an_attacker_sized_value_is_hidden_in_linear_time() -> None:
    """A template can declare a contact of megabytes: replaced by plain scanning, never compiled into a pattern."""
    huge = "Z" * 2_000_000 + "\n" + "q" * 1_000
    f = _finding(f"Contact.Name is {huge!r}, expected 'Ops Desk'", {"Contact.Name": huge})
    hide_personal(f, {"Contact": {"Name": huge}}, PERSONAL, ["Ops Desk", "data"])
    assert f.message == f"Contact.Name is '{HIDDEN}', expected '{HIDDEN}'"  # "data" never hits HIDDEN itself
