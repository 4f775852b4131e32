"""Read datasets in chunks: CSV, XLSX and Parquet, from a local path or ``s3://``.

Usage::

    from auditor.data.readers import ReadOptions, open_dataset

    with open_dataset("s3://registraroffice-landing/enroll.csv", ReadOptions()) as tables:
        for table in tables:                 # one per file, or per sheet of a workbook
            for chunk in table.chunks():     # pandas DataFrames of at most chunk_rows rows
                ...

- CSV: the delimiter is sniffed (``,`` ``;`` tab ``|``); UTF-8 with or without BOM;
  any other encoding is an error unless ``ReadOptions.encoding`` names it. Every
  cell is read as text, so identifiers keep their leading zeros and a masked
  file round-trips byte for byte outside the masked columns.
- XLSX: calamine (fast, Rust) first, openpyxl as the fallback; one named sheet or
  all of them. Cells are read as text (mixed types in a column are fine).
- Parquet: read by row group / record batch with pyarrow; native types are kept.
- ``s3://bucket/key``: downloaded with boto3 (streamed to a private temporary
  file, removed when the ``with`` block ends).

Bad input raises ``DataError`` with one line naming the file and the problem:
an empty file, a header without rows, ragged rows, a cell over ``max_cell_chars``,
a truncated Parquet file, a corrupt or password-protected workbook, bad encoding.
Messages never quote cell contents (they may be PII), nor a column name that looks
like data (a headerless file's first row is data): positions or ``column_N`` instead.

A table can be read more than once (``Table.chunks()`` starts over each time): the
scan and the masking classify on a first pass and mask or count on a second.
``Table.rename_columns`` renames columns for every later read (the data scan and
``data mask`` replace a header cell that holds data by ``column_N``).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.core.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet",
           ".pq": "parquet"}
_SNIFF_BYTES = 64 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted (password-protected) OOXML or legacy .xls
_EMAIL_SHAPE = re.compile(r"[^\s@]@[^\s@]")
_DIGIT_RUN = re.compile(r"\d{5}")


@dataclass(frozen=True)
class ReadOptions:
    """How to read: encoding for CSV, sheet for XLSX, chunk size, limits."""

    encoding: str | None = None
    sheet: str | None = None
    chunk_rows: int = 50_000
    max_cell_chars: int = 1_000_000
    allow_empty: bool = False


@dataclass
class Table:
    """One table of a dataset: a CSV/Parquet file or one workbook sheet."""

    id: str
    source: str
    format: str
    columns: list[str]
    size_bytes: int = 0
    sheet: str = ""
    delimiter: str = ""
    encoding: str = ""
    _reader: Callable[[], Iterator[pd.DataFrame]] | None = field(default=None, repr=False)
    max_cell_chars: int = 1_000_000
    _renamed: bool = field(default=False, repr=False)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The rows in DataFrames of at most ``chunk_rows`` rows (index continues across chunks),
        columns under their display names (see :meth:`rename_columns`). Every call reads the
        table again from the start, so a table can be read twice (classify, then mask)."""
        assert self._reader is not None
        for df in self._reader():
            if self._renamed:
                df.columns = list(self.columns)
            _check_cells(self.source, df, self.max_cell_chars)
            yield df

    def rename_columns(self, names: dict[int, str]) -> None:
        """Show column ``position`` (1-based) as ``name`` everywhere from now on (its header cell
        holds data: it must never be echoed)."""
        self.columns = [names.get(i + 1, c) for i, c in enumerate(self.columns)]
        self._renamed = True

    def read_all(self) -> pd.DataFrame:
        """All rows in one DataFrame (small tables, tests, DQDL)."""
        import pandas as pd

        parts = list(self.chunks())
        if not parts:
            return pd.DataFrame({c: pd.Series([], dtype="str") for c in self.columns})
        return pd.concat(parts) if len(parts) > 1 else parts[0]


def detect_format(path: str) -> str:
    """``csv``, ``xlsx`` or ``parquet`` from the file suffix."""
    name = path.rsplit("/", 1)[-1].lower()
    for suffix, fmt in FORMATS.items():
        if name.endswith(suffix):
            return fmt
    raise DataError(f"{path}: unsupported file type (expected .csv, .xlsx or .parquet)")


