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

from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector
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

    # Derived from TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


def _cluster(scope: Scope, region: str, cluster_id: str | None) -> dict[str, Any] | None:
    if not cluster_id:
        return None
    clusters = scope.session.paginate("rds", region, "DescribeDBClusters", "DBClusters")  # cached per region
    for c in clusters:
        if c.get("DBClusterIdentifier") == cluster_id:
            return {k: c.get(k) for k in ("DBClusterIdentifier", "Engine", "MultiAZ", "StorageEncrypted")}
    # A member instance whose cluster is not listed: nothing proves Multi-AZ, so it cannot pass.
    return {"DBClusterIdentifier": cluster_id, "MultiAZ": None, "StorageEncrypted": None, "Engine": None}


TABLE = AttributeTable(RDS_TYPE, listing=("rds:DescribeDBInstances",), attributes={
    "DBInstanceIdentifier": Attr("name"), "DBInstanceArn": Attr("ARN"),
    "Engine": Attr("postgres | mysql | aurora-mysql | ..."), "EngineVersion": Attr("version"),
    "DBInstanceStatus": Attr("available | stopped | ..."), "DBInstanceClass": Attr("db.t3.micro ..."),
    "StorageEncrypted": Attr("bool"), "KmsKeyId": Attr("KMS key ARN or absent"),
    "AutoMinorVersionUpgrade": Attr("bool"), "PubliclyAccessible": Attr("bool"),
    "MultiAZ": Attr("bool (always false for Aurora instances: see Cluster)"),
    "DBClusterIdentifier": Attr("cluster name or absent"),
    "ReadReplicaSourceDBInstanceIdentifier": Attr("source or absent"),
    "Tags": Attr("mapping"),
    # A Multi-AZ instance settles CIS 3.2.4 without reading its cluster.
    "Cluster": Attr("{DBClusterIdentifier, Engine, MultiAZ, StorageEncrypted} of the instance's cluster, "
                    "null for an instance outside a cluster",
                    fetch=lambda scope, res, _item: _cluster(scope, res.region, res.attrs.get("DBClusterIdentifier")),
                    permissions=("rds:DescribeDBClusters",)),
})
RdsInstance.attributes, RdsInstance.permissions = TABLE.docs(), TABLE.permissions()


def _instance(scope: Scope, region: str, i: dict[str, Any]) -> Resource:
    attrs = {k: i.get(k) for k in _FIELDS}
    attrs["Tags"] = {t["Key"]: t["Value"] for t in i.get("TagList") or []}
    arn = i.get("DBInstanceArn") or scope.arn("rds", region, f"db:{i['DBInstanceIdentifier']}")
    return TABLE.fill(scope, Resource(RDS_TYPE, arn, attrs, region=region, name=i["DBInstanceIdentifier"]), i)


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
