"""``auditor aws scan``: the cloud posture audit."""

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
    scan_exit_code,
)

COMMAND = "aws scan"


def register(cli: click.Group) -> None:
    cli.add_command(aws)


@click.group()
def aws() -> None:
    """Audit an AWS account (IAM, KMS, S3, CloudTrail, CloudWatch, SNS...)."""


@aws.command("scan")
@click.option("--profile", help="AWS profile (default: the standard boto3 environment).")
@click.option("--region", "regions", multiple=True, help="Region to scan (repeat; default: all enabled regions).")
@click.option("--role-arn", help="Assume this role before scanning.")
@click.option("--external-id", help="External id for every role assumed (--role-arn, --role-name).")
@click.option("--max-attempts", type=click.IntRange(1, 20), default=None, help="botocore adaptive retry attempts.")
@click.option("--organization", is_flag=True,
              help="Scan every active account of the organization (from the management or a delegated account).")
@click.option("--role-name", default=None,
              help="With --organization: the role assumed in each account (default OrganizationAccountAccessRole).")
@click.option("--accounts", "accounts", default=None, metavar="ID,...",
              help="With --organization: scan only these account ids (comma-separated).")
@click.option("--max-parallel", type=click.IntRange(1, 64), default=None,
              help="With --organization: accounts scanned at once (default 4).")
@click.option("--processes", type=click.IntRange(1, 64), default=None,
              help="With --organization: worker processes sharing those accounts (default 1: this process).")
@rule_options
@output_options
@gate_options
def scan(profile: str | None, regions: tuple[str, ...], role_arn: str | None, external_id: str | None,
         max_attempts: int | None, organization: bool, role_name: str | None, accounts: str | None,
         max_parallel: int | None, processes: int | None, rule_paths: tuple[Path, ...], framework: str | None,
         mutelist: Path | None, config: Path | None, framework_dirs: tuple[Path, ...], output_dir: Path,
         force: bool, formats: str,
         fail_on: str, fail_on_error: bool) -> None:
    """Collect the account's resources and judge them with the AWS rule packs.

    Configuration (rules, mutelist, config) is validated before any AWS call.
    Points at any endpoint through boto3's own AWS_ENDPOINT_URL / AWS_PROFILE.
    No credentials, an unknown profile or an endpoint that does not answer the
    first call exit 2 at once; calls that fail later become ERROR findings (exit 3).

    With --organization, every active account of the organization is scanned
    through --role-name (the caller's own account with its own credentials) and
    written to one findings document, each finding naming its account; an account
    whose role cannot be assumed gets ERROR findings and the others go on.
    """
    from auditor.audit_run import default_rule_paths, prepare  # deferred: pulls in yaml
    from auditor.reporting.outputs import write_outputs  # deferred: pulls in importlib.metadata

    account_ids = _account_ids(accounts)
    if not organization and (role_name or account_ids or max_parallel or processes):
        raise click.UsageError("--role-name, --accounts, --max-parallel and --processes need --organization")
    prepared = prepare(list(rule_paths) or default_rule_paths("aws"), mutelist=mutelist, config=config,
                       framework_dirs=framework_dirs, framework=framework, resource_prefix="aws.")
    fmts = parse_formats(formats)
    claim_output_dir(output_dir, COMMAND, force=force)
    from auditor.aws.scan import ScanOptions, run_scan  # deferred: pulls in yaml
    from auditor.aws.scan_options import OrgOptions  # deferred: pulls in yaml
    from auditor.aws.settings import AwsSection  # deferred: pulls in yaml

    org = (OrgOptions(role_name=role_name or "", external_id=external_id, accounts=account_ids,
                      max_parallel=max_parallel or 0, processes=processes or 0) if organization else None)
    opts = ScanOptions(profile=profile, regions=list(regions), role_arn=role_arn, external_id=external_id,
                       max_attempts=max_attempts, config=prepared.config.section("aws", AwsSection), organization=org)
    doc = run_scan(prepared, opts)
    written = write_outputs(doc, output_dir, fmts, command=COMMAND)
    print_summary(doc, written)
    raise SystemExit(scan_exit_code(doc, fail_on, fail_on_error))


def _account_ids(value: str | None) -> list[str]:
    """``--accounts 111111111111,222222222222`` as a list; anything but 12-digit ids is a usage error."""
    ids = [v.strip() for v in (value or "").split(",") if v.strip()]
    bad = [v for v in ids if not (len(v) == 12 and v.isdigit())]
    if bad:
        raise click.BadParameter(f"not a 12-digit AWS account id: {', '.join(bad)}", param_hint="--accounts")
    return ids
