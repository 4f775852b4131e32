"""The DQDL rule-type registry: one plugin per rule type, found by its DQDL name.

Built-in rule types live in :mod:`auditor.data.quality.rules` and register exactly as a
third-party package would: by decorating a :class:`~auditor.data.quality.plugin.RuleType`
subclass with :func:`rule_type`, in a module named by an entry point of the
``auditor.dqdl_rule_types`` group (auditor's own are declared in its ``pyproject.toml``). A
module that fails to import, or a rule type name already taken, stops with a
``PluginError`` naming the distribution::

    [project.entry-points."auditor.dqdl_rule_types"]
    my_rules = "my_package.dqdl_rules"

    from auditor.data.quality.registry import get_rule_type
    get_rule_type("IsComplete").params        # (1, 1)
    get_rule_type("IsComplet")                # UnknownNameError: ... (did you mean 'IsComplete'?)
"""

from __future__ import annotations

from typing import TypeVar

from auditor.core.entry_points import load_group
from auditor.core.registry import Registry, UnknownNameError, did_you_mean
from auditor.data.quality.plugin import RuleType

RULE_TYPES: Registry[RuleType] = Registry("DQDL rule type")
_BY_NAME: dict[str, RuleType] = {}

# Modules whose @rule_type classes register: auditor's own are declared in pyproject.toml, like any package's.
ENTRY_POINT_GROUP = "auditor.dqdl_rule_types"

T = TypeVar("T", bound=type[RuleType])


def rule_type(cls: T) -> T:
    """Class decorator: register a rule type under its DQDL ``name``."""
    plugin = cls()
    if not plugin.name:
        raise ValueError(f"{cls.__name__}: a DQDL rule type needs a name")
    RULE_TYPES.add(plugin.key, plugin)
    _BY_NAME[plugin.name] = plugin
    return cls


def load_rule_types() -> None:
    """Import the modules of every ``auditor.dqdl_rule_types`` entry point (once)."""
    load_group(ENTRY_POINT_GROUP)


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
