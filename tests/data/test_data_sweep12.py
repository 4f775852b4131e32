"""Adversarial sweep (issue 12): each defect an independent tester reproduced, kept as a test.

1. a column of mostly masking tokens with raw values appended is not "already masked";
2. classification sees the whole column, not the first chunk;
3. a mixed ("ambiguous") column has its detected values masked, never left raw silently;
4. a name column of accented or non-Latin names is PERSON (column name + value shape);
5. masked samples hide every letter of every script, and every word of free text;
6. a header row that holds data (a headerless CSV) is never echoed: ``column_N`` instead.

Plus the ``data mask`` contract on CSV, XLSX and Parquet: no raw value of a detected
entity in the output, the landing file byte for byte unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.audit_run import default_rule_paths, prepare
from auditor.cli import cli
from auditor.data.classify import classify_frame, classify_series, masked_free_text_sample, shape_mask
from auditor.data.maskfile import mask_dataset
from auditor.data.masking import MaskPolicy, mask_frame
from auditor.data.pii import PiiAnalyzer, Span
from auditor.data.readers import ReadOptions, open_dataset, read_frame
from auditor.data.scan import DataScanOptions, run_data_scan, scan_table
from auditor.data.writers import write_frame

GIVEN = ("José", "Zoë", "Владимир", "Łucja", "Søren", "Ümit", "Chloé", "Αλέξανδρος", "Nguyễn", "Дарья", "Björn",
         "François", "Ioana", "Mårten", "Şebnem", "Jiří")
FAMILY = ("García", "Łukasiewicz", "Иванов", "Müller", "Ødegaard", "Yılmaz", "Dvořák", "Παπαδόπουλος", "Trần",
          "Кузнецова", "Ångström", "Nuñez", "Brontë", "Çelik", "Szczęsny")
HANGUL = ("김민준", "이서연", "박지훈", "최수아", "정예준", "강하은", "조도윤", "윤서윤")


def _names(n: int) -> list[str]:
    """``n`` full names (most distinct): Latin with diacritics, Cyrillic, Greek, Vietnamese, Hangul."""
    out = [f"{GIVEN[i % len(GIVEN)]} {FAMILY[(i * 7) % len(FAMILY)]}" for i in range(n)]
    for i in range(0, n, 5):
        out[i] = HANGUL[(i // 5) % len(HANGUL)]
    return out


def _emails(n: int, start: int = 0) -> list[str]:
    return [f"user{start + i}.x@example.org" for i in range(n)]


def _tokens(n: int) -> list[str]:
    return ["tok_" + hashlib.sha256(str(i).encode()).hexdigest()[:32] for i in range(n)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leaks(text: str, raw: list[str]) -> list[str]:
    """Raw values found as whole values in ``text`` (not inside a longer word or token)."""
    return [v for v in raw if re.search(rf"(?<![\w@.]){re.escape(v)}(?![\w@])", text)]


@pytest.fixture(scope="module")
def prepared() -> Any:
    return prepare(default_rule_paths("data"), resource_prefix="dataset.")


def _scan(path: Path, analyzer: PiiAnalyzer, prepared: Any, chunk_rows: int = 50_000) -> dict[str, Any]:
    return run_data_scan(prepared, [str(path)], DataScanOptions(analyzer=analyzer,
                                                                read=ReadOptions(chunk_rows=chunk_rows)))


def _columns(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in doc["attachments"]["datasets"][0]["columns"]}


# --------------------------------------------------------------------------- 1. "already masked"

@pytest.mark.parametrize("column", ["email", "contact"])  # with and without a name hint
def test_raw_values_appended_to_a_masked_column_are_masked_and_reported(
        tmp_path: Path, analyzer: PiiAnalyzer, prepared: Any, column: str) -> None:
    raw = _emails(12)
    tokens = _tokens(188)  # 94% tokens: the old rule called the whole column masked
    src = tmp_path / "landing.csv"
    write_frame(pd.DataFrame({"id": [str(i) for i in range(200)], column: tokens + raw}), str(src))
    before = _digest(src)

    doc = _scan(src, analyzer, prepared)
    col = _columns(doc)[column]
    assert col["pii"] and not col["masked"], col
    failing = {f["resource_id"] for f in doc["findings"]
               if f["rule_id"] == "dataset-column-pii-masked" and f["status"] == "FAIL"}
    assert f"{src}#{column}" in failing

    out = tmp_path / "curated.csv"
    mask_dataset(str(src), str(out), MaskPolicy(), analyzer)
    masked = read_frame(out)[column].tolist()
    assert masked[:188] == tokens  # tokens are kept as they are (they still join)
    assert not _leaks(out.read_text(encoding="utf-8"), raw)
    assert _digest(src) == before

    again = _columns(_scan(out, analyzer, prepared))[column]
    assert again["pii"] and again["masked"], again


def test_a_masked_column_with_junk_left_is_still_masked(analyzer: PiiAnalyzer) -> None:
    """Non-token values without any detected PII ("unknown") do not make a masked column raw."""
    values = pd.Series(_tokens(190) + ["unknown"] * 10)
    found = classify_frame(pd.DataFrame({"email": values}), analyzer)
    assert found["email"].pii and found["email"].masked, found["email"].evidence


@pytest.mark.parametrize("value", [
    "ann@example.com" + "*" * 16,           # mostly stars, the address in clear
    "4111111111111111" + "*" * 16,          # half stars: the old rule called it a partial mask
    "*José*García*Łukasiewicz*" + "*" * 20,  # letters of any script count
])
def test_stars_around_a_raw_value_are_not_a_mask(analyzer: PiiAnalyzer, value: str) -> None:
    from auditor.data.classify import looks_masked

    assert not looks_masked(value)
    assert looks_masked("***-***-0199") and looks_masked("**** **** **** 1111")


# --------------------------------------------------------------------------- 2. whole column

def test_a_column_empty_in_the_first_chunks_is_classified_and_masked(
        tmp_path: Path, analyzer: PiiAnalyzer, prepared: Any) -> None:
    raw = _emails(100)
    src = tmp_path / "late.csv"
    write_frame(pd.DataFrame({"id": [str(i) for i in range(350)],
                              "contact": [None] * 250 + raw}), str(src))
    doc = _scan(src, analyzer, prepared, chunk_rows=100)
    col = _columns(doc)["contact"]
    assert col["pii"] and col["entity"] == "EMAIL_ADDRESS" and not col["masked"], col

    out = tmp_path / "late.parquet"
    res = CliRunner().invoke(cli, ["data", "mask", str(src), str(out), "--chunk-rows", "100"])
    assert res.exit_code == 0, res.output
    assert "contact: EMAIL_ADDRESS -> replace" in res.output
    text = read_frame(out).to_csv(index=False)
    assert not _leaks(text, raw)
    assert read_frame(out)["contact"].iloc[-1] == "<EMAIL_ADDRESS>"


def test_sample_is_drawn_across_the_whole_column(tmp_path: Path, analyzer: PiiAnalyzer) -> None:
    """Chunking does not change the decision: the same file read in 1 or in 4 chunks."""
    src = tmp_path / "t.csv"
    values = ["n/a"] * 300 + _emails(100)
    write_frame(pd.DataFrame({"contact": values}), str(src))
    decisions = []
    for rows in (100, 50_000):
        with open_dataset(src, ReadOptions(chunk_rows=rows)) as tables:
            c = scan_table(tables[0], analyzer).classification["contact"]
        decisions.append((c.pii, c.entity, c.classification))
    assert decisions[0] == decisions[1] and decisions[0][0], decisions


@pytest.mark.parametrize("chunk", [1, 7, 100, 1000])
def test_column_sampler_is_uniform_and_ignores_the_chunking(chunk: int) -> None:
    from auditor.data.sampling import ColumnSampler

    values = pd.Series([None] * 600 + _tokens(100) + ["  "] * 50 + _emails(250))
    one, many = ColumnSampler("c", 40), ColumnSampler("c", 40)
    one.add(values)
    for start in range(0, len(values), chunk):
        many.add(values.iloc[start:start + chunk])
    a, b = one.profile(), many.profile()
    assert a == b
    assert (a.rows, a.empty, a.masked, a.tokens, a.raw) == (1000, 650, 100, 100, 250)
    assert len(a.sample) == 40 and set(a.sample) <= set(_emails(250))


# --------------------------------------------------------------------------- 3. mixed columns

def test_ambiguous_column_has_its_detected_values_masked(tmp_path: Path, analyzer: PiiAnalyzer,
                                                         prepared: Any) -> None:
    raw = _emails(100)
    refs = [f"ref-{i}" for i in range(100)]
    values = [v for pair in zip(raw, refs, strict=True) for v in pair]
    src = tmp_path / "mixed.csv"
    write_frame(pd.DataFrame({"contact_ref": values}), str(src))
    doc = _scan(src, analyzer, prepared)
    col = _columns(doc)["contact_ref"]
    assert col["pii"] and not col["masked"] and col["entity_counts"] == {"EMAIL_ADDRESS": 100}, col
    assert not _leaks(json.dumps(doc), raw)

    out = tmp_path / "mixed-out.csv"
    report = mask_dataset(str(src), str(out), MaskPolicy(), analyzer)
    assert "contact_ref" in report.columns and "span" in report.columns["contact_ref"]
    masked = read_frame(out)["contact_ref"].tolist()
    assert masked[0::2] == ["<EMAIL_ADDRESS>"] * 100
    assert masked[1::2] == refs  # the values without PII are left as they are
    assert not _leaks(out.read_text(encoding="utf-8"), raw)


def test_mixed_column_in_memory_is_masked_span_by_span(analyzer: PiiAnalyzer) -> None:
    df = pd.DataFrame({"info": ["call 416-555-0199", "n/a", "ann@example.com", "n/a", "ok"] * 20})
    found = classify_frame(df, analyzer)
    assert found["info"].pii and not found["info"].masked
    out = mask_frame(df, found, MaskPolicy())
    assert set(out["info"]) == {"call <PHONE_NUMBER>", "n/a", "<EMAIL_ADDRESS>", "ok"}


def test_measurements_are_not_mixed(analyzer: PiiAnalyzer) -> None:
    """Digits after a decimal point can pass a card's checksum: a latitude is not a card number."""
    import numpy as np

    lat = np.random.default_rng(1).uniform(-90, 90, 400)
    df = pd.DataFrame({"lat": lat, "latitude": [repr(float(v)) for v in lat]})
    found = classify_frame(df, analyzer)
    assert [found[c].kind for c in df.columns] == ["structured", "structured"]
    assert not found.pii_columns
    pd.testing.assert_frame_equal(mask_frame(df, found, MaskPolicy()), df)


