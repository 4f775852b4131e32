"""Identifier columns: a person-kind name with an id word, plus identifier-like values, is PII
(STUDENT_ID for students, PERSON_ID for other people); ids of courses, orders, terms and rows,
counts of people and a bare ``id`` are not. The verdict and its confidence are in the evidence,
never a value."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from auditor.data.classify import classify_frame, classify_series, identifier_hint, name_hint
from auditor.data.masking import MaskPolicy, mask_frame
from auditor.data.pii import PiiAnalyzer

ROWS = 600


def _distinct(lo: int, hi: int, n: int = ROWS, seed: int = 1) -> list[str]:
    return [str(v) for v in random.Random(seed).sample(range(lo, hi), n)]


@pytest.mark.parametrize(("column", "entity"), [
    ("student_no", "STUDENT_ID"), ("StudentID", "STUDENT_ID"), ("StudentNo", "STUDENT_ID"), ("stu_num", "STUDENT_ID"),
    ("learner-code", "STUDENT_ID"), ("STUDENTNO", "STUDENT_ID"), ("Pupil Number", "STUDENT_ID"),
    ("emp#", "PERSON_ID"), ("EMPNO", "PERSON_ID"), ("Member Number", "PERSON_ID"), ("customer-id", "PERSON_ID"),
    ("staffNbr", "PERSON_ID"), ("patient_key", "PERSON_ID"), ("applicant identifier", "PERSON_ID"),
    ("userid", "PERSON_ID"), ("Account Holder No", "PERSON_ID"), ("citizen_code", "PERSON_ID"),
    ("id_client", "PERSON_ID"), ("person_num", "PERSON_ID"), ("EmployeeNumber", "PERSON_ID"),
    # Not identifiers of people: other things' ids, counts, names, and a bare id.
    ("course_id", None), ("order_id", None), ("department_code", None), ("term_id", None), ("row_id", None),
    ("id", None), ("ID", None), ("student_count", None), ("num_students", None), ("student_id_count", None),
    ("total_customer_no", None), ("customer_type_code", None), ("user_agent", None), ("account_number", None),
    ("stuff_no", None), ("emphasis", None), ("student_name", None), ("membership_level", None),
])
def test_identifier_hint(column: str, entity: str | None) -> None:
    assert identifier_hint(column) == entity


@pytest.mark.parametrize(("column", "hint"), [
    ("student_no", "STUDENT_ID"), ("emp#", "PERSON_ID"),
    ("StudentID", "STUDENT_ID"), ("student_name", "PERSON"), ("customer_ip", "IP_ADDRESS"),  # earlier hints win
])
def test_name_hint_falls_back_to_the_identifier_hint(column: str, hint: str) -> None:
    assert name_hint(column) == hint


REPEATED = [v for v in _distinct(10_000, 99_999, 150) for _ in range(4)]  # each employee on 4 rows
FLOAT_IDS = [float(v) for v in _distinct(1000, 99_999)]
FLOAT_IDS[::10] = [float("nan")] * len(FLOAT_IDS[::10])  # an int column with gaps is stored as float


@pytest.mark.parametrize(("column", "values", "entity"), [
    ("student_no", _distinct(1000, 9_999_999), "STUDENT_ID"),                 # 4-7 digits
    ("StudentID", _distinct(1000, 9999), "STUDENT_ID"),                       # the registrar's 4-digit number
    ("emp#", [f"E{v}" for v in _distinct(1000, 99_999)], "PERSON_ID"),
    ("Member Number", [f"M-{v}" for v in _distinct(0, 999_999)], "PERSON_ID"),
    ("customer-id", [f"CU{v}X" for v in _distinct(10_000, 999_999)], "PERSON_ID"),
    ("employee_no", REPEATED, "PERSON_ID"),                                    # 150 people, 4 rows each
    ("patient_id", FLOAT_IDS, "PERSON_ID"),
    ("studentnumber", [str(n) for n in range(100_000_000, 100_000_000 + ROWS)], "STUDENT_ID"),  # sequential
    ("student_no", _distinct(1000, 99_999)[:570] + ["n/a"] * 15 + ["unknown"] * 15, "STUDENT_ID"),  # 5% junk
])
def test_identifier_columns_are_pii(analyzer: PiiAnalyzer, column: str, values: list[object], entity: str) -> None:
    c = classify_series(pd.Series(values), column, analyzer)
    assert (c.pii, c.classification, c.entity, c.kind) == (True, "pii", entity, "structured"), c.evidence
    verdict = c.evidence["identifier"]
    assert verdict["verdict"] == f"identifier of people ({entity})"
    assert 0.5 <= verdict["confidence"] <= c.confidence <= 1.0
    shown = str(c.evidence) + str(c.masked_samples)
    assert not any(str(v) in shown for v in values if len(str(v)) >= 4), "evidence must not show a value"


@pytest.mark.parametrize(("column", "values", "why"), [
    ("client_code", ["GOLD1", "SILVER2", "BRONZE3", "STAFF4"] * 150, "too few distinct"),     # categories
    ("member_no", ["yes", "no", "n/a"] * 200, "not short codes"),
    ("user_id", [f"user name {i}" for i in range(ROWS)], "not short codes"),
    ("student_no", [f"{i % 7}" for i in range(ROWS)], "not short codes"),                    # 1 digit
    ("course_id", [f"CS{v}" for v in _distinct(100, 999)], None),
    ("order_id", _distinct(100_000, 999_999), None),
    ("department_code", ["MATH", "CHEM", "HIST", "ENGL"] * 150, None),
    ("term_id", [f"20{y}{t}" for y in range(10, 25) for t in "FWS"] * 14 + ["2025F"] * 12, None),
    ("row_id", [str(i) for i in range(1, ROWS + 1)], None),
    ("id", [str(i) for i in range(1, ROWS + 1)], "bare id"),
    ("id", _distinct(100_000, 999_999), "bare id"),                                            # random, still rows
    ("student_count", [str(20 + i % 180) for i in range(ROWS)], None),
])
def test_not_identifiers_of_people(analyzer: PiiAnalyzer, column: str, values: list[str], why: str | None) -> None:
    c = classify_series(pd.Series(values), column, analyzer)
    assert not c.pii and c.classification == "not-pii", (column, c.evidence)
    verdict = c.evidence.get("identifier", {}).get("verdict", "")
    if why is None:
        assert "identifier" not in c.evidence
    else:
        assert verdict.startswith("not an identifier") and (why in verdict or why == "bare id"), verdict


def test_a_bare_id_matching_the_student_id_pattern_is_student_id(analyzer: PiiAnalyzer) -> None:
    values = [f"A{v:08d}" for v in random.Random(2).sample(range(10**8), ROWS)]  # data.student_id_pattern default
    c = classify_series(pd.Series(values), "id", analyzer)
    assert c.pii and c.entity == "STUDENT_ID"


def test_values_that_are_another_entity_win_over_the_identifier_name(analyzer: PiiAnalyzer) -> None:
    emails = [f"person{i}@example.org" for i in range(ROWS)]
    c = classify_series(pd.Series(emails), "customer_id", analyzer)
    assert c.pii and c.entity == "EMAIL_ADDRESS"
    assert c.evidence["identifier"]["verdict"].startswith("not an identifier")


def test_shape_shares_stay_shares(analyzer: PiiAnalyzer) -> None:
    """The analysis may settle after 100 distinct values; shares of value shapes are over the sample."""
    c = classify_series(pd.Series(_distinct(1_000_000, 9_999_999)), "StudentID", analyzer)
    assert c.pii and 0 < c.evidence["shape_support"] <= 1.0 and c.confidence <= 0.8


def test_identifier_columns_are_masked_and_other_columns_kept(analyzer: PiiAnalyzer) -> None:
    df = pd.DataFrame({"student_no": _distinct(1000, 9_999_999), "emp#": [f"E{v}" for v in _distinct(1000, 99_999)],
                       "course_id": [f"CS{v}" for v in _distinct(100, 999)],
                       "student_count": [str(20 + i % 180) for i in range(ROWS)]})
    found = classify_frame(df, analyzer)
    assert found.pii_columns == ["student_no", "emp#"]
    out = mask_frame(df, found, MaskPolicy())
    assert set(out["student_no"]) == {"<STUDENT_ID>"} and set(out["emp#"]) == {"<PERSON_ID>"}
    pd.testing.assert_frame_equal(out[["course_id", "student_count"]], df[["course_id", "student_count"]])
