"""Read .xlsx workbooks as a stream, within limits (``auditor.data.limits``).

Usage (what ``auditor.data.readers`` does)::

    book = open_workbook("landing/enroll.xlsx", Path("landing/enroll.xlsx"), ReadLimits())
    book.sheet_names                               # workbook order
    for row_number, cells in iter_rows(book, "Enrol"):
        ...                                        # [(column, value), ...]: the non-empty cells

What a hostile or broken workbook gets:

- the zip directory is checked before anything is decompressed: the parts added up
  must stay under ``xlsx_max_bytes`` and no part over 1 MiB may expand more than
  ``xlsx_max_ratio`` times (a 1.7 MB zip bomb that would take 1.7 GB is refused in
  milliseconds); encrypted members are refused;
- no DTD: an entity declaration (billion laughs, external entities) is refused before
  it is expanded (openpyxl parses the small parts through defusedxml; the sheets
  and shared strings are streamed here and refused at ``<!DOCTYPE``);
- sheets stream row by row: only the non-empty cells of one row are held, rows,
  columns and cell text are counted against the limits as they arrive, so a sheet
  claiming a cell at XFD1048576 costs nothing until that cell is reached, and is
  then refused;
- truncated or malformed XML, a damaged zip stream, a shared string that does not
  exist: one line naming the file, the part and the problem.

Why not calamine, which is faster: it builds every sheet as a dense grid, so two
cells at A1 and XFD1048576 would ask for 17 billion cells at once, and it copies
a shared string into every cell that uses it.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from auditor.core.errors import DataError
from auditor.data.limits import CHUNK_MAX_CHARS, RATIO_MIN_PART_BYTES, XML_MAX_DEPTH, ReadLimits

_SAFE_PART = re.compile(r"[A-Za-z0-9_./\[\]-]{1,120}")
_READ_BYTES = 64 * 1024


@dataclass
class Workbook:
    """What a workbook's small parts say: sheets (name -> part), shared strings, date styles."""

    source: str
    path: Path
    limits: ReadLimits
    sheets: dict[str, str] = field(default_factory=dict)
    shared_strings: list[str] = field(default_factory=list)
    epoch: Any = None
    date_formats: set[int] = field(default_factory=set)
    timedelta_formats: set[int] = field(default_factory=set)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)


def part_label(name: str) -> str:
    """A zip member's name as a message may show it (names are attacker-chosen text)."""
    return name if _SAFE_PART.fullmatch(name) else "a part with an unusual name"


def check_container(source: str, local: Path, limits: ReadLimits) -> None:
    """Refuse a zip bomb, an encrypted member or a damaged zip directory before decompressing anything."""
    try:
        with zipfile.ZipFile(local) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise DataError(f"{source}: corrupt .xlsx workbook ({type(exc).__name__})") from None
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise DataError(f"{source}: password-protected (encrypted) zip member {part_label(info.filename)}; "
                            "save the workbook without a password")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_MIN_PART_BYTES and ratio > limits.xlsx_max_ratio:
            raise DataError(f"{source}: part {part_label(info.filename)} expands {ratio:,.0f} times "
                            f"({info.file_size:,} bytes), above the {limits.xlsx_max_ratio}x limit "
                            "(data.limits.xlsx_max_ratio): refused as a zip bomb")
    if total > limits.xlsx_max_bytes:
        raise DataError(f"{source}: the workbook expands to {total:,} bytes, above the {limits.xlsx_max_bytes:,} "
                        "limit (data.limits.xlsx_max_bytes)")


