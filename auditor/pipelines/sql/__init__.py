"""Portable SQL transforms, one query per file, run by DuckDB or Athena (Trino).

Rules that keep a file portable (tests parse every file with sqlglot in both the
DuckDB and the Trino/Athena dialects): lower-case identifiers, ``100.0E0`` (a
DOUBLE in both) for percentages, no engine-specific functions (dates are parsed
and medians computed in Python before/after SQL), window functions over
aggregates allowed.
"""

from __future__ import annotations

from importlib import resources


def load_sql(pipeline: str, name: str) -> str:
    """The text of ``sql/<pipeline>/<name>.sql``."""
    return (resources.files(__package__) / pipeline / f"{name}.sql").read_text(encoding="utf-8")


def sql_names(pipeline: str) -> list[str]:
    """The query names shipped for a pipeline (file stems, sorted)."""
    folder = resources.files(__package__) / pipeline
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".sql"))
