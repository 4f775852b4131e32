"""Infrastructure as code, judged before it is applied (``auditor iac scan``).

CloudFormation templates (:mod:`auditor.iac.cfn`), Terraform plans and JSON configuration
(:mod:`auditor.iac.tf`) are read into source resources (:mod:`auditor.iac.model`), mapped onto
the resource types the AWS collectors produce (:mod:`auditor.iac.mappers`) and judged by the
shipped rules with the same engine (:mod:`auditor.iac.scan`). See ``docs/iac.md``.
"""
