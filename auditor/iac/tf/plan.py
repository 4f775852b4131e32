"""Terraform plans as ``terraform show -json PLANFILE`` writes them.

Every managed resource of ``resource_changes`` that exists after the apply (created,
updated, replaced or unchanged; not one being destroyed) becomes a
:class:`~auditor.iac.model.SourceResource` addressed by its Terraform address
(``module.lake.aws_s3_bucket.raw``), with its ``after`` values and:

- each value of ``after_unknown`` (known only after apply) turned into an
  :class:`~auditor.iac.values.Unknown` naming the address and argument, *unless* the
  configuration writes it as a reference to another resource of the plan
  (``kms_key_id = aws_kms_key.trail.arn``): then it is a
  :class:`~auditor.iac.values.Symbol` pointing at that resource, a value that will exist;
- known string values that the configuration writes as a single reference keep their text
  and point at the resource they reference, so ``aws_s3_bucket_versioning.bucket`` joins
  its bucket whatever its name.

The region is the ``aws`` provider's ``region`` in the configuration (a constant), the
account the ``aws_caller_identity`` data source of the prior state. A plan whose
``format_version`` is not 0.x or 1.x is refused (exit 2), as is a document that is not a
plan (a state, ``terraform show -json`` without a plan file).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.core import jsonio
from auditor.core.errors import ConfigError, Problem
from auditor.iac.jsonpos import JsonPositions
from auditor.iac.model import TERRAFORM, Change, Location, SourceResource
from auditor.iac.tf.refs import Instances, attribute_of, base_address, module_of, resource_address
from auditor.iac.values import Computed, Symbol, Unknown

SUPPORTED_MAJOR = ("0", "1")


def read_plan(path: Path, text: str, change: Change, params: Mapping[str, str]) -> set[str]:
    """Add the plan's resources to ``change``; return the ``--param`` names it used (none)."""
    file = str(path)
    data = _load(file, text)
    config = _config_index(data.get("configuration") or {})
    region = _provider_region(data.get("configuration") or {})
    account = _account(data)
    changes = data.get("resource_changes")
    if not isinstance(changes, list):
        raise _problem(file, text, ("resource_changes",), "a plan without resource_changes: write it with "
                       "terraform show -json PLANFILE (Terraform 0.12 or later)")
    kept = [rc for rc in changes if isinstance(rc, dict) and rc.get("mode", "managed") == "managed"
            and _exists_after(rc)]
    instances = Instances([str(rc.get("address")) for rc in kept])
    change.files.append({"path": file, "kind": "terraform-plan", "format_version": str(data.get("format_version"))})
    for rc in kept:
        address = str(rc.get("address"))
        body = rc.get("change") or {}
        after = body.get("after") if isinstance(body.get("after"), dict) else {}
        unknown = body.get("after_unknown") if isinstance(body.get("after_unknown"), dict) else {}
        expressions = config.get(base_address(address), {})
        merger = _Merge(file, address, instances, configured=base_address(address) in config)
        props = merger.value(after, unknown, expressions, ())
        res_region = props.get("region") if isinstance(props.get("region"), str) else region
        change.resources.append(SourceResource(
            TERRAFORM, str(rc.get("type")), f"{file}#{address}", address, props if isinstance(props, dict) else {},
            Location(file, address=address), region=res_region or "", account=account,
            declared=frozenset(expressions) if expressions else None))
    if account and not change.account:
        change.account = account
    return set()


