"""``auditor pipeline ...``: the governed registrar and 3-1-1 workloads."""

from __future__ import annotations

import click

from auditor.cli.common import not_available


def register(cli: click.Group) -> None:
    cli.add_command(pipeline)


@click.group()
def pipeline() -> None:
    """Governed pipelines: landing -> raw -> curated, every promotion gated."""


@pipeline.command("run")
@click.argument("name", type=click.Choice(["registrar", "inquiries-311"]))
@click.option("--store", help="Zone store: a directory (default ./lake) or s3://bucket/prefix.")
@click.option("--input", "input_file", help="Land this file first.")
@click.option("--sample", is_flag=True, help="Land the bundled seeded sample data first.")
@click.option("--engine", type=click.Choice(["duckdb", "athena"]), default="duckdb", show_default=True)
def run(name: str, store: str | None, input_file: str | None, sample: bool, engine: str) -> None:
    """Run one pipeline end to end."""
    not_available("pipeline run", "the governed workloads issue (#5)")


@pipeline.command("list")
def list_() -> None:
    """List the available pipelines."""
    not_available("pipeline list", "the governed workloads issue (#5)")


@pipeline.command("runs")
def runs() -> None:
    """Show the history of pipeline runs."""
    not_available("pipeline runs", "the governed workloads issue (#5)")
