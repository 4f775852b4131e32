"""PII detection: recognizers (table-driven), column classification, noisy labels, NER opt-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from auditor.core.errors import DataError
from auditor.data.classify import classify_frame, classify_series, name_hint
from auditor.data.pii import NOISY, NerSettings, PiiAnalyzer, PiiSettings, build_analyzer, model_sha256
from auditor.data.recognizers import luhn_valid

FOUND = [
    # (text, entity, the exact span expected)
    ("write to jane.doe@example.com please", "EMAIL_ADDRESS", "jane.doe@example.com"),
    ("call 416-555-0199 today", "PHONE_NUMBER", "416-555-0199"),
    ("call +1-416-555-0199x12", "PHONE_NUMBER", "+1-416-555-0199x12"),
    ("call 001-416-555-0199 now", "PHONE_NUMBER", "001-416-555-0199"),
    ("cell (416) 555-0199", "PHONE_NUMBER", "(416) 555-0199"),
    ("cell 416.555.0199", "PHONE_NUMBER", "416.555.0199"),
    ("SSN 536-22-1234 on file", "US_SSN", "536-22-1234"),
    ("SIN 046 454 286 verified", "CA_SIN", None),  # invalid: first digit 0 (see NOT_FOUND)
    ("SIN 130 692 544 verified", "CA_SIN", "130 692 544"),
    ("my sin is 130692544", "CA_SIN", "130692544"),
    ("card 4111 1111 1111 1111 charged", "CREDIT_CARD", "4111 1111 1111 1111"),
    ("card 4111111111111111.", "CREDIT_CARD", "4111111111111111"),  # a full stop is not a decimal point
    ("student A12345678 asked", "STUDENT_ID", "A12345678"),
    ("mail to Toronto ON M5V 3L9 please", "CA_POSTAL_CODE", "M5V 3L9"),
    ("lives at 221 Baker Street now", "STREET_ADDRESS", "221 Baker Street"),
    ("moved to 12 King St W Apt 4", "STREET_ADDRESS", "12 King St W Apt 4"),  # the whole line
    ("PO Box 1234 is closed", "STREET_ADDRESS", "PO Box 1234"),
    ("Springfield, IL 62704", "US_ZIP", "IL 62704"),
    ("zip code 02134 for billing", "US_ZIP", "02134"),
    ("Spoke with Maria Lopez about fees", "PERSON", "Maria Lopez"),
    ("Mother Jane called back", "PERSON", "Jane"),
    ("Letter from Mr. Tremblay arrived", "PERSON", "Tremblay"),
    ("Guardian Xavi Quenneville asked", "PERSON", "Xavi Quenneville"),
    ("José García and Zoë Łukasiewicz met", "PERSON", "José García"),   # accents folded for the lexicon
    ("José García and Zoë Łukasiewicz met", "PERSON", "Zoë Łukasiewicz"),
    ("spoke with maria lopez today", "PERSON", "maria lopez"),          # lower case after a cue
    ("Name: Vinicio Arcuri Phone: n/a", "PERSON", "Vinicio Arcuri"),    # a form label as cue
    ("Herr Müller rief an", "PERSON", "Müller"),                        # a German title
    ("J. R. Tolkien wrote it", "PERSON", "J. R. Tolkien"),              # initials
    ("Hello, my name is Zephyrine and I need help", "PERSON", "Zephyrine"),  # an introduction
    ("Thanks, Quillfeather", "PERSON", "Quillfeather"),                  # a signature
    ("server 10.1.2.3 logged it", "IP_ADDRESS", "10.1.2.3"),
]
NOT_FOUND = [
    ("SIN 046 454 286 verified", "CA_SIN"),          # fails the SIN rules (first digit 0)
    ("SIN 130 692 545 verified", "CA_SIN"),          # fails Luhn
    ("Requested transcript for the Fall term", "PERSON"),
    ("May 3 meeting moved", "PERSON"),
    ("Called 3 times on Monday", "STREET_ADDRESS"),
    ("received in 2019 and 2020", "US_ZIP"),
    ("order 12345 shipped", "US_ZIP"),               # a bare 5-digit number without context
    ("Computer Science program", "PERSON"),
    ("reference 123456789", "CA_SIN"),               # undashed 9 digits without context
    ("at 12 King Street West", "PERSON"),            # a street, not a person
    ("position -45.12345678901234 recorded", "CREDIT_CARD"),  # the fraction of a decimal number
    ("pi is 3.141592653589793", "CREDIT_CARD"),
    ("Mother Name on the form", "PERSON"),           # the word "Name", not a name
    ("the U.S. Army base", "PERSON"),                # an abbreviation, not initials
    ("this is the registrar office calling", "PERSON"),
    ("NASA launched it", "PERSON"),                  # all capitals: an acronym
    # Department and inquiry names of the City of Vancouver 3-1-1 export: business text, no person.
    ("ENG - Development and Major Projects Branch", "PERSON"),
    ("DBL - Building and Trades Inspections Clerks", "PERSON"),
    ("Parking Bylaws and Regulations Inquiry", "PERSON"),
    ("ENG - Film and Special Events Office", "PERSON"),
    ("ACCS - Homelessness Service and Affordable Housing", "PERSON"),
    ("VFRS - Community Safety and Risk Reduction", "PERSON"),
]


@pytest.mark.parametrize(("text", "entity", "span"), [f for f in FOUND if f[2]], ids=lambda v: str(v)[:30])
def test_entity_found(analyzer: PiiAnalyzer, text: str, entity: str, span: str) -> None:
    spans = analyzer.analyze_text(text)
    assert (entity, span) in [(s.entity, text[s.start:s.end]) for s in spans], spans


@pytest.mark.parametrize(("text", "entity"), NOT_FOUND, ids=lambda v: str(v)[:30])
def test_entity_not_found(analyzer: PiiAnalyzer, text: str, entity: str) -> None:
    assert entity not in [s.entity for s in analyzer.analyze_text(text)]


def test_luhn() -> None:
    assert luhn_valid("130692544")
    assert not luhn_valid("130692545")
    assert luhn_valid("4111111111111111")


@pytest.mark.parametrize(("column", "hint"), [
    ("email", "EMAIL_ADDRESS"), ("EmailAddress", "EMAIL_ADDRESS"), ("phone_number", "PHONE_NUMBER"),
    ("SSN", "US_SSN"), ("sin", "CA_SIN"), ("date_of_birth", "DATE_OF_BIRTH"), ("DOB", "DATE_OF_BIRTH"),
    ("firstname", "PERSON"), ("LastName", "PERSON"), ("street_address", "STREET_ADDRESS"),
    ("postal_code", "POSTAL_CODE"), ("StudentID", "STUDENT_ID"), ("status", None), ("city", "LOCATION"),
    ("received_year", None), ("business", None), ("singer", None),
])
def test_name_hints(column: str, hint: str | None) -> None:
    assert name_hint(column) == hint


def test_registrar_every_column_classified_correctly(analyzer: PiiAnalyzer, registrar: tuple[Any, Any]) -> None:
    df, truth = registrar
    result = classify_frame(df, analyzer)
    for column, expected in truth.columns.items():
        c = result[column]
        if expected == "FREE_TEXT":
            assert c.free_text and c.pii, column
            assert {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CA_SIN", "CREDIT_CARD"} <= set(c.entity_counts)
            assert c.uncovered, "without NER the coverage gap must be stated"
        elif expected is None:
            assert not c.pii and c.classification == "not-pii", (column, c)
        else:
            assert c.pii and c.entity == expected, (column, c.entity, c.evidence)
            assert c.classification == "pii" and c.confidence >= 0.5


def test_noisy_labels_never_decide(analyzer: PiiAnalyzer) -> None:
    ids = pd.Series([f"{n:09d}" for n in range(100000000, 100000400, 1)])
    c = classify_series(ids, "studentnumber", analyzer)
    assert c.entity == "STUDENT_ID"
    assert not set(c.evidence["support"]) & set(NOISY)
    c2 = classify_series(ids, "reference", analyzer)
    assert c2.entity not in NOISY and not c2.pii
    phones = pd.Series([f"{a}-{m}-{e:04d}" for a, m, e in zip(range(201, 601), range(300, 700), range(400),
                                                              strict=True)])
    c3 = classify_series(phones, "contact", analyzer)
    assert c3.entity == "PHONE_NUMBER" and c3.pii
    assert "UK_NHS" not in c3.evidence["support"]
    years = pd.Series([2018 + i % 8 for i in range(300)])
    c4 = classify_series(years, "received_year", analyzer)
    assert not c4.pii and c4.classification == "not-pii"


def test_ambiguous_column(analyzer: PiiAnalyzer) -> None:
    values = ["416-555-0199", "416-555-0123", "416-555-0142"] * 10 + [f"ref-{i}" for i in range(70)]
    c = classify_series(pd.Series(values), "contact_ref", analyzer)
    assert c.classification == "ambiguous" and c.entity == "PHONE_NUMBER"
    # Undecided as a column, but its phone numbers are PII: found one by one, never left raw silently.
    assert c.kind == "mixed" and c.pii and not c.masked and c.raw_values == 30


def test_masked_column_is_pii_and_masked(analyzer: PiiAnalyzer) -> None:
    tokens = pd.Series([f"tok_{i:032x}" for i in range(50)])
    c = classify_series(tokens, "email", analyzer)
    assert c.pii and c.masked and c.entity == "EMAIL_ADDRESS"


def test_dates_are_pii_only_as_birth_dates(analyzer: PiiAnalyzer) -> None:
    dates = pd.Series([f"2001-0{1 + i % 9}-1{i % 9}" for i in range(60)])
    assert classify_series(dates, "date_of_birth", analyzer).entity == "DATE_OF_BIRTH"
    enrolled = classify_series(dates, "enrolled_on", analyzer)
    assert not enrolled.pii and enrolled.entity == "DATE_TIME"


def test_evidence_never_holds_raw_values(analyzer: PiiAnalyzer, registrar: tuple[Any, Any]) -> None:
    df, _ = registrar
    result = classify_frame(df, analyzer)
    text = repr({c: (r.evidence, r.masked_samples) for c, r in result.columns.items()})
    for column in ("email", "phone", "sin", "firstname", "lastname", "street_address", "studentid"):
        for value in df[column].head(50):
            assert value not in text, (column, value)


def test_analyze_many_deduplicates_and_keeps_order(analyzer: PiiAnalyzer) -> None:
    texts = ["mail a@example.com", None, "nothing here", "mail a@example.com", float("nan")]
    out = analyzer.analyze_many(texts)
    assert [len(s) for s in out] == [1, 0, 0, 1, 0]
    assert out[0] == out[3]


def test_invalid_student_id_pattern() -> None:
    with pytest.raises(DataError, match="student_id_pattern"):
        build_analyzer(PiiSettings(student_id_pattern="(["))


# ----------------------------------------------------------------------------- NER (opt-in)

@pytest.fixture(scope="module")
def ner_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real spaCy pipeline with an entity component, saved to disk like an installed model."""
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"LOWER": "zephyrine"}, {"LOWER": "quillfeather"}]},
                        {"label": "PERSON", "pattern": [{"TEXT": "Computer"}, {"TEXT": "Science"}]}])
    path = tmp_path_factory.mktemp("model") / "tiny_ner"
    nlp.to_disk(path)
    return path


