"""Metric tables -> inline SVG chart geometry (rendered by the templates).

A metric table is a list of row objects, e.g. the registrar's ACR per year
``[{"received_year": 2019, "acr": 0.91}, ...]`` or the 3-1-1 share per
department ``[{"received_year": 2019, "department": "Roads", "share": 0.21}, ...]``.

The axes are inferred (an explicit spec wins, see ``chart_for``):

- x: a column named like ``*year*``/``*date*``/``*month*``, else the first column;
- series: the text columns other than x, joined (one line per value), if any;
- y: a numeric column named like a measure (``share``, ``pct``, ``rate``,
  ``acr``...), else the numeric column with the largest values (the count).

One series gives a bar chart, several give a line chart (top ``MAX_SERIES`` by
their latest value; the full table is always shown beside the chart). Only
numbers and short labels leave this module; the template escapes every label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

WIDTH, HEIGHT = 640, 260
PAD_L, PAD_R, PAD_T, PAD_B = 56, 16, 16, 40
MAX_SERIES = 8
MAX_TABLE_ROWS = 200
# Colour-blind-safe palette (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


@dataclass
class Chart:
    """Geometry for one chart plus the table it was drawn from."""

    name: str
    title: str
    kind: str  # "bar" | "line" | "table"
    x: str
    y: str
    series_key: str | None
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    y_ticks: list[dict[str, Any]] = field(default_factory=list)
    x_labels: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    rows_more: int = 0
    note: str = ""


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= v:
            return float(m * exp)
    return float(10 * exp)


_MEASURE_HINTS = ("share", "pct", "percent", "rate", "ratio", "acr")


def _infer(rows: list[dict[str, Any]], spec: dict[str, Any]) -> tuple[str, str | None, str] | None:
    cols = list(rows[0])
    x = spec.get("x") or next((c for c in cols if any(t in c.lower() for t in ("year", "date", "month"))), cols[0])
    series = spec.get("series")
    if series is None:
        texts = [c for c in cols if c != x and all(isinstance(r.get(c), str) for r in rows)
                 and any(r.get(c) for r in rows)]
        series = " / ".join(texts) if texts else None
    y = spec.get("y")
    if not y:
        numeric = [c for c in cols if c != x and all(_is_num(r.get(c)) for r in rows)]
        hinted = [c for c in numeric if any(h in c.lower() for h in _MEASURE_HINTS)]
        # A named measure (share, rate, ACR) first; otherwise the largest column, usually the count.
        y = hinted[0] if hinted else max(numeric, key=lambda c: max(abs(float(r[c])) for r in rows), default=None)
    return (x, series, y) if y else None


def _series_label(row: dict[str, Any], key: str) -> str:
    return " / ".join(str(row.get(k.strip(), "")) for k in key.split(" / "))


def chart_for(name: str, table: Any) -> Chart | None:
    """A chart for a metric table: a list of rows, or ``{"title", "rows", "x", "y", "series", "colors"}``.

    ``colors`` (optional) maps a series value to its colour, e.g. ``{"FAIL": "#b3261e"}``.
    """
    spec: dict[str, Any] = table if isinstance(table, dict) else {"rows": table}
    rows = [r for r in spec.get("rows") or [] if isinstance(r, dict)]
    title = str(spec.get("title") or name.replace("_", " "))
    if not rows:
        return None
    columns = list(dict.fromkeys(k for r in rows for k in r))
    shown = rows[:MAX_TABLE_ROWS]
    chart = Chart(name, title, "table", "", "", None, columns=[str(c) for c in columns],
                  rows=[[_fmt(r.get(c, "")) for c in columns] for r in shown], rows_more=len(rows) - len(shown))
    axes = _infer(rows, spec)
    if axes is None:
        chart.note = "no numeric column to chart"
        return chart
    chart.x, chart.series_key, chart.y = axes[0], axes[1], axes[2]
    xs = list(dict.fromkeys(str(r.get(chart.x)) for r in rows))
    values = [float(r[chart.y]) for r in rows]
    lo = min(0.0, min(values))
    hi = _nice_max(max(values)) if max(values) > 0 else 1.0
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def sy(v: float) -> float:
        return round(PAD_T + plot_h * (1 - (v - lo) / ((hi - lo) or 1)), 1)

    chart.y_ticks = [{"y": sy(lo + (hi - lo) * i / 4), "label": _fmt(lo + (hi - lo) * i / 4)} for i in range(5)]
    step = plot_w / max(len(xs), 1)
    # Keep x labels legible: as many as fit side by side at ~6.5 px per character.
    fit = max(1, int(plot_w // (6.5 * max(len(x) for x in xs) + 8)))
    every = max(1, math.ceil(len(xs) / fit))
    chart.x_labels = [{"x": round(PAD_L + step * (i + 0.5), 1), "label": x}
                      for i, x in enumerate(xs) if i % every == 0]
    if chart.series_key is None:
        chart.kind = "bar"
        by_x = {str(r.get(chart.x)): float(r[chart.y]) for r in rows}
        for i, x in enumerate(xs):
            v = by_x[x]
            top, base = sy(max(v, 0)), sy(min(v, 0))
            chart.bars.append({"x": round(PAD_L + step * i + step * 0.15, 1), "y": top, "w": round(step * 0.7, 1),
                               "h": round(max(base - top, 0.5), 1), "label": f"{x}: {_fmt(v)}"})
        return chart
    chart.kind = "line"
    given = spec.get("colors")
    colors: dict[str, Any] = given if isinstance(given, dict) else {}
    series: dict[str, dict[str, float]] = {}
    for r in rows:
        series.setdefault(_series_label(r, chart.series_key), {})[str(r.get(chart.x))] = float(r[chart.y])
    ranked = sorted(series, key=lambda s: -series[s][max(series[s], key=xs.index)])
    if len(ranked) > MAX_SERIES:
        chart.note = f"top {MAX_SERIES} of {len(ranked)} {chart.series_key} values by latest {chart.y}; all in the table"
    for n, s in enumerate(ranked[:MAX_SERIES]):
        pts = [(round(PAD_L + step * (xs.index(x) + 0.5), 1), sy(v), f"{s} {x}: {_fmt(v)}")
               for x, v in sorted(series[s].items(), key=lambda kv: xs.index(kv[0]))]
        # A spec may fix a series' colour (a status keeps its colour in every chart: FAIL red, PASS green).
        chart.lines.append({"name": s, "color": str(colors.get(s) or PALETTE[n % len(PALETTE)]),
                            "points": " ".join(f"{px},{py}" for px, py, _ in pts),
                            "dots": [{"x": px, "y": py, "label": lab} for px, py, lab in pts]})
    return chart
