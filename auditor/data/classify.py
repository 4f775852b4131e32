"""Column classification: column name hints + a sample of values + Presidio results.

Usage (what the pipelines call)::

    from auditor.data.classify import classify_frame
    result = classify_frame(df, analyzer)              # FrameClassification
    result["email"].entity, result["email"].pii, result["email"].confidence
    result.pii_columns                                 # ["email", "phone", ...]

A file is classified in two passes (``auditor.data.profile.classify_table``): the
first counts every cell and draws a sample across the whole column
(``auditor.data.sampling``), the decision below is made on that, and only then do
the scan and the masking read the rows again. A column that is empty for its first
50,000 rows is judged on the values it holds after them.

How a structured column is decided:

1. a sample of up to ``sample_size`` non-empty values that are not masking output
   (tokens, ciphertexts, placeholders, partial masks; those are counted apart) is
   run through the analyzer without NER; a cell supports an entity when a span above
   that entity's threshold covers at least 60% of it;
2. ``support`` = share of sampled cells supporting the entity. At or above
   ``settings.support`` (0.6) the column is that entity. Presidio's noisy
   labels (UK_NHS, US_BANK_NUMBER...) are counted as evidence only;
3. a name hint (``email``, ``phone``, ``dob``, ``first_name``, ``postal``...)
   confirms a weaker support (>= ``ambiguous_support``) or a value shape check:
   for names, short word-like values of any script (letters, accents, apostrophes,
   hyphens; no digits) with many distinct values; dates for a birth date...;
   an identifier name (a person kind next to an id word: ``student_no``, ``StudentID``,
   ``emp#``, ``Member Number``, ``customer-id``; see :func:`identifier_hint`) with
   identifier-like values (90% codes of 3-20 letters and digits with a digit and no space,
   80% distinct or 100 distinct values) -> ``STUDENT_ID`` for students and learners,
   ``PERSON_ID`` for other people; the verdict and its confidence are in
   ``evidence["identifier"]``. A bare ``id`` names rows, not people: it is PII only when its
   values match ``data.student_id_pattern``. ``course_id`` or ``student_count`` are not ids of people;
4. some PII signal without enough support and no hint -> ``ambiguous`` (a rule
   reports it for review).

The column is then masked one of three ways (``mask_scope``):

- ``column`` (a PII column): every value that is not already masking output is
  masked with the entity's operator; tokens are kept as they are (they still join).
  The column is ``masked`` only when no such raw value is left anywhere in it.
- ``spans`` (free text, and ``mixed`` columns): every value is analysed and the
  detected spans are masked. A structured column is ``mixed`` when it is ambiguous,
  when sampled cells hold a pattern entity (e-mail, phone, card... not a lone
  name or date) without deciding the column, or when its masked values make it PII
  (90% masked with a PII name hint, or ``ambiguous_support`` of tokens) while raw
  values the sample could not decide remain. The value-by-value pass
  (:func:`add_value_counts`) makes a mixed column PII as soon as one value holds an
  entity, and ``masked`` only if none does.
- ``none``.

A column whose values are all masking output is PII and masked with a PII name hint
or enough tokens. Decimal numbers ("-45.1234567890123") are never analysed: the
digits after the point can pass a card checksum, and no entity has that shape.

A column where most sampled values have ``free_text_min_words`` words or more
(and no structured entity) is free text: every value is analysed (batched,
de-duplicated) and the entity counts are reported.

Masked samples never show a raw value: every letter (of any script) and digit is
shape-masked, and free text keeps only the ``<ENTITY>`` placeholders of what was
detected.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.data.fold import fold
from auditor.data.phones import phone_shaped
from auditor.data.pii import NOISY, PiiAnalyzer, Span
from auditor.data.places import gazetteer
from auditor.data.sampling import (
    MASK_PLACEHOLDER,
    MASKED_VALUE,
    ColumnProfile,
    as_text,
    looks_masked,
    mask_operator,
    may_hold_placeholder,
    profile_series,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MASKED_VALUE", "MASK_PLACEHOLDER", "ColumnClassification", "FrameClassification", "add_free_text_counts",
           "add_value_counts", "classify_frame", "classify_profile", "classify_series", "identifier_hint",
           "looks_masked", "masked_free_text_sample", "name_hint", "normalize_column_name", "shape_mask"]

NOT_PII_ENTITIES = {"DATE_TIME"}  # a date is personal only as a birth date (decided by the name hint)
# Entities a lone structured cell may hold without being reliable about it: a single capitalised
# word ("Victoria", "Hamilton") or a date. They decide a column with a hint, never make it mixed.
_WEAK_CELL_ENTITIES = {"PERSON", "DATE_TIME", "LOCATION"}  # inside a longer value they make no free text
_COVER = 0.6
_EARLY_CHECK = 100  # distinct sampled values analysed before a column may be settled early
_MASKED_COLUMN = 0.9  # share of masked cells that, with a PII name hint, makes the column PII

_PERSON_NAME = (r"first_?name|last_?name|surname|given_?name|family_?name|full_?name|middle_?name|maiden_?name|"
                r"fore_?name|name_?(?:first|last|full|given|family|middle)|prenom|nom|nom_?de_?famille|"
                r"(?:student|contact|person|customer|client|employee|guardian|parent|mother|father|"
                r"patient|applicant|member|emergency_?contact|preferred|legal|display|user)_?name")
_HINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(^|_)(e_?mail|email_address|mail)(_|$)"), "EMAIL_ADDRESS"),
    (re.compile(r"(^|_)(phone|telephone|tel|mobile|cell|fax|phone_number)(_|$)"), "PHONE_NUMBER"),
    (re.compile(r"(^|_)(ssn|social_security(_number)?)(_|$)"), "US_SSN"),
    (re.compile(r"(^|_)(sin|nas|social_insurance(_number)?)(_|$)"), "CA_SIN"),
    (re.compile(r"(^|_)(dob|birth|birthdate|birthday|date_of_birth|birth_date)(_|$)"), "DATE_OF_BIRTH"),
    # A bare "name" only on its own: "program_name" or "file_name" name things, not people.
    (re.compile(rf"(^|_)({_PERSON_NAME})(_|$)|^names?$"), "PERSON"),
    (re.compile(r"(^|_)(street_?address|address|street|addr|address_?line_?\d?|home_?address)(_|$)"),
     "STREET_ADDRESS"),
    (re.compile(r"(^|_)(postal_?code|postcode|zip|zip_?code|postal)(_|$)"), "POSTAL_CODE"),
    (re.compile(r"(^|_)(student_?id|studentid|stu_?id|student_?number|matricule)(_|$)"), "STUDENT_ID"),
    (re.compile(r"(^|_)(credit_?card|card_?number|cc_?number|pan)(_|$)"), "CREDIT_CARD"),
    (re.compile(r"(^|_)(iban)(_|$)"), "IBAN_CODE"),
    (re.compile(r"(^|_)(ip|ip_?address|client_?ip)(_|$)"), "IP_ADDRESS"),
    # Places: personal data only with data.locations and a person in the same table (see
    # apply_quasi_identifiers).
    (re.compile(r"(^|_)(city|town|municipality|country|region|province|county|locality|birthplace|"
                r"place_of_birth|hometown|residence)(_|$)"), "LOCATION"),
]
# Value entities that confirm a hint.
_COMPATIBLE = {"DATE_OF_BIRTH": {"DATE_TIME"}, "POSTAL_CODE": {"CA_POSTAL_CODE", "US_ZIP"}}
_SHAPES = {
    "DATE_OF_BIRTH": re.compile(r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}/\d{1,2}/\d{1,2})"
                                r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    "POSTAL_CODE": re.compile(r"^(?:\d{5}(?:-\d{4})?|[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d)$"),
    "STUDENT_ID": re.compile(r"^[A-Za-z]{0,2}\d{6,10}$"),
    "US_SSN": re.compile(r"^\d{3}-?\d{2}-?\d{4}$"),
    "CA_SIN": re.compile(r"^\d{3}[- ]?\d{3}[- ]?\d{3}$"),
}
# What a value must look like to confirm a column's name hint, per hint: a pattern above, or a
# test of its own. A national phone number needs a cue in free text; in a column named
# "phone" the name is the cue, so a phone-shaped value confirms it.
def _place_shaped(value: str) -> bool:
    """A place name: in the gazetteer, or a short run of capitalised words ("WINMALEE")."""
    return fold(value) in gazetteer() or (_name_like(value) and all(w[0].isupper() for w in value.split()))


_SHAPE_TESTS: dict[str, Callable[[str], object]] = {  # a truthy result confirms (a match, or True)
    **{hint: rx.match for hint, rx in _SHAPES.items()},
    "PHONE_NUMBER": phone_shaped,
    "LOCATION": _place_shaped,
}
# A decimal number ("-45.12345678901234", "1234,56"): no entity has this shape, though the digits
# after the point can pass a card's checksum.
_DECIMAL = re.compile(r"^\s*[+-]?\d+[.,]\d+(?:[eE][+-]?\d+)?\s*$")
_NAME_PUNCTUATION = set("'’‘.-‐")
_NAME_MAX_WORDS, _NAME_MAX_CHARS = 5, 80
# Names are many: a "name" column of three values (Admin, Guest, System) holds roles, not people.
_NAME_MIN_DISTINCT, _NAME_MIN_DISTINCT_SHARE = 10, 0.5
_FREE_TEXT_NAME = re.compile(r"(^|_)(notes?|comments?|remarks?|description|memo|message|text|details|narrative)(_|$)")

# Identifier columns: a person-kind word next to an id word names an identifier of people
# ("student_no", "StudentID", "emp#", "Member Number", "customer-id", "id_client", "EMPNO").
# Student kinds are STUDENT_ID; the others PERSON_ID, which the masking policy masks like any
# entity (the default policy replaces it with <PERSON_ID>).
IDENTIFIER_ENTITIES = ("STUDENT_ID", "PERSON_ID")
_ID_KINDS = {"student": "STUDENT_ID", "learner": "STUDENT_ID", "pupil": "STUDENT_ID", "stu": "STUDENT_ID",
             **dict.fromkeys(("employee", "staff", "member", "customer", "client", "patient", "applicant", "user",
                              "accountholder", "person", "citizen", "emp"), "PERSON_ID")}
_ID_WORDS = ("id", "no", "nbr", "number", "num", "#", "code", "key", "identifier")
# "student_id_count", "total_customer_no": a number of people, not an identifier.
_COUNT_WORDS = frozenset({"count", "counts", "cnt", "total", "sum", "avg", "mean", "qty", "quantity"})
_ID_JOINED = re.compile("(" + "|".join(sorted(_ID_KINDS, key=len, reverse=True)) + ")(?:"
                        + "|".join(re.escape(w) for w in _ID_WORDS) + ")")
# An identifier value: one code of 3-20 letters, digits, "-" or "_" with at least one digit.
_ID_VALUE = re.compile(r"(?=[^\d]*\d)[A-Za-z0-9][A-Za-z0-9_-]{1,18}[A-Za-z0-9]")
_BARE_ID = frozenset({"id", "identifier", "key", "no", "nbr", "num", "number", "code"})
_INTEGER_FLOAT = re.compile(r"\d+\.0")  # an integer id column with gaps, stored as float: "1234.0"
_ID_SHAPE_SHARE = 0.9  # identifier-shaped sampled values needed ("n/a", "unknown" may fill the rest)
# Identifiers are (nearly) all different; a code shared by many rows is a category. A column
# repeating each person on several rows still shows many distinct values in the sample.
_ID_DISTINCT_SHARE, _ID_DISTINCT_MIN = 0.8, 100


ADDRESS_COLUMN_SUPPORT = 0.5  # share of sampled values detected as addresses, with an address column name


def normalize_column_name(name: str) -> str:
    """``StudentID`` / ``date-of-birth`` -> ``student_id`` / ``date_of_birth``."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name))
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def name_hint(column: str) -> str | None:
    """The entity a column name suggests, or None."""
    norm = normalize_column_name(column)
    for rx, entity in _HINTS:
        if rx.search(norm) or rx.search(norm.replace("_", "")):
            return entity
    return identifier_hint(column)