# --------------------------------------------------------------------------- 4. non-Latin names

@pytest.mark.parametrize("column", ["full_name", "FirstName", "surname", "given_name", "name", "student_name"])
def test_non_latin_names_with_a_name_column_are_person(analyzer: PiiAnalyzer, column: str) -> None:
    c = classify_series(pd.Series(_names(200)), column, analyzer)
    assert c.pii and c.entity == "PERSON" and c.classification == "pii", (column, c.evidence)


@pytest.mark.parametrize(("column", "values"), [
    ("full_name", ["Admin", "Guest", "System"] * 70),            # three distinct values: not people
    ("full_name", [f"{i * 37 % 1000:03d}-{i}" for i in range(200)]),   # codes, numbers
    # No name hint: word shapes alone do not decide (names the recognizer knows would).
    ("department", [HANGUL[i % len(HANGUL)] for i in range(200)]),
    ("program_name", ["Computer Science", "Nursing", "Fine Arts", "History"] * 50),
])
def test_name_shape_alone_does_not_make_person(analyzer: PiiAnalyzer, column: str, values: list[str]) -> None:
    c = classify_series(pd.Series(values), column, analyzer)
    assert c.entity != "PERSON" or not c.pii, (column, c.evidence)


@pytest.mark.parametrize(("column", "hint"), [
    ("full_name", "PERSON"), ("name_first", "PERSON"), ("prenom", "PERSON"), ("nom_de_famille", "PERSON"),
    ("name", "PERSON"), ("guardian_name", "PERSON"),
    ("program_name", None), ("file_name", None), ("company_name", None), ("renamed", None), ("nominal", None),
])
def test_a_bare_name_suffix_is_not_a_person_hint(column: str, hint: str | None) -> None:
    from auditor.data.classify import name_hint

    assert name_hint(column) == hint


