"""Metric exports: one CSV per table and one .xlsx workbook with native bar charts.

The original users worked in Excel, so every chart is a real Excel chart
(openpyxl ``BarChart``) over the data on its own sheet, not a picture::

    export_metrics({"channel_share": frame}, Path("out"), "inquiries-311",
                   charts=[Chart("Channel share", pivot, "% of the year's inquiries")],
                   protect=[Path("3-1-1-inquiry-volume.csv")])

The tables carry values from the input files (a department, a program name), so
every cell goes through :mod:`auditor.core.cellsafe`: a department called
``=HYPERLINK(...)`` is text in the CSV (leading apostrophe) and a string cell in
the workbook, never a formula. An export never replaces a file of ``protect``
(the run's inputs), whatever path spells it (``./x``, a symlink, a hard link).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from auditor.core.cellsafe import CSV_LINE_END, neutralise_frame, xlsx_row
from auditor.core.samefile import refuse_overwrite
from auditor.reporting.atomic import write_atomic


@dataclass
class Chart:
    """A bar chart: ``frame``'s first column gives the categories, the others one series each."""

    title: str
    frame: pd.DataFrame
    y_title: str = ""
    x_title: str = ""


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name)[:31] or "Sheet"
    out, n = base, 2
    while out.lower() in used:
        suffix = f" {n}"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(out.lower())
    return out


def _append_frame(ws: Any, frame: pd.DataFrame) -> None:
    """The header row, then one row per record; text as string cells, never formulas."""
    from openpyxl.utils.dataframe import dataframe_to_rows

    for row in dataframe_to_rows(frame.astype(object).where(frame.notna(), None), index=False, header=True):
        ws.append(xlsx_row(ws, row))


def workbook_bytes(metrics: dict[str, pd.DataFrame], charts: list[Chart]) -> bytes:
    """The metrics workbook: one sheet per table, then one sheet per chart (data + bar chart).

    Pass aggregate tables only: row-level tables belong in CSV (Excel is for the figures)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook(write_only=True)  # streams rows: a few thousand rows per sheet stay fast
    used: set[str] = set()
    for name, frame in metrics.items():
        ws = wb.create_sheet(_sheet_name(name, used))
        _append_frame(ws, frame)
    for chart in charts:
        ws = wb.create_sheet(_sheet_name(chart.title, used))
        frame = chart.frame
        _append_frame(ws, frame)
        n_rows, n_cols = len(frame), len(frame.columns)
        if n_rows == 0 or n_cols < 2:
            continue
        bar = BarChart()
        bar.type = "col"
        bar.title = chart.title
        bar.y_axis.title = chart.y_title
        bar.x_axis.title = chart.x_title
        bar.height, bar.width = 9, max(16, min(40, 1.2 * n_rows))
        data = Reference(ws, min_col=2, max_col=n_cols, min_row=1, max_row=n_rows + 1)
        cats = Reference(ws, min_col=1, min_row=2, max_row=n_rows + 1)
        bar.add_data(data, titles_from_data=True)
        bar.set_categories(cats)
        ws.add_chart(bar, f"{chr(ord('A') + min(n_cols, 20) + 1)}2")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_paths(metrics: dict[str, pd.DataFrame], outdir: Path, pipeline: str) -> list[Path]:
    """The files :func:`export_metrics` writes, in order (the CSVs, then the workbook)."""
    return [*(outdir / f"{name}.csv" for name in metrics), outdir / f"{pipeline}-metrics.xlsx"]


def export_metrics(metrics: dict[str, pd.DataFrame], outdir: Path, pipeline: str,
                   charts: list[Chart], row_level: frozenset[str] = frozenset(),
                   protect: Iterable[Path] = ()) -> list[Path]:
    """Write ``<outdir>/<name>.csv`` for every table and ``<outdir>/<pipeline>-metrics.xlsx``
    (without the ``row_level`` tables, e.g. the one-row-per-student curated view).

    Nothing is written when one of these files is a ``protect`` file (exit 2)."""
    inputs = list(protect)
    for target in export_paths(metrics, outdir, pipeline):
        refuse_overwrite(target, inputs, "this export")
    written = []
    for name, frame in metrics.items():
        text = neutralise_frame(frame).to_csv(index=False, lineterminator=CSV_LINE_END)
        written.append(write_atomic(outdir / f"{name}.csv", text))
    aggregates = {k: v for k, v in metrics.items() if k not in row_level}
    written.append(write_atomic(outdir / f"{pipeline}-metrics.xlsx", workbook_bytes(aggregates, charts)))
    return written