def identifier_hint(column: str) -> str | None:
    """``STUDENT_ID`` or ``PERSON_ID`` when the column name pairs a person kind (student, learner,
    employee, staff, member, customer, client, patient, applicant, user, account holder, person,
    citizen, emp, stu) with an id word (id, no, nbr, number, num, #, code, key, identifier), in
    either order, in any casing or separator; otherwise None. A count of people is not an id.

    >>> [identifier_hint(c) for c in ("student_no", "emp#", "Member Number", "course_id", "student_count")]
    ['STUDENT_ID', 'PERSON_ID', 'PERSON_ID', None, None]
    """
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(column)).lower()
    words = re.findall(r"[a-z]+|#", spaced.replace("account holder", "accountholder")
                       .replace("account_holder", "accountholder").replace("account-holder", "accountholder"))
    if _COUNT_WORDS.intersection(words):
        return None
    for a, b in itertools.pairwise(words):
        if a in _ID_KINDS and b in _ID_WORDS:
            return _ID_KINDS[a]
        if b in _ID_KINDS and a in _ID_WORDS:
            return _ID_KINDS[b]
    for w in words:  # written as one word: "studentno", "EMPNO", "userid"
        m = _ID_JOINED.fullmatch(w)
        if m:
            return _ID_KINDS[m.group(1)]
    return None


