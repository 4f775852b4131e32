"""``auditor demo``: the main job on an embedded default, no AWS account needed."""

from __future__ import annotations

from pathlib import Path

import click


def register(cli: click.Group) -> None:
    cli.add_command(demo)


@click.command()
@click.option("--output-dir", type=click.Path(path_type=Path), default=Path("reports/out"), show_default=True)
def demo(output_dir: Path) -> None:
    """Seed an in-process moto account with a small data platform (with deliberate
    gaps), audit it with the shipped rules, and write the findings and reports.

    No AWS account, no network.
    """
    from auditor.demo import run_demo

    for line in run_demo(output_dir):
        click.echo(line)
