"""Regional services a change can switch on (``aws.region``) and EBS default encryption (``aws.ec2-settings``).

- IAM Access Analyzer: ``AWS::AccessAnalyzer::Analyzer`` / ``aws_accessanalyzer_analyzer``
  -> ``AccessAnalyzers`` [{name, type, status: ACTIVE}];
- Security Hub: ``AWS::SecurityHub::Hub`` / ``aws_securityhub_account`` -> ``SecurityHub``;
- Macie: ``AWS::Macie::Session`` / ``aws_macie2_account`` -> ``Macie.Status``;
- AWS Config: ``AWS::Config::ConfigurationRecorder`` / ``aws_config_configuration_recorder``
  -> ``ConfigRecorders`` and ``ConfigGlobalResources``; a CloudFormation recorder records
  once the change also has a delivery channel, a Terraform one when its
  ``aws_config_configuration_recorder_status`` is enabled;
- ``aws_ebs_encryption_by_default`` -> ``aws.ec2-settings`` ``EbsEncryptionByDefault``.

Regional rules on a service the change does not declare are "not in this change".
"""

from __future__ import annotations

from typing import Any

from auditor.core.resources import Resource
from auditor.iac.build import Builder, account_id
from auditor.iac.mappers.common import block
from auditor.iac.values import Unknown, as_bool, given


def map_region(b: Builder) -> None:
    analyzers = b.of("AWS::AccessAnalyzer::Analyzer", "aws_accessanalyzer_analyzer")
    if analyzers:
        b.set_region("AccessAnalyzers", [
            {"name": given(s.props.get("AnalyzerName" if s.type.startswith("AWS::") else "analyzer_name"), s.address),
             "type": given(s.props.get("Type" if s.type.startswith("AWS::") else "type"), "ACCOUNT"), "status": "ACTIVE"}
            for s in analyzers], *analyzers)
    hubs = b.of("AWS::SecurityHub::Hub", "aws_securityhub_account")
    if hubs:
        b.set_region("SecurityHub", {"Enabled": True, "HubArn": None}, *hubs)
    macie = b.of("AWS::Macie::Session", "aws_macie2_account")
    if macie:
        status = given(macie[0].props.get("Status" if macie[0].type.startswith("AWS::") else "status"), "ENABLED")
        b.set_region("Macie", {"Status": status}, *macie)
    _config(b)
    for src in b.of("aws_ebs_encryption_by_default"):
        region = src.region or "${AWS::Region}"
        b.add(Resource("aws.ec2-settings", f"arn:aws:ec2:{region}:{account_id(b, src)}:settings",
                       {"Region": region, "EbsEncryptionByDefault": as_bool(src.props.get("enabled"), True)},
                       region=src.region, name=f"EBS settings of {region}"), src)


def _config(b: Builder) -> None:
    recorders = b.of("AWS::Config::ConfigurationRecorder", "aws_config_configuration_recorder")
    if not recorders:
        return
    channel = bool(b.of("AWS::Config::DeliveryChannel", "aws_config_delivery_channel"))
    statuses = b.of("aws_config_configuration_recorder_status")
    out: list[dict[str, Any]] = []
    for src in recorders:
        cfn = src.type.startswith("AWS::")
        group = given(block(src.props.get("RecordingGroup" if cfn else "recording_group")), {})
        name = given(src.props.get("Name" if cfn else "name"), src.address)
        if cfn:
            recording: Any = True if channel else Unknown("a recorder records once a delivery channel exists")
        else:
            status = next((s for s in statuses if isinstance(s.props.get("name"), str) and s.props["name"] == name), None)
            recording = as_bool(status.props.get("is_enabled"), False) if status is not None else False
        out.append({"Name": name, "Recording": recording,
                    "AllSupported": as_bool(group.get("AllSupported" if cfn else "all_supported"), True),
                    "IncludeGlobalResourceTypes": as_bool(group.get("IncludeGlobalResourceTypes" if cfn
                                                                    else "include_global_resource_types"), False),
                    "LastStatus": "PENDING"})
    recorded: Any = False
    for r in out:
        if isinstance(r["Recording"], Unknown) or isinstance(r["IncludeGlobalResourceTypes"], Unknown):
            recorded = r["Recording"] if isinstance(r["Recording"], Unknown) else r["IncludeGlobalResourceTypes"]
        elif r["Recording"] and r["IncludeGlobalResourceTypes"]:
            recorded = True
            break
    sources = [*recorders, *statuses, *b.of("AWS::Config::DeliveryChannel", "aws_config_delivery_channel")]
    b.set_region("ConfigRecorders", out, *sources)
    b.set_region("ConfigGlobalResources", {"Recorded": recorded, "Regions": [recorders[0].region] if recorded is True
                                           else []}, *sources)
