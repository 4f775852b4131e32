"""The read-only IAM policy a scan needs, generated from the declarations.

Every resource type and filter declares the IAM actions its collector calls
(``permissions``); :func:`readonly_policy` unions them into one policy, which
``auditor permissions --write`` stores as
``policy_templates/iam/auditor-readonly.json``. :func:`iam_action` maps a botocore
operation to its IAM action (S3 and a few others name them differently), which
the test suite uses to check that every operation a scan performs is covered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.core.filters import filter_types
from auditor.core.resources import resource_types
from auditor.plugins import load_plugins

#: botocore service name -> IAM action prefix, where they differ.
_PREFIX = {"accessanalyzer": "access-analyzer", "s3control": "s3", "monitoring": "cloudwatch",
           "efs": "elasticfilesystem"}

#: (service, operation) -> IAM action, where the action is not "<prefix>:<Operation>".
_ACTIONS = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}

#: Needed by every scan (identity check), whatever the rules.
BASE_ACTIONS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")

DEFAULT_PATH = Path("policy_templates/iam/auditor-readonly.json")

#: What the caller of ``auditor aws scan --organization`` needs in its own account, besides the
#: read-only policy that the role it assumes in each member account carries.
ORGANIZATION_ACTIONS = ("organizations:ListAccounts", "sts:AssumeRole")


def iam_action(service: str, operation: str) -> str:
    """The IAM action that authorises a botocore operation."""
    return _ACTIONS.get((service, operation)) or f"{_PREFIX.get(service, service)}:{operation}"


def required_actions() -> list[str]:
    """Every IAM action any AWS collector or filter declares, sorted."""
    load_plugins()
    actions: set[str] = set(BASE_ACTIONS)
    for name, rtype in resource_types.items():
        if name.startswith("aws."):
            actions.update(rtype.permissions)
    for _, ftype in filter_types.items():
        actions.update(ftype.permissions)
    return sorted(actions)


def readonly_policy() -> dict[str, Any]:
    """The least-privilege read-only policy document for ``auditor aws scan``."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AuditorReadOnly",
            "Effect": "Allow",
            "Action": required_actions(),
            "Resource": "*",
        }],
    }


def organization_policy(role_name: str = "OrganizationAccountAccessRole", partition: str = "aws") -> dict[str, Any]:
    """The policy of the principal that runs ``--organization``: list the accounts, assume ``role_name`` in each.

    Each member's ``role_name`` needs :func:`readonly_policy` (and a trust policy naming this
    principal, with the external id when ``--external-id`` is used).
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AuditorListAccounts", "Effect": "Allow", "Action": ["organizations:ListAccounts"],
             "Resource": "*"},
            {"Sid": "AuditorAssumeMemberRole", "Effect": "Allow", "Action": ["sts:AssumeRole"],
             "Resource": f"arn:{partition}:iam::*:role/{role_name}"},
        ],
    }


def write_policy(policy: dict[str, Any], path: Path = DEFAULT_PATH) -> Path:
    """Write the policy as stable, indented JSON; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(policy, indent=2) + "\n", encoding="utf-8")
    return path