def shape_mask(text: str) -> str:
    """Show the format of a value without its content: letters of any script -> x/X, digits -> 9.

    Combining marks (a decomposed accent) are dropped: they would show on which letter they sit.
    """
    out = []
    for ch in text:
        if ch.isdigit() or ch.isnumeric():
            out.append("9")
        elif ch.isalpha():
            out.append("X" if ch.isupper() else "x")
        elif not unicodedata.category(ch).startswith("M"):
            out.append(ch)
    return "".join(out)


def masked_free_text_sample(text: str, spans: Sequence[Span], limit: int = 100) -> str:
    """A free-text value with detected spans as ``<ENTITY>`` and everything else shape-masked.

    Every word is masked, whatever its case or script: a name the detector missed
    ("spoke with maria lopez") must not show in a report either.
    """
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        if s.start < pos:
            continue  # overlapping spans: the first one already hides this text
        out.append(shape_mask(text[pos:s.start]))
        out.append(f"<{s.entity}>")
        pos = s.end
    out.append(shape_mask(text[pos:]))
    joined = "".join(out)
    return joined if len(joined) <= limit else joined[:limit - 3] + "..."


def _name_like(value: str) -> bool:
    """A short run of words made of letters (any script, accents included) and name punctuation."""
    words = value.split()
    if not 1 <= len(words) <= _NAME_MAX_WORDS or len(value) > _NAME_MAX_CHARS:
        return False
    return all(any(ch.isalpha() for ch in w) and all(
        ch.isalpha() or ch in _NAME_PUNCTUATION or unicodedata.category(ch).startswith("M") for ch in w)
        for w in words)


