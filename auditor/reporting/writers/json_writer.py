"""The canonical ``findings.json`` (schema: ``auditor/schemas/findings.schema.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.core.documents import FindingsDocument
from auditor.reporting.assess import with_compliance
from auditor.reporting.atomic import write_atomic

_SLOT = "\u0000findings\u0000"


def write_json(doc: FindingsDocument, outdir: Path) -> Path:
    """Write ``OUTDIR/findings.json``: UTF-8, stable order, one finding per line.

    The document is indented (2 spaces) except each finding, which is one line: two
    runs diff finding by finding, and the compact form is written by the C encoder
    (an indented dump runs in pure Python, several times slower at 50k findings).

    Each framework of the summary also carries the compliance answer the HTML report
    shows (``auditor.reporting.assess.summary_extras``): ``verdict`` (COMPLIANT, NOT
    COMPLIANT, INCOMPLETE), ``statuses`` (controls per status), ``failing_controls``,
    ``not_evaluated_controls``, ``manual_controls`` and ``control_status`` (each
    control's label, e.g. ``"2.18": "pass (no resources in scope)"``). Readers
    recompute the summary from the findings (``auditor.reporting.summary``); these
    are for people and other tools, never trusted on the way back in.
    """
    return write_atomic(outdir / "findings.json", dumps(with_compliance(doc)))


def dumps(doc: FindingsDocument) -> str:
    """The text of ``findings.json`` for ``doc`` (see :func:`write_json`)."""
    findings = doc.get("findings")
    if not isinstance(findings, list) or not findings:
        return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"
    text = json.dumps({**doc, "findings": _SLOT}, indent=2, ensure_ascii=False, default=str)
    block = ",\n".join("    " + json.dumps(f, ensure_ascii=False, default=str) for f in findings)
    return text.replace(json.dumps(_SLOT), "[\n" + block + "\n  ]", 1) + "\n"
