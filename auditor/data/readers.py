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
- XLSX: streamed row by row (``auditor.data.xlsx_reader``); one named sheet or all
  of them. Cells are read as text (mixed types in a column are fine). The header is
  the first non-empty row, from its first to its last non-empty cell; a value outside
  those columns is an error. A zip bomb, an entity declaration, a sheet beyond the
  row / column / cell limits are refused (``auditor.data.limits``, ``data.limits``).
- Parquet: read by record batch with pyarrow; native types are kept, and the types
  pandas cannot hand to the scanner are converted column by column
  (``auditor.data.parquet_types``: decimals as numbers or exact text, nested values
  as JSON text, binary as text when it is text, else left out and reported).
- ``s3://bucket/key``: downloaded with boto3 (streamed to a private temporary
  file, removed when the ``with`` block ends).

Bad input raises ``DataError`` with one line naming the file and the problem:
an empty file, a header without rows, ragged rows, a cell over ``max_cell_chars``,
a truncated Parquet file, a corrupt, password-protected or oversized workbook, bad
encoding. ``data scan`` turns it into that file's ERROR finding and goes on with the
other files; ``data mask`` / ``check`` / ``unmask`` stop with it (exit 2).
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

from auditor.core.aws_clients import default_client
from auditor.core.errors import DataError
from auditor.core.registry import did_you_mean
from auditor.data.limits import CHUNK_MAX_CELLS, CHUNK_MAX_CHARS, ReadLimits
from auditor.data.parquet_types import convert_batch, plan_columns, read_columns
from auditor.data.xlsx_reader import iter_rows, open_workbook

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet",
           ".pq": "parquet"}
_SNIFF_BYTES = 64 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted (password-protected) OOXML or legacy .xls
_EMAIL_SHAPE = re.compile(r"[^\s@]@[^\s@]")
_DIGIT_RUN = re.compile(r"\d{5}")
_PLACEHOLDER = re.compile(r"column_\d+")


@dataclass(frozen=True)
class ReadOptions:
    """How to read: encoding for CSV, sheet for XLSX, chunk size, limits (``auditor.data.limits``).

    ``skip_unreadable_columns``: leave out a column that cannot be read as values (a Parquet
    column of binary data) and list it in ``Table.unread_columns`` instead of refusing the
    file. ``data scan`` sets it (the column is reported as not scanned); masking does not
    (a column it cannot read is never copied unmasked nor dropped silently).
    """

    encoding: str | None = None
    sheet: str | None = None
    chunk_rows: int = 50_000
    limits: ReadLimits = field(default_factory=ReadLimits)
    allow_empty: bool = False
    skip_unreadable_columns: bool = False


