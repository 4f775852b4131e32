"""The exceptions register: every accepted risk (mute), its owner, expiry and days left.

Entries come from the mutelist the run used (``attachments.mutes``, written by
every scan given ``--mutelist``, expired entries included) and from the mutes
recorded on MUTED findings (documents without the attachment). Each entry
says how many findings it mutes now and is classed, on the run's date:

- ``expired``: the expiry has passed; the entry no longer mutes, its findings
  are FAIL again and counted as failures;
- ``expiring``: expires within ``report.expiring_days`` (default 30);
- ``active``: otherwise.

Sorted so what needs attention comes first: expired, then expiring soonest.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.report_config import DEFAULT_EXPIRING_DAYS


@dataclass
class ExceptionEntry:
    rule: str
    resource: str
    reason: str
    owner: str
    expires: str
    source: str
    days_left: int | None
    state: str  # expired | expiring | active | unknown
    muted: int  # findings it mutes in this report
    failing: int  # FAIL findings it matches (an expired entry's, which no longer mutes)


def _parse(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _matches(key: tuple[str, str, str, str], f: dict[str, Any]) -> bool:
    return fnmatch.fnmatchcase(f["rule_id"], key[0]) and fnmatch.fnmatchcase(f["resource_id"], key[1])


def register(doc: dict[str, Any], *, today: date, expiring_days: int = DEFAULT_EXPIRING_DAYS) -> list[ExceptionEntry]:
    """The register for ``doc`` on ``today`` (see the module docstring)."""
    raw: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    listed = (doc.get("attachments") or {}).get("mutes")
    for m in listed if isinstance(listed, list) else []:
        if isinstance(m, dict) and m.get("rule") and m.get("resource"):
            raw.setdefault((str(m["rule"]), str(m["resource"]), str(m.get("expires", "")), str(m.get("source", ""))), m)
    muted = [f for f in doc["findings"] if f["status"] == "MUTED"]
    failing = [f for f in doc["findings"] if f["status"] == "FAIL"]
    for f in muted:  # a mute the attachment does not list (an older document): the finding's own record
        mute = f.get("mute") if isinstance(f.get("mute"), dict) else {}
        expires = str(mute.get("expires", ""))
        if not any(k[2] == expires and _matches(k, f) for k in raw):
            raw[(f["rule_id"], f["resource_id"], expires, str(mute.get("source", "")))] = dict(mute)
    out = []
    for key, m in raw.items():
        rule, resource, expires, source = key
        day = _parse(expires)
        left = (day - today).days if day else None
        state = "unknown" if left is None else "expired" if left < 0 else \
            "expiring" if left <= expiring_days else "active"
        out.append(ExceptionEntry(rule, resource, str(m.get("reason", "")), str(m.get("owner", "")), expires, source,
                                  left, state, sum(1 for f in muted if _matches(key, f)),
                                  sum(1 for f in failing if _matches(key, f)) if state == "expired" else 0))
    order = {"expired": 0, "expiring": 1, "unknown": 2, "active": 3}
    return sorted(out, key=lambda e: (order[e.state], e.days_left if e.days_left is not None else 0, e.rule, e.resource))


def counts(entries: list[ExceptionEntry]) -> dict[str, int]:
    """Entries by state, for the summary (``{"active": 3, "expiring": 1, "expired": 1}``)."""
    c = Counter(e.state for e in entries)
    return {s: c[s] for s in ("active", "expiring", "expired")}
