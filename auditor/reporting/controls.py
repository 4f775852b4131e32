"""The status of each control of each framework: one definition for HTML, JSON, CSV and print.

A control's status comes from the findings mapped to it, and, when there are
none, from whether a rule checks it (``auditor.reporting.coverage``):

=========================  ===================================================
``fail``                   a mapped finding is FAIL
``error: <API call>``      none failed, one could not be evaluated; the label
                           names the failed call(s), e.g.
                           ``error: GetBucketPolicy (AccessDenied)``
``pass``                   every mapped finding is PASS or MUTED (an accepted,
                           unexpired exception)
``pass (no resources       a rule checks the control and ran, but no resource
in scope)``                was in its scope (no certificates: none expired)
``manual``                 a manual control, no rule: attest it by hand
``not evaluated: no        an automated control that no rule checks
rule``
``not evaluated: not in    its rules exist but did not run in this report
this run``                 (an AWS control in a data-only report)
``not evaluated: rule      its rules were disabled by the run config (SKIPPED)
disabled``
``not evaluated: no        a document without its run's rule list
finding``                  (``auditor.reporting.coverage``): nothing shows
                           whether the mapped rules ran
=========================  ===================================================

``kind`` is the first word (``pass``, ``no-resources``, ``fail``, ``error``,
``manual``, ``not-evaluated``); ``label`` is the text every output shows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.core.documents import FindingDict
from auditor.core.rules import SEVERITIES, severity_rank
from auditor.ownership import OwnerMap
from auditor.reporting.coverage import Coverage

KINDS = ("fail", "error", "not-evaluated", "manual", "pass", "no-resources")
KIND_LABEL = {"pass": "pass", "no-resources": "pass (no resources in scope)", "fail": "fail", "error": "error",
              "manual": "manual", "not-evaluated": "not evaluated"}
FAILING_SHOWN = 5
# "GetBucketPolicy: AccessDenied" or "ListAnalyzers: NotImplemented" inside an ERROR message.
_API_CALL = re.compile(r"\b([A-Z][A-Za-z0-9]+)(?:\s*\(|:\s*)([A-Z][A-Za-z0-9.]*)\)?")


@dataclass
class ControlStatus:
    """One control of one framework, as every report shows it."""

    framework: str
    id: str
    title: str
    section: str = ""
    automated: bool = True
    kind: str = "not-evaluated"
    label: str = "not evaluated: no rule"
    rules: list[dict[str, Any]] = field(default_factory=list)  # {rule_id, title, counts}
    failing_resources: list[str] = field(default_factory=list)
    failing_total: int = 0
    worst: str = ""  # worst severity of a FAIL finding
    muted: int = 0
    owner: str = ""
    first_seen: str = ""
    days_open: int | None = None
    overdue: int = 0  # FAIL findings past their SLA

    @property
    def failing_more(self) -> int:
        return max(self.failing_total - len(self.failing_resources), 0)

    @property
    def status(self) -> str:
        """The label's first word in upper case (``FAIL``, ``PASS``...), for badges."""
        return {"no-resources": "PASS", "not-evaluated": "NOT EVALUATED"}.get(self.kind, self.kind.upper())


def error_label(messages: Iterable[str]) -> str:
    """``error: <API call (code)>`` from ERROR messages, the calls named once each.

    >>> error_label(["b: could not evaluate: GetBucketPolicy: AccessDenied"] * 2)
    'error: GetBucketPolicy (AccessDenied)'
    >>> error_label(["x: could not evaluate: TypeError: bad value"])
    'error: could not evaluate'
    """
    calls: list[str] = []
    for m in messages:
        reason = m.split("could not ", 1)[-1]
        for op, code in _API_CALL.findall(reason):
            if op.endswith("Error") or op in ("TypeError", "ValueError", "KeyError"):
                continue
            text = f"{op} ({code})"
            if text not in calls:
                calls.append(text)
    if not calls:
        return "error: could not evaluate"
    return "error: " + ", ".join(calls[:2]) + (f" and {len(calls) - 2} more" if len(calls) > 2 else "")


@dataclass
class _Acc:
    """What the findings of a control (or of one rule's findings with one mapping) add up to."""

    statuses: Counter[str] = field(default_factory=Counter)
    per_rule: dict[str, Counter[str]] = field(default_factory=dict)
    failing: list[str] = field(default_factory=list)  # the first FAILING_SHOWN failing resources
    failing_total: int = 0
    worst: int = -1
    errors: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    first_seen: str = ""
    days_open: int | None = None
    overdue: int = 0

    def add(self, f: FindingDict) -> None:
        st = f["status"]
        self.statuses[st] += 1
        if st == "FAIL":
            self.failing_total += 1
            if len(self.failing) < FAILING_SHOWN:
                self.failing.append(f["resource_id"])
            self.worst = max(self.worst, severity_rank(f["severity"]))
            owner = f.get("owner") or ""
            if owner and owner not in self.owners:
                self.owners.append(owner)
            seen = f.get("first_seen") or ""
            if seen and (not self.first_seen or seen < self.first_seen):
                self.first_seen = seen
            days = f.get("days_open")
            if isinstance(days, int) and (self.days_open is None or days > self.days_open):
                self.days_open = days
            self.overdue += f.get("overdue") is True
        elif st == "ERROR" and len(self.errors) < 50:
            self.errors.append(f["message"])

    def merge(self, rule_id: str, o: _Acc) -> None:
        """Add ``o`` (the findings of ``rule_id`` with one mapping) to this control's total."""
        self.statuses.update(o.statuses)
        self.per_rule.setdefault(rule_id, Counter()).update(o.statuses)
        self.failing += o.failing[:FAILING_SHOWN - len(self.failing)]
        self.failing_total += o.failing_total
        self.worst = max(self.worst, o.worst)
        self.errors += o.errors[:50 - len(self.errors)]
        self.owners += [x for x in o.owners if x not in self.owners]
        if o.first_seen and (not self.first_seen or o.first_seen < self.first_seen):
            self.first_seen = o.first_seen
        if o.days_open is not None and (self.days_open is None or o.days_open > self.days_open):
            self.days_open = o.days_open
        self.overdue += o.overdue


