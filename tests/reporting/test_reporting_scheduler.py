"""``auditor run --config audit.yml``: run folders, history with trend, pruning, alerts.

Findings come from a pluggable source (the built-in ``findings`` source over
files the test writes, or a source registered here), so the run loop is tested
without the AWS, data or pipeline layers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from reporting_synth import PLANTED_PII, make_doc

from auditor.cli import cli
from auditor.core.context import RunContext
from auditor.core.errors import DataError, NotAvailableError, UsageError
from auditor.scheduler.scheduled_run import run_scheduled
from auditor.scheduler.sources import Source, sources


class Hook:
    """A webhook receiver on 127.0.0.1 that records what it is sent."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.bodies.append({"ct": self.headers["Content-Type"],
                                    "json": json.loads(self.rfile.read(length))})
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.close()


def _ctx(n: int) -> RunContext:
    t = datetime(2026, 11, 27, 2, 0, tzinfo=UTC) + timedelta(days=n)
    return RunContext(clock=lambda: t, run_id=f"run{n}")


def _config(tmp_path: Path, **schedule: Any) -> Path:
    schedule.setdefault("output_dir", str(tmp_path / "runs"))
    schedule.setdefault("allow_errors", True)  # the synthetic scan has one ERROR finding
    schedule.setdefault("sources", {"findings": {"paths": [str(tmp_path / "in" / "*.json")]}})
    path = tmp_path / "audit.yml"
    path.write_text(yaml.safe_dump({"version": 1, "schedule": schedule}), encoding="utf-8")
    return path


def _findings(tmp_path: Path, seed: int, **kw: Any) -> None:
    d = tmp_path / "in"
    d.mkdir(exist_ok=True)
    for old in d.glob("*.json"):
        old.unlink()
    (d / "scan.json").write_text(json.dumps(make_doc(seed=seed, n_buckets=12, run_id=f"scan{seed}", **kw)),
                                 encoding="utf-8")


def test_runs_history_trend_and_pruning(tmp_path: Path, hook: Hook) -> None:
    cfg = _config(tmp_path, keep=2, notify={"min_severity": "high", "webhook": hook.url})
    runs = tmp_path / "runs"
    _findings(tmp_path, seed=1)
    first = run_scheduled(cfg, context=_ctx(0))
    assert first.exit_code == 0, first.lines
    assert first.folder == runs / "2026-11-27T02-00-00Z"
    assert sorted(p.name for p in first.folder.iterdir()) == [
        "controls.csv", "findings.csv", "findings.json", "findings.ocsf.json", "findings.sarif", "index.html",
        "junit.xml"]
    assert "first recorded run" in first.lines[0]
    # First run: every critical/high failure is new, so the webhook hears about it.
    assert first.notified == ["webhook"] and len(hook.bodies) == 1
    body = hook.bodies[0]
    assert body["ct"] == "application/json" and body["json"]["run_id"] == "run0"
    assert set(body["json"]["counts"]) <= {"critical", "high"}

    _findings(tmp_path, seed=2)
    second = run_scheduled(cfg, context=_ctx(1))
    h = json.loads((runs / "history.json").read_text(encoding="utf-8"))["runs"]
    assert [e["id"] for e in h] == ["run0", "run1"]
    prev = json.loads((runs / first.folder.name / "findings.json").read_text(encoding="utf-8"))
    cur = json.loads((second.folder / "findings.json").read_text(encoding="utf-8"))
    fails = lambda d: {(f["rule_id"], f["resource_id"]) for f in d["findings"] if f["status"] == "FAIL"}  # noqa: E731
    assert h[1]["new"] == len(fails(cur) - fails(prev)) and h[1]["resolved"] == len(fails(prev) - fails(cur))
    assert h[1]["new"] > 0  # the seeds differ, so the comparison is exercised
    report = (second.folder / "index.html").read_text(encoding="utf-8")
    assert "Compared with run" in report and "run0" in report
    index = (runs / "index.html").read_text(encoding="utf-8")
    assert "Findings per run" in index and "<polyline" in index and f'href="{second.folder.name}/index.html"' in index

    _findings(tmp_path, seed=3)
    third = run_scheduled(cfg, context=_ctx(2))
    assert not first.folder.exists()  # keep: 2
    assert second.folder.exists() and third.folder.exists()
    h = json.loads((runs / "history.json").read_text(encoding="utf-8"))["runs"]
    assert [e["id"] for e in h] == ["run1", "run2"]
    assert any("removed 2026-11-27T02-00-00Z" in line for line in third.lines)


