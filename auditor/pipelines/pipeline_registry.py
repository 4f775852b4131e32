"""The pipelines, by name: a ``Registry`` filled from the ``auditor.pipelines`` entry points.

Every place that knows pipelines by name (the CLI's choices, ``run_pipeline``, the
scheduler's ``pipelines`` source, the demo, the ``pipelines`` config section) asks here.

Example::

    from auditor.pipelines.pipeline_registry import get_pipeline, pipeline_names
    pipeline_names()                  # ["inquiries-311", "registrar"] (metadata only: nothing imported)
    get_pipeline("registrar").root    # "registraroffice/enrollwithdraw"
    get_pipeline("registar")          # UsageError: unknown pipeline 'registar' (did you mean 'registrar'?); available: ...
"""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import Any

from auditor.core.entry_points import PluginError, describe, entry_point_names, register_group
from auditor.core.errors import UsageError
from auditor.core.registry import Registry, did_you_mean
from auditor.pipelines.contract import Pipeline, missing_members

PIPELINES_GROUP = "auditor.pipelines"
pipelines: Registry[Pipeline] = Registry("pipeline")


def pipeline_names() -> list[str]:
    """The installed pipelines' names, sorted (reads package metadata only: cheap)."""
    return sorted(entry_point_names(PIPELINES_GROUP))


def load_pipelines() -> Registry[Pipeline]:
    """Every pipeline of the ``auditor.pipelines`` entry points (loaded once; fails closed)."""
    return register_group(PIPELINES_GROUP, pipelines, _pipeline)


def all_pipelines() -> list[Pipeline]:
    """Every installed pipeline, by name."""
    return [pipe for _, pipe in load_pipelines().items()]


def get_pipeline(name: str) -> Pipeline:
    """The pipeline called ``name``; a ``UsageError`` with a hint and the available names otherwise."""
    registry = load_pipelines()
    if name not in registry:
        hint = did_you_mean(name, registry.names())
        raise UsageError(f"unknown pipeline '{name}'" + (f" ({hint})" if hint else "")
                         + f"; available: {', '.join(registry.names())}")
    return registry.get(name)


def _pipeline(ep: EntryPoint, obj: Any) -> Pipeline:
    """The pipeline an entry point names: a class (instantiated once) or an instance meeting the contract."""
    pipe = obj() if isinstance(obj, type) else obj
    missing = missing_members(pipe)
    if missing or not isinstance(pipe, Pipeline):
        raise PluginError(f"{describe(ep)} does not meet the pipeline contract "
                          f"(auditor.pipelines.contract.Pipeline): missing {', '.join(missing)}")
    if pipe.name != ep.name:
        raise PluginError(f"{describe(ep)}: the pipeline calls itself '{pipe.name}'; "
                          "the entry point must be named as the pipeline")
    return pipe
