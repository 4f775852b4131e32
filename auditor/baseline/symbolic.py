"""The symbolic target of the exports: placeholder account, region and partition.

:func:`auditor.baseline.export.export_baseline` renders the baseline for this target;
the CloudFormation and Terraform writers (:mod:`auditor.baseline.export_cfn`,
:mod:`auditor.baseline.export_tf`) replace the placeholders with their tool's own
references (``${AWS::AccountId}``, ``data.aws_caller_identity``).
"""

from __future__ import annotations

from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.spec import Spec, build_spec
from auditor.baseline.templates import Target

ACCOUNT, REGION, PARTITION = "__ACCOUNT__", "__REGION__", "__PARTITION__"
SYMBOLIC = Target(account=ACCOUNT, region=REGION, partition=PARTITION)


def symbolic_spec(cfg: BaselineConfig) -> Spec:
    """The baseline rendered with placeholder account, region and partition."""
    return build_spec(cfg, SYMBOLIC)
