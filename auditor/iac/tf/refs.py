"""Terraform references: which resource an expression points at.

Plans list, for every argument written as an expression, the references it makes
(``["aws_s3_bucket.raw.id", "aws_s3_bucket.raw"]``); ``*.tf.json`` writes them inside
``${...}``. :func:`resource_address` keeps the managed resource part
(``aws_s3_bucket.raw``), qualified by the module the expression is written in;
variables, locals, data sources, ``count``/``each`` and module outputs are not resources.
:class:`Instances` then finds the instance a reference means (``aws_s3_bucket.raw[0]`` for a
resource with ``count``).
"""

from __future__ import annotations

import re

_RESOURCE = re.compile(r"^([a-z][a-z0-9_]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)")
_NOT_RESOURCES = ("var.", "local.", "data.", "module.", "count.", "each.", "path.", "terraform.", "self.")
_INDEX = re.compile(r"\[[^\]]*\]")


def resource_address(ref: str, module: str = "") -> str | None:
    """``aws_s3_bucket.raw.id`` -> ``aws_s3_bucket.raw`` (``module.lake.`` prefixed inside a module); else None."""
    if ref.startswith(_NOT_RESOURCES):
        return None
    m = _RESOURCE.match(_INDEX.sub("", ref))
    if m is None:
        return None
    return f"{module}{m.group(1)}.{m.group(2)}"


def attribute_of(ref: str) -> str:
    """``aws_kms_key.trail.arn`` -> ``arn`` (``""`` for a bare address)."""
    parts = _INDEX.sub("", ref).split(".")
    return parts[2] if len(parts) > 2 else ""


def module_of(address: str) -> str:
    """``module.lake.aws_s3_bucket.raw`` -> ``module.lake.`` (instance keys dropped); ``""`` at the root."""
    parts = _INDEX.sub("", address).split(".")
    out = ""
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        out += f"module.{parts[i + 1]}."
        i += 2
    return out


def base_address(address: str) -> str:
    """An instance address without instance keys: ``module.a[0].aws_s3_bucket.b["x"]`` -> ``module.a.aws_s3_bucket.b``."""
    return _INDEX.sub("", address)


def index_of(address: str) -> str:
    """The instance key of a resource address (``[0]``, ``["x"]``), or ``""``."""
    m = re.search(r"(\[[^\]]*\])$", address)
    return m.group(1) if m else ""


class Instances:
    """Resource addresses of one plan or configuration, by their base address."""

    def __init__(self, addresses: list[str]) -> None:
        self._by_base: dict[str, list[str]] = {}
        for a in addresses:
            self._by_base.setdefault(base_address(a), []).append(a)

    def resolve(self, referenced: str, from_address: str) -> str | None:
        """The instance ``referenced`` means, seen from ``from_address``: in the same module instance,
        with the same index under ``count`` / ``for_each`` when there is one, else the first."""
        base = base_address(referenced)
        found = self._by_base.get(base)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        module = _module_instance(from_address)
        local = base[len(module_of(from_address)):]
        for wanted in (module + local + index_of(from_address), module + local):
            if wanted in found:
                return wanted
        return found[0]


def _module_instance(address: str) -> str:
    """``module.a[0].module.b["x"].aws_s3_bucket.c`` -> ``module.a[0].module.b["x"].``."""
    m = re.match(r'^((?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*)', address)
    return m.group(1) if m else ""
