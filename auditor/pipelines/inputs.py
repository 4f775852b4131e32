"""Checks on a run's ``--input`` and output folders, before anything is landed or written.

Usage (``run_pipeline`` calls it first)::

    from auditor.pipelines.inputs import check_run_paths
    check_run_paths(pipe.root, input_file=Path("calls.csv"), export_to=Path("reports/x/pipelines/registrar"),
                    store=store)

- ``--input`` must be a file, and its name must not start with a dot: the zones
  treat such names as temporary files and never list them, so a landed
  ``.hidden.csv`` would sit in the landing zone, never processed and never reported.
- The exports must not replace the input: an ``--input`` kept in the folder the
  metrics are exported to (same file, whatever the spelling) is refused.
- The exports must not land in the pipeline's zones of a local store (a CSV
  written into Landing would be picked up as an input by the next run).

Each problem is a :class:`UsageError` (exit 2) naming the path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.core.errors import UsageError
from auditor.core.samefile import same_file


def check_input_file(path: Path) -> None:
    """``--input``: an existing file whose name does not start with a dot."""
    if not path.is_file():
        raise UsageError(f"--input {path}: no such file" if not path.exists() else f"--input {path}: not a file")
    if path.name.startswith("."):
        suggestion = path.name.lstrip(".") or "input.csv"
        raise UsageError(f"--input {path}: a hidden file name (starting with '.') is never processed: the zones "
                         f"skip such names as temporary files; copy or rename it, e.g. to {suggestion}")


def check_run_paths(pipeline_root: str, *, input_file: Path | None, export_to: Path | None, store: Any) -> None:
    """Refuse a run whose input or exports would be lost or overwritten (see the module doc)."""
    if input_file is not None:
        check_input_file(input_file)
        if export_to is not None and same_file(input_file.parent, export_to):
            raise UsageError(f"--input {input_file}: it is in {export_to}, where this run exports its metrics; "
                             "move it or choose another --output-dir")
    local_root = getattr(store, "path", None)
    if export_to is not None and isinstance(local_root, Path):
        zones = (local_root / pipeline_root).resolve()
        target = export_to.resolve()
        if target == zones or zones in target.parents:
            raise UsageError(f"--output-dir: the exports would go to {export_to}, inside the pipeline's zones "
                             f"in {local_root}; choose a folder outside the store")
