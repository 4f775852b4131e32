"""Plugins through entry points: a package adds a pipeline and a writer without touching auditor/,
and a broken or clashing plugin stops the command, naming its distribution and entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Install

from auditor.cli import cli
from auditor.core.entry_points import PluginError
from auditor.data.quality.registry import get_rule_type, load_rule_types
from auditor.iac.read import read_change
from auditor.iac.readers import load_readers
from auditor.pipelines.pipeline_registry import get_pipeline, load_pipelines, pipeline_names
from auditor.pipelines.pipeline_run import run_pipeline
from auditor.reporting.writers import load_writers


@pytest.mark.usefixtures("fresh_plugins")
def test_the_built_ins_are_entry_points_of_auditor_itself() -> None:
    assert pipeline_names() == ["inquiries-311", "registrar"]
    assert load_pipelines().names() == ["inquiries-311", "registrar"]
    assert {"json", "html", "sarif", "junit", "csv", "ocsf", "gitlab"} <= set(load_writers().names())
    assert get_rule_type("IsComplete").name == "IsComplete"


@pytest.mark.usefixtures("sample_plugin")
def test_a_plugin_pipeline_is_listed() -> None:
    result = CliRunner().invoke(cli, ["pipeline", "list"])
    assert result.exit_code == 0, result.output
    assert "colour-counts  colours (.csv) -> rows per colour" in result.output
    assert "zones under plugins/colours/" in result.output and "registrar" in result.output


@pytest.mark.usefixtures("sample_plugin")
def test_a_plugin_pipeline_runs_and_a_plugin_writer_writes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["pipeline", "run", "colour-counts", "--sample", "--store", str(tmp_path / "lake"),
                                      "--output-dir", str(out), "--format", "json,markdown"])
    assert result.exit_code == 0, result.output
    assert "colour-counts run" in result.output and "succeeded" in result.output
    assert "colour_counts: 2 rows" in result.output
    doc = json.loads((out / "findings.json").read_text())
    assert doc["attachments"]["pipelines"][0]["pipeline"] == "colour-counts"
    assert doc["attachments"]["pipelines"][0]["metrics"]["colour_counts"] == [{"colour": "red", "n": 2},
                                                                             {"colour": "blue", "n": 1}]
    markdown = (out / "findings.md").read_text()
    assert markdown.startswith("# Findings\n") and "colour-counts" in markdown


@pytest.mark.usefixtures("sample_plugin")
def test_a_plugin_pipeline_reads_its_own_package_files(tmp_path: Path) -> None:
    pipe = get_pipeline("colour-counts")
    assert pipe.settings_file().name == "pipeline.yml"
    assert "IsComplete" in pipe.default_settings()["quality_ruleset"]
    result = run_pipeline("colour-counts", tmp_path / "lake", sample=True)
    assert result.status == "succeeded" and result.exit_code == 0


NOTES_READER = """
from auditor.iac.readers import IacReader

class NotesReader(IacReader):
    kind = "notes"

    @classmethod
    def claims(cls, path, text):
        return path.name.endswith(".notes.json")

    def read(self, item):
        self.change.files.append({"path": str(item.path), "kind": self.kind})
