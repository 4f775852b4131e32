"""The IaC scan through the CLI: exit codes, --baseline (new findings only), SARIF and gate annotations
pointing at the template line, mutelists, CDK cloud assemblies and nested stacks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from iac_helpers import FIXTURES, finding, line_of, scan

from auditor.cli import cli
from auditor.exit_gate import decide, github_annotations
from auditor.reporting.writers.sarif_writer import to_sarif

LAKE = FIXTURES / "cfn" / "lake.yaml"


def test_exit_codes_follow_the_gate(run_cli: Callable[..., Any]) -> None:
    result, doc = run_cli(str(LAKE), "--fail-on", "high")
    assert result.exit_code == 1, result.output  # high FAILs (versioning, admin policies)
    assert doc is not None and doc["run"]["kind"] == "iac" and doc["run"]["command"] == "iac scan"
    assert "read 17 resources from 1 file(s); 1 not evaluated (AWS::Lambda::Function 1)" in result.output
    result, _ = run_cli(str(LAKE), "--fail-on", "none")
    assert result.exit_code == 3  # ERROR findings fail closed
    result, _ = run_cli(str(LAKE), "--fail-on", "none", "--no-fail-on-error")
    assert result.exit_code == 0


def test_baseline_gates_on_new_findings_only(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    template = tmp_path / "infra" / "lake.yaml"  # the same path on the target branch and in the pull request
    template.parent.mkdir()
    shutil.copy(LAKE, template)
    main = tmp_path / "main.json"
    result, doc = run_cli(str(template), "--fail-on", "none", "--no-fail-on-error")
    main.write_text(json.dumps(doc), encoding="utf-8")
    # The same templates against their own findings: nothing new, the gate passes.
    result, _ = run_cli(str(template), "--baseline", str(main), "--fail-on", "high", "--no-fail-on-error", "--force")
    assert result.exit_code == 0, result.output
    assert f"new FAIL findings since {main}: 0" in result.output
    # A pull request that suspends the landing bucket's versioning: exactly that is new.
    template.write_text(LAKE.read_text(encoding="utf-8").replace("!If [IsProd, Enabled, Suspended]", "Suspended"),
                        encoding="utf-8")
    result, doc = run_cli(str(template), "--baseline", str(main), "--fail-on", "high", "--no-fail-on-error", "--force")
    assert result.exit_code == 1
    assert f"new FAIL findings since {main}: 1" in result.output


def test_sarif_and_annotations_point_at_the_template_line(tmp_path: Path, monkeypatch: Any) -> None:
    work = tmp_path / "repo"
    (work / "infra").mkdir(parents=True)
    shutil.copy(LAKE, work / "infra" / "lake.yaml")
    monkeypatch.chdir(work)
    doc = scan(Path("infra/lake.yaml"))
    raw_line = line_of(work / "infra" / "lake.yaml", "  RawBucket:")
    sarif = to_sarif(doc)
    (result,) = [r for r in sarif["runs"][0]["results"]
                 if r["ruleId"] == "s3-bucket-versioning-enabled" and r["level"] == "error"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "infra/lake.yaml", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": raw_line, "startColumn": 3}}
    gate = decide(doc, fail_on="high", allow_errors=True)
    lines = [a for a in github_annotations(gate, max_list=50) if "s3-bucket-versioning-enabled" in a]
    assert lines == [f"::error title=s3-bucket-versioning-enabled (high),file=infra/lake.yaml,line={raw_line},col=3"
                     "::arn:aws:s3:::registrar-prod-raw: registrar-prod-raw has versioning Suspended"]


def test_gate_command_annotates_iac_findings_at_their_line(run_cli: Callable[..., Any], tmp_path: Path,
                                                           monkeypatch: Any) -> None:
    monkeypatch.chdir(LAKE.parent)  # a path relative to the working tree, as in CI
    result, doc = run_cli("lake.yaml", "--fail-on", "none", "--no-fail-on-error", "--format", "json,sarif")
    assert result.exit_code == 0 and doc is not None
    gate = CliRunner().invoke(cli, ["gate", str(tmp_path / "out" / "findings.json"), "--fail-on", "high",
                                    "--annotations", "github", "--allow-errors", "--max-list", "50"])
    assert gate.exit_code == 1
    raw_line = line_of(LAKE, "  RawBucket:")
    assert f"::error title=s3-bucket-versioning-enabled (high),file=lake.yaml,line={raw_line},col=3::" in gate.output
    assert (tmp_path / "out" / "findings.sarif").exists()


def test_mutelist_of_the_account_scan_applies(tmp_path: Path) -> None:
    mutes = tmp_path / "mutes.yml"
    mutes.write_text("version: 1\nmutes:\n  - rule: iam-policy-no-full-admin\n"
                     "    resource: 'arn:aws:iam::*:user/analyst/inline-policy/*'\n"
                     "    reason: Break-glass analyst (RISK-1)\n    owner: sec@example.org\n    expires: 2026-12-31\n",
                     encoding="utf-8")
    doc = scan(LAKE, mutelist=mutes)
    assert finding(doc, "iam-policy-no-full-admin", "user/analyst/inline-policy/everything")["status"] == "MUTED"


def test_cdk_cloud_assembly_is_read_as_its_templates_with_nested_stacks() -> None:
    doc = scan(FIXTURES / "cdk.out")
    files = [(Path(f["path"]).name, f["kind"]) for f in doc["attachments"]["iac"]["files"]]
    assert files == [("RegistrarStack.template.json", "cloudformation"),
                     ("RegistrarStackAuditNestedABCD1234.nested.template.json", "cloudformation-nested")]
    assert finding(doc, "s3-bucket-denies-insecure-transport", "registrar-cdk-raw")["status"] == "PASS"
    trail = finding(doc, "cloudtrail-log-file-validation-enabled", "AuditTrail22223333")
    assert trail["status"] == "FAIL"
    assert trail["location"]["address"] == "AuditNestedStackNestedStackResourceABCD1234/AuditTrail22223333"
    # The nested trail delivers to the nested bucket: it is the CloudTrail bucket.
    assert finding(doc, "s3-cloudtrail-bucket-versioned", "AuditTrailBucketEEEE1111")["status"] == "PASS"
    assert doc["attachments"]["iac"]["not_evaluated_types"] == {"AWS::CDK::Metadata": 1}


def test_folder_walk_reads_templates_and_skips_the_rest(tmp_path: Path) -> None:
    infra = tmp_path / "infra"
    (infra / ".hidden").mkdir(parents=True)
    shutil.copy(LAKE, infra / "lake.yaml")
    (infra / "workflow.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    (infra / "package.json").write_text('{"name": "x"}', encoding="utf-8")
    (infra / ".hidden" / "lake.yaml").write_text(LAKE.read_text(encoding="utf-8"), encoding="utf-8")
    (infra / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    doc = scan(infra)
    assert [Path(f["path"]).name for f in doc["attachments"]["iac"]["files"]] == ["lake.yaml"]
    assert any("1 Terraform HCL (.tf) file(s) not read" in w for w in doc["run"]["warnings"])


def test_documented_command_lines_parse() -> None:
    """Every ``auditor iac scan`` line of docs/iac.md is accepted by the real command."""
    import re
    import shlex

    import click

    doc = (Path(__file__).resolve().parents[2] / "docs" / "iac.md").read_text(encoding="utf-8")
    lines = re.findall(r"^(?:terraform .*&& )?(auditor iac scan .*)$", doc, flags=re.M)
    assert len(lines) >= 4
    group = cli.get_command(click.Context(cli), "iac")
    assert isinstance(group, click.Group)
    command = group.get_command(click.Context(group), "scan")
    assert command is not None
    for line in lines:
        args = shlex.split(line)[3:]
        command.make_context("scan", args)  # raises click.UsageError on an unknown option
