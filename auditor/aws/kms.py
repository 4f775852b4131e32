"""KMS keys: manager, state, spec, rotation, policy, pending deletion, buckets they encrypt.

Resource type ``aws.kms-key`` (id: key ARN), listed in every scanned region.
Attributes are fetched only while a rule needs them (see :mod:`auditor.aws.attributes`).
``KeyRotationEnabled`` is read only for enabled symmetric keys (the only
ones that can rotate automatically); for the others it is null.
``EncryptsBuckets`` (the buckets whose default encryption uses the key, see
:mod:`auditor.aws.kms_usage`) is fetched only for keys whose verdict depends on
it: with the shipped rules, keys pending deletion. Example rule::

    - id: kms-cmk-rotation-enabled
      resource: aws.kms-key
      where:
        - {key: KeyManager, op: eq, value: CUSTOMER}
        - {key: KeySpec, op: eq, value: SYMMETRIC_DEFAULT}
        - {key: KeyState, op: eq, value: Enabled}
      assert: [{key: KeyRotationEnabled, op: eq, value: true}]
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from auditor.aws.attributes import Attr, AttributeTable
from auditor.aws.collect import Scope, collector
from auditor.aws.kms_usage import buckets_encrypted_with
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

KEY_TYPE = "aws.kms-key"


@resource_types.register(KEY_TYPE)
class KmsKey(ResourceType):
    """A KMS key. Example: ``{key: KeyRotationEnabled, op: eq, value: true}``"""

    # Derived from TABLE (below): the one declaration of each attribute.
    attributes: ClassVar[dict[str, str]] = {}
    permissions: ClassVar[tuple[str, ...]] = ()


def _describe(scope: Scope, res: Resource, _item: Any) -> dict[str, Any]:
    """DescribeKey: one call for the key's manager, state, spec, usage, origin, deletion date, description."""
    meta = scope.session.call("kms", res.region, "DescribeKey", KeyId=res.attrs["KeyId"])["KeyMetadata"]
    return {"KeyManager": meta.get("KeyManager"), "KeyState": meta.get("KeyState"),
            "KeySpec": meta.get("KeySpec") or meta.get("CustomerMasterKeySpec"), "KeyUsage": meta.get("KeyUsage"),
            "Origin": meta.get("Origin"), "DeletionDate": meta.get("DeletionDate"),
            "Description": meta.get("Description", "")}


def _rotation(scope: Scope, res: Resource, _item: Any) -> bool | None:
    # Only enabled symmetric keys with AWS-made material rotate automatically; for the others
    # GetKeyRotationStatus is an error (asymmetric, HMAC) or says nothing: null, no call.
    a = res.attrs
    if a["KeySpec"] != "SYMMETRIC_DEFAULT" or a["KeyState"] != "Enabled" or a["Origin"] != "AWS_KMS":
        return None
    return bool(scope.session.call("kms", res.region, "GetKeyRotationStatus",
                                   KeyId=a["KeyId"]).get("KeyRotationEnabled"))


def _policy(scope: Scope, res: Resource, _item: Any) -> Any:
    return json.loads(scope.session.call("kms", res.region, "GetKeyPolicy", KeyId=res.attrs["KeyId"],
                                         PolicyName="default")["Policy"])


def _aliases(scope: Scope, res: Resource, _item: Any) -> list[str]:
    def region_aliases() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for a in scope.session.paginate("kms", res.region, "ListAliases", "Aliases"):
            if a.get("TargetKeyId"):
                out.setdefault(a["TargetKeyId"], []).append(a["AliasName"])
        return out

    return scope.memo(f"kms-aliases|{res.region}", region_aliases).get(res.attrs["KeyId"], [])


_DESCRIBE = ("kms:DescribeKey",)
TABLE = AttributeTable(KEY_TYPE, listing=("kms:ListKeys",), attributes={
    "KeyId": Attr("key id"),
    "Arn": Attr("key ARN"),
    "KeyManager": Attr("CUSTOMER | AWS", fetch=_describe, permissions=_DESCRIBE, shared=True),
    "KeyState": Attr("Enabled | Disabled | PendingDeletion | ...", fetch=_describe, permissions=_DESCRIBE,
                     shared=True),
    "KeySpec": Attr("SYMMETRIC_DEFAULT | RSA_2048 | ...", fetch=_describe, permissions=_DESCRIBE, shared=True),
    "KeyUsage": Attr("ENCRYPT_DECRYPT | SIGN_VERIFY | ...", fetch=_describe, permissions=_DESCRIBE, shared=True),
    "Origin": Attr("AWS_KMS | EXTERNAL | AWS_CLOUDHSM", fetch=_describe, permissions=_DESCRIBE, shared=True),
    "DeletionDate": Attr("scheduled deletion timestamp, if pending deletion", fetch=_describe,
                         permissions=_DESCRIBE, shared=True),
    "Description": Attr("key description", fetch=_describe, permissions=_DESCRIBE, shared=True),
    "KeyRotationEnabled": Attr("bool, or null when the key cannot rotate", fetch=_rotation,
                               permissions=("kms:GetKeyRotationStatus",), after=("KeySpec", "KeyState", "Origin")),
    "Policy": Attr("key policy document", fetch=_policy, permissions=("kms:GetKeyPolicy",)),
    "Aliases": Attr("[alias names]", fetch=_aliases, permissions=("kms:ListAliases",)),
    # Reading every bucket's encryption is only worth it where a verdict depends on it
    # (with the shipped rules: keys pending deletion).
    "EncryptsBuckets": Attr("[bucket names] whose default encryption (SSE-KMS, DSSE-KMS) uses this key",
                            fetch=lambda scope, res, _item: buckets_encrypted_with(scope, res.attrs["Arn"]),
                            permissions=("s3:ListAllMyBuckets", "s3:GetBucketLocation",
                                         "s3:GetEncryptionConfiguration", "kms:ListAliases")),
})
KmsKey.attributes, KmsKey.permissions = TABLE.docs(), TABLE.permissions()


@collector(KEY_TYPE)
def collect_keys(scope: Scope) -> list[Resource]:
    listed: list[tuple[str, dict[str, Any]]] = []
    for region in scope.regions:
        try:
            listed += [(region, k) for k in scope.session.paginate("kms", region, "ListKeys", "Keys")]
        except ApiError as err:
            scope.inventory.fail(KEY_TYPE, scope.arn("kms", region, "key/*"), region, err.reason)

    def one(item: tuple[str, dict[str, Any]]) -> Resource:
        region, k = item
        res = Resource(KEY_TYPE, k["KeyArn"], {"KeyId": k["KeyId"], "Arn": k["KeyArn"]}, region=region, name=k["KeyId"])
        return TABLE.fill(scope, res, k)

    return scope.map(one, listed)
