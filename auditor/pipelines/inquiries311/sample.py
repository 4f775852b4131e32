"""Seeded synthetic 3-1-1 inquiry-volume export in the real portal format.

The real export (OpenData Vancouver) is UTF-8 with a BOM, ``;``-delimited,
CRLF line ends, with the columns ``Department;Type;Year Month;Channel;Number of
Records;BI_ID``. This generator reproduces that format and the story of the
original analysis: departments and channels are drawn with the shares published
for 2023 and 2024 (Phone 88% -> 68%, Chat 12% -> 32%), deprecated types carry
the ``ZZ OLD - `` prefix, ``BI_ID`` is blank from 2023 on, 2024 is a partial
year (January to October), and a few department names carry stray double quotes
(as exports seen in the wild do) for the pipeline to normalise.

Example::

    from auditor.pipelines.inquiries311.sample import generate, to_portal_csv
    frame = generate(seed=311)                 # 2023 + 2024, about 8,000 rows
    data = to_portal_csv(frame)                # bytes, exactly the portal format
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd

from auditor.pipelines.inquiries311.shares import CHANNEL_SHARES, DEPARTMENT_SHARES
from auditor.pipelines.samples.reproducible import reproducible_xlsx

COLUMNS = ["Department", "Type", "Year Month", "Channel", "Number of Records", "BI_ID"]
CHANNELS = tuple(CHANNEL_SHARES)
# Yearly inquiry volume of the synthetic city (2024 is a partial, ten-month extract).
YEAR_VOLUME = 620_000
_SUBJECTS = ("Account", "Permit", "Schedule", "Complaint", "Application", "Payment", "Service Request",
             "Program", "Bylaw", "Inspection", "Booking", "Refund", "Information", "Renewal", "Report")


def _shares(year: int) -> tuple[np.ndarray, np.ndarray]:
    col = 0 if year <= 2023 else 1
    dept = np.array([v[col] for v in DEPARTMENT_SHARES.values()], dtype=float)
    chan = np.array([v[col] for v in CHANNEL_SHARES.values()], dtype=float)
    return dept / dept.sum(), chan / chan.sum()


def _types(rng: np.random.Generator, types_per_department: int) -> dict[str, list[tuple[str, float]]]:
    """Inquiry types per department with their weight inside the department."""
    out: dict[str, list[tuple[str, float]]] = {}
    for dept in DEPARTMENT_SHARES:
        area = dept.split(" - ", 1)[-1]
        n = max(1, int(rng.integers(1, types_per_department * 2)))
        subjects = rng.choice(_SUBJECTS, size=min(n, len(_SUBJECTS)), replace=False)
        weights = rng.dirichlet(np.ones(len(subjects)) * 2.0)
        types = [(f"{area} {s} Inquiry", float(w)) for s, w in zip(subjects, weights, strict=True)]
        if rng.random() < 0.25:  # a deprecated type still carrying a little volume
            types.append((f"ZZ OLD - {area} {rng.choice(_SUBJECTS)} Request", 0.01))
        out[dept] = types
    return out


def generate(seed: int = 311, years: Sequence[int] = (2023, 2024), *, types_per_department: int = 2,
             volume: int = YEAR_VOLUME, stray_quote_rate: float = 0.01) -> pd.DataFrame:
    """A deterministic synthetic export (same seed, same rows) as a string-typed frame."""
    rng = np.random.default_rng(seed)
    types = _types(rng, types_per_department)
    rows: list[tuple[str, str, str, str, int, str]] = []
    bi_id = 9000
    for year in years:
        months = range(1, 11) if year == 2024 else range(1, 13)
        dept_share, chan_share = _shares(year)
        for d_idx, dept in enumerate(DEPARTMENT_SHARES):
            if dept_share[d_idx] == 0:
                continue
            for type_name, t_weight in types[dept]:
                for month in months:
                    # Seasonality: a mild yearly wave so months differ.
                    season = 1.0 + 0.15 * np.sin(2 * np.pi * (month - 3) / 12)
                    expected = volume / 12 * dept_share[d_idx] * t_weight * season * chan_share
                    counts = rng.poisson(expected)
                    for c_idx, n in enumerate(counts):
                        if n <= 0:  # the portal has no zero rows
                            continue
                        bi_id += 1
                        rows.append((dept, type_name, f"{year}-{month:02d}", CHANNELS[c_idx], int(n),
                                     "" if year >= 2023 else str(bi_id)))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    order = rng.permutation(len(frame))
    frame = frame.iloc[order].reset_index(drop=True)
    if stray_quote_rate > 0 and len(frame):
        hit = rng.random(len(frame)) < stray_quote_rate
        frame.loc[hit, "Department"] = '"' + frame.loc[hit, "Department"].astype(str)
    frame["Number of Records"] = frame["Number of Records"].astype(str)
    return frame


def to_portal_csv(frame: pd.DataFrame) -> bytes:
    """The portal's bytes: UTF-8 with BOM, ``;``, CRLF, no quoting (stray quotes stay literal)."""
    lines = [";".join(COLUMNS)]
    for row in frame[COLUMNS].astype(str).itertuples(index=False, name=None):
        lines.append(";".join(row))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def to_xlsx(frame: pd.DataFrame) -> bytes:
    """The same export as an .xlsx workbook (one sheet, numbers as numbers); same frame, same bytes."""
    out = frame.copy()
    out["Number of Records"] = pd.to_numeric(out["Number of Records"])
    out["BI_ID"] = pd.to_numeric(out["BI_ID"].replace("", None))
    buf = io.BytesIO()
    out.to_excel(buf, index=False, sheet_name="311 Inquiry Volume", engine="openpyxl")
    return reproducible_xlsx(buf.getvalue())


def sample_files(seed: int = 311) -> dict[str, bytes]:
    """The bundled sample: one portal CSV per year, named like the portal downloads."""
    frame = generate(seed)
    out = {}
    for year in (2023, 2024):
        part = frame[frame["Year Month"].str.startswith(str(year))]
        out[f"{year}/3-1-1-inquiry-volume-{year}.csv"] = to_portal_csv(part)
    return out
