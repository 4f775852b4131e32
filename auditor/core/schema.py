"""JSON Schema for rule files, generated from the registries.

``auditor schema`` prints it; editors (yaml-language-server) use it for
completion. The filter schema dispatches with ``if``/``then`` on the block
keyword (``and``, ``any``, ``type``...) rather than ``oneOf`` so that a
mistake produces one precise error instead of "not valid under any schema".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from auditor.core.filters import BLOCKS, filter_types
from auditor.core.resources import resource_types
from auditor.core.rules import SEVERITIES

RULE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def filter_schema() -> dict[str, Any]:
    """The ``filter`` definition: dispatch to each registered filter's schema."""
    custom = [n for n in filter_types.names() if n not in BLOCKS and n != "value"]
    branches: list[dict[str, Any]] = [
        {"if": {"required": [b]}, "then": {"$ref": f"#/$defs/filter-{b}"}} for b in BLOCKS
    ]
    branches.append({"if": {"required": ["type"]},
                     "then": {"properties": {"type": {"enum": ["value", *custom], "x-unknown": "filter type"}}}})
    for name in custom:
        branches.append({"if": {"required": ["type"], "properties": {"type": {"const": name}}},
                         "then": {"$ref": f"#/$defs/filter-{name}"}})
    not_value: list[dict[str, Any]] = [{"required": [b]} for b in BLOCKS]
    not_value.append({"required": ["type"], "properties": {"type": {"not": {"const": "value"}}}})
    branches.append({"if": {"not": {"anyOf": not_value}}, "then": {"$ref": "#/$defs/filter-value"}})
    return {"type": "object", "description": "a filter: a value comparison, a block, or a registered type",
            "allOf": branches}


def rules_schema(frameworks: Mapping[str, Collection[str]] | None = None) -> dict[str, Any]:
    """Schema of a rule file. ``frameworks`` maps framework id -> control ids."""
    frameworks = frameworks or {}
    compliance: dict[str, Any] = {
        "type": "object",
        "x-unknown": "framework",
        "properties": {
            fw: {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                 "description": f"control ids of {fw}"}
            for fw, controls in sorted(frameworks.items())
        },
        "additionalProperties": not frameworks,
    }
    defs: dict[str, Any] = {"filter": filter_schema()}
    for name, cls in filter_types.items():
        defs[f"filter-{name}"] = {**cls.schema, "description": (cls.__doc__ or "").strip()}
    defs["filters"] = {"type": "array", "items": {"$ref": "#/$defs/filter"}}
    defs["rule"] = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": RULE_ID_PATTERN,
                   "description": "kebab-case <service>-<resource>-<state>, unique across files"},
            "title": {"type": "string", "minLength": 3, "description": "a state, never 'Ensure ...'"},
            "description": {"type": "string"},
            "resource": {"enum": resource_types.names(), "x-unknown": "resource type"},
            "severity": {"enum": list(SEVERITIES)},
            "compliance": compliance,
            "remediation": {
                "type": "object",
                "properties": {k: {"type": "string"} for k in ("text", "cli", "url", "template")},
                "additionalProperties": False,
            },
            "params": {"type": "object", "description": "tunables, overridable in the run config"},
            "message": {"type": "string", "description": "finding message template, e.g. '{name} has {Versioning.Status}'"},
            "risk": {"type": "string", "minLength": 10, "description": "why a failure matters (shown in reports)"},
            "references": {"type": "array", "items": {"type": "string", "pattern": "^https://"},
                           "description": "documentation URLs, e.g. the AWS page of the setting"},
            "enabled": {"type": "boolean"},
            "where": {"$ref": "#/$defs/filters"},
            "assert": {"$ref": "#/$defs/filters", "minItems": 1},
        },
        "required": ["id", "title", "resource", "severity", "assert"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/auditor/auditor/schemas/rules.json",
        "title": "auditor rule file",
        "type": "object",
        "properties": {
            "version": {"const": 1},
            "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
        },
        "required": ["version", "rules"],
        "additionalProperties": False,
        "$defs": defs,
    }
