"""KMS keys (``aws.kms-key``), with their aliases and key policies joined in.

=====================  ==============================================================
attribute              CloudFormation ``AWS::KMS::Key`` / Terraform ``aws_kms_key``
=====================  ==============================================================
KeyManager             ``CUSTOMER`` (a template only creates customer-managed keys)
KeyState               ``Enabled`` / ``is_enabled`` (default true) -> Enabled | Disabled
KeySpec, KeyUsage      ``KeySpec`` / ``customer_master_key_spec``, ``KeyUsage`` / ``key_usage``
Origin                 ``Origin``; ``aws_kms_external_key`` -> ``EXTERNAL``
KeyRotationEnabled     ``EnableKeyRotation`` / ``enable_key_rotation`` (default false), null for
                       a key that cannot rotate (asymmetric, disabled, external), as the collector
Policy                 ``KeyPolicy`` / ``policy`` or ``aws_kms_key_policy``
Aliases                ``AWS::KMS::Alias`` / ``aws_kms_alias`` naming the key
EncryptsBuckets        buckets of the change whose default encryption names the key
=====================  ==============================================================

A key never exists in a template as pending deletion: ``KeyState`` is what it becomes when
the change is applied. Keys are identified by their source (``file#LogicalId``): their id
and ARN are decided at deploy.
"""

from __future__ import annotations

from typing import Any

from auditor.core.resources import Resource
from auditor.iac.build import Builder, source_id
from auditor.iac.mappers.common import document, shown
from auditor.iac.model import SourceResource
from auditor.iac.values import Symbol, Unknown, as_bool, given

KEY_TYPE = "aws.kms-key"
KEY_TYPES = ("AWS::KMS::Key", "aws_kms_key", "aws_kms_external_key")
_CFN = {"enabled": "Enabled", "rotation": "EnableKeyRotation", "spec": "KeySpec", "usage": "KeyUsage",
        "origin": "Origin", "policy": "KeyPolicy", "description": "Description"}
_TF = {"enabled": "is_enabled", "rotation": "enable_key_rotation", "spec": "customer_master_key_spec",
       "usage": "key_usage", "origin": "", "policy": "policy", "description": "description"}


def map_keys(b: Builder) -> list[Resource]:
    """Every key of the change, aliases and key policies joined; returned for :func:`encrypts_buckets`."""
    out: list[Resource] = []
    aliases: dict[str, list[str]] = {}
    for alias in b.of("AWS::KMS::Alias", "aws_kms_alias"):
        cfn = alias.type == "AWS::KMS::Alias"
        target = b.target(alias.props.get("TargetKeyId" if cfn else "target_key_id"), "kms-key", KEY_TYPES)
        name = alias.props.get("AliasName" if cfn else "name")
        if target is not None and isinstance(name, str):
            aliases.setdefault(target.key, []).append(str(name))
            b.use(alias)
    policies: dict[str, tuple[Any, SourceResource]] = {}
    for pol in b.of("aws_kms_key_policy"):
        target = b.target(pol.props.get("key_id"), "kms-key", KEY_TYPES)
        if target is not None:
            policies[target.key] = (pol.props.get("policy"), pol)
    for src in b.of(*KEY_TYPES):
        names = _CFN if src.type == "AWS::KMS::Key" else _TF
        attrs = _key_attrs(src, names)
        policy, configured_by = policies.get(src.key, (src.props.get(names["policy"]), None))
        attrs["Policy"] = document(policy, f"the key policy of {src.address}")
        attrs["Aliases"] = sorted(aliases.get(src.key, []))
        display = attrs["Aliases"][0] if attrs["Aliases"] else src.address
        res = Resource(KEY_TYPE, source_id(src), attrs, region=src.region, name=display)
        out.append(b.add(res, src))
        if configured_by is not None:
            b.use(configured_by)
    return out


def _key_attrs(src: SourceResource, names: dict[str, str]) -> dict[str, Any]:
    p = src.props
    enabled = as_bool(p.get(names["enabled"]), True)
    spec = given(p.get(names["spec"]), given(p.get("key_spec"), "SYMMETRIC_DEFAULT"))
    origin = "EXTERNAL" if src.type == "aws_kms_external_key" else (p.get(names["origin"]) if names["origin"] else None)
    origin = given(origin, "AWS_KMS")
    state = enabled if isinstance(enabled, Unknown) else ("Enabled" if enabled else "Disabled")
    attrs: dict[str, Any] = {
        "KeyId": Symbol(f"${{{src.address}.KeyId}}", src.key, "KeyId"),
        "Arn": Symbol(f"${{{src.address}.Arn}}", src.key, "Arn"),
        "KeyManager": "CUSTOMER", "KeyState": state, "KeySpec": spec,
        "KeyUsage": given(p.get(names["usage"]), "ENCRYPT_DECRYPT"), "Origin": origin,
        "DeletionDate": None, "Description": given(p.get(names["description"]), ""),
    }
    rotatable = [v for v in (spec, state, origin) if isinstance(v, Unknown)]
    if rotatable:
        attrs["KeyRotationEnabled"] = rotatable[0]
    elif spec == "SYMMETRIC_DEFAULT" and state == "Enabled" and origin == "AWS_KMS":
        attrs["KeyRotationEnabled"] = as_bool(p.get(names["rotation"]), False)
    else:
        attrs["KeyRotationEnabled"] = None
    return attrs


def encrypts_buckets(b: Builder, keys: list[Resource]) -> None:
    """Set each key's ``EncryptsBuckets``: the buckets of the change whose default encryption names it."""
    by_source = {r.id: r for r in keys}
    users: dict[str, list[str]] = {k: [] for k in by_source}
    for bucket in b.inventory.of("aws.s3-bucket"):
        enc = bucket.attrs.get("Encryption")
        key_ref = enc.get("KMSMasterKeyID") if isinstance(enc, dict) else None
        if key_ref is None:
            continue
        target = b.target(key_ref, "kms-key", KEY_TYPES)
        if target is None and isinstance(key_ref, str) and "alias/" in key_ref:
            alias = "alias/" + key_ref.split("alias/", 1)[1]
            target = next((b.source(k.id) for k in keys if alias in (k.attrs.get("Aliases") or [])), None)
        if target is not None and target.key in users:
            users[target.key].append(shown(bucket.attrs.get("Name"), bucket.name))
    for key_id, res in by_source.items():
        res.attrs["EncryptsBuckets"] = sorted(users[key_id])
        res.errors.pop("EncryptsBuckets", None)
