"""Failures: AccessDenied, throttling, unimplemented operations, no credentials, no endpoint.

Errors are injected on the real botocore client through event hooks, so the
scanner's own error handling runs unchanged.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from aws_helpers import by_rule, only_rules, scan

from auditor.aws.scan import ScanOptions, run_scan
from auditor.aws.session import AwsSession, SessionSettings
from auditor.core.context import RunContext
from auditor.core.errors import AwsSetupError, CollectionError


class _Response:
    """The minimal HTTP response botocore needs from a short-circuiting hook."""

    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.raw = None
        self.content = b""
        self.text = ""


def deny(operation: str, code: str = "AccessDenied", status: int = 403) -> tuple[str, Any]:
    """A ``before-call`` hook answering ``operation`` with an error."""

    def hook(model: Any, **_: Any) -> Any:
        if model.name == operation:
            return _Response(status), {"Error": {"Code": code, "Message": "injected"},
                                       "ResponseMetadata": {"HTTPStatusCode": status}}
        return None

    return "before-call", hook


def _buckets() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    for name in ("zone-a-raw", "zone-b-raw"):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def test_access_denied_on_one_call_gives_error_findings_naming_it(aws: None, aws_rules: Any) -> None:
    _buckets()
    prepared = only_rules(aws_rules, "s3-bucket-denies-insecure-transport", "s3-bucket-versioning-enabled")
    doc = scan(prepared, aws_event_hooks=[deny("GetBucketPolicy")])
    tls = by_rule(doc, "s3-bucket-denies-insecure-transport")
    assert {f["status"] for f in tls.values()} == {"ERROR"}
    assert all("GetBucketPolicy: AccessDenied" in f["message"] for f in tls.values())
    # The rest of the scan goes on: versioning is judged normally.
    assert {f["status"] for f in by_rule(doc, "s3-bucket-versioning-enabled").values()} == {"PASS"}
    assert doc["summary"]["by_status"]["ERROR"] == 2


def test_listing_denied_gives_one_error_per_rule_on_the_account(aws: None, aws_rules: Any) -> None:
    _buckets()
    prepared = only_rules(aws_rules, "s3-bucket-versioning-enabled", "kms-cmk-rotation-enabled")
    boto3.client("kms", region_name="us-east-1").create_key()
    doc = scan(prepared, aws_event_hooks=[deny("ListBuckets")])
    errors = [f for f in doc["findings"] if f["status"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["rule_id"] == "s3-bucket-versioning-enabled"
    assert errors[0]["resource_id"] == "arn:aws:iam::123456789012:root"
    assert "ListBuckets: AccessDenied" in errors[0]["message"]
    assert by_rule(doc, "kms-cmk-rotation-enabled")  # KMS still scanned


def test_throttling_after_retries_is_an_error_finding(aws: None, aws_rules: Any) -> None:
    kms = boto3.client("kms", region_name="us-east-1")
    kms.create_key()
    session = AwsSession(SessionSettings(max_attempts=2))
    attempts: list[str] = []

    def throttle(request: Any, **_: Any) -> Any:
        # before-send runs on every attempt, so botocore's retry handler sees each throttle.
        from botocore.awsrequest import AWSResponse

        if request.headers.get("X-Amz-Target", b"").endswith(b"GetKeyRotationStatus"):
            attempts.append("x")
            body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
            return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))
        return None

    session._boto.events.register_first("before-send.kms", throttle)
    doc = scan(only_rules(aws_rules, "kms-cmk-rotation-enabled"), aws_session=session)
    [finding] = by_rule(doc, "kms-cmk-rotation-enabled").values()
    assert finding["status"] == "ERROR"
    assert "GetKeyRotationStatus: ThrottlingException" in finding["message"]
    assert len(attempts) == 2  # retried up to max_attempts, then reported


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body

    def read(self, *_: Any) -> bytes:
        return self.body


def test_unimplemented_operation_is_named(aws: None, aws_rules: Any) -> None:
    doc = scan(only_rules(aws_rules, "iam-access-analyzer-enabled"))
    [finding] = by_rule(doc, "iam-access-analyzer-enabled").values()
    assert finding["status"] == "ERROR"
    assert "ListAnalyzers: NotImplemented" in finding["message"]


def test_no_credentials_fails_at_once(monkeypatch: pytest.MonkeyPatch, aws_rules: Any) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(AwsSetupError, match=r"no AWS credentials found .*; nothing was evaluated"):
        run_scan(only_rules(aws_rules, "kms-cmk-rotation-enabled"), ScanOptions(regions=["us-east-1"]))


def test_unreachable_endpoint_fails_with_one_clear_error(monkeypatch: pytest.MonkeyPatch, aws_rules: Any) -> None:
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(AwsSetupError, match=f"cannot reach AWS at http://127.0.0.1:{port}/ "):
        run_scan(only_rules(aws_rules, "kms-cmk-rotation-enabled"), ScanOptions(regions=["us-east-1"]),
                 RunContext())


def test_rejected_credentials(aws: None, aws_rules: Any) -> None:
    doc_hooks = [deny("GetCallerIdentity", "InvalidClientTokenId")]
    with pytest.raises(AwsSetupError, match="AWS rejected the credentials: GetCallerIdentity: InvalidClientTokenId"):
        scan(only_rules(aws_rules, "kms-cmk-rotation-enabled"), aws_event_hooks=doc_hooks)


def test_other_identity_failures_are_not_configuration(aws: None, aws_rules: Any) -> None:
    """Only credentials and reachability are configuration (exit 2): anything else stays exit 3."""
    with pytest.raises(CollectionError, match="GetCallerIdentity: Throttling") as caught:
        scan(only_rules(aws_rules, "kms-cmk-rotation-enabled"), aws_event_hooks=[deny("GetCallerIdentity", "Throttling", 400)])
    assert not isinstance(caught.value, AwsSetupError) and caught.value.exit_code == 3


def test_only_needed_services_are_called(aws: None, aws_rules: Any) -> None:
    boto3.client("kms", region_name="us-east-1").create_key()
    doc = scan(only_rules(aws_rules, "kms-cmk-rotation-enabled"))
    services = {op.split(":")[0] for op in doc["attachments"]["aws"]["api_calls"]}
    assert services == {"sts", "kms"}


def test_each_call_is_made_once_per_resource(aws: None, aws_rules: Any) -> None:
    _buckets()
    doc = scan(only_rules(aws_rules, "s3-bucket-versioning-enabled", "s3-bucket-mfa-delete-enabled",
                          "s3-cloudtrail-bucket-versioned", "s3-cloudtrail-bucket-access-logging"))
    calls = doc["attachments"]["aws"]["api_calls"]
    # Three rules read Versioning of two buckets: two GetBucketVersioning calls, not six.
    assert calls["s3:GetBucketVersioning"] == 2
    assert calls["s3:ListBuckets"] == 1
    # No bucket receives CloudTrail logs: the logging rule is out of scope everywhere, so no call.
    assert "s3:GetBucketLogging" not in calls


def test_disabled_opt_in_region_errors_there_and_scans_the_rest(aws: None, aws_rules: Any) -> None:
    """A region the account has not opted into answers UnrecognizedClientException to everything."""
    boto3.client("kms", region_name="us-east-1").create_key()

    def disabled_region(model: Any, request_signer: Any = None, **_: Any) -> Any:
        if request_signer is not None and request_signer.region_name == "ap-east-1":
            return _Response(400), {"Error": {"Code": "UnrecognizedClientException", "Message": "injected"},
                                    "ResponseMetadata": {"HTTPStatusCode": 400}}
        return None

    prepared = only_rules(aws_rules, "kms-cmk-rotation-enabled", "securityhub-enabled")
    doc = scan(prepared, ["us-east-1", "ap-east-1"], aws_event_hooks=[("before-call", disabled_region)])
    kms = by_rule(doc, "kms-cmk-rotation-enabled")
    assert {f["status"] for f in kms.values()} == {"FAIL", "ERROR"}
    [kms_error] = [f for f in kms.values() if f["status"] == "ERROR"]
    assert kms_error["region"] == "ap-east-1" and "ListKeys: UnrecognizedClientException" in kms_error["message"]
    hub = by_rule(doc, "securityhub-enabled")
    assert hub["arn:aws:ec2:ap-east-1:123456789012:region/ap-east-1"]["status"] == "ERROR"
    assert hub["arn:aws:ec2:us-east-1:123456789012:region/us-east-1"]["status"] == "FAIL"


def test_trail_status_denied_makes_account_level_trail_rules_error_not_fail(aws: None, aws_rules: Any) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="trail-logs")
    ct = boto3.client("cloudtrail", region_name="us-east-1")
    ct.create_trail(Name="main", S3BucketName="trail-logs", IsMultiRegionTrail=True)
    ct.start_logging(Name="main")
    account_rules = [r.id for r in aws_rules.rules if r.resource == "aws.account" and "Trails" in r.roots()]
    assert account_rules, "expected account-level trail rules (CIS 4.1, 4.8, 4.9)"
    doc = scan(only_rules(aws_rules, *account_rules), aws_event_hooks=[deny("GetTrailStatus")])
    statuses = {f["rule_id"]: f["status"] for f in doc["findings"]}
    assert set(statuses.values()) == {"ERROR"}, statuses
    assert all("GetTrailStatus: AccessDenied" in f["message"] for f in doc["findings"])


def test_macie_not_enabled_is_a_fail_but_a_real_denial_is_an_error(aws: None, aws_rules: Any) -> None:
    """AWS answers GetMacieSession for a disabled Macie with AccessDeniedException "Macie is not enabled"."""

    def answer(message: str) -> tuple[str, Any]:
        def hook(model: Any, **_: Any) -> Any:
            if model.name == "GetMacieSession":
                return _Response(403), {"Error": {"Code": "AccessDeniedException", "Message": message},
                                        "ResponseMetadata": {"HTTPStatusCode": 403}}
            return None
        return "before-call", hook

    prepared = only_rules(aws_rules, "macie-enabled")
    region = "arn:aws:ec2:us-east-1:123456789012:region/us-east-1"
    off = by_rule(scan(prepared, aws_event_hooks=[answer("Macie is not enabled.")]), "macie-enabled")[region]
    assert off["status"] == "FAIL" and "DISABLED" in off["message"]
    denied = by_rule(scan(prepared, aws_event_hooks=[answer("User is not authorized")]), "macie-enabled")[region]
    assert denied["status"] == "ERROR" and "GetMacieSession: AccessDeniedException" in denied["message"]
