"""Write tables chunk by chunk: CSV, XLSX or Parquet, to a local path or ``s3://``.

Usage::

    from auditor.data.writers import TableWriter, write_frame

    with TableWriter("out/masked.parquet") as w:     # format from the suffix
        for chunk in chunks:
            w.write(chunk)

    write_frame(df, "s3://bucket/masked.csv")

Writes go to a temporary file next to the target and are renamed (or uploaded
to S3) only when the ``with`` block ends without an error: a failed run never
leaves a partial output under the final name. The file gets the mode a plain
``open()`` would give (0666 minus the umask), as the reports do.

CSV and XLSX are for people and their spreadsheets, so every text cell and
column name goes through :mod:`auditor.core.cellsafe`: ``=1+1`` is written as
``'=1+1`` in CSV (rows end with CRLF, so a carriage return inside a value is
quoted) and as a quote-prefixed string cell in XLSX, never a formula
(Parquet keeps the values as they are: it has types, nothing is evaluated).
Masking tokens (``tok_...``, ``enc:v1:...``, ``<EMAIL_ADDRESS>``) never start
with a formula sign, so ``data unmask`` reads them back unchanged.

A destination that cannot be written (a file where a folder is needed, a
read-only or full disk, a missing S3 bucket) is a :class:`DataError` naming it
(exit 2). Call :func:`refuse_overwrite` first when the output could be an input::

    refuse_overwrite(dst, [src])   # exit 2 for ./src, a symlink or a hard link to it
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from auditor.core.aws_clients import default_client
from auditor.core.cellsafe import CSV_LINE_END, neutralise_frame, neutralise_value, xlsx_row
from auditor.core.errors import DataError
from auditor.core.oserrors import describe_os_error
from auditor.core.samefile import refuse_overwrite
from auditor.data.readers import detect_format, split_s3

__all__ = ["TableWriter", "refuse_overwrite", "write_frame"]

if TYPE_CHECKING:
    import pandas as pd


class TableWriter:
    """Append DataFrames to one output table; commit on a clean exit."""

    def __init__(self, dst: str, fmt: str | None = None, sheet: str = "Sheet1", delimiter: str = ",") -> None:
        self.dst = dst
        if not dst.startswith("s3://") and Path(dst).is_dir():
            raise DataError(f"{dst}: is a directory; name the output file (e.g. {Path(dst) / 'out.csv'})")
        self.fmt = fmt or detect_format(dst)
        self.sheet = sheet
        self.delimiter = delimiter
        self._tmp: Path | None = None
        self._parquet: Any = None
        self._xlsx_rows: list[list[Any]] = []
        self._header: list[str] | None = None
        self.rows = 0

    def __enter__(self) -> TableWriter:
        try:
            if self.dst.startswith("s3://"):
                fd, name = tempfile.mkstemp(prefix="auditor-out-", suffix="." + self.fmt)
            else:
                target = Path(self.dst)
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        except OSError as exc:
            raise DataError(f"cannot write {self.dst}: {describe_os_error(exc)}") from None
        os.close(fd)
        self._tmp = Path(name)
        return self

    def write(self, df: pd.DataFrame) -> None:
        assert self._tmp is not None, "use TableWriter as a context manager"
        if self._header is None:
            self._header = [str(c) for c in df.columns]
        if self.fmt == "csv":
            try:
                neutralise_frame(df).to_csv(self._tmp, mode="a", header=self.rows == 0, index=False,
                                            sep=self.delimiter, encoding="utf-8", lineterminator=CSV_LINE_END)
            except OSError as exc:  # a full or failing disk: name the output, not the temporary file
                raise DataError(f"cannot write {self.dst}: {describe_os_error(exc)}") from None
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
                try:
                    if self.fmt == "xlsx":
                        self._write_xlsx()
                    elif self.fmt == "csv" and self.rows == 0 and self._header is not None:
                        with self._tmp.open("w", encoding="utf-8", newline="") as f:
                            csv.writer(f, delimiter=self.delimiter, lineterminator=CSV_LINE_END).writerow(
                                [neutralise_value(h) for h in self._header])
                    os.chmod(self._tmp, 0o666 & ~_umask())
                except OSError as exc:
                    raise DataError(f"cannot write {self.dst}: {describe_os_error(exc)}") from None
                self._commit()
        finally:
            if self._tmp.exists():
                self._tmp.unlink()

    def _write_xlsx(self) -> None:
        import openpyxl

        assert self._tmp is not None
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet(self.sheet)
        ws.append(xlsx_row(ws, self._header or []))
        for row in self._xlsx_rows:
            ws.append(xlsx_row(ws, row))
        wb.save(self._tmp)

    def _commit(self) -> None:
        assert self._tmp is not None
        if self.dst.startswith("s3://"):
            from boto3.exceptions import S3UploadFailedError
            from botocore.exceptions import BotoCoreError, ClientError

            bucket, key = split_s3(self.dst)
            try:
                default_client("s3").upload_file(str(self._tmp), bucket, key)
            except (ClientError, S3UploadFailedError) as exc:
                raise DataError(f"{self.dst}: cannot write ({_s3_code(exc)})") from None
            except BotoCoreError as exc:
                raise DataError(f"{self.dst}: cannot reach S3 ({type(exc).__name__})") from None
        else:
            try:
                os.replace(self._tmp, self.dst)
            except OSError as exc:
                raise DataError(f"cannot write {self.dst}: {describe_os_error(exc)}") from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _s3_code(exc: BaseException) -> str:
    """The S3 error code of a failed upload (boto3 wraps the ClientError in S3UploadFailedError)."""
    for e in (exc, exc.__cause__, exc.__context__):
        response = getattr(e, "response", None)
        if isinstance(response, dict):
            return str(response.get("Error", {}).get("Code", "ClientError"))
    text = str(exc)
    start = text.find("An error occurred (")
    return text[start + 19:text.find(")", start)] if start >= 0 else type(exc).__name__


def write_frame(df: pd.DataFrame, dst: str, fmt: str | None = None) -> None:
    """Write one DataFrame (atomic: temporary file, then rename or upload)."""
    with TableWriter(dst, fmt) as w:
        w.write(df)
