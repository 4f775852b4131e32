"""A name-aware recognizer for free text that needs no NER model.

Presidio without a language model never finds a PERSON in free text. This
recognizer finds names from three signals:

- a lexicon of common given names and surnames (North American, bundled);
- capitalisation: runs of capitalised words ("Maria Lopez", "Jean-Luc O'Neil");
- context: titles (Mr, Ms, Dr) and cue words ("spoke with", "student", "named").

Scores: a lexicon given name followed by a capitalised word 0.85; a title or
cue followed by capitalised words 0.75; a lone lexicon given name 0.55; a lone
lexicon surname after a title 0.85. Names that are also common words (May,
Will, Bill) only count with a second signal.

What it cannot do (stated in findings as ``uncovered``): names absent from the
lexicon with no cue word, lower-case names, and non-Latin scripts. Turn on NER
(``data.ner``) for those.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from auditor.data.lexicon import FIRST_NAMES, SURNAMES

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

ENTITY = "PERSON"
_WORD = re.compile(r"[A-Z][a-z]*(?:['-][A-Z]?[a-z]+)*[a-z]|[A-Z]\.|Mc[A-Z][a-z]+|O'[A-Z][a-z]+")
_RUN_GAP = re.compile(r"^[ ]{1,2}$")
TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "mx", "sir", "madam"}
CUES = {"with", "named", "student", "by", "from", "contact", "contacted", "called", "call", "dear", "hi", "hello",
        "parent", "mother", "father", "guardian", "advisor", "emailed", "email", "spoke", "per", "for", "to",
        "applicant", "name", "cc", "attn", "sponsor", "met", "and", "told", "asked", "reported"}
STREET_WORDS = {"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "drive", "lane", "ln", "court",
                "ct", "way", "place", "pl", "crescent", "cres", "terrace", "parkway", "circle", "highway", "trail",
                "square", "row", "close", "gardens", "heights", "apt", "suite", "unit", "box"}
# Cues strong enough to make a single unknown capitalised word a name ("Mother Siobhan called").
STRONG_CUES = TITLES | {"mother", "father", "parent", "guardian", "sponsor", "advisor", "applicant",
                        "dear", "hi", "hello", "named", "attn", "sister", "brother", "wife", "husband", "son",
                        "daughter", "aunt", "uncle", "grandmother", "grandfather", "spouse", "partner"}
# Given names that are also ordinary words: only with a second signal.
AMBIGUOUS = {"may", "will", "bill", "june", "april", "august", "grace", "hope", "faith", "joy", "mark", "rose",
             "art", "dawn", "summer", "autumn", "winter", "frank", "guy", "sunny", "chase", "drew", "ray", "pat",
             "rich", "jean", "major", "christian", "case", "page", "star", "sky", "king", "lane", "young", "long",
             "price", "white", "black", "brown", "green", "hall", "wood", "hill", "bell", "cook", "street", "park"}
# Capitalised words that start sentences or name things, never people.
STOP = {"the", "a", "an", "student", "students", "registrar", "office", "university", "college", "department",
        "fall", "winter", "spring", "summer", "term", "semester", "program", "faculty", "school", "dean", "note",
        "notes", "called", "call", "email", "emailed", "phone", "sent", "requested", "request", "asked", "follow",
        "followed", "spoke", "left", "message", "voicemail", "please", "update", "updated", "changed", "new",
        "old", "address", "contact", "contacted", "parent", "mother", "father", "guardian", "advisor", "per",
        "with", "from", "by", "to", "for", "and", "or", "of", "in", "on", "at", "is", "was", "has", "had", "she",
        "he", "they", "her", "his", "their", "we", "i", "it", "this", "that", "no", "yes", "ok", "n/a", "re",
        "fw", "fwd", "sin", "ssn", "id", "dob", "tel", "cell", "mobile", "transcript", "tuition", "fees", "fee",
        "refund", "deferral", "withdrawal", "withdrew", "enrolled", "enrol", "enroll", "enrollment", "registered",
        "applied", "application", "admitted", "admission", "january", "february", "march", "april", "may",
        "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday", "canada", "ontario", "quebec", "usa", "visa",
        "master", "mastercard", "amex", "card", "credit", "paid", "payment", "ticket", "case", "file", "record",
        "records", "hold", "account", "accounts", "bank", "mail", "street", "avenue", "road", "apt", "suite",
        "unit", "north", "south", "east", "west", "confirmed", "verified", "reviewed", "approved", "denied",
        "pending", "closed", "opened", "see", "also", "attached", "scan", "copy", "original", "mr", "mrs", "ms",
        "dr", "prof", "miss", "mx", "dear", "hi", "hello", "thanks", "thank", "regards", "best", "urgent",
        "mailed", "reach", "texted", "said", "told", "wants", "needs", "will", "can", "could", "would", "should",
        "not", "did", "does", "do", "be", "been", "are", "were", "if", "but", "so", "as", "all", "any",
        "some", "more", "less", "after", "before", "since", "until", "today", "tomorrow", "yesterday", "week",
        "month", "year", "morning", "afternoon", "evening", "returned", "returning", "international", "domestic",
        "graduate", "undergraduate", "bachelor", "science", "arts", "engineering", "nursing", "business",
        "computer", "history", "biology", "chemistry", "physics", "mathematics", "economics", "psychology",
        "english", "french", "law", "medicine", "education", "music", "name", "names", "surname", "given"}


def _score_run(words: list[str], prev: str) -> tuple[int, float] | None:
    """(index of the first name word, score) for a run of capitalised words, or None."""
    lowered = [w.lower().rstrip(".") for w in words]
    start = 0
    titled = inner_cue = strong = False
    while start < len(words) and (lowered[start] in STOP or lowered[start] in TITLES):
        titled = titled or lowered[start] in TITLES
        inner_cue = inner_cue or lowered[start] in CUES  # "Guardian Xavi Quenneville"
        strong = strong or lowered[start] in STRONG_CUES
        start += 1
    name = lowered[start:]
    if not name or any(w in STREET_WORDS for w in name):
        return None
    cued = titled or inner_cue or prev.lower() in CUES or prev.lower().rstrip(".") in TITLES
    first_hit = name[0] in FIRST_NAMES
    sur_hit = any(w in SURNAMES for w in name)
    strong_first = first_hit and name[0] not in AMBIGUOUS
    if len(name) >= 2 and (first_hit or sur_hit):
        return start, 0.85 if (strong_first or sur_hit or cued) else 0.6
    if len(name) >= 2 and cued:
        return start, 0.75
    if len(name) == 1 and (titled or prev.lower().rstrip(".") in TITLES):
        return start, 0.85 if (sur_hit or first_hit) else 0.75
    if len(name) == 1 and strong_first:
        return start, 0.7 if cued else 0.55
    if len(name) == 1 and first_hit and cued:
        return start, 0.55
    if len(name) == 1 and (strong or prev.lower().rstrip(".") in STRONG_CUES):
        return start, 0.6
    return None


def find_names(text: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of every likely person name in ``text``."""
    out: list[tuple[int, int, float]] = []
    matches = list(_WORD.finditer(text))
    i = 0
    while i < len(matches):
        run = [matches[i]]
        j = i + 1
        while j < len(matches) and len(run) < 5 and _RUN_GAP.match(text[run[-1].end():matches[j].start()]):
            run.append(matches[j])
            j += 1
        before = text[:run[0].start()].rstrip()
        prev = re.findall(r"[A-Za-z]+\.?$", before)
        scored = _score_run([m.group(0) for m in run], prev[0] if prev else "")
        if scored is not None:
            k, score = scored
            out.append((run[k].start(), run[-1].end(), score))
        i = j
    return out


def name_recognizer() -> EntityRecognizer:
    """The recognizer as a Presidio ``EntityRecognizer`` (entity ``PERSON``)."""
    from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

    class LexiconNameRecognizer(EntityRecognizer):
        """Names from a lexicon, capitalisation and context words (no NER model)."""

        def load(self) -> None:
            return None

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
            if ENTITY not in entities:
                return []
            return [RecognizerResult(ENTITY, s, e, score,
                                     analysis_explanation=AnalysisExplanation(type(self).__name__, score,
                                                                              textual_explanation="lexicon name"),
                                     recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: str(getattr(self, "name", "")),
                                                           RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: str(self.id)})
                    for s, e, score in find_names(text)]

    return LexiconNameRecognizer(supported_entities=[ENTITY], name="AuditorLexiconNameRecognizer")
