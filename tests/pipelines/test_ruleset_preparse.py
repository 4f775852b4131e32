"""A pipeline's DQDL rulesets are parsed before anything runs: `file:line:col: message`, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from auditor.cli import cli
from auditor.core.errors import ConfigError
from auditor.data.quality import parse_ruleset
from auditor.pipelines.pipeline_run import default_settings
from auditor.pipelines.rulesets import check_rulesets, in_yaml_block

BROKEN = 'Rules = [\n  IsComplete "department",\n  ColumnValues "records" betwen 0 and 9\n]\n'


@pytest.mark.parametrize("pipeline", ["inquiries-311", "registrar"])
def test_broken_ruleset_file_stops_the_run_before_the_store_is_touched(tmp_path: Path, pipeline: str) -> None:
    dqdl = tmp_path / "broken.dqdl"
    dqdl.write_text(BROKEN, encoding="utf-8")
    cfg = tmp_path / "c.yml"
    cfg.write_text(f"version: 1\npipelines:\n  {pipeline}: {{quality_ruleset: {dqdl}}}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["pipeline", "run", pipeline, "--store", str(tmp_path / "lake"), "--sample",
                                      "--config", str(cfg), "--output-dir", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.strip()]
    assert errors[0].startswith(f"{dqdl}:3:26: expected a comparison"), result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "lake").exists()  # nothing landed, nothing in Raw


def test_shipped_rulesets_parse() -> None:
    for pipeline in ("inquiries-311", "registrar"):
        check_rulesets(pipeline, default_settings(pipeline), {})


def test_a_default_ruleset_error_points_into_its_pipeline_yml() -> None:
    settings = {**default_settings("registrar"), "quality_ruleset": BROKEN}
    with pytest.raises(ConfigError) as info:
        check_rulesets("registrar", settings, {})
    (problem,) = info.value.problems
    assert problem.path.endswith("registrar/pipeline.yml")


def test_block_position_maps_to_the_yaml_line_and_column(tmp_path: Path) -> None:
    text = "# settings\non_quality_failure: block\nquality_ruleset: |\n    " + BROKEN.replace("\n", "\n    ")
    ruleset = yaml.safe_load(text)["quality_ruleset"]
    with pytest.raises(ConfigError) as info:
        parse_ruleset(ruleset)
    moved = in_yaml_block(info.value.problems[0], text, "quality_ruleset", "p.yml")
    lines = text.splitlines()
    assert (moved.path, moved.line, moved.col) == ("p.yml", 6, 30)
    assert lines[moved.line - 1][moved.col - 1:].startswith("betwen")
    assert str(moved).startswith("p.yml:6:30: expected a comparison")


def test_pipeline_quality_gate_reads_its_own_history(tmp_path: Path) -> None:
    """Dynamic rules compare with the pipeline's earlier runs: their quality metrics, read
    back from the lineage manifests in the store."""
    from auditor.pipelines.promotion_checks import quality_history
    from auditor.pipelines.store import open_store

    store = tmp_path / "lake"
    assert quality_history(open_store(store), "inquiries-311").runs == []
    res = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", "--store", str(store), "--sample",
                                   "--output-dir", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    runs = quality_history(open_store(store), "inquiries-311").runs
    assert len(runs) == 1 and runs[0]["metrics"]
