"""VPC network controls (CIS 6.1.2-6.6): security groups, network ACLs, route tables.

Resource types, collected in every region the scan covers (one paginated
Describe call per region and type, made only when a loaded rule reads the type):

* ``aws.security-group`` (id: security group ARN), CIS 6.1.2, 6.3, 6.4, 6.5;
* ``aws.network-acl`` (id: network ACL ARN), CIS 6.2;
* ``aws.route-table`` (id: route table ARN), CIS 6.6.

Security group and network ACL rules are flattened into one entry per source
(``Ingress`` / ``Egress``), in the same shape for both, so that one rule reads
"some entry lets 0.0.0.0/0 reach port 22"::

    {Protocol: tcp | udp | icmp | icmpv6 | all | <number>, FromPort: 0, ToPort: 65535,
     Source: 0.0.0.0/0 | ::/0 | <cidr> | sg-... | pl-..., SourceType: ipv4 | ipv6 | security-group | prefix-list}

``Protocol: all`` (``-1``) covers every port (FromPort 0, ToPort 65535); ICMP
and protocols without ports have null ports. Network ACL entries also carry
``RuleNumber`` and ``Action`` (allow | deny). Example rule::

    - id: ec2-security-group-no-public-ipv4-admin-ports
      resource: aws.security-group
      assert:
        - all: Ingress
          match:
            - not:
                - {key: Source, op: eq, value: 0.0.0.0/0}
                - {key: Protocol, op: in, value: [tcp, udp, all]}
                - {key: FromPort, op: le, value: 22}
                - {key: ToPort, op: ge, value: 22}
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, ClassVar

from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

SG_TYPE = "aws.security-group"
NACL_TYPE = "aws.network-acl"
ROUTE_TABLE_TYPE = "aws.route-table"

_ENTRY_DOC = "[{Protocol, FromPort, ToPort, Source, SourceType}] one entry per rule and source"

#: IANA protocol numbers AWS may return, as the names rules use.
_PROTOCOLS = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


@resource_types.register(SG_TYPE)
class SecurityGroup(ResourceType):
    """A VPC security group. Example: ``{key: Ingress, op: empty}`` (the default group restricts all traffic)."""

    # Derived from SG_TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


@resource_types.register(NACL_TYPE)
class NetworkAcl(ResourceType):
    """A VPC network ACL. Example: ``{all: Ingress, match: [{key: Action, op: eq, value: deny}]}``"""

    # Derived from NACL_TABLE (below).
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


@resource_types.register(ROUTE_TABLE_TYPE)
class RouteTable(ResourceType):
    """A VPC route table. Example: ``{all: PeeringRoutes, match: [{key: Coverage, op: eq, value: part}]}``"""

    # Derived from ROUTE_TABLE_TABLE (below).
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


SG_TABLE = AttributeTable(SG_TYPE, listing=("ec2:DescribeSecurityGroups",), attributes={
    "GroupId": Attr("sg-..."), "GroupName": Attr("name"), "VpcId": Attr("VPC id"), "Description": Attr("text"),
    "IsDefault": Attr("bool: the VPC's default security group"), "Tags": Attr("mapping"),
    "Ingress": Attr(_ENTRY_DOC), "Egress": Attr(_ENTRY_DOC),
})
SecurityGroup.attributes, SecurityGroup.permissions = SG_TABLE.docs(), SG_TABLE.permissions()

_NACL_ENTRY_DOC = "[{RuleNumber, Action, Protocol, FromPort, ToPort, Source, SourceType}]"
NACL_TABLE = AttributeTable(NACL_TYPE, listing=("ec2:DescribeNetworkAcls",), attributes={
    "NetworkAclId": Attr("acl-..."), "VpcId": Attr("VPC id"), "IsDefault": Attr("bool"),
    "Subnets": Attr("[subnet ids]"), "Tags": Attr("mapping"),
    "Ingress": Attr(_NACL_ENTRY_DOC), "Egress": Attr(_NACL_ENTRY_DOC),
})
NetworkAcl.attributes, NetworkAcl.permissions = NACL_TABLE.docs(), NACL_TABLE.permissions()


def _tags(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or []}


def _protocol(raw: Any) -> str:
    text = str(raw).lower()
    return _PROTOCOLS.get(text, text)


def _ports(protocol: str, low: Any, high: Any) -> tuple[int | None, int | None]:
    """The port range an entry opens; ``all`` opens every port, ICMP and the like none."""
    if protocol == "all":
        return 0, 65535
    if protocol not in ("tcp", "udp"):
        return None, None
    # A TCP/UDP entry without a range (never returned by AWS, but possible in a template)
    # is read as every port: the unsafe reading, so that it can never pass unseen.
    lo = 0 if low is None or int(low) < 0 else int(low)
    hi = 65535 if high is None or int(high) < 0 else int(high)
    return lo, hi


def sg_entries(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flatten EC2 ``IpPermissions`` into one entry per source (see the module docs)."""
    out: list[dict[str, Any]] = []
    for p in permissions:
        protocol = _protocol(p.get("IpProtocol", "-1"))
        lo, hi = _ports(protocol, p.get("FromPort"), p.get("ToPort"))
        base = {"Protocol": protocol, "FromPort": lo, "ToPort": hi}
        sources: list[tuple[Any, Any]] = [
            *[(r.get("CidrIp"), "ipv4") for r in p.get("IpRanges", [])],
            *[(r.get("CidrIpv6"), "ipv6") for r in p.get("Ipv6Ranges", [])],
            *[(r.get("PrefixListId"), "prefix-list") for r in p.get("PrefixListIds", [])],
            *[(r.get("GroupId"), "security-group") for r in p.get("UserIdGroupPairs", [])],
        ]
        # A permission with no source at all still opens something: keep it visible.
        for source, kind in sources or [(None, None)]:
            out.append({**base, "Source": source, "SourceType": kind})
    return out


