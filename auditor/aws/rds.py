"""RDS database instances (CIS 3.2.1-3.2.4).

Resource type ``aws.rds-instance`` (id: DB instance ARN), one per instance that
DescribeDBInstances lists in each scanned region (Aurora, DocumentDB and Neptune
instances included: they share the RDS API). The attributes come from that one
paginated listing; ``Cluster`` (the instance's DB cluster, which carries Multi-AZ
for Aurora and Multi-AZ DB clusters) costs one DescribeDBClusters per region and
is fetched only for instances some rule still needs it for. Example rule::

    - id: rds-instance-multi-az
      resource: aws.rds-instance
      assert:
        - or:
            - {key: MultiAZ, op: eq, value: true}
            - {key: Cluster.MultiAZ, op: eq, value: true}
"""

from __future__ import annotations

from typing import Any, ClassVar

from auditor.aws.collect import Scope, collector, fetch
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

RDS_TYPE = "aws.rds-instance"

#: Attributes copied as they are from DescribeDBInstances.
_FIELDS = ("DBInstanceIdentifier", "DBInstanceArn", "Engine", "EngineVersion", "DBInstanceStatus", "DBInstanceClass",
           "StorageEncrypted", "KmsKeyId", "AutoMinorVersionUpgrade", "PubliclyAccessible", "MultiAZ",
           "DBClusterIdentifier", "ReadReplicaSourceDBInstanceIdentifier")


@resource_types.register(RDS_TYPE)
class RdsInstance(ResourceType):
    """An RDS DB instance. Example: ``{key: StorageEncrypted, op: eq, value: true}``"""

    attributes: ClassVar[dict[str, str]] = {
        "DBInstanceIdentifier": "name", "DBInstanceArn": "ARN", "Engine": "postgres | mysql | aurora-mysql | ...",
        "EngineVersion": "version", "DBInstanceStatus": "available | stopped | ...", "DBInstanceClass": "db.t3.micro ...",
        "StorageEncrypted": "bool", "KmsKeyId": "KMS key ARN or absent", "AutoMinorVersionUpgrade": "bool",
        "PubliclyAccessible": "bool", "MultiAZ": "bool (always false for Aurora instances: see Cluster)",
        "DBClusterIdentifier": "cluster name or absent", "ReadReplicaSourceDBInstanceIdentifier": "source or absent",
        "Tags": "mapping",
        "Cluster": "{DBClusterIdentifier, Engine, MultiAZ, StorageEncrypted} of the instance's cluster, "
                   "null for an instance outside a cluster",
    }
    permissions = ("rds:DescribeDBInstances", "rds:DescribeDBClusters")


def _cluster(scope: Scope, region: str, cluster_id: str | None) -> dict[str, Any] | None:
    if not cluster_id:
        return None
    clusters = scope.session.paginate("rds", region, "DescribeDBClusters", "DBClusters")  # cached per region
    for c in clusters:
        if c.get("DBClusterIdentifier") == cluster_id:
            return {k: c.get(k) for k in ("DBClusterIdentifier", "Engine", "MultiAZ", "StorageEncrypted")}
    # A member instance whose cluster is not listed: nothing proves Multi-AZ, so it cannot pass.
    return {"DBClusterIdentifier": cluster_id, "MultiAZ": None, "StorageEncrypted": None, "Engine": None}


def _instance(scope: Scope, region: str, i: dict[str, Any]) -> Resource:
    attrs = {k: i.get(k) for k in _FIELDS}
    attrs["Tags"] = {t["Key"]: t["Value"] for t in i.get("TagList") or []}
    arn = i.get("DBInstanceArn") or scope.arn("rds", region, f"db:{i['DBInstanceIdentifier']}")
    res = Resource(RDS_TYPE, arn, attrs, region=region, name=i["DBInstanceIdentifier"])
    # A Multi-AZ instance settles CIS 3.2.4 without reading its cluster.
    if "Cluster" in scope.to_fetch(RDS_TYPE, res):
        fetch(res, "Cluster", lambda: _cluster(scope, region, i.get("DBClusterIdentifier")))
    return res


@collector(RDS_TYPE)
def collect_instances(scope: Scope) -> list[Resource]:
    def region_instances(region: str) -> list[Resource]:
        try:
            listed = scope.session.paginate("rds", region, "DescribeDBInstances", "DBInstances")
        except ApiError as err:
            scope.inventory.fail(RDS_TYPE, scope.arn("rds", region, "db:*"), region, err.reason)
            return []
        return [_instance(scope, region, i) for i in listed]

    return [r for group in scope.map(region_instances, scope.regions) for r in group]