def test_no_alert_when_nothing_new(tmp_path: Path, hook: Hook) -> None:
    cfg = _config(tmp_path, notify={"min_severity": "high", "webhook": hook.url})
    _findings(tmp_path, seed=5)
    run_scheduled(cfg, context=_ctx(0))
    again = run_scheduled(cfg, context=_ctx(1))
    assert len(hook.bodies) == 1 and again.notified == [] and again.new == 0


def test_alert_threshold_filters_by_severity(tmp_path: Path, hook: Hook) -> None:
    cfg = _config(tmp_path, notify={"min_severity": "critical", "webhook": hook.url})
    _findings(tmp_path, seed=5)
    run_scheduled(cfg, context=_ctx(0))
    assert set(hook.bodies[0]["json"]["counts"]) == {"critical"}
    # Only identifiers travel: no evidence, no message text, no PII.
    text = json.dumps(hook.bodies[0]["json"])
    assert "evidence" not in text and not [p for p in PLANTED_PII if p in text]


def test_failed_webhook_exits_3_and_is_recorded(tmp_path: Path) -> None:
    bad = Hook(status=500)
    try:
        cfg = _config(tmp_path, notify={"webhook": bad.url})
        _findings(tmp_path, seed=1)
        outcome = run_scheduled(cfg, context=_ctx(0))
    finally:
        bad.close()
    assert outcome.exit_code == 3 and outcome.problems == ["webhook notification failed: HTTP 500"]
    h = json.loads((tmp_path / "runs" / "history.json").read_text(encoding="utf-8"))["runs"]
    assert h[0]["problems"] == outcome.problems
    assert bad.url not in json.dumps(h)  # a webhook URL is a secret


def test_sns_notification_with_moto(tmp_path: Path) -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        topic = sns.create_topic(Name="audit-alerts")["TopicArn"]
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        qarn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)
        cfg = _config(tmp_path, notify={"min_severity": "high", "sns_topic_arn": topic})
        _findings(tmp_path, seed=1)
        outcome = run_scheduled(cfg, context=_ctx(0))
        msgs = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert outcome.notified == ["sns"] and outcome.exit_code == 0
    note = json.loads(msgs[0]["Body"])
    assert note["Subject"].startswith("auditor: ") and "run0" in note["Message"]
    assert "[critical]" in note["Message"]


def test_gate_in_the_schedule(tmp_path: Path) -> None:
    _findings(tmp_path, seed=1)
    assert run_scheduled(_config(tmp_path, fail_on="critical", allow_errors=True), context=_ctx(0)).exit_code == 1
    assert run_scheduled(_config(tmp_path, fail_on="none"), context=_ctx(1)).exit_code == 0
    # Fail closed by default: an ERROR finding (could not evaluate) makes the run exit 3.
    assert run_scheduled(_config(tmp_path, fail_on="none", allow_errors=False), context=_ctx(2)).exit_code == 3


