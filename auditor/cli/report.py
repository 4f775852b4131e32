"""``auditor report`` and ``auditor gate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import EXIT_USAGE, not_available


def register(cli: click.Group) -> None:
    cli.add_command(report)
    cli.add_command(gate)
    cli.add_command(run)


def read_findings(path: Path) -> dict[str, Any]:
    """Read and validate a findings document; one clear line on any problem."""
    from auditor.core.errors import UsageError
    from auditor.schemas import findings_errors

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a findings JSON document ({exc})") from None
    errors = findings_errors(doc)
    if errors:
        raise UsageError(f"{path}: not a valid findings document: {errors[0]}"
                         + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""))
    return doc


@click.command()
@click.argument("findings", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("reports/out/index.html"))
@click.option("--baseline", type=click.Path(path_type=Path), help="Previous findings.json to diff against.")
def report(findings: tuple[Path, ...], output: Path, baseline: Path | None) -> None:
    """Build the HTML report from one or more findings.json files."""
    for p in findings:
        read_findings(p)
    not_available("report", "the reports issue (#6)")


@click.command()
@click.argument("findings", type=click.Path(path_type=Path))
@click.option("--fail-on", type=click.Choice(["info", "low", "medium", "high", "critical"]), default="high",
              show_default=True, help="Fail on FAIL findings at or above this severity.")
@click.option("--baseline", type=click.Path(path_type=Path), help="Only findings new since this findings.json count.")
@click.option("--allow-errors", is_flag=True, help="Do not fail (exit 3) on ERROR findings.")
def gate(findings: Path, fail_on: str, baseline: Path | None, allow_errors: bool) -> None:
    """Exit 1 if the findings break the gate, 3 on ERROR findings, 0 otherwise."""
    from auditor.gate import decide

    doc = read_findings(findings)
    base = read_findings(baseline) if baseline else None
    result = decide(doc, fail_on=fail_on, allow_errors=allow_errors, baseline=base)
    click.echo(f"{'severity':<10} {'FAIL':>6} {'ERROR':>6} {'MUTED':>6} {'PASS':>6}")
    for sev, c in result.counts.items():
        click.echo(f"{sev:<10} {c['FAIL']:>6} {c['ERROR']:>6} {c['MUTED']:>6} {c['PASS']:>6}")
    if base is not None:
        click.echo(f"new FAIL findings since baseline: {len(result.new)}")
        for f in result.new[:20]:
            click.echo(f"  NEW {f['severity']:<8} {f['rule_id']}  {f['resource_id']}")
    for reason in result.reasons:
        click.echo(f"gate: {reason}")
    click.echo("gate: " + ("passed" if result.exit_code == 0 else "FAILED"))
    raise SystemExit(result.exit_code)


@click.command()
@click.option("--config", "config", required=True, help="Audit config (what to run, where to write, whom to notify).")
def run(config: str) -> None:
    """One unattended, scheduled audit run of everything configured."""
    not_available("run", "the reports and scheduled runs issue (#6)")
    raise SystemExit(EXIT_USAGE)
