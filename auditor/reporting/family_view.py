"""One control table per framework family, one row per control, a column per version.

The controls of the primary (newest) version come first, in its file order.
A control of an older version sits on the row of the primary control that
shares one of its rules (CIS v6.0 ``2.4`` and v5.0 ``1.4`` are both checked by
``iam-root-mfa-enabled``); a manual control without rules pairs by identical
title. An older version's control that pairs with nothing gets a row of its
own at the end (blank in the primary column).

A row shows the primary version's status; when an older version's status
differs (a control mapped to more rules in one version) the row says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.compliance.families import Family
from auditor.reporting.controls import ControlStatus
from auditor.reporting.verdict import Verdict


@dataclass
class FamilyRow:
    ids: list[list[str]]  # per member (family order): the control ids on this row
    status: ControlStatus  # the primary version's, or the first member's that has the control
    differing: list[tuple[str, str]] = field(default_factory=list)  # (version, label) where the status differs


@dataclass
class FamilyView:
    family: Family
    verdicts: list[Verdict]
    rows: list[FamilyRow]

    @property
    def primary(self) -> Verdict:
        return self.verdicts[0]

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.status.kind == kind)

    def failing(self) -> list[FamilyRow]:
        """The failing rows in the primary verdict's order (worst severity first)."""
        order = {c.id: i for i, c in enumerate(self.primary.failing)}
        rows = [r for r in self.rows if r.status.kind == "fail" and r.status.framework == self.primary.framework]
        return sorted(rows, key=lambda r: order.get(r.status.id, len(order)))

    def other_ids(self, row: FamilyRow) -> list[tuple[str, str]]:
        """(version, ids) of the older versions on ``row``, e.g. ``[("5.0", "1.4")]``."""
        return [(self.family.versions[i], ", ".join(ids)) for i, ids in enumerate(row.ids) if i and ids]

    @property
    def owners(self) -> list[tuple[str, int]]:
        """(owner, failing controls) over the primary version's failing controls; "" is unassigned."""
        counts: dict[str, int] = {}
        for c in self.primary.failing:
            for owner in (c.owner.split(", ") if c.owner else [""]):
                counts[owner] = counts.get(owner, 0) + 1
        return sorted(counts.items(), key=lambda kv: (kv[0] == "", -kv[1], kv[0]))

    @property
    def oldest(self) -> tuple[str, int | None]:
        """(first seen, days open) of the longest-open failing control of the primary version."""
        open_ = [c for c in self.primary.failing if c.first_seen]
        if not open_:
            return "", None
        c = min(open_, key=lambda c: c.first_seen)
        return c.first_seen[:10], max((x.days_open or 0) for x in open_)


def _rules(s: ControlStatus) -> set[str]:
    return {r["rule_id"] for r in s.rules}


def family_view(family: Family, verdicts: list[Verdict], statuses: dict[str, list[ControlStatus]]) -> FamilyView:
    """The merged control table of ``family`` (see the module docstring)."""
    members = family.members
    primary = statuses.get(members[0], [])
    rows = [FamilyRow([[s.id]] + [[] for _ in members[1:]], s) for s in primary]
    for m_index, member in enumerate(members[1:], start=1):
        version = family.versions[m_index]
        by_rule: dict[str, list[int]] = {}
        by_title: dict[str, int] = {}
        for i, row in enumerate(rows[:len(primary)]):
            for r in _rules(row.status):
                by_rule.setdefault(r, []).append(i)
            by_title.setdefault(row.status.title.strip().lower(), i)
        for s in statuses.get(member, []):
            targets = sorted({i for r in _rules(s) for i in by_rule.get(r, [])})
            if not targets and s.title.strip().lower() in by_title:
                targets = [by_title[s.title.strip().lower()]]
            if not targets:
                row = FamilyRow([[] for _ in members], s)
                row.ids[m_index].append(s.id)
                rows.append(row)
                continue
            for i in targets:
                row = rows[i]
                row.ids[m_index].append(s.id)
                if s.label != row.status.label and (version, s.label) not in row.differing:
                    row.differing.append((version, s.label))
    return FamilyView(family, verdicts, rows)
