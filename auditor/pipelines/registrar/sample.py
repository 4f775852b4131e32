"""Seeded synthetic registrar exports: applications, enrollments, withdrawals (.xlsx).

The registrar's data is private, so the sample is synthesised with the columns
of the original projects and the dirt real exports have:

- an extra title row above the header;
- exact and near duplicates (the same record with other case or whitespace);
- blank critical fields (student id, received date, completion flag);
- mixed case and stray whitespace (``yes``, `` YES ``, ``female``);
- dates in two formats (``2022-03-14`` and ``03/14/2022``);
- PII: names, email, phone, date of birth, address, free-text notes.

Completion is drawn with probability 0.9 for 2022 and 0.3 for 2023, so the
pipeline's computed ACR comes out near 90% and 30%; no ACR is written anywhere.

The files are byte-identical for a given seed (no write time inside the
workbooks), so landing the sample again is a no-op.

Example::

    files = sample_files(seed=2022)      # {"historic-enrollment-data/applications.xlsx": b"...", ...}
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

from auditor.pipelines.samples.reproducible import reproducible_xlsx

COMPLETION_RATE = {2022: 0.9, 2023: 0.3}
APPLICATION_COLUMNS = ["ApplicationID", "StudentID", "FirstName", "LastName", "DateofBirth", "Age", "Gender",
                       "Email", "PhoneNumber", "Address", "DesiredMajor", "GPA", "ApplicationDate", "Status",
                       "ApplicationCompleted", "Notes"]
ENROLLMENT_COLUMNS = ["StudentID", "FirstName", "LastName", "Email", "Major", "EnrollmentDate", "EnrollmentCompleted"]
WITHDRAWAL_COLUMNS = ["StudentID", "FirstName", "LastName", "Course", "Status", "WithdrawalDate"]
_FIRST = ("Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Maya", "Lucas", "Chloe",
          "Ethan", "Aisha", "Mateo", "Priya", "Wei", "Fatima", "Jacob", "Hannah", "Arjun", "Zoe", "Daniel",
          "Mei", "Omar", "Isabella", "Samuel", "Leah", "Ravi", "Grace", "Kenji")
_LAST = ("Smith", "Nguyen", "Patel", "Brown", "Tremblay", "Martin", "Roy", "Wilson", "Singh", "Chen", "Lee",
         "Gagnon", "Taylor", "Wong", "Campbell", "Anderson", "Kim", "Li", "Macdonald", "Garcia", "Khan",
         "Thompson", "Morin", "Young", "Clarke")
_MAJORS = ("Computer Science", "Biology", "Economics", "Psychology", "Nursing", "History", "Mathematics",
           "Business", "Engineering", "Fine Arts")
_COURSES = ("CS101", "BIO110", "ECO201", "PSY100", "MAT120", "HIS210", "BUS150", "ENG105")
_STREETS = ("Main St", "Granville St", "Oak Ave", "Cambie St", "Kingsway", "Broadway", "Commercial Dr", "Fraser St")


def _dates(rng: np.random.Generator, year: int, n: int, month_lo: int = 1, month_hi: int = 12) -> pd.Series:
    start = pd.Timestamp(year=year, month=month_lo, day=1)
    end = pd.Timestamp(year=year, month=month_hi, day=28)
    days = rng.integers(0, (end - start).days + 1, size=n)
    return pd.Series(start + pd.to_timedelta(days, unit="D"))


def _two_formats(rng: np.random.Generator, dates: pd.Series) -> pd.Series:
    iso = dates.dt.strftime("%Y-%m-%d")
    us = dates.dt.strftime("%m/%d/%Y")
    return pd.Series(np.where(rng.random(len(dates)) < 0.35, us, iso))


def _phone(rng: np.random.Generator, n: int) -> list[str]:
    a, b, c = rng.integers(200, 999, n), rng.integers(200, 999, n), rng.integers(1000, 9999, n)
    forms = rng.integers(0, 3, n)
    out = []
    for i in range(n):
        out.append((f"({a[i]}) {b[i]}-{c[i]}", f"{a[i]}-{b[i]}-{c[i]}", f"+1 {a[i]} {b[i]} {c[i]}")[forms[i]])
    return out


def generate(seed: int = 2022, applications_per_year: int = 1200,
             years: tuple[int, ...] = (2022, 2023)) -> dict[str, pd.DataFrame]:
    """Clean applications/enrollments/withdrawals frames before dirt (the generator's truth)."""
    rng = np.random.default_rng(seed)
    n = applications_per_year * len(years)
    digits = 4 if n <= 8000 else 7
    lo = 10 ** (digits - 1)
    ids = rng.choice(np.arange(lo, 10 * lo), size=n, replace=False).astype(str)
    first = rng.choice(_FIRST, n)
    last = rng.choice(_LAST, n)
    year = np.repeat(np.array(years), applications_per_year)
    received = pd.concat([_dates(rng, y, applications_per_year) for y in years], ignore_index=True)
    completed = rng.random(n) < np.vectorize(COMPLETION_RATE.get)(year, 0.5)
    age = rng.integers(18, 26, n)
    dob = received - pd.to_timedelta(age * 365 + rng.integers(0, 364, n), unit="D")
    phones = _phone(rng, n)
    status = np.where(completed, rng.choice(["Accepted", "Rejected"], n, p=[0.8, 0.2]),
                      rng.choice(["Pending", "Incomplete"], n))
    apps = pd.DataFrame({
        "ApplicationID": [f"APP-{i:06d}" for i in range(1, n + 1)],
        "StudentID": ids, "FirstName": first, "LastName": last,
        "DateofBirth": dob.dt.strftime("%Y-%m-%d"), "Age": age,
        "Gender": rng.choice(["Female", "Male", "Non-binary"], n, p=[0.52, 0.45, 0.03]),
        "Email": [f"{f.lower()}.{la.lower()}{i % 97}@example.org" for i, (f, la) in enumerate(zip(first, last, strict=True))],
        "PhoneNumber": phones,
        "Address": [f"{rng.integers(10, 9999)} {rng.choice(_STREETS)}, Vancouver, BC V{rng.integers(5, 7)}"
                    f"{chr(65 + int(rng.integers(0, 26)))} {rng.integers(1, 9)}{chr(65 + int(rng.integers(0, 26)))}"
                    f"{rng.integers(1, 9)}" for _ in range(n)],
        "DesiredMajor": rng.choice(_MAJORS, n),
        "GPA": np.round(rng.uniform(2.0, 4.0, n), 2),
        "ApplicationDate": received,
        "Status": status,
        "ApplicationCompleted": np.where(completed, "Yes", "No"),
        "Notes": [f"Called {f} {la} back at {p} about the transcript." if rng.random() < 0.4 else ""
                  for f, la, p in zip(first, last, phones, strict=True)],
    })
    enrolled = apps[(apps["Status"] == "Accepted")].copy()
    enrolled = enrolled[rng.random(len(enrolled)) < 0.85]
    enr_year = enrolled["ApplicationDate"].dt.year
    enrollments = pd.DataFrame({
        "StudentID": enrolled["StudentID"], "FirstName": enrolled["FirstName"], "LastName": enrolled["LastName"],
        "Email": enrolled["Email"], "Major": enrolled["DesiredMajor"],
        "EnrollmentDate": [pd.Timestamp(year=int(y), month=9, day=int(d)) for y, d in
                           zip(enr_year, rng.integers(1, 15, len(enrolled)), strict=True)],
        "EnrollmentCompleted": np.where(rng.random(len(enrolled)) < 0.97, "Yes", "No"),
    }).reset_index(drop=True)
    w_rate = np.where(enrollments["EnrollmentDate"].dt.year == years[0], 0.08, 0.12)
    leaving = enrollments[rng.random(len(enrollments)) < w_rate]
    withdrawals = pd.DataFrame({
        "StudentID": leaving["StudentID"], "FirstName": leaving["FirstName"], "LastName": leaving["LastName"],
        "Course": rng.choice(_COURSES, len(leaving)),
        "Status": rng.choice(["Approved", "Pending"], len(leaving), p=[0.9, 0.1]),
        "WithdrawalDate": [d + pd.Timedelta(days=int(k)) for d, k in
                           zip(leaving["EnrollmentDate"], rng.integers(20, 90, len(leaving)), strict=True)],
    }).reset_index(drop=True)
    return {"applications": apps, "enrollments": enrollments, "withdrawals": withdrawals}


def dirty(frame: pd.DataFrame, rng: np.random.Generator, *, critical: tuple[str, ...], date_columns: tuple[str, ...],
          flag_columns: tuple[str, ...] = (), dup_rate: float = 0.04, blank_rate: float = 0.03) -> pd.DataFrame:
    """The frame as a real export: text dates in two formats, mixed case, blanks, duplicates."""
    out = frame.copy()
    for col in date_columns:
        out[col] = _two_formats(rng, pd.to_datetime(out[col]))
    for col in flag_columns:
        variants = {"Yes": ["Yes", "yes", "YES", " Yes "], "No": ["No", "no", "NO", "No "]}
        pick = rng.integers(0, 4, len(out))
        out[col] = [variants[v][k] for v, k in zip(out[col], pick, strict=True)]
    for col in ("FirstName", "LastName"):
        if col in out:
            case = rng.random(len(out))
            out[col] = np.where(case < 0.05, out[col].str.upper(),
                                np.where(case < 0.1, out[col].str.lower() + "  ", out[col]))
    out = out.astype(object)
    blanks = rng.random(len(out)) < blank_rate
    cols = rng.choice(list(critical), len(out))
    for i in np.flatnonzero(blanks):
        out.iat[i, out.columns.get_loc(cols[i])] = ""
    dups = out[rng.random(len(out)) < dup_rate].copy()
    if "FirstName" in dups:  # near duplicates: same record, other whitespace/case
        dups["FirstName"] = dups["FirstName"].astype(str).str.upper().str.pad(1) + " "
    out = pd.concat([out, dups], ignore_index=True)
    return out.iloc[rng.permutation(len(out))].reset_index(drop=True)


def xlsx_with_title(frame: pd.DataFrame, title: str, sheet: str) -> bytes:
    """An .xlsx with a title row above the header (the 'extra header row' of real exports); same frame, same bytes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([title])
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible_xlsx(buf.getvalue())


def _cell(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


LANDING_FOLDERS = {"applications": "historic-enrollment-data", "enrollments": "Total-enrollments",
                   "withdrawals": "withdrawal_request"}


def sample_files(seed: int = 2022, applications_per_year: int = 1200) -> dict[str, bytes]:
    """The bundled sample as landing files: ``<folder>/<kind>.xlsx`` -> bytes."""
    rng = np.random.default_rng(seed + 1)
    clean = generate(seed, applications_per_year)
    specs = {
        "applications": dict(critical=("ApplicationID", "StudentID", "ApplicationDate", "ApplicationCompleted"),
                             date_columns=("ApplicationDate",), flag_columns=("ApplicationCompleted",)),
        "enrollments": dict(critical=("StudentID", "EnrollmentDate"), date_columns=("EnrollmentDate",),
                            flag_columns=("EnrollmentCompleted",)),
        "withdrawals": dict(critical=("StudentID", "WithdrawalDate"), date_columns=("WithdrawalDate",)),
    }
    out = {}
    for kind, spec in specs.items():
        frame = dirty(clean[kind], rng, **spec)  # type: ignore[arg-type]
        out[f"{LANDING_FOLDERS[kind]}/{kind}.xlsx"] = xlsx_with_title(
            frame, f"Registrar Office - {kind.title()} export", kind.title())
    return out
