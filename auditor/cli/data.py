"""``auditor data ...``: PII scan, masking and data-quality checks."""

from __future__ import annotations

import click

from auditor.cli.common import not_available


def register(cli: click.Group) -> None:
    cli.add_command(data)


@click.group()
def data() -> None:
    """Data governance: find PII, mask it, check data quality (DQDL)."""


@data.command("scan")
@click.argument("paths", nargs=-1, required=True)
def scan(paths: tuple[str, ...]) -> None:
    """Scan datasets (CSV, XLSX, Parquet; local or s3://) for PII and judge them with rules/data."""
    not_available("data scan", "the data governance issue (#4)")


@data.command("mask")
@click.argument("src")
@click.argument("dst")
@click.option("--policy", help="Masking policy (YAML).")
def mask(src: str, dst: str, policy: str | None) -> None:
    """Mask or tokenise the PII of SRC into DST according to a policy."""
    not_available("data mask", "the data governance issue (#4)")


@data.command("check")
@click.argument("path")
@click.option("--ruleset", required=True, help="DQDL ruleset file.")
def check(path: str, ruleset: str) -> None:
    """Evaluate a Glue DQDL ruleset over a dataset."""
    not_available("data check", "the data governance issue (#4)")
