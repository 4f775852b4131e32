"""Since when: first seen, days open, SLA and overdue; "new" counted one way by the report and the gate."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from reporting_synth import make_doc

from auditor.cli import cli
from auditor.exit_gate import decide
from auditor.reporting.aging import carry_time
from auditor.reporting.diff import diff_documents, finding_key
from auditor.reporting.model import build_report


def _by_key(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {finding_key(f): f for f in doc["findings"]}


def _at(doc: dict[str, Any], when: str, run_id: str) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["run"].update(started_at=when, finished_at=when, id=run_id)
    return out


def test_first_seen_carries_over_run_after_run() -> None:
    base = make_doc(seed=3, n_buckets=8)
    week1 = carry_time(_at(base, "2026-11-01T02:00:00Z", "w1"))
    week2 = carry_time(_at(base, "2026-11-08T02:00:00Z", "w2"), week1)
    week5 = carry_time(_at(base, "2026-11-29T02:00:00Z", "w5"), week2)  # the previous run's own first_seen
    fail = next(f for f in week5["findings"] if f["status"] == "FAIL" and f["severity"] == "high")
    assert fail["first_seen"] == "2026-11-01T02:00:00Z" and fail["last_seen"] == "2026-11-29T02:00:00Z"
    assert fail["days_open"] == 28 and fail["due"] == "2026-12-01" and fail["overdue"] is False
    crit = next(f for f in week5["findings"] if f["status"] == "FAIL" and f["severity"] == "critical")
    assert crit["due"] == "2026-11-08" and crit["overdue"] is True  # 7 days for critical
    assert all("first_seen" not in f for f in week5["findings"] if f["status"] == "PASS")
    muted = next(f for f in week5["findings"] if f["status"] == "MUTED")
    assert muted["days_open"] == 28 and "due" not in muted  # its deadline is the mute's expiry


def test_a_streak_restarts_when_the_failure_was_fixed_or_could_not_be_checked() -> None:
    before = carry_time(_at(make_doc(seed=3, n_buckets=8), "2026-11-01T02:00:00Z", "b"))
    now = _at(make_doc(seed=3, n_buckets=8), "2026-11-20T02:00:00Z", "n")
    fail = next(f for f in now["findings"] if f["status"] == "FAIL")
    prev = _by_key(before)[finding_key(fail)]
    prev["status"] = "PASS"  # fixed in between: the failure that is back is a new one
    errored = next(f for f in now["findings"] if f["status"] == "ERROR")
    _by_key(before)[finding_key(errored)]["status"] = "FAIL"  # a FAIL that now errors: a new (error) streak
    out = _by_key(carry_time(now, before))
    assert out[finding_key(fail)]["first_seen"] == "2026-11-20T02:00:00Z" and out[finding_key(fail)]["days_open"] == 0
    assert out[finding_key(errored)]["first_seen"] == "2026-11-20T02:00:00Z"
    assert "due" not in out[finding_key(errored)]


def test_sla_is_configurable_and_shown(tmp_path: Path) -> None:
    prev = _at(make_doc(seed=3, n_buckets=8), "2026-11-01T02:00:00Z", "prev")
    cur = _at(make_doc(seed=3, n_buckets=8), "2026-11-20T02:00:00Z", "cur")
    (tmp_path / "prev.json").write_text(json.dumps(prev), encoding="utf-8")
    (tmp_path / "cur.json").write_text(json.dumps(cur), encoding="utf-8")
    cfg = tmp_path / "audit.yml"
    cfg.write_text("version: 1\nreport:\n  sla_days: {high: 10}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", str(tmp_path / "cur.json"), "--baseline", str(tmp_path / "prev.json"),
                                   "--config", str(cfg), "-o", str(tmp_path / "out" / "index.html"),
                                   "--format", "html,json,csv"])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    high = [f for f in doc["findings"] if f["status"] == "FAIL" and f["severity"] == "high"]
    assert high and all(f["due"] == "2026-11-11" and f["overdue"] is True for f in high)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "findings.csv").read_text(encoding="utf-8-sig"))))
    assert {r["overdue"] for r in rows if r["status"] == "FAIL" and r["severity"] == "high"} == {"true"}
    assert {r["first_seen"] for r in rows if r["status"] == "FAIL"} == {"2026-11-01T02:00:00Z"}
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    card = html.split("Past their SLA", 1)[1].split("</div></div>", 1)[0]
    assert f'<div class="big">{sum(1 for f in doc["findings"] if f.get("overdue") is True)}</div>' in card
    assert "oldest open since 2026-11-01 (19 days)" in html
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 1\nreport:\n  sla_days: {urgent: 1}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", str(tmp_path / "cur.json"), "--config", str(bad)])
    assert res.exit_code == 2 and "bad.yml" in res.output and "urgent" in res.output


def test_new_is_the_same_for_the_report_and_the_gate() -> None:
    """Pipeline run ids and dataset versions change every run; the same check on the same thing is not new."""
    prev = make_doc(seed=4, n_buckets=10, run_id="prev")
    cur = make_doc(seed=5, n_buckets=10, run_id="cur")
    for f in cur["findings"]:  # this run's pipeline run id and published version differ from the previous one's
        if f["resource_type"] == "pipeline.run":
            f["resource_id"] = f["resource_id"].replace("2026-11-27T10-00-00Z", "2026-12-04T10-00-00Z")
    model = build_report([cur], baseline=prev)
    gate = decide(cur, fail_on="info", baseline=prev)
    assert model.diff is not None
    assert [finding_key(f) for f in model.diff.new] == [finding_key(f) for f in gate.new]
    assert len(model.diff.new) == len(diff_documents(cur, prev).new) > 0
    assert not [f for f in gate.new if f["resource_type"] == "pipeline.run"]  # the same pipeline step, not new
    assert sum(r[6] for r in model.explorer["rows"]) == len(model.diff.new)