def test_ner_finds_names_the_lexicon_cannot(analyzer: PiiAnalyzer, ner_model: Path) -> None:
    # Lower case, no cue word, in no name list: beyond the offline recognizer, not a model.
    text = "The report of zephyrine quillfeather arrived"
    assert "PERSON" not in [s.entity for s in analyzer.analyze_text(text)]
    ner = build_analyzer(PiiSettings(workers=1, ner=NerSettings(str(ner_model), model_sha256(ner_model))))
    spans = ner.analyze_text(text)
    assert ("PERSON", "zephyrine quillfeather") in [(s.entity, text[s.start:s.end]) for s in spans]
    assert ner.uncovered == []
    # NER never sees structured columns: a department column stays non-PII even though
    # this model (like real ones) calls "Computer Science" a PERSON.
    dept = pd.Series(["Computer Science"] * 40 + ["Nursing"] * 20)
    c = classify_series(dept, "department", ner)
    assert not c.pii and c.classification == "not-pii"


def test_a_model_person_naming_a_thing_is_dropped(tmp_path: Path) -> None:
    """Small models call department names PERSON; the name recognizer's own organisation and
    abstract-noun rule applies to the model's spans too."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "PERSON", "pattern": [{"TEXT": "Projects"}, {"TEXT": "Branch"}]},
        {"label": "PERSON", "pattern": [{"LOWER": "zephyrine"}, {"LOWER": "quillfeather"}]}])
    model = tmp_path / "tiny_org"
    nlp.to_disk(model)
    ner = build_analyzer(PiiSettings(workers=1, ner=NerSettings(str(model), model_sha256(model))))
    text = "ENG - Development and Major Projects Branch, attn Zephyrine Quillfeather"
    found = [(s.entity, text[s.start:s.end]) for s in ner.analyze_text(text)]
    assert ("PERSON", "Zephyrine Quillfeather") in found
    assert not any("Branch" in t for _, t in found), found


def test_ner_keeps_the_name_recognizer(analyzer: PiiAnalyzer, ner_model: Path) -> None:
    """NER adds to the lexicon recognizer: a name the model does not know is still found."""
    text = "Spoke with Maria Lopez about the deferral."
    assert ("PERSON", "Maria Lopez") in [(s.entity, text[s.start:s.end]) for s in analyzer.analyze_text(text)]
    ner = build_analyzer(PiiSettings(workers=1, ner=NerSettings(str(ner_model), model_sha256(ner_model))))
    assert ("PERSON", "Maria Lopez") in [(s.entity, text[s.start:s.end]) for s in ner.analyze_text(text)]


def test_ner_min_score_filters_model_entities(ner_model: Path) -> None:
    """Model entities score Presidio's default 0.85: a higher data.ner.min_score drops them."""
    text = "the report of Zephyrine Quillfeather arrived"
    digest = model_sha256(ner_model)
    low = build_analyzer(PiiSettings(workers=1, ner=NerSettings(str(ner_model), digest, min_score=0.8)))
    assert [s.entity for s in low.analyze_text(text)] == ["PERSON"]
    high = build_analyzer(PiiSettings(workers=1, ner=NerSettings(str(ner_model), digest, min_score=0.9)))
    assert high.analyze_text(text) == []


