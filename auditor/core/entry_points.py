"""Entry points: how installed packages (auditor itself included) add plugins.

Every extension point is an entry-point group. The built-ins are declared in
auditor's own packaging (``pyproject.toml``, ``[project.entry-points.*]``) and load exactly as a
third-party package's would; nothing is listed twice in the code.

- ``auditor.resource_types``: ``any-name = "pkg.module"``, a module imported for what it
  registers (resource types and their collectors' attribute tables, filters, its layer's
  config section) into ``auditor.core.resources.resource_types`` and friends;
- ``auditor.config_sections``: ``any-name = "pkg.module"``, a module that registers run-config
  sections (``auditor.core.run_config.config_sections``);
- ``auditor.pipelines``: ``<name> = "pkg.module:PipelineClass"``, a
  :class:`~auditor.pipelines.contract.Pipeline` (``auditor.pipelines.pipeline_registry``);
- ``auditor.writers``: ``<format> = "pkg.module:write_function"``, ``write(doc, outdir) -> Path``
  (``auditor.reporting.writers``);
- ``auditor.dqdl_rule_types``: ``any-name = "pkg.module"``, a module whose ``@rule_type``
  classes register (``auditor.data.quality.registry``);
- ``auditor.iac_readers``: ``<kind> = "pkg.module:ReaderClass"``, an
  :class:`~auditor.iac.readers.IacReader` subclass (``auditor.iac.readers``);
- ``auditor.baseline_builders``: ``<resource-kind> = "pkg.module:function"``, a baseline item
  builder (``auditor.baseline.live.load_builders``).

Each group is loaded once, on demand (``auditor --help`` loads none). Loading fails
closed: a plugin that cannot be imported, or that registers a name already taken, stops
the command with a :class:`PluginError` naming the distribution and the entry point.

Example (a third party's ``pyproject.toml``)::

    [project.entry-points."auditor.writers"]
    markdown = "auditor_markdown:write_markdown"
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any, TypeVar

from auditor.core.errors import AuditorError
from auditor.core.registry import Registry

T = TypeVar("T")

# The distribution whose entry points are the built-ins: loaded first, so a clash names the newcomer.
BUILTIN_DISTRIBUTION = "auditor"

_loaded: dict[str, list[tuple[EntryPoint, Any]]] = {}
# (group, registry, name) -> the entry point that registered the name: what a clash names.
_origins: dict[tuple[str, int, str], str] = {}


class PluginError(AuditorError):
    """An installed plugin that cannot be loaded (exit 2): never skipped, never half-registered."""


def describe(ep: EntryPoint) -> str:
    """``entry point 'name = value' of distribution 'dist' (group 'g')``: what an error names."""
    dist = ep.dist.name if ep.dist is not None else "(unknown distribution)"
    return f"entry point '{ep.name} = {ep.value}' of distribution '{dist}' (group '{ep.group}')"


def group_entry_points(group: str) -> list[EntryPoint]:
    """The entry points of ``group``: auditor's own first, then the others by distribution; by name within one."""

    def order(ep: EntryPoint) -> tuple[bool, str, str]:
        dist = ep.dist.name if ep.dist is not None else ""
        return dist != BUILTIN_DISTRIBUTION, dist, ep.name

    return sorted(entry_points(group=group), key=order)


def entry_point_names(group: str) -> list[str]:
    """The names declared in ``group``, without importing anything (cheap: metadata only)."""
    names: list[str] = []
    for ep in group_entry_points(group):
        if ep.name not in names:
            names.append(ep.name)
    return names


def load_group(group: str) -> list[tuple[EntryPoint, Any]]:
    """Load every entry point of ``group`` once: ``(entry point, loaded object)`` pairs, in order.

    A plugin whose import fails raises :class:`PluginError`; so does a registration clash
    raised while it is imported (``Registry.add``: a name registered twice).
    """
    if group in _loaded:
        return _loaded[group]
    loaded = []
    for ep in group_entry_points(group):
        try:
            obj = ep.load()
        except ValueError as exc:
            if "registered twice" not in str(exc):  # Registry.add's clash, raised by a decorator
                raise PluginError(f"{describe(ep)} failed to load: ValueError: {exc}") from exc
            raise PluginError(f"{describe(ep)} registers a name already taken: {exc}") from exc
        except Exception as exc:  # any failure of third-party code: fail closed, naming the plugin
            raise PluginError(f"{describe(ep)} failed to load: {type(exc).__name__}: {exc}") from exc
        loaded.append((ep, obj))
    _loaded[group] = loaded
    return loaded


def register_group(group: str, registry: Registry[T], make: Callable[[EntryPoint, Any], T] | None = None) -> Registry[T]:
    """Load ``group`` and add each object to ``registry`` under its entry point's name (once).

    ``make`` turns the loaded object into the registered one (e.g. instantiate a class; it
    raises ``PluginError`` for an object that does not meet the contract). A name that
    another entry point already registered is a :class:`PluginError` naming both.
    """
    for ep, obj in load_group(group):
        key = (group, id(registry), ep.name)
        origin = describe(ep)
        if _origins.get(key) == origin:
            continue
        if ep.name in registry:
            first = _origins.get(key, "auditor itself")
            raise PluginError(f"{origin}: {registry.kind} '{ep.name}' is already registered by {first}")
        item = make(ep, obj) if make is not None else obj
        try:
            registry.add(ep.name, item)
        except ValueError as exc:
            raise PluginError(f"{origin}: {exc}") from exc
        _origins[key] = origin
    return registry


def forget(group: str) -> None:
    """Load ``group`` again next time (tests that install a plugin distribution on ``sys.path``)."""
    _loaded.pop(group, None)
    for key in [k for k in _origins if k[0] == group]:
        del _origins[key]
