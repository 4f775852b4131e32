"""Column classification: column name hints + a sample of values + Presidio results.

Usage (what the pipelines call)::

    from auditor.data.classify import classify_frame
    result = classify_frame(df, analyzer)              # FrameClassification
    result["email"].entity, result["email"].pii, result["email"].confidence
    result.pii_columns                                 # ["email", "phone", ...]

How a structured column is decided:

1. a sample of up to ``sample_size`` non-empty values (distinct values analysed
   once) is run through the analyzer without NER; a cell supports an entity
   when a span above that entity's threshold covers at least 60% of it;
2. ``support`` = share of sampled cells supporting the entity. At or above
   ``settings.support`` (0.6) the column is that entity. Presidio's noisy
   labels (UK_NHS, US_BANK_NUMBER...) are counted as evidence only;
3. a name hint (``email``, ``phone``, ``dob``, ``firstname``, ``postal``...)
   confirms a weaker support (>= ``ambiguous_support``) or a value shape check
   (capitalised words for names, dates for a birth date...);
4. some PII signal without enough support and no hint -> ``ambiguous`` (a rule
   reports it for review); a column of masked tokens with a PII hint is PII, masked.

A column where most sampled values have ``free_text_min_words`` words or more
(and no structured entity) is free text: every value is analysed (batched,
de-duplicated) and the entity counts are reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.data.pii import NOISY, PiiAnalyzer, Span

if TYPE_CHECKING:
    import pandas as pd

NOT_PII_ENTITIES = {"DATE_TIME"}  # a date is personal only as a birth date (decided by the name hint)
_COVER = 0.6
_EARLY_CHECK = 100  # sampled cells analysed before a column may be settled early

_HINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(^|_)(e_?mail|email_address|mail)(_|$)"), "EMAIL_ADDRESS"),
    (re.compile(r"(^|_)(phone|telephone|tel|mobile|cell|fax|phone_number)(_|$)"), "PHONE_NUMBER"),
    (re.compile(r"(^|_)(ssn|social_security(_number)?)(_|$)"), "US_SSN"),
    (re.compile(r"(^|_)(sin|nas|social_insurance(_number)?)(_|$)"), "CA_SIN"),
    (re.compile(r"(^|_)(dob|birth|birthdate|birthday|date_of_birth|birth_date)(_|$)"), "DATE_OF_BIRTH"),
    (re.compile(r"(^|_)(first_?name|last_?name|surname|given_?name|family_?name|full_?name|name|"
                r"student_?name|contact_?name|middle_?name|maiden_?name)(_|$)"), "PERSON"),
    (re.compile(r"(^|_)(street_?address|address|street|addr|address_?line_?\d?|home_?address)(_|$)"),
     "STREET_ADDRESS"),
    (re.compile(r"(^|_)(postal_?code|postcode|zip|zip_?code|postal)(_|$)"), "POSTAL_CODE"),
    (re.compile(r"(^|_)(student_?id|studentid|stu_?id|student_?number|matricule)(_|$)"), "STUDENT_ID"),
    (re.compile(r"(^|_)(credit_?card|card_?number|cc_?number|pan)(_|$)"), "CREDIT_CARD"),
    (re.compile(r"(^|_)(iban)(_|$)"), "IBAN_CODE"),
    (re.compile(r"(^|_)(ip|ip_?address|client_?ip)(_|$)"), "IP_ADDRESS"),
]
# Value entities that confirm a hint.
_COMPATIBLE = {"DATE_OF_BIRTH": {"DATE_TIME"}, "POSTAL_CODE": {"CA_POSTAL_CODE", "US_ZIP"}}
_SHAPES = {
    "PERSON": re.compile(r"^[A-Z][A-Za-z'.-]*(?:[ -][A-Z][A-Za-z'.-]*){0,3}$"),
    "DATE_OF_BIRTH": re.compile(r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}/\d{1,2}/\d{1,2})"
                                r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    "POSTAL_CODE": re.compile(r"^(?:\d{5}(?:-\d{4})?|[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d)$"),
    "STUDENT_ID": re.compile(r"^[A-Za-z]{0,2}\d{6,10}$"),
    "US_SSN": re.compile(r"^\d{3}-?\d{2}-?\d{4}$"),
    "CA_SIN": re.compile(r"^\d{3}[- ]?\d{3}[- ]?\d{3}$"),
}
_FREE_TEXT_NAME = re.compile(r"(^|_)(notes?|comments?|remarks?|description|memo|message|text|details|narrative)(_|$)")
MASKED_VALUE = re.compile(r"^(?:tok_[0-9a-f]{16,64}|enc:v1:[A-Za-z0-9_-]+=*|<[A-Z_]+>|\[REDACTED\]|REDACTED)$")
MASK_PLACEHOLDER = re.compile(r"tok_[0-9a-f]{16,64}|enc:v1:[A-Za-z0-9_-]+=*|<[A-Z][A-Z_]+>")


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
    return None


def looks_masked(value: str) -> bool:
    """A value produced by masking: a token, a ciphertext, a placeholder or mostly ``*``."""
    v = value.strip()
    if not v:
        return True
    if MASKED_VALUE.match(v):
        return True
    return v.count("*") >= max(2, 0.4 * len(v))


def shape_mask(text: str) -> str:
    """Show the format of a value without its content: letters -> x/X, digits -> 9."""
    return re.sub(r"[0-9]", "9", re.sub(r"[A-Z]", "X", re.sub(r"[a-z]", "x", text)))


def masked_free_text_sample(text: str, spans: list[Span], limit: int = 100) -> str:
    """A free-text value with detected spans as ``<ENTITY>`` and every remaining word that has a
    capital letter or a digit shape-masked (an undetected name or number never shows)."""
    out, pos = [], 0
    for s in spans:
        out.append(_mask_words(text[pos:s.start]))
        out.append(f"<{s.entity}>")
        pos = s.end
    out.append(_mask_words(text[pos:]))
    joined = "".join(out)
    return joined if len(joined) <= limit else joined[:limit - 3] + "..."


def _mask_words(chunk: str) -> str:
    return re.sub(r"\S*[A-Z0-9]\S*", lambda m: shape_mask(m.group(0)) if not MASK_PLACEHOLDER.fullmatch(
        m.group(0)) else m.group(0), chunk)


@dataclass
class ColumnClassification:
    """What a column holds, how sure we are, and why (never raw values)."""

    column: str
    kind: str = "structured"  # structured | free-text
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
    uncovered: list[str] = field(default_factory=list)
    masked_samples: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def free_text(self) -> bool:
        return self.kind == "free-text"


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


def _sample(series: pd.Series, n: int) -> list[str]:
    values = series.dropna()
    if values.dtype != object and str(values.dtype) not in ("str", "string"):
        values = values.astype("str")
    values = values[values.str.strip().str.len() > 0] if len(values) else values
    if len(values) > n:
        values = values.sample(n=n, random_state=0)
    return [str(v) for v in values.tolist()]


def classify_series(series: pd.Series, column: str, analyzer: PiiAnalyzer, *,
                    analyze_free_text: bool = True) -> ColumnClassification:
    """Classify one column (see the module docstring for the decision)."""
    st = analyzer.settings
    sample = _sample(series, st.sample_size)
    hint = name_hint(column)
    result = ColumnClassification(column=column, name_hint=hint, sample_size=len(sample))
    if not sample:
        result.evidence = {"reason": "no values"}
        return result
    counts = Counter(sample)
    support: Counter[str] = Counter()
    scores: dict[str, list[float]] = {}
    noisy: Counter[str] = Counter()
    masked_n = embedded = done = 0
    next_check = _EARLY_CHECK
    for value, n in counts.items():
        if done >= next_check:
            if _settled(support, embedded, masked_n, done):
                break  # the decision cannot change much: save the analyzer calls
            next_check += _EARLY_CHECK
        done += n
        if looks_masked(value):
            masked_n += n
            continue
        good, weak = analyzer.analyze_cell(value)
        length = len(value.strip()) or 1
        covering = [s for s in good if (s.end - s.start) >= _COVER * length]
        if covering:
            best = max(covering, key=lambda s: (s.score, s.end - s.start))
            support[best.entity] += n
            scores.setdefault(best.entity, []).append(best.score)
        elif any(s.entity not in ("DATE_TIME", "PERSON") for s in good):
            embedded += n  # PII inside a longer value: free text, whatever the word count
        for s in weak:
            if s.entity in NOISY:
                noisy[s.entity] += n
    total = done
    shares = {e: round(c / total, 3) for e, c in support.most_common()}
    words = sum(n for v, n in counts.items() if len(v.split()) >= st.free_text_min_words) / len(sample)
    result.sample_size = total
    result.evidence = {"support": shares, "name_hint": hint, "sample_size": total}
    if embedded:
        result.evidence["embedded_pii_cells"] = embedded
    if noisy:
        result.evidence["ignored_labels"] = dict(sorted(noisy.items()))
    best_entity, best_count = (support.most_common(1)[0] if support else (None, 0))
    best_support = best_count / total
    masked_share = masked_n / total
    result.support = round(best_support, 3)
    textual = words >= 0.5 or embedded > 0 or _FREE_TEXT_NAME.search(normalize_column_name(column)) is not None
    if textual and best_support < st.support:
        return _free_text(result, series, analyzer, analyze_free_text)
    if masked_share >= 0.9 and hint:
        _decide(result, hint, 0.7, masked=True, how="masked values with a PII name hint")
        result.support = round(masked_share, 3)
        return result
    mean_score = (sum(scores[best_entity]) / len(scores[best_entity])) if best_entity else 0.0
    if best_entity and best_support >= st.support:
        entity = "DATE_OF_BIRTH" if best_entity == "DATE_TIME" and hint == "DATE_OF_BIRTH" else best_entity
        conf = min(1.0, 0.55 * best_support + 0.3 * mean_score + (0.15 if _agrees(hint, best_entity) else 0.0))
        if entity in NOT_PII_ENTITIES:
            result.entity, result.confidence = entity, round(conf, 2)
            result.evidence["decided_by"] = "values (a date without a birth-date hint is not PII)"
            return result
        _decide(result, entity, conf, how="values")
    elif hint:
        compatible = [e for e in support if _agrees(hint, e)]
        hint_support = sum(support[e] for e in compatible) / total
        shape = _SHAPES.get(hint)
        shape_share = (sum(n for v, n in counts.items() if shape.match(v.strip())) / total) if shape else 0.0
        if hint_support >= st.ambiguous_support or shape_share >= st.support:
            conf = 0.45 + 0.35 * max(hint_support, shape_share)
            how = "name hint + values" if hint_support >= st.ambiguous_support else "name hint + value shape"
            _decide(result, hint, conf, how=how)
            result.support = round(max(hint_support, shape_share), 3)
            result.evidence["shape_support"] = round(shape_share, 3)
        elif best_entity and best_support >= st.ambiguous_support and best_entity not in NOT_PII_ENTITIES:
            result.classification, result.entity = "ambiguous", best_entity
            result.confidence = round(best_support, 2)
            result.evidence["decided_by"] = "undecided: weak support, name hint does not match the values"
        else:
            result.evidence["decided_by"] = "name hint not supported by the values"
    elif best_entity and best_support >= st.ambiguous_support and best_entity not in NOT_PII_ENTITIES:
        result.classification, result.entity = "ambiguous", best_entity
        result.confidence = round(best_support, 2)
        result.evidence["decided_by"] = "undecided: some values look like PII, below the support threshold"
    if masked_share >= 0.9 and result.pii:
        result.masked = True
    if result.pii:
        result.masked_samples = [shape_mask(v)[:40] for v in list(counts)[:3]]
    return result


def _settled(support: Counter[str], embedded: int, masked: int, done: int) -> bool:
    """After enough cells: one entity on nearly every cell, or no signal at all."""
    top = support.most_common(1)[0][1] if support else 0
    return top >= 0.95 * done or (top == 0 and embedded == 0 and masked == 0)


def _agrees(hint: str | None, entity: str) -> bool:
    return hint is not None and (hint == entity or entity in _COMPATIBLE.get(hint, set()))


def _decide(result: ColumnClassification, entity: str, conf: float, *, masked: bool = False, how: str) -> None:
    result.entity, result.pii, result.classification = entity, True, "pii"
    result.confidence = round(min(conf, 1.0), 2)
    result.masked = masked
    result.evidence["decided_by"] = how


def _free_text(result: ColumnClassification, series: pd.Series, analyzer: PiiAnalyzer,
               analyze_all: bool) -> ColumnClassification:
    result.kind = "free-text"
    result.uncovered = list(analyzer.uncovered)
    if analyze_all:
        add_free_text_counts(result, series, analyzer)
    return result


def add_free_text_counts(result: ColumnClassification, series: pd.Series, analyzer: PiiAnalyzer) -> None:
    """Analyse every value of a free-text column (a chunk at a time) and update the counts."""
    values = series.tolist()
    spans_per_value = analyzer.analyze_many(values)
    counts = Counter(result.entity_counts)
    placeholders = result.masked_placeholders
    for value, spans in zip(values, spans_per_value, strict=True):
        for s in spans:
            counts[s.entity] += 1
        if isinstance(value, str) and MASK_PLACEHOLDER.search(value):
            placeholders += 1
        if spans and len(result.masked_samples) < 3 and isinstance(value, str):
            result.masked_samples.append(masked_free_text_sample(value, spans))
    result.entity_counts = dict(sorted(counts.items()))
    result.masked_placeholders = placeholders
    raw = sum(counts.values())
    result.pii = raw > 0 or placeholders > 0
    result.classification = "pii" if result.pii else "not-pii"
    result.masked = result.pii and raw == 0
    result.entity = counts.most_common(1)[0][0] if counts else None
    result.confidence = 1.0 if raw else (0.7 if placeholders else 0.0)
    result.evidence["decided_by"] = "every value analysed (free text)"


def classify_frame(df: pd.DataFrame, analyzer: PiiAnalyzer, *, analyze_free_text: bool = True) -> FrameClassification:
    """Classify every column of ``df`` in memory."""
    cols = {str(c): classify_series(df[c], str(c), analyzer, analyze_free_text=analyze_free_text)
            for c in df.columns}
    return FrameClassification(cols, analyzer)
