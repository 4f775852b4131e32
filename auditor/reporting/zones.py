"""Data and pipelines at a glance: where PII is, per zone, and what each pipeline's checks decided.

**PII matrix.** One row per dataset family, table and column that holds PII,
one column per zone (Landing, Raw, Curated; "outside the zones" for files
elsewhere): *raw* (unmasked) or *masked* where the column was seen. Built from
``attachments.pii_columns`` (written by every data scan and pipeline run) and,
for older documents, from the data scan's ``datasets`` inventory and the
``dataset-column-pii-masked`` findings.

Raw PII in the **Landing** zone is what landing is for; it is labelled
*expected, not promoted* when a pipeline of the same dataset family promoted
from that landing zone with every PII check passing. Raw PII in Raw or Curated is
never expected. The findings keep their status: the label explains, it does
not mute.

**Promotion lines.** One line per pipeline run: status, each check kind's rules passed
out of evaluated, PII columns masked, records quarantined.

Entities come from the detector; the masking operator ("keyed hash",
"encrypted", "replaced", "partial") is read from the masking output a scan sees
(``attachments.pii_columns[].operator``) and shown beside *masked* when known.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from auditor.core.documents import FindingDict, FindingsDocument
from auditor.reporting.diff import stable_resource_id

ZONES = ("Landing", "Raw", "Curated")
OUTSIDE = "outside the zones"
_ZONE = re.compile(r"(?:^|/)(landing|raw|curated)(?=/)", re.I)
_UNMASKED = re.compile(r"holds unmasked ([A-Z_]+)")


@dataclass
class PiiRow:
    family: str
    table: str
    column: str
    entities: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # zone -> "raw" | "masked"
    operators: dict[str, str] = field(default_factory=dict)  # zone -> "keyed hash", "replaced", ... when known
    expected: bool = False  # Landing raw PII that a passing PII check kept out of Raw and Curated

    @property
    def leak(self) -> bool:
        """Raw PII past the landing zone (or outside the zones)."""
        return any(self.cells.get(z) == "raw" for z in ("Raw", "Curated", OUTSIDE))


@dataclass
class PiiDataset:
    """The matrix's summary row: one dataset (family and table), its PII columns, per zone."""

    family: str
    table: str
    rows: list[PiiRow] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.family}/{self.table}" if self.family else self.table

    @property
    def entities(self) -> list[str]:
        return sorted({e for r in self.rows for e in r.entities})

    @property
    def leak(self) -> bool:
        return any(r.leak for r in self.rows)

    def zone(self, zone: str) -> tuple[int, int, bool]:
        """(raw columns, masked columns, every raw one expected) in ``zone``."""
        raw = [r for r in self.rows if r.cells.get(zone) == "raw"]
        masked = sum(1 for r in self.rows if r.cells.get(zone) == "masked")
        return len(raw), masked, bool(raw) and all(r.expected for r in raw)


def by_dataset(rows: list[PiiRow]) -> list[PiiDataset]:
    """The matrix rows grouped per dataset, in the matrix's order."""
    out: dict[tuple[str, str], PiiDataset] = {}
    for r in rows:
        out.setdefault((r.family, r.table), PiiDataset(r.family, r.table)).rows.append(r)
    return list(out.values())


@dataclass
class PromotionLine:
    """One pipeline run's promotion: its checks per kind, PII masking and quarantine."""

    pipeline: str
    run_id: str
    status: str
    checks: list[tuple[str, int, int]]  # (check kind, passed, evaluated)
    pii_detail: str
    quarantined: int | None
    ok: bool


def _split(path: str, stores: list[str]) -> tuple[str, str, str]:
    """(family, zone, table) of a dataset path; family "" and zone OUTSIDE when it is in no zone."""
    for root in stores:
        if root and path.startswith(root.rstrip("/") + "/"):
            path = path[len(root.rstrip("/")) + 1:]
            break
    path = stable_resource_id("dataset.file", path)
    m = _ZONE.search(path)
    name = path.rsplit("/", 1)[-1]
    table = re.sub(r"\.(csv|xlsx|xlsm|parquet|json)$", "", name, flags=re.I)
    if m is None:
        return "", OUTSIDE, table
    family = "/".join(path[:m.start()].strip("/").split("/")[-4:])
    rest = [p for p in path[m.end():].strip("/").split("/") if p and p != "v-*" and "=" not in p]
    table = re.sub(r"\.(csv|xlsx|xlsm|parquet|json)$", "", rest[0] if rest else table, flags=re.I)
    return family, m.group(1).capitalize(), table