def _own_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test's sources go into a copy of the registry, dropped afterwards (no test sees another's)."""
    monkeypatch.setattr(sources, "_items", dict(sources._items))


def test_pluggable_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def synthetic(req: Any) -> list[dict[str, Any]]:
        calls.append(req.options)
        return [make_doc(kind="aws", with_attachments=False, run_id="s1"),
                make_doc(kind="data", run_id="s2", n_buckets=0)]

    _own_sources(monkeypatch)
    sources.add("test-synthetic", Source(synthetic, (), "a test source"))
    cfg = _config(tmp_path, sources={"test-synthetic": {"seed": 4}}, formats=["json", "html"])
    outcome = run_scheduled(cfg, context=_ctx(0))
    assert calls == [{"seed": 4}]
    doc = json.loads((outcome.folder / "findings.json").read_text(encoding="utf-8"))
    assert doc["run"]["kind"] == "all" and doc["run"]["id"] == "run0"
    assert sorted(p.name for p in outcome.folder.iterdir()) == ["findings.json", "index.html"]


def test_unavailable_capability_is_said_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _own_sources(monkeypatch)
    sources.add("test-missing", Source(lambda req: [], ("auditor.no_such_layer.scan",), "the imaginary scan"))
    cfg = _config(tmp_path, sources={"test-missing": {}})
    with pytest.raises(NotAvailableError, match="needs the imaginary scan, which is not available"):
        run_scheduled(cfg, context=_ctx(0))
    assert not (tmp_path / "runs").exists()  # nothing ran, nothing written


def test_unknown_source_and_bad_config(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="did you mean 'findings'"):
        run_scheduled(_config(tmp_path, sources={"findigns": {"paths": ["x"]}}), context=_ctx(0))
    from auditor.core.errors import ConfigError

    with pytest.raises(ConfigError, match="keep"):
        run_scheduled(_config(tmp_path, keep=0), context=_ctx(0))
    (tmp_path / "plain.yml").write_text("version: 1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no 'schedule:' section"):
        run_scheduled(tmp_path / "plain.yml", context=_ctx(0))


def test_corrupt_history_fails_closed(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "history.json").write_text("{not json", encoding="utf-8")
    _findings(tmp_path, seed=1)
    with pytest.raises(DataError, match="not a run history"):
        run_scheduled(_config(tmp_path), context=_ctx(0))


def test_cli_run_and_exit_code(tmp_path: Path) -> None:
    _findings(tmp_path, seed=1)
    cfg = _config(tmp_path, fail_on="high", allow_errors=True)
    res = CliRunner().invoke(cli, ["run", "--config", str(cfg)])
    assert res.exit_code == 1, res.output
    assert "first recorded run" in res.output and "gate: " in res.output and "history: 1 run(s)" in res.output
    res = CliRunner().invoke(cli, ["run", "--config", str(tmp_path / "missing.yml")])
    assert res.exit_code == 2 and "config file not found" in res.output


def test_lambda_handler_keeps_state_in_s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two invocations with fresh local disks: the second compares with the first through S3."""
    import boto3
    from moto import mock_aws

    from auditor.scheduler.lambda_handler import handler

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="audit-reports")
        s3.create_bucket(Bucket="audit-config")
        cfg = _config(tmp_path, publish="s3://audit-reports/nightly", keep=1)
        s3.upload_file(str(cfg), "audit-config", "audit.yml")
        _findings(tmp_path, seed=1)
        r1 = handler({"config": "s3://audit-config/audit.yml", "output_dir": str(tmp_path / "disk1")})
        assert r1["exit_code"] == 0, r1
        _findings(tmp_path, seed=2)
        r2 = handler({"config": "s3://audit-config/audit.yml", "output_dir": str(tmp_path / "disk2")})
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket="audit-reports")["Contents"]}
        hist = json.loads(s3.get_object(Bucket="audit-reports", Key="nightly/history.json")["Body"].read())
    assert any("fetched history (1 runs)" in line for line in r2["log"])
    assert hist["runs"][-1]["new"] is not None  # compared with the previous invocation's findings
    assert "nightly/index.html" in keys and f"nightly/{Path(r2['folder']).name}/index.html" in keys
    # keep: 1 -> the first run's objects are gone from S3 too.
    assert not [k for k in keys if k.startswith(f"nightly/{Path(r1['folder']).name}/")]
    assert handler({"config": str(tmp_path / "nope.yml")})["exit_code"] == 2


