"""KMS items: a key behind an alias, its policy, its rotation.

Apply creates a missing key (with the baseline policy) and its alias, enables
a disabled key and cancels a pending deletion; it never schedules a deletion
or disables a key.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.baseline.live import LiveContext
from auditor.baseline.model import ABSENT, Item, policy_diff
from auditor.baseline.spec import Desired


def key(ctx: LiveContext, d: Desired) -> list[Item]:
    kms = ctx.client("kms", d.region)
    alias = d.name

    def read_key() -> Any:
        arn = ctx.key_arn(alias)
        if arn is None:
            return ABSENT
        meta = kms.describe_key(KeyId=arn)["KeyMetadata"]
        return {"KeyState": meta["KeyState"], "KeyId": meta["KeyId"]}

    def write_key(cur: Any, want: Any) -> None:
        if cur is ABSENT:
            arn = kms.create_key(Policy=json.dumps(d.props["Policy"]), Description=d.props["Description"],
                                 Tags=[{"TagKey": "managed-by", "TagValue": "auditor-baseline"}])["KeyMetadata"]["Arn"]
            kms.create_alias(AliasName=alias, TargetKeyId=arn)
            ctx.forget_key(alias)
            return
        if cur["KeyState"] == "PendingDeletion":
            kms.cancel_key_deletion(KeyId=cur["KeyId"])   # leaves the key Disabled
        kms.enable_key(KeyId=cur["KeyId"])

    def read_policy() -> Any:
        arn = ctx.key_arn(alias)
        return ABSENT if arn is None else kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"]

    def write_policy(cur: Any, want: Any) -> None:
        kms.put_key_policy(KeyId=ctx.key_arn(alias), PolicyName="default", Policy=json.dumps(want))

    def read_rotation() -> Any:
        arn = ctx.key_arn(alias)
        return ABSENT if arn is None else {
            "KeyRotationEnabled": kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"]}

    def write_rotation(cur: Any, want: Any) -> None:
        kms.enable_key_rotation(KeyId=ctx.key_arn(alias))

    return [
        Item(f"kms-key[{alias}]", {"KeyState": "Enabled"}, read_key, write_key),
        Item(f"kms-key-policy[{alias}]", d.props["Policy"], read_policy, write_policy, policy_diff),
        Item(f"kms-key-rotation[{alias}]", {"KeyRotationEnabled": True}, read_rotation, write_rotation),
    ]
