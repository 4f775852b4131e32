"""Reading and normalising the registrar's .xlsx exports (landing -> raw).

Each export is recognised by its header (which may sit below a title row):
applications, enrollments or withdrawals. Normalisation is vectorised:
strings trimmed and whitespace collapsed, names title-cased, e-mails
lower-cased, Yes/No flags in any case turned into booleans, dates accepted as
``YYYY-MM-DD`` or ``MM/DD/YYYY`` (or real Excel dates), column names lower-cased
as the original curated query used them (``StudentID`` -> ``studentid``,
``Status`` -> ``applicationstatus``).

Records that cannot be used are set aside with a reason (never silently
dropped): a blank critical field, an unparseable date or flag, a date in the
future of the run (``clean(..., now=...)``, see ``auditor.pipelines.future``),
a malformed student id, or a key that appears twice with different values. Exact
duplicates (after normalisation) are removed and counted. Reasons never quote
cell values (they may be PII).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from auditor.core.errors import DataError
from auditor.pipelines.errors import BadInput
from auditor.pipelines.future import future_cutoff
from auditor.pipelines.workbook import read_grid


@dataclass(frozen=True)
class Spec:
    """What one kind of export must contain and how to clean it."""

    kind: str
    columns: tuple[str, ...]
    critical: tuple[str, ...]
    dates: tuple[str, ...]
    flags: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    year_from: str = ""
    year_column: str = ""
    rename: dict[str, str] = field(default_factory=dict)


SPECS = {
    "applications": Spec(
        "applications",
        ("ApplicationID", "StudentID", "FirstName", "LastName", "DateofBirth", "Age", "Gender", "Email",
         "PhoneNumber", "Address", "DesiredMajor", "GPA", "ApplicationDate", "Status", "ApplicationCompleted", "Notes"),
        critical=("applicationid", "studentid", "applicationdate", "applicationcompleted"),
        dates=("applicationdate", "dateofbirth"), flags=("applicationcompleted",), key=("applicationid",),
        year_from="applicationdate", year_column="received_year", rename={"status": "applicationstatus"}),
    "enrollments": Spec(
        "enrollments",
        ("StudentID", "FirstName", "LastName", "Email", "Major", "EnrollmentDate", "EnrollmentCompleted"),
        critical=("studentid", "enrollmentdate"), dates=("enrollmentdate",), flags=("enrollmentcompleted",),
        key=("studentid", "enrollmentdate"), year_from="enrollmentdate", year_column="enrollment_year"),
    "withdrawals": Spec(
        "withdrawals",
        ("StudentID", "FirstName", "LastName", "Course", "Status", "WithdrawalDate"),
        critical=("studentid", "withdrawaldate"), dates=("withdrawaldate",),
        key=("studentid", "course", "withdrawaldate"), year_from="withdrawaldate", year_column="withdrawal_year",
        rename={"status": "withdrawalstatus"}),
}
_TRUE = {"yes", "y", "true", "1", "completed"}
_FALSE = {"no", "n", "false", "0"}
_GENDER = {"f": "Female", "female": "Female", "m": "Male", "male": "Male", "non-binary": "Non-binary",
           "nonbinary": "Non-binary", "x": "Non-binary"}


def _norm(name: object) -> str:
    return "".join(str(name).split()).lower()


@dataclass
class Cleaned:
    """A normalised export: valid rows, rejected rows (with ``_reason``), duplicates removed."""

    kind: str
    rows_read: int
    valid: pd.DataFrame
    rejected: pd.DataFrame
    duplicates: int

    @property
    def reasons(self) -> dict[str, int]:
        if self.rejected.empty:
            return {}
        return {str(k): int(v) for k, v in self.rejected["_reason"].value_counts().sort_index().items()}


def read_workbook(name: str, data: bytes) -> tuple[Spec, pd.DataFrame]:
    """Find the export's kind and header row; the body as strings with normalised column names."""
    if not data.strip():
        raise BadInput(name, "the file is empty")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise BadInput(name, "not a readable .xlsx workbook (corrupt or not an Excel file)")
    try:
        grid = read_grid(name, data)  # bounded: zip bombs, entity bombs and huge sheets are refused
    except DataError as exc:
        raise BadInput(name, str(exc).removeprefix(f"{name}: ")) from None
    best: tuple[int, Spec | None, int] = (0, None, 0)
    for row in range(min(10, len(grid))):
        cells = {_norm(v) for v in grid.iloc[row].tolist() if str(v).strip()}
        for spec in SPECS.values():
            overlap = len(cells & {c.lower() for c in spec.columns})
            if overlap > best[0]:
                best = (overlap, spec, row)
    overlap, found, header_row = best
    if found is None or overlap < 3:
        raise BadInput(name, "no registrar header found in the first 10 rows (expected applications, "
                             "enrollments or withdrawals columns such as StudentID, FirstName, LastName)")
    spec = found
    header = [_norm(v) for v in grid.iloc[header_row].tolist()]
    missing = [c for c in spec.columns if c.lower() not in header]
    if missing:
        raise BadInput(name, f"{spec.kind} export is missing column(s) {', '.join(repr(c) for c in missing)}")
    body = grid.iloc[header_row + 1:].copy()
    body.columns = header
    body = body[[c.lower() for c in spec.columns]].rename(columns=spec.rename).reset_index(drop=True)
    return spec, body


