"""Strict reading of a 3-1-1 portal export (CSV or XLSX) into a typed frame.

Accepts the real portal file unchanged: UTF-8 with or without BOM, ``;``
delimiter, CRLF or LF, literal stray double quotes inside names. Anything else
is a :class:`BadInput` with one clear line (the file then goes to Quarantine):
a wrong delimiter, a missing column, a month that is not ``YYYY-MM`` (e.g.
``2023-13``), a month in the future of the run (e.g. ``2031-09``, see
``auditor.pipelines.future``), a count that is not a non-negative integer, an
empty file.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime

import pandas as pd

from auditor.core.errors import DataError
from auditor.pipelines.errors import BadInput
from auditor.pipelines.future import future_cutoff
from auditor.pipelines.workbook import read_grid

COLUMNS = ["Department", "Type", "Year Month", "Channel", "Number of Records", "BI_ID"]
REQUIRED = ["Department", "Type", "Year Month", "Channel", "Number of Records"]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_INT = re.compile(r"^-?\d+$")


def read_export(name: str, data: bytes, *, now: datetime | None = None) -> pd.DataFrame:
    """Parse and validate one export; columns: department, type, year_month, year, month, channel, records, bi_id.

    With ``now`` (the run's clock), a month that starts after ``now`` (plus a day's tolerance) is bad input.
    """
    if not data.strip():
        raise BadInput(name, "the file is empty")
    raw = _read_xlsx(name, data) if name.lower().endswith((".xlsx", ".xlsm")) else _read_csv(name, data)
    return _validate(name, raw, now)


def _read_csv(name: str, data: bytes) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(name, f"not UTF-8 text (byte {exc.start}); the portal export is UTF-8") from exc
    header = text.split("\n", 1)[0].rstrip("\r")
    fields = [f.strip().strip('"') for f in header.split(";")]
    if not set(REQUIRED) <= set(fields):
        for delim, label in ((",", "','"), ("\t", "tab"), ("|", "'|'")):
            other = [f.strip().strip('"') for f in header.split(delim)]
            if set(REQUIRED) <= set(other):
                raise BadInput(name, f"wrong delimiter: the header is {label}-separated; the portal export uses ';'")
        missing = [c for c in REQUIRED if c not in fields]
        raise BadInput(name, f"missing column(s) {', '.join(repr(c) for c in missing)}; "
                             f"expected {';'.join(COLUMNS)}")
    try:
        # QUOTE_NONE: the portal does not quote, and stray quotes inside names are literal.
        return pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False,
                           quoting=csv.QUOTE_NONE, engine="c")
    except pd.errors.ParserError as exc:
        raise BadInput(name, f"malformed CSV: {str(exc).splitlines()[0]}") from exc


def _read_xlsx(name: str, data: bytes) -> pd.DataFrame:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise BadInput(name, "not a readable .xlsx workbook (corrupt or not an Excel file)")
    try:
        grid = read_grid(name, data)  # bounded: zip bombs, entity bombs and huge sheets are refused
    except DataError as exc:
        raise BadInput(name, str(exc).removeprefix(f"{name}: ")) from None
    if grid.empty:
        raise BadInput(name, "the workbook's first sheet is empty")
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.columns = list(grid.iloc[0])
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise BadInput(name, f"missing column(s) {', '.join(repr(c) for c in missing)}; expected {', '.join(COLUMNS)}")
    for col in ("Number of Records", "BI_ID"):
        if col in frame.columns:  # calamine gives "12.0" for numeric cells
            frame[col] = frame[col].str.replace(r"\.0$", "", regex=True)
    return frame


def _first_bad(mask: pd.Series, values: pd.Series) -> str:
    idx = mask[mask].index[0]
    return f"line {int(idx) + 2}: {values[idx]!r}"


def _validate(name: str, raw: pd.DataFrame, now: datetime | None = None) -> pd.DataFrame:
    raw.columns = [str(c).strip() for c in raw.columns]
    if "BI_ID" not in raw.columns:
        raw["BI_ID"] = ""
    if raw.empty:
        raise BadInput(name, "the export has a header but no rows")
    month = raw["Year Month"].str.strip()
    bad = ~month.str.match(_MONTH)
    if bad.any():
        raise BadInput(name, f"{int(bad.sum())} row(s) with an invalid 'Year Month' (expected YYYY-MM), "
                             f"first at {_first_bad(bad, month)}")
    if now is not None:
        cutoff = future_cutoff(now)
        future = pd.to_datetime(month + "-01", format="%Y-%m-%d") > cutoff
        if future.any():
            raise BadInput(name, f"{int(future.sum())} row(s) with a 'Year Month' in the future (the run's "
                                 f"date is {now:%Y-%m-%d}), first at {_first_bad(future, month)}")
    records = raw["Number of Records"].str.strip()
    bad = ~records.str.match(_INT)
    if bad.any():
        raise BadInput(name, f"{int(bad.sum())} row(s) where 'Number of Records' is not an integer, "
                             f"first at {_first_bad(bad, records)}")
    counts = records.astype("int64")
    neg = counts < 0
    if neg.any():
        raise BadInput(name, f"{int(neg.sum())} row(s) with a negative 'Number of Records', "
                             f"first at {_first_bad(neg, records)}")
    bi = raw["BI_ID"].str.strip()
    bad = (bi != "") & ~bi.str.match(_INT)
    if bad.any():
        raise BadInput(name, f"{int(bad.sum())} row(s) where 'BI_ID' is not an integer, first at {_first_bad(bad, bi)}")
    out = pd.DataFrame({
        "department": _clean(raw["Department"]),
        "type": _clean(raw["Type"]),
        "year_month": month,
        "year": month.str.slice(0, 4).astype("int32"),
        "month": month.str.slice(5, 7).astype("int32"),
        "channel": _clean(raw["Channel"]),
        "records": counts,
        "bi_id": pd.to_numeric(bi.replace("", None)).astype("Int64"),
    })
    return out


def _clean(s: pd.Series) -> pd.Series:
    """Remove literal double quotes and collapse whitespace (exports carry stray quotes).

    Names repeat across rows (about 90 departments in 60,000 rows): clean each once."""
    uniq = pd.Series(s.unique())
    fixed = uniq.str.replace('"', "", regex=False).str.replace(r"\s+", " ", regex=True).str.strip()
    return s.map(dict(zip(uniq, fixed, strict=True)))
