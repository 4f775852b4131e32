"""The baseline as Terraform JSON configuration (``baseline.tf.json``, AWS provider >= 5)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from auditor.baseline.spec import BILLING_REGION, INLINE_POLICY_NAME, Desired, Spec
from auditor.baseline.symbolic import ACCOUNT, PARTITION, REGION
from auditor.baseline.templates import KEY_TOKENS

_PROTECT = {"lifecycle": {"prevent_destroy": True}}


def name_of(text: str) -> str:
    """A Terraform resource name from any text (``registraroffice-landing`` -> ``registraroffice_landing``)."""
    out = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_").lower()
    return out if out[:1].isalpha() else f"r_{out}"


def _interp(value: Any) -> Any:
    """Replace placeholders with Terraform references, recursively."""
    if isinstance(value, dict):
        return {k: _interp(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_interp(v) for v in value]
    if isinstance(value, str):
        value = value.replace(ACCOUNT, "${data.aws_caller_identity.current.account_id}")
        value = value.replace(REGION, "${data.aws_region.current.name}")
        value = value.replace(PARTITION, "${data.aws_partition.current.partition}")
        for purpose, token in KEY_TOKENS.items():
            value = value.replace(token, f"${{aws_kms_key.{purpose}.arn}}")
    return value


def _doc(value: Any) -> str:
    """A JSON document (policy, dashboard body) as a Terraform string."""
    return str(_interp(json.dumps(value, separators=(",", ":"))))


class _Resources:
    """The configuration's ``resource`` block: resource type -> Terraform name -> body."""

    def __init__(self) -> None:
        self.res: dict[str, dict[str, Any]] = {}

    def add(self, rtype: str, name: str, body: dict[str, Any], d: Desired | None = None) -> str:
        """Add ``body`` (placeholders resolved) as ``rtype.name_of(name)``; billing-region ones use that provider."""
        body = _interp(body)
        if d is not None and d.region == BILLING_REGION:
            body["provider"] = "aws.billing"
        self.res.setdefault(rtype, {})[name_of(name)] = body
        return f"{rtype}.{name_of(name)}"


def terraform(spec: Spec) -> dict[str, Any]:
    """The baseline as one Terraform JSON configuration (provider, data sources, every resource)."""
    out = _Resources()
    for d in spec.resources:
        export = _EXPORTERS.get(d.kind)
        if export is not None:
            export(out, spec, d)
    return {
        "//": "Governed data-platform baseline, exported by `auditor baseline export --format terraform`. "
              "Email subscriptions must be confirmed by their recipient (a human step).",
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.0"}}},
        "provider": {"aws": [{"region": spec.cfg.region},
                             {"alias": "billing", "region": BILLING_REGION}]},
        "data": {"aws_caller_identity": {"current": {}}, "aws_region": {"current": {}},
                 "aws_partition": {"current": {}}},
        "resource": out.res,
    }


def _password_policy(out: _Resources, spec: Spec, d: Desired) -> None:
    p = d.props
    out.add("aws_iam_account_password_policy", "baseline", {
        "minimum_password_length": p["MinimumPasswordLength"], "require_symbols": p["RequireSymbols"],
        "require_numbers": p["RequireNumbers"], "require_uppercase_characters": p["RequireUppercaseCharacters"],
        "require_lowercase_characters": p["RequireLowercaseCharacters"],
        "allow_users_to_change_password": p["AllowUsersToChangePassword"],
        "password_reuse_prevention": p["PasswordReusePrevention"]})


def _role(out: _Resources, spec: Spec, d: Desired) -> None:
    """The role and one attachment per managed policy."""
    n, p = d.name, d.props
    out.add("aws_iam_role", n, {"name": n, "description": p["Description"],
                                "assume_role_policy": _doc(p["AssumeRolePolicyDocument"]),
                                "tags": {"managed-by": "auditor-baseline"}})
    for arn in p["ManagedPolicyArns"]:
        out.add("aws_iam_role_policy_attachment", f"{n}-{arn.rsplit('/', 1)[-1]}",
                {"role": f"${{aws_iam_role.{name_of(n)}.name}}", "policy_arn": arn})


def _role_policy(out: _Resources, spec: Spec, d: Desired) -> None:
    n = d.name
    out.add("aws_iam_role_policy", n, {"name": INLINE_POLICY_NAME, "role": f"${{aws_iam_role.{name_of(n)}.name}}",
                                       "policy": _doc(d.props["PolicyDocument"])})