def nacl_entries(entries: list[dict[str, Any]], egress: bool) -> list[dict[str, Any]]:
    """Flatten network ACL entries of one direction, in rule-number order."""
    out = []
    for e in sorted(entries, key=lambda e: int(e.get("RuleNumber", 0))):
        if bool(e.get("Egress")) != egress:
            continue
        protocol = _protocol(e.get("Protocol", "-1"))
        rng = e.get("PortRange") or {}
        lo, hi = _ports(protocol, rng.get("From"), rng.get("To"))
        ipv6 = e.get("Ipv6CidrBlock")
        out.append({"RuleNumber": e.get("RuleNumber"), "Action": e.get("RuleAction"), "Protocol": protocol,
                    "FromPort": lo, "ToPort": hi, "Source": ipv6 or e.get("CidrBlock"),
                    "SourceType": "ipv6" if ipv6 else "ipv4"})
    return out


def _regional(scope: Scope, type_name: str, operation: str, key: str, arn_kind: str,
              build: Callable[[str, dict[str, Any]], Resource]) -> list[Resource]:
    """One paginated listing per scanned region; a failed region is one scope failure."""
    def region_items(region: str) -> list[Resource]:
        try:
            items = scope.session.paginate("ec2", region, operation, key)
        except ApiError as err:
            scope.inventory.fail(type_name, scope.arn("ec2", region, f"{arn_kind}/*"), region, err.reason)
            return []
        return [build(region, item) for item in items]

    return [r for group in scope.map(region_items, scope.regions) for r in group]


@collector(SG_TYPE)
def collect_security_groups(scope: Scope) -> list[Resource]:
    def build(region: str, g: dict[str, Any]) -> Resource:
        return Resource(SG_TYPE, scope.arn("ec2", region, f"security-group/{g['GroupId']}"), {
            "GroupId": g["GroupId"], "GroupName": g.get("GroupName"), "VpcId": g.get("VpcId"),
            "Description": g.get("Description"), "IsDefault": g.get("GroupName") == "default",
            "Tags": _tags(g.get("Tags")), "Ingress": sg_entries(g.get("IpPermissions", [])),
            "Egress": sg_entries(g.get("IpPermissionsEgress", []))},
            region=region, name=f"{g['GroupId']} ({g.get('GroupName')})")

    return _regional(scope, SG_TYPE, "DescribeSecurityGroups", "SecurityGroups", "security-group", build)


@collector(NACL_TYPE)
def collect_network_acls(scope: Scope) -> list[Resource]:
    def build(region: str, a: dict[str, Any]) -> Resource:
        entries = a.get("Entries", [])
        return Resource(NACL_TYPE, scope.arn("ec2", region, f"network-acl/{a['NetworkAclId']}"), {
            "NetworkAclId": a["NetworkAclId"], "VpcId": a.get("VpcId"), "IsDefault": bool(a.get("IsDefault")),
            "Subnets": sorted(s["SubnetId"] for s in a.get("Associations", []) if s.get("SubnetId")),
            "Tags": _tags(a.get("Tags")), "Ingress": nacl_entries(entries, egress=False),
            "Egress": nacl_entries(entries, egress=True)}, region=region, name=a["NetworkAclId"])

    return _regional(scope, NACL_TYPE, "DescribeNetworkAcls", "NetworkAcls", "network-acl", build)


# ----------------------------------------------------------------------------- route tables

_TARGETS = ("GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "NetworkInterfaceId",
            "InstanceId", "EgressOnlyInternetGatewayId", "CarrierGatewayId", "LocalGatewayId",
            "CoreNetworkArn")


def _route(r: dict[str, Any]) -> dict[str, Any]:
    target_type = next((t for t in _TARGETS if r.get(t)), None)
    return {"Destination": r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
            or r.get("DestinationPrefixListId"),
            "State": r.get("State"), "TargetType": target_type, "Target": r.get(target_type) if target_type else None,
            "VpcPeeringConnectionId": r.get("VpcPeeringConnectionId")}


