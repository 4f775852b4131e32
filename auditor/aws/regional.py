"""Per-region services: IAM Access Analyzer, AWS Config, Security Hub, Amazon Macie.

Resource type ``aws.region`` (id ``arn:aws:ec2:<region>:<account>:region/<region>``),
one per scanned region, so "enabled in every region" controls report each
region on its own. What must hold somewhere in the account rather than in every
region is given to each region as an account-wide attribute:
``ConfigGlobalResources`` says in which scanned regions a recording AWS Config
recorder includes the global (IAM) resource types, which CIS 4.3 needs in at
least one region. Example rule::

    - id: config-recorder-recording
      resource: aws.region
      assert:
        - any: ConfigRecorders
          match: [{key: Recording, op: eq, value: true}]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector, error_code
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

REGION_TYPE = "aws.region"


@resource_types.register(REGION_TYPE)
class Region(ResourceType):
    """One scanned region. Example: ``{key: SecurityHub.Enabled, op: eq, value: true}``"""

    # Derived from TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


def _analyzers(scope: Scope, region: str) -> list[dict[str, Any]]:
    items = scope.session.paginate("accessanalyzer", region, "ListAnalyzers", "analyzers")
    return [{"name": a.get("name"), "type": a.get("type"), "status": a.get("status")} for a in items]


def _recorders(scope: Scope, region: str) -> list[dict[str, Any]]:
    recs = scope.session.call("config", region, "DescribeConfigurationRecorders").get("ConfigurationRecorders", [])
    if not recs:
        return []
    status = {s["name"]: s for s in scope.session.call(
        "config", region, "DescribeConfigurationRecorderStatus").get("ConfigurationRecordersStatus", [])}
    out = []
    for r in recs:
        group = r.get("recordingGroup") or {}
        st = status.get(r["name"], {})
        # AWS answers "Success", moto "SUCCESS": one spelling for the rules.
        last = str(st["lastStatus"]).upper() if st.get("lastStatus") else None
        out.append({"Name": r["name"], "Recording": bool(st.get("recording")), "LastStatus": last,
                    "AllSupported": bool(group.get("allSupported", False)),
                    "IncludeGlobalResourceTypes": bool(group.get("includeGlobalResourceTypes", False))})
    return out


def _global_resources(scope: Scope, _region: str) -> dict[str, Any]:
    """Where global resource types are recorded, across every scanned region (computed once).

    A region whose recorders cannot be read only matters while no other region is
    known to record them: then the answer is unknown and the failed call is raised.
    """
    def compute() -> dict[str, Any]:
        found: list[str] = []
        failed: list[ApiError] = []
        for region in scope.regions:
            try:
                recs = _recorders(scope, region)
            except ApiError as err:
                failed.append(err)
                continue
            if any(r["Recording"] and r["IncludeGlobalResourceTypes"] for r in recs):
                found.append(region)
        if not found and failed:
            raise failed[0]
        return {"Recorded": bool(found), "Regions": found}

    return scope.memo("config-global-resources", compute)


def _hub(scope: Scope, region: str) -> dict[str, Any]:
    out, _ = error_code(lambda: scope.session.call("securityhub", region, "DescribeHub"),
                           "InvalidAccessException", "ResourceNotFoundException")
    return {"Enabled": out is not None, "HubArn": (out or {}).get("HubArn")}


def _macie(scope: Scope, region: str) -> dict[str, Any]:
    try:
        out = scope.session.call("macie2", region, "GetMacieSession")
    except ApiError as err:
        # AWS answers "Macie is not enabled" as an AccessDeniedException (moto: not found);
        # any other denial is a real one and stays an error.
        if err.code == "ResourceNotFoundException" or (
                err.code == "AccessDeniedException" and "not enabled" in err.message.lower()):
            return {"Status": "DISABLED"}
        raise
    return {"Status": out.get("status", "DISABLED")}


def _in_region(fn: Callable[[Scope, str], Any]) -> Callable[[Scope, Resource, Any], Any]:
    def fetcher(scope: Scope, res: Resource, _item: Any) -> Any:
        return fn(scope, res.region)
    fetcher.__name__ = fn.__name__
    return fetcher


_RECORDERS = ("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus")
TABLE = AttributeTable(REGION_TYPE, attributes={
    "Region": Attr("region name"),
    "AccessAnalyzers": Attr("[{name, type, status}] IAM Access Analyzer analyzers", fetch=_in_region(_analyzers),
                            permissions=("access-analyzer:ListAnalyzers",)),
    "ConfigRecorders": Attr("[{Name, Recording, AllSupported, IncludeGlobalResourceTypes, LastStatus}] "
                            "(LastStatus upper-cased: SUCCESS | PENDING | FAILURE)", fetch=_in_region(_recorders),
                            permissions=_RECORDERS),
    "ConfigGlobalResources": Attr("{Recorded: bool, Regions: [names]}: account-wide, the scanned regions where a "
                                  "recording recorder includes global resource types",
                                  fetch=_in_region(_global_resources), permissions=_RECORDERS),
    "SecurityHub": Attr("{Enabled: bool, HubArn}", fetch=_in_region(_hub), permissions=("securityhub:DescribeHub",)),
    "Macie": Attr("{Status: ENABLED | PAUSED | DISABLED}", fetch=_in_region(_macie),
                  permissions=("macie2:GetMacieSession",)),
})
Region.attributes, Region.permissions = TABLE.docs(), TABLE.permissions()


@collector(REGION_TYPE)
def collect_regions(scope: Scope) -> list[Resource]:
    def one(region: str) -> Resource:
        res = Resource(REGION_TYPE, scope.arn("ec2", region, f"region/{region}"), {"Region": region},
                       region=region, name=region)
        return TABLE.fill(scope, res, region)

    return scope.map(one, scope.regions)
