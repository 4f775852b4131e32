"""SQL engines that run the portable transforms: DuckDB (local) or Athena.

Both expose the same two calls, so a pipeline does not know where its SQL runs::

    engine.register("inquiries", frame, location=store_uri_of_curated)   # a table
    result = engine.query(load_sql("inquiries311", "department_share"))  # a DataFrame

DuckDB registers the in-memory frame. Athena registers a Glue catalog table over
the curated Parquet in S3 (see :mod:`auditor.pipelines.athena`) and reads the
query results back.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


class SqlEngine:
    """What a pipeline needs from an engine."""

    name = ""

    def register(self, table: str, frame: pd.DataFrame, *, locations: dict[str, str] | None = None,
                 partition: str | None = None) -> None:
        """Make ``frame`` queryable as ``table``.

        ``locations`` maps partition values (or ``""`` for an unpartitioned
        table) to where the published Parquet lives; remote engines use them.
        """
        raise NotImplementedError

    def query(self, sql: str) -> pd.DataFrame:
        raise NotImplementedError

    def close(self) -> None:
        """Release the engine's resources."""


class DuckDBEngine(SqlEngine):
    """Runs the SQL in an in-process DuckDB database (the default)."""

    name = "duckdb"

    def __init__(self) -> None:
        import duckdb

        self.con: Any = duckdb.connect(":memory:")

    def register(self, table: str, frame: pd.DataFrame, *, locations: dict[str, str] | None = None,
                 partition: str | None = None) -> None:
        self.con.register(table, frame)

    def query(self, sql: str) -> pd.DataFrame:
        result: pd.DataFrame = self.con.execute(sql).df()
        return result

    def close(self) -> None:
        self.con.close()
