"""``auditor baseline plan|apply|export`` and ``auditor templates lint`` from the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.core.mutes import load_mutelist


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _config(tmp_path: Path, **baseline: Any) -> str:
    path = tmp_path / "audit.yml"
    path.write_text(json.dumps({"version": 1, "baseline": {"alert_email": "ops@example.com", **baseline}}))
    return str(path)


@pytest.mark.slow
def test_plan_apply_plan(account: Any, tmp_path: Path) -> None:
    config = _config(tmp_path)
    plan = _run("baseline", "plan", "--config", config)
    assert plan.exit_code == 1
    assert "+ s3-bucket[registraroffice-landing] (create)" in plan.output
    dry = _run("baseline", "apply", "--config", config)
    assert dry.exit_code == 1 and "Dry run: nothing was changed" in dry.output
    assert account.client("s3").list_buckets()["Buckets"] == []
    done = _run("baseline", "apply", "--config", config, "--yes")
    assert done.exit_code == 0, done.output
    assert "After apply: Plan: 0 to create, 0 to update" in done.output
    again = _run("baseline", "plan", "--config", config)
    assert again.exit_code == 0
    assert again.output.strip().splitlines()[-1].startswith("Plan: 0 to create, 0 to update")
    account.client("s3").put_bucket_versioning(Bucket="registraroffice-raw",
                                               VersioningConfiguration={"Status": "Suspended"})
    drift = _run("baseline", "plan", "--config", config, "--json")
    assert drift.exit_code == 1
    assert json.loads(drift.output)["changes"] == [{"address": "s3-bucket-versioning[registraroffice-raw]",
                                                    "action": "update", "diffs": ['Status: "Suspended" -> "Enabled"'],
                                                    "notes": []}]


def test_config_error_is_exit_2_with_location(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["baseline", "plan", "--config", _config(tmp_path, budget_usd=-5)])
    assert result.exit_code == 2
    assert "baseline.budget_usd" in result.output and "configuration error" in result.output


def test_unknown_config_key_is_rejected(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["baseline", "plan", "--config", _config(tmp_path, budget=40)])
    assert result.exit_code == 2 and "budget" in result.output


def test_templates_lint_cli() -> None:
    result = _run("templates", "lint")
    assert result.exit_code == 0
    assert "IAM policy documents linted: no problems" in result.output


def test_export_to_file(tmp_path: Path) -> None:
    out = tmp_path / "baseline.json"
    result = _run("baseline", "export", "--format", "cloudformation", "-o", str(out))
    assert result.exit_code == 0 and f"wrote {out}" in result.output
    assert json.loads(out.read_text())["AWSTemplateFormatVersion"] == "2010-09-09"
    tf = _run("baseline", "export", "--format", "terraform")
    assert "aws_s3_bucket_replication_configuration" in json.loads(tf.output)["resource"]


def test_unreachable_endpoint_is_one_clear_line(monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")   # nothing listens on the discard port
    result = CliRunner().invoke(cli, ["baseline", "plan"])
    assert result.exit_code == 2  # configuration: nothing was read or changed
    assert result.stderr.splitlines() == [
        "error: cannot reach AWS at http://127.0.0.1:9/ (EndpointConnectionError; check AWS_ENDPOINT_URL, "
        "the region, and network or proxy access); nothing was read or changed"]


def test_wrong_account_is_refused(account: Any, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["baseline", "apply", "--yes", "--config",
                                      _config(tmp_path, account_id="999999999999")])
    assert result.exit_code == 2
    assert "account is 123456789012 but the baseline config names 999999999999" in result.output
    assert account.client("s3").list_buckets()["Buckets"] == []
    ok = _run("baseline", "plan", "--config", _config(tmp_path, account_id="123456789012"))
    assert ok.exit_code == 1


def test_mutelist_is_a_valid_mutelist_that_mutes_the_break_glass_policy(tmp_path: Path) -> None:
    result = _run("baseline", "mutelist", "--days", "30")
    assert result.exit_code == 0
    path = tmp_path / "accepted.yml"
    path.write_text(result.output)
    mutes = load_mutelist(path)
    entry, expired = mutes.lookup("iam-policy-no-full-admin", "arn:aws:iam::123456789012:group/"
                                  "registraroffice-break-glass-admins/inline-policy/baseline", date.today())
    assert entry is not None and expired is None
    other, _ = mutes.lookup("iam-policy-no-full-admin", "arn:aws:iam::123456789012:policy/legacy-admin", date.today())
    assert other is None