@dataclass
class ColumnClassification:
    """What a column holds, how sure we are, and why (never raw values)."""

    column: str
    kind: str = "structured"  # structured | mixed | free-text
    entity: str | None = None
    pii: bool = False
    classification: str = "not-pii"  # pii | not-pii | ambiguous
    confidence: float = 0.0
    support: float = 0.0
    name_hint: str | None = None
    masked: bool = False
    sample_size: int = 0
    entity_counts: dict[str, int] = field(default_factory=dict)
    masked_placeholders: int = 0
    raw_values: int = 0  # mixed columns: values in which the value-by-value pass found PII
    uncovered: list[str] = field(default_factory=list)
    masked_samples: list[str] = field(default_factory=list)
    mask_operator: str = ""  # how the masked cells were masked ("keyed hash", "replaced", ...), "" if none
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def free_text(self) -> bool:
        return self.kind == "free-text"

    @property
    def mask_scope(self) -> str:
        """How masking treats the column: ``spans``, ``column`` or ``none`` (see the module docstring)."""
        if self.kind in ("free-text", "mixed"):
            return "spans"
        return "column" if self.pii else "none"


@dataclass
class FrameClassification:
    """Per-column results for one table, plus the analyzer to mask free text with."""

    columns: dict[str, ColumnClassification]
    analyzer: PiiAnalyzer

    def __getitem__(self, column: str) -> ColumnClassification:
        return self.columns[column]

    @property
    def pii_columns(self) -> list[str]:
        return [c for c, r in self.columns.items() if r.pii]

    @property
    def free_text_columns(self) -> list[str]:
        return [c for c, r in self.columns.items() if r.free_text]

    @property
    def mixed_columns(self) -> list[str]:
        return [c for c, r in self.columns.items() if r.kind == "mixed"]


