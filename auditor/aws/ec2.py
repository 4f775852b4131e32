"""EC2: VPC flow logs (CIS 4.7) and instance profiles (CIS 2.17).

Resource types ``aws.vpc`` (id: VPC ARN, with ``FlowLogs``) and
``aws.ec2-instance`` (id: instance ARN, with ``IamInstanceProfile``). Example::

    - id: ec2-instance-uses-iam-role
      resource: aws.ec2-instance
      where: [{key: State, op: ne, value: terminated}]
      assert: [{key: IamInstanceProfile, op: present}]
"""

from __future__ import annotations

from typing import Any, ClassVar

from auditor.aws.collect import Scope, collector
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

VPC_TYPE = "aws.vpc"
INSTANCE_TYPE = "aws.ec2-instance"


@resource_types.register(VPC_TYPE)
class Vpc(ResourceType):
    """A VPC. Example: ``{any: FlowLogs, match: [{key: FlowLogStatus, op: eq, value: ACTIVE}]}``"""

    attributes: ClassVar[dict[str, str]] = {
        "VpcId": "VPC id", "IsDefault": "bool", "CidrBlock": "primary CIDR", "Tags": "mapping",
        "FlowLogs": "[{FlowLogId, FlowLogStatus, TrafficType, LogDestinationType}]",
    }
    permissions = ("ec2:DescribeVpcs", "ec2:DescribeFlowLogs")


@resource_types.register(INSTANCE_TYPE)
class Ec2Instance(ResourceType):
    """An EC2 instance. Example: ``{key: IamInstanceProfile, op: present}``"""

    attributes: ClassVar[dict[str, str]] = {
        "InstanceId": "instance id", "State": "running | stopped | ...", "IamInstanceProfile": "{Arn, Id} or absent",
        "Tags": "mapping",
    }
    permissions = ("ec2:DescribeInstances",)


def _tags(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or []}


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
                                     "IamInstanceProfile": i.get("IamInstanceProfile"), "Tags": _tags(i.get("Tags"))},
                                    region=region, name=i["InstanceId"]))
        return out

    return [r for group in scope.map(region_instances, scope.regions) for r in group]
