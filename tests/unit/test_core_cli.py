"""CLI: exit codes, one-line errors, light start-up, ``python -m auditor``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from auditor.cli import cli
from auditor.cli.common import AuditorGroup
from auditor.core.errors import NotAvailableError

FIX = Path(__file__).parent.parent / "fixtures"


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from auditor.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('boto3', 'botocore', 'pandas', 'presidio_analyzer', 'spacy', 'duckdb', 'pyarrow',"
        " 'jsonschema', 'moto') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY="


def test_python_dash_m_works_like_console_script() -> None:
    out = subprocess.run([sys.executable, "-m", "auditor", "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.startswith("auditor, version ")


def test_rules_validate_three_mistakes_exit_2() -> None:
    f = FIX / "rules" / "broken" / "three-mistakes.yml"
    res = CliRunner().invoke(cli, ["rules", "validate", str(f)])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert [line.split(": ", 1)[0] for line in lines[:3]] == [f"{f}:6:15", f"{f}:8:38", f"{f}:14:15"]
    assert lines[3] == "3 configuration errors; nothing was evaluated."
    assert "Traceback" not in res.output


def test_rules_validate_and_list_good() -> None:
    good = FIX / "rules" / "good"
    res = CliRunner().invoke(cli, ["rules", "validate", str(good)])
    assert res.exit_code == 0 and "3 rules in 1 file: valid" in res.output
    res = CliRunner().invoke(cli, ["rules", "list", str(good)])
    assert res.exit_code == 0
    assert "widget-enabled" in res.output and "cis-aws-6.0 4.6; governance-baseline GB-KMS-1" in res.output


def test_schema_command_prints_rule_schema() -> None:
    import json

    res = CliRunner().invoke(cli, ["schema"])
    assert res.exit_code == 0
    schema = json.loads(res.output)
    assert "test.widget" in schema["$defs"]["rule"]["properties"]["resource"]["enum"]
    for kind in ("findings", "mutelist", "config", "framework"):
        assert CliRunner().invoke(cli, ["schema", "--kind", kind]).exit_code == 0


def test_errors_are_one_line_and_mapped_to_exit_codes() -> None:
    @click.group(cls=AuditorGroup)
    def app() -> None:
        pass

    @app.command()
    def later() -> None:
        raise NotAvailableError("'auditor later' is not available yet: it arrives with a later issue.")

    @app.command()
    def bug() -> None:
        raise RuntimeError("kaboom")

    res = CliRunner().invoke(app, ["later"])
    assert res.exit_code == 2
    assert res.output == "error: 'auditor later' is not available yet: it arrives with a later issue.\n"
    res = CliRunner().invoke(app, ["bug"])
    assert res.exit_code == 3
    assert res.output.startswith("internal error: RuntimeError at test_core_cli.py:")
    assert "kaboom" not in res.output and res.output.endswith(" (run with --debug for details)\n")


def test_unknown_framework_is_usage_error() -> None:
    res = CliRunner().invoke(cli, ["rules", "list", str(FIX / "rules" / "good"), "--framework", "cis-aws-6"])
    assert res.exit_code == 2
    assert res.output.startswith("error: unknown framework 'cis-aws-6' (did you mean 'cis-aws-6.0'?)")
