"""``auditor aws scan``: the cloud posture audit."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click

from auditor.cli.common import (
    claim_output_dir,
    gate_options,
    not_available,
    output_options,
    parse_formats,
    print_summary,
    rule_options,
    scan_exit_code,
    write_outputs,
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
@click.option("--external-id", help="External id for --role-arn.")
@click.option("--max-attempts", type=click.IntRange(1, 20), default=None, help="botocore adaptive retry attempts.")
@rule_options
@output_options
@gate_options
def scan(profile: str | None, regions: tuple[str, ...], role_arn: str | None, external_id: str | None,
         max_attempts: int | None, rule_paths: tuple[Path, ...], framework: str | None, mutelist: Path | None,
         config: Path | None, framework_dirs: tuple[Path, ...], output_dir: Path, force: bool, formats: str,
         fail_on: str, fail_on_error: bool) -> None:
    """Collect the account's resources and judge them with the AWS rule packs.

    Configuration (rules, mutelist, config) is validated before any AWS call.
    Points at any endpoint through boto3's own AWS_ENDPOINT_URL / AWS_PROFILE.
    No credentials, an unknown profile or an endpoint that does not answer the
    first call exit 2 at once; calls that fail later become ERROR findings (exit 3).
    """
    from auditor.runner import default_rule_paths, prepare

    prepared = prepare(list(rule_paths) or default_rule_paths("aws"), mutelist=mutelist, config=config,
                       framework_dirs=framework_dirs, framework=framework, resource_prefix="aws.")
    fmts = parse_formats(formats)
    claim_output_dir(output_dir, COMMAND, force=force)
    if importlib.util.find_spec("auditor.aws.scan") is None:
        not_available("aws scan", "the cloud posture audit issue (#3)")
    from auditor.aws.scan import ScanOptions, run_scan

    opts = ScanOptions(profile=profile, regions=list(regions), role_arn=role_arn, external_id=external_id,
                       max_attempts=max_attempts, config=prepared.config.section("aws"))
    doc = run_scan(prepared, opts)
    written = write_outputs(doc, output_dir, fmts, command=COMMAND)
    print_summary(doc, written)
    raise SystemExit(scan_exit_code(doc, fail_on, fail_on_error))
