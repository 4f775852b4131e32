"""Run orchestration shared by every command: prepare (validate everything),
evaluate an inventory, write the canonical findings document.

Configuration is validated in full *before* any collection starts, so a typo
in a rule, the mutelist or the config never costs an AWS call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.catalogue import catalogue, with_rendered_titles
from auditor.compliance.mapping import Framework, apply_mappings, control_index, load_frameworks
from auditor.core.context import RunContext
from auditor.core.documents import FindingsDocument
from auditor.core.errors import ConfigError, Problem, UsageError
from auditor.core.findings import Finding, RunInfo, document
from auditor.core.loader import load_rules
from auditor.core.mutes import Mutelist, MutelistSection, load_mutelist
from auditor.core.registry import did_you_mean
from auditor.core.rule_engine import Engine
from auditor.core.rules import Rule
from auditor.core.run_config import RunConfig, load_config
from auditor.ownership import tag_owner
from auditor.plugins import load_plugins
from auditor.report_config import ReportSettings, report_settings
from auditor.shipped import rules_dir

DEFAULT_RULES = rules_dir()


def default_rule_paths(*packs: str) -> list[Path]:
    """The shipped rule packs (``rules/aws``, ``rules/data``...) that exist."""
    return [DEFAULT_RULES / p for p in packs if (DEFAULT_RULES / p).is_dir()]


@dataclass
class Prepared:
    """Everything validated, ready to evaluate."""

    rules: list[Rule]
    frameworks: dict[str, Framework]
    config: RunConfig
    mutelist: Mutelist | None = None
    warnings: list[str] = field(default_factory=list)
    report: ReportSettings = field(default_factory=ReportSettings)


def prepare(rule_paths: Sequence[str | Path], *, mutelist: str | Path | None = None,
            config: str | Path | None = None, framework_dirs: Iterable[str | Path] = (),
            framework: str | None = None, resource_prefix: str | None = None,
            today: datetime | None = None) -> Prepared:
    """Validate rules, frameworks, config and mutelist; raise one ``ConfigError`` with all problems."""
    load_plugins()
    problems: list[Problem] = []
    frameworks: dict[str, Framework] = {}
    rules: list[Rule] = []
    run_config = RunConfig()
    mutes: Mutelist | None = None
    settings = ReportSettings()
    try:
        frameworks = load_frameworks(framework_dirs)
    except ConfigError as exc:
        problems += exc.problems
    try:
        rules = apply_mappings(load_rules(rule_paths, control_index(frameworks)), frameworks)
    except ConfigError as exc:
        problems += exc.problems
    try:
        run_config = load_config(config)
        if rules:
            rules = with_rendered_titles(run_config.apply(rules, also_known=lambda: _shipped_rules(frameworks)))
        settings = report_settings(run_config)  # the ownership file is checked before anything runs too
    except ConfigError as exc:
        problems += exc.problems
    if mutelist is not None:
        try:
            mutes = load_mutelist(mutelist, today=(today or datetime.now()).date(),
                                  max_days=run_config.section("mutelist", MutelistSection).get("max_days"))
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
    if framework is not None:
        if framework not in frameworks:
            hint = did_you_mean(framework, list(frameworks))
            raise UsageError(f"unknown framework '{framework}'" + (f" ({hint})" if hint else "")
                             + f"; known: {', '.join(sorted(frameworks))}")
        rules = [r for r in rules if framework in r.compliance]
    if resource_prefix is not None:
        rules = [r for r in rules if r.resource.startswith(resource_prefix)]
    warnings = []
    if mutes is not None:
        warnings += mutes.warnings
        day = (today or datetime.now()).date()
        for e in mutes.expired(day):
            warnings.append(f"{e.source}: mute of {e.rule} on {e.resource} expired {e.expires.isoformat()} and no longer mutes")
    return Prepared(rules, frameworks, run_config, mutes, warnings, settings)


def _shipped_rules(frameworks: dict[str, Framework]) -> list[Rule]:
    """Every shipped rule: a run config may override rules of packs this run does not load."""
    try:
        return load_rules([DEFAULT_RULES], control_index(frameworks))
    except ConfigError:  # reported by the run that loads the broken pack, not blamed on the config
        return []


def evaluate(prepared: Prepared, inventory: Any, context: RunContext, *, kind: str,
             started_at: datetime, account: str = "", regions: Sequence[str] = (),
             extra_findings: Iterable[Finding] = (), warnings: Iterable[str] = (),
             attachments: dict[str, Any] | None = None) -> FindingsDocument:
    """Run the engine and build the findings document.

    ``attachments`` (optional) carries report context that is not a finding:
    ``datasets`` (PII inventory, quality results), ``pipelines`` (lineage,
    metrics), ``aws`` (scan statistics). Never raw PII.
    """
    findings = Engine(prepared.rules, prepared.mutelist, context).run(inventory)
    findings += list(extra_findings)
    _assign_owners(findings, inventory, prepared.report)
    run = RunInfo(id=context.run_id, started_at=_iso(started_at), finished_at=_iso(context.now()),
                  tool_version=__version__, kind=kind, account=account, regions=sorted(regions),
                  warnings=[*prepared.warnings, *warnings])
    doc = document(run, findings, control_index(prepared.frameworks))
    # What was checked and what was accepted travel with the findings: reports tell "no resources
    # in scope" from "no rule", and list every mute (expired ones too) in the exceptions register.
    context_parts: dict[str, Any] = {"rules": catalogue(prepared.rules)}
    if prepared.mutelist is not None:
        context_parts["mutes"] = [e.as_dict() | {"rule": e.rule, "resource": e.resource}
                                  for e in prepared.mutelist.entries]
    pii = _pii_columns(inventory)
    if pii:
        context_parts["pii_columns"] = pii
    doc["attachments"] = {**context_parts, **(attachments or {})}
    return doc


def _pii_columns(inventory: Any) -> list[dict[str, Any]]:
    """Where PII is and whether it is masked, per column (no values): the report's PII-by-zone matrix."""
    out = []
    for res in getattr(inventory, "resources", {}).get("dataset.column", []):
        a = res.attrs if isinstance(res.attrs, dict) else {}
        if a.get("pii") is True:
            entities = sorted({str(e) for e in [a.get("entity"), *(a.get("entity_counts") or {})] if e})
            out.append({"dataset": str(a.get("path", res.id.partition("#")[0])), "column": str(a.get("column", "")),
                        "entities": entities, "masked": bool(a.get("masked")),
                        **({"operator": str(a["mask_operator"])} if a.get("mask_operator") else {})})
    return out


def _assign_owners(findings: list[Finding], inventory: Any, settings: ReportSettings) -> None:
    """Each finding's owner: its resource's owner tag (when collected), else the ownership file."""
    tagged: dict[str, str] = {}
    for items in getattr(inventory, "resources", {}).values():
        for res in items:
            owner = tag_owner(res.attrs.get("Tags"), settings.owner_tag) if isinstance(res.attrs, dict) else ""
            if owner:
                tagged[res.id] = owner
    for f in findings:
        f.owner = f.owner or tagged.get(f.resource_id) or settings.owners.for_finding(f.rule_id, f.resource_id)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def check_output_dir(path: str | Path) -> Path:
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UsageError(f"--output-dir {p}: exists and is not a directory")
    return p
