"""The shipped CI examples and the pre-commit hook are well-formed and say what they promise."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_github_workflow_gates_uploads_sarif_and_runs_nightly() -> None:
    wf = yaml.safe_load((ROOT / "examples/ci/github-actions.yml").read_text(encoding="utf-8"))
    triggers = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key "on" as a boolean
    assert "pull_request" in triggers and triggers["schedule"][0]["cron"]
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    runs = " ".join(s.get("run", "") for s in steps)
    assert "auditor gate" in runs and "auditor run --config" in runs and "auditor rules validate" in runs
    assert wf["jobs"]["gate"]["permissions"]["security-events"] == "write"


def test_gitlab_job_gates_and_reports_junit() -> None:
    ci = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ci["auditor-gate"]["artifacts"]["reports"]["junit"] == "reports/out/junit.xml"
    assert any("auditor gate" in line for line in ci["auditor-gate"]["script"])
    assert ci["auditor-nightly"]["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "schedule"'


def test_pre_commit_hook_validates_rule_files() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "auditor-validate-rules")
    assert hook["entry"] == "auditor rules validate" and hook["language"] == "python"
    assert hook["files"].startswith("^rules/")