def _peer_cidrs(info: dict[str, Any]) -> list[str]:
    blocks = {info.get("CidrBlock")}
    blocks |= {b.get("CidrBlock") for b in info.get("CidrBlockSet", [])}
    blocks |= {b.get("Ipv6CidrBlock") for b in info.get("Ipv6CidrBlockSet", [])}
    return sorted(b for b in blocks if b)


def coverage(destination: str | None, peer_cidrs: list[str]) -> str:
    """How much of the peer VPC a peering route's destination covers.

    ``part``: inside one of the peer VPC's blocks, smaller than it (least access);
    ``whole-peer-vpc``: exactly one whole block; ``beyond-peer-vpc``: addresses outside
    the peer VPC too (0.0.0.0/0 and every broader range); ``prefix-list``: a managed prefix
    list (its entries are not read); ``unknown-peer``: the peering connection is not listed.
    """
    if not destination or destination.startswith("pl-"):
        return "prefix-list"
    if not peer_cidrs:
        return "unknown-peer"
    dest = ipaddress.ip_network(destination, strict=False)
    for block in peer_cidrs:
        peer = ipaddress.ip_network(block, strict=False)
        if peer.version != dest.version:
            continue
        if dest == peer:
            return "whole-peer-vpc"
        if dest.subnet_of(peer):  # type: ignore[arg-type]  # same IP version: checked above
            return "part"
    return "beyond-peer-vpc"


def _peerings(scope: Scope, region: str) -> dict[str, dict[str, Any]]:
    listed = scope.session.paginate("ec2", region, "DescribeVpcPeeringConnections", "VpcPeeringConnections")
    return {p["VpcPeeringConnectionId"]: p for p in listed}


def _peering_routes(scope: Scope, region: str, vpc_id: str, routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    active = [r for r in routes if r["VpcPeeringConnectionId"] and r["State"] == "active"]
    if not active:
        return []
    peerings = _peerings(scope, region)  # one call per region, cached by the session
    out = []
    for r in active:
        p = peerings.get(r["VpcPeeringConnectionId"], {})
        requester, accepter = p.get("RequesterVpcInfo") or {}, p.get("AccepterVpcInfo") or {}
        # The peer is the side that is not this route table's VPC.
        peer = accepter if requester.get("VpcId") == vpc_id else requester
        cidrs = _peer_cidrs(peer) if p else []
        out.append({"Destination": r["Destination"], "VpcPeeringConnectionId": r["VpcPeeringConnectionId"],
                    "PeerVpcId": peer.get("VpcId"), "PeerCidrs": cidrs, "Coverage": coverage(r["Destination"], cidrs)})
    return out


def _peering_routes_of(scope: Scope, res: Resource, _item: Any) -> list[dict[str, Any]]:
    return _peering_routes(scope, res.region, str(res.attrs.get("VpcId")), res.attrs["Routes"])


ROUTE_TABLE_TABLE = AttributeTable(ROUTE_TABLE_TYPE, listing=("ec2:DescribeRouteTables",), attributes={
    "RouteTableId": Attr("rtb-..."), "VpcId": Attr("VPC id"), "IsMain": Attr("bool"),
    "Subnets": Attr("[subnet ids]"), "Tags": Attr("mapping"),
    "Routes": Attr("[{Destination, State, TargetType, Target, VpcPeeringConnectionId}]"),
    # The peering details cost a call (one per region, cached): only for tables a rule still needs them for.
    "PeeringRoutes": Attr("[{Destination, VpcPeeringConnectionId, PeerVpcId, PeerCidrs, Coverage}] the active "
                          "routes through a VPC peering connection; Coverage: part (inside a peer VPC block), "
                          "whole-peer-vpc (a whole peer block), beyond-peer-vpc (more than the peer VPC), "
                          "prefix-list, unknown-peer", fetch=_peering_routes_of,
                          permissions=("ec2:DescribeVpcPeeringConnections",)),
})
RouteTable.attributes, RouteTable.permissions = ROUTE_TABLE_TABLE.docs(), ROUTE_TABLE_TABLE.permissions()


@collector(ROUTE_TABLE_TYPE)
def collect_route_tables(scope: Scope) -> list[Resource]:
    def build(region: str, t: dict[str, Any]) -> Resource:
        assoc = t.get("Associations", [])
        res = Resource(ROUTE_TABLE_TYPE, scope.arn("ec2", region, f"route-table/{t['RouteTableId']}"), {
            "RouteTableId": t["RouteTableId"], "VpcId": t.get("VpcId"), "IsMain": any(a.get("Main") for a in assoc),
            "Subnets": sorted(a["SubnetId"] for a in assoc if a.get("SubnetId")), "Tags": _tags(t.get("Tags")),
            "Routes": [_route(r) for r in t.get("Routes", [])]}, region=region, name=t["RouteTableId"])
        return ROUTE_TABLE_TABLE.fill(scope, res, t)

    return _regional(scope, ROUTE_TABLE_TYPE, "DescribeRouteTables", "RouteTables", "route-table", build)
