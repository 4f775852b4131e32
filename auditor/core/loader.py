"""Load rule files in three stages, failing closed.

1. YAML structure with line marks (syntax errors, duplicate keys);
2. the JSON Schema generated from the registries;
3. semantic checks: attribute names per resource type, params, regexes,
   compliance control ids, rule ids unique across all files.

Every problem in every file is collected and raised at once as a
``ConfigError``; nothing is evaluated unless all files are valid.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from auditor.core import filters as flt
from auditor.core.errors import ConfigError, Problem
from auditor.core.registry import did_you_mean
from auditor.core.resources import resource_types
from auditor.core.rules import Remediation, Rule
from auditor.core.schema import rules_schema
from auditor.core.validation import validate
from auditor.core.yamlio import Document, read_yaml

YAML_SUFFIXES = (".yml", ".yaml")
_RULE_INDEX = re.compile(r"^rules\[(\d+)\]")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, directories expanded to their YAML files (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix in YAML_SUFFIXES and f.is_file()))
        else:
            out.append(p)
    return out


def _is_broken(broken: set[str], field: str) -> bool:
    """Whether the schema found a problem at ``field`` or inside it."""
    return any(b == field or b.startswith(field + ".") or b.startswith(field + "[") for b in broken)


def _semantic(doc: Document, frameworks: Mapping[str, Collection[str]],
              broken: set[str]) -> tuple[list[tuple[int, Rule]], list[Problem]]:
    """Semantic checks; parts with schema problems (``broken`` field paths) are skipped.

    Returns each rule built with its index in the file's ``rules:`` list (rules with
    schema problems are not built, so the indexes are not the list's positions).
    """
    rules: list[tuple[int, Rule]] = []
    problems: list[Problem] = []
    for i, raw in enumerate(doc.data.get("rules", [])):
        if not isinstance(raw, dict):
            continue
        raw_params = raw.get("params")
        params: dict[str, Any] = raw_params if isinstance(raw_params, dict) else {}
        raw_compliance = raw.get("compliance")
        compliance: dict[str, Any] = raw_compliance if isinstance(raw_compliance, dict) else {}
        sections = {section: _filters(doc, i, raw, section, params, broken, problems)
                    for section in ("where", "assert")}
        problems += _control_problems(doc, i, compliance, frameworks, broken)
        problems += _text_param_problems(doc, i, raw, params)
        if not _is_broken(broken, f"rules[{i}]"):
            rules.append((i, _rule(doc, i, raw, sections, compliance, params)))
    return rules, problems


def _filters(doc: Document, i: int, raw: dict[str, Any], section: str, params: dict[str, Any],
             broken: set[str], problems: list[Problem]) -> list[flt.Filter]:
    """The filters of rule ``i``'s ``where:`` or ``assert:``, each checked against its resource type.

    Problems are added to ``problems``; filters the schema found broken are left out.
    """
    items = raw.get(section) or []
    if not isinstance(items, list):
        return []
    rtype_name = str(raw.get("resource"))
    attributes = resource_types.get(rtype_name).attributes if rtype_name in resource_types else {}
    base = ("rules", i)
    built_filters: list[flt.Filter] = []
    for j, item in enumerate(items):
        if _is_broken(broken, f"rules[{i}].{section}[{j}]"):
            continue
        built = flt.build(item)
        built_filters.append(built)
        for issue in flt.check_all([built], (*base, section), params, attributes):
            where = (*base, section, j, *issue.where[4:])
            problems.append(doc.problem(where, issue.message, issue.hint, key=issue.key))
    return built_filters


def _control_problems(doc: Document, i: int, compliance: dict[str, Any], frameworks: Mapping[str, Collection[str]],
                      broken: set[str]) -> list[Problem]:
    """Control ids rule ``i`` maps that its (known) framework does not have."""
    problems = []
    for fw, controls in compliance.items():
        known = frameworks.get(fw)
        if known is None or _is_broken(broken, f"rules[{i}].compliance.{fw}") or not isinstance(controls, list):
            continue
        problems += [doc.problem(("rules", i, "compliance", fw, j), f"unknown control '{control}' in {fw}",
                                 did_you_mean(control, list(known)))
                     for j, control in enumerate(controls) if control not in known]
    return problems


def _text_param_problems(doc: Document, i: int, raw: dict[str, Any], params: dict[str, Any]) -> list[Problem]:
    """``{params.x}`` placeholders in rule ``i``'s message or title that name no declared param."""
    problems = []
    for text_field in ("message", "title"):  # a title may name params too ("... in the last {params.days} days")
        if isinstance(raw.get(text_field), str):
            problems += [doc.problem(("rules", i, text_field), f"unknown param '{name[7:]}' in {text_field}")
                         for name in re.findall(r"{([^{}:!]+)", raw[text_field])
                         if name.startswith("params.") and name[7:] not in params]
    return problems


def _rule(doc: Document, i: int, raw: dict[str, Any], sections: dict[str, list[flt.Filter]],
          compliance: dict[str, Any], params: dict[str, Any]) -> Rule:
    """Rule ``i`` of the file, built from its checked parts; its source is the file and line."""
    line, _ = doc.locate(("rules", i))
    return Rule(
        id=raw["id"], title=raw["title"], resource=raw["resource"], severity=raw["severity"],
        where=sections["where"], assert_=sections["assert"],
        compliance={k: list(v) for k, v in compliance.items()},
        remediation=Remediation(**(raw.get("remediation") or {})), params=dict(params),
        description=raw.get("description", ""), message=raw.get("message", ""),
        enabled=raw.get("enabled", True), source=f"{doc.path}:{line}",
        risk=raw.get("risk", ""), references=list(raw.get("references") or []),
    )


def load_rules(paths: Iterable[str | Path], frameworks: Mapping[str, Collection[str]] | None = None) -> list[Rule]:
    """Load and validate every rule file under ``paths``; raise ``ConfigError`` with all problems.

    ``frameworks`` maps framework id -> control ids; when given, compliance
    mappings naming another framework or control are errors.
    """
    frameworks = frameworks or {}
    schema = rules_schema(frameworks)
    problems: list[Problem] = []
    rules: list[Rule] = []
    first_seen: dict[str, str] = {}
    files = expand_paths(paths)
    if not files:
        raise ConfigError([Problem(", ".join(map(str, paths)) or ".", 0, 0, "", "no rule files found")])
    for path in files:
        doc, parse_problems = read_yaml(path)
        problems += parse_problems
        if doc.data is None:
            continue  # a syntax error: nothing more can be said about this file
        schema_problems = validate(doc, schema)
        problems += schema_problems
        # Parts with schema errors are not checked further; everything else still
        # is, so one run reports every problem of every rule.
        if any(not _RULE_INDEX.match(p.field) for p in schema_problems):
            continue
        broken = {p.field for p in schema_problems}
        file_rules, semantic_problems = _semantic(doc, frameworks, broken)
        problems += semantic_problems
        for i, rule in file_rules:
            if rule.id in first_seen:
                # On the second definition's own id: ``i`` is its index in the file, not in ``file_rules``.
                problems.append(doc.problem(("rules", i, "id"),
                                            f"duplicate rule id '{rule.id}' (also defined at {first_seen[rule.id]})"))
            else:
                first_seen[rule.id] = rule.source
                rules.append(rule)
    if problems:
        raise ConfigError(problems)
    return sorted(rules, key=lambda r: r.id)
