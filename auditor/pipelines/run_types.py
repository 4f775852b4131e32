"""The ``pipeline.run`` resource type and the ``pipelines`` section of the run config.

Every promotion step of a pipeline run (``raw``, ``curated``) is a resource,
judged by ``rules/pipeline/*.yml``; its id is ``<pipeline>/<run_id>/<step>``.

Example rule::

    - id: pipeline-run-quality-rules-pass
      title: Promoted data passes the pipeline's DQDL ruleset
      resource: pipeline.run
      severity: high
      assert: [{key: quality_failed, op: eq, value: 0}]

The ``pipelines`` config section (``--config``)::

    version: 1
    pipelines:
      inquiries-311:
        outlier_threshold: 3.5        # |robust z| of log(volume) above this is flagged
        on_quality_failure: block     # block | quarantine (failing rows set aside)
      registrar:
        on_quality_failure: quarantine
        on_pii: mask                  # mask | block (refuse to promote unmasked PII)
        masking_policy: policy.yml    # the data layer's masking policy (optional)
        declared_pii: {firstname: PERSON, email: EMAIL_ADDRESS}   # schema-declared PII columns

No heavy import here: this module only declares.
"""

from __future__ import annotations

from typing import Any

from auditor.core.resources import ResourceType, resource_types
from auditor.core.run_config import config_sections
from auditor.pipelines.pipeline_registry import pipeline_names


@resource_types.register("pipeline.run")
class PipelineRun(ResourceType):
    """One promotion step of a pipeline run: ``{key: quality_failed, op: eq, value: 0}``."""

    attributes = {
        "pipeline": "registrar or inquiries-311",
        "run_id": "the run's id",
        "step": "raw or curated (the zone being promoted into)",
        "status": "succeeded, blocked, failed or up-to-date",
        "engine": "duckdb or athena",
        "input_rows": "rows read for this step",
        "output_rows": "rows promoted",
        "rejected_rows": "rows set aside with a reason (invalid or failing a row-level rule)",
        "rejected_ratio": "rejected_rows / input_rows (0..1)",
        "duplicate_rows": "duplicate rows removed",
        "quarantined_files": "landing files sent to Quarantine by this run",
        "quality_ruleset": "name of the DQDL ruleset applied",
        "quality_rules": "list of {rule, outcome} of the DQDL ruleset",
        "quality_failed": "number of DQDL rules that failed",
        "pii_columns": "columns classified as PII",
        "masked_columns": "PII columns masked before the promotion",
        "unmasked_pii_columns": "PII columns that still hold raw values in the promoted data",
        "promoted": "true when the output was published",
        "lineage_recorded": "true when the run's lineage manifest was written",
    }
    permissions = ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "glue:CreateTable", "glue:GetTable",
                   "glue:UpdateTable", "glue:CreateDatabase", "glue:BatchCreatePartition",
                   "athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults")


_ACTIONS = {"type": "string", "enum": ["block", "quarantine"]}
_PIPELINE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "x-unknown": "pipeline setting",
    "properties": {
        "on_quality_failure": _ACTIONS,
        "on_pii": {"type": "string", "enum": ["mask", "block"]},
        "masking_policy": {"type": "string", "minLength": 1},
        "declared_pii": {"type": "object", "propertyNames": {"pattern": "^[a-z0-9_]+$"},
                         "additionalProperties": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"}},
        "quality_ruleset": {"type": "string", "minLength": 1},
        "outlier_threshold": {"type": "number", "exclusiveMinimum": 0},
        "athena": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "database": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                "workgroup": {"type": "string", "minLength": 1},
                "output_location": {"type": "string", "pattern": "^s3://"},
                "poll_seconds": {"type": "number", "minimum": 0},
                "timeout_seconds": {"type": "number", "exclusiveMinimum": 0},
            },
        },
    },
}

PIPELINES_CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Settings of the governed pipelines, per pipeline.",
    "additionalProperties": False,
    "x-unknown": "pipeline",
    # One entry per installed pipeline (the entry points' names: no pipeline is imported here).
    "properties": {name: _PIPELINE for name in pipeline_names()},
}

config_sections.add("pipelines", PIPELINES_CONFIG_SCHEMA)
