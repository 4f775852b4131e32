"""``auditor aws scan`` and ``auditor permissions`` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.schemas import findings_errors


@pytest.mark.slow
def test_scan_writes_valid_findings_and_exits_3_on_errors(aws: None, tmp_path: Path) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="registraroffice-raw")
    result = CliRunner().invoke(cli, ["aws", "scan", "--region", "us-east-1", "--output-dir", str(tmp_path)])
    doc = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert findings_errors(doc) == []
    versioning = [f for f in doc["findings"] if f["rule_id"] == "s3-bucket-versioning-enabled"]
    assert [f["status"] for f in versioning] == ["FAIL"]
    # moto does not emulate Access Analyzer: ERROR findings -> exit 3 (fail closed) ...
    assert result.exit_code == 3, result.output
    # ... unless the user accepts errors (both spellings); an explicit true keeps failing closed.
    for flags, code in ((["--no-fail-on-error"], 0), (["--fail-on-error=false"], 0), (["--fail-on-error=true"], 3),
                        (["--fail-on-error"], 3)):
        again = CliRunner().invoke(cli, ["aws", "scan", "--region", "us-east-1", "--output-dir", str(tmp_path), *flags])
        assert again.exit_code == code, (flags, again.output)


def test_scan_without_endpoint_is_one_line(monkeypatch: object, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(cli, ["aws", "scan", "--region", "us-east-1", "--output-dir", str(tmp_path)],
                                env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"})
    assert result.exit_code == 2  # a configuration problem: nothing could be evaluated
    assert result.stderr.splitlines() == [
        f"error: cannot reach AWS at http://127.0.0.1:{port}/ (EndpointConnectionError; check AWS_ENDPOINT_URL, "
        "the region, and network or proxy access); nothing was evaluated"]
    assert not (tmp_path / "findings.json").exists()


@pytest.mark.slow
def test_scan_writes_to_its_own_folder_and_records_the_command(aws: None, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["aws", "scan", "--region", "us-east-1", "--no-fail-on-error", "--format", "json,html"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    doc = json.loads((tmp_path / "reports/aws-scan/findings.json").read_text(encoding="utf-8"))
    assert doc["run"]["command"] == "aws scan" and findings_errors(doc) == []
    assert (tmp_path / "reports/aws-scan/index.html").exists()
    again = CliRunner().invoke(cli, args)  # the same command re-run over its own folder: overwritten silently
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["aws-scan"]


def test_permissions_prints_policy() -> None:
    result = CliRunner().invoke(cli, ["permissions"])
    assert result.exit_code == 0
    policy = json.loads(result.output)
    assert "s3:GetEncryptionConfiguration" in policy["Statement"][0]["Action"]


@pytest.mark.slow
def test_config_overrides_the_budget_param(aws: None, tmp_path: Path) -> None:
    """The run config changes a rule's threshold: the demo's 100 USD billing alarm is over a 40 USD
    budget (FAIL) but within a 150 USD one (PASS)."""
    from auditor.aws.seed_demo import seed_demo_account

    seed_demo_account()
    rules = Path(__file__).parents[2] / "rules" / "aws" / "account.yml"
    config = tmp_path / "audit.yml"
    config.write_text("version: 1\nrules:\n  billing-alarm-within-budget:\n    params: {budget_usd: 150}\n")

    def status(*extra: str) -> str:
        out = tmp_path / "out"
        CliRunner().invoke(cli, ["aws", "scan", "--region", "us-east-1", "--rules", str(rules), "--output-dir", str(out),
                                 "--no-fail-on-error", *extra])
        doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
        (billing,) = [f for f in doc["findings"] if f["rule_id"] == "billing-alarm-within-budget"]
        return str(billing["status"])

    assert status() == "FAIL"
    assert status("--config", str(config)) == "PASS"
