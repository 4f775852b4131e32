"""Output writers, one module per format, registered in ``writers``.

Each writer is ``write(doc: dict, outdir: Path) -> Path`` over the canonical
findings document; writers never print.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.core.registry import Registry

Writer = Callable[[dict[str, Any], Path], Path]
writers: Registry[Writer] = Registry("output format")

WRITER_MODULES = (
    "auditor.reporting.writers.json_writer",
    "auditor.reporting.writers.html_writer",
    "auditor.reporting.writers.sarif_writer",
    "auditor.reporting.writers.junit_writer",
    "auditor.reporting.writers.csv_writer",
    "auditor.reporting.writers.ocsf_writer",
    "auditor.reporting.writers.gitlab_writer",
)


# Files a format writes besides the one its writer returns: listed by the commands, published
# with the rest and put in evidence packs.
COMPANIONS: dict[str, tuple[str, ...]] = {"csv": ("controls.csv",)}


def write_format(fmt: str, doc: dict[str, Any], outdir: Path) -> list[Path]:
    """Write ``fmt`` for ``doc`` into ``outdir``; every file written (the writer's, then its companions)."""
    path = load_writers().get(fmt)(doc, outdir)
    return [path, *(outdir / name for name in COMPANIONS.get(fmt, ()) if (outdir / name).is_file())]


def load_writers() -> Registry[Writer]:
    import importlib

    for name in WRITER_MODULES:
        importlib.import_module(name)
    return writers
