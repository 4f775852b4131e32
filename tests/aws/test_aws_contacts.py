"""CIS 2.1 / 2.2: the account's primary contact and security alternate contact.

moto implements GetAlternateContact but not GetContactInformation. The latter is
answered here by botocore's Stubber on the scan session's own Account client, with
responses in the shape AWS documents (the Stubber checks them against the service
model), so the rule is tested PASS and FAIL, not only ERROR.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_helpers import by_rule, only_rules, scan
from botocore.stub import Stubber
from test_aws_errors import deny

from auditor.aws.session import AwsSession, SessionSettings

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
    assert found["evidence"]["ContactInformation.FullName"] == "Cloud Platform Team"  # what the reviewer checks

    moved = {"ContactInformation": {**CONTACT["ContactInformation"], "PhoneNumber": "+16045550199"}}
    later = AwsSession(SessionSettings(max_attempts=2))  # a later scan: a new session, no cached answer
    with Stubber(later.client("account", "us-east-1")) as again:
        again.add_response("get_contact_information", moved, {})
        changed = _contact_rule(scan(_prepared(aws_rules, **DECLARED), aws_session=later))
    assert changed["status"] == "FAIL"
    assert changed["evidence"]["ContactInformation.PhoneNumber"] == "+16045550199"


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
    boto3.client("account", region_name="us-east-1").put_alternate_contact(
        AlternateContactType="SECURITY", Name="Security Team", Title="Security", EmailAddress="security@example.org",
        PhoneNumber="+15555550100")
    assert by_rule(scan(prepared), "account-security-contact-registered")[ACCOUNT]["status"] == "PASS"
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