def _same_family(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or a.endswith("/" + b) or b.endswith("/" + a))


def _operators(doc: FindingsDocument) -> dict[tuple[str, str], str]:
    """(dataset path, column) -> how it was masked, from ``attachments.pii_columns[].operator``
    (read from the masking output itself: tokens, ciphertexts, placeholders, partial masks)."""
    listed = (doc.get("attachments") or {}).get("pii_columns")
    return {(str(c.get("dataset", "")), str(c.get("column", ""))): str(c["operator"])
            for c in listed or [] if isinstance(c, dict) and c.get("operator")}


def _observations(doc: FindingsDocument) -> list[tuple[str, str, list[str], bool]]:
    """(dataset path, column, entities, masked) for every PII column the document knows of."""
    att = doc.get("attachments") or {}
    listed = att.get("pii_columns")
    if isinstance(listed, list) and listed:
        return [(str(c.get("dataset", "")), str(c.get("column", "")), [str(e) for e in c.get("entities") or []],
                 bool(c.get("masked"))) for c in listed if isinstance(c, dict)]
    # Older documents: the data scan's inventory, then the masking findings it has no row for.
    out = [o for d in att.get("datasets") or [] if isinstance(d, dict) for o in _inventory_observations(d)]
    return out + _finding_observations(doc["findings"], {(p, c) for p, c, _, _ in out})


def _inventory_observations(d: dict[str, Any]) -> list[tuple[str, str, list[str], bool]]:
    """The PII columns of one inventory entry, in either shape a data scan has written."""
    if isinstance(d.get("pii"), list):  # the documented inventory shape
        return [_documented_pii(d, c) for c in d["pii"] if isinstance(c, dict)]
    if isinstance(d.get("columns"), list):
        return [(str(d.get("path", d.get("id", ""))), str(c.get("name", "")), _column_entities(c),
                 bool(c.get("masked"))) for c in d["columns"] if isinstance(c, dict) and c.get("pii")]
    return []


def _documented_pii(d: dict[str, Any], c: dict[str, Any]) -> tuple[str, str, list[str], bool]:
    """One ``datasets[].pii[]`` entry (``entity`` is one name or a list)."""
    entity = c.get("entity", c.get("entities", ""))
    ents = [str(e) for e in entity] if isinstance(entity, list) else [str(entity)] if entity else []
    return str(d.get("dataset", d.get("path", d.get("id", "")))), str(c.get("column", "")), ents, c.get("masked") is True


def _column_entities(c: dict[str, Any]) -> list[str]:
    """A ``datasets[].columns[]`` entry's entities: its main one and every one it counted."""
    return sorted({str(e) for e in [c.get("entity"), *(c.get("entity_counts") or {})] if e})


def _finding_observations(findings: list[FindingDict],
                          known: set[tuple[str, str]]) -> list[tuple[str, str, list[str], bool]]:
    """PII columns only the ``dataset-column-pii-masked`` findings tell of (the entity read from the message)."""
    out = []
    for f in findings:
        if f["rule_id"] == "dataset-column-pii-masked" and f["status"] in ("PASS", "FAIL", "MUTED"):
            path, _, column = f["resource_id"].partition("#")
            if (path, column) not in known:
                m = _UNMASKED.search(f["message"])
                out.append((path, column, [m.group(1)] if m else [], f["status"] == "PASS"))
    return out


