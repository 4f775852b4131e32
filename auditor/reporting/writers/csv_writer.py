"""``findings.csv`` (one row per finding) and ``controls.csv`` (one row per control), for spreadsheets.

``findings.csv`` ends with the finding's owner, first and last seen, days open,
SLA due date and overdue flag (``auditor.reporting.aging``). ``controls.csv``
has one row per control of each framework with the status label the HTML
report and ``findings.json`` show (``pass``, ``pass (no resources in scope)``,
``fail``, ``error: <API call>``, ``manual``, ``not evaluated: ...``), the
framework's verdict, the worst failing severity, how many resources fail, the
owner and since when it is open.

Excel-friendly: UTF-8 with a byte-order mark (so Excel detects the encoding),
CRLF line ends, every field quoted when needed. Formula injection is
neutralised by :mod:`auditor.core.cellsafe`: a cell whose first character after
whitespace is ``= + - @`` (or that starts with a tab or a carriage return) gets a
leading apostrophe, so a bucket tag like ``=HYPERLINK(...)``, `` =1+1`` or a
line break then ``=1+1`` is shown as text and never evaluated (OWASP's CSV
injection guidance).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from auditor.core import cellsafe
from auditor.core.documents import FindingsDocument, MuteDict
from auditor.reporting.assess import assess
from auditor.reporting.atomic import write_atomic

COLUMNS = ("status", "severity", "rule_id", "title", "resource_type", "resource_id", "region", "message",
           "compliance", "evidence", "remediation", "mute_reason", "mute_expires", "run_id",
           "owner", "first_seen", "last_seen", "days_open", "due", "overdue")
CONTROL_COLUMNS = ("framework", "verdict", "control", "title", "section", "type", "status", "worst_severity",
                   "failing_resources", "failing_sample", "muted", "owner", "first_seen", "days_open", "overdue",
                   "rules")
CONTROLS_FILENAME = "controls.csv"


def neutralise(value: Any) -> str:
    """The cell text (JSON for a structured value), with a leading apostrophe when a
    spreadsheet would read it as a formula."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return cellsafe.neutralise(text)


def to_csv(doc: FindingsDocument) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for f in doc["findings"]:
        mute: MuteDict | dict[str, str] = f.get("mute") or {}
        compliance = "; ".join(f"{fw} {c}" for fw, ids in sorted(f["compliance"].items()) for c in ids)
        w.writerow([neutralise(v) for v in (
            f["status"], f["severity"], f["rule_id"], f["title"], f["resource_type"], f["resource_id"], f["region"],
            f["message"], compliance, f["evidence"] or "", f["remediation"], mute.get("reason", ""),
            mute.get("expires", ""), doc["run"]["id"], f.get("owner", ""), f.get("first_seen", ""),
            f.get("last_seen", ""), _text(f.get("days_open")), f.get("due", ""), _text(f.get("overdue")))])
    return buf.getvalue()


def _text(value: Any) -> str:
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def controls_csv(doc: FindingsDocument, frameworks: dict[str, Any] | None = None) -> str:
    """``controls.csv``: one row per control per framework (see the module docstring)."""
    a = assess(doc, frameworks)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CONTROL_COLUMNS)
    for fw, rows in a.statuses.items():
        verdict = a.verdicts[fw].verdict
        for c in rows:
            w.writerow([neutralise(v) for v in (
                fw, verdict, c.id, c.title, c.section, "automated" if c.automated else "manual", c.label, c.worst,
                str(c.failing_total), "; ".join(c.failing_resources), str(c.muted), c.owner, c.first_seen,
                _text(c.days_open), str(c.overdue), "; ".join(r["rule_id"] for r in c.rules))])
    return buf.getvalue()


def write_csv(doc: FindingsDocument, outdir: Path) -> Path:
    """Write ``OUTDIR/findings.csv`` and ``OUTDIR/controls.csv`` (see ``COMPANIONS``); return the first."""
    write_atomic(outdir / CONTROLS_FILENAME, "\ufeff" + controls_csv(doc))
    return write_atomic(outdir / "findings.csv", "\ufeff" + to_csv(doc))
