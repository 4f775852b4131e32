"""The HTML report: sections, tolerance, diff, escaping, self-containment, overrides."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from reporting_synth import XSS, make_doc

from auditor.reporting.model import DETAIL_PER_RULE, build_report
from auditor.reporting.writers.html_writer import render


def test_sections_render_from_a_full_document(doc: dict[str, Any]) -> None:
    html = render([doc], generated_at="2026-11-27T12:00:00Z")
    for heading in ("Compliance verdict", "What fails, where, since when, who owns it", "Exceptions register",
                    "Data and pipelines", "Controls by framework", "Failing findings by rule", "Data governance",
                    "Pipeline runs", "All findings"):
        assert heading in html
    assert "not run in this report" not in html
    assert "Answered call rate (ACR) per year" in html and "<svg" in html and "<polyline" in html
    assert "j***@***.com" in html  # masked sample shown
    assert "enroll.dqdl" in html
    assert "missing received date" in html  # quarantine reason


def test_missing_sections_say_not_run() -> None:
    doc = make_doc(kind="aws", with_attachments=False)
    html = render([doc], generated_at="x")
    assert "Data scan: not run" in html
    assert "Pipelines: not run" in html
    assert "No previous run given" in html


def test_aws_not_run_when_only_data() -> None:
    doc = make_doc(kind="data", n_buckets=0)
    doc["findings"] = [f for f in doc["findings"] if not f["resource_type"].startswith("aws.")]
    model = build_report([doc])
    assert model.aws_run is False


def test_framework_control_view_marks_manual_and_failures(doc: dict[str, Any]) -> None:
    model = build_report([doc])
    assert [fw.id for fw in model.frameworks][:2] == ["cis-aws-6.0", "cis-aws-5.0"]
    cis6 = model.frameworks[0]
    by_id = {c.id: c for c in cis6.controls}
    assert by_id["2.1"].status == "MANUAL" and not by_id["2.1"].automated
    assert by_id["4.1"].status in ("PASS", "FAIL")
    assert by_id["3.1.1"].status in ("FAIL", "ERROR")
    assert by_id["2.7"].status == "NOT EVALUATED"
    assert cis6.evaluated == sum(1 for c in cis6.controls if c.status in ("PASS", "FAIL", "ERROR"))
    rules = {r["rule_id"] for r in by_id["4.6"].rules}
    assert rules == {"kms-cmk-rotation-enabled"}


def test_rule_groups_are_aggregated_not_exhaustive() -> None:
    doc = make_doc(n_buckets=200, fail_ratio=1.0, with_attachments=False)
    model = build_report([doc])
    g = next(g for g in model.rule_groups if g.rule_id == "s3-bucket-versioning-enabled")
    assert g.counts["FAIL"] == 200
    assert len(g.details) == DETAIL_PER_RULE and g.more == 200 - DETAIL_PER_RULE
    # Every finding is still in the explorer data, compactly.
    assert len(model.explorer["rows"]) == len(doc["findings"])
    # Most severe first.
    assert model.rule_groups[0].severity == "critical"


def test_baseline_diff_new_resolved_unchanged() -> None:
    before = make_doc(seed=1, n_buckets=20, run_id="prev")
    after = make_doc(seed=2, n_buckets=20, run_id="now")
    key = lambda f: (f["rule_id"], f["resource_id"])  # noqa: E731
    fb = {key(f) for f in before["findings"] if f["status"] == "FAIL"}
    fa = {key(f) for f in after["findings"] if f["status"] == "FAIL"}
    model = build_report([after], baseline=before)
    assert model.diff is not None
    assert {key(f) for f in model.diff.new} == fa - fb
    assert {key(f) for f in model.diff.resolved} == fb - fa
    assert {key(f) for f in model.diff.unchanged} == fa & fb
    assert fa - fb and fb - fa  # the seeds really differ, so the test can fail
    html = render([after], baseline=before, generated_at="x")
    assert re.search(r'id="diff-new">' + str(len(fa - fb)) + "<", html)
    assert re.search(r'id="diff-resolved">' + str(len(fb - fa)) + "<", html)
    new_rows = [r for r in model.explorer["rows"] if r[6]]
    assert len(new_rows) == len(fa - fb)


def test_several_documents_are_merged() -> None:
    aws = make_doc(kind="aws", with_attachments=False, run_id="aws-1")
    data = make_doc(kind="data", run_id="data-1", n_buckets=0)
    data["findings"] = [f for f in data["findings"] if f["resource_type"].startswith("dataset.")]
    model = build_report([aws, data])
    assert model.doc["run"]["kind"] == "all"
    assert len(model.doc["findings"]) == len(aws["findings"]) + len(data["findings"])
    assert model.datasets and model.dataset_findings["FAIL"] == 3
    from auditor.schemas import findings_errors

    assert findings_errors(model.doc) == []


def test_values_are_escaped(hostile_doc: dict[str, Any]) -> None:
    html = render([hostile_doc], generated_at="x")
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The explorer data is JSON inside a script element: "<" must be escaped there too.
    data = re.search(r'<script type="application/json" id="findings-data">(.*?)</script>', html, re.S)
    assert data is not None and "<" not in data.group(1)
    assert XSS in json.dumps(json.loads(data.group(1)), ensure_ascii=False)
    # Exactly the two scripts we ship: the data island and the inline code.
    assert html.count("<script") == 2


def test_xss_in_attachments_and_titles_is_escaped() -> None:
    doc = make_doc()
    doc["attachments"]["datasets"][0]["pii"][0]["column"] = XSS
    doc["attachments"]["pipelines"][0]["metrics"]["acr_by_year"]["title"] = XSS
    doc["attachments"]["pipelines"][0]["metrics"]["share_by_department"]["rows"][0]["department"] = XSS
    html = render([doc], title=XSS, generated_at="x")
    assert XSS not in html


def test_self_contained(doc: dict[str, Any]) -> None:
    html = render([doc], generated_at="x")
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=', html)
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html  # the page may not load anything
    assert "@media print" in html  # "save as PDF" hides the controls and keeps the content


def test_strict_undefined_fails_loudly(tmp_path: Path, doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    (tmp_path / "_header.html.j2").write_text("<h1>{{ r.no_such_field }}</h1>", encoding="utf-8")
    monkeypatch.setenv("AUDITOR_TEMPLATES", str(tmp_path))
    with pytest.raises(jinja2.UndefinedError):
        render([doc], generated_at="x")


def test_organisation_override_directory(tmp_path: Path, doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "_header.html.j2").write_text("<header><h1>Registrar's Office audit: {{ r.title }}</h1></header>",
                                              encoding="utf-8")
    monkeypatch.setenv("AUDITOR_TEMPLATES", str(tmp_path))
    html = render([doc], generated_at="x")
    assert "Registrar&#39;s Office audit" in html or "Registrar's Office audit" in html


def test_charts_infer_axes() -> None:
    from auditor.reporting.charts import chart_for

    bar = chart_for("acr", [{"received_year": 2020, "acr": 0.8}, {"received_year": 2021, "acr": 0.9}])
    assert bar is not None and bar.kind == "bar" and len(bar.bars) == 2
    assert bar.bars[1]["h"] > bar.bars[0]["h"]
    line = chart_for("share", [{"received_year": y, "department": d, "share": 0.1}
                               for y in (2020, 2021) for d in "ABCDEFGHIJ"])
    assert line is not None and line.kind == "line" and len(line.lines) == 8 and "top 8 of 10" in line.note
    text = chart_for("t", [{"a": "x", "b": "y"}])
    assert text is not None and text.kind == "table"
    assert chart_for("empty", []) is None


def test_reads_the_producers_own_attachment_shapes() -> None:
    """The data scan's inventory entries and the pipeline runner's attachment, as they write them."""
    doc = make_doc(with_attachments=False)
    doc["attachments"] = {
        "datasets": [{"id": "landing/applicants.csv", "path": "/lake/landing/applicants.csv", "format": "csv",
                      "sheet": None, "rows": 200,
                      "columns": [{"name": "email", "kind": "structured", "entity": "EMAIL_ADDRESS", "pii": True,
                                   "classification": "pii", "confidence": 0.93, "support": 198, "masked": False,
                                   "entity_counts": {"EMAIL_ADDRESS": 198}, "masked_samples": ["a****@****.ca"],
                                   "uncovered": [], "nulls": 2},
                                  {"name": "term", "kind": "structured", "entity": None, "pii": False,
                                   "classification": "not_pii", "confidence": 0.0, "support": 0, "masked": False,
                                   "entity_counts": {}, "masked_samples": [], "uncovered": [], "nulls": 0}]}],
        "pipelines": [{"pipeline": "registrar", "run_id": "3f2a9c1b7d10", "status": "succeeded", "message": "ok",
                       "store": "/lake", "engine": "duckdb",
                       "inputs": [{"key": "registraroffice/enrollwithdraw/Landing/export.csv", "sha256": "e" * 64,
                                   "rows": 8695}],
                       "outputs": [{"key": "registraroffice/enrollwithdraw/Curated/v-1/enroll.parquet",
                                    "zone": "Curated", "sha256": "f" * 64, "rows": 8690}],
                       "quarantined": {"files": [], "records": 5}, "quarantined_count": 5,
                       "rules": [{"gate": "quality", "step": "curated", "rule": 'IsComplete "department"',
                                  "outcome": "PASS"}],
                       "timings": {"read": 0.07, "gates": 0.2},
                       "metrics": {"acr_by_year": [{"received_year": 2021, "acr": 0.9},
                                                   {"received_year": 2022, "acr": 0.93}]}}],
    }
    model = build_report([doc])
    ds = model.datasets[0]
    assert ds.name == "landing/applicants.csv" and ds.columns == 2
    assert [p["column"] for p in ds.pii] == ["email"] and ds.pii[0]["count"] == 198
    pl = model.pipelines[0]
    assert pl.quarantined == 5 and pl.inputs[0]["path"].endswith("export.csv") and pl.outputs[0]["zone"] == "Curated"
    assert pl.gates[0]["outcome"] == "PASS" and pl.charts[0].kind == "bar"
    html = render([doc], generated_at="x")
    assert "a****@****.ca" in html and "IsComplete &#34;department&#34;" in html