@contextlib.contextmanager
def open_dataset(path: str | Path, options: ReadOptions | None = None) -> Iterator[list[Table]]:
    """Open a dataset and yield its tables; temporary copies of S3 objects are removed on exit."""
    options = options or ReadOptions()
    spath = str(path)
    fmt = detect_format(spath)
    tmpdir: str | None = None
    try:
        if spath.startswith("s3://"):
            tmpdir = tempfile.mkdtemp(prefix="auditor-data-")
            local = download_s3(spath, Path(tmpdir))
        else:
            local = Path(spath)
            if not local.exists():
                raise DataError(f"{spath}: file not found")
            if not local.is_file():
                raise DataError(f"{spath}: not a regular file")
        size = local.stat().st_size
        if size == 0:
            raise DataError(f"{spath}: empty file")
        if fmt == "csv":
            tables = [_open_csv(spath, local, size, options)]
        elif fmt == "parquet":
            tables = [_open_parquet(spath, local, size, options)]
        else:
            tables = _open_xlsx(spath, local, size, options)
        yield tables
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)


def read_frame(path: str | Path, options: ReadOptions | None = None) -> pd.DataFrame:
    """The first (or only) table of a dataset as one DataFrame."""
    with open_dataset(path, options) as tables:
        return tables[0].read_all()


def split_s3(url: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key)."""
    rest = url[len("s3://"):]
    bucket, _, key = rest.partition("/")
    if not bucket or not key:
        raise DataError(f"{url}: expected s3://bucket/key")
    return bucket, key


def download_s3(url: str, into: Path) -> Path:
    """Stream an S3 object to a file under ``into``; S3 errors become one-line ``DataError``."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = split_s3(url)
    target = into / key.rsplit("/", 1)[-1]
    try:
        boto3.client("s3").download_file(bucket, key, str(target))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        if code in ("404", "NoSuchKey", "NoSuchBucket"):
            raise DataError(f"{url}: object not found") from None
        if code in ("403", "AccessDenied"):
            raise DataError(f"{url}: access denied (s3:GetObject)") from None
        raise DataError(f"{url}: S3 error {code}") from None
    except BotoCoreError as exc:
        raise DataError(f"{url}: cannot reach S3 ({type(exc).__name__})") from None
    return target


# --------------------------------------------------------------------------- CSV

def _csv_encoding(source: str, head: bytes, requested: str | None) -> str:
    if requested:
        try:
            codecs.lookup(requested)
        except LookupError:
            raise DataError(f"{source}: unknown encoding '{requested}'") from None
        return requested
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # An incremental decoder tolerates a multi-byte character cut by the sniff window.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise DataError(f"{source}: not UTF-8 text (invalid byte at offset {exc.start}); "
                        "pass --encoding (e.g. cp1252 or latin-1)") from None
    return "utf-8"