def test_non_latin_name_column_is_masked(tmp_path: Path, analyzer: PiiAnalyzer) -> None:
    names = _names(150)
    src = tmp_path / "people.xlsx"
    write_frame(pd.DataFrame({"full_name": names, "n": [str(i) for i in range(150)]}), str(src))
    out = tmp_path / "people-out.csv"
    mask_dataset(str(src), str(out), MaskPolicy(), analyzer)
    assert set(read_frame(out)["full_name"]) == {"<PERSON>"}


# --------------------------------------------------------------------------- 5. samples

@pytest.mark.parametrize("value", ["José García", "Zoë Łukasiewicz", "Владимир Иванов", "김민준", "Αλέξανδρος",
                                   "٣٤٥ ١٢", "ｆｕｌｌｗｉｄｔｈ １２３", "e\u0301mile", "ann@example.com"])
def test_shape_mask_hides_every_letter_and_digit_of_any_script(value: str) -> None:
    out = shape_mask(value)
    assert all(ch in "xX9" or not (ch.isalnum() or ch.isdigit()) for ch in out), out
    assert not any(unicodedata_category(ch).startswith("M") for ch in out), out


def unicodedata_category(ch: str) -> str:
    import unicodedata

    return unicodedata.category(ch)


@pytest.mark.parametrize(("text", "spans", "hidden"), [
    ("spoke with maria lopez about fees", [], ["maria", "lopez"]),
    ("Spoke with José García, then jose garcia", [Span(11, 22, "PERSON", 0.9)], ["José", "García", "jose", "garcia"]),
    ("call 416 555 0199 or write ann@example.com", [Span(27, 42, "EMAIL_ADDRESS", 1.0)], ["416", "0199", "ann"]),
])
def test_free_text_sample_hides_every_word(text: str, spans: list[Span], hidden: list[str]) -> None:
    sample = masked_free_text_sample(text, spans)
    for word in hidden:
        assert word.lower() not in sample.lower(), sample
    for s in spans:
        assert f"<{s.entity}>" in sample