@dataclass
class _SampleStats:
    """What the analyzer said about the sampled cells (counts only)."""

    counts: Counter[str]
    support: Counter[str] = field(default_factory=Counter)
    scores: dict[str, list[float]] = field(default_factory=dict)
    noisy: Counter[str] = field(default_factory=Counter)
    embedded: int = 0
    total: int = 0

    def best(self) -> tuple[str | None, float]:
        if not self.support or not self.total:
            return None, 0.0
        entity, n = self.support.most_common(1)[0]
        return entity, n / self.total

    def share(self, entities: set[str]) -> float:
        return sum(self.support[e] for e in entities) / self.total if self.total else 0.0

    @property
    def sampled(self) -> int:
        """Cells in the sample. ``total`` counts the analysed ones only, fewer when the analysis
        settled early: shares of value shapes are taken over the whole sample, so they stay <= 1."""
        return sum(self.counts.values())

    def shape_share(self, test: Callable[[str], object]) -> float:
        return sum(n for v, n in self.counts.items() if test(v.strip())) / self.sampled if self.counts else 0.0


def _analyse_sample(sample: list[str], analyzer: PiiAnalyzer) -> _SampleStats:
    stats = _SampleStats(Counter(sample))
    next_check = _EARLY_CHECK
    # Checkpoints count distinct values, not cells: 300 "n/a" are one value, and settling
    # on them would never look at the e-mails that fill the rest of the column.
    for distinct, (value, n) in enumerate(stats.counts.items()):
        if distinct >= next_check:
            if _settled(stats):
                break  # the decision cannot change much: save the analyzer calls
            next_check += _EARLY_CHECK
        stats.total += n
        if _DECIMAL.match(value):
            continue  # a measurement, not an identifier: the digits after its point are not a card
        good, weak = analyzer.analyze_cell(value)
        length = len(value.strip()) or 1
        covering = [s for s in good if (s.end - s.start) >= _COVER * length]
        if covering:
            best = max(covering, key=lambda s: (s.score, s.end - s.start))
            stats.support[best.entity] += n
            stats.scores.setdefault(best.entity, []).append(best.score)
        elif any(s.entity not in _WEAK_CELL_ENTITIES for s in good):
            stats.embedded += n  # PII inside a longer value: free text, whatever the word count
        for s in weak:
            if s.entity in NOISY:
                stats.noisy[s.entity] += n
    return stats


def _settled(stats: _SampleStats) -> bool:
    """After enough cells: one entity on nearly every cell, or no signal at all."""
    top = stats.support.most_common(1)[0][1] if stats.support else 0
    return top >= 0.95 * stats.total or (top == 0 and stats.embedded == 0)


def classify_profile(profile: ColumnProfile, analyzer: PiiAnalyzer) -> ColumnClassification:
    """Decide one column from its profile (see the module docstring). Free-text counts and the
    value-by-value pass of mixed columns need the values: :func:`add_free_text_counts`,
    :func:`add_value_counts`."""
    st = analyzer.settings
    hint = name_hint(profile.column)
    result = ColumnClassification(column=profile.column, name_hint=hint)
    if not profile.nonempty:
        result.evidence = {"reason": "no values"}
        return result
    if not profile.sample:
        return _all_masked(result, profile, st.ambiguous_support)
    stats = _analyse_sample(profile.sample, analyzer)
    _record_sample(result, profile, stats, hint)
    if _free_text(profile, stats, hint, st):
        result.kind = "free-text"
        result.uncovered = list(analyzer.uncovered)
        return result
    _decide_from_values(result, stats, hint, st)
    _check_identifier(result, profile, hint)
    if not result.pii:
        _masked_or_mixed(result, profile, stats, hint, st.ambiguous_support)
    if result.pii and result.kind == "structured":
        result.masked = profile.raw == 0
        result.masked_samples = [shape_mask(v)[:40] for v in list(stats.counts)[:3]]
    return result


def _record_sample(result: ColumnClassification, profile: ColumnProfile, stats: _SampleStats,
                   hint: str | None) -> None:
    """The sample's size, best support and evidence (entity shares, masked share, PII inside
    longer values, ignored labels) on ``result``."""
    result.sample_size = stats.total
    result.support = round(stats.best()[1], 3)
    result.evidence = {"support": {e: round(c / stats.total, 3) for e, c in stats.support.most_common()},
                       "name_hint": hint, "sample_size": stats.total}
    if profile.masked:
        result.evidence["masked_share"] = round(profile.masked / profile.nonempty, 3)
    if stats.embedded:
        result.evidence["embedded_pii_cells"] = stats.embedded
    if stats.noisy:
        result.evidence["ignored_labels"] = dict(sorted(stats.noisy.items()))


