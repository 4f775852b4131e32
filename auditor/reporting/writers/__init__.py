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


def load_writers() -> Registry[Writer]:
    import importlib

    for name in WRITER_MODULES:
        importlib.import_module(name)
    return writers
