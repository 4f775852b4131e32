"""The run configuration file (``--config audit.yml``).

Example::

    version: 1
    rules:
      billing-alarm-within-budget:
        params: {budget_usd: 25}
      iam-user-mfa-enabled:
        severity: critical
      s3-bucket-mfa-delete-enabled:
        enabled: false          # still reported: SKIPPED, with the reason
    aws: {regions: [eu-west-1], max_attempts: 8}

The ``rules`` section is checked against the loaded rules (unknown rule ids and
params are errors, with a "did you mean" hint; a param override must have the
type of its default). Other sections (``aws``, ``data``, ``pipelines``,
``report``...) are declared by the layers that use them through
``config_sections`` and validated by their schemas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, TypeVar, overload

from auditor.core.errors import ConfigError, Problem
from auditor.core.registry import Registry, did_you_mean
from auditor.core.rules import SEVERITIES, Rule
from auditor.core.validation import validate
from auditor.core.yamlio import Document, read_yaml

config_sections: Registry[dict[str, Any]] = Registry("config section")
"""JSON Schema of each top-level config section, registered by the layer that reads it.

A layer declares the section's shape as a ``TypedDict`` beside its schema (every key optional,
``total=False``, one docstring per key: the user documentation of the section), and reads it with
``config.section("name", ThatSection)``."""

_Section = TypeVar("_Section", bound=Mapping[str, Any])


class RuleOverride(TypedDict, total=False):
    """``rules.<rule id>``: one rule's overrides (unknown ids and params are errors)."""

    params: dict[str, Any]
    """Parameter values, each of the type of the rule's default (e.g. ``{budget_usd: 25}``)."""
    severity: str
    """``info``, ``low``, ``medium``, ``high`` or ``critical``."""
    enabled: bool
    """``false``: the rule is still reported, as SKIPPED with the reason."""


def config_schema() -> dict[str, Any]:
    """Schema of the run configuration file, from the registered sections."""
    props: dict[str, Any] = {
        "version": {"const": 1},
        "rules": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "params": {"type": "object"},
                    "severity": {"enum": list(SEVERITIES)},
                    "enabled": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
        },
    }
    for name, schema in config_sections.items():
        props[name] = schema
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "auditor run config",
            "type": "object", "properties": props, "required": ["version"], "additionalProperties": False}


@dataclass
class RunConfig:
    """A validated run configuration."""

    data: dict[str, Any] = field(default_factory=lambda: {"version": 1})
    doc: Document | None = None

    @overload
    def section(self, name: str) -> dict[str, Any]: ...

    @overload
    def section(self, name: str, shape: type[_Section]) -> _Section: ...

    def section(self, name: str, shape: type[Mapping[str, Any]] | None = None) -> Mapping[str, Any]:
        """A copy of the top-level section ``name`` (empty when absent).

        ``shape``, the section's ``TypedDict``, only types the result: the section was validated
        against the schema its layer registered when the file was loaded.
        """
        value = self.data.get(name) or {}
        return dict(value)

    def apply(self, rules: Iterable[Rule], *, also_known: Callable[[], Iterable[Rule]] | None = None) -> list[Rule]:
        """Rules with this config's overrides applied; raises on unknown ids or params.

        One config serves several commands (``aws scan`` and ``data scan`` each load their own
        pack; ``auditor run`` runs them all), so an override of a rule that is not loaded in this
        run is valid when ``also_known`` (called only then) knows the rule: it is checked against
        that rule's definition and simply does not apply here.
        """
        rules = list(rules)
        overrides: dict[str, RuleOverride] = dict(self.data.get("rules") or {})
        known = {r.id: r for r in rules}
        if also_known is not None and any(rule_id not in known for rule_id in overrides):
            known = {**{r.id: r for r in also_known()}, **known}
        problems = self._override_problems(overrides, known)
        if problems:
            raise ConfigError(problems)
        out = []
        for rule in rules:
            o = overrides.get(rule.id, {})
            out.append(rule.with_overrides(o.get("params"), o.get("severity"), o.get("enabled")) if o else rule)
        return out

    def _override_problems(self, overrides: dict[str, RuleOverride], known: dict[str, Rule]) -> list[Problem]:
        problems: list[Problem] = []
        doc = self.doc or Document("<config>", self.data)
        for rule_id, o in overrides.items():
            if rule_id not in known:
                problems.append(doc.problem(("rules", rule_id), f"unknown rule '{rule_id}'",
                                            did_you_mean(rule_id, list(known)), key=True))
                continue
            rule = known[rule_id]
            for name, value in (o.get("params") or {}).items():
                where = ("rules", rule_id, "params", name)
                if name not in rule.params:
                    problems.append(doc.problem(where, f"rule '{rule_id}' has no param '{name}'",
                                                did_you_mean(name, list(rule.params)), key=True))
                elif not _same_type(rule.params[name], value):
                    problems.append(doc.problem(where, f"expected {type(rule.params[name]).__name__} like the default "
                                                f"{rule.params[name]!r}, got {value!r}"))
        return problems


def _same_type(default: Any, value: Any) -> bool:
    number = (int, float)
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, number):
        return isinstance(value, number)
    if default is None:
        return True
    return isinstance(value, type(default))


def load_config(path: str | Path | None) -> RunConfig:
    """Load and validate a run config; ``None`` gives the defaults."""
    if path is None:
        return RunConfig()
    doc, problems = read_yaml(path)
    if doc.data is not None:
        problems += validate(doc, config_schema())
    if problems:
        raise ConfigError(problems)
    return RunConfig(dict(doc.data), doc)
