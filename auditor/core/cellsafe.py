"""Spreadsheet formula neutralisation: one rule for every CSV and XLSX the tool writes.

A spreadsheet treats a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, even after leading spaces, tabs or line breaks, so a 3-1-1 department
named ``=HYPERLINK("http://x")`` or a bucket tag ``@SUM(A1)`` would run when a
compliance officer opens the export (CSV injection). Following OWASP's guidance,
a text value is *risky* when

- it starts with a tab or a carriage return, or
- its first character after whitespace (spaces, tabs, CR, LF, zero-width
  characters) is ``= + - @`` or one of their full-width forms ``＝ ＋ － ＠``,

except a plain negative number such as ``-12`` or ``-1,234.50``: digits, dots and
commas cannot hide a formula, and masked data keeps its amounts readable.

Usage::

    from auditor.core.cellsafe import neutralise, neutralise_frame, xlsx_cell

    neutralise("=1+1")              # "'=1+1": shown as text, never evaluated
    neutralise("-12")               # "-12": a number stays a number
    neutralise_frame(df).to_csv(f)  # every text cell and column name, vectorised
    ws.append([xlsx_cell(ws, v) for v in row])   # openpyxl: a string cell, never a formula

CSV has no cell types, so a risky value gets a leading apostrophe, which Excel and
LibreOffice show as text. In XLSX every text value is written as a string cell
(openpyxl would otherwise store ``=1+1`` as a formula and ``#N/A`` as an error),
and a risky one also gets Excel's *quote prefix*, the cell attribute that the
apostrophe becomes when typed in Excel: the value read back is unchanged and
editing the cell later does not turn it into a formula. Characters XML cannot hold
(control characters other than tab, CR and LF) are written as U+FFFD. Numbers,
booleans, dates and empty cells are never changed.

CSV rows end with CRLF (:data:`CSV_LINE_END`, RFC 4180): Python's csv writer quotes a
field that holds a character of the line terminator, so only with CRLF is a value
holding a lone carriage return quoted. Unquoted, a spreadsheet starts a new row at
that CR, and ``x\r=1+1`` would put a live ``=1+1`` at the start of it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: The line end of every CSV the tool writes (see the module doc: a CR inside a value gets quoted).
CSV_LINE_END = "\r\n"

# Everything a spreadsheet may skip before it looks for a formula sign.
_SKIPPED = r"[\s\x00-\x1f\x7f\u200b-\u200d\u2060\ufeff]*"
RISKY_PATTERN = r"[\t\r]|" + _SKIPPED + r"[=+\-@\uff1d\uff0b\uff0d\uff20]"
_RISKY = re.compile(RISKY_PATTERN)
PLAIN_NEGATIVE_PATTERN = r"-[0-9][0-9.,]*"
_PLAIN_NEGATIVE = re.compile(PLAIN_NEGATIVE_PATTERN)
# XML 1.0 cannot hold these (openpyxl raises IllegalCharacterError on them).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_risky(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula."""
    return _RISKY.match(text) is not None and _PLAIN_NEGATIVE.fullmatch(text) is None


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when it is risky (CSV cells), else unchanged."""
    return "'" + text if is_risky(text) else text


def neutralise_value(value: Any) -> Any:
    """Neutralise a CSV cell value: text as :func:`neutralise`, anything else unchanged."""
    return neutralise(value) if isinstance(value, str) else value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` ready for CSV: risky text cells and column names get the apostrophe.

    Only text columns are touched (numeric, boolean and date columns cannot hold a
    formula), and only their risky cells, found with one vectorised match per column.
    """
    import pandas as pd

    out = df.copy()
    out.columns = pd.Index([neutralise_value(c) for c in df.columns])
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        elif not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
            continue
        risky = _risky_cells(col)
        if bool(risky.any()):
            col = col.copy()
            col[risky] = "'" + col[risky].astype(str)
            out.isetitem(i, col)
    return out


def _risky_cells(col: pd.Series) -> pd.Series:
    """Which cells of a text column are risky (see the module doc), as a boolean Series.

    A cell whose first character is a letter or a digit cannot be risky (every character a
    formula may hide behind, and every formula sign, is neither), and that test is vectorised;
    the pattern runs on the other cells only.
    """
    starts_plain = col.str.slice(0, 1).str.isalnum()
    candidates = ~(starts_plain.astype("boolean").fillna(True).astype(bool))
    risky = candidates.copy()
    if bool(candidates.any()):
        some = col[candidates]
        # Plain negative numbers are not formulas.
        risky[candidates] = (some.str.match(RISKY_PATTERN, na=False)
                             & ~some.str.fullmatch(PLAIN_NEGATIVE_PATTERN, na=False)).to_numpy(dtype=bool)
    return risky


def xlsx_text(text: str) -> str:
    """``text`` with the characters an .xlsx cannot hold replaced by U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def xlsx_cell(ws: Any, value: Any) -> Any:
    """What to ``append`` to the openpyxl (write-only) sheet ``ws`` for ``value``.

    Text becomes a string cell (quote-prefixed when risky); other values are
    returned as they are.
    """
    if not isinstance(value, str):
        return value
    text = xlsx_text(value)
    risky = is_risky(text)
    if not risky and not text.startswith(("=", "#")):
        return text  # openpyxl stores it as a plain string already
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # never a formula ("=...") nor an error value ("#N/A")
    if risky:
        cell.quotePrefix = True
    return cell


def xlsx_row(ws: Any, values: Any) -> list[Any]:
    """One row for ``ws.append``: every value through :func:`xlsx_cell`."""
    return [xlsx_cell(ws, v) for v in values]
