"""Terraform S3 buckets: ``aws_s3_bucket`` and the resources that configure one.

AWS provider 4+ splits a bucket into one resource per setting, each naming the bucket in
its ``bucket`` argument (a reference such as ``aws_s3_bucket.raw.id``, or the name):
``aws_s3_bucket_versioning``, ``aws_s3_bucket_server_side_encryption_configuration``,
``aws_s3_bucket_public_access_block``, ``aws_s3_bucket_policy``, ``aws_s3_bucket_logging``,
``aws_s3_bucket_replication_configuration``, ``aws_s3_bucket_ownership_controls`` and
``aws_s3_bucket_object_lock_configuration``. The bucket's own legacy blocks (``versioning``,
``server_side_encryption_configuration``, ``logging``, ``replication_configuration``,
``policy``) are read too; a separate resource wins over the legacy block, as in AWS.
"""

from __future__ import annotations

from typing import Any

from auditor.iac.build import Builder
from auditor.iac.mappers.common import block, blocks, document, name_or_generated, tags, text
from auditor.iac.mappers.s3 import NEW_BUCKET_ENCRYPTION, BucketDraft, _draft_for, _pab
from auditor.iac.values import Unknown, as_bool, given

_PAB_TF = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
_PAB_API = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def drafts_from_terraform(b: Builder) -> list[BucketDraft]:
    drafts: list[BucketDraft] = []
    for src in b.of("aws_s3_bucket"):
        p = src.props
        raw = p.get("bucket")
        if isinstance(raw, Unknown) and src.declared is not None and "bucket" not in src.declared:
            raw = None  # not written in the configuration: Terraform generates it
        name, generated = name_or_generated(src, raw, "bucket")
        d = BucketDraft(src, name, generated)
        d.attrs["Tags"] = tags(given(p.get("tags"), None))

        def legacy(arg: str, p: dict[str, Any] = p, declared: frozenset[str] | None = src.declared) -> Any:
            """A legacy block of the bucket, when written (provider 4+ computes the unwritten ones)."""
            value = given(block(p.get(arg)), None)
            return value if declared is None or arg in declared else None

        d.attrs["Versioning"] = _versioning_legacy(legacy("versioning"))
        d.attrs["Encryption"] = _encryption(legacy("server_side_encryption_configuration"))
        d.attrs["PublicAccessBlock"] = _pab(None, _PAB_TF, _PAB_API)
        d.attrs["Logging"] = _logging(legacy("logging"))
        policy = legacy("policy")
        d.attrs["Policy"] = document(policy, f"the policy of {src.address}") if policy is not None else None
        repl = legacy("replication_configuration")
        if isinstance(repl, Unknown):
            d.attrs["Replication"] = repl
        elif isinstance(repl, dict):
            _replication(d, repl, "rules")
        lock = as_bool(legacy("object_lock_enabled"), False)
        d.attrs["ObjectLock"] = {"Enabled": lock, "Rule": None}
        d.attrs["OwnershipControls"] = {"ObjectOwnership": "BucketOwnerEnforced"}
        b.name("bucket", name, src)
        drafts.append(d)
    _configuring(b, drafts)
    return drafts


def _configuring(b: Builder, drafts: list[BucketDraft]) -> None:
    """Join each configuring resource to its bucket and let it set its attribute."""
    for rtype, apply in _APPLY.items():
        for src in b.of(rtype):
            d = _draft_for(b, drafts, src.props.get("bucket"))
            if d is not None:
                apply(d, src.props, src.address)
                d.configured_by.append(src)


def _versioning_legacy(v: Any) -> Any:
    if v is None:
        return {"Status": "Disabled", "MFADelete": "Disabled"}
    if isinstance(v, Unknown):
        return v
    enabled = as_bool(v.get("enabled"), False)
    mfa = as_bool(v.get("mfa_delete"), False)
    return {"Status": enabled if isinstance(enabled, Unknown) else "Enabled" if enabled else "Disabled",
            "MFADelete": mfa if isinstance(mfa, Unknown) else "Enabled" if mfa else "Disabled"}