def _sniff_delimiter(source: str, text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    if not lines:
        raise DataError(f"{source}: empty file (no header)")
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        # One column, or a sample the sniffer cannot decide: count on the header line.
        header = lines[0]
        counts = {d: header.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _open_csv(source: str, local: Path, size: int, options: ReadOptions) -> Table:
    import pandas as pd

    with local.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    encoding = _csv_encoding(source, head, options.encoding)
    text = head.decode(encoding, errors="ignore")
    if not text.strip():
        raise DataError(f"{source}: empty file (only whitespace)")
    delimiter = _sniff_delimiter(source, text)
    try:
        header_df = pd.read_csv(local, sep=delimiter, encoding=encoding, nrows=0, dtype=str)
    except UnicodeDecodeError as exc:
        raise DataError(f"{source}: not {encoding} text ({exc.reason}); pass --encoding") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{source}: {_ragged(str(exc), delimiter)}") from None
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"{source}: cannot read the CSV header ({_short(exc)})") from None
    columns = [str(c) for c in header_df.columns]
    import io

    # pandas renames duplicate headers ("a", "a.1"): check the raw header row instead.
    raw_header = next(csv.reader(io.StringIO(text.lstrip("\n")), delimiter=delimiter), [])
    _check_columns(source, list(raw_header) or columns)
    _check_head_rows(source, text, delimiter, len(raw_header), complete=len(head) < _SNIFF_BYTES)

    def reader() -> Iterator[pd.DataFrame]:
        n = 0
        try:
            for chunk in pd.read_csv(local, sep=delimiter, encoding=encoding, dtype=str, keep_default_na=False,
                                     na_values=[""], chunksize=options.chunk_rows, engine="c"):
                n += len(chunk)
                yield chunk
        except UnicodeDecodeError as exc:
            raise DataError(f"{source}: not {encoding} text after row {n} ({exc.reason}); "
                            "pass --encoding") from None
        except pd.errors.ParserError as exc:
            raise DataError(f"{source}: {_ragged(str(exc), delimiter)}") from None
        if n == 0 and not options.allow_empty:
            raise DataError(f"{source}: header only, no data rows")

    return Table(id=source, source=source, format="csv", columns=columns, size_bytes=size,
                 delimiter=delimiter, encoding=encoding, _reader=reader, max_cell_chars=options.max_cell_chars)


def _check_head_rows(source: str, text: str, delimiter: str, width: int, complete: bool) -> None:
    """Rows longer than the header in the first block: pandas would silently turn a long first
    row into an index column instead of failing, so check them here."""
    import io

    lines = text.splitlines(keepends=True)
    if not complete and lines:
        lines = lines[:-1]  # the last line may be cut by the sniff window
    reader = csv.reader(io.StringIO("".join(lines).lstrip("\n")), delimiter=delimiter)
    try:
        for row in reader:
            if len(row) > width and any(c.strip() for c in row[width:]):
                raise DataError(f"{source}: ragged rows: line {reader.line_num} has {len(row)} fields, "
                                f"the header has {width}")
    except csv.Error:
        return  # e.g. a quoted field spanning the window edge: pandas reports real problems later


def _ragged(message: str, delimiter: str) -> str:
    import re

    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if m:
        return f"ragged rows: line {m.group(2)} has {m.group(3)} fields, the header has {m.group(1)}"
    m = re.search(r"EOF inside string starting at row (\d+)", message)
    if m:
        return f"unterminated quoted field starting at data row {int(m.group(1)) + 1}"
    if "EOF" in message:
        return "unterminated quoted field"
    return f"malformed CSV ({message.splitlines()[0][:120]})"


# --------------------------------------------------------------------------- Parquet

def _open_parquet(source: str, local: Path, size: int, options: ReadOptions) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(local)
        columns = [str(n) for n in pf.schema_arrow.names]
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{source}: truncated or not a Parquet file ({_short(exc)})") from None
    _check_columns(source, columns)

    def reader() -> Iterator[pd.DataFrame]:
        n = 0
        try:
            for batch in pf.iter_batches(batch_size=options.chunk_rows):
                df = batch.to_pandas()
                df.index = range(n, n + len(df))
                n += len(df)
                yield df
        except (pa.ArrowException, OSError) as exc:
            raise DataError(f"{source}: corrupt Parquet data after row {n} ({_short(exc)})") from None
        if n == 0 and not options.allow_empty:
            raise DataError(f"{source}: no data rows")

    return Table(id=source, source=source, format="parquet", columns=columns, size_bytes=size, _reader=reader,
                 max_cell_chars=options.max_cell_chars)


# --------------------------------------------------------------------------- XLSX

def _open_xlsx(source: str, local: Path, size: int, options: ReadOptions) -> list[Table]:
    with local.open("rb") as fh:
        magic = fh.read(8)
    if magic == _OLE_MAGIC:
        raise DataError(f"{source}: password-protected (encrypted) workbook or legacy .xls; "
                        "save it as an unprotected .xlsx")
    if not magic.startswith(b"PK"):
        raise DataError(f"{source}: not a valid .xlsx workbook (not a zip container)")
    sheets = _xlsx_sheets(source, local)
    if options.sheet is not None:
        if options.sheet not in sheets:
            from auditor.core.registry import did_you_mean

            hint = did_you_mean(options.sheet, sheets)
            raise DataError(f"{source}: no sheet '{options.sheet}'" + (f" ({hint})" if hint else "")
                            + f"; sheets: {', '.join(sheets)}")
        sheets = [options.sheet]
    tables = []
    for name in sheets:
        rows = _xlsx_rows(source, local, name)
        header, body = _split_header(source, name, rows, options)
        tid = source if len(sheets) == 1 and options.sheet is None else f"{source}!{name}"
        tables.append(Table(id=tid, source=source, format="xlsx", columns=header, size_bytes=size, sheet=name,
                            _reader=_xlsx_reader(header, body, options), max_cell_chars=options.max_cell_chars))
    return tables


def _xlsx_errors() -> tuple[type[BaseException], ...]:
    """What calamine and openpyxl raise on a corrupt workbook (named, not ``Exception``)."""
    import zipfile

    import python_calamine
    from openpyxl.utils.exceptions import InvalidFileException

    return (python_calamine.CalamineError, zipfile.BadZipFile, InvalidFileException, OSError, ValueError,
            KeyError, TypeError, EOFError)


def _xlsx_sheets(source: str, local: Path) -> list[str]:
    import python_calamine

    errors = _xlsx_errors()
    try:
        return list(python_calamine.CalamineWorkbook.from_path(str(local)).sheet_names)
    except python_calamine.PasswordError:
        raise DataError(f"{source}: password-protected workbook; save it without a password") from None
    except errors:
        pass  # fall back to openpyxl, which tolerates some files calamine rejects
    import openpyxl

    try:
        wb = openpyxl.load_workbook(local, read_only=True, data_only=True)
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()
    except errors as exc:
        raise DataError(f"{source}: corrupt .xlsx workbook ({type(exc).__name__})") from None


def _xlsx_rows(source: str, local: Path, sheet: str) -> list[list[Any]]:
    import python_calamine

    errors = _xlsx_errors()
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(local))
        return [list(r) for r in wb.get_sheet_by_name(sheet).to_python()]
    except errors:
        pass  # fall back to openpyxl below
    import openpyxl

    try:
        owb = openpyxl.load_workbook(local, read_only=True, data_only=True)
        try:
            return [list(r) for r in owb[sheet].iter_rows(values_only=True)]
        finally:
            owb.close()
    except errors as exc:
        raise DataError(f"{source}: cannot read sheet '{sheet}' ({type(exc).__name__})") from None


