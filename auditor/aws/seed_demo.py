"""A small, realistic data-platform account with deliberate gaps, for ``auditor demo``.

Call inside an active ``moto.mock_aws()`` (or against a moto server through
``AWS_ENDPOINT_URL``)::

    with mock_aws():
        info = seed_demo_account()
        doc = run_scan(prepare(default_rule_paths("aws")), ScanOptions(regions=info["regions"]))

What is built (``info["gaps"]`` lists the rule ids each gap should fail):

* zone buckets ``registraroffice-landing`` / ``-raw`` / ``-curated`` and
  ``govtfinance-311inqvol`` in us-east-1; landing is fully governed (versioned,
  SSE-KMS + bucket key, replicated to a versioned backup bucket in us-west-2,
  public access blocked, TLS-only policy); raw lacks the bucket key; curated is
  unversioned, SSE-S3, not replicated and has no TLS policy;
* a CloudTrail log bucket (versioned, no access logging);
* KMS keys: ``data`` rotates, ``legacy`` does not;
* IAM: a weak password policy, a console user with MFA and one without, a
  service user with an old access key and a directly attached policy, a group
  with a customer ``*:*`` policy attached, a support role;
* a multi-region trail (validation, KMS, CloudWatch Logs) with S3 write data
  events only; metric filters + alarms for some CIS 5.x events (one alarm's
  topic has no subscription);
* a billing alarm above the 40 USD budget; Config recording in us-east-1 only;
  Security Hub in us-east-1 only;
* instances: ``bastion`` (no instance profile, IMDSv1 allowed) and ``etl-worker``
  (instance profile, IMDSv2 only);
* storage: RDS ``registrar-db`` (encrypted, private, Multi-AZ, minor upgrades) and
  ``legacy-reports-db`` (none of these); EFS ``registrar-exports`` (encrypted) and
  ``scratch-share`` (not);
* network: EBS encryption by default in us-east-1 only; security groups
  ``bastion-ssh`` (SSH from anywhere) and ``file-share`` (CIFS from 10.0.0.0/8); the
  us-east-1 default security group emptied (us-west-2's left as created); the default
  network ACLs as created (allow all); an ``analytics`` VPC peered with the default VPC
  through a route to one of its subnets only.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

PRIMARY = "us-east-1"
BACKUP = "us-west-2"
ZONES = ("registraroffice-landing", "registraroffice-raw", "registraroffice-curated")
FINANCE = "govtfinance-311inqvol"
BACKUP_BUCKET = "registraroffice-backup-usw2"
TRAIL_BUCKET = "registraroffice-cloudtrail-logs"
ACCESS_LOG_BUCKET = "registraroffice-access-logs"
LOG_GROUP = "cloudtrail/data-platform"

#: Metric filters built by the demo: control -> (pattern, alarm topic key).
FILTERS = {
    "unauthorized-api-calls": ('{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && '
                               '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
                               "security"),
    "root-account-usage": ('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                           '$.eventType != "AwsServiceEvent" }', "security"),
    # Same events as the CIS pattern, written in another order and style.
    "iam-policy-changes": ("{($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||"
                           "($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)||"
                           "($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
                           "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
                           "($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||"
                           "($.eventName=DeleteUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||"
                           "($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)}", "security"),
    "cloudtrail-config-changes": ("{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
                                  "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || "
                                  "($.eventName = StopLogging) }", "security"),
    # Gap: the alarm's topic has no subscription, so nobody is told.
    "console-auth-failures": ('{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
                              "unsubscribed"),
    # Gap: incomplete pattern (misses ScheduleKeyDeletion).
    "cmk-disable-or-deletion": ("{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }", "security"),
}


def _tls_policy(bucket: str, log_target: bool = False) -> str:
    statements: list[dict[str, Any]] = [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
    if log_target:
        statements.append({"Sid": "S3ServerAccessLogs", "Effect": "Allow",
                           "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                           "Resource": f"arn:aws:s3:::{bucket}/*"})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def seed_demo_account(region: str = PRIMARY) -> dict[str, Any]:
    """Build the demo account; returns ``{account, regions, buckets, gaps}``."""
    import boto3

    sts = boto3.client("sts", region_name=region)
    account = sts.get_caller_identity()["Account"]
    kms = boto3.client("kms", region_name=region)
    data_key = kms.create_key(Description="data-platform zones")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=data_key)
    kms.create_alias(AliasName="alias/data-platform", TargetKeyId=data_key)
    legacy_key = kms.create_key(Description="legacy exports")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/legacy-exports", TargetKeyId=legacy_key)
    trail_key = kms.create_key(Description="cloudtrail")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=trail_key)

    _buckets(account, region, data_key)
    _iam(account)
    _logging(account, region, trail_key)
    _monitoring(account, region)
    _regional(region)
    _storage(region)
    _network(region)
    # moto starts every region with Macie on; the backup region is the demo's gap.
    boto3.client("macie2", region_name=BACKUP).disable_macie()
    return {
        "account": account, "regions": [region, BACKUP],
        "buckets": [*ZONES, FINANCE, BACKUP_BUCKET, TRAIL_BUCKET, ACCESS_LOG_BUCKET],
        "gaps": {
            "registraroffice-curated": ["s3-bucket-versioning-enabled", "s3-bucket-sse-kms-bucket-key",
                                        "s3-bucket-replicated-to-versioned-backup", "s3-bucket-denies-insecure-transport"],
            "registraroffice-raw": ["s3-bucket-sse-kms-bucket-key"],
            TRAIL_BUCKET: ["s3-cloudtrail-bucket-access-logging"],
            "legacy key": ["kms-cmk-rotation-enabled"],
            "analyst": ["iam-user-console-mfa-enabled"],
            "etl-service": ["iam-user-access-keys-rotated", "iam-user-permissions-through-groups"],
            "legacy-admin": ["iam-policy-no-full-admin"],
            "bastion": ["ec2-instance-uses-iam-role", "ec2-instance-imdsv2-required"],
            "legacy-reports-db": ["rds-instance-storage-encrypted", "rds-instance-auto-minor-version-upgrade",
                                  "rds-instance-not-publicly-accessible", "rds-instance-multi-az"],
            "scratch-share": ["efs-file-system-encrypted"],
            "bastion-ssh": ["ec2-security-group-no-public-ipv4-admin-ports"],
            "default network ACLs": ["network-acl-no-public-admin-ports"],
            "account": ["iam-password-policy-min-length", "billing-alarm-within-budget",
                        "cloudtrail-s3-object-read-events-logged", "s3-account-public-access-blocked",
                        "cloudwatch-monitors-console-auth-failures", "cloudwatch-monitors-cmk-disable-or-deletion"],
            BACKUP: ["config-recorder-recording", "securityhub-enabled", "macie-enabled",
                     "ec2-ebs-default-encryption-enabled", "ec2-default-security-group-restricts-all"],
        },
    }


def _buckets(account: str, region: str, data_key: str) -> None:
    import boto3

    s3 = boto3.client("s3", region_name=region)
    s3w = boto3.client("s3", region_name=BACKUP)
    s3w.create_bucket(Bucket=BACKUP_BUCKET, CreateBucketConfiguration={"LocationConstraint": BACKUP})
    s3w.put_bucket_versioning(Bucket=BACKUP_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3w.put_public_access_block(Bucket=BACKUP_BUCKET, PublicAccessBlockConfiguration=_BLOCK)
    for name in (ACCESS_LOG_BUCKET, TRAIL_BUCKET, *ZONES, FINANCE):
        s3.create_bucket(Bucket=name)
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=_BLOCK)
    for name in (ACCESS_LOG_BUCKET, TRAIL_BUCKET, "registraroffice-landing", "registraroffice-raw", FINANCE):
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket="registraroffice-curated", VersioningConfiguration={"Status": "Suspended"})
    for name, zone in (("registraroffice-landing", "landing"), ("registraroffice-raw", "raw"),
                       ("registraroffice-curated", "curated"), (FINANCE, "311")):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "DataZone", "Value": zone},
                                                               {"Key": "Owner", "Value": "data-platform"}]})
    for name, bucket_key in (("registraroffice-landing", True), ("registraroffice-raw", False), (FINANCE, True)):
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": data_key},
            "BucketKeyEnabled": bucket_key}]})
    s3.put_bucket_encryption(Bucket="registraroffice-curated", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    for name in ("registraroffice-landing", "registraroffice-raw", FINANCE, TRAIL_BUCKET, ACCESS_LOG_BUCKET):
        s3.put_bucket_policy(Bucket=name, Policy=_tls_policy(name, log_target=name == ACCESS_LOG_BUCKET))
    role = f"arn:aws:iam::{account}:role/s3-replication"
    for name in ("registraroffice-landing", "registraroffice-raw", FINANCE):
        s3.put_bucket_replication(Bucket=name, ReplicationConfiguration={"Role": role, "Rules": [{
            "ID": "to-backup", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": f"{name}/"},
            "DeleteMarkerReplication": {"Status": "Disabled"},
            "Destination": {"Bucket": f"arn:aws:s3:::{BACKUP_BUCKET}"}}]})
    s3.put_bucket_logging(Bucket="registraroffice-landing", BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": ACCESS_LOG_BUCKET, "TargetPrefix": "landing/"}})


def _iam(account: str) -> None:
    import boto3

    iam = boto3.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=8, PasswordReusePrevention=24,
                                       RequireSymbols=True, RequireNumbers=True)
    admin = iam.create_policy(PolicyName="legacy-admin", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
    read = iam.create_policy(PolicyName="zone-read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                                                "Resource": ["arn:aws:s3:::registraroffice-*"]}]}))["Policy"]["Arn"]
    iam.create_group(GroupName="platform-admins")
    iam.attach_group_policy(GroupName="platform-admins", PolicyArn=admin)
    iam.create_group(GroupName="analysts")
    iam.attach_group_policy(GroupName="analysts", PolicyArn=read)
    for user, group in (("data-engineer", "platform-admins"), ("analyst", "analysts")):
        iam.create_user(UserName=user)
        iam.create_login_profile(UserName=user, Password="Demo-Passw0rd-Not-Real!")
        iam.add_user_to_group(UserName=user, GroupName=group)
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="data-engineer")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="data-engineer", SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    iam.create_user(UserName="etl-service")
    iam.attach_user_policy(UserName="etl-service", PolicyArn=read)
    iam.create_access_key(UserName="etl-service")
    _age_access_key(account, "etl-service", days=200)
    iam.create_role(RoleName="support-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]}))
    try:
        iam.attach_role_policy(RoleName="support-role", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    except iam.exceptions.NoSuchEntityException:
        pass  # moto loads AWS-managed policies only with MOTO_IAM_LOAD_MANAGED_POLICIES=true: a 2.16 gap


def _age_access_key(account: str, user: str, days: int) -> None:
    """moto stamps keys with the current time; make one look old (demo only)."""
    try:
        from moto.iam.models import iam_backends
    except ImportError:  # against a real endpoint the key simply stays new
        return
    backend = iam_backends[account]["global"]
    for key in backend.users[user].access_keys:
        key.create_date = (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None)


def _logging(account: str, region: str, trail_key: str) -> None:
    import boto3

    logs = boto3.client("logs", region_name=region)
    logs.create_log_group(logGroupName=LOG_GROUP)
    group_arn = f"arn:aws:logs:{region}:{account}:log-group:{LOG_GROUP}:*"
    ct = boto3.client("cloudtrail", region_name=region)
    ct.create_trail(Name="data-platform-trail", S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=True,
                    EnableLogFileValidation=True, KmsKeyId=trail_key, CloudWatchLogsLogGroupArn=group_arn,
                    CloudWatchLogsRoleArn=f"arn:aws:iam::{account}:role/cloudtrail-to-logs")
    ct.start_logging(Name="data-platform-trail")
    ct.put_event_selectors(TrailName="data-platform-trail", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []},
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
         "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])


def _monitoring(account: str, region: str) -> None:
    import boto3

    sns = boto3.client("sns", region_name=region)
    topics = {"security": sns.create_topic(Name="security-alerts")["TopicArn"],
              "unsubscribed": sns.create_topic(Name="ops-alerts")["TopicArn"],
              "billing": sns.create_topic(Name="billing-alerts")["TopicArn"]}
    sns.subscribe(TopicArn=topics["security"], Protocol="email", Endpoint="security@example.org")
    sns.subscribe(TopicArn=topics["billing"], Protocol="email", Endpoint="finance@example.org")
    logs = boto3.client("logs", region_name=region)
    cw = boto3.client("cloudwatch", region_name=region)
    for control, (pattern, topic) in FILTERS.items():
        logs.put_metric_filter(logGroupName=LOG_GROUP, filterName=f"cis-{control}", filterPattern=pattern,
                               metricTransformations=[{"metricName": f"cis-{control}", "metricNamespace": "CISBenchmark",
                                                       "metricValue": "1"}])
        cw.put_metric_alarm(AlarmName=f"cis-{control}", MetricName=f"cis-{control}", Namespace="CISBenchmark",
                            Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1,
                            ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topics[topic]])
    billing = boto3.client("cloudwatch", region_name="us-east-1")
    billing.put_metric_alarm(AlarmName="billing-over-budget", MetricName="EstimatedCharges", Namespace="AWS/Billing",
                             Statistic="Maximum", Period=21600, EvaluationPeriods=1, Threshold=100.0,
                             ComparisonOperator="GreaterThanThreshold", Dimensions=[{"Name": "Currency", "Value": "USD"}],
                             AlarmActions=[topics["billing"]])


def _regional(region: str) -> None:
    import boto3

    cfg = boto3.client("config", region_name=region)
    cfg.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": "arn:aws:iam::123456789012:role/config",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": TRAIL_BUCKET})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    boto3.client("securityhub", region_name=region).enable_security_hub()
    boto3.client("macie2", region_name=region).enable_macie()
    boto3.client("account", region_name=region).put_alternate_contact(
        AlternateContactType="SECURITY", Name="Security Team", Title="Security", EmailAddress="security@example.org",
        PhoneNumber="+15555550100")
    ec2 = boto3.client("ec2", region_name=region)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                      TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "bastion"}]}])
    iam = boto3.client("iam")
    iam.create_role(RoleName="etl-worker", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "ec2.amazonaws.com"}}]}))
    iam.create_instance_profile(InstanceProfileName="etl-worker")
    iam.add_role_to_instance_profile(InstanceProfileName="etl-worker", RoleName="etl-worker")
    ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                      IamInstanceProfile={"Name": "etl-worker"}, MetadataOptions={"HttpTokens": "required"},
                      TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "etl-worker"}]}])
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="REJECT",
                         LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{ACCESS_LOG_BUCKET}")


def _storage(region: str) -> None:
    import boto3

    rds = boto3.client("rds", region_name=region)
    common = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres", "MasterUsername": "demo_admin",
              "MasterUserPassword": "Demo-Passw0rd-Not-Real", "AllocatedStorage": 20}
    rds.create_db_instance(DBInstanceIdentifier="registrar-db", StorageEncrypted=True, MultiAZ=True,
                           PubliclyAccessible=False, AutoMinorVersionUpgrade=True, **common)
    # Gap: an old reporting database, unencrypted, public, single-AZ, never upgraded.
    rds.create_db_instance(DBInstanceIdentifier="legacy-reports-db", StorageEncrypted=False, MultiAZ=False,
                           PubliclyAccessible=True, AutoMinorVersionUpgrade=False, **common)
    efs = boto3.client("efs", region_name=region)
    efs.create_file_system(CreationToken="registrar-exports", Encrypted=True,
                           Tags=[{"Key": "Name", "Value": "registrar-exports"}])
    efs.create_file_system(CreationToken="scratch-share", Tags=[{"Key": "Name", "Value": "scratch-share"}])


def _network(region: str) -> None:
    import boto3

    ec2 = boto3.client("ec2", region_name=region)
    ec2.enable_ebs_encryption_by_default()  # the backup region is left without: a gap
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    default_sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                                       {"Name": "group-name", "Values": ["default"]}])
    group = default_sg["SecurityGroups"][0]
    if group["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    bastion = ec2.create_security_group(GroupName="bastion-ssh", Description="SSH to the bastion",
                                        VpcId=vpc["VpcId"])["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=bastion, IpPermissions=[  # gap: SSH from anywhere
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    share = ec2.create_security_group(GroupName="file-share", Description="SMB from the campus network",
                                      VpcId=vpc["VpcId"])["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=share, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 445, "ToPort": 445, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    analytics = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "analytics"}]}])["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc["VpcId"], PeerVpcId=analytics)["VpcPeeringConnection"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx["VpcPeeringConnectionId"])
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                              {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    # Least access: only the analytics subnet the platform needs, not the whole VPC.
    ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="10.20.1.0/24",
                     VpcPeeringConnectionId=pcx["VpcPeeringConnectionId"])
