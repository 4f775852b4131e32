"""``findings.csv``: one row per finding, for spreadsheets.

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
from auditor.reporting.atomic import write_atomic
from auditor.reporting.writers import writers

COLUMNS = ("status", "severity", "rule_id", "title", "resource_type", "resource_id", "region", "message",
           "compliance", "evidence", "remediation", "mute_reason", "mute_expires", "run_id")


def neutralise(value: Any) -> str:
    """The cell text (JSON for a structured value), with a leading apostrophe when a
    spreadsheet would read it as a formula."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return cellsafe.neutralise(text)


def to_csv(doc: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for f in doc["findings"]:
        mute = f.get("mute") or {}
        compliance = "; ".join(f"{fw} {c}" for fw, ids in sorted(f["compliance"].items()) for c in ids)
        w.writerow([neutralise(v) for v in (
            f["status"], f["severity"], f["rule_id"], f["title"], f["resource_type"], f["resource_id"], f["region"],
            f["message"], compliance, f["evidence"] or "", f["remediation"], mute.get("reason", ""),
            mute.get("expires", ""), doc["run"]["id"])])
    return buf.getvalue()


@writers.register("csv")
def write_csv(doc: dict[str, Any], outdir: Path) -> Path:
    """Write ``OUTDIR/findings.csv``."""
    return write_atomic(outdir / "findings.csv", "\ufeff" + to_csv(doc))