def test_scan_outputs_show_no_raw_name_of_any_script(tmp_path: Path) -> None:
    names = _names(120)
    notes = [f"spoke with {n.lower()} about the deferral" for n in names]
    src = tmp_path / "names.csv"
    write_frame(pd.DataFrame({"full_name": names, "notes": notes}), str(src))
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["data", "scan", str(src), "--output-dir", str(out), "--format", "json,html,csv"])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    cols = _columns(doc)
    assert cols["full_name"]["pii"] and cols["full_name"]["masked_samples"]
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file()}
    words = sorted({w for n in names for w in n.split()} | {w.lower() for n in names for w in n.split()})
    leaks = {name: _leaks(text, words) for name, text in texts.items()}
    assert not any(leaks.values()), leaks


# --------------------------------------------------------------------------- 6. header that is data

HEADERLESS = [
    ["ann.lee@example.com", "416-555-0199", "María José Núñez", "130 692 544", "2001-04-09", "enrolled"],
    ["bob.roy@example.org", "416-555-0123", "Владимир Иванов", "046 454 279", "1999-12-31", "withdrawn"],
]


def _headerless(tmp_path: Path, rows: int = 60) -> tuple[Path, list[str]]:
    lines = [HEADERLESS[0]] + [[f"user{i}@example.net", f"416-555-{1000 + i}", f"Person {i}",
                                f"{100 + i} 692 544", "2000-01-01", "active"] for i in range(rows)]
    src = tmp_path / "headerless.csv"
    src.write_text("\n".join(",".join(r) for r in lines) + "\n", encoding="utf-8")
    return src, HEADERLESS[0]


