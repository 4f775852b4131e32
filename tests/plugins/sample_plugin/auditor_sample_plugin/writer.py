"""A ``markdown`` output format: one line per finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_markdown(doc: dict[str, Any], outdir: Path) -> Path:
    """Write ``OUTDIR/findings.md``."""
    lines = ["# Findings", ""] + [f"- {f['status']} {f['rule_id']} {f['resource_id']}" for f in doc["findings"]]
    path = outdir / "findings.md"
    outdir.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