def _load(file: str, text: str) -> dict[str, Any]:
    try:
        data = jsonio.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError([Problem(file, exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}")]) from None
    if not isinstance(data, dict):
        raise ConfigError([Problem(file, 1, 1, "", "a Terraform plan is a JSON object")])
    version = data.get("format_version")
    if not isinstance(version, str) or version.split(".", 1)[0] not in SUPPORTED_MAJOR:
        raise _problem(file, text, ("format_version",),
                       f"unsupported plan format_version {version!r}: auditor reads 0.x and 1.x "
                       "(terraform show -json of Terraform 0.12 to 1.x)")
    if "planned_values" not in data and "resource_changes" not in data:
        raise _problem(file, text, (), "not a plan (a state or a configuration?): write it with "
                       "terraform show -json PLANFILE")
    return data


def _problem(file: str, text: str, where: tuple[str | int, ...], message: str) -> ConfigError:
    line, col = JsonPositions(text, max_depth=len(where) or 1).locate(where) if where else (1, 1)
    return ConfigError([Problem(file, line, col, ".".join(str(w) for w in where), message)])


def _exists_after(rc: dict[str, Any]) -> bool:
    actions = (rc.get("change") or {}).get("actions") or []
    return actions != ["delete"] and (rc.get("change") or {}).get("after") is not None


def _config_index(configuration: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Resource address (no instance keys) -> its configuration ``expressions``, through module calls."""
    out: dict[str, dict[str, Any]] = {}
    stack: list[tuple[dict[str, Any], str, int]] = [(configuration.get("root_module") or {}, "", 0)]
    while stack:
        module, prefix, depth = stack.pop()
        for r in module.get("resources") or []:
            if isinstance(r, dict) and r.get("mode", "managed") == "managed":
                out[f"{prefix}{r.get('address')}"] = r.get("expressions") or {}
        if depth >= 20:  # module nesting beyond this is refused by Terraform long before
            continue
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                stack.append((call.get("module") or {}, f"{prefix}module.{name}.", depth + 1))
    return out


def _provider_region(configuration: dict[str, Any]) -> str:
    aws = (configuration.get("provider_config") or {}).get("aws") or {}
    region = ((aws.get("expressions") or {}).get("region") or {}).get("constant_value")
    return region if isinstance(region, str) else ""


def _account(data: dict[str, Any]) -> str:
    """The account id read by an ``aws_caller_identity`` data source, if the plan has one."""
    root = ((data.get("prior_state") or {}).get("values") or {}).get("root_module") or {}
    for r in root.get("resources") or []:
        if isinstance(r, dict) and r.get("type") == "aws_caller_identity":
            account = (r.get("values") or {}).get("account_id")
            if isinstance(account, str):
                return account
    return ""


class _Merge:
    """``after`` + ``after_unknown`` + configuration references -> resolved values (see the module doc)."""

    def __init__(self, file: str, address: str, instances: Instances, configured: bool) -> None:
        self.file, self.address, self.instances = file, address, instances
        self.module = module_of(address)
        self.configured = configured  # the configuration of this resource is in the plan

    def value(self, value: Any, unknown: Any, expr: Any, where: tuple[str | int, ...]) -> Any:
        if unknown is True:
            ref = self._reference(expr)
            if ref is not None:
                target, attr, text = ref
                return Symbol(f"${{{text}}}", target, attr)
            shown = self.address + "".join(f"[{w}]" if isinstance(w, int) else f".{w}" for w in where)
            if self.configured and expr is None:  # not written: the provider computes it (a default)
                return Computed(f"{shown} is computed by the provider at apply")
            return Unknown(f"{shown} is known only after apply")
        if isinstance(value, dict):
            keys = list(value) + [k for k in (unknown if isinstance(unknown, dict) else {}) if k not in value]
            return {k: self.value(value.get(k), _at(unknown, k), _expr_at(expr, k), (*where, k)) for k in keys}
        if isinstance(value, list):
            n = max(len(value), len(unknown) if isinstance(unknown, list) else 0)
            return [self.value(value[i] if i < len(value) else None, _at(unknown, i), _expr_at(expr, i), (*where, i))
                    for i in range(n)]
        if isinstance(value, str):
            ref = self._reference(expr)
            if ref is not None:
                return Symbol(value, ref[0], ref[1])
        return value

    def _reference(self, expr: Any) -> tuple[str, str, str] | None:
        """(target key, attribute, reference text) when ``expr`` references one managed resource."""
        refs = expr.get("references") if isinstance(expr, dict) else None
        if not isinstance(refs, list):
            return None
        addresses = {a for a in (resource_address(str(r), self.module) for r in refs) if a}
        if len(addresses) != 1:
            return None
        (address,) = addresses
        instance = self.instances.resolve(address, self.address)
        if instance is None:
            return None
        first = next(str(r) for r in refs if resource_address(str(r), self.module) == address)
        return f"{self.file}#{instance}", attribute_of(first), first


def _at(container: Any, key: str | int) -> Any:
    if isinstance(container, dict) and isinstance(key, str):
        return container.get(key)
    if isinstance(container, list) and isinstance(key, int) and key < len(container):
        return container[key]
    return None


def _expr_at(expr: Any, key: str | int) -> Any:
    """The configuration expression of a child value: nested blocks are lists of expression maps."""
    if isinstance(key, str) and isinstance(expr, dict) and "references" not in expr and "constant_value" not in expr:
        return expr.get(key)
    if isinstance(key, int) and isinstance(expr, list):
        return expr[key] if key < len(expr) else (expr[0] if expr else None)
    return None