def _cell_text(v: Any) -> str | None:
    import datetime as dt

    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _split_header(source: str, sheet: str, rows: list[list[Any]], options: ReadOptions) -> tuple[list[str], list[list[Any]]]:
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise DataError(f"{source}: sheet '{sheet}' is empty")
    header = [_cell_text(c) or f"column_{i + 1}" for i, c in enumerate(rows[0])]
    while header and header[-1].startswith("column_") and all(len(r) < len(header) or r[len(header) - 1] in (None, "")
                                                                for r in rows):
        header.pop()
    _check_columns(f"{source}!{sheet}", header)
    body = rows[1:]
    if not body and not options.allow_empty:
        raise DataError(f"{source}: sheet '{sheet}' has a header only, no data rows")
    for i, r in enumerate(body):
        extra = [c for c in r[len(header):] if c not in (None, "")]
        if extra:
            raise DataError(f"{source}: sheet '{sheet}' row {i + 2} has values beyond the {len(header)} header columns")
    return header, body


def _xlsx_reader(header: list[str], body: list[list[Any]],
                 options: ReadOptions) -> Callable[[], Iterator[pd.DataFrame]]:
    def reader() -> Iterator[pd.DataFrame]:
        import pandas as pd

        width = len(header)
        for start in range(0, len(body), options.chunk_rows):
            part = body[start:start + options.chunk_rows]
            cols = {h: pd.Series([_cell_text(r[j]) if j < len(r) else None for r in part], dtype="str",
                                 index=range(start, start + len(part))) for j, h in enumerate(header[:width])}
            yield pd.DataFrame(cols)

    return reader


# --------------------------------------------------------------------------- checks

def header_looks_like_data(cell: str) -> bool:
    """A header cell shaped like a value: an e-mail, a number, a date, a phone, an id (5+ digits
    in a row). A headerless file's first row is data, and data is never echoed."""
    s = cell.strip()
    if not s:
        return False
    if _EMAIL_SHAPE.search(s) or _DIGIT_RUN.search(s):
        return True
    return any(ch.isdigit() for ch in s) and not any(ch.isalpha() for ch in s)


def _shown(name: str, position: int) -> str:
    """A column as an error message may name it: its name, unless the name looks like data."""
    return f"column_{position}" if header_looks_like_data(name) else name


def _check_columns(source: str, columns: list[str]) -> None:
    if not columns:
        raise DataError(f"{source}: no columns")
    seen: dict[str, int] = {}
    for i, c in enumerate(columns, start=1):
        if c in seen:
            # Positions only: a headerless file's repeated "name" may be a person's name.
            raise DataError(f"{source}: duplicate column name (columns {seen[c]} and {i} have the same name)")
        seen[c] = i


def _check_cells(source: str, df: pd.DataFrame, limit: int) -> None:
    """Refuse oversized cells (a 10 MB cell is an export bug, and would stall PII analysis)."""
    for position, col in enumerate(df.columns, start=1):
        s = df[col]
        if s.dtype.kind not in ("O", "U", "T") and str(s.dtype) not in ("str", "string"):
            continue
        lengths = s.astype("str").str.len() if s.dtype == object else s.str.len()
        biggest = lengths.max()
        if biggest == biggest and biggest is not None and int(biggest) > limit:
            row = int(lengths.idxmax()) + 1
            raise DataError(f"{source}: cell in column '{_shown(str(col), position)}' row {row} has "
                            f"{int(biggest):,} characters, above the {limit:,} limit (max_cell_chars)")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
