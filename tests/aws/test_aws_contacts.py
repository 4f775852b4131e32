"""CIS 2.1 / 2.2: the account's primary contact and security alternate contact.

moto implements GetAlternateContact but not GetContactInformation. The latter is
answered here by botocore's Stubber on the scan session's own Account client, with
responses in the shape AWS documents (the Stubber checks them against the service
model), so the rule is tested PASS and FAIL, not only ERROR.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_helpers import by_rule, only_rules, scan
from botocore.stub import Stubber
from test_aws_errors import deny

from auditor.aws.session import AwsSession, SessionSettings
from auditor.core.personal import HIDDEN

ACCOUNT = "arn:aws:iam::123456789012:root"

#: A GetContactInformation answer as AWS documents it (API reference example, values ours).
CONTACT = {"ContactInformation": {
    "AddressLine1": "453 W 12th Ave", "City": "Vancouver", "CompanyName": "Registrar Office",
    "CountryCode": "CA", "FullName": "Cloud Platform Team", "PhoneNumber": "+16045550100",
    "PostalCode": "V5Y 1V4", "StateOrRegion": "BC", "WebsiteUrl": "https://example.org"}}


@pytest.fixture
def stubbed(aws: None) -> Iterator[tuple[AwsSession, Stubber]]:
    """A scan session whose Account client answers from recorded responses."""
    session = AwsSession(SessionSettings(max_attempts=2))
    stub = Stubber(session.client("account", "us-east-1"))
    with stub:
        yield session, stub
    stub.assert_no_pending_responses()


RULE = "account-contact-details-current"
DECLARED = {"full_name": "Cloud Platform Team", "phone_number": "+16045550100"}


def _prepared(aws_rules: Any, **params: str) -> Any:
    """The CIS 2.1 rule alone, with the run config's declared contact (if any)."""
    from dataclasses import replace

    chosen = only_rules(aws_rules, RULE)
    return replace(chosen, rules=[r.with_overrides(params) for r in chosen.rules])


def _contact_rule(doc: dict[str, Any]) -> dict[str, Any]:
    return by_rule(doc, RULE)[ACCOUNT]


def test_declared_contact_passes(stubbed: tuple[AwsSession, Stubber], aws_rules: Any) -> None:
    session, stub = stubbed
    stub.add_response("get_contact_information", CONTACT, {})
    found = _contact_rule(scan(_prepared(aws_rules, **DECLARED), aws_session=session))
    assert found["status"] == "PASS"
    assert found["compliance"] == {"cis-aws-5.0": ["1.1"], "cis-aws-6.0": ["2.1"]}


def test_undeclared_or_changed_contact_fails_showing_what_to_review(stubbed: tuple[AwsSession, Stubber],
                                                                    aws_rules: Any) -> None:
    session, stub = stubbed
    stub.add_response("get_contact_information", CONTACT, {})
    found = _contact_rule(scan(_prepared(aws_rules), aws_session=session))  # nothing declared yet
    assert found["status"] == "FAIL"
    assert "not the one declared current" in found["message"]
    # Which fields the rule compared, never their values: the reviewer reads them in the console.
    assert found["evidence"] == {"ContactInformation.FullName": HIDDEN}  # the first field that differs

    moved = {"ContactInformation": {**CONTACT["ContactInformation"], "PhoneNumber": "+16045550199"}}
    later = AwsSession(SessionSettings(max_attempts=2))  # a later scan: a new session, no cached answer
    with Stubber(later.client("account", "us-east-1")) as again:
        again.add_response("get_contact_information", moved, {})
        changed = _contact_rule(scan(_prepared(aws_rules, **DECLARED), aws_session=later))
    assert changed["status"] == "FAIL"
    assert changed["evidence"]["ContactInformation.PhoneNumber"] == HIDDEN


