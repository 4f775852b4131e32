"""EC2: VPC flow logs (CIS 4.7), instances (CIS 2.17, 6.7) and EBS default encryption (CIS 6.1.1).

Resource types ``aws.vpc`` (id: VPC ARN, with ``FlowLogs``), ``aws.ec2-instance``
(id: instance ARN, with ``IamInstanceProfile`` and ``MetadataOptions``) and
``aws.ec2-settings`` (id ``arn:aws:ec2:<region>:<account>:settings``, one per
scanned region: the account's EC2 settings there). Example::

    - id: ec2-instance-imdsv2-required
      resource: aws.ec2-instance
      where: [{key: State, op: ne, value: terminated}]
      assert: [{key: MetadataOptions.HttpTokens, op: eq, value: required}]
"""

from __future__ import annotations

from typing import Any, ClassVar

from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

VPC_TYPE = "aws.vpc"
INSTANCE_TYPE = "aws.ec2-instance"
SETTINGS_TYPE = "aws.ec2-settings"


@resource_types.register(VPC_TYPE)
class Vpc(ResourceType):
    """A VPC. Example: ``{any: FlowLogs, match: [{key: FlowLogStatus, op: eq, value: ACTIVE}]}``"""

    # Derived from VPC_TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


@resource_types.register(INSTANCE_TYPE)
class Ec2Instance(ResourceType):
    """An EC2 instance. Example: ``{key: IamInstanceProfile, op: present}``"""

    # Derived from EC2INSTANCE_TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


@resource_types.register(SETTINGS_TYPE)
class Ec2Settings(ResourceType):
    """The account's EC2 settings in one region. Example: ``{key: EbsEncryptionByDefault, op: eq, value: true}``"""

    # Derived from EC2SETTINGS_TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


def _tags(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or []}


VPC_TABLE = AttributeTable(VPC_TYPE, listing=("ec2:DescribeVpcs", "ec2:DescribeFlowLogs"), attributes={
    "VpcId": Attr("VPC id"), "IsDefault": Attr("bool"), "CidrBlock": Attr("primary CIDR"), "Tags": Attr("mapping"),
    "FlowLogs": Attr("[{FlowLogId, FlowLogStatus, TrafficType, LogDestinationType}]"),
})
Vpc.attributes, Vpc.permissions = VPC_TABLE.docs(), VPC_TABLE.permissions()

EC2INSTANCE_TABLE = AttributeTable(INSTANCE_TYPE, listing=("ec2:DescribeInstances",), attributes={
    "InstanceId": Attr("instance id"), "State": Attr("running | stopped | ..."),
    "IamInstanceProfile": Attr("{Arn, Id} or absent"),
    "MetadataOptions": Attr("{HttpTokens: optional | required, HttpEndpoint: enabled | disabled, "
                            "State: pending | applied, HttpPutResponseHopLimit}"),
    "Tags": Attr("mapping"),
})
Ec2Instance.attributes, Ec2Instance.permissions = EC2INSTANCE_TABLE.docs(), EC2INSTANCE_TABLE.permissions()


@collector(VPC_TYPE)
def collect_vpcs(scope: Scope) -> list[Resource]:
    def region_vpcs(region: str) -> list[Resource]:
        try:
            vpcs = scope.session.paginate("ec2", region, "DescribeVpcs", "Vpcs")
            logs = scope.session.paginate("ec2", region, "DescribeFlowLogs", "FlowLogs")
        except ApiError as err:
            scope.inventory.fail(VPC_TYPE, scope.arn("ec2", region, "vpc/*"), region, err.reason)
            return []
        by_vpc: dict[str, list[dict[str, Any]]] = {}
        for f in logs:
            by_vpc.setdefault(f.get("ResourceId", ""), []).append(
                {k: f.get(k) for k in ("FlowLogId", "FlowLogStatus", "TrafficType", "LogDestinationType")})
        return [Resource(VPC_TYPE, scope.arn("ec2", region, f"vpc/{v['VpcId']}"),
                         {"VpcId": v["VpcId"], "IsDefault": bool(v.get("IsDefault")), "CidrBlock": v.get("CidrBlock"),
                          "Tags": _tags(v.get("Tags")), "FlowLogs": by_vpc.get(v["VpcId"], [])},
                         region=region, name=v["VpcId"]) for v in vpcs]

    return [r for group in scope.map(region_vpcs, scope.regions) for r in group]


@collector(INSTANCE_TYPE)
def collect_instances(scope: Scope) -> list[Resource]:
    def region_instances(region: str) -> list[Resource]:
        try:
            reservations = scope.session.paginate("ec2", region, "DescribeInstances", "Reservations")
        except ApiError as err:
            scope.inventory.fail(INSTANCE_TYPE, scope.arn("ec2", region, "instance/*"), region, err.reason)
            return []
        out = []
        for r in reservations:
            for i in r.get("Instances", []):
                out.append(Resource(INSTANCE_TYPE, scope.arn("ec2", region, f"instance/{i['InstanceId']}"),
                                    {"InstanceId": i["InstanceId"], "State": i.get("State", {}).get("Name"),
                                     "IamInstanceProfile": i.get("IamInstanceProfile"),
                                     "MetadataOptions": i.get("MetadataOptions"), "Tags": _tags(i.get("Tags"))},
                                    region=region, name=i["InstanceId"]))
        return out

    return [r for group in scope.map(region_instances, scope.regions) for r in group]


def _ebs_encryption_by_default(scope: Scope, res: Resource, _item: Any) -> bool:
    return bool(scope.session.call("ec2", res.region, "GetEbsEncryptionByDefault")["EbsEncryptionByDefault"])


# One call per setting and region, and only for settings a rule still needs.
EC2SETTINGS_TABLE = AttributeTable(SETTINGS_TYPE, attributes={
    "Region": Attr("region name"),
    "EbsEncryptionByDefault": Attr("bool: new EBS volumes and snapshot copies are always encrypted",
                                   fetch=_ebs_encryption_by_default, permissions=("ec2:GetEbsEncryptionByDefault",)),
})
Ec2Settings.attributes, Ec2Settings.permissions = EC2SETTINGS_TABLE.docs(), EC2SETTINGS_TABLE.permissions()


@collector(SETTINGS_TYPE)
def collect_settings(scope: Scope) -> list[Resource]:
    def one(region: str) -> Resource:
        res = Resource(SETTINGS_TYPE, scope.arn("ec2", region, "settings"), {"Region": region}, region=region,
                       name=f"EC2 settings {region}")
        return EC2SETTINGS_TABLE.fill(scope, res, region)

    return scope.map(one, scope.regions)