def _set_versioning(d: BucketDraft, p: dict[str, Any], _address: str) -> None:
    cfg = block(p.get("versioning_configuration"))
    if isinstance(cfg, Unknown) or cfg is None:
        d.attrs["Versioning"] = given(cfg, {"Status": "Disabled", "MFADelete": "Disabled"})
        return
    d.attrs["Versioning"] = {"Status": given(cfg.get("status"), "Disabled"),
                             "MFADelete": given(cfg.get("mfa_delete"), "Disabled")}


def _encryption(cfg: Any) -> Any:
    if cfg is None:
        return dict(NEW_BUCKET_ENCRYPTION)
    if isinstance(cfg, Unknown):
        return cfg
    rule = block(cfg.get("rule"))
    if isinstance(rule, Unknown):
        return rule
    rule = given(rule, {})
    default = given(block(rule.get("apply_server_side_encryption_by_default")), {})
    if isinstance(default, Unknown):
        return default
    return {"SSEAlgorithm": default.get("sse_algorithm"), "KMSMasterKeyID": given(default.get("kms_master_key_id"), None),
            "BucketKeyEnabled": as_bool(rule.get("bucket_key_enabled"), False)}


def _set_encryption(d: BucketDraft, p: dict[str, Any], _address: str) -> None:
    d.attrs["Encryption"] = _encryption(p)


def _set_pab(d: BucketDraft, p: dict[str, Any], _address: str) -> None:
    d.attrs["PublicAccessBlock"] = _pab(p, _PAB_TF, _PAB_API)


def _set_policy(d: BucketDraft, p: dict[str, Any], address: str) -> None:
    d.attrs["Policy"] = document(p.get("policy"), f"the policy of {address}")


def _logging(cfg: Any) -> Any:
    if cfg is None:
        return {"Enabled": False}
    if isinstance(cfg, Unknown):
        return cfg
    return {"Enabled": True, "TargetBucket": text(cfg.get("target_bucket")), "TargetPrefix": given(cfg.get("target_prefix"), "")}


def _set_logging(d: BucketDraft, p: dict[str, Any], _address: str) -> None:
    d.attrs["Logging"] = _logging(p)


def _replication(d: BucketDraft, cfg: dict[str, Any], rules_key: str) -> None:
    d.replication_role = cfg.get("role")
    d.replication_rules = []
    for r in blocks(cfg.get(rules_key)):
        if not isinstance(r, dict):
            d.attrs["Replication"] = r if isinstance(r, Unknown) else Unknown("a replication rule is decided at deploy")
            return
        dest = given(block(r.get("destination")), {})
        d.replication_rules.append({"ID": given(r.get("id"), ""), "Status": r.get("status"),
                                    "Destination": dest.get("bucket") if isinstance(dest, dict) else dest})
    d.attrs.pop("Replication", None)


def _set_replication(d: BucketDraft, p: dict[str, Any], _address: str) -> None:
    _replication(d, p, "rule")


def _set_ownership(d: BucketDraft, p: dict[str, Any], _address: str) -> None:
    rule = given(block(p.get("rule")), {})
    d.attrs["OwnershipControls"] = {"ObjectOwnership": rule.get("object_ownership") if isinstance(rule, dict) else rule}


def _set_object_lock(d: BucketDraft, p: dict[str, Any], _address: str) -> None:
    d.attrs["ObjectLock"] = {"Enabled": True, "Rule": block(p.get("rule"))}


_APPLY = {
    "aws_s3_bucket_versioning": _set_versioning,
    "aws_s3_bucket_server_side_encryption_configuration": _set_encryption,
    "aws_s3_bucket_public_access_block": _set_pab,
    "aws_s3_bucket_policy": _set_policy,
    "aws_s3_bucket_logging": _set_logging,
    "aws_s3_bucket_replication_configuration": _set_replication,
    "aws_s3_bucket_ownership_controls": _set_ownership,
    "aws_s3_bucket_object_lock_configuration": _set_object_lock,
}
