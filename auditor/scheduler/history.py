"""The run history: timestamped run folders, ``history.json``, pruning, the index page.

``history.json`` (newest last)::

    {"version": 1, "runs": [
      {"id": "3f2a9c1b7d10", "folder": "2026-11-27T02-00-00Z", "started_at": "...", "finished_at": "...",
       "kind": "all", "sources": ["aws", "data"], "total": 912, "by_status": {"PASS": 420, "FAIL": 490, ...},
       "failing_by_severity": {"critical": 3, ...}, "pass_rate": 0.46,
       "frameworks": {"cis-aws-6.0": {"verdict": "NOT COMPLIANT", "pass_rate": 0.61}, ...},
       "new": 4, "resolved": 1, "unchanged": 486, "exit_code": 1, "notified": ["sns"], "problems": []}]}

``frameworks`` holds each framework's verdict and share of controls passing
(``auditor.reporting.verdict``): each run's report shows them as a trend over
the kept runs, and the index page beside every run.

Only folders recorded in the history are ever deleted, and only inside the
output directory.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.core import jsonio
from auditor.core.documents import FindingsDocument
from auditor.core.errors import DataError
from auditor.reporting.atomic import write_atomic
from auditor.reporting.charts import chart_for
from auditor.reporting.html import environment
from auditor.reporting.trend import point

HISTORY = "history.json"
INDEX = "index.html"
# The report's status colours (report.css), so FAIL is red and ERROR purple in the trend too.
STATUS_COLORS = {"FAIL": "#b3261e", "ERROR": "#7c3aed", "PASS": "#137333"}


def folder_name(started: datetime, output_dir: Path, run_id: str) -> str:
    """A sortable, colon-free folder name; the run id is added only on a clash."""
    name = started.strftime("%Y-%m-%dT%H-%M-%SZ")
    return name if not (output_dir / name).exists() else f"{name}-{run_id}"


def load_history(output_dir: Path) -> list[dict[str, Any]]:
    path = output_dir / HISTORY
    if not path.exists():
        return []

    try:
        data = jsonio.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        # Fail closed: silently starting a new history would hide every regression.
        raise DataError(f"{path}: not a run history ({exc}); move it aside to start a new history") from None
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list):
        raise DataError(f"{path}: not a run history (no 'runs' list)")
    return [r for r in runs if isinstance(r, dict) and "folder" in r]


def previous_findings(output_dir: Path, history: list[dict[str, Any]]) -> FindingsDocument | None:
    """The findings document of the most recent run that still has one."""
    for entry in reversed(history):
        path = output_dir / entry["folder"] / "findings.json"
        if path.exists():
            doc: FindingsDocument = json.loads(path.read_text(encoding="utf-8"))  # a run of ours wrote it
            return doc
    return None


def record(doc: FindingsDocument, folder: str, *, sources: list[str], new: int | None, resolved: int | None,
           unchanged: int | None, exit_code: int, notified: list[str], problems: list[str],
           verdicts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The history entry of a run; ``verdicts`` maps framework id -> ``auditor.reporting.verdict.Verdict``."""
    s = doc["summary"]
    by = s["by_status"]
    decided = by["PASS"] + by["FAIL"] + by["ERROR"]
    return {"id": doc["run"]["id"], "folder": folder, "started_at": doc["run"]["started_at"],
            "finished_at": doc["run"]["finished_at"], "kind": doc["run"]["kind"], "sources": sources,
            "total": s["total"], "by_status": dict(by), "failing_by_severity": dict(s["by_severity"]),
            "pass_rate": round(by["PASS"] / decided, 4) if decided else None,
            "frameworks": point(folder, verdicts or {})["frameworks"],
            "new": new, "resolved": resolved, "unchanged": unchanged, "exit_code": exit_code,
            "notified": notified, "problems": problems}


def trend_points(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The kept runs as trend points (``auditor.reporting.trend``), oldest first; older entries without verdicts
    are left out."""
    return [{"run": str(e.get("started_at", e["folder"]))[:16], "frameworks": e["frameworks"]}
            for e in history if isinstance(e.get("frameworks"), dict) and e["frameworks"]]


def prune(output_dir: Path, history: list[dict[str, Any]], keep: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Keep the last ``keep`` runs; delete older run folders. Returns (kept, deleted folder names)."""
    kept, dropped = history[-keep:], history[:-keep] if len(history) > keep else []
    root = output_dir.resolve()
    deleted = []
    for entry in dropped:
        folder = (output_dir / entry["folder"]).resolve()
        if folder.parent == root and folder.is_dir():
            shutil.rmtree(folder)
            deleted.append(entry["folder"])
    return kept, deleted


def write_history(output_dir: Path, history: list[dict[str, Any]]) -> Path:
    return write_atomic(output_dir / HISTORY, json.dumps({"version": 1, "runs": history}, indent=2) + "\n")


def write_index(output_dir: Path, history: list[dict[str, Any]], *, title: str, generated_at: str) -> Path:
    """``OUTPUT_DIR/index.html``: every kept run, newest first, with the trend."""
    # The folder name is unique per run (two runs in one minute stay two points).
    trend_rows = [{"run": e["folder"], "status": st, "findings": e["by_status"].get(st, 0)}
                  for e in history for st in ("FAIL", "ERROR", "PASS")]
    trend = chart_for("trend", {"title": "Findings per run", "rows": trend_rows, "x": "run", "series": "status",
                                "y": "findings", "colors": STATUS_COLORS}) if len(history) > 1 else None
    html = environment().get_template("runs.html.j2").render(
        title=title, generated_at=generated_at, runs=list(reversed(history)), trend=trend)
    return write_atomic(output_dir / INDEX, html)