def _group(out: _Resources, spec: Spec, d: Desired) -> None:
    """The group and its inline policy."""
    n = d.name
    out.add("aws_iam_group", n, {"name": n})
    out.add("aws_iam_group_policy", n, {"name": INLINE_POLICY_NAME, "group": f"${{aws_iam_group.{name_of(n)}.name}}",
                                        "policy": _doc(d.props["InlinePolicy"])})


def _kms_key(out: _Resources, spec: Spec, d: Desired) -> None:
    """The key and its alias, named by purpose (``aws_kms_key.<purpose>`` is what policies refer to)."""
    p = d.props
    purpose = p["Purpose"]
    out.res.setdefault("aws_kms_key", {})[purpose] = {
        "description": p["Description"], "policy": _doc(p["Policy"]), "enable_key_rotation": True,
        "tags": {"managed-by": "auditor-baseline"}, **_PROTECT,
        "depends_on": [f"aws_iam_role.{name_of(r)}" for r in (x.name for x in spec.by_kind("iam-role"))]}
    out.res.setdefault("aws_kms_alias", {})[purpose] = {"name": d.name,
                                                        "target_key_id": f"${{aws_kms_key.{purpose}.key_id}}"}


def _account_public_access_block(out: _Resources, spec: Spec, d: Desired) -> None:
    out.add("aws_s3_account_public_access_block", "baseline", {
        "block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True,
        "restrict_public_buckets": True})


def _s3_bucket(out: _Resources, spec: Spec, d: Desired) -> None:
    _bucket(out.add, d.name, d.props, spec.cfg.backup_bucket)


def _log_group(out: _Resources, spec: Spec, d: Desired) -> None:
    out.add("aws_cloudwatch_log_group", d.name, {"name": d.name, "retention_in_days": d.props["retentionInDays"],
                                                 **_PROTECT})


def _trail(out: _Resources, spec: Spec, d: Desired) -> None:
    n, p = d.name, d.props
    sel = p["EventSelectors"][0]
    out.add("aws_cloudtrail", n, {
        "name": n, "s3_bucket_name": f"${{aws_s3_bucket.{name_of(p['S3BucketName'])}.id}}",
        "include_global_service_events": p["IncludeGlobalServiceEvents"],
        "is_multi_region_trail": p["IsMultiRegionTrail"], "enable_log_file_validation": p["EnableLogFileValidation"],
        "enable_logging": True, "kms_key_id": p["KmsKeyId"],
        "cloud_watch_logs_group_arn": f"${{aws_cloudwatch_log_group.{name_of(spec.cfg.log_group)}.arn}}:*",
        "cloud_watch_logs_role_arn": p["CloudWatchLogsRoleArn"],
        "event_selector": [{"read_write_type": sel["ReadWriteType"],
                            "include_management_events": sel["IncludeManagementEvents"],
                            "data_resource": [{"type": r["Type"], "values": r["Values"]}
                                              for r in sel["DataResources"]]}],
        "depends_on": [f"aws_s3_bucket_policy.{name_of(p['S3BucketName'])}"]})


def _topic(out: _Resources, spec: Spec, d: Desired) -> None:
    """The topic and, when an address is configured, its e-mail subscription."""
    n, p = d.name, d.props
    topic = out.add("aws_sns_topic", n, {"name": n}, d)
    if p.get("Email"):
        out.add("aws_sns_topic_subscription", n, {"topic_arn": f"${{{topic}.arn}}", "protocol": "email",
                                                  "endpoint": p["Email"]}, d)


def _metric_filter(out: _Resources, spec: Spec, d: Desired) -> None:
    n, p = d.name, d.props
    m = p["metricTransformations"][0]
    out.add("aws_cloudwatch_log_metric_filter", n, {
        "name": n, "log_group_name": f"${{aws_cloudwatch_log_group.{name_of(spec.cfg.log_group)}.name}}",
        "pattern": p["filterPattern"],
        "metric_transformation": {"name": m["metricName"], "namespace": m["metricNamespace"],
                                  "value": m["metricValue"]}})


def _alarm(out: _Resources, spec: Spec, d: Desired) -> None:
    n, p = d.name, d.props
    body = {"alarm_name": n, "alarm_description": p["AlarmDescription"], "namespace": p["Namespace"],
            "metric_name": p["MetricName"], "statistic": p["Statistic"], "period": p["Period"],
            "evaluation_periods": p["EvaluationPeriods"], "threshold": p["Threshold"],
            "comparison_operator": p["ComparisonOperator"], "treat_missing_data": p["TreatMissingData"],
            "alarm_actions": [f"${{aws_sns_topic.{name_of(a.rsplit(':', 1)[-1])}.arn}}"
                              for a in p["AlarmActions"]]}
    if "Dimensions" in p:
        body["dimensions"] = {x["Name"]: x["Value"] for x in p["Dimensions"]}
    out.add("aws_cloudwatch_metric_alarm", n, body, d)


