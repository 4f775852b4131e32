"""``--engine athena``: the same SQL files, run by Amazon Athena over the S3 zones.

Each table a pipeline registers becomes a Glue catalog table over the staged
Parquet in S3 (partitioned tables get one Glue partition per location, e.g.
``calls/2023/Curated/v-<run>/``); each query is submitted with
``StartQueryExecution``, polled, and read back with ``GetQueryResults``
(paginated, typed from the result metadata). Needs an ``s3://`` store.

Config (``pipelines.<name>.athena``)::

    athena: {database: auditor_pipelines, workgroup: primary,
             output_location: "s3://my-bucket/athena-results/", poll_seconds: 0.5, timeout_seconds: 300}

IAM: glue:GetDatabase, glue:CreateDatabase, glue:DeleteTable, glue:CreateTable,
glue:BatchCreatePartition, athena:StartQueryExecution, athena:GetQueryExecution,
athena:GetQueryResults, and s3:GetObject/PutObject on the store and output location.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from auditor.core.aws_clients import client_config, make_client
from auditor.core.errors import CollectionError, UsageError
from auditor.pipelines.sql_engines import SqlEngine
from auditor.pipelines.store import S3Store, Store

_GLUE_TYPES = {"b": "boolean", "i": "bigint", "u": "bigint", "f": "double", "M": "timestamp"}
_TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


def glue_type(series: pd.Series) -> str:
    """The Glue/Hive column type of a pandas column (text for anything else)."""
    kind = series.dtype.kind
    if str(series.dtype) in ("boolean",):
        return "boolean"
    if str(series.dtype) in ("Int64", "Int32"):
        return "bigint"
    if str(series.dtype) in ("Float64",):
        return "double"
    return _GLUE_TYPES.get(kind, "string")


class AthenaEngine(SqlEngine):
    """Runs the portable SQL on Athena; tables are Glue tables over the store's S3 zones."""

    name = "athena"

    def __init__(self, store: S3Store, *, database: str = "auditor_pipelines", workgroup: str = "primary",
                 output_location: str | None = None, poll_seconds: float = 0.5, timeout_seconds: float = 300,
                 session: Any = None, sleep: Callable[[float], None] = time.sleep) -> None:
        import boto3

        session = session or boto3.session.Session()
        self.store, self.database, self.workgroup = store, database, workgroup
        self.output = output_location or store.uri("_athena-results/")
        self.poll, self.timeout, self.sleep = poll_seconds, timeout_seconds, sleep
        self.glue = make_client(session, "glue", session.region_name, client_config())
        self.athena = make_client(session, "athena", session.region_name, client_config())
        self.queries: list[str] = []

    @classmethod
    def for_store(cls, store: Store, settings: dict[str, Any], session: Any = None) -> AthenaEngine:
        if not isinstance(store, S3Store):
            raise UsageError("--engine athena needs an s3://bucket/prefix store: Athena reads data in S3")
        return cls(store, session=session, **settings)

    def _ensure_database(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.glue.get_database(Name=self.database)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "EntityNotFoundException":
                raise CollectionError(f"glue:GetDatabase {self.database}: {_code(exc)}") from exc
            self.glue.create_database(DatabaseInput={"Name": self.database,
                                                     "Description": "auditor governed pipelines"})

    def register(self, table: str, frame: pd.DataFrame, *, locations: dict[str, str] | None = None,
                 partition: str | None = None) -> None:
        from botocore.exceptions import ClientError

        if not locations:
            raise UsageError(f"athena: table {table} has no S3 location (nothing was staged)")
        self._ensure_database()
        columns = [{"Name": str(c), "Type": glue_type(frame[c])} for c in frame.columns if c != partition]
        uris = {k: self.store.uri(v) for k, v in locations.items()}
        base = uris[""] if not partition else _common_prefix(list(uris.values()))
        table_input: dict[str, Any] = {
            "Name": table, "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
            "StorageDescriptor": _storage(columns, base if base.endswith("/") else base + "/"),
        }
        if partition:
            table_input["PartitionKeys"] = [{"Name": partition, "Type": glue_type(frame[partition])}]
        try:
            self.glue.delete_table(DatabaseName=self.database, Name=table)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "EntityNotFoundException":
                raise CollectionError(f"glue:DeleteTable {table}: {_code(exc)}") from exc
        self.glue.create_table(DatabaseName=self.database, TableInput=table_input)
        if partition:
            parts = [{"Values": [value], "StorageDescriptor": _storage(columns, uri.rstrip("/") + "/")}
                     for value, uri in sorted(uris.items())]
            for i in range(0, len(parts), 100):  # the API takes at most 100 partitions a call
                self.glue.batch_create_partition(DatabaseName=self.database, TableName=table,
                                                 PartitionInputList=parts[i:i + 100])

    def query(self, sql: str) -> pd.DataFrame:
        self.queries.append(sql)
        qid = self.athena.start_query_execution(
            QueryString=sql, QueryExecutionContext={"Database": self.database},
            ResultConfiguration={"OutputLocation": self.output}, WorkGroup=self.workgroup)["QueryExecutionId"]
        deadline = time.monotonic() + self.timeout
        while True:
            status = self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
            if status["State"] in _TERMINAL:
                break
            if time.monotonic() > deadline:
                raise CollectionError(f"athena query {qid} still {status['State']} after {self.timeout:.0f}s")
            self.sleep(self.poll)
        if status["State"] != "SUCCEEDED":
            raise CollectionError(f"athena query {qid} {status['State']}: {status.get('StateChangeReason', '')}")
        return self._results(qid)

    def _results(self, qid: str) -> pd.DataFrame:
        columns: list[dict[str, Any]] = []
        rows: list[list[str | None]] = []
        for page in self.athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
            if not columns:
                columns = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
            for row in page["ResultSet"]["Rows"]:
                rows.append([cell.get("VarCharValue") for cell in row["Data"]])
        names = [c["Name"] for c in columns]
        if rows and rows[0] == names:  # Athena repeats the header as the first row of a SELECT
            rows = rows[1:]
        frame = pd.DataFrame(rows, columns=names)
        for col in columns:
            frame[col["Name"]] = _typed(frame[col["Name"]], col["Type"].lower())
        return frame


def _typed(values: pd.Series, athena_type: str) -> pd.Series:
    if athena_type in ("bigint", "integer", "int", "smallint", "tinyint"):
        return pd.to_numeric(values).astype("int64") if values.notna().all() else pd.to_numeric(values).astype("Int64")
    if athena_type in ("double", "float", "real") or athena_type.startswith("decimal"):
        return pd.to_numeric(values).astype("float64")
    if athena_type == "boolean":
        return values.map({"true": True, "false": False})
    return values


def _storage(columns: list[dict[str, str]], location: str) -> dict[str, Any]:
    return {
        "Columns": columns, "Location": location,
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
    }


def _common_prefix(uris: list[str]) -> str:
    parts = [u.split("/") for u in uris]
    common = []
    for segs in zip(*parts, strict=False):
        if len(set(segs)) != 1:
            break
        common.append(segs[0])
    return "/".join(common) + "/"


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", "ClientError"))


__all__ = ["AthenaEngine", "glue_type"]
