"""``auditor demo``: the main job on an embedded default, no AWS account needed."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import FORCE_HELP, REWRITTEN_HELP, claim_output_dir


def register(cli: click.Group) -> None:
    cli.add_command(demo)


@click.command()
@click.option("--output-dir", type=click.Path(path_type=Path), default=Path("reports/demo"), show_default=True,
              help="Where findings.json and every report are written; " + REWRITTEN_HELP)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def demo(output_dir: Path, force: bool) -> None:
    """Seed an in-process moto account with a small data platform (with deliberate
    gaps), audit it with the shipped rules, and write the findings and reports.

    No AWS account, no network.
    """
    from auditor.embedded_demo import DEMO_COMMAND, run_demo  # deferred: pulls in pandas

    claim_output_dir(output_dir, DEMO_COMMAND, force=force)
    for line in run_demo(output_dir):
        click.echo(line)
