"""No raw PII and no injection in anything the reports write.

The report renders only the fields it knows (masked samples, counts); raw
values planted in fields it does not know must never reach a written file
other than the canonical findings.json (which carries the producer's document
as it is).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from reporting_synth import PLANTED_PII, XSS, hostile_finding, make_doc

from auditor.cli import cli


def _planted_doc() -> dict[str, Any]:
    doc = make_doc(extra=[hostile_finding()])
    ds = doc["attachments"]["datasets"][0]
    ds["raw_values"] = list(PLANTED_PII)                      # a careless producer's debug field
    ds["pii"][0]["raw_sample"] = PLANTED_PII[0]
    doc["attachments"]["pipelines"][0]["debug"] = {"first_row": list(PLANTED_PII)}
    doc["attachments"]["aws"] = {"buckets_scanned": 12, "regions": ["us-east-1"]}
    return doc


def test_planted_pii_never_reaches_the_reports(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text(json.dumps(_planted_doc()), encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["report", str(src), "-o", str(out / "index.html"),
                                   "--format", "html,sarif,junit,csv,ocsf"])
    assert res.exit_code == 0, res.output
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["controls.csv", "findings.csv", "findings.ocsf.json", "findings.sarif",
                                       "index.html", "junit.xml"]
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        leaked = [p for p in PLANTED_PII if p in text]
        assert leaked == [], f"{path.name} leaks {leaked}"
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "j***@***.com" in html and "buckets_scanned" in html  # the masked form and known stats do show


def test_no_raw_script_anywhere(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text(json.dumps(_planted_doc()), encoding="utf-8")
    out = tmp_path / "out"
    CliRunner().invoke(cli, ["report", str(src), "-o", str(out / "index.html"), "--format", "html,junit"])
    for name in ("index.html", "junit.xml"):
        assert XSS not in (out / name).read_text(encoding="utf-8"), name


def test_owners_mutes_and_pii_columns_from_the_data_stay_text(tmp_path: Path) -> None:
    """The new summary sections render values from the document: owners (resource tags), mute reasons,
    dataset and column names. None of them becomes markup or a spreadsheet formula."""
    doc = _planted_doc()
    for f in doc["findings"]:
        if f["status"] == "FAIL":
            f["owner"] = XSS
    doc["attachments"]["mutes"][0]["reason"] = XSS
    doc["attachments"]["mutes"][0]["owner"] = "=HYPERLINK(\"http://evil.example\")"
    doc["attachments"]["pii_columns"] = [{"dataset": f"lake/{XSS}/Landing/x.csv", "column": XSS,
                                          "entities": [XSS], "masked": False}]
    doc["attachments"]["rules"][0]["references"] = ["https://docs.aws.amazon.com/\"><script>alert(1)</script>"]
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["report", str(src), "-o", str(out / "index.html"), "--format", "html,csv"])
    assert res.exit_code == 0, res.output
    html = (out / "index.html").read_text(encoding="utf-8")
    assert XSS not in html and html.count("<script") == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    for name in ("findings.csv", "controls.csv"):
        text = (out / name).read_text(encoding="utf-8-sig")
        assert "\n=" not in text.replace("\r", "") and ',"=' not in text and ",=" not in text, name
