"""``auditor pipeline list|runs|run`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from auditor.cli import cli


def test_list_names_both_pipelines() -> None:
    result = CliRunner().invoke(cli, ["pipeline", "list"])
    assert result.exit_code == 0
    assert "registrar" in result.output and "inquiries-311" in result.output
    assert "govtfinance/311inqvol/" in result.output and "registraroffice/enrollwithdraw/" in result.output


def test_run_then_runs_shows_the_history(tmp_path: Path) -> None:
    store, out = str(tmp_path / "lake"), str(tmp_path / "out")
    first = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", "--store", store, "--sample",
                                     "--output-dir", out])
    assert first.exit_code == 0, first.output
    assert "succeeded" in first.output and "channel_share:" in first.output
    doc = json.loads((tmp_path / "out/findings.json").read_text())
    assert doc["run"]["kind"] == "pipeline" and doc["attachments"]["pipelines"][0]["pipeline"] == "inquiries-311"
    again = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", "--store", store, "--output-dir", out])
    assert again.exit_code == 0 and "up to date" in again.output
    runs = CliRunner().invoke(cli, ["pipeline", "runs", "--store", store])
    assert runs.exit_code == 0
    lines = [line for line in runs.output.splitlines() if "inquiries-311" in line]
    assert len(lines) == 2 and "succeeded" in lines[0] and "up-to-date" in lines[1]


def test_runs_on_an_empty_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["pipeline", "runs", "--store", str(tmp_path)])
    assert result.exit_code == 0 and "no pipeline runs recorded" in result.output


def test_input_and_sample_are_exclusive(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("x")
    result = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", "--store", str(tmp_path / "l"),
                                      "--sample", "--input", str(f), "--output-dir", str(tmp_path / "o")])
    assert result.exit_code == 2 and "either --input FILE or --sample" in result.output


def test_unknown_config_setting_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yml"
    cfg.write_text("version: 1\npipelines:\n  inquiries-311: {outlier_treshold: 2}\n")
    result = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", "--store", str(tmp_path / "l"),
                                      "--sample", "--config", str(cfg), "--output-dir", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "outlier_treshold" in result.output
    assert not (tmp_path / "l").exists()  # validated before anything is landed


def test_run_writes_to_its_own_folder_and_keeps_another_commands(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", "--sample"])
    assert first.exit_code == 0, first.output
    own = tmp_path / "reports" / "pipeline-inquiries-311" / "findings.json"
    assert json.loads(own.read_text())["run"]["command"] == "pipeline run inquiries-311"
    # Another command's folder (the demo's) is not overwritten: one line, exit 2, nothing run.
    demo = tmp_path / "reports" / "demo" / "findings.json"
    demo.parent.mkdir()
    demo.write_text(json.dumps({"run": {"command": "demo"}}))
    refused = CliRunner().invoke(cli, ["pipeline", "run", "registrar", "--sample", "--output-dir", "reports/demo"])
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        "error: reports/demo/findings.json was written by 'auditor demo'; pass --force to overwrite it, "
        "or choose another --output-dir"]
    assert json.loads(demo.read_text()) == {"run": {"command": "demo"}}
    assert not (tmp_path / "lake" / "registraroffice").exists()
    forced = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", "--output-dir", "reports/demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert json.loads(demo.read_text())["run"]["command"] == "pipeline run inquiries-311"