def _textual(profile: ColumnProfile, stats: _SampleStats, st: Any) -> bool:
    """Half the sampled cells hold several words, some hold PII inside a longer value, or the
    column name says notes, comments, a description..."""
    words = sum(n for v, n in stats.counts.items() if len(v.split()) >= st.free_text_min_words) / stats.sampled
    return (words >= 0.5 or stats.embedded > 0
            or _FREE_TEXT_NAME.search(normalize_column_name(profile.column)) is not None)


def _free_text(profile: ColumnProfile, stats: _SampleStats, hint: str | None, st: Any) -> bool:
    """A textual column that no entity covers on enough values: it is scanned span by span."""
    textual = _textual(profile, stats, st)
    # An address column is masked whole, never span by span: what the detector missed of an
    # address line would stay readable. Its name and most of its sampled values must agree.
    address_column = hint == "STREET_ADDRESS" and stats.share({"STREET_ADDRESS"}) >= ADDRESS_COLUMN_SUPPORT
    return textual and stats.best()[1] < st.support and not address_column


def _check_identifier(result: ColumnClassification, profile: ColumnProfile, hint: str | None) -> None:
    """An identifier name hint is checked against the values (``data.student_id_pattern``); a
    bare ``id`` column that is not PII says why in its evidence."""
    if hint in IDENTIFIER_ENTITIES:
        _decide_identifier(result, profile.sample, hint)
    elif not result.pii and normalize_column_name(profile.column) in _BARE_ID:
        result.evidence["identifier"] = {"verdict": "not an identifier of people: a bare id names rows; "
                                                    "only values matching data.student_id_pattern make it PII"}


def _all_masked(result: ColumnClassification, profile: ColumnProfile, ambiguous: float) -> ColumnClassification:
    """Every non-empty value is masking output: PII (masked) with a name hint or enough tokens."""
    share = profile.tokens / profile.nonempty
    result.evidence = {"name_hint": result.name_hint, "masked_share": 1.0, "sample_size": 0}
    if result.name_hint:
        _set_pii(result, result.name_hint, 0.7, how="masked values with a PII name hint")
    elif share >= ambiguous:
        _set_pii(result, None, 0.7, how="masking tokens, ciphertexts or placeholders")
    else:
        result.evidence["decided_by"] = "only partial masks and no PII name hint"
        return result
    result.masked = True
    result.support = 1.0
    result.masked_samples = [shape_mask(v)[:40] for v in profile.masked_examples]
    result.mask_operator = mask_operator(profile.masked_examples)
    return result


def _decide_from_values(result: ColumnClassification, stats: _SampleStats, hint: str | None, st: Any) -> None:
    """Steps 2-4 of the module docstring, on the raw (not yet masked) sampled values."""
    best_entity, best_support = stats.best()
    if best_entity and best_support >= st.support:
        scores = stats.scores[best_entity]
        entity = "DATE_OF_BIRTH" if best_entity == "DATE_TIME" and hint == "DATE_OF_BIRTH" else best_entity
        conf = 0.55 * best_support + 0.3 * sum(scores) / len(scores) + (0.15 if _agrees(hint, best_entity) else 0.0)
        if entity in NOT_PII_ENTITIES:
            result.entity, result.confidence = entity, round(min(conf, 1.0), 2)
            result.evidence["decided_by"] = "values (a date without a birth-date hint is not PII)"
            return
        _set_pii(result, entity, conf, how="values")
    elif hint:
        _decide_with_hint(result, stats, hint, st)
    elif best_entity and best_support >= st.ambiguous_support and best_entity not in NOT_PII_ENTITIES:
        result.classification, result.entity = "ambiguous", best_entity
        result.confidence = round(best_support, 2)
        result.evidence["decided_by"] = "undecided: some values look like PII, below the support threshold"


def _decide_with_hint(result: ColumnClassification, stats: _SampleStats, hint: str, st: Any) -> None:
    if hint == "LOCATION" and "LOCATION" not in st.free_text_entities:
        result.evidence["decided_by"] = "place names are not masked (data.locations is off)"
        return
    best_entity, best_support = stats.best()
    hint_support = stats.share({e for e in stats.support if _agrees(hint, e)})
    shape_share = _name_share(stats) if hint == "PERSON" else (
        stats.shape_share(_SHAPE_TESTS[hint]) if hint in _SHAPE_TESTS else 0.0)
    if hint_support >= st.ambiguous_support or shape_share >= st.support:
        how = "name hint + values" if hint_support >= st.ambiguous_support else "name hint + value shape"
        _set_pii(result, hint, 0.45 + 0.35 * max(hint_support, shape_share), how=how)
        result.support = round(max(hint_support, shape_share), 3)
        result.evidence["shape_support"] = round(shape_share, 3)
    elif best_entity and best_support >= st.ambiguous_support and best_entity not in NOT_PII_ENTITIES:
        result.classification, result.entity = "ambiguous", best_entity
        result.confidence = round(best_support, 2)
        result.evidence["decided_by"] = "undecided: weak support, name hint does not match the values"
    else:
        result.evidence["decided_by"] = "name hint not supported by the values"


