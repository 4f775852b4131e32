"""Plan items, changes and the comparisons behind them.

An ``Item`` is one thing the baseline converges (a bucket's versioning, a
role's trust policy, an alarm...): how to read it, what it should be, how to
write it. A ``Change`` is what the plan says about it: ``create``, ``update``,
``no-op`` or ``error``, with one line per differing attribute and notes for
what apply cannot do (a human must confirm an email subscription).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final


class _Absent:
    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Final = _Absent()
"""What ``Item.read`` returns when the thing does not exist (yet)."""

Comparator = Callable[[Any, Any], list[str]]


@dataclass
class Item:
    """One converged setting: ``read() -> current | ABSENT``, ``write(current, desired)``."""

    address: str
    desired: Any
    read: Callable[[], Any]
    write: Callable[[Any, Any], None]
    compare: Comparator = field(default=lambda cur, des: subset_diff(cur, des))
    notes: Callable[[Any], list[str]] | None = None


@dataclass
class Change:
    """The plan's verdict on one item."""

    address: str
    action: str                       # create | update | no-op | error
    diffs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return self.action in ("create", "update")

    def lines(self) -> list[str]:
        sign = {"create": "+", "update": "~", "no-op": " ", "error": "!"}[self.action]
        out = [f"{sign} {self.address}" + ("" if self.action == "no-op" else f" ({self.action})")]
        out += [f"    {d}" for d in self.diffs]
        out += [f"    note: {n}" for n in self.notes]
        return out


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 100 else text[:97] + "..."


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return str(a).lower() == str(b).lower()
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return bool(a == b)


def subset_diff(current: Any, desired: Any, path: str = "") -> list[str]:
    """Differences where ``current`` does not hold ``desired`` (extra keys in current are fine)."""
    label = path or "value"
    if current is ABSENT:
        if desired == {}:
            return ["(absent) -> present"]
        if isinstance(desired, dict):
            # A creation lists every attribute it sets, one line each (like a Terraform plan).
            return [line for key, want in desired.items()
                    for line in subset_diff(ABSENT, want, f"{path}.{key}" if path else str(key))]
        return [f"{label}: (absent) -> {_show(desired)}"]
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return [f"{label}: {_show(current)} -> {_show(desired)}"]
        out: list[str] = []
        for key, want in desired.items():
            sub = f"{path}.{key}" if path else str(key)
            out += subset_diff(current.get(key, ABSENT), want, sub)
        return out
    if isinstance(desired, list):
        if not isinstance(current, list) or len(current) != len(desired) or any(
                subset_diff(c, d) for c, d in zip(current, desired, strict=True)):
            return [f"{label}: {_show(current)} -> {_show(desired)}"]
        return []
    return [] if _same_scalar(current, desired) else [f"{label}: {_show(current)} -> {_show(desired)}"]


def _as_list(value: Any) -> list[Any]:
    return sorted(value, key=str) if isinstance(value, list) else [value]


def normalize_policy(doc: Any) -> dict[str, Any]:
    """A policy document in a canonical form: parsed, single values as sorted lists, statements sorted."""
    if isinstance(doc, str):
        doc = json.loads(doc)
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    norm = []
    for st in statements:
        s = dict(st)
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in s:
                s[key] = _as_list(s[key])
        if isinstance(s.get("Principal"), dict):
            s["Principal"] = {k: _as_list(v) for k, v in s["Principal"].items()}
        if isinstance(s.get("Condition"), dict):
            s["Condition"] = {op: {k: _as_list(v) for k, v in kv.items()} for op, kv in s["Condition"].items()}
        norm.append(s)
    norm.sort(key=lambda s: json.dumps(s, sort_keys=True))
    return {"Version": doc.get("Version"), "Statement": norm}


def policy_diff(current: Any, desired: Any) -> list[str]:
    """Compare two policy documents by meaning (order and single-vs-list do not matter)."""
    if current is ABSENT:
        return ["policy: (absent) -> baseline document"]
    cur, want = normalize_policy(current), normalize_policy(desired)
    if cur == want:
        return []
    cur_by = {s.get("Sid", json.dumps(s, sort_keys=True)): s for s in cur["Statement"]}
    want_by = {s.get("Sid", json.dumps(s, sort_keys=True)): s for s in want["Statement"]}
    out = [f"statement {sid}: added" for sid in want_by if sid not in cur_by]
    out += [f"statement {sid}: changed" for sid in want_by if sid in cur_by and cur_by[sid] != want_by[sid]]
    out += [f"statement {sid}: removed (not in the baseline)" for sid in cur_by if sid not in want_by]
    if cur["Version"] != want["Version"]:
        out.append(f"Version: {cur['Version']} -> {want['Version']}")
    return out or ["policy: differs"]


def statements_diff(current: Any, desired: Any) -> list[str]:
    """Every desired statement (by Sid) is present with the same meaning; other statements are kept."""
    if current is ABSENT:
        return ["policy: (absent) -> baseline document"]
    have = {s.get("Sid"): s for s in normalize_policy(current)["Statement"] if s.get("Sid")}
    out = []
    for st in normalize_policy(desired)["Statement"]:
        if st["Sid"] not in have:
            out.append(f"statement {st['Sid']}: added")
        elif have[st["Sid"]] != st:
            out.append(f"statement {st['Sid']}: changed")
    return out


def merge_statements(current: Any, desired: dict[str, Any]) -> dict[str, Any]:
    """The desired statements, then every current statement with another Sid (never dropped by apply)."""
    if current is ABSENT:
        return desired
    if isinstance(current, str):
        current = json.loads(current)
    ours = {s["Sid"] for s in desired["Statement"]}
    statements = current.get("Statement", [])
    kept = [s for s in (statements if isinstance(statements, list) else [statements]) if s.get("Sid") not in ours]
    return {**desired, "Statement": [*desired["Statement"], *kept]}


def rules_diff(current: Any, desired: dict[str, Any], when_reported: tuple[str, ...] = ()) -> list[str]:
    """``{"Rules": [...]}`` documents: every desired rule (by ID) is present and holds (others are kept).

    Keys in ``when_reported`` are compared only when the live rule has them
    (for APIs or emulators that leave them out of their answer).
    """
    if current is ABSENT:
        return [f"rules {[r['ID'] for r in desired['Rules']]}: (absent) -> baseline"]
    out = subset_diff({k: v for k, v in current.items() if k != "Rules"},
                      {k: v for k, v in desired.items() if k != "Rules"})
    have = {r.get("ID"): r for r in current.get("Rules", [])}
    for rule in desired["Rules"]:
        if rule["ID"] not in have:
            out.append(f"rule {rule['ID']}: (absent) -> baseline rule")
        else:
            live = have[rule["ID"]]
            want = {k: v for k, v in rule.items() if k not in when_reported or k in live}
            out += subset_diff(live, want, f"rule {rule['ID']}")
    return out


def merge_rules(current: Any, desired: dict[str, Any]) -> dict[str, Any]:
    """Desired rules replace same-ID rules; everyone else's rules are kept (apply never removes them)."""
    ours = {r["ID"] for r in desired["Rules"]}
    kept = [r for r in (current or {}).get("Rules", []) if r.get("ID") not in ours] if current is not ABSENT else []
    return {**desired, "Rules": [*desired["Rules"], *kept]}
