"""The DQDL rule-type registry: one plugin per rule type, found by its DQDL name.

Built-in rule types live in :mod:`auditor.data.quality.rules` and register exactly as a
third-party package would: by decorating a :class:`~auditor.data.quality.plugin.RuleType`
subclass with :func:`rule_type`. A package can add rule types through the
``auditor.dqdl_rule_types`` entry-point group (each entry point names a module to import)::

    [project.entry-points."auditor.dqdl_rule_types"]
    my_rules = "my_package.dqdl_rules"

    from auditor.data.quality.registry import get_rule_type
    get_rule_type("IsComplete").params        # (1, 1)
    get_rule_type("IsComplet")                # UnknownNameError: ... (did you mean 'IsComplete'?)
"""

from __future__ import annotations

import importlib
from typing import TypeVar

from auditor.core.registry import Registry, UnknownNameError, did_you_mean
from auditor.data.quality.plugin import RuleType

RULE_TYPES: Registry[RuleType] = Registry("DQDL rule type")
_BY_NAME: dict[str, RuleType] = {}

BUILTIN_MODULES = (
    "auditor.data.quality.rules.completeness",
    "auditor.data.quality.rules.uniqueness",
    "auditor.data.quality.rules.column_values",
    "auditor.data.quality.rules.statistics",
    "auditor.data.quality.rules.schema",
    "auditor.data.quality.rules.custom_sql",
    "auditor.data.quality.rules.freshness",
    "auditor.data.quality.rules.reference",
    "auditor.data.quality.rules.anomalies",
    "auditor.data.quality.rules.files",
)
ENTRY_POINT_GROUP = "auditor.dqdl_rule_types"

T = TypeVar("T", bound=type[RuleType])
_loaded = False


def rule_type(cls: T) -> T:
    """Class decorator: register a rule type under its DQDL ``name``."""
    plugin = cls()
    if not plugin.name:
        raise ValueError(f"{cls.__name__}: a DQDL rule type needs a name")
    RULE_TYPES.add(plugin.key, plugin)
    _BY_NAME[plugin.name] = plugin
    return cls


def load_rule_types() -> None:
    """Import the built-in rule types and those of installed packages (once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILTIN_MODULES:
        importlib.import_module(module)
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        importlib.import_module(ep.value)


def get_rule_type(name: str) -> RuleType:
    """The plugin for a DQDL rule type name (case-sensitive, as in Glue)."""
    load_rule_types()
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownNameError("rule type", name, did_you_mean(name, list(_BY_NAME))) from None


def rule_type_names() -> list[str]:
    """Every registered DQDL rule type name, sorted."""
    load_rule_types()
    return sorted(_BY_NAME)


def all_rule_types() -> list[RuleType]:
    load_rule_types()
    return [_BY_NAME[n] for n in sorted(_BY_NAME)]
