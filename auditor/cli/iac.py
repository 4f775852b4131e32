"""``auditor iac scan``: the pre-deploy gate on CloudFormation and Terraform."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import (
    claim_output_dir,
    gate_options,
    output_options,
    parse_formats,
    print_summary,
    rule_options,
)
from auditor.cli.report import read_findings

COMMAND = "iac scan"


def register(cli: click.Group) -> None:
    cli.add_command(iac)


@click.group()
def iac() -> None:
    """Judge infrastructure as code (CloudFormation, Terraform) before it is applied."""


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise click.BadParameter(f"{item!r}: expected NAME=VALUE", param_hint="--param")
        out[name.strip()] = value
    return out


@iac.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A template parameter or Terraform variable (repeat); AWS::AccountId, AWS::Region, "
                   "AWS::StackName... set pseudo parameters.")
@click.option("--baseline", type=click.Path(path_type=Path),
              help="A previous findings.json (e.g. of the target branch): only FAIL findings new since it fail.")
@rule_options
@output_options
@gate_options
def scan(paths: tuple[Path, ...], params: tuple[str, ...], baseline: Path | None, rule_paths: tuple[Path, ...],
         framework: str | None, mutelist: Path | None, config: Path | None, framework_dirs: tuple[Path, ...],
         output_dir: Path, force: bool, formats: str, fail_on: str, fail_on_error: bool) -> None:
    """Judge templates and plans with the AWS rules, before they are applied.

    PATHS are CloudFormation templates (JSON, YAML), Terraform plans (terraform
    show -json PLANFILE > plan.json), Terraform JSON configuration (*.tf.json),
    CDK cloud assemblies (cdk.out) or folders of them. The resources are mapped
    onto the types the account scan collects and the same rules judge them;
    each finding names the file and line (or Terraform address) of its resource.

    A value known only at deploy makes the findings that depend on it ERROR;
    account settings the change does not declare are SKIPPED "not in this
    change". A file that does not parse, an unknown intrinsic function or an
    unsupported plan version: one line file:line:col, exit 2, nothing judged.

    \b
    Examples:
      auditor iac scan infra/ --fail-on high
      auditor iac scan template.yaml --param Env=prod --param AWS::AccountId=123456789012
      terraform show -json plan.out > plan.json && auditor iac scan plan.json --format json,sarif
      auditor iac scan cdk.out --baseline main/findings.json --fail-on high
    """
    from auditor.audit_run import default_rule_paths, prepare  # deferred: pulls in yaml
    from auditor.exit_gate import check_baseline_account, decide  # deferred: pulls in regex
    from auditor.iac.scan import IacOptions, run_iac_scan  # deferred: pulls in yaml
    from auditor.reporting.outputs import write_outputs  # deferred: pulls in importlib.metadata

    values = _params(params)
    prepared = prepare(list(rule_paths) or default_rule_paths("aws"), mutelist=mutelist, config=config,
                       framework_dirs=framework_dirs, framework=framework, resource_prefix="aws.")
    fmts = parse_formats(formats)
    base = None
    if baseline is not None:
        base = read_findings(baseline)
    claim_output_dir(output_dir, COMMAND, force=force)
    doc = run_iac_scan(prepared, list(paths), IacOptions(params=values))
    if base is not None and baseline is not None:
        check_baseline_account(doc, base, baseline_path=str(baseline), force=force)
    written = write_outputs(doc, output_dir, fmts, command=COMMAND)
    stats = doc["attachments"]["iac"]
    click.echo(f"read {stats['resources_read']} resources from {len(stats['files'])} file(s); "
               f"{stats['not_evaluated_count']} not evaluated"
               + (f" ({', '.join(f'{t} {n}' for t, n in stats['not_evaluated_types'].items())})"
                  if stats["not_evaluated_types"] else ""))
    skipped = sum(1 for f in doc["findings"] if f["status"] == "SKIPPED" and f["message"].count("not in this change"))
    if skipped:
        click.echo(f"{skipped} account or region rule(s) not in this change (SKIPPED; the account scan judges them)")
    print_summary(doc, written)
    result = decide(doc, fail_on=None if fail_on == "none" else fail_on, allow_errors=not fail_on_error, baseline=base)
    if base is not None:
        click.echo(f"new FAIL findings since {baseline}: {len(result.new)}")
    raise SystemExit(result.exit_code)
