"""``auditor rules ...``, ``auditor schema``, ``auditor permissions``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from auditor.schemas import findings_schema


def register(cli: click.Group) -> None:
    cli.add_command(rules)
    cli.add_command(schema)
    cli.add_command(permissions)


@click.group()
def rules() -> None:
    """List and validate rule files."""


@rules.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--frameworks-dir", "framework_dirs", multiple=True, type=click.Path(exists=True, path_type=Path))
def validate(paths: tuple[Path, ...], framework_dirs: tuple[Path, ...]) -> None:
    """Validate rule files (default: the shipped packs); every error, with line and column.

    Exit 0 when valid, 2 otherwise.
    """
    from auditor.audit_run import DEFAULT_RULES, prepare  # deferred: pulls in yaml
    from auditor.core.loader import expand_paths  # deferred: pulls in yaml

    targets = list(paths) or [DEFAULT_RULES]
    prepared = prepare(targets, framework_dirs=framework_dirs)
    n_files = len(expand_paths(targets))
    click.echo(f"{len(prepared.rules)} rules in {n_files} file{'s' if n_files != 1 else ''}: valid")


@rules.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--framework", help="Only rules mapped to this framework.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_(paths: tuple[Path, ...], framework: str | None, as_json: bool) -> None:
    """List rules: id, severity, resource, frameworks."""
    from auditor.audit_run import DEFAULT_RULES, prepare  # deferred: pulls in yaml

    prepared = prepare(list(paths) or [DEFAULT_RULES], framework=framework)
    rows = [{"id": r.id, "severity": r.severity, "resource": r.resource,
             "frameworks": {fw: ids for fw, ids in sorted(r.compliance.items())}, "title": r.title}
            for r in prepared.rules]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r.id) for r in prepared.rules), default=10)
    click.echo(f"{'ID':<{width}}  {'SEVERITY':<8}  {'RESOURCE':<24}  FRAMEWORKS")
    for rule in prepared.rules:
        fws = "; ".join(f"{fw} {','.join(ids)}" for fw, ids in sorted(rule.compliance.items()))
        click.echo(f"{rule.id:<{width}}  {rule.severity:<8}  {rule.resource:<24}  {fws}")
    click.echo(f"{len(rows)} rules")


@click.command()
@click.option("--kind", type=click.Choice(["rules", "findings", "mutelist", "config", "framework"]), default="rules",
              show_default=True, help="Which schema to print.")
def schema(kind: str) -> None:
    """Print a JSON Schema (rule files by default) for editors and CI."""
    from auditor.plugins import load_plugins  # deferred: pulls in importlib.metadata

    load_plugins()
    if kind == "rules":
        from auditor.compliance.mapping import control_index, load_frameworks  # deferred: pulls in yaml
        from auditor.core.schema import rules_schema  # deferred: pulls in regex

        out = rules_schema(control_index(load_frameworks()))
    elif kind == "findings":
        out = findings_schema()
    elif kind == "mutelist":
        from auditor.core.mutes import MUTELIST_SCHEMA  # deferred: pulls in yaml

        out = MUTELIST_SCHEMA
    elif kind == "config":
        from auditor.core.run_config import config_schema  # deferred: pulls in yaml

        out = config_schema()
    else:
        from auditor.compliance.mapping import FRAMEWORK_SCHEMA  # deferred: pulls in yaml

        out = FRAMEWORK_SCHEMA
    click.echo(json.dumps(out, indent=2))


@click.command()
@click.option("--write", is_flag=True, help="Also write policy_templates/iam/auditor-readonly.json.")
def permissions(write: bool) -> None:
    """Print the read-only IAM policy a scanner needs (from the collectors' declarations)."""
    from auditor.aws.permissions import readonly_policy, write_policy  # deferred: pulls in regex

    policy = readonly_policy()
    click.echo(json.dumps(policy, indent=2))
    if write:
        click.echo(f"wrote {write_policy(policy)}", err=True)
