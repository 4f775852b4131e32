"""Declarations of the AWS layer: resource types, filters, the ``aws`` config section.

Importing this module registers ``aws.account``, ``aws.region``, ``aws.iam-user``,
``aws.iam-policy``, ``aws.iam-server-certificate``, ``aws.kms-key``,
``aws.s3-bucket``, ``aws.cloudtrail-trail``, ``aws.metric-alarm``, ``aws.vpc``,
``aws.ec2-instance``, ``aws.ec2-settings``, ``aws.security-group``,
``aws.network-acl``, ``aws.route-table``, ``aws.rds-instance`` and
``aws.efs-file-system``, the ``log-metric-alarm`` filter, and the run config's
``aws`` section. It imports no boto3 (the collectors import it lazily).
"""

from __future__ import annotations

from auditor.aws import (  # noqa: F401 - imported for their registrations
    account,
    cloudtrail,
    cloudwatch,
    dashboard,
    ec2,
    efs,
    iam,
    kms,
    monitoring,
    network,
    rds,
    regional,
    s3,
    settings,
)
