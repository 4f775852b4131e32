"""``auditor run``: a config that cannot work is refused before any source runs (issue 13).

Before, a webhook URL with CR/LF failed in the notifier after the run folder was
written but before the history: an orphaned run, and ``internal error`` (exit 3).
An ``output_dir`` that named a file failed the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from reporting_synth import make_doc

from auditor.cli import cli
from auditor.scheduler.notify import Alert, notify

SECRET = "https://hooks.example.org/services/T000/B000/SECRETTOKEN"


def _config(tmp_path: Path, **schedule: Any) -> Path:
    findings = tmp_path / "in" / "scan.json"
    findings.parent.mkdir(exist_ok=True)
    findings.write_text(json.dumps(make_doc(seed=1, n_buckets=3, run_id="scan1")), encoding="utf-8")
    schedule.setdefault("output_dir", str(tmp_path / "runs"))
    schedule.setdefault("sources", {"findings": {"paths": [str(findings)]}})
    path = tmp_path / "audit.yml"
    path.write_text(yaml.safe_dump({"version": 1, "schedule": schedule}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("webhook", "problem"), [
    (SECRET + "\r\nX-Injected: 1", "the URL contains a line break or another control character"),
    (SECRET + "\n", "the URL contains a line break or another control character"),
    ("https://hooks.example.org/a b", "the URL contains a space"),
    ("https://", "not an http(s) URL with a host"),
])
def test_bad_webhook_is_a_config_error_before_anything_runs(tmp_path: Path, webhook: str, problem: str) -> None:
    cfg = _config(tmp_path, notify={"min_severity": "low", "webhook": webhook})
    res = CliRunner().invoke(cli, ["run", "--config", str(cfg)])
    assert res.exit_code == 2, res.output
    assert f"schedule.notify.webhook: {problem}" in res.output
    assert "SECRETTOKEN" not in res.output  # a webhook URL is a secret
    assert res.output.strip().splitlines()[-1] == "1 configuration error; nothing was evaluated."
    assert not (tmp_path / "runs").exists()  # no run folder without its history


def test_output_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "somefile").write_text("x")
    cfg = _config(tmp_path, output_dir=str(tmp_path / "somefile"))
    res = CliRunner().invoke(cli, ["run", "--config", str(cfg)])
    assert res.exit_code == 2
    assert res.output == f"error: {cfg}: schedule.output_dir {tmp_path / 'somefile'}: exists and is not a directory\n"
    res = CliRunner().invoke(cli, ["run", "--config", str(_config(tmp_path)), "--output-dir",
                                   str(tmp_path / "somefile" / "runs")])
    assert res.exit_code == 2
    assert res.output == (f"error: --output-dir {tmp_path / 'somefile' / 'runs'}: {tmp_path / 'somefile'} "
                          "is a file, not a directory\n")


def test_notifier_reports_an_invalid_url_without_raising() -> None:
    # Defence in depth behind the config check: the run still records its history.
    alert = Alert("s", "t", {"text": "t"})
    done, problems = notify(alert, {"webhook": "http://127.0.0.1:9/x\r\nX-Injected: 1"})
    assert done == [] and problems == ["webhook notification failed: InvalidURL"]
