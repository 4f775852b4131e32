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
    """(x, series, y) for ``rows``; an explicit spec wins; None without a numeric column to chart."""
    cols = list(rows[0])
    x = spec.get("x") or next((c for c in cols if any(t in c.lower() for t in ("year", "date", "month"))), cols[0])
    series = spec.get("series")
    if series is None:
        series = _text_series(rows, cols, x)
    y = spec.get("y") or _measure(rows, cols, x)
    return (x, series, y) if y else None


def _text_series(rows: list[dict[str, Any]], cols: list[str], x: str) -> str | None:
    """The text columns other than x (with some value), joined: one line per value; None without any."""
    texts = [c for c in cols if c != x and all(isinstance(r.get(c), str) for r in rows)
             and any(r.get(c) for r in rows)]
    return " / ".join(texts) if texts else None


def _measure(rows: list[dict[str, Any]], cols: list[str], x: str) -> str | None:
    """The y column: a named measure (share, rate, ACR) first; otherwise the largest, usually the count."""
    numeric = [c for c in cols if c != x and all(_is_num(r.get(c)) for r in rows)]
    hinted = [c for c in numeric if any(h in c.lower() for h in _MEASURE_HINTS)]
    if hinted:
        return hinted[0]
    return max(numeric, key=lambda c: max(abs(float(r[c])) for r in rows), default=None)


def _series_label(row: dict[str, Any], key: str) -> str:
    return " / ".join(str(row.get(k.strip(), "")) for k in key.split(" / "))


@dataclass
class _Frame:
    """The plot area: x categories in first-seen order, and the y range from 0 (or below) to a nice maximum."""

    xs: list[str]
    lo: float
    hi: float
    plot_w: float = WIDTH - PAD_L - PAD_R
    plot_h: float = HEIGHT - PAD_T - PAD_B

    @classmethod
    def of(cls, rows: list[dict[str, Any]], x: str, y: str) -> _Frame:
        values = [float(r[y]) for r in rows]
        return cls(list(dict.fromkeys(str(r.get(x)) for r in rows)), min(0.0, min(values)),
                   _nice_max(max(values)) if max(values) > 0 else 1.0)

    @property
    def step(self) -> float:
        """The width of one x category."""
        return self.plot_w / max(len(self.xs), 1)

    def sy(self, v: float) -> float:
        """The SVG y coordinate of value ``v``."""
        return round(PAD_T + self.plot_h * (1 - (v - self.lo) / ((self.hi - self.lo) or 1)), 1)

    def center(self, x: str) -> float:
        """The SVG x coordinate of the middle of category ``x``."""
        return round(PAD_L + self.step * (self.xs.index(x) + 0.5), 1)

    def y_ticks(self) -> list[dict[str, Any]]:
        span = self.hi - self.lo
        return [{"y": self.sy(self.lo + span * i / 4), "label": _fmt(self.lo + span * i / 4)} for i in range(5)]

    def x_labels(self) -> list[dict[str, Any]]:
        # Keep x labels legible: as many as fit side by side at ~6.5 px per character.
        fit = max(1, int(self.plot_w // (6.5 * max(len(x) for x in self.xs) + 8)))
        every = max(1, math.ceil(len(self.xs) / fit))
        return [{"x": round(PAD_L + self.step * (i + 0.5), 1), "label": x}
                for i, x in enumerate(self.xs) if i % every == 0]


def chart_for(name: str, table: Any) -> Chart | None:
    """A chart for a metric table: a list of rows, or ``{"title", "rows", "x", "y", "series", "colors"}``.

    ``colors`` (optional) maps a series value to its colour, e.g. ``{"FAIL": "#b3261e"}``.
    """
    spec: dict[str, Any] = table if isinstance(table, dict) else {"rows": table}
    rows = [r for r in spec.get("rows") or [] if isinstance(r, dict)]
    if not rows:
        return None
    chart = _table(name, str(spec.get("title") or name.replace("_", " ")), rows)
    axes = _infer(rows, spec)
    if axes is None:
        chart.note = "no numeric column to chart"
        return chart
    chart.x, chart.series_key, chart.y = axes[0], axes[1], axes[2]
    frame = _Frame.of(rows, chart.x, chart.y)
    chart.y_ticks = frame.y_ticks()
    chart.x_labels = frame.x_labels()
    if chart.series_key is None:
        _draw_bars(chart, rows, frame)
    else:
        given = spec.get("colors")
        _draw_lines(chart, chart.series_key, rows, frame, given if isinstance(given, dict) else {})
    return chart


def _table(name: str, title: str, rows: list[dict[str, Any]]) -> Chart:
    """The table every chart shows beside it (the first ``MAX_TABLE_ROWS`` rows); a chart of kind "table"."""
    columns = list(dict.fromkeys(k for r in rows for k in r))
    shown = rows[:MAX_TABLE_ROWS]
    return Chart(name, title, "table", "", "", None, columns=[str(c) for c in columns],
                 rows=[[_fmt(r.get(c, "")) for c in columns] for r in shown], rows_more=len(rows) - len(shown))


def _draw_bars(chart: Chart, rows: list[dict[str, Any]], frame: _Frame) -> None:
    """One series: one bar per x (the last row of an x wins)."""
    chart.kind = "bar"
    by_x = {str(r.get(chart.x)): float(r[chart.y]) for r in rows}
    step = frame.step
    for i, x in enumerate(frame.xs):
        v = by_x[x]
        top, base = frame.sy(max(v, 0)), frame.sy(min(v, 0))
        chart.bars.append({"x": round(PAD_L + step * i + step * 0.15, 1), "y": top, "w": round(step * 0.7, 1),
                           "h": round(max(base - top, 0.5), 1), "label": f"{x}: {_fmt(v)}"})


def _draw_lines(chart: Chart, series_key: str, rows: list[dict[str, Any]], frame: _Frame,
                colors: dict[str, Any]) -> None:
    """Several series: one line each, the top ``MAX_SERIES`` by their latest value."""
    chart.kind = "line"
    series: dict[str, dict[str, float]] = {}
    for r in rows:
        series.setdefault(_series_label(r, series_key), {})[str(r.get(chart.x))] = float(r[chart.y])
    ranked = sorted(series, key=lambda s: -series[s][max(series[s], key=frame.xs.index)])
    if len(ranked) > MAX_SERIES:
        chart.note = f"top {MAX_SERIES} of {len(ranked)} {series_key} values by latest {chart.y}; all in the table"
    for n, s in enumerate(ranked[:MAX_SERIES]):
        pts = [(frame.center(x), frame.sy(v), f"{s} {x}: {_fmt(v)}")
               for x, v in sorted(series[s].items(), key=lambda kv: frame.xs.index(kv[0]))]
        # A spec may fix a series' colour (a status keeps its colour in every chart: FAIL red, PASS green).
        chart.lines.append({"name": s, "color": str(colors.get(s) or PALETTE[n % len(PALETTE)]),
                            "points": " ".join(f"{px},{py}" for px, py, _ in pts),
                            "dots": [{"x": px, "y": py, "label": lab} for px, py, lab in pts]})
