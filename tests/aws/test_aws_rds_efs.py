"""CIS 3.2.x (RDS) and 3.3.1 (EFS) against moto, in every scanned region."""

from __future__ import annotations

from typing import Any

import boto3
from aws_helpers import by_rule, only_rules, scan
from test_aws_errors import deny

EAST, WEST = "us-east-1", "eu-west-1"
RDS_RULES = ("rds-instance-storage-encrypted", "rds-instance-auto-minor-version-upgrade",
             "rds-instance-not-publicly-accessible", "rds-instance-multi-az")


def _calls(doc: dict[str, Any], op: str) -> int:
    return int(doc["attachments"]["aws"]["api_calls"].get(op, 0))


def _db(region: str, name: str, **kwargs: Any) -> str:
    rds = boto3.client("rds", region_name=region)
    out = rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres",
                                 MasterUsername="admin_user", MasterUserPassword="not-a-real-pw-1",
                                 AllocatedStorage=20, **kwargs)
    return str(out["DBInstance"]["DBInstanceArn"])


def _statuses(doc: dict[str, Any], arn: str) -> dict[str, str]:
    return {rule: by_rule(doc, rule)[arn]["status"] for rule in RDS_RULES}


def test_rds_instances_in_every_region(aws: None, aws_rules: Any) -> None:
    governed = _db(EAST, "registrar", StorageEncrypted=True, MultiAZ=True, PubliclyAccessible=False,
                   AutoMinorVersionUpgrade=True)
    legacy = _db(WEST, "legacy-reports", StorageEncrypted=False, MultiAZ=False, PubliclyAccessible=True,
                 AutoMinorVersionUpgrade=False)
    doc = scan(only_rules(aws_rules, *RDS_RULES), [EAST, WEST])
    assert _statuses(doc, governed) == dict.fromkeys(RDS_RULES, "PASS")
    assert _statuses(doc, legacy) == dict.fromkeys(RDS_RULES, "FAIL")
    assert by_rule(doc, "rds-instance-storage-encrypted")[legacy]["region"] == WEST
    assert _calls(doc, "rds:DescribeDBInstances") == 2
    # Neither instance is in a cluster: Multi-AZ is settled without DescribeDBClusters.
    assert _calls(doc, "rds:DescribeDBClusters") == 0


def test_aurora_instances_take_multi_az_from_their_cluster(aws: None, aws_rules: Any) -> None:
    rds = boto3.client("rds", region_name=EAST)
    rds.create_db_cluster(DBClusterIdentifier="analytics", Engine="aurora-postgresql", MasterUsername="admin_user",
                          MasterUserPassword="not-a-real-pw-1")
    member = rds.create_db_instance(DBInstanceIdentifier="analytics-1", DBInstanceClass="db.r6g.large",
                                    Engine="aurora-postgresql", DBClusterIdentifier="analytics")["DBInstance"]
    multi = _db(EAST, "multi", MultiAZ=True)

    def multi_az_cluster(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        # moto reports MultiAZ false for every cluster; AWS reports true once instances span AZs.
        if model.name == "DescribeDBClusters":
            for c in parsed.get("DBClusters", []):
                c["MultiAZ"] = True

    prepared = only_rules(aws_rules, "rds-instance-multi-az")
    single = scan(prepared)
    assert by_rule(single, "rds-instance-multi-az")[member["DBInstanceArn"]]["status"] == "FAIL"
    assert by_rule(single, "rds-instance-multi-az")[multi]["status"] == "PASS"
    assert _calls(single, "rds:DescribeDBClusters") == 1        # only for the cluster member, once per region
    spread = scan(prepared, aws_event_hooks=[("after-call.rds", multi_az_cluster)])
    found = by_rule(spread, "rds-instance-multi-az")[member["DBInstanceArn"]]
    assert found["status"] == "PASS" and found["evidence"] == {"Cluster.MultiAZ": True}


def test_rds_listing_denied_is_an_error(aws: None, aws_rules: Any) -> None:
    _db(EAST, "registrar", StorageEncrypted=True)
    doc = scan(only_rules(aws_rules, "rds-instance-storage-encrypted"), aws_event_hooks=[deny("DescribeDBInstances")])
    [finding] = by_rule(doc, "rds-instance-storage-encrypted").values()
    assert finding["status"] == "ERROR"
    assert finding["resource_id"] == "arn:aws:rds:us-east-1:123456789012:db:*"
    assert "DescribeDBInstances: AccessDenied" in finding["message"]


def test_cluster_denied_is_an_error_only_where_the_verdict_needs_it(aws: None, aws_rules: Any) -> None:
    rds = boto3.client("rds", region_name=EAST)
    rds.create_db_cluster(DBClusterIdentifier="analytics", Engine="aurora-postgresql", MasterUsername="admin_user",
                          MasterUserPassword="not-a-real-pw-1")
    member = rds.create_db_instance(DBInstanceIdentifier="analytics-1", DBInstanceClass="db.r6g.large",
                                    Engine="aurora-postgresql", DBClusterIdentifier="analytics")["DBInstance"]
    multi = _db(EAST, "multi", MultiAZ=True)
    doc = scan(only_rules(aws_rules, "rds-instance-multi-az"), aws_event_hooks=[deny("DescribeDBClusters")])
    found = by_rule(doc, "rds-instance-multi-az")
    assert found[member["DBInstanceArn"]]["status"] == "ERROR"
    assert "DescribeDBClusters: AccessDenied" in found[member["DBInstanceArn"]]["message"]
    assert found[multi]["status"] == "PASS"


def test_efs_encryption_in_every_region(aws: None, aws_rules: Any) -> None:
    east, west = boto3.client("efs", region_name=EAST), boto3.client("efs", region_name=WEST)
    encrypted = east.create_file_system(CreationToken="exports", Encrypted=True,
                                        Tags=[{"Key": "Name", "Value": "exports"}])["FileSystemArn"]
    plain = west.create_file_system(CreationToken="scratch")["FileSystemArn"]
    doc = scan(only_rules(aws_rules, "efs-file-system-encrypted"), [EAST, WEST])
    found = by_rule(doc, "efs-file-system-encrypted")
    assert found[encrypted]["status"] == "PASS"
    assert found[plain]["status"] == "FAIL" and found[plain]["region"] == WEST
    assert _calls(doc, "efs:DescribeFileSystems") == 2


def test_efs_listing_denied_is_an_error(aws: None, aws_rules: Any) -> None:
    boto3.client("efs", region_name=EAST).create_file_system(CreationToken="exports", Encrypted=True)
    doc = scan(only_rules(aws_rules, "efs-file-system-encrypted"),
               aws_event_hooks=[deny("DescribeFileSystems", "AccessDeniedException")])
    [finding] = by_rule(doc, "efs-file-system-encrypted").values()
    assert finding["status"] == "ERROR" and "DescribeFileSystems: AccessDeniedException" in finding["message"]
