"""``auditor baseline export``: the same baseline as CloudFormation or Terraform.

Both exports start from :func:`auditor.baseline.spec.build_spec`, rendered for
a symbolic target: the account, region and partition become the IaC tool's
own references (``${AWS::AccountId}`` / ``data.aws_caller_identity``), the KMS
key placeholders become references to the exported keys. Buckets, keys and
the log group are retained on stack deletion / protected from destroy: the
exported code, like apply, never deletes data.

What IaC cannot express is listed in the output (CloudFormation ``Metadata``,
Terraform ``//`` comment key): the IAM password policy and the account-level
S3 public access block have no CloudFormation resource; the billing alarm and
its topic are created only when the stack is deployed in us-east-1 (where the
billing metrics are).
"""

from __future__ import annotations

import json

from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.export_cfn import cloudformation
from auditor.baseline.export_tf import terraform
from auditor.baseline.symbolic import symbolic_spec
from auditor.core.errors import UsageError


def export_baseline(cfg: BaselineConfig, fmt: str) -> str:
    """The baseline as ``cloudformation`` (JSON template) or ``terraform`` (``.tf.json``) text."""
    spec = symbolic_spec(cfg)
    if fmt == "cloudformation":
        return json.dumps(cloudformation(spec), indent=2, sort_keys=False)
    if fmt == "terraform":
        return json.dumps(terraform(spec), indent=2, sort_keys=False)
    raise UsageError(f"unknown export format '{fmt}'; use cloudformation or terraform")