def test_ner_refuses_a_model_with_the_wrong_hash(ner_model: Path) -> None:
    with pytest.raises(DataError, match=r"SHA-256 mismatch.*refusing to load"):
        build_analyzer(PiiSettings(ner=NerSettings(str(ner_model), "0" * 64)))


def test_ner_unknown_model_is_never_downloaded() -> None:
    with pytest.raises(DataError, match="neither a path nor an installed package"):
        build_analyzer(PiiSettings(ner=NerSettings("en_core_web_trf_not_here", "0" * 64)))


def test_nlp_configuration_in_presidio_yaml(tmp_path: Path, ner_model: Path) -> None:
    conf = tmp_path / "nlp.yml"
    conf.write_text("nlp_engine_name: no_op\nmodels:\n  - lang_code: en\n    model_name: no_op\n", encoding="utf-8")
    a = build_analyzer(PiiSettings(workers=1, nlp_configuration=str(conf)))
    assert [s.entity for s in a.analyze_text("mail a@example.com")] == ["EMAIL_ADDRESS"]
    conf.write_text(f"nlp_engine_name: spacy\nmodels:\n  - lang_code: en\n    model_name: {ner_model}\n",
                    encoding="utf-8")
    from auditor.core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"nlp.yml:4:17: models\[0\]\.model_name: a spaCy model needs data\.ner"):
        build_analyzer(PiiSettings(nlp_configuration=str(conf)))


