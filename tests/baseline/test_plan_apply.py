"""Plan and apply against moto: empty account -> plan -> apply -> converged; drift; safety."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.planner import apply, plan


def _actions(p: Any) -> dict[str, str]:
    return {c.address: c.action for c in p.changes if c.action != "no-op"}


def test_empty_account_plan_lists_everything_and_changes_nothing(account: Any, cfg: BaselineConfig) -> None:
    p = plan(account, cfg)
    assert p.exit_code == 1
    actions = _actions(p)
    for address in ("s3-bucket[registraroffice-landing]", "s3-bucket-versioning[registraroffice-raw]",
                    "s3-bucket-replication[registraroffice-curated]", "kms-key[alias/registraroffice-data]",
                    "kms-key-rotation[alias/registraroffice-logs]", "iam-role[registraroffice-landing-writer]",
                    "iam-role-attachment[registraroffice-support/AWSSupportAccess]",
                    "iam-group-policy[registraroffice-break-glass-admins/baseline]",
                    "iam-password-policy[account]", "cloudtrail-trail[registraroffice-trail]",
                    "cloudwatch-alarm[registraroffice-billing-estimated-charges]",
                    "cloudwatch-dashboard[registraroffice-governance]",
                    "logs-metric-filter[registraroffice-cis-root-account-usage]"):
        assert actions.get(address) == "create", address
    assert all(a == "create" for a in actions.values())
    # plan is read-only
    assert account.client("s3").list_buckets()["Buckets"] == []
    assert account.client("iam").list_roles()["Roles"] == []
    # before the key exists, references to it say so instead of inventing an ARN
    text = "\n".join(p.lines())
    assert 'KmsKeyId: (absent) -> "(known after apply: alias/registraroffice-logs)"' in text
    assert p.summary().startswith(f"Plan: {len(actions)} to create, 0 to update, 0 unchanged")


@pytest.mark.slow
def test_apply_converges_and_second_apply_changes_nothing(account: Any, cfg: BaselineConfig) -> None:
    before = plan(account, cfg)
    first = apply(account, cfg)
    assert not first.failed, first.lines()
    assert first.after is not None and first.after.exit_code == 0, first.after.lines()
    # apply wrote only what the plan announced (a key's policy comes with the key itself)
    applied = [c.address for c in first.applied]
    assert set(applied) <= {c.address for c in before.pending}
    assert set(c.address for c in before.pending) - set(applied) == {
        "kms-key-policy[alias/registraroffice-data]", "kms-key-policy[alias/registraroffice-logs]"}
    second = apply(account, cfg)
    assert second.applied == [] and second.failed == []
    assert plan(account, cfg).exit_code == 0

    s3 = account.client("s3")
    for bucket in ("registraroffice-landing", "registraroffice-raw", "registraroffice-curated"):
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        assert rule["BucketKeyEnabled"] is True
        repl = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
        assert repl["Rules"][0]["Destination"]["Bucket"] == "arn:aws:s3:::registraroffice-backup"
        assert repl["Role"].endswith(":role/registraroffice-replication")
        assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"] == "registraroffice-access-logs"
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        tls = next(st for st in policy["Statement"] if st["Sid"] == "DenyInsecureTransport")
        assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    kms = account.client("kms")
    for alias in ("alias/registraroffice-data", "alias/registraroffice-logs"):
        assert kms.get_key_rotation_status(KeyId=kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"])[
            "KeyRotationEnabled"] is True
    trail = account.client("cloudtrail").get_trail(Name="registraroffice-trail")["Trail"]
    assert trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"]
    assert trail["KmsKeyId"] == kms.describe_key(KeyId="alias/registraroffice-logs")["KeyMetadata"]["Arn"]
    assert account.client("cloudtrail").get_trail_status(Name="registraroffice-trail")["IsLogging"] is True
    alarm = account.client("cloudwatch").describe_alarms(
        AlarmNames=["registraroffice-billing-estimated-charges"])["MetricAlarms"][0]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Threshold"]) == ("AWS/Billing", "EstimatedCharges", 40)
    assert alarm["Dimensions"] == [{"Name": "Currency", "Value": "USD"}]
    filters = account.client("logs").describe_metric_filters(logGroupName="/aws/cloudtrail/registraroffice-trail")
    assert len(filters["metricFilters"]) == 15
    policy = account.client("iam").get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14 and policy["PasswordReusePrevention"] == 24


def _drift(account: Any) -> None:
    s3 = account.client("s3")
    s3.put_bucket_versioning(Bucket="registraroffice-raw", VersioningConfiguration={"Status": "Suspended"})
    kms = account.client("kms")
    kms.disable_key_rotation(KeyId=kms.describe_key(KeyId="alias/registraroffice-data")["KeyMetadata"]["KeyId"])
    account.client("cloudwatch").delete_alarms(AlarmNames=["registraroffice-billing-estimated-charges"])


def test_drift_gives_exactly_those_changes_and_apply_fixes_them(account: Any, cfg: BaselineConfig) -> None:
    apply(account, cfg)
    _drift(account)
    p = plan(account, cfg)
    assert p.exit_code == 1
    assert _actions(p) == {
        "s3-bucket-versioning[registraroffice-raw]": "update",
        "kms-key-rotation[alias/registraroffice-data]": "update",
        "cloudwatch-alarm[registraroffice-billing-estimated-charges]": "create",
    }
    by = {c.address: c for c in p.changes}
    assert by["s3-bucket-versioning[registraroffice-raw]"].diffs == ['Status: "Suspended" -> "Enabled"']
    assert by["kms-key-rotation[alias/registraroffice-data]"].diffs == ["KeyRotationEnabled: false -> true"]
    fixed = apply(account, cfg)
    assert sorted(c.address for c in fixed.applied) == sorted(_actions(p))
    assert fixed.after is not None and fixed.after.exit_code == 0


@pytest.mark.slow
def test_apply_keeps_other_teams_rules_and_stricter_password_policy(account: Any, cfg: BaselineConfig) -> None:
    apply(account, cfg)
    s3 = account.client("s3")
    other = {"ID": "team-archive", "Status": "Enabled", "Filter": {"Prefix": "archive/"},
             "Transitions": [{"Days": 365, "StorageClass": "GLACIER"}]}
    current = s3.get_bucket_lifecycle_configuration(Bucket="registraroffice-landing")["Rules"]
    # someone replaces the baseline's lifecycle rule by theirs only
    s3.put_bucket_lifecycle_configuration(Bucket="registraroffice-landing", LifecycleConfiguration={"Rules": [other]})
    iam = account.client("iam")
    strict = iam.get_account_password_policy()["PasswordPolicy"]
    iam.update_account_password_policy(MinimumPasswordLength=20, RequireSymbols=True, RequireNumbers=True,
                                       RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
                                       AllowUsersToChangePassword=True, PasswordReusePrevention=24, MaxPasswordAge=60)
    assert _actions(plan(account, cfg)) == {"s3-bucket-lifecycle[registraroffice-landing]": "update"}
    apply(account, cfg)
    rules = {r["ID"] for r in s3.get_bucket_lifecycle_configuration(Bucket="registraroffice-landing")["Rules"]}
    assert rules == {"team-archive", current[0]["ID"]}
    after = iam.get_account_password_policy()["PasswordPolicy"]
    assert after["MinimumPasswordLength"] == 20 and after["MaxPasswordAge"] == 60
    assert strict["MinimumPasswordLength"] == 14


@pytest.mark.slow
def test_apply_recovers_a_key_pending_deletion_without_deleting_anything(account: Any, cfg: BaselineConfig) -> None:
    apply(account, cfg)
    kms = account.client("kms")
    key_id = kms.describe_key(KeyId="alias/registraroffice-logs")["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    p = plan(account, cfg)
    assert p.pending and "kms-key[alias/registraroffice-logs]" in _actions(p)
    calls: list[str] = []
    account.events.register("before-call", lambda model, **kw: calls.append(model.name))
    fixed = apply(account, cfg)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    assert fixed.after is not None and fixed.after.exit_code == 0
    destructive = [c for c in calls if c.startswith(("Delete", "ScheduleKeyDeletion", "Disable", "StopLogging"))]
    assert destructive == []
    assert "CancelKeyDeletion" in calls


def test_pending_email_subscription_is_a_note_not_a_change(account: Any, cfg: BaselineConfig,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.baseline import items_monitoring

    apply(account, cfg)
    # moto confirms email subscriptions at once; AWS leaves them pending until the recipient clicks.
    monkeypatch.setattr(items_monitoring, "_pending", lambda sns, arn: True)
    p = plan(account, cfg)
    assert p.exit_code == 0
    notes = [n for c in p.changes for n in c.notes]
    assert len(notes) == 2 and all("must be confirmed by its recipient" in n for n in notes)


def test_no_alert_email_is_reported(account: Any) -> None:
    p = plan(account, BaselineConfig())
    notes = [n for c in p.changes for n in c.notes]
    assert any("no baseline.alert_email configured" in n for n in notes)
    assert not any(c.address.startswith("sns-subscription") for c in p.changes)


def test_access_denied_read_is_an_error_and_exit_3(account: Any, cfg: BaselineConfig) -> None:
    from botocore.exceptions import ClientError

    def deny(model: Any, **kwargs: Any) -> None:
        if model.name == "GetBucketPolicy":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, model.name)

    apply(account, cfg)
    account.events.register("before-call", deny)
    p = plan(account, cfg)
    assert p.exit_code == 3
    errors = [c for c in p.changes if c.action == "error"]
    assert len(errors) == 6 and all(c.diffs == ["GetBucketPolicy: AccessDenied"] for c in errors)


def test_existing_bucket_keeps_foreign_policy_statements_and_replication_rules(account: Any,
                                                                               cfg: BaselineConfig) -> None:
    s3 = account.client("s3")
    s3.create_bucket(Bucket="registraroffice-landing")
    s3.put_bucket_versioning(Bucket="registraroffice-landing", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket="dr-copy")
    s3.put_bucket_versioning(Bucket="dr-copy", VersioningConfiguration={"Status": "Enabled"})
    foreign = {"Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
               "Action": "s3:GetObject", "Resource": "arn:aws:s3:::registraroffice-landing/shared/*"}
    s3.put_bucket_policy(Bucket="registraroffice-landing",
                         Policy=json.dumps({"Version": "2012-10-17", "Statement": [foreign]}))
    theirs = {"ID": "dr", "Priority": 2, "Status": "Enabled", "Filter": {"Prefix": ""},
              "DeleteMarkerReplication": {"Status": "Disabled"},
              "Destination": {"Bucket": "arn:aws:s3:::dr-copy"}}
    s3.put_bucket_replication(Bucket="registraroffice-landing", ReplicationConfiguration={
        "Role": "arn:aws:iam::123456789012:role/dr", "Rules": [theirs]})
    result = apply(account, cfg)
    assert result.after is not None and result.after.exit_code == 0
    sids = {st["Sid"] for st in json.loads(s3.get_bucket_policy(Bucket="registraroffice-landing")["Policy"])["Statement"]}
    assert {"PartnerRead", "DenyInsecureTransport", "DenyWronglyEncryptedPuts"} <= sids
    rules = s3.get_bucket_replication(Bucket="registraroffice-landing")["ReplicationConfiguration"]["Rules"]
    assert {r["ID"] for r in rules} == {"dr", "baseline-to-backup"}


def test_a_failed_write_is_reported_and_the_rest_still_converges(account: Any, cfg: BaselineConfig) -> None:
    from botocore.exceptions import ClientError

    def deny(params: Any, model: Any, **kwargs: Any) -> None:
        if params.get("Bucket") == "registraroffice-raw":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "SCP says no"}}, model.name)

    account.events.register("before-parameter-build.s3.PutBucketVersioning", deny)
    result = apply(account, cfg)
    # replication needs a versioned source, so it fails too; every other item converged
    assert [c.address for c in result.failed] == ["s3-bucket-versioning[registraroffice-raw]",
                                                  "s3-bucket-replication[registraroffice-raw]"]
    assert result.failed[0].diffs == ["PutBucketVersioning: AccessDenied: SCP says no"]
    assert result.after is not None
    assert {c.address for c in result.after.pending} == {"s3-bucket-versioning[registraroffice-raw]",
                                                         "s3-bucket-replication[registraroffice-raw]"}
    assert account.client("s3").get_bucket_versioning(Bucket="registraroffice-landing")["Status"] == "Enabled"


def test_other_region_converges_with_billing_in_us_east_1(account: Any) -> None:
    cfg = BaselineConfig(region="eu-west-1", alert_email="ops@example.com",
                         zone_buckets={"landing": "eu-landing", "raw": "eu-raw", "curated": "eu-curated"},
                         backup_bucket="eu-backup", trail_bucket="eu-trail-logs", access_log_bucket="eu-access-logs")
    result = apply(account, cfg)
    assert not result.failed, result.lines()
    assert result.after is not None and result.after.exit_code == 0
    s3 = account.client("s3", region_name="eu-west-1")
    assert s3.get_bucket_location(Bucket="eu-landing")["LocationConstraint"] == "eu-west-1"
    assert account.client("cloudtrail", region_name="eu-west-1").get_trail(Name="registraroffice-trail")["Trail"]
    billing = account.client("cloudwatch", region_name="us-east-1").describe_alarms(
        AlarmNames=["registraroffice-billing-estimated-charges"])["MetricAlarms"]
    assert len(billing) == 1
    assert account.client("cloudwatch", region_name="eu-west-1").describe_alarms(
        AlarmNames=["registraroffice-billing-estimated-charges"])["MetricAlarms"] == []


@pytest.mark.parametrize("converged", [False, True])
def test_plan_only_reads(account: Any, cfg: BaselineConfig, converged: bool) -> None:
    if converged:
        apply(account, cfg)
    calls: list[str] = []
    account.events.register("before-call", lambda model, **kw: calls.append(model.name))
    plan(account, cfg)
    assert calls and all(c.startswith(("Get", "List", "Describe", "Head")) for c in calls), sorted(set(calls))
