"""Which rules a findings document's run evaluated: the catalogue, or a fallback for older documents.

A control with no finding means one of three things, and a report must say
which: the rule ran and found nothing in scope (a pass: an account without
server certificates has no expired one), the rule did not run here (an AWS
control in a data-only report), or no rule checks the control at all.

Documents written by this version carry the run's rule catalogue
(``attachments.rules``, see ``auditor.catalogue``): those rules ran; a shipped
rule it does not list did not run here (an AWS rule in a data scan's report).
Older documents do not carry it:
the shipped rules say which rules map to a control, but only a rule with a
finding is known to have run, so a mapped control without findings is "not
evaluated: no finding", never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from auditor.catalogue import catalogue
from auditor.compliance.mapping import apply_mappings, control_index, load_frameworks
from auditor.core.documents import FindingsDocument
from auditor.core.errors import ConfigError
from auditor.core.loader import load_rules
from auditor.plugins import load_plugins
from auditor.shipped import rules_dir


@dataclass
class Coverage:
    """Rule id -> catalogue entry, and the ids of the rules that ran (enabled, in this run)."""

    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    ran: set[str] = field(default_factory=set)
    from_catalogue: bool = True

    def rules_of(self, framework: str) -> dict[str, list[str]]:
        """control id -> ids of the rules that map to it in ``framework``."""
        out: dict[str, list[str]] = {}
        for rid, entry in sorted(self.rules.items()):
            for cid in (entry.get("compliance") or {}).get(framework, []):
                out.setdefault(str(cid), []).append(rid)
        return out


def coverage(doc: FindingsDocument) -> Coverage:
    """The rules ``doc``'s run evaluated (see the module docstring)."""
    with_findings = {f["rule_id"] for f in doc["findings"]}
    listed = (doc.get("attachments") or {}).get("rules")
    entries = {str(e["id"]): e for e in listed if isinstance(e, dict) and "id" in e} if isinstance(listed, list) else {}
    if entries:
        ran = {rid for rid, e in entries.items() if e.get("enabled", True)} | with_findings
        # The shipped rules this run did not load still map controls: "not in this run", not "no rule".
        return Coverage({**_shipped_catalogue(), **entries}, ran)
    # Without the run's own list, a rule without findings may have found nothing in scope or not
    # have run at all: never guessed to be a pass (fail closed), only which rules exist is known.
    return Coverage(dict(_shipped_catalogue()), with_findings, from_catalogue=False)


@cache
def _shipped_catalogue() -> dict[str, dict[str, Any]]:
    """The shipped rules as catalogue entries (empty when they cannot be loaded)."""
    try:
        load_plugins()
        frameworks = load_frameworks()
        rules = apply_mappings(load_rules([rules_dir()], control_index(frameworks)), frameworks)
    except (ConfigError, RuntimeError):
        return {}
    return {e["id"]: e for e in catalogue(rules)}
