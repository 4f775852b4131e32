"""The explorer's data: every finding as one compact, interned row, rendered a page at a time in the page.

A JSON island in the HTML (``<script type="application/json">``), read by
``report.js``. Strings that repeat (rules, regions, owners) are interned; PASS
rows carry no message (the rule title says it); details stay in
``findings.json``. This keeps 50,000 findings well under the report's 10 MB.
"""

from __future__ import annotations

from typing import Any

from auditor.core.documents import FindingDict
from auditor.core.rules import SEVERITIES
from auditor.reporting.diff import Key, finding_key
from auditor.reporting.rule_groups import RuleGroup, short

STATUSES = ("FAIL", "ERROR", "MUTED", "PASS", "SKIPPED")
SEVERITY_ORDER = tuple(reversed(SEVERITIES))
MESSAGE_MAX = 240


def explorer(findings: list[FindingDict], groups: list[RuleGroup], new_keys: set[Key],
             fw_ids: list[str]) -> dict[str, Any]:
    """Columnar, interned table for the client-side explorer.

    rows: [rule index, status index, severity index, resource id, region index, message, new (0/1),
    owner index (0: none), days open (-1: not open), overdue (0/1)].
    """
    rule_idx = {g.rule_id: i for i, g in enumerate(groups)}
    status_idx = {s: i for i, s in enumerate(STATUSES)}
    severity_idx = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    pass_idx = status_idx["PASS"]
    regions: dict[str, int] = {}
    owners: dict[str, int] = {"": 0}
    rows = []
    for f in findings:
        region = regions.setdefault(f["region"], len(regions))
        owner = owners.setdefault(f.get("owner") or "", len(owners))
        status = f["status"]
        if status == "PASS":  # no message, never new, never open
            rows.append([rule_idx[f["rule_id"]], pass_idx, severity_idx[f["severity"]], f["resource_id"], region, "",
                         0, owner, -1, 0])
            continue
        days = f.get("days_open")
        rows.append([rule_idx[f["rule_id"]], status_idx[status], severity_idx[f["severity"]], f["resource_id"],
                     region, short(f["message"], MESSAGE_MAX), int(status == "FAIL" and finding_key(f) in new_keys),
                     owner, days if isinstance(days, int) else -1, int(f.get("overdue") is True)])
    return {
        "statuses": list(STATUSES), "severities": list(SEVERITY_ORDER), "frameworks": fw_ids,
        "regions": list(regions), "owners": list(owners),
        "rules": [[g.rule_id, g.title, [fw_ids.index(fw) for fw in g.frameworks if fw in fw_ids]] for g in groups],
        "rows": rows,
    }
