"""``auditor baseline ...``: plan / apply the governed AWS baseline."""

from __future__ import annotations

import click

from auditor.cli.common import not_available


def register(cli: click.Group) -> None:
    cli.add_command(baseline)
    cli.add_command(templates)


@click.group()
def baseline() -> None:
    """Provision and check the governed AWS baseline from policy_templates/."""


@baseline.command("plan")
@click.option("--config", help="Run config file.")
def plan(config: str | None) -> None:
    """Show what apply would create or change (exit 1 when something would)."""
    not_available("baseline plan", "the governed baseline issue (#7)")


@baseline.command("apply")
@click.option("--config", help="Run config file.")
@click.option("--yes", is_flag=True, help="Really apply (otherwise a dry run).")
def apply(config: str | None, yes: bool) -> None:
    """Converge the account to the baseline (never deletes)."""
    not_available("baseline apply", "the governed baseline issue (#7)")


@baseline.command("export")
@click.option("--format", "fmt", type=click.Choice(["cloudformation", "terraform"]), required=True)
def export(fmt: str) -> None:
    """Export the baseline as infrastructure as code."""
    not_available("baseline export", "the governed baseline issue (#7)")


@click.group()
def templates() -> None:
    """Policy templates under policy_templates/."""


@templates.command("lint")
def lint() -> None:
    """Render every template and lint the IAM documents."""
    not_available("templates lint", "the governed baseline issue (#7)")