def _kind_and_label(acc: _Acc | None, automated: bool, mapped: list[str], cov: Coverage) -> tuple[str, str]:
    s = acc.statuses if acc else Counter()
    if s["FAIL"]:
        return "fail", "fail"
    if s["ERROR"]:
        return "error", error_label(acc.errors if acc else [])
    if s["PASS"] or s["MUTED"]:
        return "pass", "pass"
    if s["SKIPPED"]:
        return "not-evaluated", "not evaluated: rule disabled"
    if mapped and any(r in cov.ran for r in mapped):
        return "no-resources", KIND_LABEL["no-resources"]
    if not automated:
        return "manual", "manual"
    if mapped:
        return "not-evaluated", "not evaluated: not in this run" if cov.from_catalogue else "not evaluated: no finding"
    return "not-evaluated", "not evaluated: no rule"


@dataclass(frozen=True)
class _Control:
    """A control as the framework file lists it (or as only a finding names it)."""

    id: str
    title: str
    section: str = ""
    automated: bool = True


def control_statuses(findings: list[FindingDict], fw_ids: Iterable[str], frameworks: Mapping[str, Any],
                     cov: Coverage, owners: OwnerMap | None = None,
                     titles: Mapping[str, str] | None = None) -> dict[str, list[ControlStatus]]:
    """framework id -> the status of each of its controls (file order, then ids only findings name).

    ``frameworks`` maps id -> ``auditor.compliance.mapping.Framework`` (a framework
    not in it is shown with the controls its findings name); ``titles`` maps rule
    id -> title for the per-control rule list.
    """
    wanted = list(dict.fromkeys(fw_ids))
    accs = _per_control(_per_rule_and_mapping(findings), wanted)
    out: dict[str, list[ControlStatus]] = {}
    for fw_id in wanted:
        mapped_rules = cov.rules_of(fw_id)
        rows = []
        for control in _controls(frameworks.get(fw_id), accs[fw_id]):
            # A control no finding maps to adds up to nothing: an empty accumulator says so.
            acc = accs[fw_id].get(control.id) or _Acc()
            mapped = sorted(set(mapped_rules.get(control.id, [])) | set(acc.per_rule))
            rows.append(_status(fw_id, control, acc, mapped, cov, owners, titles or {}))
        out[fw_id] = rows
    return out


def _per_rule_and_mapping(findings: list[FindingDict]) -> dict[str, list[tuple[Mapping[str, Any], _Acc]]]:
    """rule id -> one accumulator per distinct compliance mapping among its findings.

    One pass, one accumulator per rule and mapping (the findings of a rule share theirs), then
    each accumulator is added to the controls it maps: 50,000 findings, a few hundred merges.
    """
    by_rule: dict[str, list[tuple[Mapping[str, Any], _Acc]]] = {}
    for f in findings:
        comp = f["compliance"]
        slots = by_rule.setdefault(f["rule_id"], [])
        found = next((a for mapping, a in slots if mapping == comp), None)
        if found is None:
            found = _Acc()
            slots.append((comp, found))
        found.add(f)
    return by_rule


def _per_control(by_rule: dict[str, list[tuple[Mapping[str, Any], _Acc]]],
                 wanted: list[str]) -> dict[str, dict[str, _Acc]]:
    """framework id -> control id -> what its findings add up to (for the ``wanted`` frameworks)."""
    accs: dict[str, dict[str, _Acc]] = {fw: {} for fw in wanted}
    for rule_id, slots in by_rule.items():
        for mapping, rule_acc in slots:
            for fw_name, ids in mapping.items():
                if fw_name not in accs:
                    continue  # a framework this report does not show
                for cid in ids:
                    accs[fw_name].setdefault(cid, _Acc()).merge(rule_id, rule_acc)
    return accs


def _controls(fw: Any, accs: Mapping[str, _Acc]) -> list[_Control]:
    """The framework file's controls in order, then the ids only findings name, sorted."""
    controls = [_Control(c.id, c.title, c.section, c.automated) for c in (fw.controls if fw else [])]
    listed = {c.id for c in controls}
    return controls + [_Control(cid, "(not in the framework file)") for cid in sorted(accs) if cid not in listed]


def _status(fw_id: str, control: _Control, acc: _Acc, mapped: list[str], cov: Coverage, owners: OwnerMap | None,
            titles: Mapping[str, str]) -> ControlStatus:
    """One control's row: its kind and label, the rules that check it and what they found."""
    kind, label = _kind_and_label(acc, control.automated, mapped, cov)
    # The ownership file names a control's owner; without it, the owners of its failing findings.
    owner = (owners.for_control(fw_id, control.id) if owners else "") or ", ".join(acc.owners[:3])
    return ControlStatus(
        fw_id, control.id, control.title, control.section, control.automated, kind, label,
        rules=[{"rule_id": r, "title": titles.get(r) or str(cov.rules.get(r, {}).get("title", r)),
                "counts": dict(acc.per_rule.get(r, Counter())), "ran": r in cov.ran} for r in mapped],
        failing_resources=acc.failing[:FAILING_SHOWN], failing_total=acc.failing_total,
        worst=SEVERITIES[acc.worst] if acc.worst >= 0 else "", muted=acc.statuses["MUTED"], owner=owner,
        first_seen=acc.first_seen, days_open=acc.days_open, overdue=acc.overdue)
