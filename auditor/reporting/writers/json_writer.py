"""The canonical ``findings.json`` (schema: ``auditor/schemas/findings.schema.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.reporting.atomic import write_atomic
from auditor.reporting.writers import writers


@writers.register("json")
def write_json(doc: dict[str, Any], outdir: Path) -> Path:
    """Write ``OUTDIR/findings.json``: UTF-8, 2-space indent, stable order."""
    text = json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"
    return write_atomic(outdir / "findings.json", text)
