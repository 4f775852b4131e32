"""Why a resource that configures another one was not judged: its target is not in the change.

A bucket policy, a KMS alias, an access key or a policy attachment is judged through the
resource it configures. When that resource is not in the scanned change (it lives in
another stack or was created by hand), or is named by a value decided at deploy, the
configuring resource is listed as not evaluated with that reason, never silently dropped.
"""

from __future__ import annotations

from typing import Any

from auditor.iac.model import SourceResource
from auditor.iac.values import Symbol, Unknown

#: Configuring resource type -> the argument that names what it configures.
TARGET_ARGUMENT = {
    "AWS::S3::BucketPolicy": "Bucket", "AWS::KMS::Alias": "TargetKeyId", "AWS::IAM::AccessKey": "UserName",
    "AWS::IAM::RolePolicy": "RoleName", "AWS::IAM::UserPolicy": "UserName", "AWS::IAM::GroupPolicy": "GroupName",
    "AWS::IAM::UserToGroupAddition": "GroupName", "AWS::SNS::Subscription": "TopicArn",
    "AWS::Logs::MetricFilter": "LogGroupName",
    "aws_s3_bucket_versioning": "bucket", "aws_s3_bucket_server_side_encryption_configuration": "bucket",
    "aws_s3_bucket_public_access_block": "bucket", "aws_s3_bucket_policy": "bucket", "aws_s3_bucket_logging": "bucket",
    "aws_s3_bucket_replication_configuration": "bucket", "aws_s3_bucket_ownership_controls": "bucket",
    "aws_s3_bucket_object_lock_configuration": "bucket", "aws_kms_alias": "target_key_id",
    "aws_kms_key_policy": "key_id", "aws_iam_access_key": "user", "aws_iam_user_login_profile": "user",
    "aws_iam_user_policy": "user", "aws_iam_group_policy": "group", "aws_iam_role_policy": "role",
    "aws_iam_user_policy_attachment": "user", "aws_iam_group_policy_attachment": "group",
    "aws_iam_role_policy_attachment": "role", "aws_iam_group_membership": "group",
    "aws_iam_user_group_membership": "user", "aws_sns_topic_subscription": "topic_arn",
    "aws_cloudwatch_log_metric_filter": "log_group_name",
}


def unjoined_reason(source: SourceResource) -> str | None:
    """The reason a configuring resource was not judged, or None for a type that configures nothing."""
    arg = TARGET_ARGUMENT.get(source.type)
    if arg is None:
        return None
    value: Any = source.props.get(arg)
    if isinstance(value, Unknown):
        return f"it configures {arg} {value.reason.rstrip('.')}; its target is decided at deploy"
    shown = value.target.rsplit("#", 1)[-1] if isinstance(value, Symbol) else value
    return f"it configures {shown!s}, which is not a resource of this change (the account scan judges it)"