# Tables of at most this many cells are parsed once per run and kept in memory for the second
# pass (classify, then count or mask): a 100,000-row table of 16 columns is 1.6M cells.
KEEP_CELLS = 2_000_000


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
    unread_columns: dict[str, str] = field(default_factory=dict)  # left out (name -> why); see ReadOptions
    error: str = ""  # why this table cannot be read while the others of its file can (a broken sheet)
    local_path: str = ""  # the local file read (the temporary copy of an s3:// object); DuckDB reads it directly
    _renamed: bool = field(default=False, repr=False)
    _kept: list[pd.DataFrame] | None = field(default=None, repr=False)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The rows in DataFrames of at most ``chunk_rows`` rows (index continues across chunks),
        columns under their display names (see :meth:`rename_columns`). Every call starts from
        the first row, so a table can be read twice (classify, then mask); a table of at most
        ``KEEP_CELLS`` cells is parsed once and its chunks are kept for the next pass (callers
        must not modify a chunk in place). A table with an ``error`` raises it as ``DataError``."""
        if self.error:
            raise DataError(self.error)
        if self._kept is not None:
            for df in self._kept:
                if self._renamed:
                    df.columns = list(self.columns)
                yield df
            return
        assert self._reader is not None
        kept: list[pd.DataFrame] | None = []
        cells = 0
        for df in self._reader():
            if self._renamed:
                df.columns = list(self.columns)
            _check_cells(self.source, df, self.max_cell_chars)
            cells += df.size
            if kept is not None and cells <= KEEP_CELLS:
                kept.append(df)
            else:
                kept = None
            yield df
        self._kept = kept  # only a pass read to the end is kept

    def kept_chunks(self) -> list[pd.DataFrame] | None:
        """The chunks of a small table read to the end once (None otherwise)."""
        return self._kept

    def reuse_chunks(self, chunks: list[pd.DataFrame]) -> None:
        """Serve ``chunks`` (the same file's rows, parsed by an earlier open in this run) instead
        of reading the file again."""
        self._kept = chunks

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
        for table in tables:
            table.local_path = str(local)
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
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = split_s3(url)
    target = into / key.rsplit("/", 1)[-1]
    try:
        default_client("s3").download_file(bucket, key, str(target))
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
                 delimiter=delimiter, encoding=encoding, _reader=reader,
                 max_cell_chars=options.limits.max_cell_chars)


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
        all_columns = [str(n) for n in pf.schema_arrow.names]
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{source}: truncated or not a Parquet file ({_short(exc)})") from None
    _check_columns(source, all_columns)
    try:
        plans = plan_columns(pf)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{source}: corrupt Parquet data ({_short(exc)})") from None
    # Keyed by the name a message may show (a headerless file's first row is data).
    unread = {_shown(p.name, all_columns.index(p.name) + 1): p.reason for p in plans if not p.readable}
    if unread and not options.skip_unreadable_columns:
        name, reason = next(iter(unread.items()))
        raise DataError(f"{source}: column '{name}' holds {reason}: it "
                        "cannot be checked for PII (convert or drop it first)")
    columns = read_columns(plans)
    if not columns:
        raise DataError(f"{source}: no readable columns ({len(unread)} binary)")

    def reader() -> Iterator[pd.DataFrame]:
        n = 0
        try:
            for batch in pf.iter_batches(batch_size=options.chunk_rows, columns=columns):
                df = convert_batch(batch, plans)
                df.index = range(n, n + len(df))
                n += len(df)
                yield df
        except (pa.ArrowException, OSError) as exc:
            raise DataError(f"{source}: corrupt Parquet data after row {n} ({_short(exc)})") from None
        except (ValueError, TypeError, OverflowError) as exc:  # a value pandas cannot hold (e.g. year 10000)
            raise DataError(f"{source}: cannot convert the Parquet data after row {n} "
                            f"({type(exc).__name__})") from None
        if n == 0 and not options.allow_empty:
            raise DataError(f"{source}: no data rows")

    return Table(id=source, source=source, format="parquet", columns=columns, size_bytes=size, _reader=reader,
                 max_cell_chars=options.limits.max_cell_chars, unread_columns=unread)


# --------------------------------------------------------------------------- XLSX

def _open_xlsx(source: str, local: Path, size: int, options: ReadOptions) -> list[Table]:
    with local.open("rb") as fh:
        magic = fh.read(8)
    if magic == _OLE_MAGIC:
        raise DataError(f"{source}: password-protected (encrypted) workbook or legacy .xls; "
                        "save it as an unprotected .xlsx")
    if not magic.startswith(b"PK"):
        raise DataError(f"{source}: not a valid .xlsx workbook (not a zip container)")
    book = open_workbook(source, local, options.limits)
    sheets = book.sheet_names
    if not sheets:
        raise DataError(f"{source}: the workbook has no worksheet")
    if options.sheet is not None:
        if options.sheet not in sheets:
            hint = did_you_mean(options.sheet, sheets)
            raise DataError(f"{source}: no sheet '{options.sheet}'" + (f" ({hint})" if hint else "")
                            + f"; sheets: {', '.join(sheets)}")
        sheets = [options.sheet]
    tables = []
    for name in sheets:
        tid = source if len(sheets) == 1 and options.sheet is None else f"{source}!{name}"
        try:
            header = _xlsx_header(book, name)
        except DataError as exc:
            if len(sheets) == 1:
                raise
            # One broken sheet: the others are still read; this one raises when it is.
            tables.append(Table(id=tid, source=source, format="xlsx", columns=[], size_bytes=size, sheet=name,
                                error=str(exc)))
            continue
        tables.append(Table(id=tid, source=source, format="xlsx", columns=list(header.names), size_bytes=size,
                            sheet=name, _reader=_xlsx_reader(book, name, header, options),
                            max_cell_chars=options.limits.max_cell_chars))
    return tables


@dataclass(frozen=True)
class _Header:
    """A sheet's header: the first non-empty row, from its first to its last non-empty cell."""

    first: int  # sheet column of the first header cell (1-based)
    names: tuple[str, ...]


def _xlsx_header(book: Any, sheet: str) -> _Header:
    rows = iter_rows(book, sheet)
    try:
        first = next(rows, None)
    finally:
        rows.close()  # only the header is needed now; the rows stream again on every read
    if first is None:
        raise DataError(f"{book.source}: sheet '{sheet}' is empty")
    _, cells = first
    lo, hi = min(c for c, _ in cells), max(c for c, _ in cells)
    texts = dict(cells)
    names = tuple(_cell_text(texts.get(col)) or f"column_{col - lo + 1}" for col in range(lo, hi + 1))
    _check_columns(f"{book.source}!{sheet}", list(names))
    return _Header(lo, names)


def _xlsx_reader(book: Any, sheet: str, header: _Header,
                 options: ReadOptions) -> Callable[[], Iterator[pd.DataFrame]]:
    width = len(header.names)
    limits = options.limits
    # A wide sheet gets fewer rows per chunk, so a chunk never holds more than CHUNK_MAX_CELLS cells.
    chunk_rows = max(1, min(options.chunk_rows, CHUNK_MAX_CELLS // width))

    def reader() -> Iterator[pd.DataFrame]:
        import pandas as pd

        def frame(part: list[list[str | None]], start: int) -> pd.DataFrame:
            # Through Arrow: a column costs a third of a pd.Series, which counts on wide sheets.
            import pyarrow as pa

            columns = [pa.array(col, type=pa.string()) for col in zip(*part, strict=True)]
            df = pa.Table.from_arrays(columns, names=list(header.names)).to_pandas()
            df.index = pd.RangeIndex(start, start + len(part))
            return df

        where = f"{book.source}: sheet '{sheet}'"
        part: list[list[str | None]] = []
        n, chars = 0, 0
        rows = iter_rows(book, sheet)
        next(rows, None)  # the header: the first non-empty row
        for row_no, cells in rows:
            row: list[str | None] = [None] * width
            for col, value in cells:
                j = col - header.first
                if not 0 <= j < width:
                    raise DataError(f"{where} row {row_no} has a value in column {col}, outside the {width} "
                                    "header columns (give that column a header)")
                text = _cell_text(value)
                row[j] = text
                chars += len(text) if text else 0
            part.append(row)
            if (n + len(part)) * width > limits.xlsx_max_cells:
                raise DataError(f"{where} has more than {limits.xlsx_max_cells:,} cells "
                                f"({width} columns; data.limits.xlsx_max_cells)")
            if len(part) >= chunk_rows or chars > CHUNK_MAX_CHARS:
                yield frame(part, n)
                n += len(part)
                part, chars = [], 0
        if part:
            yield frame(part, n)
            n += len(part)
        if n == 0 and not options.allow_empty:
            raise DataError(f"{book.source}: sheet '{sheet}' has a header only, no data rows")

    return reader


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


# --------------------------------------------------------------------------- checks

def header_looks_like_data(cell: str) -> bool:
    """A header cell shaped like a value: an e-mail, a number, a date, a phone, an id (5+ digits
    in a row). A headerless file's first row is data, and data is never echoed."""
    s = cell.strip()
    if not s or _PLACEHOLDER.fullmatch(s):  # the name a reader gives a column without a header
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
