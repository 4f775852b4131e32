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

from auditor.core.documents import FindingDict, FindingsDocument, MuteDict
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


def _matches(key: tuple[str, str, str, str], f: FindingDict) -> bool:
    return fnmatch.fnmatchcase(f["rule_id"], key[0]) and fnmatch.fnmatchcase(f["resource_id"], key[1])


_Key = tuple[str, str, str, str]  # (rule, resource, expires, source)
_ATTENTION_ORDER = {"expired": 0, "expiring": 1, "unknown": 2, "active": 3}


def register(doc: FindingsDocument, *, today: date, expiring_days: int = DEFAULT_EXPIRING_DAYS) -> list[ExceptionEntry]:
    """The register for ``doc`` on ``today`` (see the module docstring)."""
    muted = [f for f in doc["findings"] if f["status"] == "MUTED"]
    failing = [f for f in doc["findings"] if f["status"] == "FAIL"]
    raw = _listed_mutes(doc)
    _add_unlisted_mutes(raw, muted)
    out = [_entry(key, m, today, expiring_days, muted, failing) for key, m in raw.items()]
    return sorted(out, key=lambda e: (_ATTENTION_ORDER[e.state], e.days_left if e.days_left is not None else 0,
                                      e.rule, e.resource))


def _listed_mutes(doc: FindingsDocument) -> dict[_Key, dict[str, Any]]:
    """The mutelist entries the run recorded in ``attachments.mutes`` (expired ones included), first one wins."""
    raw: dict[_Key, dict[str, Any]] = {}
    listed = (doc.get("attachments") or {}).get("mutes")
    for m in listed if isinstance(listed, list) else []:
        if isinstance(m, dict) and m.get("rule") and m.get("resource"):
            raw.setdefault((str(m["rule"]), str(m["resource"]), str(m.get("expires", "")), str(m.get("source", ""))), m)
    return raw


def _add_unlisted_mutes(raw: dict[_Key, dict[str, Any]], muted: list[FindingDict]) -> None:
    """A mute the attachment does not list (an older document): the finding's own record."""
    for f in muted:
        own = f.get("mute")
        mute: MuteDict | dict[str, str] = own if isinstance(own, dict) else {}
        expires = str(mute.get("expires", ""))
        if not any(k[2] == expires and _matches(k, f) for k in raw):
            raw[(f["rule_id"], f["resource_id"], expires, str(mute.get("source", "")))] = dict(mute)


def _state(days_left: int | None, expiring_days: int) -> str:
    """expired, expiring (within ``expiring_days``), active, or unknown (no readable expiry)."""
    if days_left is None:
        return "unknown"
    if days_left < 0:
        return "expired"
    return "expiring" if days_left <= expiring_days else "active"


def _entry(key: _Key, m: dict[str, Any], today: date, expiring_days: int, muted: list[FindingDict],
           failing: list[FindingDict]) -> ExceptionEntry:
    """One register entry: its state on ``today``, the findings it mutes, and (expired) those failing again."""
    rule, resource, expires, source = key
    day = _parse(expires)
    left = (day - today).days if day else None
    state = _state(left, expiring_days)
    return ExceptionEntry(rule, resource, str(m.get("reason", "")), str(m.get("owner", "")), expires, source,
                          left, state, sum(1 for f in muted if _matches(key, f)),
                          sum(1 for f in failing if _matches(key, f)) if state == "expired" else 0)


def counts(entries: list[ExceptionEntry]) -> dict[str, int]:
    """Entries by state, for the summary (``{"active": 3, "expiring": 1, "expired": 1}``)."""
    c = Counter(e.state for e in entries)
    return {s: c[s] for s in ("active", "expiring", "expired")}
