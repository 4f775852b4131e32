"""Each framework's verdict and pass rate over the kept runs, for the report's trend section.

Points come from the run history (``auditor run`` records each run's
verdicts in ``history.json``: ``frameworks: {id: {verdict, pass_rate}}``), or,
for ``auditor report --baseline``, from the baseline and this run. Runs
recorded before verdicts were kept are skipped, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.reporting.charts import Chart, chart_for

MAX_POINTS = 30


@dataclass
class TrendRow:
    framework: str
    title: str
    points: list[tuple[str, str, float | None]] = field(default_factory=list)  # (run label, verdict, pass rate)


@dataclass
class Trend:
    runs: list[str]
    rows: list[TrendRow]
    chart: Chart | None


def point(label: str, verdicts: Mapping[str, Any]) -> dict[str, Any]:
    """One trend point from a run's verdicts (``{fw: Verdict}`` or history's ``{fw: {verdict, pass_rate}}``)."""
    fws: dict[str, dict[str, Any]] = {}
    for fw, v in verdicts.items():
        if isinstance(v, Mapping):
            fws[fw] = {"verdict": str(v.get("verdict", "")), "pass_rate": v.get("pass_rate")}
        else:
            rate = v.pass_rate
            fws[fw] = {"verdict": v.verdict, "pass_rate": round(rate, 4) if rate is not None else None}
    return {"run": label, "frameworks": fws}


def trend(points: Sequence[Mapping[str, Any]], titles: Mapping[str, str]) -> Trend | None:
    """The trend over ``points`` (oldest first, the last ``MAX_POINTS``); None with fewer than two."""
    usable = [p for p in points if isinstance(p.get("frameworks"), Mapping) and p["frameworks"]][-MAX_POINTS:]
    if len(usable) < 2:
        return None
    fws = sorted({fw for p in usable for fw in p["frameworks"]}, key=lambda fw: (titles.get(fw, fw), fw))
    rows = []
    for fw in fws:
        pts = []
        for p in usable:
            v = p["frameworks"].get(fw)
            rate = v.get("pass_rate") if isinstance(v, Mapping) else None
            pts.append((str(p["run"]), str(v.get("verdict", "")) if isinstance(v, Mapping) else "",
                        float(rate) if isinstance(rate, int | float) else None))
        rows.append(TrendRow(fw, titles.get(fw, fw), pts))
    chart_rows = [{"run": label, "framework": r.framework, "controls passing (%)": round(rate * 100, 1)}
                  for r in rows for label, _, rate in r.points if rate is not None]
    chart = chart_for("framework_trend", {"title": "Controls passing per run, by framework", "rows": chart_rows,
                                          "x": "run", "series": "framework", "y": "controls passing (%)"}) \
        if chart_rows else None
    return Trend([str(p["run"]) for p in usable], rows, chart)
