"""KMS keys: manager, state, spec, rotation, policy, pending deletion, buckets they encrypt.

Resource type ``aws.kms-key`` (id: key ARN), listed in every scanned region.
``KeyRotationEnabled`` is fetched only for enabled symmetric keys (the only
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

from auditor.aws.collect import Scope, collector, fetch
from auditor.aws.kms_usage import buckets_encrypted_with
from auditor.aws.session import ApiError
from auditor.core.resources import Resource, ResourceType, resource_types

KEY_TYPE = "aws.kms-key"


@resource_types.register(KEY_TYPE)
class KmsKey(ResourceType):
    """A KMS key. Example: ``{key: KeyRotationEnabled, op: eq, value: true}``"""

    attributes: ClassVar[dict[str, str]] = {
        "KeyId": "key id",
        "Arn": "key ARN",
        "KeyManager": "CUSTOMER | AWS",
        "KeyState": "Enabled | Disabled | PendingDeletion | ...",
        "KeySpec": "SYMMETRIC_DEFAULT | RSA_2048 | ...",
        "KeyUsage": "ENCRYPT_DECRYPT | SIGN_VERIFY | ...",
        "Origin": "AWS_KMS | EXTERNAL | AWS_CLOUDHSM",
        "DeletionDate": "scheduled deletion timestamp, if pending deletion",
        "Description": "key description",
        "KeyRotationEnabled": "bool, or null when the key cannot rotate",
        "Policy": "key policy document",
        "Aliases": "[alias names]",
        "EncryptsBuckets": "[bucket names] whose default encryption (SSE-KMS, DSSE-KMS) uses this key",
    }
    permissions = ("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy",
                   "kms:ListAliases", "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetEncryptionConfiguration")


@collector(KEY_TYPE)
def collect_keys(scope: Scope) -> list[Resource]:
    listed: list[tuple[str, dict[str, Any]]] = []
    aliases: dict[str, list[str]] = {}
    for region in scope.regions:
        try:
            listed += [(region, k) for k in scope.session.paginate("kms", region, "ListKeys", "Keys")]
        except ApiError as err:
            scope.inventory.fail(KEY_TYPE, scope.arn("kms", region, "key/*"), region, err.reason)
            continue
        if scope.needs(KEY_TYPE, "Aliases"):
            try:
                for a in scope.session.paginate("kms", region, "ListAliases", "Aliases"):
                    if a.get("TargetKeyId"):
                        aliases.setdefault(a["TargetKeyId"], []).append(a["AliasName"])
            except ApiError as err:
                scope.inventory.fail(KEY_TYPE, scope.arn("kms", region, "alias/*"), region, err.reason)

    def one(item: tuple[str, dict[str, Any]]) -> Resource:
        region, k = item
        res = Resource(KEY_TYPE, k["KeyArn"], {"KeyId": k["KeyId"], "Arn": k["KeyArn"]}, region=region, name=k["KeyId"])
        try:
            meta = scope.session.call("kms", region, "DescribeKey", KeyId=k["KeyId"])["KeyMetadata"]
        except ApiError as err:
            res.errors["*"] = err.reason
            return res
        spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
        res.attrs.update({"KeyManager": meta.get("KeyManager"), "KeyState": meta.get("KeyState"), "KeySpec": spec,
                          "KeyUsage": meta.get("KeyUsage"), "Origin": meta.get("Origin"),
                          "DeletionDate": meta.get("DeletionDate"), "Description": meta.get("Description", "")})
        if scope.needs(KEY_TYPE, "Aliases"):
            res.attrs["Aliases"] = aliases.get(k["KeyId"], [])
        if scope.needs(KEY_TYPE, "KeyRotationEnabled"):
            if spec == "SYMMETRIC_DEFAULT" and meta.get("KeyState") == "Enabled" and meta.get("Origin") == "AWS_KMS":
                fetch(res, "KeyRotationEnabled", lambda: bool(scope.session.call(
                    "kms", region, "GetKeyRotationStatus", KeyId=k["KeyId"]).get("KeyRotationEnabled")))
            else:
                res.attrs["KeyRotationEnabled"] = None
        if scope.needs(KEY_TYPE, "Policy"):
            fetch(res, "Policy", lambda: json.loads(scope.session.call(
                "kms", region, "GetKeyPolicy", KeyId=k["KeyId"], PolicyName="default")["Policy"]))
        # Reading every bucket's encryption is only worth it where a verdict depends on it.
        if "EncryptsBuckets" in scope.to_fetch(KEY_TYPE, res):
            fetch(res, "EncryptsBuckets", lambda: buckets_encrypted_with(scope, k["KeyArn"]))
        return res

    return scope.map(one, listed)
