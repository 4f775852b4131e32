"""The baseline as a CloudFormation template (JSON)."""

from __future__ import annotations

import json
from typing import Any

from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.spec import BILLING_REGION, INLINE_POLICY_NAME, Desired, Spec
from auditor.baseline.symbolic import ACCOUNT, PARTITION, REGION
from auditor.baseline.templates import KEY_TOKENS

_RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def _key_id(purpose: str) -> str:
    return f"{purpose.capitalize()}Key"


def _subst(value: Any) -> Any:
    """Turn strings holding placeholders into ``Fn::Sub`` expressions (recursively)."""
    if isinstance(value, dict):
        return {k: _subst(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_subst(v) for v in value]
    if isinstance(value, str) and "__" in value:
        text = value.replace(ACCOUNT, "${AWS::AccountId}").replace(REGION, "${AWS::Region}")
        text = text.replace(PARTITION, "${AWS::Partition}")
        for purpose, token in KEY_TOKENS.items():
            text = text.replace(token, f"${{{_key_id(purpose)}.Arn}}")
        return {"Fn::Sub": text} if text != value else value
    return value


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _bucket(cfg: BaselineConfig, d: Desired, ids: dict[tuple[str, str], str]) -> dict[str, Any]:
    p = d.props
    enc = p["Encryption"]["Rules"][0]
    by_default = {"SSEAlgorithm": enc["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]}
    if "KMSMasterKeyID" in enc["ApplyServerSideEncryptionByDefault"]:
        by_default["KMSMasterKeyID"] = enc["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    rule: dict[str, Any] = {"ServerSideEncryptionByDefault": by_default}
    if enc.get("BucketKeyEnabled"):
        rule["BucketKeyEnabled"] = True
    props: dict[str, Any] = {
        "BucketName": d.name,
        "VersioningConfiguration": p["Versioning"],
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [rule]},
        "PublicAccessBlockConfiguration": p["PublicAccessBlock"],
        "LifecycleConfiguration": {"Rules": [{
            "Id": r["ID"], "Status": r["Status"], "Prefix": r["Filter"].get("Prefix", ""),
            "NoncurrentVersionTransitions": [{"StorageClass": t["StorageClass"], "TransitionInDays": t["NoncurrentDays"]}
                                             for t in r.get("NoncurrentVersionTransitions", [])],
            "NoncurrentVersionExpiration": r["NoncurrentVersionExpiration"],
            "AbortIncompleteMultipartUpload": r["AbortIncompleteMultipartUpload"]} for r in p["Lifecycle"]["Rules"]]},
        "Tags": _tags(p["Tags"]),
    }
    if "Logging" in p:
        # A reference (not the literal name) so the log bucket is created first.
        props["LoggingConfiguration"] = {"DestinationBucketName": {"Ref": ids["bucket", p["Logging"]["TargetBucket"]]},
                                         "LogFilePrefix": p["Logging"]["TargetPrefix"]}
    if "Replication" in p:
        role = ids["role", p["Replication"]["Role"].rsplit("/", 1)[-1]]
        backup = ids["bucket", cfg.backup_bucket]
        props["ReplicationConfiguration"] = {"Role": {"Fn::GetAtt": [role, "Arn"]}, "Rules": [{
            "Id": r["ID"], "Priority": r["Priority"], "Status": r["Status"], "Filter": r["Filter"],
            "DeleteMarkerReplication": r["DeleteMarkerReplication"],
            "SourceSelectionCriteria": r["SourceSelectionCriteria"],
            "Destination": {**r["Destination"], "Bucket": {"Fn::GetAtt": [backup, "Arn"]}}}
            for r in p["Replication"]["Rules"]]}
    return props


def cloudformation(spec: Spec) -> dict[str, Any]:
    cfg = spec.cfg
    res: dict[str, Any] = {}
    ids: dict[tuple[str, str], str] = {}

    def add(kind: str, d: Desired, rtype: str, props: dict[str, Any], **extra: Any) -> str:
        logical = cfg.logical(f"{kind} {d.name}")
        res[logical] = {"Type": rtype, **extra, "Properties": _subst(props)}
        if d.region == BILLING_REGION and d.region != spec.target.region:
            res[logical]["Condition"] = "InBillingRegion"
        ids[kind, d.name] = logical
        return logical

    roles = []
    for d in spec.resources:
        k, p = d.kind, d.props
        if k == "iam-role":
            props = {"RoleName": d.name, "Description": p["Description"],
                     "AssumeRolePolicyDocument": p["AssumeRolePolicyDocument"], "Tags": _tags({"managed-by": "auditor-baseline"})}
            if p["ManagedPolicyArns"]:
                props["ManagedPolicyArns"] = p["ManagedPolicyArns"]
            roles.append(add("role", d, "AWS::IAM::Role", props))
        elif k == "iam-role-policy":
            add("role policy", d, "AWS::IAM::RolePolicy", {
                "RoleName": {"Ref": ids["role", d.name]}, "PolicyName": INLINE_POLICY_NAME,
                "PolicyDocument": p["PolicyDocument"]})
        elif k == "iam-group":
            add("group", d, "AWS::IAM::Group", {"GroupName": d.name, "Policies": [
                {"PolicyName": INLINE_POLICY_NAME, "PolicyDocument": p["InlinePolicy"]}]})
        elif k == "kms-key":
            logical = _key_id(p["Purpose"])
            res[logical] = {"Type": "AWS::KMS::Key", "DependsOn": list(roles), **_RETAIN, "Properties": _subst({
                "Description": p["Description"], "KeyPolicy": p["Policy"], "EnableKeyRotation": True,
                "Tags": _tags({"managed-by": "auditor-baseline"})})}
            res[f"{logical}Alias"] = {"Type": "AWS::KMS::Alias",
                                      "Properties": {"AliasName": d.name, "TargetKeyId": {"Ref": logical}}}
        elif k == "s3-bucket":
            extra: dict[str, Any] = dict(_RETAIN)
            if "Replication" in p:   # the role must be allowed to replicate before S3 accepts the rule
                extra["DependsOn"] = [ids["role policy", p["Replication"]["Role"].rsplit("/", 1)[-1]]]
            logical = add("bucket", d, "AWS::S3::Bucket", _bucket(cfg, d, ids), **extra)
            add("bucket policy", d, "AWS::S3::BucketPolicy", {"Bucket": {"Ref": logical}, "PolicyDocument": p["Policy"]})
        elif k == "logs-log-group":
            add("log group", d, "AWS::Logs::LogGroup", {"LogGroupName": d.name, "RetentionInDays": p["retentionInDays"]},
                **_RETAIN)
        elif k == "cloudtrail-trail":
            trail_bucket = ids["bucket", p["S3BucketName"]]
            add("trail", d, "AWS::CloudTrail::Trail", {
                "TrailName": d.name, "S3BucketName": {"Ref": trail_bucket}, "IsLogging": True,
                "IsMultiRegionTrail": p["IsMultiRegionTrail"], "IncludeGlobalServiceEvents": p["IncludeGlobalServiceEvents"],
                "EnableLogFileValidation": p["EnableLogFileValidation"], "KMSKeyId": p["KmsKeyId"],
                "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": [ids["log group", cfg.log_group], "Arn"]},
                "CloudWatchLogsRoleArn": p["CloudWatchLogsRoleArn"], "EventSelectors": p["EventSelectors"]},
                DependsOn=[ids["bucket policy", p["S3BucketName"]]])
        elif k == "sns-topic":
            topic = add("topic", d, "AWS::SNS::Topic", {"TopicName": d.name})
            if p.get("Email"):
                add("subscription", d, "AWS::SNS::Subscription",
                    {"TopicArn": {"Ref": topic}, "Protocol": "email", "Endpoint": p["Email"]})
        elif k == "logs-metric-filter":
            add("metric filter", d, "AWS::Logs::MetricFilter", {
                "FilterName": d.name, "LogGroupName": p["logGroupName"], "FilterPattern": p["filterPattern"],
                "MetricTransformations": [{"MetricName": m["metricName"], "MetricNamespace": m["metricNamespace"],
                                           "MetricValue": m["metricValue"]} for m in p["metricTransformations"]]},
                DependsOn=[ids["log group", cfg.log_group]])
        elif k == "cloudwatch-alarm":
            add("alarm", d, "AWS::CloudWatch::Alarm", dict(p), DependsOn=[
                ids["topic", a.rsplit(":", 1)[-1]] for a in p["AlarmActions"]])
        elif k == "cloudwatch-dashboard":
            add("dashboard", d, "AWS::CloudWatch::Dashboard",
                {"DashboardName": d.name, "DashboardBody": json.dumps(p["DashboardBody"], separators=(",", ":"))})
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Governed data-platform baseline ({cfg.name_prefix}), exported by auditor baseline export",
        "Metadata": {"NotInThisTemplate": [
            "IAM account password policy (no CloudFormation resource): auditor baseline apply, or "
            "aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24 ...",
            "Account-level S3 Block Public Access (no CloudFormation resource): auditor baseline apply, or "
            "aws s3control put-public-access-block",
            "Email subscriptions must be confirmed by their recipient (a human step)",
        ]},
        "Conditions": {"InBillingRegion": {"Fn::Equals": [{"Ref": "AWS::Region"}, BILLING_REGION]}},
        "Resources": res,
    }
