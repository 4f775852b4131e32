"""Portable SQL transforms, one query per file, run by DuckDB or Athena (Trino).

Each pipeline keeps its queries in its own package, ``<pipeline package>/sql/<name>.sql``
(``auditor/pipelines/registrar/sql/acr.sql``); these helpers, shared by every pipeline,
find them by package.

Rules that keep a file portable (tests parse every file with sqlglot in both the
DuckDB and the Trino/Athena dialects): lower-case identifiers, ``100.0E0`` (a
DOUBLE in both) for percentages, no engine-specific functions (dates are parsed
and medians computed in Python before/after SQL), window functions over
aggregates allowed.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def package_sql(package: str, name: str) -> str:
    """The text of ``<package>/sql/<name>.sql`` (``package``: a pipeline's package, e.g. ``__package__``)."""
    return (_folder(package) / f"{name}.sql").read_text(encoding="utf-8")


def load_sql(pipeline: str, name: str) -> str:
    """The text of a built-in pipeline's query: ``auditor/pipelines/<pipeline>/sql/<name>.sql``."""
    return package_sql(f"auditor.pipelines.{pipeline}", name)


def sql_names(pipeline: str) -> list[str]:
    """The query names shipped with a built-in pipeline (file stems, sorted)."""
    return sorted(p.name[:-4] for p in _folder(f"auditor.pipelines.{pipeline}").iterdir() if p.name.endswith(".sql"))


def _folder(package: str) -> Traversable:
    return resources.files(package) / "sql"