def test_no_contact_detail_reaches_a_finding_or_the_document(stubbed: tuple[AwsSession, Stubber],
                                                             aws_rules: Any, tmp_path: Path) -> None:
    """Contact details are personal data: compared, never shown, whatever the rule's filters and message."""
    session, stub = stubbed
    stub.add_response("get_contact_information", CONTACT, {})
    from dataclasses import replace

    from auditor.core.loader import load_rules

    base = only_rules(aws_rules, RULE)
    # A rule of the user's own that quotes the phone number and uses the default message.
    (tmp_path / "own.yml").write_text(
        "version: 1\nrules:\n  - id: contact-phone-is-the-desk\n    title: The contact is the service desk\n"
        "    resource: aws.account\n    severity: low\n    assert:\n"
        "      - {key: ContactInformation.PhoneNumber, op: eq, value: '+16045550111'}\n", encoding="utf-8")
    own = load_rules([tmp_path / "own.yml"])
    doc = scan(replace(base, rules=[*[r.with_overrides({"full_name": "Ops Desk", "phone_number": "+16045550123"})
                                      for r in base.rules], *own]), aws_session=session)
    assert {f["status"] for f in doc["findings"]} == {"FAIL"}
    text = json.dumps(doc)
    for value in (*CONTACT["ContactInformation"].values(), "Ops Desk", "+16045550123", "+16045550111"):
        if len(value) > 2:  # "CA", "BC" identify nobody
            assert value not in text, value
    mine = by_rule(doc, "contact-phone-is-the-desk")[ACCOUNT]
    assert mine["message"].count(HIDDEN) == 2, mine["message"]  # the actual value and the expected one


@pytest.mark.parametrize("code", ["AccessDeniedException", "ResourceNotFoundException"])
def test_contact_that_cannot_be_read_is_an_error(stubbed: tuple[AwsSession, Stubber], aws_rules: Any,
                                                 code: str) -> None:
    session, stub = stubbed
    stub.add_client_error("get_contact_information", service_error_code=code, http_status_code=403)
    found = _contact_rule(scan(_prepared(aws_rules, **DECLARED), aws_session=session))
    assert found["status"] == "ERROR" and f"GetContactInformation: {code}" in found["message"]


def test_security_contact_registered_or_not(aws: None, aws_rules: Any) -> None:
    prepared = only_rules(aws_rules, "account-security-contact-registered")
    # Not registered: AWS (and moto) answer ResourceNotFoundException, which is a FAIL, not an ERROR.
    missing = by_rule(scan(prepared), "account-security-contact-registered")[ACCOUNT]
    assert missing["status"] == "FAIL"
    assert missing["evidence"] == {"SecurityContact.EmailAddress": None}  # absence is no personal data
    boto3.client("account", region_name="us-east-1").put_alternate_contact(
        AlternateContactType="SECURITY", Name="Security Team", Title="Security", EmailAddress="security@example.org",
        PhoneNumber="+15555550100")
    registered = by_rule(scan(prepared), "account-security-contact-registered")[ACCOUNT]
    assert registered["status"] == "PASS"
    assert registered["evidence"] == {"SecurityContact.EmailAddress": HIDDEN}
    denied = by_rule(scan(prepared, aws_event_hooks=[deny("GetAlternateContact", "AccessDeniedException")]),
                     "account-security-contact-registered")[ACCOUNT]
    assert denied["status"] == "ERROR" and "GetAlternateContact: AccessDeniedException" in denied["message"]


def test_one_call_each_and_only_when_a_rule_reads_it(stubbed: tuple[AwsSession, Stubber], aws_rules: Any) -> None:
    session, stub = stubbed
    stub.add_response("get_contact_information", CONTACT, {})
    doc = scan(only_rules(aws_rules, RULE, "iam-password-policy-min-length"), aws_session=session)
    calls = doc["attachments"]["aws"]["api_calls"]
    assert calls["account:GetContactInformation"] == 1
    assert "account:GetAlternateContact" not in calls