def open_workbook(source: str, local: Path, limits: ReadLimits) -> Workbook:
    """Check the container, then read the workbook's small parts (never a sheet)."""
    check_container(source, local, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            return _read_parts(source, local, limits)
    except _parse_errors() as exc:  # a hostile workbook breaks openpyxl in many ways: each is this file's error
        raise DataError(f"{source}: {describe_error(exc)}") from None


def _parse_errors() -> tuple[type[BaseException], ...]:
    """What openpyxl raises on a damaged or hostile workbook (named, so a bug of ours still surfaces)."""
    from openpyxl.utils.exceptions import InvalidFileException

    # SyntaxError: XML ParseError; RuntimeError: RecursionError on absurd nesting;
    # ArithmeticError: numbers out of range; LookupError: missing parts, bad indexes.
    return (ValueError, TypeError, LookupError, AttributeError, SyntaxError, ArithmeticError, RuntimeError,
            zlib.error, zipfile.BadZipFile, OSError, EOFError, InvalidFileException)


def _read_parts(source: str, local: Path, limits: ReadLimits) -> Workbook:
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import ExcelReader, _find_workbook_part
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS

    reader = ExcelReader(str(local), read_only=True, data_only=True, keep_links=False)
    archive = reader.archive
    try:
        sizes = {i.filename: i.file_size for i in archive.infolist()}

        def small(name: str, limit: int) -> None:
            if sizes.get(name, 0) > limit:
                raise DataError(f"{source}: part {part_label(name)} has {sizes[name]:,} bytes, above the "
                                f"{limit:,} allowed for it (raise data.limits.xlsx_max_bytes)")

        small(ARC_CONTENT_TYPES, limits.xlsx_max_part_bytes)
        reader.read_manifest()
        book = Workbook(source, local, limits)
        strings = reader.package.find(SHARED_STRINGS)
        if strings is not None and strings.PartName[1:] in sizes:
            name = strings.PartName[1:]
            small(name, limits.xlsx_max_shared_strings_bytes)
            with archive.open(name) as raw:
                book.shared_strings = _read_shared_strings(source, name, raw, limits)
        workbook_part = _find_workbook_part(reader.package).PartName[1:]
        small(workbook_part, limits.xlsx_max_part_bytes)
        small(get_rels_path(workbook_part), limits.xlsx_max_part_bytes)
        reader.read_workbook()
        small(ARC_STYLE, limits.xlsx_max_part_bytes)
        apply_stylesheet(archive, reader.wb)
        wb = reader.wb
        book.epoch, book.date_formats, book.timedelta_formats = wb.epoch, wb._date_formats, wb._timedelta_formats
        for sheet, rel in reader.parser.find_sheets():
            if "chartsheet" in rel.Type:  # a chart sheet has no cells
                continue
            if rel.target not in sizes:  # never dropped silently: its data would go unscanned
                raise DataError(f"{source}: corrupt .xlsx workbook (sheet {len(book.sheets) + 1} refers to a "
                                "part that is missing)")
            book.sheets[str(sheet.name)] = rel.target
        return book
    finally:
        archive.close()


def describe_error(exc: BaseException) -> str:
    """One line for what broke while reading a workbook (never its contents)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    if isinstance(exc, DefusedXmlException):
        return "XML entity or DTD declarations are not allowed in a workbook (entity expansion refused)"
    if isinstance(exc, ParseError):
        line = exc.position[0] if getattr(exc, "position", None) else 0
        return f"corrupt .xlsx workbook (malformed or truncated XML{f' at line {line}' if line else ''})"
    if isinstance(exc, (zlib.error, zipfile.BadZipFile, EOFError)):
        return "corrupt .xlsx workbook (damaged zip data)"
    if isinstance(exc, KeyError):
        return "corrupt .xlsx workbook (a part it refers to is missing)"
    return f"corrupt .xlsx workbook ({type(exc).__name__})"


# --------------------------------------------------------------------------- streaming XML

class _GuardedStream:
    """A zip member read through checks before the XML parser sees a byte: no stretch without a
    ``<`` longer than a cell's text may be (so no tag can carry millions of attributes, which the
    parser would hand over at once), and no more bytes than the limit."""

    def __init__(self, raw: IO[bytes], source: str, part: str, max_bytes: int, max_run: int) -> None:
        self._raw, self._source, self._part = raw, source, part
        self._max_bytes, self._max_run = max_bytes, max_run
        self._total = 0
        self._run = 0  # bytes since the last "<"

    def read(self, size: int = _READ_BYTES) -> bytes:
        data = self._raw.read(size)
        if not data:
            return data
        self._total += len(data)
        if self._total > self._max_bytes:
            raise DataError(f"{self._source}: part {part_label(self._part)} holds more than {self._max_bytes:,} "
                            "bytes (data.limits.xlsx_max_bytes)")
        pieces = data.split(b"<")
        longest = self._run + len(pieces[0])
        if len(pieces) > 1:
            longest = max(longest, max(map(len, pieces[1:])))
            self._run = len(pieces[-1])
        else:
            self._run = longest
        if longest > self._max_run:
            raise DataError(f"{self._source}: part {part_label(self._part)} has {longest:,} bytes without markup, "
                            "more than a cell may hold (data.limits.max_cell_chars)")
        return data


class _Part:
    """Event handlers for one streamed part (expat, namespaces resolved): subclasses collect what
    they need and drop the rest at once, so memory never holds the document. A DTD is refused
    at its first byte, before any entity could be declared or expanded."""

    def __init__(self, source: str, part: str, limits: ReadLimits) -> None:
        self.source, self.part, self.limits = source, part, limits
        self.depth = 0
        self.collecting = False
        self.text: list[str] = []
        self.text_len = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > XML_MAX_DEPTH:
            raise DataError(f"{self.source}: part {part_label(self.part)} nests elements more than "
                            f"{XML_MAX_DEPTH} deep")

    def end(self, name: str) -> None:
        self.depth -= 1

    def chars(self, data: str) -> None:
        if self.collecting:
            self.text_len += len(data)
            if self.text_len > self.limits.max_cell_chars:
                raise DataError(f"{self.source}: part {part_label(self.part)} has a text of more than "
                                f"{self.limits.max_cell_chars:,} characters (data.limits.max_cell_chars)")
            self.text.append(data)

    def collect(self) -> None:
        self.collecting, self.text, self.text_len = True, [], 0

    def collected(self) -> str:
        self.collecting = False
        return "".join(self.text)

    def refuse_dtd(self, *_args: Any) -> None:
        raise DataError(f"{self.source}: part {part_label(self.part)} declares a DTD; entity declarations are "
                        "not allowed in a workbook (entity expansion refused)")

    def refuse_external(self, *_args: Any) -> int:
        self.refuse_dtd()
        return 0  # never reached: refuse_dtd raises


def _stream(handler: _Part, raw: IO[bytes], max_bytes: int) -> Iterator[None]:
    """Feed the part to expat in blocks; yields after each block (handlers have queued their results)."""
    from xml.parsers import expat

    stream = _GuardedStream(raw, handler.source, handler.part, max_bytes, handler.limits.xml_max_run_bytes)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    parser.StartDoctypeDeclHandler = handler.refuse_dtd
    parser.EntityDeclHandler = handler.refuse_dtd
    parser.ExternalEntityRefHandler = handler.refuse_external
    try:
        while True:
            data = stream.read(_READ_BYTES)
            parser.Parse(data, not data)
            yield None
            if not data:
                return
    except expat.ExpatError as exc:
        raise DataError(f"{handler.source}: corrupt .xlsx workbook (malformed or truncated XML in part "
                        f"{part_label(handler.part)} at line {exc.lineno})") from None
    except (zlib.error, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DataError(f"{handler.source}: corrupt .xlsx workbook (damaged zip data in part "
                        f"{part_label(handler.part)}: {type(exc).__name__})") from None


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _PHONETIC, _SI = (_NS + t for t in ("row", "c", "v", "is", "t", "rPh", "si"))


class _SharedStrings(_Part):
    """``<si>`` entries: the text of their ``<t>`` runs, phonetic guides (``<rPh>``) left out."""

    def __init__(self, source: str, part: str, limits: ReadLimits) -> None:
        super().__init__(source, part, limits)
        self.strings: list[str] = []
        self.runs: list[str] = []
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        if name == _TEXT and not self.phonetic:
            self.collect()
        elif name == _PHONETIC:
            self.phonetic += 1
        elif name == _SI:
            self.runs = []

    def end(self, name: str) -> None:
        super().end(name)
        if name == _TEXT and self.collecting:
            self.runs.append(self.collected())
        elif name == _PHONETIC:
            self.phonetic -= 1
        elif name == _SI:
            text = "".join(self.runs).replace("x005F_", "")  # as openpyxl reads them
            if len(text) > self.limits.max_cell_chars:
                raise DataError(f"{self.source}: shared string {len(self.strings) + 1} has {len(text):,} "
                                f"characters, above the {self.limits.max_cell_chars:,} limit "
                                "(data.limits.max_cell_chars)")
            self.strings.append(text)


def _read_shared_strings(source: str, part: str, raw: IO[bytes], limits: ReadLimits) -> list[str]:
    handler = _SharedStrings(source, part, limits)
    for _ in _stream(handler, raw, limits.xlsx_max_shared_strings_bytes):
        pass
    return handler.strings


# --------------------------------------------------------------------------- sheet rows

class _Sheet(_Part):
    """Rows of a worksheet: queues ``(row number, [(column, value), ...])`` for non-empty rows."""

    def __init__(self, book: Workbook, sheet: str, part: str) -> None:
        super().__init__(book.source, part, book.limits)
        self.book, self.where = book, f"{book.source}: sheet '{sheet}'"
        self.done: list[tuple[int, list[tuple[int, Any]]]] = []
        self.cells: list[tuple[int, Any]] = []
        self.row_no, self.in_row, self.row_chars, self.n_cells, self.column = 0, False, 0, 0, 0
        self.cell: tuple[int, str, int] | None = None  # column, type, style of the open <c>
        self.value: str | None = None
        self.runs: list[str] = []
        self.phonetic = 0
        self.columns: dict[str, int] = {}  # "BC" -> 55: references repeat on every row

    def start(self, name: str, attrs: dict[str, str]) -> None:
        # The hot path (one call per element): no super(), collect() inlined.
        self.depth += 1
        if self.depth > XML_MAX_DEPTH:
            self.depth -= 1
            super().start(name, attrs)  # raises
        if name == _CELL:
            if self.in_row:
                self._open_cell(attrs)
        elif name == _VALUE or (name == _TEXT and not self.phonetic):
            if self.cell is not None:
                self.collecting, self.text, self.text_len = True, [], 0
        elif name == _ROW:
            self._open_row(attrs.get("r"))
        elif name == _PHONETIC:
            self.phonetic += 1

    def end(self, name: str) -> None:
        self.depth -= 1
        if name == _CELL:
            if self.cell is not None:
                self._close_cell()
        elif name == _VALUE:
            if self.collecting:
                self.collecting = False
                self.value = "".join(self.text)
        elif name == _TEXT:
            if self.collecting:
                self.collecting = False
                self.runs.append("".join(self.text))
        elif name == _ROW:
            if self.in_row and self.cells:
                self.done.append((self.row_no, self.cells))
            self.in_row, self.cells = False, []
        elif name == _PHONETIC:
            self.phonetic -= 1

    def _open_row(self, r: str | None) -> None:
        limits = self.limits
        if r is None:
            number = self.row_no + 1
        elif r.isascii() and r.isdigit() and len(r) <= 10:
            number = int(r)
        else:
            raise DataError(f"{self.where}: a row has an invalid row number")
        if number > limits.xlsx_max_rows:
            raise DataError(f"{self.where} has a row numbered {number:,}, above the {limits.xlsx_max_rows:,} limit "
                            "(data.limits.xlsx_max_rows)")
        self.row_no, self.in_row, self.cells, self.row_chars, self.n_cells, self.column = number, True, [], 0, 0, 0

    def _open_cell(self, attrs: dict[str, str]) -> None:
        limits = self.limits
        self.n_cells += 1
        if self.n_cells > limits.xlsx_max_columns:
            raise DataError(f"{self.where} row {self.row_no} has more than {limits.xlsx_max_columns:,} cells "
                            "(data.limits.xlsx_max_columns)")
        ref = attrs.get("r")
        if ref:
            letters = ref.rstrip("0123456789")
            column = self.columns.get(letters) or _column(letters, limits.xlsx_max_columns)
            if len(self.columns) < 4096:
                self.columns[letters] = column
        else:
            column = self.column + 1
        if column < 1:
            raise DataError(f"{self.where} row {self.row_no}: a cell has an invalid reference")
        if column > limits.xlsx_max_columns:
            raise DataError(f"{self.where} row {self.row_no} has a cell beyond column {limits.xlsx_max_columns:,} "
                            "(data.limits.xlsx_max_columns)")
        style = attrs.get("s")
        self.column = column
        self.cell = (column, attrs.get("t", "n"), int(style) if style and style.isdigit() else 0)
        self.value, self.runs = None, []

    def _close_cell(self) -> None:
        assert self.cell is not None
        column, kind, style = self.cell
        self.cell = None
        try:
            value = self._typed(kind, style)
        except (ValueError, IndexError, OverflowError, TypeError) as exc:
            # a shared string that does not exist, a number that is not one, a date out of range
            raise DataError(f"{self.where} row {self.row_no}: unreadable cell in column {column} "
                            f"({type(exc).__name__})") from None
        if value is None or value == "":
            return
        if isinstance(value, str):
            if len(value) > self.limits.max_cell_chars:
                raise DataError(f"{self.where} row {self.row_no} column {column}: cell has {len(value):,} characters, "
                                f"above the {self.limits.max_cell_chars:,} limit (data.limits.max_cell_chars)")
            self.row_chars += len(value)
            if self.row_chars > CHUNK_MAX_CHARS:
                raise DataError(f"{self.where} row {self.row_no} holds more than {CHUNK_MAX_CHARS:,} characters")
        self.cells.append((column, value))

    def _typed(self, kind: str, style: int) -> Any:
        """The cell's value as Excel typed it (data only: a formula's cached result)."""
        if kind == "inlineStr":
            return "".join(self.runs)
        v = self.value
        if v is None or v == "":
            return None
        if kind == "s":
            return self.book.shared_strings[int(v)]
        if kind == "b":
            return v.strip() in ("1", "true")
        if kind in ("str", "e"):
            return v
        if kind == "d":
            return _from_iso8601(v)
        number = float(v) if ("." in v or "e" in v or "E" in v) else int(v)
        book = self.book
        if style in book.date_formats:
            try:
                return _from_excel(number, book.epoch, timedelta=style in book.timedelta_formats)
            except (OverflowError, ValueError):
                return number  # a serial no calendar holds: keep the number
        return number


def _from_excel(number: float, epoch: Any, timedelta: bool) -> Any:
    from openpyxl.utils.datetime import from_excel

    return from_excel(number, epoch, timedelta=timedelta)


def _from_iso8601(text: str) -> Any:
    from openpyxl.utils.datetime import from_ISO8601

    return from_ISO8601(text)


def _column(ref: str, max_columns: int) -> int:
    """Column number of a reference like ``BC12`` (0 when it has no letters)."""
    n = 0
    for ch in ref:
        o = ord(ch)
        if 65 <= o <= 90:
            n = n * 26 + o - 64
        elif 97 <= o <= 122:
            n = n * 26 + o - 96
        else:
            break
        if n > max_columns:
            return n
    return n


def iter_rows(book: Workbook, sheet: str) -> Generator[tuple[int, list[tuple[int, Any]]], None, None]:
    """``(row number, [(column, value), ...])`` for every row with a non-empty cell, in file order.

    Values are typed as Excel stored them (text, int, float, bool, datetime...). Raises
    ``DataError`` when a row or column lies beyond the limits, a cell's text is too long,
    a row holds more text than a chunk may, or the XML is broken.
    """
    part = book.sheets[sheet]
    handler = _Sheet(book, sheet, part)
    try:
        with zipfile.ZipFile(book.path) as zf, zf.open(part) as raw:
            for _ in _stream(handler, raw, book.limits.xlsx_max_bytes):
                if handler.done:
                    done, handler.done = handler.done, []
                    yield from done
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{book.source}: corrupt .xlsx workbook (damaged zip data: {type(exc).__name__})") from None
