"""``auditor aws scan --organization``: several moto accounts, one findings document.

moto selects an account's backend by the access key a request is signed with: the
credentials STS AssumeRole hands out for ``arn:aws:iam::<id>:role/...`` belong to
account ``<id>``, so each member's scan really reads that member's resources.
moto lets every AssumeRole succeed; a refused one is injected with a botocore hook.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_helpers import only_rules
from click.testing import CliRunner
from test_aws_errors import _Response

from auditor.aws.scan import ScanOptions, run_scan
from auditor.aws.scan_options import OrgOptions
from auditor.cli import cli
from auditor.core.context import RunContext
from auditor.schemas import findings_errors

MANAGEMENT = "123456789012"
RULES = ("s3-bucket-versioning-enabled", "iam-root-no-access-keys", "kms-cmk-rotation-enabled")


def _member_session(account: str) -> Any:
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name="us-east-1")


def _organization(members: int = 3) -> list[str]:
    """An organization of ``members`` accounts; member i owns bucket ``m<i>-raw`` (versioned when i is even)."""
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = [org.create_account(Email=f"m{i}@example.org", AccountName=f"member-{i}")["CreateAccountStatus"]["AccountId"]
           for i in range(members)]
    for i, account in enumerate(ids):
        s3 = _member_session(account).client("s3")
        s3.create_bucket(Bucket=f"m{i}-raw")
        if i % 2 == 0:
            s3.put_bucket_versioning(Bucket=f"m{i}-raw", VersioningConfiguration={"Status": "Enabled"})
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="mgmt-raw")
    return ids


def _scan(prepared: Any, org: OrgOptions, hooks: list[tuple[str, Any]] | None = None) -> dict[str, Any]:
    ctx = RunContext(services={"aws_event_hooks": hooks or []})
    return run_scan(prepared, ScanOptions(regions=["us-east-1"], max_attempts=2, organization=org), ctx)


def _refuse_assume(account: str) -> tuple[str, Any]:
    """A ``before-call`` hook refusing AssumeRole into ``account`` (moto never refuses)."""

    def hook(model: Any, params: Any, **_: Any) -> Any:
        if model.name == "AssumeRole" and f":{account}:" in str(params.get("body", {}).get("RoleArn", "")):
            return _Response(403), {"Error": {"Code": "AccessDenied", "Message": "not authorized"},
                                    "ResponseMetadata": {"HTTPStatusCode": 403}}
        return None

    return "before-call", hook


@pytest.mark.slow
def test_every_active_account_is_scanned_and_every_finding_names_its_account(aws: None, aws_rules: Any) -> None:
    ids = _organization(3)
    doc = _scan(only_rules(aws_rules, *RULES), OrgOptions())
    assert findings_errors(doc) == []
    assert all(f.get("account") for f in doc["findings"])
    versioning = {f["resource_id"]: (f["account"], f["status"]) for f in doc["findings"]
                  if f["rule_id"] == "s3-bucket-versioning-enabled"}
    # Each member's bucket is judged in that member's scan, and only there.
    assert versioning == {"arn:aws:s3:::m0-raw": (ids[0], "PASS"), "arn:aws:s3:::m1-raw": (ids[1], "FAIL"),
                          "arn:aws:s3:::m2-raw": (ids[2], "PASS"), "arn:aws:s3:::mgmt-raw": (MANAGEMENT, "FAIL")}
    root = {f["account"]: f["resource_id"] for f in doc["findings"] if f["rule_id"] == "iam-root-no-access-keys"}
    assert root == {a: f"arn:aws:iam::{a}:root" for a in [MANAGEMENT, *ids]}
    org = doc["attachments"]["aws"]["organization"]
    assert org["scanned"] == 4 and org["failed"] == 0
    assert doc["run"]["account"] == MANAGEMENT
    # The caller's own account is scanned with its own credentials: one AssumeRole per member only.
    assert doc["attachments"]["aws"]["api_calls"]["sts:AssumeRole"] == 3
    roles = {e["id"]: e["role"] for e in org["accounts"]}
    assert roles[MANAGEMENT] == "caller credentials"
    assert roles[ids[1]] == f"arn:aws:iam::{ids[1]}:role/OrganizationAccountAccessRole"


@pytest.mark.slow
def test_an_account_whose_role_cannot_be_assumed_is_error_and_the_others_go_on(aws: None, aws_rules: Any) -> None:
    ids = _organization(3)
    prepared = only_rules(aws_rules, *RULES)
    doc = _scan(prepared, OrgOptions(max_parallel=2), hooks=[_refuse_assume(ids[1])])
    mine = [f for f in doc["findings"] if f["account"] == ids[1]]
    # One ERROR per rule, on the account, naming the role and the refusal: nothing is PASS.
    assert sorted(f["rule_id"] for f in mine) == sorted(RULES)
    assert {f["status"] for f in mine} == {"ERROR"}
    assert {f["resource_id"] for f in mine} == {f"arn:aws:iam::{ids[1]}:root"}
    assert all(f"cannot assume arn:aws:iam::{ids[1]}:role/OrganizationAccountAccessRole: AssumeRole: AccessDenied"
               in f["message"] for f in mine)
    others = Counter(f["account"] for f in doc["findings"] if f["status"] != "ERROR")
    assert set(others) == {MANAGEMENT, ids[0], ids[2]}
    assert doc["attachments"]["aws"]["organization"]["failed"] == 1


@pytest.mark.slow
def test_accounts_narrow_the_scan_and_an_unknown_id_is_an_error(aws: None, aws_rules: Any) -> None:
    ids = _organization(3)
    stranger = "999999999999"
    doc = _scan(only_rules(aws_rules, *RULES), OrgOptions(accounts=[ids[2], stranger]))
    assert {f["account"] for f in doc["findings"]} == {ids[2], stranger}
    unknown = [f for f in doc["findings"] if f["account"] == stranger]
    assert {f["status"] for f in unknown} == {"ERROR"}
    assert all("not a member of the organization" in f["message"] for f in unknown)
    assert doc["attachments"]["aws"]["api_calls"]["sts:AssumeRole"] == 1  # the stranger's role is never tried


@pytest.mark.slow
def test_suspended_accounts_are_not_scanned_but_listed(aws: None, aws_rules: Any) -> None:
    ids = _organization(2)
    boto3.client("organizations", region_name="us-east-1").close_account(AccountId=ids[0])
    doc = _scan(only_rules(aws_rules, *RULES), OrgOptions())
    assert {f["account"] for f in doc["findings"]} == {MANAGEMENT, ids[1]}
    assert [s["id"] for s in doc["attachments"]["aws"]["organization"]["skipped"]] == [ids[0]]


@pytest.mark.slow
def test_role_name_and_external_id_are_what_is_assumed(aws: None, aws_rules: Any) -> None:
    ids = _organization(1)
    seen: list[dict[str, Any]] = []

    def spy(model: Any, params: Any, **_: Any) -> None:
        if model.name == "AssumeRole":
            seen.append(dict(params.get("body", {})))

    doc = _scan(only_rules(aws_rules, *RULES), OrgOptions(role_name="audit/Reader", external_id="ext-1234"),
                hooks=[("before-call", spy)])
    assert [(s["RoleArn"], s["ExternalId"]) for s in seen] == [(f"arn:aws:iam::{ids[0]}:role/audit/Reader", "ext-1234")]
    assert {f["account"] for f in doc["findings"]} == {MANAGEMENT, ids[0]}


def test_outside_an_organization_is_a_usage_error(aws: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["aws", "scan", "--organization", "--region", "us-east-1",
                                      "--output-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "not in an AWS Organization" in result.stderr
    assert not (tmp_path / "findings.json").exists()


def test_organizations_not_in_use_is_a_usage_error(aws: None, aws_rules: Any) -> None:
    from test_aws_errors import deny

    from auditor.core.errors import UsageError

    with pytest.raises(UsageError, match="not in an AWS Organization"):
        _scan(only_rules(aws_rules, *RULES), OrgOptions(),
              hooks=[deny("ListAccounts", "AWSOrganizationsNotInUseException", 400)])


def test_list_accounts_denied_stops_the_scan_naming_the_permission(aws: None, aws_rules: Any) -> None:
    from test_aws_errors import deny

    from auditor.core.errors import CollectionError

    _organization(1)
    with pytest.raises(CollectionError, match=r"ListAccounts: AccessDeniedException.*organizations:ListAccounts"):
        _scan(only_rules(aws_rules, *RULES), OrgOptions(), hooks=[deny("ListAccounts", "AccessDeniedException")])


@pytest.mark.parametrize("args", [["--role-name", "Audit"], ["--accounts", "111111111111"], ["--max-parallel", "2"],
                                  ["--processes", "2"]])
def test_organization_options_need_organization(args: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["aws", "scan", *args, "--output-dir", str(tmp_path)])
    assert result.exit_code == 2 and "need --organization" in result.output


def test_accounts_must_be_account_ids(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["aws", "scan", "--organization", "--accounts", "12345,abc",
                                      "--output-dir", str(tmp_path)])
    assert result.exit_code == 2 and "not a 12-digit AWS account id: 12345, abc" in result.output


@pytest.mark.slow
def test_cli_writes_one_valid_document_for_the_organization(aws: None, tmp_path: Path) -> None:
    ids = _organization(2)
    result = CliRunner().invoke(cli, ["aws", "scan", "--organization", "--max-parallel", "2", "--region", "us-east-1",
                                      "--output-dir", str(tmp_path), "--no-fail-on-error"])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert findings_errors(doc) == []
    assert {f["account"] for f in doc["findings"]} == {MANAGEMENT, *ids}


@pytest.mark.slow
def test_the_run_config_turns_organization_mode_on(aws: None, tmp_path: Path) -> None:
    from auditor.audit_run import default_rule_paths, prepare

    ids = _organization(2)
    config = tmp_path / "audit.yml"
    config.write_text(f'version: 1\naws:\n  organization:\n    accounts: ["{ids[1]}"]\n    max_parallel: 2\n',
                      encoding="utf-8")
    prepared = only_rules(prepare(default_rule_paths("aws"), config=config), *RULES)
    # No --organization: the config's aws.organization section alone decides, as the CLI passes it.
    doc = run_scan(prepared, ScanOptions(regions=["us-east-1"], config=prepared.config.section("aws")))
    assert {f["account"] for f in doc["findings"]} == {ids[1]}
    assert doc["attachments"]["aws"]["organization"]["max_parallel"] == 2


def test_a_single_account_scan_names_its_account_on_every_finding(aws: None, aws_rules: Any) -> None:
    from aws_helpers import scan

    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="solo-raw")
    doc = scan(only_rules(aws_rules, *RULES))
    assert doc["findings"] and {f["account"] for f in doc["findings"]} == {MANAGEMENT}
    assert "organization" not in doc["attachments"]["aws"]
    assert findings_errors(doc) == []


@pytest.fixture
def moto_server() -> Any:
    """moto's own server on 127.0.0.1 (worker processes cannot see an in-process mock)."""
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.slow
def test_worker_processes_give_the_same_document_as_threads(moto_server: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"AWS_ENDPOINT_URL": moto_server, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    org = boto3.client("organizations")
    org.create_organization(FeatureSet="ALL")
    ids = [org.create_account(Email=f"p{i}@example.org", AccountName=f"p{i}")["CreateAccountStatus"]["AccountId"]
           for i in range(3)]
    for i, account in enumerate(ids):
        _member_session(account).client("s3").create_bucket(Bucket=f"proc-{i}-raw")
    docs = {}
    for label, extra in (("threads", []), ("processes", ["--processes", "2"])):
        out = tmp_path / label
        result = CliRunner().invoke(cli, ["aws", "scan", "--organization", "--region", "us-east-1", "--output-dir",
                                          str(out), "--no-fail-on-error", "--max-parallel", "2", *extra], env=env)
        assert result.exit_code in (0, 1), result.output
        docs[label] = json.loads((out / "findings.json").read_text(encoding="utf-8"))

    def verdicts(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
        return [(f["rule_id"], f["resource_id"], f["account"], f["status"]) for f in doc["findings"]]

    assert verdicts(docs["processes"]) == verdicts(docs["threads"])
    assert {f["account"] for f in docs["processes"]["findings"]} == {MANAGEMENT, *ids}
    assert docs["processes"]["attachments"]["aws"]["organization"]["processes"] == 2
    assert docs["processes"]["attachments"]["aws"]["api_calls"]["sts:AssumeRole"] == 3
    assert findings_errors(docs["processes"]) == []


@pytest.mark.slow
def test_a_worker_process_that_fails_costs_only_its_accounts(aws_rules: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.aws.org_members import Member
    from auditor.aws.org_workers import scan_in_processes

    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    prepared = only_rules(aws_rules, *RULES)
    members = [Member("111111111111"), Member("222222222222")]
    # The workers build their session from the options: an unknown profile fails them both.
    results, calls = scan_in_processes(prepared, ScanOptions(profile="no-such-profile"),
                                       OrgOptions(processes=2, max_parallel=2), MANAGEMENT, "aws", members)
    assert calls == {}
    for member, (found, entry) in zip(members, results, strict=True):
        assert entry["status"] == "error" and "worker process failed" in entry["reason"]
        assert "no-such-profile" in entry["reason"]
        assert {f.status.value for f in found} == {"ERROR"} and {f.account for f in found} == {member.id}
        assert len(found) == len(RULES)