def _dashboard(out: _Resources, spec: Spec, d: Desired) -> None:
    out.add("aws_cloudwatch_dashboard", d.name, {"dashboard_name": d.name, "dashboard_body": _doc(d.props["DashboardBody"])})


#: Baseline resource kind -> how it is written as Terraform resources.
_EXPORTERS: dict[str, Callable[[_Resources, Spec, Desired], None]] = {
    "iam-password-policy": _password_policy,
    "iam-role": _role,
    "iam-role-policy": _role_policy,
    "iam-group": _group,
    "kms-key": _kms_key,
    "s3-account-public-access-block": _account_public_access_block,
    "s3-bucket": _s3_bucket,
    "logs-log-group": _log_group,
    "cloudtrail-trail": _trail,
    "sns-topic": _topic,
    "logs-metric-filter": _metric_filter,
    "cloudwatch-alarm": _alarm,
    "cloudwatch-dashboard": _dashboard,
}


def _bucket(add: Any, n: str, p: dict[str, Any], backup: str) -> None:
    ref = f"${{aws_s3_bucket.{name_of(n)}.id}}"
    add("aws_s3_bucket", n, {"bucket": n, "tags": p["Tags"], **_PROTECT})
    versioning = add("aws_s3_bucket_versioning", n, {"bucket": ref,
                                                      "versioning_configuration": {"status": p["Versioning"]["Status"]}})
    enc = p["Encryption"]["Rules"][0]
    by_default = {"sse_algorithm": enc["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]}
    if "KMSMasterKeyID" in enc["ApplyServerSideEncryptionByDefault"]:
        by_default["kms_master_key_id"] = enc["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    add("aws_s3_bucket_server_side_encryption_configuration", n, {"bucket": ref, "rule": [{
        "apply_server_side_encryption_by_default": by_default, "bucket_key_enabled": bool(enc.get("BucketKeyEnabled"))}]})
    add("aws_s3_bucket_public_access_block", n, {"bucket": ref, "block_public_acls": True, "ignore_public_acls": True,
                                                  "block_public_policy": True, "restrict_public_buckets": True})
    add("aws_s3_bucket_policy", n, {"bucket": ref, "policy": _doc(p["Policy"])})
    if "Logging" in p:
        add("aws_s3_bucket_logging", n, {"bucket": ref,
                                         "target_bucket": f"${{aws_s3_bucket.{name_of(p['Logging']['TargetBucket'])}.id}}",
                                         "target_prefix": p["Logging"]["TargetPrefix"]})
    add("aws_s3_bucket_lifecycle_configuration", n, {"bucket": ref, "rule": [{
        "id": r["ID"], "status": r["Status"], "filter": {"prefix": r["Filter"].get("Prefix", "")},
        "noncurrent_version_transition": [{"noncurrent_days": t["NoncurrentDays"], "storage_class": t["StorageClass"]}
                                          for t in r.get("NoncurrentVersionTransitions", [])],
        "noncurrent_version_expiration": {"noncurrent_days": r["NoncurrentVersionExpiration"]["NoncurrentDays"]},
        "abort_incomplete_multipart_upload": {"days_after_initiation":
                                              r["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]}}
        for r in p["Lifecycle"]["Rules"]]})
    if "Replication" in p:
        role = name_of(p["Replication"]["Role"].rsplit("/", 1)[-1])
        add("aws_s3_bucket_replication_configuration", n, {
            "bucket": ref, "role": f"${{aws_iam_role.{role}.arn}}",
            "depends_on": [versioning, f"aws_s3_bucket_versioning.{name_of(backup)}", f"aws_iam_role_policy.{role}"],
            "rule": [{
                "id": r["ID"], "priority": r["Priority"], "status": r["Status"],
                "filter": {"prefix": r["Filter"].get("Prefix", "")},
                "delete_marker_replication": {"status": r["DeleteMarkerReplication"]["Status"]},
                "source_selection_criteria": {"sse_kms_encrypted_objects": {
                    "status": r["SourceSelectionCriteria"]["SseKmsEncryptedObjects"]["Status"]}},
                "destination": {"bucket": f"${{aws_s3_bucket.{name_of(backup)}.arn}}", "encryption_configuration": {
                    "replica_kms_key_id": r["Destination"]["EncryptionConfiguration"]["ReplicaKmsKeyID"]}}}
                for r in p["Replication"]["Rules"]]})