def _squash(s: pd.Series) -> pd.Series:
    """Collapse runs of whitespace and trim, vectorised in Arrow (pandas' regex path is per cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(s.astype("str").where(s.notna(), None), type=pa.string())
    out = pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, pattern=r"\s+", replacement=" "))
    return pd.Series(out.to_pandas(), index=s.index, dtype="str")


def _parse_dates(s: pd.Series) -> pd.Series:
    text = s.str.slice(0, 10)
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    us = pd.to_datetime(s, format="%m/%d/%Y", errors="coerce")
    return iso.fillna(us)


def clean(spec: Spec, body: pd.DataFrame, *, now: datetime | None = None) -> Cleaned:
    """Normalise, type, validate and de-duplicate one export.

    With ``now`` (the run's clock), a row with a date after ``now`` (plus a day's tolerance) is rejected.
    """
    df = body.apply(_squash).replace("", np.nan)
    reasons = pd.Series("", index=df.index, dtype=object)

    def reject(mask: pd.Series, reason: str) -> None:
        hit = mask & (reasons == "")
        reasons[hit] = reason

    for col in spec.critical:
        reject(df[col].isna(), f"missing {col}")
    for col in ("firstname", "lastname"):
        df[col] = df[col].str.title()
    if "email" in df:
        df["email"] = df["email"].str.lower()
    if "gender" in df:
        df["gender"] = df["gender"].str.lower().map(_GENDER).fillna(df["gender"])
    df["studentid"] = df["studentid"].str.replace(r"\.0$", "", regex=True)
    reject(df["studentid"].notna() & ~df["studentid"].str.fullmatch(r"\d{4,10}", na=False), "malformed studentid")
    for col in spec.flags:
        low = df[col].str.lower()
        value = pd.Series(pd.NA, index=df.index, dtype="boolean")
        value[low.isin(_TRUE)] = True
        value[low.isin(_FALSE)] = False
        reject(df[col].notna() & value.isna(), f"{col} is not yes/no")
        df[col] = value
    for col in spec.dates:
        parsed = _parse_dates(df[col].astype("string"))
        reject(df[col].notna() & parsed.isna(), f"unparseable {col}")
        if now is not None:
            reject(parsed > future_cutoff(now), f"{col} in the future")
        df[col] = parsed.dt.normalize()
    for col, kind in (("age", "Int64"), ("gpa", "Float64")):
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(kind)
    df[spec.year_column] = pd.to_datetime(df[spec.year_from]).dt.year.astype("Int64")

    rows_read = len(df)
    bad = reasons != ""
    rejected = df[bad].assign(_reason=reasons[bad])
    valid = df[~bad]
    dup = valid.duplicated(keep="first")
    duplicates = int(dup.sum())
    valid = valid[~dup]
    if spec.key:
        clash = valid.duplicated(list(spec.key), keep="first")
        if clash.any():
            rejected = pd.concat([rejected, valid[clash].assign(_reason=f"duplicate {'+'.join(spec.key)} "
                                                                        "with different values")])
            valid = valid[~clash]
    return Cleaned(spec.kind, rows_read, valid.reset_index(drop=True), rejected.reset_index(drop=True), duplicates)
