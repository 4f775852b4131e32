"""Each command writes to its own folder, records itself as ``run.command``, and never
overwrites another command's findings.json without ``--force``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.cli.common import claim_output_dir, default_output_dir
from auditor.core.errors import UsageError
from auditor.core.findings import RunInfo, document
from auditor.schemas import findings_errors


def _doc(command: str = "", run_id: str = "r1") -> dict[str, Any]:
    run = RunInfo(run_id, "2026-06-01T00:00:00Z", "2026-06-01T00:00:01Z", "0.1.0", "aws", command=command)
    return document(run, [], {})


def _findings(folder: Path, content: str | dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "findings.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def _help(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split()).replace("- ", "-")  # help text wraps at hyphens


@pytest.mark.parametrize(("command", "default"), [
    (["aws", "scan"], "[default: reports/aws-scan]"),
    (["data", "scan"], "[default: reports/data-scan]"),
    (["demo"], "[default: reports/demo]"),
    (["pipeline", "run"], "(default: reports/pipeline-NAME)"),
    (["report"], "(default: index.html beside the first FINDINGS"),
])
def test_each_command_has_its_own_default_folder(command: list[str], default: str) -> None:
    text = _help(*command)
    assert default in text
    if command != ["report"]:
        assert "reports already there are rewritten" in text and "--force" in text


def test_default_folder_of_a_command() -> None:
    assert default_output_dir("aws scan") == Path("reports/aws-scan")
    assert default_output_dir("data scan") == Path("reports/data-scan")


def test_run_command_is_optional_in_the_document() -> None:
    assert "command" not in _doc()["run"]
    assert _doc("aws scan")["run"]["command"] == "aws scan"
    assert findings_errors(_doc("aws scan")) == []
    bad = _doc()
    bad["run"]["command"] = 3
    assert findings_errors(bad) == ["run/command: 3 is not of type 'string'"]


def test_a_command_may_rewrite_its_own_folder(tmp_path: Path) -> None:
    assert claim_output_dir(tmp_path / "new", "aws scan") == tmp_path / "new"
    assert not (tmp_path / "new").exists()  # checking creates nothing
    _findings(tmp_path / "own", _doc("aws scan"))
    assert claim_output_dir(tmp_path / "own", "aws scan") == tmp_path / "own"


@pytest.mark.parametrize(("content", "who"), [
    (_doc("demo"), "'auditor demo'"),
    (_doc(), "another command (it is unreadable or does not record which)"),
    ('{"schema_version": "1", "run": {"command"', "another command (it is unreadable or does not record which)"),
    ("[]", "another command (it is unreadable or does not record which)"),
])
def test_another_commands_findings_are_kept_unless_forced(tmp_path: Path, content: Any, who: str) -> None:
    path = _findings(tmp_path / "out", content)
    with pytest.raises(UsageError) as caught:
        claim_output_dir(tmp_path / "out", "aws scan")
    assert str(caught.value) == (f"{path} was written by {who}; pass --force to overwrite it, "
                                 "or choose another --output-dir")
    assert claim_output_dir(tmp_path / "out", "aws scan", force=True) == tmp_path / "out"


def test_an_output_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(UsageError, match="exists and is not a directory"):
        claim_output_dir(tmp_path / "f", "aws scan")


def test_report_lands_beside_the_findings_it_renders(tmp_path: Path) -> None:
    findings = _findings(tmp_path / "reports" / "aws-scan", _doc())  # an older document: no run.command
    result = CliRunner().invoke(cli, ["report", str(findings), "--format", "html,json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "aws-scan" / "index.html").exists()
    assert json.loads(findings.read_text(encoding="utf-8"))["run"]["id"] == "r1"  # its one input, rewritten


def test_report_json_does_not_overwrite_another_commands_findings(tmp_path: Path) -> None:
    a = _findings(tmp_path / "a", _doc("aws scan", "aws-1"))
    b = _findings(tmp_path / "b", _doc("data scan", "data-1"))
    args = ["report", str(a), str(b), "-o", str(tmp_path / "a" / "index.html"), "--format", "html,json"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [f"error: {a} was written by 'auditor aws scan'; pass --force to "
                                           "overwrite it, or choose another --output-dir"]
    assert not (tmp_path / "a" / "index.html").exists()  # nothing written
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    merged = json.loads(a.read_text(encoding="utf-8"))
    assert merged["run"]["id"] == "aws-1+data-1" and merged["run"]["command"] == "report"


@pytest.mark.parametrize(("args", "folder"), [
    (["aws", "scan", "--region", "us-east-1"], "reports/aws-scan"),
    (["data", "scan", "landing/enroll.csv"], "reports/data-scan"),
    (["demo"], "reports/demo"),
])
def test_commands_refuse_another_commands_folder_before_any_work(args: list[str], folder: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _findings(tmp_path / folder, _doc("pipeline run registrar"))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {folder}/findings.json was written by 'auditor pipeline run "
                                          "registrar'; pass --force to overwrite it, or choose another --output-dir"]
    assert sorted(p.name for p in (tmp_path / folder).iterdir()) == ["findings.json"]