def test_headerless_csv_never_echoes_its_first_row(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    src, first_row = _headerless(tmp_path)
    before = _digest(src)
    out = tmp_path / "scan"
    runner = CliRunner()
    res = runner.invoke(cli, ["data", "scan", str(src), "--output-dir", str(out),
                              "--format", "json,html,sarif,csv"])
    assert res.exit_code in (0, 1), res.output
    assert "header looks like data" in res.output and "column 1" in res.output
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert any("header looks like data" in w for w in doc["run"]["warnings"])
    names = list(_columns(doc))
    # Most cells hold data: the whole row is data, even the name the detector misses and the status.
    assert names == [f"column_{i}" for i in range(1, 7)], names
    masked = tmp_path / "masked.csv"
    mres = runner.invoke(cli, ["data", "mask", str(src), str(masked)])
    assert mres.exit_code == 0, mres.output
    assert "header looks like data" in mres.output
    outputs = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file()}
    outputs |= {"scan stdout": res.output, "mask stdout": mres.output,
                "masked file": masked.read_text(encoding="utf-8"),
                "logs": "\n".join(r.getMessage() for r in caplog.records)}
    leaks = {k: _leaks(v, [*first_row, "María", "Núñez"]) for k, v in outputs.items()}
    assert not any(leaks.values()), leaks
    assert masked.read_text(encoding="utf-8").splitlines()[0].startswith("column_1,column_2,column_3,column_4")
    assert _digest(src) == before


@pytest.mark.parametrize(("header", "flagged"), [
    (["id", "email", "full_name", "2019", "phone_number"], [4]),
    (["Student Name", "Date of Birth", "Street Address", "Postal Code", "Notes", "Mother Name"], []),
    (["id", "status", "a12345678", "jane@example.com", "Maria Lopez", "notes"], [3, 4, 5]),
    # mostly data: the whole row is data ("x" too)
    (["x", "a12345678", "jane@example.com", "Maria Lopez", "+1 (416) 555-0199"], [1, 2, 3, 4, 5]),
])
def test_header_cells_are_checked_like_values(tmp_path: Path, analyzer: PiiAnalyzer,
                                              header: list[str], flagged: list[int]) -> None:
    from auditor.data.profile import check_header

    src = tmp_path / "h.csv"
    src.write_text(",".join(header) + "\n" + ",".join("v" for _ in header) + "\n", encoding="utf-8")
    with open_dataset(src) as tables:
        table = tables[0]
        positions = check_header(table, analyzer)
        assert positions == flagged
        assert table.columns == [f"column_{i + 1}" if i + 1 in flagged else h for i, h in enumerate(header)]
        assert list(table.read_all().columns) == table.columns


