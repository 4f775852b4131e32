"""CIS section 6 (networking) against moto: security groups, network ACLs, peering routes,
EBS default encryption and IMDSv2, in every scanned region, with the calls they cost."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from aws_helpers import by_rule, only_rules, scan
from test_aws_errors import deny

from auditor.aws.network import coverage, nacl_entries, sg_entries

EAST, WEST = "us-east-1", "eu-west-1"
SG_RULES = ("ec2-security-group-no-public-cifs", "ec2-security-group-no-public-ipv4-admin-ports",
            "ec2-security-group-no-public-ipv6-admin-ports", "ec2-default-security-group-restricts-all")


def _calls(doc: dict[str, Any], op: str) -> int:
    return int(doc["attachments"]["aws"]["api_calls"].get(op, 0))


def _default_vpc(ec2: Any) -> str:
    return str(ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"])


def _group(ec2: Any, name: str, *permissions: dict[str, Any]) -> str:
    gid = str(ec2.create_security_group(GroupName=name, Description=name, VpcId=_default_vpc(ec2))["GroupId"])
    if permissions:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=list(permissions))
    return gid


def _arn(region: str, kind: str, rid: str) -> str:
    return f"arn:aws:ec2:{region}:123456789012:{kind}/{rid}"


def test_security_groups_are_judged_in_every_scanned_region(aws: None, aws_rules: Any) -> None:
    east, west = boto3.client("ec2", region_name=EAST), boto3.client("ec2", region_name=WEST)
    ssh = _group(east, "ssh-anywhere", {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    office = _group(east, "ssh-office", {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                         "IpRanges": [{"CidrIp": "203.0.113.0/24"}]})
    rdp6 = _group(west, "rdp-v6", {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
                                   "Ipv6Ranges": [{"CidrIpv6": "::/0"}]})
    cifs = _group(west, "smb", {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    default_east = east.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]},
                                                          {"Name": "vpc-id", "Values": [_default_vpc(east)]}])
    default_id = default_east["SecurityGroups"][0]["GroupId"]
    # Emptied default group: no inbound, no outbound rule.
    east.revoke_security_group_egress(GroupId=default_id, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])

    doc = scan(only_rules(aws_rules, *SG_RULES), [EAST, WEST])
    v4 = by_rule(doc, "ec2-security-group-no-public-ipv4-admin-ports")
    assert v4[_arn(EAST, "security-group", ssh)]["status"] == "FAIL"
    assert v4[_arn(EAST, "security-group", ssh)]["evidence"]["Ingress[0].Source"] == "0.0.0.0/0"
    assert v4[_arn(EAST, "security-group", office)]["status"] == "PASS"
    assert v4[_arn(WEST, "security-group", rdp6)]["status"] == "PASS"     # ::/0 is CIS 6.4
    assert v4[_arn(WEST, "security-group", cifs)]["status"] == "FAIL"     # all traffic covers 22
    v6 = by_rule(doc, "ec2-security-group-no-public-ipv6-admin-ports")
    assert v6[_arn(WEST, "security-group", rdp6)]["status"] == "FAIL"
    assert v6[_arn(EAST, "security-group", ssh)]["status"] == "PASS"
    smb = by_rule(doc, "ec2-security-group-no-public-cifs")
    assert smb[_arn(WEST, "security-group", cifs)]["status"] == "FAIL"
    assert smb[_arn(EAST, "security-group", ssh)]["status"] == "PASS"
    defaults = by_rule(doc, "ec2-default-security-group-restricts-all")
    assert defaults[_arn(EAST, "security-group", default_id)]["status"] == "PASS"
    assert {f["region"] for f in defaults.values() if f["status"] == "FAIL"} == {WEST}  # as moto creates it
    assert all(f["resource_id"].split("/")[-1] not in (ssh, office, rdp6, cifs) for f in defaults.values())
    # One listing per region, shared by the four rules.
    assert _calls(doc, "ec2:DescribeSecurityGroups") == 2


def test_denied_listing_is_an_error_for_that_region_only(aws: None, aws_rules: Any) -> None:
    def deny_west(model: Any, request_signer: Any = None, **_: Any) -> Any:
        if model.name == "DescribeSecurityGroups" and request_signer.region_name == WEST:
            return deny("DescribeSecurityGroups", "UnauthorizedOperation")[1](model)
        return None

    doc = scan(only_rules(aws_rules, "ec2-security-group-no-public-ipv4-admin-ports"), [EAST, WEST],
               aws_event_hooks=[("before-call", deny_west)])
    found = by_rule(doc, "ec2-security-group-no-public-ipv4-admin-ports")
    errors = [f for f in found.values() if f["status"] == "ERROR"]
    assert [(f["region"], f["resource_id"]) for f in errors] == [(WEST, _arn(WEST, "security-group", "*"))]
    assert "DescribeSecurityGroups: UnauthorizedOperation" in errors[0]["message"]
    assert {f["status"] for f in found.values() if f["region"] == EAST} == {"PASS"}


def test_network_acls(aws: None, aws_rules: Any) -> None:
    ec2 = boto3.client("ec2", region_name=EAST)
    acl = ec2.create_network_acl(VpcId=_default_vpc(ec2))["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="10.0.0.0/8", PortRange={"From": 22, "To": 22})
    doc = scan(only_rules(aws_rules, "network-acl-no-public-admin-ports"))
    found = by_rule(doc, "network-acl-no-public-admin-ports")
    assert found[_arn(EAST, "network-acl", acl)]["status"] == "PASS"
    # The default network ACL allows all inbound traffic from anywhere.
    default = [f for rid, f in found.items() if not rid.endswith(acl)]
    assert [f["status"] for f in default] == ["FAIL"]
    assert default[0]["evidence"]["Ingress[0].Protocol"] == "all"


def test_peering_routes_cost_a_call_only_when_a_table_has_one(aws: None, aws_rules: Any) -> None:
    ec2 = boto3.client("ec2", region_name=EAST)
    prepared = only_rules(aws_rules, "vpc-peering-routes-least-access")
    quiet = scan(prepared)
    assert by_rule(quiet, "vpc-peering-routes-least-access") == {}      # no peering route: nothing in scope
    assert _calls(quiet, "ec2:DescribeVpcPeeringConnections") == 0

    default = _default_vpc(ec2)
    peer = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=default, PeerVpcId=peer)["VpcPeeringConnection"]
    pcx_id = pcx["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [default]}])["RouteTables"][0]
    ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pcx_id)
    narrow = ec2.create_route_table(VpcId=peer)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=narrow, DestinationCidrBlock="172.31.16.0/20", VpcPeeringConnectionId=pcx_id)

    doc = scan(prepared)
    found = by_rule(doc, "vpc-peering-routes-least-access")
    whole = found[_arn(EAST, "route-table", main["RouteTableId"])]
    assert whole["status"] == "FAIL" and whole["evidence"]["PeeringRoutes[0].Coverage"] == "whole-peer-vpc"
    assert found[_arn(EAST, "route-table", narrow)]["status"] == "PASS"
    assert len(found) == 2                                              # tables without peering routes: out of scope
    assert _calls(doc, "ec2:DescribeVpcPeeringConnections") == 1        # one per region, shared by the tables


def test_ebs_default_encryption_per_region(aws: None, aws_rules: Any) -> None:
    boto3.client("ec2", region_name=WEST).enable_ebs_encryption_by_default()
    doc = scan(only_rules(aws_rules, "ec2-ebs-default-encryption-enabled"), [EAST, WEST])
    found = {f["region"]: f["status"] for f in by_rule(doc, "ec2-ebs-default-encryption-enabled").values()}
    assert found == {EAST: "FAIL", WEST: "PASS"}
    assert _calls(doc, "ec2:GetEbsEncryptionByDefault") == 2


def test_ebs_default_encryption_denied_is_an_error(aws: None, aws_rules: Any) -> None:
    doc = scan(only_rules(aws_rules, "ec2-ebs-default-encryption-enabled"),
               aws_event_hooks=[deny("GetEbsEncryptionByDefault", "UnauthorizedOperation")])
    [finding] = by_rule(doc, "ec2-ebs-default-encryption-enabled").values()
    assert finding["status"] == "ERROR" and "GetEbsEncryptionByDefault: UnauthorizedOperation" in finding["message"]


def test_imdsv2(aws: None, aws_rules: Any) -> None:
    ec2 = boto3.client("ec2", region_name=EAST)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    v1 = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    v2 = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1,
                           MetadataOptions={"HttpTokens": "required"})["Instances"][0]["InstanceId"]
    doc = scan(only_rules(aws_rules, "ec2-instance-imdsv2-required"))
    found = by_rule(doc, "ec2-instance-imdsv2-required")
    assert found[_arn(EAST, "instance", v1)]["status"] == "FAIL"
    assert "HttpTokens optional" in found[_arn(EAST, "instance", v1)]["message"]
    assert found[_arn(EAST, "instance", v2)]["status"] == "PASS"


# ----------------------------------------------------------------------------- shapes


def test_security_group_permissions_flatten_to_one_entry_per_source() -> None:
    entries = sg_entries([
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1"}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}], "PrefixListIds": [{"PrefixListId": "pl-1"}]},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "17", "FromPort": 53, "ToPort": 53},  # no source at all: still listed
    ])
    assert entries == [
        {"Protocol": "all", "FromPort": 0, "ToPort": 65535, "Source": "sg-1", "SourceType": "security-group"},
        {"Protocol": "tcp", "FromPort": 22, "ToPort": 22, "Source": "0.0.0.0/0", "SourceType": "ipv4"},
        {"Protocol": "tcp", "FromPort": 22, "ToPort": 22, "Source": "::/0", "SourceType": "ipv6"},
        {"Protocol": "tcp", "FromPort": 22, "ToPort": 22, "Source": "pl-1", "SourceType": "prefix-list"},
        {"Protocol": "icmp", "FromPort": None, "ToPort": None, "Source": "10.0.0.0/8", "SourceType": "ipv4"},
        {"Protocol": "udp", "FromPort": 53, "ToPort": 53, "Source": None, "SourceType": None},
    ]


def test_network_acl_entries_by_direction_in_rule_order() -> None:
    raw = [{"RuleNumber": 200, "Egress": False, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
           {"RuleNumber": 100, "Egress": False, "Protocol": "6", "RuleAction": "deny", "Ipv6CidrBlock": "::/0",
            "PortRange": {"From": 22, "To": 22}},
           {"RuleNumber": 100, "Egress": True, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}]
    assert nacl_entries(raw, egress=False) == [
        {"RuleNumber": 100, "Action": "deny", "Protocol": "tcp", "FromPort": 22, "ToPort": 22, "Source": "::/0",
         "SourceType": "ipv6"},
        {"RuleNumber": 200, "Action": "allow", "Protocol": "all", "FromPort": 0, "ToPort": 65535,
         "Source": "0.0.0.0/0", "SourceType": "ipv4"}]
    assert [e["RuleNumber"] for e in nacl_entries(raw, egress=True)] == [100]


@pytest.mark.parametrize(("destination", "peer", "expected"), [
    ("10.1.2.0/24", ["10.1.0.0/16"], "part"),
    ("10.1.0.0/16", ["10.1.0.0/16"], "whole-peer-vpc"),
    ("10.0.0.0/8", ["10.1.0.0/16"], "beyond-peer-vpc"),
    ("0.0.0.0/0", ["10.1.0.0/16"], "beyond-peer-vpc"),
    ("192.168.0.0/24", ["10.1.0.0/16"], "beyond-peer-vpc"),
    ("10.2.0.0/24", ["10.1.0.0/16", "10.2.0.0/16"], "part"),            # a secondary peer block
    ("2600:1f18:1:100::/64", ["10.1.0.0/16", "2600:1f18:1:100::/56"], "part"),
    ("::/0", ["2600:1f18:1:100::/56"], "beyond-peer-vpc"),
    ("pl-123", ["10.1.0.0/16"], "prefix-list"),
    ("10.1.0.0/16", [], "unknown-peer"),
])
def test_peering_route_coverage(destination: str, peer: list[str], expected: str) -> None:
    assert coverage(destination, peer) == expected
