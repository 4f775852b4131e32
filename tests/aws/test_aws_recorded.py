"""Controls whose AWS answers moto lacks, tested PASS and FAIL on recorded responses.

The recorded answers (``recorded/``, in the shape of the AWS API references) are
replayed with botocore's ``Stubber`` on the scan session's own clients: the Stubber
checks each answer against the service model and the request parameters, and the
scan's real collectors, session and rules run unchanged. Everything else (STS) is moto.

* CIS 2.19, IAM Access Analyzer: ``ListAnalyzers`` (moto: not implemented);
* CIS 2.6, root user not used recently: the ``<root_account>`` row of the IAM credential
  report (moto's report has no root row);
* CIS 2.3 / 2.4 / 2.5, root access keys and MFA: ``GetAccountSummary`` and
  ``ListVirtualMFADevices`` (moto cannot give the root user MFA or access keys).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aws_helpers import by_rule, only_rules
from botocore.stub import Stubber

from auditor.aws.scan import ScanOptions, run_scan
from auditor.aws.session import AwsSession, SessionSettings
from auditor.core.context import RunContext

RECORDED = Path(__file__).parent / "recorded"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "arn:aws:iam::123456789012:root"


def recorded(name: str) -> dict[str, Any]:
    return dict(json.loads((RECORDED / name).read_text(encoding="utf-8")))


def credential_report(case: str) -> dict[str, Any]:
    return {"Content": (RECORDED / f"credential-report-{case}.csv").read_bytes(), "ReportFormat": "text/csv",
            "GeneratedTime": datetime(2026, 6, 1, 11, 58, tzinfo=UTC)}


@pytest.fixture
def session(aws: None) -> Iterator[AwsSession]:
    """A scan session on moto whose stubbers must all have been fully consumed by the end."""
    s = AwsSession(SessionSettings(max_attempts=1))
    yield s
    for stubber in getattr(s, "_test_stubbers", []):
        stubber.assert_no_pending_responses()


def replay(session: AwsSession, service: str, region: str, *answers: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    """Answer the session's ``service`` client in ``region`` with recorded responses, in order."""
    stubber = Stubber(session.client(service, region))
    for method, response, params in answers:
        stubber.add_response(method, response, params)
    stubber.activate()
    session._test_stubbers = [*getattr(session, "_test_stubbers", []), stubber]  # type: ignore[attr-defined]


def run(session: AwsSession, rules: Any, regions: list[str]) -> dict[str, Any]:
    ctx = RunContext(clock=lambda: NOW, services={"aws_session": session})
    return run_scan(rules, ScanOptions(regions=regions), ctx)


# --------------------------------------------------------------------------- CIS 2.19


def test_access_analyzer_active_passes_disabled_or_unused_only_or_none_fails(session: AwsSession,
                                                                             aws_rules: Any) -> None:
    regions = {"us-east-1": "active", "eu-west-1": "disabled", "ap-southeast-2": "none"}
    for region, case in regions.items():
        replay(session, "accessanalyzer", region,
               ("list_analyzers", recorded(f"accessanalyzer-ListAnalyzers-{case}.json"), {}))
    doc = run(session, only_rules(aws_rules, "iam-access-analyzer-enabled"), sorted(regions))
    found = {f["region"]: f for f in by_rule(doc, "iam-access-analyzer-enabled").values()}
    assert {r: f["status"] for r, f in found.items()} == {"us-east-1": "PASS", "eu-west-1": "FAIL",
                                                          "ap-southeast-2": "FAIL"}
    assert "external-access" in found["eu-west-1"]["message"]


# --------------------------------------------------------------------------- CIS 2.6


def _root_usage(session: AwsSession, aws_rules: Any, case: str) -> dict[str, Any]:
    replay(session, "iam", "us-east-1",
           ("generate_credential_report", recorded("iam-GenerateCredentialReport-complete.json"), {}),
           ("get_credential_report", credential_report(case), {}))
    doc = run(session, only_rules(aws_rules, "iam-root-not-used-recently"), ["us-east-1"])
    return by_rule(doc, "iam-root-not-used-recently")[ACCOUNT]


def test_root_not_used_for_months_passes(session: AwsSession, aws_rules: Any) -> None:
    f = _root_usage(session, aws_rules, "root-dormant")
    assert f["status"] == "PASS"


def test_root_console_sign_in_yesterday_fails(session: AwsSession, aws_rules: Any) -> None:
    f = _root_usage(session, aws_rules, "root-recent")
    assert f["status"] == "FAIL"
    assert "2026-05-31T07:12:45+00:00" in f["message"]


def test_root_access_key_used_yesterday_fails(session: AwsSession, aws_rules: Any) -> None:
    f = _root_usage(session, aws_rules, "root-key-used")
    assert f["status"] == "FAIL"
    assert "2026-05-30T23:59:00+00:00" in f["message"]


def test_report_without_root_row_is_an_error(session: AwsSession, aws_rules: Any) -> None:
    f = _root_usage(session, aws_rules, "no-root-row")
    assert f["status"] == "ERROR" and "RootRowMissing" in f["message"]


# --------------------------------------------------------------------------- CIS 2.3 / 2.4 / 2.5

ROOT_RULES = ("iam-root-no-access-keys", "iam-root-mfa-enabled", "iam-root-hardware-mfa-enabled")


def _root(session: AwsSession, aws_rules: Any, summary: str, devices: str) -> dict[str, str]:
    replay(session, "iam", "us-east-1",
           ("get_account_summary", recorded(f"iam-GetAccountSummary-{summary}.json"), {}),
           ("list_virtual_mfa_devices", recorded(f"iam-ListVirtualMFADevices-{devices}.json"),
            {"AssignmentStatus": "Assigned"}))
    doc = run(session, only_rules(aws_rules, *ROOT_RULES), ["us-east-1"])
    return {rule: by_rule(doc, rule)[ACCOUNT]["status"] for rule in ROOT_RULES}


def test_root_with_virtual_mfa_and_no_keys(session: AwsSession, aws_rules: Any) -> None:
    assert _root(session, aws_rules, "root-mfa", "root-virtual") == {
        "iam-root-no-access-keys": "PASS", "iam-root-mfa-enabled": "PASS", "iam-root-hardware-mfa-enabled": "FAIL"}


def test_root_with_hardware_mfa(session: AwsSession, aws_rules: Any) -> None:
    assert _root(session, aws_rules, "root-mfa", "users-only")["iam-root-hardware-mfa-enabled"] == "PASS"


def test_root_without_mfa_and_with_access_keys(session: AwsSession, aws_rules: Any) -> None:
    assert _root(session, aws_rules, "root-exposed", "users-only") == {
        "iam-root-no-access-keys": "FAIL", "iam-root-mfa-enabled": "FAIL", "iam-root-hardware-mfa-enabled": "FAIL"}
