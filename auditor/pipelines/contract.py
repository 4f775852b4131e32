"""The pipeline contract: what a governed pipeline gives the runner, and nothing more.

A pipeline is a self-contained package: its code (``pipeline.py`` with the class below),
its default settings and DQDL ruleset (``pipeline.yml``), its SQL (``sql/<metric>.sql``),
its seeded sample data (``sample.py``) and its documentation. The runner
(:mod:`auditor.pipelines.pipeline_run`) lands files, selects them, decides idempotency,
publishes, exports and records lineage; the pipeline only says where its zones are and
turns the selected landing files into curated outputs (gating every promotion with
:mod:`auditor.pipelines.promotion_checks`).

A pipeline is an entry point of the ``auditor.pipelines`` group, named as the pipeline
(``auditor pipeline run NAME``); the value is the class (instantiated once, without
arguments). auditor's own are declared in its ``pyproject.toml`` exactly so::

    [project.entry-points."auditor.pipelines"]
    payroll = "payroll_pipeline.pipeline:Payroll"

    class Payroll(PipelinePackage):
        '''Payroll exports -> curated monthly totals.'''
        name = "payroll"
        root = "finance/payroll"
        pointer_key = "finance/payroll/_CURRENT.json"
        gc_roots = ("finance/payroll/Curated",)
        description = "payroll exports (.csv) -> monthly totals"

        def sample_files(self) -> dict[str, bytes]: ...
        def landing_key(self, filename: str, data: bytes) -> str: ...
        def landing_objects(self, store: Store) -> list[ObjectInfo]: ...
        def empty_message(self, store: Store) -> str: ...
        def process(self, state: RunState, files: list[LandingFile]) -> list[Output]: ...
"""

from __future__ import annotations

import sys
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import yaml

from auditor.pipelines.sql import package_sql

if TYPE_CHECKING:
    import pandas as pd

    from auditor.pipelines.base import LandingFile, RunState
    from auditor.pipelines.exports import Chart
    from auditor.pipelines.promote import Output
    from auditor.pipelines.store import ObjectInfo, Store


@runtime_checkable
class Pipeline(Protocol):
    """What the runner asks of a pipeline (see the module docstring)."""

    name: str  # the CLI name: kebab-case, the entry point's name
    root: str  # the store prefix of its zones (Landing, Raw, Curated, Quarantine)
    pointer_key: str  # the object naming the published curated version
    gc_roots: tuple[str, ...]  # prefixes whose unpublished versions are removed after a publish
    description: str  # one line for ``auditor pipeline list``
    row_level_metrics: frozenset[str]  # metrics with a row per person: exported, never attached to reports

    def settings_file(self) -> Traversable:
        """The ``pipeline.yml`` of default settings (``pipelines: {NAME: ...}`` in --config overrides them)."""
        ...

    def default_settings(self) -> dict[str, Any]:
        """The settings of ``settings_file()``."""
        ...

    def sample_files(self) -> dict[str, bytes]:
        """Seeded sample data by landing key (``--sample``); generated, never stored."""
        ...

    def landing_key(self, filename: str, data: bytes) -> str:
        """Where an input file (``--input``) lands."""
        ...

    def landing_objects(self, store: Store) -> list[ObjectInfo]:
        """The landing zone's current files."""
        ...

    def empty_message(self, store: Store) -> str:
        """The error when the landing zone holds nothing to process."""
        ...

    def process(self, state: RunState, files: list[LandingFile]) -> list[Output]:
        """Turn the selected landing files into the curated outputs (metrics in ``state.metrics``)."""
        ...

    def charts(self, metrics: dict[str, pd.DataFrame]) -> list[Chart]:
        """The charts of the metrics workbook."""
        ...


class PipelinePackage:
    """Defaults for a pipeline that is a package: ``pipeline.yml`` and ``sql/`` next to its module."""

    settings_name: ClassVar[str] = "pipeline.yml"
    row_level_metrics: frozenset[str] = frozenset()

    @classmethod
    def package(cls) -> str:
        """The package the pipeline's class is defined in (its files live there)."""
        module = sys.modules[cls.__module__]
        return module.__name__ if hasattr(module, "__path__") else (module.__package__ or module.__name__)

    def settings_file(self) -> Traversable:
        return resources.files(self.package()) / self.settings_name

    def default_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = yaml.safe_load(self.settings_file().read_text(encoding="utf-8")) or {}
        return settings

    def sql(self, name: str) -> str:
        """The text of the package's ``sql/<name>.sql``."""
        return package_sql(self.package(), name)

    def charts(self, metrics: dict[str, pd.DataFrame]) -> list[Chart]:
        return []


def missing_members(obj: object) -> list[str]:
    """The members of :class:`Pipeline` that ``obj`` lacks (empty: it meets the contract)."""
    members = [*Pipeline.__annotations__, *(n for n in vars(Pipeline) if not n.startswith("_") and callable(vars(Pipeline)[n]))]
    return sorted({m for m in members if not hasattr(obj, m)})
