"""Write a findings document in every requested format: what each command and the demo do last."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditor.core.documents import FindingsDocument
from auditor.reporting.writers import load_writers


def write_outputs(doc: FindingsDocument, outdir: Path, formats: Sequence[str], *,
                  command: str | None = None) -> list[Path]:
    """Write ``doc`` in every format (json always) into ``outdir``.

    ``command`` (e.g. ``"aws scan"``) is recorded as ``run.command``: the folder's owner,
    checked by :func:`auditor.cli.common.claim_output_dir` before the next run writes there.
    """
    if command is not None:
        doc["run"]["command"] = command
    registry = load_writers()
    if "json" not in formats:
        formats = ["json", *formats]
    return [registry.get(fmt)(doc, outdir) for fmt in formats]
