"""Mappers: source resources -> the resource types and attributes the AWS collectors produce.

One module per family; each reads both CloudFormation and Terraform resources and joins the
resources that configure another one (a bucket policy, ``aws_s3_bucket_versioning``, a KMS
alias) to it. :func:`map_change` runs them in dependency order: account-level settings
first (a bucket's verdict reads the account's Block Public Access), keys before the buckets
that name them, trails before the account's monitoring.
"""

from __future__ import annotations

from auditor.iac.build import MAPPING_ERRORS, Builder, mapping_error
from auditor.iac.mappers import account, cloudtrail, iam, kms, logs, monitoring, region, s3, s3_tf


def map_change(b: Builder) -> None:
    """Map every family of the change into ``b`` (see the module doc for the order).

    A resource whose properties have a shape the provider would reject stops the scan with
    one ``file:line:col`` error at that resource (exit 2), like a template that does not parse.
    """
    try:
        _map(b)
    except MAPPING_ERRORS as exc:
        raise mapping_error(b, exc) from exc


def _map(b: Builder) -> None:
    account.map_account(b)
    logs.index_log_groups(b)
    keys = kms.map_keys(b)
    buckets = s3.drafts_from_cloudformation(b) + s3_tf.drafts_from_terraform(b)
    s3.finish(b, buckets)
    kms.encrypts_buckets(b, keys)
    iam.map_iam(b)
    cloudtrail.map_trails(b)
    monitoring.map_monitoring(b)
    region.map_region(b)
