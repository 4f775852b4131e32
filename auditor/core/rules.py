"""The ``Rule`` model: what a rule file entry becomes after validation.

A rule file::

    version: 1
    rules:
      - id: kms-cmk-rotation-enabled
        title: Customer-managed KMS keys rotate automatically
        resource: aws.kms-key
        severity: high
        compliance: {cis-aws-6.0: ["4.6"], cis-aws-5.0: ["3.6"]}
        remediation: {cli: "aws kms enable-key-rotation --key-id <KEY_ID>"}
        risk: Without rotation a leaked key decrypts everything it ever protected.
        references: ["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"]
        params: {}
        where:
          - {key: KeyManager, op: eq, value: CUSTOMER}
        assert:
          - {key: KeyRotationEnabled, op: eq, value: true}

``where`` selects the in-scope resources; every in-scope resource gets exactly
one finding, decided by ``assert``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.core.filters import Filter
from auditor.core.paths import MISSING, resolve

SEVERITIES = ("info", "low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    """0 for info ... 4 for critical."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Remediation:
    """How to fix a failure: a CLI command, prose, a link, a policy template."""

    text: str = ""
    cli: str = ""
    url: str = ""
    template: str = ""

    def render(self) -> str:
        parts = [self.text]
        if self.cli:
            parts.append(f"Run: {self.cli}")
        if self.template:
            parts.append(f"Template: policy_templates/{self.template}")
        if self.url:
            parts.append(f"See: {self.url}")
        return " ".join(p for p in parts if p)


@dataclass
class Rule:
    """A validated rule, ready for the engine."""

    id: str
    title: str
    resource: str
    severity: str
    assert_: list[Filter]
    where: list[Filter] = field(default_factory=list)
    compliance: dict[str, list[str]] = field(default_factory=dict)
    remediation: Remediation = field(default_factory=Remediation)
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    message: str = ""
    enabled: bool = True
    source: str = ""
    risk: str = ""  # why a failure matters, in one or two sentences (shown in reports)
    references: list[str] = field(default_factory=list)  # documentation URLs (AWS docs, CIS)

    def with_overrides(self, params: dict[str, Any] | None = None, severity: str | None = None,
                       enabled: bool | None = None) -> Rule:
        """A copy with run-config overrides applied."""
        return replace(
            self,
            params={**self.params, **(params or {})},
            severity=severity or self.severity,
            enabled=self.enabled if enabled is None else enabled,
        )

    def where_roots(self) -> set[str]:
        """Top-level attributes the rule's ``where`` (its scope) reads."""
        return set().union(*(f.root_set() for f in self.where))

    def assert_roots(self) -> set[str]:
        """Top-level attributes the rule's ``assert`` (its verdict) reads."""
        return set().union(*(f.root_set() for f in self.assert_))

    def roots(self) -> set[str]:
        """Top-level attributes the rule reads."""
        out: set[str] = set()
        for f in [*self.where, *self.assert_]:
            out |= f.roots()
        return out


class _Fields(string.Formatter):
    """Format ``{Versioning.Status}`` from resource attributes, safely."""

    def __init__(self, attrs: dict[str, Any], extra: dict[str, Any]) -> None:
        self.attrs, self.extra = attrs, extra

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        if field_name in self.extra:
            return self.extra[field_name], field_name
        if field_name.startswith("params."):
            return self.extra.get("params", {}).get(field_name[7:], "?"), field_name
        value = resolve(self.attrs, field_name)
        return ("?" if value is MISSING else value), field_name


def render_message(template: str, attrs: dict[str, Any], extra: dict[str, Any]) -> str:
    """Render a rule's ``message`` template; unknown fields print as ``?``."""
    try:
        return _Fields(attrs, extra).format(template)
    except (ValueError, IndexError):
        return template