def test_parallel_free_text_matches_serial(analyzer: PiiAnalyzer, registrar: tuple[Any, Any],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    df, _ = registrar
    notes = df["notes"].tolist()
    serial = build_analyzer(PiiSettings(workers=1)).analyze_many(notes)
    parallel = build_analyzer(PiiSettings(workers=2))
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 10)
    assert parallel.analyze_many(notes) == serial


def test_sample_generator_is_seeded(tmp_path: Path) -> None:
    from auditor.data.readers import read_frame
    from auditor.data.samples import generate_registrar, write_sample_dataset

    a, ta = generate_registrar(50, seed=7)
    b, _ = generate_registrar(50, seed=7)
    c, _ = generate_registrar(50, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert sum(1 for n in ta.notes if n) >= 10
    for suffix in ("csv", "xlsx", "parquet"):
        p = write_sample_dataset(tmp_path / f"s.{suffix}", rows=20, seed=7)
        back = read_frame(p)
        assert back["email"].tolist() == generate_registrar(20, seed=7)[0]["email"].tolist()


def _analyze_in_daemon(texts: list[str]) -> list[int]:
    from auditor.data.pii import build_analyzer as build

    a = build(PiiSettings(workers=2))
    a.PARALLEL_MIN = 1
    return [len(s) for s in a.analyze_many(texts)]


def test_parallel_path_inside_a_pool_worker_runs_serially() -> None:
    import multiprocessing as mp

    with mp.get_context("fork").Pool(1) as pool:
        assert pool.apply(_analyze_in_daemon, (["mail a@example.com", "nothing", "call 416-555-0199"],)) == [1, 0, 1]


def test_nothing_is_found_inside_masking_tokens(analyzer: PiiAnalyzer) -> None:
    text = "SIN enc:v1:Ab-A12345678-Maria_Lopez-4111111111111111 verified; mail tok_" + "0" * 32 + " <PERSON>"
    assert analyzer.analyze_text(text) == []


def test_international_phone_still_found_by_libphonenumber(analyzer: PiiAnalyzer) -> None:
    text = "UK contact: call +44 20 7946 0958 after lunch"
    assert "PHONE_NUMBER" in [s.entity for s in analyzer.analyze_text(text)]


def test_locations_when_the_config_asks_for_them(tmp_path: Path) -> None:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "Lyon"}])
    model = tmp_path / "tiny_gpe"
    nlp.to_disk(model)
    ner = {"model": str(model), "sha256": model_sha256(model)}
    text = "She moved to Lyon last week"
    without = build_analyzer(PiiSettings.from_config({"ner": ner, "workers": 1}))
    assert "LOCATION" not in [s.entity for s in without.analyze_text(text)]
    with_locations = build_analyzer(PiiSettings.from_config({"ner": ner, "workers": 1, "locations": True}))
    assert ("LOCATION", "Lyon") in [(s.entity, text[s.start:s.end]) for s in with_locations.analyze_text(text)]