def pii_matrix(doc: FindingsDocument, promoted_families: list[str]) -> list[PiiRow]:
    """The PII matrix rows, families and tables sorted, leaks first."""
    stores = [str(p.get("store", "")) for p in (doc.get("attachments") or {}).get("pipelines") or []
              if isinstance(p, dict)]
    rows: dict[tuple[str, str, str], PiiRow] = {}
    operators = _operators(doc)
    for path, column, entities, masked in _observations(doc):
        family, zone, table = _split(path, stores)
        row = rows.setdefault((family, table, column), PiiRow(family, table, column))
        row.entities = sorted(set(row.entities) | set(entities))
        # Raw wins over masked: one unmasked copy in a zone is what matters.
        if row.cells.get(zone) != "raw":
            row.cells[zone] = "masked" if masked else "raw"
            if masked and operators.get((path, column)):
                row.operators[zone] = operators[(path, column)]
    for row in rows.values():
        # A file outside the store named like a pipeline's dataset family is shown under that family's name.
        row.family = next((g for g in promoted_families if _same_family(row.family, g)), row.family)
        row.expected = row.cells.get("Landing") == "raw" and row.family in promoted_families
    return sorted(rows.values(), key=lambda r: (r.family, r.table, not r.leak, r.column))


def promotion_lines(doc: FindingsDocument) -> tuple[list[PromotionLine], list[str]]:
    """One line per pipeline run, and the dataset families whose PII checks all passed."""
    lines: list[PromotionLine] = []
    promoted: list[str] = []
    for p in (doc.get("attachments") or {}).get("pipelines") or []:
        if not isinstance(p, dict):
            continue
        rules = [r for r in p.get("rules") or [] if isinstance(r, dict)]
        per_check = _outcomes_per_check(rules)
        lines.append(_promotion_line(p, rules, per_check))
        for family in _landing_families(p, per_check):
            if family not in promoted:
                promoted.append(family)
    return lines, promoted


def _outcomes_per_check(rules: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """Each check kind (``pii``, ``quality``...) -> how many of its rules ended in each outcome."""
    per_check: dict[str, Counter[str]] = {}
    for r in rules:
        per_check.setdefault(str(r.get("gate", "")), Counter())[str(r.get("outcome", r.get("status", ""))).upper()] += 1
    return per_check


def _promotion_line(p: dict[str, Any], rules: list[dict[str, Any]],
                    per_check: dict[str, Counter[str]]) -> PromotionLine:
    """The line for one pipeline run; ``ok`` when it succeeded with every check passing."""
    checks = [(g, c["PASS"], sum(c.values())) for g, c in sorted(per_check.items())]
    status = str(p.get("status", ""))
    ok = status in ("succeeded", "success", "passed") and all(passed == n for _, passed, n in checks)
    return PromotionLine(str(p.get("pipeline", p.get("name", ""))), str(p.get("run_id", "")), status, checks,
                         _pii_detail(rules), _quarantined(p), ok)


def _pii_detail(rules: list[dict[str, Any]]) -> str:
    """"N of M PII column checks masked", summed over the run's PII checks ("" without any)."""
    cols = masked = 0
    for r in rules:
        m = re.match(r"(\d+) PII column\(s\), (\d+) masked", str(r.get("detail", "")))
        if r.get("gate") == "pii" and m:
            cols, masked = cols + int(m.group(1)), masked + int(m.group(2))
    return f"{masked} of {cols} PII column checks masked" if cols else ""


def _quarantined(p: dict[str, Any]) -> int | None:
    """Records the run quarantined, from whichever field its producer wrote (None when unknown)."""
    q = p.get("quarantined_count")
    if not isinstance(q, int):
        q = p.get("quarantined")
        if isinstance(q, dict):
            q = q.get("count", q.get("records"))
    return q if isinstance(q, int) else None


def _landing_families(p: dict[str, Any], per_check: dict[str, Counter[str]]) -> list[str]:
    """The Landing dataset families a succeeded run promoted with every PII check passing."""
    pii = per_check.get("pii")
    if not (pii and pii["PASS"] == sum(pii.values()) and str(p.get("status", "")) in ("succeeded", "success")):
        return []
    stores = [str(p.get("store", ""))]
    families = []
    for i in p.get("inputs") or []:
        if isinstance(i, dict):
            family, zone, _ = _split(str(i.get("key", i.get("path", ""))), stores)
            if zone == "Landing":
                families.append(family)
    return families
