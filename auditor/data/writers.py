"""Write tables chunk by chunk: CSV, XLSX or Parquet, to a local path or ``s3://``.

Usage::

    from auditor.data.writers import TableWriter, write_frame

    with TableWriter("out/masked.parquet") as w:     # format from the suffix
        for chunk in chunks:
            w.write(chunk)

    write_frame(df, "s3://bucket/masked.csv")

Writes go to a temporary file next to the target and are renamed (or uploaded
to S3) only when the ``with`` block ends without an error: a failed run never
leaves a partial output under the final name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from auditor.core.errors import DataError
from auditor.data.readers import detect_format, split_s3

if TYPE_CHECKING:
    import pandas as pd


class TableWriter:
    """Append DataFrames to one output table; commit on a clean exit."""

    def __init__(self, dst: str, fmt: str | None = None, sheet: str = "Sheet1", delimiter: str = ",") -> None:
        self.dst = dst
        self.fmt = fmt or detect_format(dst)
        self.sheet = sheet
        self.delimiter = delimiter
        self._tmp: Path | None = None
        self._parquet: Any = None
        self._xlsx_rows: list[list[Any]] = []
        self._header: list[str] | None = None
        self.rows = 0

    def __enter__(self) -> TableWriter:
        if self.dst.startswith("s3://"):
            fd, name = tempfile.mkstemp(prefix="auditor-out-", suffix="." + self.fmt)
        else:
            target = Path(self.dst)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        self._tmp = Path(name)
        return self

    def write(self, df: pd.DataFrame) -> None:
        assert self._tmp is not None, "use TableWriter as a context manager"
        if self._header is None:
            self._header = [str(c) for c in df.columns]
        if self.fmt == "csv":
            df.to_csv(self._tmp, mode="a", header=self.rows == 0, index=False, sep=self.delimiter,
                      encoding="utf-8")
        elif self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._tmp, table.schema)
            else:
                table = table.cast(self._parquet.schema)
            self._parquet.write_table(table)
        else:
            self._xlsx_rows.extend(df.astype(object).where(df.notna(), None).values.tolist())
        self.rows += len(df)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._tmp is not None
        try:
            if self._parquet is not None:
                self._parquet.close()
            if exc_type is None:
                if self.fmt == "xlsx":
                    self._write_xlsx()
                elif self.fmt == "csv" and self.rows == 0 and self._header is not None:
                    self._tmp.write_text(self.delimiter.join(self._header) + "\n", encoding="utf-8")
                self._commit()
        finally:
            if self._tmp.exists():
                self._tmp.unlink()

    def _write_xlsx(self) -> None:
        import openpyxl

        assert self._tmp is not None
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet(self.sheet)
        ws.append(self._header or [])
        for row in self._xlsx_rows:
            ws.append(row)
        wb.save(self._tmp)

    def _commit(self) -> None:
        assert self._tmp is not None
        if self.dst.startswith("s3://"):
            import boto3
            from botocore.exceptions import BotoCoreError, ClientError

            bucket, key = split_s3(self.dst)
            try:
                boto3.client("s3").upload_file(str(self._tmp), bucket, key)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "ClientError")
                raise DataError(f"{self.dst}: cannot write ({code})") from None
            except BotoCoreError as exc:
                raise DataError(f"{self.dst}: cannot reach S3 ({type(exc).__name__})") from None
        else:
            os.replace(self._tmp, self.dst)


def write_frame(df: pd.DataFrame, dst: str, fmt: str | None = None) -> None:
    """Write one DataFrame (atomic: temporary file, then rename or upload)."""
    with TableWriter(dst, fmt) as w:
        w.write(df)