def test_shipped_example_configs_validate() -> None:
    from auditor.scheduler.scheduled_run import load_schedule

    root = Path(__file__).resolve().parents[2] / "examples" / "scheduling"
    full = load_schedule(root / "audit.yml")
    assert set(full["sources"]) == {"aws", "data", "pipelines"} and full["publish"].startswith("s3://")
    demo = load_schedule(root / "audit-demo.yml")
    assert demo["sources"]["findings"]["paths"] == ["reports/demo/findings.json"]


def test_runs_index_escapes_the_title(tmp_path: Path) -> None:
    from reporting_synth import XSS

    _findings(tmp_path, seed=1)
    run_scheduled(_config(tmp_path, title=XSS), context=_ctx(0))
    for page in (tmp_path / "runs" / "index.html", next((tmp_path / "runs").glob("2026-*")) / "index.html"):
        html = page.read_text(encoding="utf-8")
        assert XSS not in html and "&lt;script&gt;" in html


def test_trend_has_one_point_per_run_even_within_a_minute(tmp_path: Path) -> None:
    from auditor.scheduler.history import load_history, write_index

    _findings(tmp_path, seed=1)
    t = datetime(2026, 11, 27, 2, 0, 5, tzinfo=UTC)
    run_scheduled(_config(tmp_path), context=RunContext(clock=lambda: t, run_id="a"))
    t2 = t + timedelta(seconds=20)
    run_scheduled(_config(tmp_path), context=RunContext(clock=lambda: t2, run_id="b"))
    runs = tmp_path / "runs"
    write_index(runs, load_history(runs), title="t", generated_at="x")
    html = (runs / "index.html").read_text(encoding="utf-8")
    polyline = html.split("<polyline points=\"", 1)[1].split("\"", 1)[0]
    assert len(polyline.split()) == 2


def test_runs_carry_first_seen_and_show_each_frameworks_trend(tmp_path: Path) -> None:
    """Since when a failure is open comes from the run history; each run's report shows the verdict trend."""
    cfg = _config(tmp_path)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["report"] = {"sla_days": {"high": 5}}
    cfg.write_text(yaml.safe_dump(data), encoding="utf-8")
    _findings(tmp_path, seed=1)
    first = run_scheduled(cfg, context=_ctx(0))
    second = run_scheduled(cfg, context=_ctx(10))
    doc = json.loads((second.folder / "findings.json").read_text(encoding="utf-8"))
    high = [f for f in doc["findings"] if f["status"] == "FAIL" and f["severity"] == "high"]
    assert high and {f["first_seen"] for f in high} == {"2026-11-27T02:00:00Z"}
    assert {(f["days_open"], f["due"], f["overdue"]) for f in high} == {(10, "2026-12-02", True)}
    h = json.loads((tmp_path / "runs" / "history.json").read_text(encoding="utf-8"))["runs"]
    assert [sorted(e["frameworks"]) for e in h] == [["cis-aws-5.0", "cis-aws-6.0", "governance-baseline"]] * 2
    assert h[0]["frameworks"]["cis-aws-6.0"]["verdict"] == "NOT COMPLIANT"
    report = (second.folder / "index.html").read_text(encoding="utf-8")
    trend = report.split('id="trend"', 1)[1].split("</section>", 1)[0]
    assert "2026-11-27T02:00" in trend and "2026-12-07T02:00" in trend and "<polyline" in trend
    assert "days" in report and "overdue" in report
    index = (tmp_path / "runs" / "index.html").read_text(encoding="utf-8")
    assert index.count("NOT COMPLIANT") >= 4 and first.folder.name in index
    # The history page colours statuses as the report does: FAIL red, ERROR purple, PASS green.
    assert 'stroke="#b3261e"' in index and 'stroke="#7c3aed"' in index and 'stroke="#137333"' in index
