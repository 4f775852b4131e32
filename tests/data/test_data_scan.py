"""``data scan`` / ``data mask`` end to end: findings, exit codes, S3, and no planted PII in any output."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.audit_run import default_rule_paths, prepare
from auditor.cli import cli
from auditor.data.classify import MASK_PLACEHOLDER
from auditor.data.pii import PiiAnalyzer
from auditor.data.samples import generate_registrar, write_sample_dataset
from auditor.data.scan import DataScanOptions, run_data_scan
from auditor.schemas import findings_errors

PII_COLUMNS = ("studentid", "email", "phone", "sin", "date_of_birth", "street_address")


def _planted(rows: int, seed: int) -> list[str]:
    df, truth = generate_registrar(rows, seed)
    values = {str(v) for c in PII_COLUMNS for v in df[c]}
    values |= {f"{a} {b}" for a, b in zip(df["firstname"], df["lastname"], strict=True)}
    values |= {v for planted in truth.notes for _, v in planted}
    return sorted(values)


@pytest.fixture(scope="module")
def prepared() -> Any:
    return prepare(default_rule_paths("data"), resource_prefix="dataset.")


def test_run_data_scan_document(tmp_path: Path, analyzer: PiiAnalyzer, prepared: Any) -> None:
    csv = write_sample_dataset(tmp_path / "landing" / "enroll.csv", rows=150, seed=3)
    doc = run_data_scan(prepared, [str(csv)], DataScanOptions(analyzer=analyzer))
    assert findings_errors(doc) == []
    assert doc["run"]["kind"] == "data"
    by = {(f["rule_id"], f["resource_id"]): f for f in doc["findings"]}
    email = by[("dataset-column-pii-masked", f"{csv}#email")]
    assert email["status"] == "FAIL" and "unmasked EMAIL_ADDRESS" in email["message"]
    assert ("dataset-column-pii-masked", f"{csv}#city") not in by  # not PII: out of scope
    assert by[("dataset-file-no-unmasked-pii", str(csv))]["status"] == "FAIL"
    assert by[("dataset-column-free-text-covered", f"{csv}#notes")]["status"] == "FAIL"
    assert by[("dataset-column-classification-decided", f"{csv}#status")]["status"] == "PASS"
    ds = doc["attachments"]["datasets"][0]
    assert ds["rows"] == 150
    cols = {c["name"]: c for c in ds["columns"]}
    assert cols["sin"]["entity"] == "CA_SIN" and cols["notes"]["kind"] == "free-text"


def test_scan_reads_chunks_and_directories(tmp_path: Path, analyzer: PiiAnalyzer, prepared: Any) -> None:
    write_sample_dataset(tmp_path / "d" / "a.csv", rows=120, seed=1)
    write_sample_dataset(tmp_path / "d" / "b.parquet", rows=80, seed=2)
    write_sample_dataset(tmp_path / "d" / "c.xlsx", rows=60, seed=3)
    from auditor.data.readers import ReadOptions

    doc = run_data_scan(prepared, [str(tmp_path / "d")], DataScanOptions(analyzer=analyzer,
                                                                          read=ReadOptions(chunk_rows=50)))
    rows = {Path(d["id"]).name: d["rows"] for d in doc["attachments"]["datasets"]}
    assert rows == {"a.csv": 120, "b.parquet": 80, "c.xlsx": 60}
    notes = [f for f in doc["findings"] if f["rule_id"] == "dataset-column-pii-masked"
             and f["resource_id"].endswith("#notes")]
    assert len(notes) == 3 and all(f["status"] == "FAIL" for f in notes)


def test_unreadable_file_is_an_error_finding(tmp_path: Path, analyzer: PiiAnalyzer, prepared: Any) -> None:
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    doc = run_data_scan(prepared, [str(bad)], DataScanOptions(analyzer=analyzer))
    errors = [f for f in doc["findings"] if f["status"] == "ERROR"]
    assert errors and all("ragged rows: line 3 has 3 fields" in f["message"] for f in errors)
    assert any("ragged rows" in w for w in doc["run"]["warnings"])


def test_s3_prefix_scan_with_moto(tmp_path: Path, analyzer: PiiAnalyzer, prepared: Any) -> None:
    import boto3
    from moto import mock_aws

    csv = write_sample_dataset(tmp_path / "enroll.csv", rows=60, seed=5)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="registraroffice")
        s3.upload_file(str(csv), "registraroffice", "enrollwithdraw/Landing/enroll.csv")
        s3.put_object(Bucket="registraroffice", Key="enrollwithdraw/Landing/readme.md", Body=b"ignored")
        doc = run_data_scan(prepared, ["s3://registraroffice/enrollwithdraw/Landing/"],
                            DataScanOptions(analyzer=analyzer))
    ids = {d["id"] for d in doc["attachments"]["datasets"]}
    assert ids == {"s3://registraroffice/enrollwithdraw/Landing/enroll.csv"}
    assert any(f["resource_id"] == "s3://registraroffice/enrollwithdraw/Landing/enroll.csv#email"
               for f in doc["findings"])


@pytest.mark.slow
def test_cli_scan_mask_rescan_and_no_planted_pii_anywhere(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("LEAK_TEST_KEY", "a" * 64)
    src = write_sample_dataset(tmp_path / "landing" / "enroll.csv", rows=120, seed=11)
    policy = tmp_path / "mask.yml"
    policy.write_text("version: 1\nkey: {env: LEAK_TEST_KEY}\nentities:\n  EMAIL_ADDRESS: {operator: hash}\n"
                      "  PHONE_NUMBER: {operator: partial, keep_last: 4}\n  CA_SIN: {operator: encrypt}\n",
                      encoding="utf-8")
    runner = CliRunner()
    out1 = tmp_path / "out1"
    scan = runner.invoke(cli, ["data", "scan", str(src), "--output-dir", str(out1), "--fail-on", "high"])
    assert scan.exit_code == 1, scan.output  # unmasked PII at high severity
    doc = json.loads((out1 / "findings.json").read_text(encoding="utf-8"))
    assert findings_errors(doc) == []
    masked = tmp_path / "curated" / "enroll.parquet"
    mask = runner.invoke(cli, ["data", "mask", str(src), str(masked), "--policy", str(policy)])
    assert mask.exit_code == 0, mask.output
    out2 = tmp_path / "out2"
    rescan = runner.invoke(cli, ["data", "scan", str(masked), "--output-dir", str(out2), "--fail-on", "high"])
    assert rescan.exit_code == 0, rescan.output
    doc2 = json.loads((out2 / "findings.json").read_text(encoding="utf-8"))
    failing = {f["rule_id"] for f in doc2["findings"] if f["status"] == "FAIL"}
    assert failing <= {"dataset-column-free-text-covered"}, failing
    # A bad file holding PII: the error line must not quote it.
    df, _ = generate_registrar(3, 11)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"a,b\n{df['email'][0]},x,{df['sin'][0]}\n", encoding="utf-8")
    err = runner.invoke(cli, ["data", "mask", str(bad), str(tmp_path / "bad-out.csv")])
    assert err.exit_code == 2

    from auditor.data.readers import read_frame

    outputs = {
        "masked file": read_frame(masked).to_csv(index=False),
        "findings": (out1 / "findings.json").read_text(encoding="utf-8")
        + (out2 / "findings.json").read_text(encoding="utf-8"),
        "cli output": scan.output + mask.output + rescan.output + err.output,
        "logs": "\n".join(r.getMessage() for r in caplog.records),
    }
    planted = _planted(120, 11)
    assert len(planted) > 400
    # Ciphertexts and tokens are random base64/hex: "Wei" turns up inside one now and then.
    # Search the outputs without them, for whole values (not inside a longer word).
    outputs = {k: MASK_PLACEHOLDER.sub(" ", v) for k, v in outputs.items()}
    leaks = {name: [v for v in planted if re.search(rf"(?<![A-Za-z0-9]){re.escape(v)}(?![A-Za-z0-9])", text)]
             for name, text in outputs.items()}
    assert all(not v for v in leaks.values()), {k: v[:5] for k, v in leaks.items() if v}


def test_cli_mask_unmask_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RT_KEY", "b" * 64)
    src = write_sample_dataset(tmp_path / "in.csv", rows=40, seed=2)
    policy = tmp_path / "p.yml"
    policy.write_text("version: 1\nkey: {env: RT_KEY}\nentities:\n  CA_SIN: {operator: encrypt}\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["data", "mask", str(src), str(tmp_path / "m.csv"), "--policy", str(policy)]).exit_code == 0
    res = runner.invoke(cli, ["data", "unmask", str(tmp_path / "m.csv"), str(tmp_path / "u.csv"), "--policy",
                              str(policy)])
    assert res.exit_code == 0, res.output
    from auditor.data.readers import read_frame

    assert read_frame(tmp_path / "u.csv")["sin"].tolist() == read_frame(src)["sin"].tolist()


def test_cli_config_data_section_is_validated(tmp_path: Path) -> None:
    cfg = tmp_path / "audit.yml"
    cfg.write_text("version: 1\ndata:\n  sample_sise: 100\n", encoding="utf-8")
    src = write_sample_dataset(tmp_path / "in.csv", rows=10, seed=2)
    res = CliRunner().invoke(cli, ["data", "scan", str(src), "--config", str(cfg), "--output-dir", str(tmp_path)])
    assert res.exit_code == 2
    assert "data.sample_sise: unknown data setting 'sample_sise' (did you mean 'sample_size'?)" in res.output


def test_scan_with_a_dqdl_ruleset(tmp_path: Path) -> None:
    src = write_sample_dataset(tmp_path / "enroll.csv", rows=50, seed=4)
    rules = tmp_path / "enroll.dqdl"
    rules.write_text('Rules = [ IsPrimaryKey "studentid", ColumnValues "status" in ["enrolled"] ]', encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["data", "scan", str(src), "--ruleset", str(rules), "--output-dir", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    f = next(f for f in doc["findings"] if f["rule_id"] == "dataset-file-quality-passes")
    assert f["status"] == "FAIL" and 'ColumnValues "status"' in f["message"] and "IsPrimaryKey" not in f["message"]
    quality = doc["attachments"]["datasets"][0]["quality"]
    assert [q["passed"] for q in quality] == [True, False]
    rules.write_text("Rules = [ IsComplete ]", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["data", "scan", str(src), "--ruleset", str(rules), "--output-dir", str(out)])
    assert bad.exit_code == 2 and "enroll.dqdl:1:" in bad.output


def test_cli_ner_from_config_with_model_hash(tmp_path: Path) -> None:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PERSON", "pattern": [{"IS_TITLE": True},
                                                                                {"IS_TITLE": True}]}])
    model = tmp_path / "model"
    nlp.to_disk(model)
    runner = CliRunner()
    digest = runner.invoke(cli, ["data", "model-hash", str(model)]).output.strip()
    assert len(digest) == 64
    cfg = tmp_path / "audit.yml"
    cfg.write_text(f"version: 1\ndata:\n  ner: {{model: '{model}', sha256: '{digest}'}}\n", encoding="utf-8")
    src = write_sample_dataset(tmp_path / "in.csv", rows=30, seed=2)
    out = tmp_path / "out"
    res = runner.invoke(cli, ["data", "scan", str(src), "--config", str(cfg), "--output-dir", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    covered = next(f for f in doc["findings"] if f["rule_id"] == "dataset-column-free-text-covered")
    assert covered["status"] == "PASS"
    cfg.write_text(f"version: 1\ndata:\n  ner: {{model: '{model}', sha256: '{'0' * 64}'}}\n", encoding="utf-8")
    bad = runner.invoke(cli, ["data", "scan", str(src), "--config", str(cfg), "--output-dir", str(out)])
    assert bad.exit_code == 2 and "SHA-256 mismatch" in bad.output