@pytest.mark.parametrize("suffix", ["xlsx", "parquet"])
def test_header_that_is_data_in_a_workbook_or_parquet(tmp_path: Path, analyzer: PiiAnalyzer, suffix: str) -> None:
    first = ["zoe.k@example.com", "Zoë Łukasiewicz", "4111 1111 1111 1111"]
    rows = [[f"u{i}@example.com", f"Person {i}", f"{i:04d}"] for i in range(40)]
    src = tmp_path / f"headerless.{suffix}"
    write_frame(pd.DataFrame(rows, columns=first), str(src))
    out = tmp_path / "out.csv"
    report = mask_dataset(str(src), str(out), MaskPolicy(), analyzer)
    assert report.warnings and "column 1, 2, 3" in report.warnings[0]
    assert out.read_text(encoding="utf-8").splitlines()[0] == "column_1,column_2,column_3"
    with open_dataset(src) as tables:
        scan = scan_table(tables[0], analyzer)
    assert scan.header_positions == [1, 2, 3] and list(scan.classification.columns) == ["column_1", "column_2",
                                                                                        "column_3"]
    text = out.read_text(encoding="utf-8") + json.dumps(report.warnings) + repr(scan.classification.columns)
    assert not _leaks(text, [*first, "Zoë", "Łukasiewicz"])


def test_a_paragraph_as_header_cell_is_data(tmp_path: Path, analyzer: PiiAnalyzer) -> None:
    from auditor.data.profile import check_header

    src = tmp_path / "long.csv"
    src.write_text("id,status," + "word " * 100 + "\n1,ok,x\n", encoding="utf-8")
    with open_dataset(src) as tables:
        assert check_header(tables[0], analyzer) == [3]


def test_duplicate_header_cells_are_not_quoted(tmp_path: Path) -> None:
    from auditor.core.errors import DataError

    src = tmp_path / "dup.csv"
    src.write_text("Maria Lopez,Maria Lopez\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_frame(src)
    assert "duplicate column name" in str(err.value) and "Maria" not in str(err.value)
    assert "columns 1 and 2" in str(err.value)


# --------------------------------------------------------------------------- mask contract per format

@pytest.mark.parametrize("suffix", ["csv", "xlsx", "parquet"])
def test_mask_contract_no_raw_entity_and_landing_unchanged(tmp_path: Path, analyzer: PiiAnalyzer,
                                                           suffix: str) -> None:
    from auditor.data.samples import generate_registrar

    df, truth = generate_registrar(120, seed=5)
    df["full_name"] = _names(120)
    df["contact_ref"] = [e if i % 2 else f"ref-{i}" for i, e in enumerate(df["email"])]
    src = tmp_path / f"landing.{suffix}"
    write_frame(df, str(src))
    before = _digest(src)
    out = tmp_path / f"curated.{suffix}"
    mask_dataset(str(src), str(out), MaskPolicy(), analyzer, ReadOptions(chunk_rows=100))
    assert _digest(src) == before
    text = read_frame(out).to_csv(index=False)
    raw = {str(v) for c in ("studentid", "email", "phone", "sin", "date_of_birth", "street_address",
                            "full_name", "firstname", "lastname") for v in df[c]}
    raw |= {v for planted in truth.notes for _, v in planted}
    leaks = _leaks(text, sorted(raw))
    assert not leaks, leaks[:10]
    # every value the analyzer still finds in the output is a placeholder, never raw
    spans = analyzer.analyze_many(read_frame(out)["notes"])
    assert all(not s for s in spans)


def test_mask_after_scan_reuses_the_classification_of_an_unchanged_file(tmp_path: Path) -> None:
    """A run that scans then masks a file classifies it once; a changed file is classified again."""
    from auditor.data.pii import PiiSettings, build_analyzer
    from auditor.data.profile import classify_table
    from auditor.data.readers import ReadOptions, open_dataset

    src = tmp_path / "people.csv"
    src.write_text("email\n" + "\n".join(f"p{i}@example.org" for i in range(50)) + "\n", encoding="utf-8")
    an = build_analyzer(PiiSettings(workers=1))
    with open_dataset(str(src), ReadOptions()) as tables:
        first = classify_table(tables[0], an)
    with open_dataset(str(src), ReadOptions()) as tables:
        assert classify_table(tables[0], an) is first
    src.write_text("email\n" + "\n".join("n/a" for _ in range(50)) + "\n", encoding="utf-8")
    with open_dataset(str(src), ReadOptions()) as tables:
        again = classify_table(tables[0], an)
    assert again is not first and not again.classification["email"].pii