def _decide_identifier(result: ColumnClassification, sample: list[str], entity: str) -> None:
    """An identifier name (:func:`identifier_hint`) and identifier-like sampled values: codes of
    3-20 letters and digits without spaces (``_ID_SHAPE_SHARE`` of them), mostly distinct. Makes the
    column PII unless its values already did; the verdict is in ``evidence["identifier"]`` either way."""
    values = [v.strip() for v in sample]
    values = [v[:-2] if _INTEGER_FLOAT.fullmatch(v) else v for v in values]
    shaped = [v for v in values if 3 <= len(v) <= 20 and _ID_VALUE.fullmatch(v)]
    shape_share = len(shaped) / len(values) if values else 0.0
    distinct = len(set(values))
    distinct_share = distinct / len(values) if values else 0.0
    many = distinct_share >= _ID_DISTINCT_SHARE or distinct >= _ID_DISTINCT_MIN
    confidence = round(0.45 + 0.35 * shape_share, 2)  # as a name hint confirmed by value shapes
    verdict = {"shape_share": round(shape_share, 3), "distinct_share": round(distinct_share, 3)}
    if shape_share < _ID_SHAPE_SHARE:
        result.evidence["identifier"] = {**verdict, "verdict": "not an identifier: values are not short codes"}
    elif not many:
        result.evidence["identifier"] = {**verdict, "verdict": "not an identifier: too few distinct values"}
    else:
        result.evidence["identifier"] = {**verdict, "verdict": f"identifier of people ({entity})",
                                         "confidence": confidence}
        if not result.pii:
            _set_pii(result, entity, confidence, how="identifier name + identifier-like values")
            result.support = round(shape_share, 3)
        elif result.entity == entity:  # the name hint's shape check agreed: two signals, not one
            result.confidence = max(result.confidence, confidence)


def _name_share(stats: _SampleStats) -> float:
    """Share of sampled cells shaped like a name, 0 unless the values are many (names are)."""
    distinct = len(stats.counts)
    if distinct < _NAME_MIN_DISTINCT and distinct < _NAME_MIN_DISTINCT_SHARE * stats.sampled:
        return 0.0
    return sum(n for v, n in stats.counts.items() if _name_like(v.strip())) / stats.sampled


def _masked_or_mixed(result: ColumnClassification, profile: ColumnProfile, stats: _SampleStats,
                     hint: str | None, ambiguous: float) -> None:
    """A column the raw values did not decide: masked with leftovers, or mixed, or nothing."""
    masked_share, token_share = profile.masked / profile.nonempty, profile.tokens / profile.nonempty
    pattern = any(e not in _WEAK_CELL_ENTITIES for e in stats.support)
    if hint and masked_share >= _MASKED_COLUMN:
        _set_pii(result, hint, 0.7, how="masked values with a PII name hint; the other values are checked one by one")
    elif token_share >= ambiguous:
        entity = result.entity if result.entity not in NOT_PII_ENTITIES else None
        _set_pii(result, entity, 0.7, how="masking tokens; the other values are checked one by one")
    elif result.classification == "ambiguous" or pattern:
        result.evidence["decided_by"] = (result.evidence.get("decided_by", "some values look like PII")
                                         + "; every value is checked one by one")
    else:
        return
    result.kind = "mixed"
    result.masked = False  # until the value-by-value pass has found no raw PII


def _agrees(hint: str | None, entity: str) -> bool:
    return hint is not None and (hint == entity or entity in _COMPATIBLE.get(hint, set()))


def _set_pii(result: ColumnClassification, entity: str | None, conf: float, *, how: str) -> None:
    result.entity, result.pii, result.classification = entity, True, "pii"
    result.confidence = round(min(conf, 1.0), 2)
    result.evidence["decided_by"] = how


