"""Plugin loading: the modules that register resource types, filters and config sections.

They are declared as entry points (``auditor.resource_types`` and ``auditor.config_sections``,
see :mod:`auditor.core.entry_points` for every group): auditor's own in its packaging, a
third-party package's in its own, loaded the same way, on demand, once. Nothing relies on
import order or side effects of unrelated imports; a plugin that fails to load stops the
command (:class:`~auditor.core.entry_points.PluginError`, naming the distribution).

These modules only *declare* (names, attributes, permissions, schemas); heavy
libraries (boto3, pandas, Presidio) are imported inside the functions that use
them, so ``auditor --help`` and ``auditor rules validate`` stay fast.
"""

from __future__ import annotations

from auditor.core.entry_points import load_group

# Groups whose entry points are modules imported for their registrations.
PLUGIN_GROUPS: tuple[str, ...] = ("auditor.resource_types", "auditor.config_sections")


def load_plugins() -> None:
    """Import every module of the ``PLUGIN_GROUPS`` entry points (once)."""
    for group in PLUGIN_GROUPS:
        load_group(group)