"""


def test_a_plugin_iac_reader_reads_the_files_it_claims(install: Install, tmp_path: Path) -> None:
    install("auditor-notes", {"auditor.iac_readers": {"notes": "auditor_notes:NotesReader"}},
            modules={"auditor_notes.py": NOTES_READER})
    notes = tmp_path / "infra.notes.json"
    notes.write_text("{}", encoding="utf-8")
    assert read_change([notes], {}).files == [{"path": str(notes), "kind": "notes"}]


def test_a_plugin_iac_reader_named_unlike_its_kind_stops(install: Install) -> None:
    install("auditor-notes", {"auditor.iac_readers": {"memo": "auditor_notes:NotesReader"}},
            modules={"auditor_notes.py": NOTES_READER})
    with pytest.raises(PluginError, match="the reader's kind is 'notes'"):
        load_readers()


def test_a_plugin_that_fails_to_import_stops_naming_it(install: Install) -> None:
    install("auditor-broken", {"auditor.writers": {"broken": "auditor_broken_writer:write"}},
            modules={"auditor_broken_writer.py": "import auditor_no_such_module\n"})
    with pytest.raises(PluginError) as caught:
        load_writers()
    text = str(caught.value)
    assert "entry point 'broken = auditor_broken_writer:write' of distribution 'auditor-broken'" in text
    assert "(group 'auditor.writers') failed to load" in text and "auditor_no_such_module" in text


def test_a_plugin_that_fails_to_import_fails_the_cli_command(install: Install, tmp_path: Path) -> None:
    install("auditor-broken", {"auditor.writers": {"broken": "auditor_broken_writer:write"}},
            modules={"auditor_broken_writer.py": "raise RuntimeError('boom')\n"})
    result = CliRunner().invoke(cli, ["pipeline", "run", "inquiries-311", "--sample", "--store", str(tmp_path / "lake"),
                                      "--output-dir", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "distribution 'auditor-broken'" in result.output and "RuntimeError: boom" in result.output


def test_a_plugin_pipeline_with_a_taken_name_stops_naming_both(install: Install) -> None:
    install("auditor-clash", {"auditor.pipelines": {"registrar": "auditor_clash:Registrar"}},
            modules={"auditor_clash.py": "from auditor.pipelines.registrar.pipeline import Registrar\n"
                                         "class Clash(Registrar):\n    pass\nRegistrar = Clash\n"})
    with pytest.raises(PluginError) as caught:
        load_pipelines()
    text = str(caught.value)
    assert "entry point 'registrar = auditor_clash:Registrar' of distribution 'auditor-clash'" in text
    assert "pipeline 'registrar' is already registered by entry point 'registrar = " in text
    assert "of distribution 'auditor'" in text


def test_a_plugin_writer_with_a_taken_format_stops(install: Install) -> None:
    install("auditor-clash", {"auditor.writers": {"json": "auditor_clash_writer:write"}},
            modules={"auditor_clash_writer.py": "def write(doc, outdir):\n    return outdir\n"})
    with pytest.raises(PluginError, match=r"distribution 'auditor-clash'.*output format 'json' is already registered"):
        load_writers()


def test_a_dqdl_rule_type_with_a_taken_name_stops(install: Install) -> None:
    source = ("from auditor.data.quality.plugin import RuleType\n"
              "from auditor.data.quality.registry import rule_type\n"
              "@rule_type\nclass IsComplete(RuleType):\n    name = 'IsComplete'\n")
    install("auditor-clash", {"auditor.dqdl_rule_types": {"mine": "auditor_clash_rules"}},
            modules={"auditor_clash_rules.py": source})
    with pytest.raises(PluginError) as caught:
        load_rule_types()
    text = str(caught.value)
    assert "entry point 'mine = auditor_clash_rules' of distribution 'auditor-clash'" in text
    assert "registers a name already taken" in text and "'is-complete' is registered twice" in text


def test_a_plugin_pipeline_that_breaks_the_contract_stops(install: Install) -> None:
    install("auditor-half", {"auditor.pipelines": {"half": "auditor_half:Half"}},
            modules={"auditor_half.py": "class Half:\n    name = 'half'\n"})
    with pytest.raises(PluginError, match=r"distribution 'auditor-half'.*does not meet the pipeline contract.*process"):
        load_pipelines()


def test_a_pipeline_named_unlike_its_entry_point_stops(install: Install) -> None:
    install("auditor-misnamed", {"auditor.pipelines": {"other-name": "auditor_sample_plugin.pipeline:ColourCounts"}},
            package=Path(__file__).parent / "sample_plugin" / "auditor_sample_plugin")
    with pytest.raises(PluginError, match="calls itself 'colour-counts'"):
        load_pipelines()


def test_the_cli_loads_no_plugin_at_import() -> None:
    import subprocess
    import sys

    code = ("import sys, auditor.cli\n"
            "loader = sys.modules.get('auditor.core.entry_points')\n"
            "plugins = [m for m in sys.modules if m.endswith(('_writer', '.pipeline')) and 'cli' not in m]\n"
            "print(sorted(getattr(loader, '_loaded', {})), plugins)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[] []"