def add_free_text_counts(result: ColumnClassification, series: pd.Series | list[Any], analyzer: PiiAnalyzer,
                         found: Sequence[Sequence[Span]] | None = None) -> None:
    """Analyse every value of a free-text column (a chunk at a time) and update the counts
    (``found``: the values' spans when already known, in order)."""
    values = series if isinstance(series, list) else series.tolist()
    spans_per_value = found if found is not None else analyzer.analyze_many(values)
    counts = Counter(result.entity_counts)
    placeholders = result.masked_placeholders
    for value, spans in zip(values, spans_per_value, strict=True):
        if spans:
            counts.update(s.entity for s in spans)
            if len(result.masked_samples) < 3 and isinstance(value, str):
                result.masked_samples.append(masked_free_text_sample(value, spans))
        if isinstance(value, str) and may_hold_placeholder(value) and MASK_PLACEHOLDER.search(value):
            placeholders += 1
    result.entity_counts = dict(sorted(counts.items()))
    result.masked_placeholders = placeholders
    raw = sum(counts.values())
    result.pii = raw > 0 or placeholders > 0
    result.classification = "pii" if result.pii else "not-pii"
    result.masked = result.pii and raw == 0
    result.entity = counts.most_common(1)[0][0] if counts else None
    result.confidence = 1.0 if raw else (0.7 if placeholders else 0.0)
    result.evidence["decided_by"] = "every value analysed (free text)"


def add_value_counts(result: ColumnClassification, series: pd.Series, analyzer: PiiAnalyzer) -> None:
    """The value-by-value pass of a mixed column (a chunk at a time): any value holding PII makes
    the column PII and unmasked; a masked column stays masked only if none does."""
    texts = as_text(series).tolist()
    counts = Counter(result.entity_counts)
    found = 0
    for text, spans in zip(texts, analyzer.analyze_many(texts), strict=True):
        if not spans:
            continue
        found += 1
        counts.update(s.entity for s in spans)
        if len(result.masked_samples) < 3:
            result.masked_samples.append(masked_free_text_sample(text, spans, limit=40))
    result.raw_values += found
    result.entity_counts = dict(sorted(counts.items()))
    result.evidence["raw_values"] = result.raw_values
    if result.raw_values:
        result.pii = True
        result.entity = result.entity or counts.most_common(1)[0][0]
        if result.classification == "not-pii":
            result.classification, result.confidence = "pii", 1.0
    result.masked = result.pii and result.raw_values == 0


# Columns that identify a person by themselves. A place column is personal data only beside
# one of them (a customer's city); a catalogue's "origin_city" describes a product.
DIRECT_IDENTIFIERS = frozenset({"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CA_SIN", "STUDENT_ID",
                                "PERSON_ID", "CREDIT_CARD", "IBAN_CODE", "STREET_ADDRESS", "DATE_OF_BIRTH"})


def apply_quasi_identifiers(columns: dict[str, ColumnClassification]) -> None:
    """Place columns (LOCATION) stay PII only in a table that also identifies people: a column
    of direct identifiers, or free text. Otherwise they are not personal data, with the reason."""
    people = any((r.pii and r.entity in DIRECT_IDENTIFIERS) or r.kind in ("free-text", "mixed")
                 for r in columns.values())
    if people:
        return
    for r in columns.values():
        if r.pii and r.entity == "LOCATION":
            r.pii, r.classification, r.masked = False, "not-pii", False
            r.evidence["decided_by"] = ("places with no person in the table: not personal data "
                                        "(a place is masked beside a name, an e-mail or an id)")


def classify_series(series: pd.Series, column: str, analyzer: PiiAnalyzer, *,
                    analyze_free_text: bool = True) -> ColumnClassification:
    """Classify one in-memory column (see the module docstring); mixed columns are always
    checked value by value, free text only with ``analyze_free_text``."""
    result = classify_profile(profile_series(series, column, analyzer.settings.sample_size), analyzer)
    if result.kind == "mixed":
        add_value_counts(result, series, analyzer)
    elif result.free_text and analyze_free_text:
        add_free_text_counts(result, series, analyzer)
    return result


def classify_frame(df: pd.DataFrame, analyzer: PiiAnalyzer, *, analyze_free_text: bool = True) -> FrameClassification:
    """Classify every column of ``df`` in memory (for a file, ``profile.classify_table`` streams)."""
    cols = {str(c): classify_series(df[c], str(c), analyzer, analyze_free_text=analyze_free_text)
            for c in df.columns}
    apply_quasi_identifiers(cols)
    return FrameClassification(cols, analyzer)
