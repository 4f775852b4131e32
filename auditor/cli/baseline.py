"""``auditor baseline ...`` and ``auditor templates lint``: the governed AWS baseline.

Exit codes: ``plan`` 0 nothing would change, 1 something would (a drift
gate), 3 something could not be read; ``apply`` without ``--yes`` is that plan
(nothing changes); ``apply --yes`` 0 converged, 1 changes remain, 3 a write
failed; ``templates lint`` 0 clean, 1 problems; 2 for a config error, an
``account_id`` that is not the session's account, or AWS that cannot be used at
all (no credentials, an unknown profile, an endpoint that does not answer).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from auditor.aws.access import first_call
from auditor.cli.common import EXIT_ERROR, EXIT_GATE, EXIT_OK


def register(cli: click.Group) -> None:
    cli.add_command(baseline)
    cli.add_command(templates)


def _config(path: Path | None) -> Any:
    from auditor.baseline.baseline_section import BaselineConfig, BaselineSection  # deferred: pulls in yaml
    from auditor.core.run_config import load_config  # deferred: pulls in yaml
    from auditor.plugins import load_plugins  # deferred: pulls in importlib.metadata

    load_plugins()
    return BaselineConfig.from_section(load_config(path).section("baseline", BaselineSection))


def _session(profile: str | None, region: str) -> Any:
    import boto3

    with first_call("nothing was read or changed"):  # an unknown profile fails here (exit 2)
        return boto3.Session(profile_name=profile, region_name=region)


_config_option = click.option("--config", "config", type=click.Path(path_type=Path),
                              help="Run config file (its 'baseline' section).")
_profile_option = click.option("--profile", help="AWS profile (default: the standard boto3 environment).")


@click.group()
def baseline() -> None:
    """Provision and check the governed AWS baseline from policy_templates/.

    \b
    auditor baseline plan                 # what would change (exit 1 if anything)
    auditor baseline apply --yes          # converge (never deletes)
    auditor baseline export --format cloudformation > baseline.json
    """


@baseline.command("plan")
@_config_option
@_profile_option
@click.option("--verbose", is_flag=True, help="Also list the unchanged items.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (changes, diffs, notes).")
def plan(config: Path | None, profile: str | None, verbose: bool, as_json: bool) -> None:
    """Show what apply would create or change (read-only; exit 1 when something would)."""
    from auditor.baseline.planner import plan as make_plan  # deferred: pulls in yaml

    cfg = _config(config)
    result = make_plan(_session(profile, cfg.region), cfg)
    if as_json:
        import json

        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        for line in result.lines(verbose):
            click.echo(line)
    raise SystemExit(result.exit_code)


@baseline.command("apply")
@_config_option
@_profile_option
@click.option("--yes", is_flag=True, help="Really apply (otherwise a dry run that only plans).")
def apply(config: Path | None, profile: str | None, yes: bool) -> None:
    """Converge the account to the baseline: create or update, never delete."""
    from auditor.baseline.planner import apply as run_apply  # deferred: pulls in yaml
    from auditor.baseline.planner import plan as make_plan  # deferred: pulls in yaml

    cfg = _config(config)
    session = _session(profile, cfg.region)
    if not yes:
        result = make_plan(session, cfg)
        for line in result.lines():
            click.echo(line)
        click.echo("Dry run: nothing was changed. Re-run with --yes to apply.")
        raise SystemExit(result.exit_code)
    done = run_apply(session, cfg)
    for line in done.lines():
        click.echo(line)
    after = done.after
    assert after is not None
    for c in after.changes:
        for note in c.notes:
            click.echo(f"note: {note}")
    click.echo(f"After apply: {after.summary()}")
    raise SystemExit(EXIT_ERROR if done.failed or after.errors else EXIT_GATE if after.pending else EXIT_OK)


@baseline.command("export")
@click.option("--format", "fmt", type=click.Choice(["cloudformation", "terraform"]), required=True)
@_config_option
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file (default: stdout).")
def export(fmt: str, config: Path | None, output: Path | None) -> None:
    """Export the baseline as infrastructure as code (CloudFormation JSON or Terraform JSON)."""
    from auditor.baseline.export import export_baseline  # deferred: pulls in yaml
    from auditor.reporting.atomic import write_atomic  # deferred: pulls in tempfile

    text = export_baseline(_config(config), fmt)
    if output is None:
        click.echo(text)
    else:
        write_atomic(output, text + "\n")
        click.echo(f"wrote {output}")


@baseline.command("mutelist")
@_config_option
@click.option("--days", type=click.IntRange(1, 366), default=90, show_default=True,
              help="Days until the acceptance expires (and must be reviewed).")
def mutelist(config: Path | None, days: int) -> None:
    """Print a mutelist accepting the baseline's break-glass group (CIS 2.15 / GB-IAM-1).

    \b
    auditor baseline mutelist > accepted-risks.yml
    auditor aws scan --mutelist accepted-risks.yml
    """
    import yaml

    from auditor.baseline.demo_cycle import break_glass_mute  # deferred: pulls in yaml

    cfg = _config(config)
    entry = break_glass_mute(cfg, account=cfg.account_id or "*", days=days)
    click.echo(yaml.safe_dump({"version": 1, "mutes": [entry]}, sort_keys=False).rstrip())


@click.group()
def templates() -> None:
    """Policy templates under policy_templates/."""


@templates.command("lint")
@_config_option
def lint(config: Path | None) -> None:
    """Render every template and lint it (JSON, parliament, our IAM checks); exit 1 on problems."""
    from auditor.baseline.lint import lint_templates  # deferred: pulls in yaml

    report = lint_templates(_config(config))
    for problem in report.problems:
        click.echo(str(problem))
    for note in report.accepted:
        click.echo(note)
    click.echo(report.summary())
    raise SystemExit(EXIT_GATE if report.problems else EXIT_OK)
