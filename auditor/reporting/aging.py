"""Since when: first seen, last seen, days open, SLA due date and overdue, per finding.

A finding that is open (FAIL, MUTED or ERROR) carries:

- ``first_seen``: the start of the first run of its current streak. FAIL and
  MUTED are one streak (a muted failure is still a failure); ERROR is its own
  (a check that could not run says nothing about when the failure began). The
  streak comes from the previous findings document (``auditor run`` reads the
  previous kept run, ``auditor report --baseline`` the baseline): the previous
  document's own ``first_seen`` when it has one (so it carries over run after
  run), else its run's start. A finding open in neither starts its streak now.
- ``last_seen``: the start of this run.
- ``days_open``: whole days from ``first_seen`` to ``last_seen``.
- FAIL only: ``due`` = ``first_seen`` + the severity's SLA days
  (``report.sla_days``: critical 7, high 30, medium 90, low 180, info 365 by
  default) and ``overdue`` = ``last_seen`` is after ``due``. A MUTED finding's
  deadline is its mute's expiry (the exceptions register), not the SLA.

PASS and SKIPPED findings carry none of it. Everything is computed from the
documents' own timestamps, never the wall clock, so a report is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from auditor.core.documents import FindingDict, FindingsDocument
from auditor.report_config import DEFAULT_SLA_DAYS
from auditor.reporting.diff import Key, finding_key

STREAK = {"FAIL": "violation", "MUTED": "violation", "ERROR": "error"}
TimeField = Literal["first_seen", "last_seen", "days_open", "due", "overdue"]
TIME_FIELDS: tuple[TimeField, ...] = ("first_seen", "last_seen", "days_open", "due", "overdue")


@lru_cache(maxsize=4096)  # a run has a handful of distinct first-seen instants, and 50,000 findings
def _instant(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _day(ts: str) -> date:
    return _instant(ts).date()


def _earlier(a: str, b: str) -> str:
    """The earlier of two ISO timestamps (compared as instants, whatever their offsets)."""
    if not a or a == b:
        return b
    if not b:
        return a
    return a if _instant(a) <= _instant(b) else b


def open_streaks(previous: FindingsDocument) -> dict[Key, tuple[str, str]]:
    """finding key -> (streak, first seen) for the open findings of ``previous``."""
    started = str(previous["run"]["started_at"])
    out: dict[Key, tuple[str, str]] = {}
    for f in previous["findings"]:
        streak = STREAK.get(f["status"])
        if streak is not None:
            key = finding_key(f)
            seen = str(f.get("first_seen") or started)
            known = out.get(key)
            out[key] = (streak, _earlier(known[1], seen) if known and known[0] == streak else seen)
    return out


def _without_time(f: FindingDict) -> FindingDict:
    """A copy of ``f`` without the time fields (the other keys in their order)."""
    out = f.copy()
    for key in TIME_FIELDS:
        out.pop(key, None)
    return out


def carry_time(doc: FindingsDocument, previous: FindingsDocument | None = None, *,
               sla_days: Mapping[str, int] | None = None) -> FindingsDocument:
    """A copy of ``doc`` whose findings carry the time fields (see the module docstring).

    Without ``previous`` a finding keeps the ``first_seen`` it has (written by an
    earlier run) or starts its streak with this run.
    """
    sla = {**DEFAULT_SLA_DAYS, **(sla_days or {})}
    now = str(doc["run"]["started_at"])
    today = _day(now)
    streaks = open_streaks(previous) if previous is not None else {}
    findings: list[FindingDict] = []
    for f in doc["findings"]:
        streak = STREAK.get(f["status"])
        if streak is None:
            findings.append(f if not any(k in f for k in TIME_FIELDS) else _without_time(f))
            continue
        first = str(f.get("first_seen") or now)
        before = streaks.get(finding_key(f))
        if before is not None and before[0] == streak:
            first = _earlier(first, before[1])
        out = _without_time(f)
        out["first_seen"], out["last_seen"] = first, now
        out["days_open"] = max((today - _day(first)).days, 0)
        if f["status"] == "FAIL":
            due = _day(first) + timedelta(days=int(sla.get(f["severity"], DEFAULT_SLA_DAYS["info"])))
            out["due"], out["overdue"] = due.isoformat(), today > due
        findings.append(out)
    return {**doc, "findings": findings}
