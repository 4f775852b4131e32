"""EFS file systems (CIS 3.3.1).

Resource type ``aws.efs-file-system`` (id: file system ARN), one per file system
that DescribeFileSystems lists in each scanned region (one paginated call per
region; every attribute comes from it). Example rule::

    - id: efs-file-system-encrypted
      resource: aws.efs-file-system
      assert: [{key: Encrypted, op: eq, value: true}]
"""

from __future__ import annotations

from typing import ClassVar

from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

EFS_TYPE = "aws.efs-file-system"


@resource_types.register(EFS_TYPE)
class EfsFileSystem(ResourceType):
    """An EFS file system. Example: ``{key: Encrypted, op: eq, value: true}``"""

    # Derived from TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


TABLE = AttributeTable(EFS_TYPE, listing=("elasticfilesystem:DescribeFileSystems",), attributes={
    "FileSystemId": Attr("fs-..."), "Name": Attr("Name tag or empty"), "Encrypted": Attr("bool: encrypted at rest"),
    "KmsKeyId": Attr("KMS key ARN or absent"), "LifeCycleState": Attr("available | creating | deleting | ..."),
    "Tags": Attr("mapping"),
})
EfsFileSystem.attributes, EfsFileSystem.permissions = TABLE.docs(), TABLE.permissions()


@collector(EFS_TYPE)
def collect_file_systems(scope: Scope) -> list[Resource]:
    def region_file_systems(region: str) -> list[Resource]:
        try:
            listed = scope.session.paginate("efs", region, "DescribeFileSystems", "FileSystems")
        except ApiError as err:
            scope.inventory.fail(EFS_TYPE, scope.arn("elasticfilesystem", region, "file-system/*"), region,
                                 err.reason)
            return []
        out = []
        for fs in listed:
            fid = fs["FileSystemId"]
            arn = fs.get("FileSystemArn") or scope.arn("elasticfilesystem", region, f"file-system/{fid}")
            out.append(Resource(EFS_TYPE, arn, {
                "FileSystemId": fid, "Name": fs.get("Name") or "", "Encrypted": bool(fs.get("Encrypted")),
                "KmsKeyId": fs.get("KmsKeyId"), "LifeCycleState": fs.get("LifeCycleState"),
                "Tags": {t["Key"]: t["Value"] for t in fs.get("Tags") or []}},
                region=region, name=f"{fid} ({fs['Name']})" if fs.get("Name") else fid))
        return out

    return [r for group in scope.map(region_file_systems, scope.regions) for r in group]