def test_locations_work_offline() -> None:
    """data.locations needs no model: a gazetteer and locative cues find places."""
    an = build_analyzer(PiiSettings.from_config({"locations": True, "workers": 1}))
    text = "Born in Winschoten, she moved to Tallinn and later to Yeni Zelanda."
    places = [text[s.start:s.end] for s in an.analyze_text(text) if s.entity == "LOCATION"]
    assert places == ["Winschoten", "Tallinn", "Yeni Zelanda"]
    assert any("gazetteer" in u for u in an.uncovered)
    default = build_analyzer(PiiSettings(workers=1))
    assert "LOCATION" not in [s.entity for s in default.analyze_text(text)]
    assert any("data.locations is off" in u for u in default.uncovered)


def test_a_place_column_is_personal_data_only_beside_a_person() -> None:
    from auditor.data.classify import classify_frame

    an = build_analyzer(PiiSettings.from_config({"locations": True, "workers": 1}))
    cities = ["Tallinn", "Porto", "Gdynia", "Winnipeg", "Lyon"] * 20
    people = pd.DataFrame({"email": [f"p{i}@example.org" for i in range(100)], "city": cities})
    catalogue = pd.DataFrame({"sku": [f"SKU-{i}" for i in range(100)], "origin_city": cities})
    assert classify_frame(people, an)["city"].entity == "LOCATION"
    assert classify_frame(people, an)["city"].pii
    origin = classify_frame(catalogue, an)["origin_city"]
    assert not origin.pii and "no person in the table" in origin.evidence["decided_by"]
