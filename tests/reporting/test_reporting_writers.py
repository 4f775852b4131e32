"""The machine formats: SARIF (schema-valid), JUnit, CSV, OCSF."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from reporting_synth import FORMULA, XSS, make_doc

from auditor.reporting.writers import load_writers
from auditor.reporting.writers.csv_writer import neutralise, to_csv
from auditor.reporting.writers.ocsf_writer import to_ocsf
from auditor.reporting.writers.sarif_writer import to_sarif

FIXTURES = Path(__file__).parent / "fixtures"


def _sarif_validator() -> Any:
    from jsonschema import Draft4Validator

    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return Draft4Validator(schema)


def test_every_format_is_registered() -> None:
    assert set(load_writers().names()) >= {"json", "html", "sarif", "junit", "csv", "ocsf"}


def test_sarif_is_valid_against_the_official_schema(hostile_doc: dict[str, Any], tmp_path: Path) -> None:
    path = load_writers().get("sarif")(hostile_doc, tmp_path)
    log = json.loads(path.read_text(encoding="utf-8"))
    errors = [e.message for e in _sarif_validator().iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0"


def test_sarif_validator_rejects_a_broken_log(doc: dict[str, Any]) -> None:
    log = to_sarif(doc)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(_sarif_validator().iter_errors(log))


def test_sarif_one_result_per_fail_with_rule_metadata(doc: dict[str, Any]) -> None:
    log = to_sarif(doc)
    run = log["runs"][0]
    fails = [f for f in doc["findings"] if f["status"] == "FAIL"]
    assert len(run["results"]) == len(fails)
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for res in run["results"]:
        rule = rules[res["ruleId"]]
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert rule["help"]["text"]
        assert float(rule["properties"]["security-severity"]) > 0
    levels = {f["severity"]: r["level"] for f, r in zip(fails, run["results"], strict=True)}
    assert levels["critical"] == "error" and levels["medium"] == "warning"
    # ERROR findings make the run visibly incomplete, not silently clean.
    assert run["invocations"][0]["executionSuccessful"] is False


def test_junit_one_testcase_per_rule_and_resource(doc: dict[str, Any], tmp_path: Path) -> None:
    path = load_writers().get("junit")(doc, tmp_path)
    root = ET.parse(path).getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(doc["findings"])
    by = doc["summary"]["by_status"]
    assert len(root.findall(".//failure")) == by["FAIL"] == int(root.get("failures", "-1"))
    assert len(root.findall(".//error")) == by["ERROR"]
    assert len(root.findall(".//skipped")) == by["MUTED"] + by["SKIPPED"]
    muted = root.find(".//skipped")
    assert muted is not None and "legacy key" in muted.get("message", "")


def test_junit_escapes_hostile_values(hostile_doc: dict[str, Any], tmp_path: Path) -> None:
    path = load_writers().get("junit")(hostile_doc, tmp_path)
    raw = path.read_text(encoding="utf-8")
    assert XSS not in raw
    names = [c.get("name") for c in ET.parse(path).getroot().iter("testcase")]
    assert f"arn:aws:s3:::evil-{XSS}" in names


def test_csv_neutralises_formulas() -> None:
    for bad in ("=1+2", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralise(bad).startswith("'")
    assert neutralise("plain") == "plain"
    assert neutralise("a=b") == "a=b"


def test_csv_one_row_per_finding_no_formula_cell(hostile_doc: dict[str, Any], tmp_path: Path) -> None:
    path = load_writers().get("csv")(hostile_doc, tmp_path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(hostile_doc["findings"]) + 1
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'" + FORMULA in cells  # the remediation field, shown as text


def test_csv_round_trips_the_evidence(doc: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(doc))))
    ev = [json.loads(r["evidence"]) for r in rows if r["evidence"]]
    assert {"Versioning.Status": "Suspended"} in ev


def test_ocsf_detection_findings(doc: dict[str, Any], tmp_path: Path) -> None:
    path = load_writers().get("ocsf")(doc, tmp_path)
    events = json.loads(path.read_text(encoding="utf-8"))
    assert len(events) == sum(1 for f in doc["findings"] if f["status"] != "SKIPPED")
    required = {"activity_id", "category_uid", "class_uid", "type_uid", "severity_id", "time", "metadata",
                "finding_info", "status_id"}
    for e in events:
        assert required <= set(e)
        assert (e["class_uid"], e["category_uid"], e["type_uid"]) == (2004, 2, 200401)
        assert 1 <= e["severity_id"] <= 5
        assert e["metadata"]["version"] and e["metadata"]["product"]["name"] == "auditor"
    fail = next(e for e in events if e["status_code"] == "FAIL" and e["finding_info"]["analytic"]["uid"]
                == "kms-cmk-rotation-enabled")
    assert "compliance" not in fail  # not an attribute of class 2004
    assert fail["unmapped"]["compliance"]["status_id"] == 3
    assert "cis-aws-6.0 4.6" in fail["unmapped"]["compliance"]["requirements"]
    assert fail["cloud"]["account"]["uid"] == "123456789012"
    muted = next(e for e in events if e["status_code"] == "MUTED")
    assert muted["status_id"] == 3 and muted["status"] == "Suppressed"


def test_ocsf_skips_skipped() -> None:
    from auditor.core.findings import Finding, Status

    extra = [Finding("s3-bucket-mfa-delete-enabled", "MFA delete", Status.SKIPPED, "low", "aws.s3-bucket",
                     "arn:aws:s3:::b", "us-east-1", "disabled in the config", {}, {}, "")]
    doc = make_doc(extra=extra)
    assert all(e["finding_info"]["analytic"]["uid"] != "s3-bucket-mfa-delete-enabled" for e in to_ocsf(doc))


def test_written_files_follow_the_umask(doc: dict[str, Any], tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        path = load_writers().get("csv")(doc, tmp_path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600: a web server can serve it


def test_sarif_caps_results_most_severe_first(doc: dict[str, Any], monkeypatch: Any) -> None:
    from auditor.reporting.writers import sarif_writer

    fails = [f for f in doc["findings"] if f["status"] == "FAIL"]
    monkeypatch.setattr(sarif_writer, "MAX_RESULTS", 5)
    log = sarif_writer.to_sarif(doc)
    results = log["runs"][0]["results"]
    assert len(results) == 5 and {r["level"] for r in results} == {"error"}
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(f"{len(fails) - 5} less severe results left out" in n["message"]["text"] for n in notes)
    assert list(_sarif_validator().iter_errors(log)) == []
