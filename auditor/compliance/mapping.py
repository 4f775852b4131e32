"""Compliance frameworks as data: one generic model for CIS, our baseline, or yours.

A framework file (``auditor/compliance/frameworks/*.yml``, or your own with
``--frameworks DIR``)::

    id: cis-aws-6.0
    title: CIS Amazon Web Services Foundations Benchmark
    version: "6.0.0"
    controls:
      - id: "4.6"
        title: Rotation is enabled for customer-created symmetric KMS keys
        section: Logging
        automated: true
        rules: [kms-cmk-rotation-enabled]   # optional: map existing rules here

Rules usually map themselves (``compliance: {cis-aws-6.0: ["4.6"]}``); a
framework file may also name rules under a control, which lets an organisation
map the shipped rules to its own control set without editing them. The
effective mapping is the union of both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.core.errors import ConfigError, Problem
from auditor.core.registry import did_you_mean
from auditor.core.rules import Rule
from auditor.core.validation import validate
from auditor.core.yamlio import read_yaml

BUILTIN_DIR = Path(__file__).parent / "frameworks"

FRAMEWORK_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "auditor compliance framework",
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z0-9]+([.-][a-z0-9]+)*$"},
        "title": {"type": "string"},
        "version": {"type": "string"},
        "scope": {"type": "string"},
        "url": {"type": "string"},
        "controls": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "title": {"type": "string"},
                    "section": {"type": "string"},
                    "automated": {"type": "boolean"},
                    "description": {"type": "string"},
                    "rules": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["id", "title"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["id", "title", "controls"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    section: str = ""
    automated: bool = True
    description: str = ""
    rules: tuple[str, ...] = ()


@dataclass
class Framework:
    id: str
    title: str
    version: str = ""
    scope: str = ""
    controls: list[Control] = field(default_factory=list)
    source: str = ""

    def control_ids(self) -> list[str]:
        return [c.id for c in self.controls]

    def control(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)


def load_frameworks(dirs: Iterable[str | Path] = ()) -> dict[str, Framework]:
    """Built-in frameworks plus those in ``dirs``; raises ``ConfigError`` on any problem."""
    files = sorted(BUILTIN_DIR.glob("*.yml"))
    for d in dirs:
        p = Path(d)
        files += sorted(p.glob("*.yml")) if p.is_dir() else [p]
    out: dict[str, Framework] = {}
    problems: list[Problem] = []
    for path in files:
        doc, errs = read_yaml(path)
        if doc.data is not None:
            errs += validate(doc, FRAMEWORK_SCHEMA)
        if errs:
            problems += errs
            continue
        data = doc.data
        if data["id"] in out:
            problems.append(doc.problem(("id",), f"duplicate framework id '{data['id']}' (also in {out[data['id']].source})"))
            continue
        seen: set[str] = set()
        controls = []
        for i, c in enumerate(data["controls"]):
            if c["id"] in seen:
                problems.append(doc.problem(("controls", i, "id"), f"duplicate control id '{c['id']}'"))
            seen.add(c["id"])
            controls.append(Control(c["id"], c["title"], c.get("section", ""), c.get("automated", True),
                                    c.get("description", ""), tuple(c.get("rules", []))))
        out[data["id"]] = Framework(data["id"], data["title"], str(data.get("version", "")),
                                    data.get("scope", ""), controls, str(path))
    if problems:
        raise ConfigError(problems)
    return out


def control_index(frameworks: dict[str, Framework]) -> dict[str, list[str]]:
    """framework id -> control ids (what the rule loader validates against)."""
    return {fw.id: fw.control_ids() for fw in frameworks.values()}


def unknown_rule_references(frameworks: dict[str, Framework], rule_ids: Iterable[str]) -> list[str]:
    """Framework mappings that name a rule that does not exist, as messages."""
    known = set(rule_ids)
    out = []
    for fw in frameworks.values():
        for c in fw.controls:
            for r in c.rules:
                if r not in known:
                    hint = did_you_mean(r, known)
                    out.append(f"{fw.source}: control {c.id} names unknown rule '{r}'" + (f" ({hint})" if hint else ""))
    return out


def apply_mappings(rules: Iterable[Rule], frameworks: dict[str, Framework]) -> list[Rule]:
    """Rules with the framework files' rule lists merged into their compliance."""
    extra: dict[str, dict[str, set[str]]] = {}
    for fw in frameworks.values():
        for c in fw.controls:
            for r in c.rules:
                extra.setdefault(r, {}).setdefault(fw.id, set()).add(c.id)
    out = []
    for rule in rules:
        add = extra.get(rule.id)
        if not add:
            out.append(rule)
            continue
        merged = {fw_id: set(ids) for fw_id, ids in rule.compliance.items()}
        for fw_id, ids in add.items():
            merged.setdefault(fw_id, set()).update(ids)
        out.append(replace(rule, compliance={fw_id: sorted(ids, key=_control_sort) for fw_id, ids in merged.items()}))
    return out


def _control_sort(control_id: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in control_id.replace("-", ".").split("."))


def check_rule_references(frameworks: dict[str, Framework], rule_ids: Iterable[str]) -> None:
    """Raise ``ConfigError`` when a framework file maps an unknown rule."""
    msgs = unknown_rule_references(frameworks, rule_ids)
    if msgs:
        raise ConfigError([Problem(m.split(":", 1)[0], 0, 0, "", m.split(": ", 1)[1]) for m in msgs])
