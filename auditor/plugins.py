"""Explicit plugin loading: the modules that register resource types, filters,
config sections and writers. Listed here, imported on demand; nothing relies
on import order or side effects of unrelated imports.

These modules only *declare* (names, attributes, permissions, schemas); heavy
libraries (boto3, pandas, Presidio) are imported inside the functions that use
them, so ``auditor --help`` and ``auditor rules validate`` stay fast.
"""

from __future__ import annotations

import importlib

PLUGIN_MODULES: tuple[str, ...] = (
    "auditor.aws.resource_types",
    "auditor.data.dataset_types",
    "auditor.pipelines.run_types",
    "auditor.baseline.baseline_section",
    "auditor.scheduler.schedule_section",
)

_loaded = False


def load_plugins() -> None:
    """Import every plugin module once."""
    global _loaded
    if _loaded:
        return
    for name in PLUGIN_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A layer that does not exist yet registers nothing; any other
            # missing module is a real error.
            if exc.name is None or not name.startswith(exc.name):
                raise
    _loaded = True
