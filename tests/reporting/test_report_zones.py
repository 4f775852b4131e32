"""Data and pipelines in the summary: PII by zone, landing PII "expected, not promoted", one line per pipeline run."""

from __future__ import annotations

from typing import Any

import pytest
from reporting_synth import PLANTED_PII, make_doc

from auditor.reporting.writers.html_writer import render
from auditor.reporting.zones import by_dataset, pii_matrix, promotion_lines

STORE = "/srv/lake"


def _pipeline(pii_outcome: str = "PASS") -> dict[str, Any]:
    return {"pipeline": "registrar", "run_id": "59d09d557748", "status": "succeeded", "store": STORE,
            "inputs": [{"key": "registraroffice/enrollwithdraw/Landing/applications.xlsx", "rows": 2511}],
            "outputs": [], "quarantined_count": 99,
            "rules": [{"gate": "pii", "step": "raw", "rule": "no unmasked PII promoted", "outcome": pii_outcome,
                       "detail": "8 PII column(s), 8 masked" if pii_outcome == "PASS" else "8 PII column(s), 7 masked"},
                      {"gate": "quality", "step": "curated", "rule": "RowCount > 0", "outcome": "PASS"}]}


def _doc(pii_outcome: str = "PASS") -> dict[str, Any]:
    doc = make_doc(with_attachments=False)
    doc["attachments"] = {
        "pipelines": [_pipeline(pii_outcome)],
        "pii_columns": [
            # the landing extract a data scan read outside the lake, in the registrar's Landing layout
            {"dataset": "/tmp/x/landing-sample/registraroffice/enrollwithdraw/Landing/applicants.csv",
             "column": "email", "entities": ["EMAIL_ADDRESS"], "masked": False},
            {"dataset": f"{STORE}/registraroffice/enrollwithdraw/Raw/applications.csv", "column": "email",
             "entities": ["EMAIL_ADDRESS"], "masked": True},
            {"dataset": f"{STORE}/registraroffice/enrollwithdraw/Curated/v-59d09d557748/applications",
             "column": "email", "entities": ["EMAIL_ADDRESS"], "masked": True},
            {"dataset": f"{STORE}/registraroffice/enrollwithdraw/Curated/v-59d09d557748/applications",
             "column": "sin", "entities": ["CA_SIN"], "masked": pii_outcome == "PASS"}]}
    return doc


def test_landing_pii_is_expected_when_the_pii_check_held() -> None:
    doc = _doc()
    lines, promoted = promotion_lines(doc)
    assert promoted == ["registraroffice/enrollwithdraw"]
    (line,) = lines
    assert line.ok and line.checks == [("pii", 1, 1), ("quality", 1, 1)] and line.quarantined == 99
    assert line.pii_detail == "8 of 8 PII column checks masked"
    rows = {(r.family, r.table, r.column): r for r in pii_matrix(doc, promoted)}
    landing = rows[("registraroffice/enrollwithdraw", "applicants", "email")]
    assert landing.cells == {"Landing": "raw"} and landing.expected and not landing.leak
    curated = rows[("registraroffice/enrollwithdraw", "applications", "email")]
    assert curated.cells == {"Raw": "masked", "Curated": "masked"}  # one row for the table across zones and versions
    datasets = by_dataset(pii_matrix(doc, promoted))
    assert [(d.name, d.zone("Landing"), d.zone("Curated")) for d in datasets] == [
        ("registraroffice/enrollwithdraw/applicants", (1, 0, True), (0, 0, False)),
        ("registraroffice/enrollwithdraw/applications", (0, 0, False), (0, 2, False))]


def test_raw_pii_past_landing_is_a_leak_and_nothing_is_expected_when_the_pii_check_failed() -> None:
    doc = _doc(pii_outcome="FAIL")
    lines, promoted = promotion_lines(doc)
    assert promoted == [] and not lines[0].ok
    rows = pii_matrix(doc, promoted)
    assert [r.column for r in rows if r.leak] == ["sin"]
    assert not any(r.expected for r in rows)
    html = render([doc], generated_at="x")
    section = html.split('id="data-summary"', 1)[1].split("</section>", 1)[0]
    assert '<tr class="leak">' in section and 'st-FAIL">1 raw</span>' in section
    assert "raw: expected, not promoted" not in section and "attention" in section


def test_the_summary_shows_the_matrix_and_promotion_lines_without_values() -> None:
    doc = _doc()
    html = render([doc], generated_at="x")
    section = html.split('id="data-summary"', 1)[1].split("</section>", 1)[0]
    assert "1 raw: expected, not promoted" in section and "2 masked" in section
    assert "registrar</strong>" in section and "pii gate 1/1 passed" in section and "99 records quarantined" in section
    assert not [p for p in PLANTED_PII if p in html]


def test_the_matrix_says_how_a_column_was_masked() -> None:
    from auditor.data.sampling import mask_operator

    assert mask_operator(["tok_" + "a" * 16, "tok_" + "b" * 16]) == "keyed hash"
    assert mask_operator(["<PERSON>", "enc:v1:QUJD"]) == "replaced + encrypted"
    assert mask_operator(["j***@***.ca"]) == "partial" and mask_operator([]) == ""
    doc = _doc()
    doc["attachments"]["pii_columns"][1]["operator"] = "keyed hash"
    rows = {(r.table, r.column): r for r in pii_matrix(doc, ["registraroffice/enrollwithdraw"])}
    assert rows[("applications", "email")].operators == {"Raw": "keyed hash"}
    assert "masked (keyed hash)" in render([doc], generated_at="x")


@pytest.mark.slow
def test_a_scan_of_masked_output_records_the_operator(tmp_path: Any) -> None:
    import pandas as pd

    from auditor.data.classify import classify_frame
    from auditor.data.pii import PiiSettings, build_analyzer

    frame = pd.DataFrame({"email": [f"tok_{i:016x}" for i in range(50)]})
    column = classify_frame(frame, build_analyzer(PiiSettings(workers=1)))["email"]
    assert column.pii and column.masked and column.mask_operator == "keyed hash"
