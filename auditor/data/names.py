"""A name-aware recognizer for free text that needs no NER model.

Presidio without a language model never finds a PERSON in free text. This
recognizer finds names from three signals:

- a lexicon of common given names and surnames (North American, bundled), matched with
  accents folded ("José" is "jose");
- capitalisation in any cased script: runs of capitalised words ("Maria Lopez",
  "Jean-Luc O'Neil", "Zoë Łukasiewicz", "Владимир Иванов"), with the particles of many
  languages inside a run ("Aislinn de Meer", "Ludwig van Beethoven");
- context: titles (Mr, Ms, Dr, Herr, Mme...) and cue words ("spoke with", "student",
  "Name:"), including a lexicon given name written in lower case after a cue
  ("spoke with maria lopez").

Scores: a lexicon given name followed by a capitalised word 0.85; a title or
cue followed by capitalised words 0.75; a lone lexicon given name 0.55; a lone
lexicon surname after a title 0.85. Names that are also common words (May,
Will, Bill) only count with a second signal.

What it cannot do (stated in findings as ``uncovered``): names absent from the
lexicon with no cue word, lower-case names the lexicon does not know, and scripts without
letter case (Chinese, Korean, Arabic...). Turn on NER (``data.ner``) for those.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from auditor.data.fold import fold
from auditor.data.given_names import world_given_names
from auditor.data.lexicon import FIRST_NAMES, SURNAMES
from auditor.data.span_recognizer import span_recognizer
from auditor.data.wordlists import common_words, name_words

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

ENTITY = "PERSON"
# A word of any script: letters, inner apostrophes or hyphens ("O'Neil", "Jean-Luc"), and
# the full stop of an initial or a title ("J.", "Dr.").
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?")
_PREV_WORD = re.compile(r"([^\W\d_]+)\.?\s*[:,]?\s*$")
# Lower-case words that belong inside a name in many languages.
PARTICLES = {"de", "da", "das", "do", "dos", "del", "della", "der", "den", "di", "du", "la", "le", "van", "von",
             "ten", "ter", "bin", "ibn", "al", "el", "zu", "y", "st"}
TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "mx", "sir", "madam", "herr", "frau", "mme", "mlle", "sr", "sra",
          "srta", "dott", "sig", "signora", "dona", "don", "pan", "pani"}
CUES = {"with", "named", "student", "by", "from", "contact", "contacted", "called", "call", "dear", "hi", "hello",
        "parent", "mother", "father", "guardian", "advisor", "emailed", "email", "spoke", "per", "for", "to",
        "applicant", "name", "cc", "attn", "sponsor", "met", "told", "asked", "reported"}
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
# Words that make a capitalised run an organisation, a place or a thing, never a person
# ("Major Projects Branch", "Grants and Awards Inquiry", "Alaska Air Group Inc").
ORG_WORDS = {"branch", "inquiry", "inquiries", "department", "dept", "services", "service", "board", "committee",
             "committees", "council", "agency", "agencies", "office", "centre", "center", "group", "inc", "ltd",
             "llc", "plc", "corp", "corporation", "company", "co", "gmbh", "ag", "sa", "bv", "team", "division",
             "unit", "program", "programme", "project", "projects", "association", "foundation", "institute",
             "university", "college", "school", "hospital", "clinic", "bank", "fund", "trust", "society", "club",
             "church", "ministry", "authority", "commission", "bureau", "network", "systems", "solutions",
             "partners", "holdings", "industries", "international", "store", "shop", "market", "hotel", "airport",
             "station", "park", "parks", "library", "museum", "city", "county", "province", "state", "district",
             "street", "avenue", "road", "bylaws", "regulations", "operations", "management", "maintenance",
             "planning", "development", "engineering", "finance", "support", "safety", "policy"}
# Endings of abstract nouns, which are not names ("Inspections", "Reduction", "Governance").
_NOUN_ENDINGS = ("tion", "tions", "sion", "sions", "ment", "ments", "ance", "ence", "ness", "ship", "ity", "ities",
                 "ology", "ics", "ism", "ure", "ures")
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
        "english", "french", "law", "medicine", "education", "music", "name", "names", "surname", "given",
        "i'm", "i've", "i'd", "i'll", "it's", "that's", "what's", "here's", "there's", "he's", "she's", "let's",
        "we're", "you're", "they're", "don't", "didn't", "can't", "won't", "isn't", "wasn't", "im", "ive",
        "we'll", "you'll", "they'll", "he'll", "she'll", "it'll", "we've", "you've", "they've", "we'd", "you'd",
        "e-mail", "emails", "e-mails", "re:", "fwd:", "ps", "p.s"}


def given(word: str) -> bool:
    """A folded word that is a given name: the curated lexicon or the 54-country list."""
    return word in FIRST_NAMES or word in world_given_names()


def ambiguous(word: str) -> bool:
    """A given name that is also a common word ("will", "hope", "man"): needs a second signal."""
    return word in AMBIGUOUS or word in STOP or word in name_words()


def _word_like(word: str) -> bool:
    """An ordinary word rather than a surname: common English or a name that is also a word."""
    return (word in common_words() or word in name_words()) and word not in SURNAMES


def _abstract_noun(word: str) -> bool:
    return len(word) > 5 and word.endswith(_NOUN_ENDINGS) and not given(word) and word not in SURNAMES


def names_a_thing(span_text: str) -> bool:
    """True when a "person" span holds an organisation word or an abstract noun ("Projects
    Branch", "Maintenance Inquiry"): a language model's PERSON is checked with the same rule
    as the name recognizer's own runs."""
    words = [fold(w).rstrip(".") for w in _WORD.findall(span_text)]
    return any(w in ORG_WORDS or w in STREET_WORDS or _abstract_noun(w) for w in words)


_POSSESSIVE = ("'s", "’s")


def _key(word: str) -> str:
    """A word as the lexicons know it: folded, no full stop, no possessive ("Norbert's")."""
    key = fold(word).rstrip(".")
    return key[:-2] if key.endswith(_POSSESSIVE) and len(key) > 3 else key


# Verbs after which a lone given name that is also a word ("Drew", "Angel") is a subject.
_SUBJECT_VERBS = frozenset({"had", "said", "says", "shouted", "told", "asked", "replied", "explained", "called",
                            "wrote", "went", "lives", "lived", "works", "worked", "emailed", "phoned", "paid"})


class _Lead(NamedTuple):
    """The words a run starts with before the name ("Dr", "Guardian", "Producer") and what they say."""

    start: int  # index of the first word after them
    titled: bool  # one is a title ("Dr Maria Lopez")
    cued: bool  # one is a cue word ("Guardian Xavi Quenneville")
    strong: bool  # one is a strong cue ("Mother Siobhan")


def _lead_word(key: str, more_follow: bool) -> bool:
    """A word before the name in a run: a stop word, a title, or a common word with more
    words after it ("Producer Naomi Gaudet")."""
    return key in STOP or key in TITLES or (more_follow and key in common_words())


def _lead(lowered: list[str]) -> _Lead:
    """The titles, cue and ordinary words at the start of a run (folded words)."""
    start = 0
    titled = cued = strong = False
    last = len(lowered) - 1
    while start <= last and _lead_word(lowered[start], start < last):
        key = lowered[start]
        titled = titled or key in TITLES
        cued = cued or key in CUES
        strong = strong or key in STRONG_CUES
        start += 1
    return _Lead(start, titled, cued, strong)


def _names_a_thing_word(key: str) -> bool:
    """A folded word that makes a run an organisation, a street or an abstract noun."""
    return key in STREET_WORDS or key in ORG_WORDS or _abstract_noun(key)


def _plain_surname(key: str) -> bool:
    """A lexicon surname that is not also an ordinary word ("White Stripes", "Forestry Hall"
    are no evidence)."""
    return key in SURNAMES and key not in AMBIGUOUS


def _full_name_score(name: list[str], cued: bool) -> float | None:
    """The score of two or more name words (particles left out), or None."""
    first_hit = given(name[0])
    sur_hit = any(_plain_surname(w) for w in name)
    if first_hit or sur_hit:
        if sur_hit or cued or not ambiguous(name[0]):  # here not sur_hit means first_hit
            return 0.85
        # "Urban Forestry", "Grace Period": a name that is also a word, before a word
        return None if any(_word_like(w) for w in name[1:]) else 0.6
    if cued:
        return 0.75
    if len(name[0]) == 1 and len(name[-1]) > 1:  # initials first: "J. R. Tolkien"
        return 0.7
    return None


def _single_name_score(word: str, cued: bool, titled: bool, strong: bool, next_word: str) -> float | None:
    """The score of a run with one name word: a title, a lexicon name, a cue word or a verb
    after it must speak for it."""
    first_hit = given(word)
    if titled:
        return 0.85 if (first_hit or _plain_surname(word)) else 0.75
    if first_hit and not ambiguous(word):
        return 0.7 if cued else 0.55
    if first_hit and cued:
        return 0.55
    if strong:
        return 0.6
    if first_hit and next_word in _SUBJECT_VERBS:  # "Charlie had given", "Nick shouted"
        return 0.55
    return None


def _score_run(words: list[str], prev: str, title_case: Callable[[], bool] = bool,
               next_word: str = "") -> tuple[int, float] | None:
    """(index of the first name word, score) for a run of capitalised words, or None."""
    lowered = [_key(w) for w in words]
    lead = _lead(lowered)
    name = [w for w in lowered[lead.start:] if w not in PARTICLES]
    if not name or any(_names_a_thing_word(w) for w in name):
        return None
    prev = fold(prev)
    prev_key = prev.rstrip(".")
    cued = lead.titled or lead.cued or prev in CUES or prev_key in TITLES
    if len(name) >= 2:
        score = _full_name_score(name, cued)
    else:
        score = _single_name_score(name[0], cued, lead.titled or prev_key in TITLES,
                                   lead.strong or prev_key in STRONG_CUES, next_word)
    return None if score is None else (lead.start, score)


# Words that follow a person's name at the start of a sentence ("Gyna is very reliable").
_PERSON_VERBS = {"is", "was", "has", "had", "will", "would", "said", "says", "told", "asked", "called", "wrote",
                 "went", "lives", "lived", "works", "worked", "shouted", "replied", "explained", "and", "can", "could",
                 "began", "begins", "started", "listed", "joined", "left", "moved", "sent", "signed", "paid", "needs",
                 "wants", "likes", "loves", "met", "visited", "studied", "graduated", "married", "died", "did",
                 "does", "got", "gets", "made", "makes", "took", "takes", "came", "comes", "saw", "sees", "knows",
                 "knew", "thinks", "thought", "may", "might", "should", "must", "agreed", "applied", "enrolled"}
_SENTENCE_END = re.compile(r"(?:^|[.!?:;|\n\"“”()\[\]{}*#>•-])\s*$")


def _known(word: str) -> bool:
    """A word the lexicons know as something else than an unknown name."""
    return (word in common_words() or word in name_words() or word in STOP or word in ORG_WORDS
            or word in STREET_WORDS or word in PARTICLES or word in TITLES or _abstract_noun(word))


_FIELD_START = re.compile(r"(?:^|[|\n\t}:?>•])[ ]*$")
_FIELD_END = re.compile(r"[ ]*(?:$|[|\n\t{,;:])")


def _whole_field(text: str, start: int, end: int) -> bool:
    """The run is all of one field of a record-like text ("Name | Company | Street")."""
    return bool(_FIELD_START.search(text[max(0, start - 4):start]) and _FIELD_END.match(text, end))


def _initial(word: str) -> bool:
    """A middle initial: "D." or a bare capital "K" ("Anne-Lotte K Modderkolk")."""
    return (len(word) == 2 and word[1] == ".") or (len(word) == 1 and word.isupper())


def _surname_like(key: str) -> bool:
    """A common word that can still be a surname after an unknown given name ("Crysta
    Bradshaw", "Lisandro Ramos"): not a function, organisation, street or title word."""
    return not (key in STOP or key in ORG_WORDS or key in STREET_WORDS or key in TITLES or key in PARTICLES
                or key in name_words() or _abstract_noun(key))


def _unknown_run_score(words: list[str], text: str, start: int, end: int,
                       title_case: Callable[[], bool]) -> float | None:
    """A run of capitalised words that no list knows, in running text ("says Sandberg", "Gyna
    is very reliable"): an unknown proper noun is more often a name than anything else in the
    notes and messages a data platform holds. In title-case text (headings, products,
    departments) only a run that fills a whole field; never a run of common words."""
    # Initials between names ("Byrghita D. Lundqvist") are neither evidence nor an objection.
    keys = [_key(w) for i, w in enumerate(words) if not (0 < i < len(words) - 1 and _initial(w))]
    if not _unknown_name(keys):
        return None
    surname_word = any(_known(k) for k in keys[1:])  # "Crysta Bradshaw": weaker, mid-sentence only
    if _field_name(keys, text, start, end, surname_word):
        return 0.5
    if title_case():
        return None
    if not _SENTENCE_END.search(text[max(0, start - 3):start]):
        return 0.6 if len(keys) > 1 and not surname_word else 0.5
    if surname_word:
        return None
    return _sentence_start_score(keys, text, end)


def _unknown_name(keys: list[str]) -> bool:
    """Up to three words of three letters or more, the first unknown to every list, the others
    unknown or able to be a surname."""
    if len(keys) > 3 or any(len(k) < 3 for k in keys) or _known(keys[0]):
        return False
    return not any(_known(k) and not _surname_like(k) for k in keys[1:])


def _field_name(keys: list[str], text: str, start: int, end: int, surname_word: bool) -> bool:
    """The run fills a field of a record-like text as a full name ("Romario Tamburro | Forlì") or
    names a speaker ("Delpha: What a wife.")."""
    if not _whole_field(text, start, end):
        return False
    return (len(keys) > 1 and not surname_word) or text[end:end + 1] == ":"


def _sentence_start_score(keys: list[str], text: str, end: int) -> float | None:
    """At the start of a sentence a capital says less: a lower-case word or a verb must follow
    ("Laquanda spent a year", "Banke Broman listed his top 20"), or the run addresses someone
    ("Geraldino, can I please...")."""
    after = _WORD.match(text, end + 1) if text[end:end + 1] == " " else None
    if after is not None and (after.group(0).lower() in _PERSON_VERBS or after.group(0).islower()):
        return 0.5
    if text[end:end + 2] == ", " and len(keys) == 1:
        after = _WORD.match(text, end + 2)
        return 0.5 if after is not None and after.group(0).islower() else None
    return None


_ANY_CUE = re.compile(r"(?<![^\W\d_])(?:" + "|".join(sorted(CUES | STRONG_CUES | TITLES)) + r")(?![^\W\d_])",
                     re.IGNORECASE)


def might_hold_name(text: str) -> bool:
    """Cheap pre-filter: a capital letter anywhere, or a cue word a lower-case name can follow."""
    return any(c.isupper() for c in text) or _ANY_CUE.search(text) is not None


_CAPITALISED: dict[str, bool] = {}  # memo, as fold's: bounded, short words only


def _capitalised(word: str) -> bool:
    """"Maria", "O'Neil", "J.", "Łukasiewicz"; not "NASA", "maria" or a caseless script."""
    hit = _CAPITALISED.get(word)
    if hit is None:
        hit = _capitalised_word(word)
        if len(word) <= 40:
            if len(_CAPITALISED) >= 200_000:
                _CAPITALISED.clear()
            _CAPITALISED[word] = hit
    return hit


def _capitalised_word(word: str) -> bool:
    core = word.rstrip(".")
    if not core or not core[0].isupper():
        return False
    rest = [c for c in core[1:] if c.isalpha()]
    return not rest or any(c.islower() for c in rest) or word.endswith(".")


# Small words a title leaves in lower case ("Grants and Awards", "Maison de la Radio").
_TITLE_SMALL = frozenset({"and", "the", "for", "from", "with", "into", "onto", "over", "under", "per", "via", "und",
                          "des", "del", "della", "les", "los", "las", "van", "von", "der", "den", "het", "och"})


def _title_case(all_words: list[str]) -> bool:
    """Text whose words are (nearly) all capitalised and that has no lower-case content word:
    a heading, a department or product name, where a capital letter says nothing about a
    name. "They had 6: Sergio, Floretta, Jan" is prose ("had")."""
    words = [w for w in all_words if len(w) > 3]
    if not words or sum(_capitalised(w) for w in words) < 0.8 * len(words):
        return False
    return not any(len(w) >= 3 and w.islower() and w not in _TITLE_SMALL for w in all_words)


def _ends_sentence(word: str) -> bool:
    """A word with a full stop that is not an initial or a title ("Lundqvist." before "What")."""
    return (word.endswith(".") and len(word) > 2 and word[:-1].lower() not in TITLES) or word.endswith(_POSSESSIVE)


class _Words(NamedTuple):
    """The words of a text (``_WORD`` matches) as three parallel lists: read once, not once per rule."""

    text: list[str]
    start: list[int]
    end: list[int]


def _words(text: str) -> _Words:
    spans = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    return _Words([s[0] for s in spans], [s[1] for s in spans], [s[2] for s in spans])


# What ``^[ ]{1,2}$`` matches (``$`` also matches before a final line break): the gap between
# two words of one run, as a set lookup instead of a regex call per pair of words.
_RUN_GAPS = frozenset({" ", "  ", " \n", "  \n"})


def _run_gap(text: str, end: int, start: int) -> bool:
    return start - end <= 3 and text[end:start] in _RUN_GAPS


def _runs(w: _Words, text: str) -> list[tuple[int, int]]:
    """Runs of capitalised words (word indexes, end exclusive), particles allowed between two of them."""
    words, starts, ends = w
    runs: list[tuple[int, int]] = []
    n = len(words)
    i = 0
    while i < n:
        first = words[i]
        if not first[0].isupper() or not _capitalised(first):  # the cheap test first: most words are lower case
            i += 1
            continue
        j = i + 1
        while j < n and j - i < 6 and _run_gap(text, ends[j - 1], starts[j]) and not _ends_sentence(words[j - 1]):
            word = words[j]
            particle = (word in PARTICLES and j + 1 < n and _capitalised(words[j + 1])
                        and _run_gap(text, ends[j], starts[j + 1]))
            if not (_capitalised(word) or particle):
                break
            j += 1
        k = j
        while k - i > 1 and fold(words[k - 1]).rstrip(".") in STOP:  # "Maria Lopez Phone:"
            k -= 1
        runs.append((i, k))
        i = j
    return runs


# Phrases that introduce or sign with a name: a strong cue, like "named".
_INTRODUCTION = re.compile(r"(?:\bmy name is|\bname's|\bi am|\bi'm|\bthis is|\bcall me|\bregards|\bsincerely"
                           r"|\bthanks|\bthank you|\bcheers|\bsigned|\bbest|\bname\s*[?:])\s*[,:]?\s*$", re.IGNORECASE)


def _prev_word(text: str, start: int) -> str:
    """The cue word before a run: the word itself, or "named" after an introduction."""
    before = text[max(0, start - 40):start]
    if _INTRODUCTION.search(before):
        return "named"
    found = _PREV_WORD.search(before)
    return found.group(1) if found else ""


# Last words of a cue after which a lower-case given name may follow. "is", "am", "me" and
# "best" count only inside an introduction ("my name is", "i am", "call me", "all the best").
_CUE_WORDS = frozenset(CUES | STRONG_CUES | TITLES | {"is", "am", "me", "regards", "sincerely", "thanks", "cheers",
                                                       "signed", "best", "i'm", "name's"})
_NEEDS_INTRO = frozenset({"is", "am", "me", "best"})
_CUE_GAP = re.compile(r"^\.?\s*[,:?]?\s*$")


def _lower_case_names(w: _Words, text: str) -> list[tuple[int, int, float]]:
    """A lexicon given name in lower case right after a cue: "spoke with maria lopez"."""
    words, starts, ends = w
    out = []
    for i in range(1, len(words)):
        word = words[i]
        if not word.islower():
            continue
        key = words[i - 1].lower().rstrip(".")
        # The gap is at most a few characters ("with maria", "Name: maria"); a longer one is
        # not a cue and is never handed to the pattern (bounded work on hostile text).
        if key not in _CUE_WORDS or starts[i] - ends[i - 1] > 6 or not _CUE_GAP.match(text[ends[i - 1]:starts[i]]):
            continue
        if key in _NEEDS_INTRO and not _INTRODUCTION.search(text[max(0, starts[i - 1] - 30):ends[i - 1]]):
            continue
        folded = fold(word)
        if not given(folded) or ambiguous(folded):
            continue
        end = ends[i]
        if i + 1 < len(words) and _run_gap(text, end, starts[i + 1]):
            nxt = fold(words[i + 1])
            if nxt not in STOP and (nxt in SURNAMES or _capitalised(words[i + 1])):
                end = ends[i + 1]
        out.append((starts[i], end, 0.6))
    return out


def find_names(text: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of every likely person name in ``text``."""
    out: list[tuple[int, int, float]] = []
    w = _words(text)
    words, starts, ends = w
    known: list[bool] = []

    def title_case() -> bool:  # computed once, and only for a run that needs it
        if not known:
            known.append(_title_case(words))
        return known[0]

    for i, k in _runs(w, text):
        run = words[i:k]
        start, stop = starts[i], ends[k - 1]
        if len(run[0]) == 2 and text[max(0, start - 1):start] == ".":
            continue  # the second letter of an abbreviation ("U.S. Army"), not an initial
        after = _WORD.match(text, stop + 1) if text[stop:stop + 1] == " " else None
        scored = _score_run(run, _prev_word(text, start), title_case, after.group(0).lower() if after else "")
        if scored is None:
            unknown = _unknown_run_score(run, text, start, stop, title_case)
            scored = None if unknown is None else (0, unknown)
        if scored is not None:
            first, score = scored
            while first < len(run) - 1 and run[first] in PARTICLES:
                first += 1
            end = stop - (1 if run[-1].endswith(".") and len(run[-1]) > 2 else 0)
            end -= 2 if run[-1].endswith(_POSSESSIVE) else 0
            out.append((starts[i + first], end, score))
    out += _lower_case_names(w, text)
    return out + _list_members(w, text, out)


# What ``^(?:, ?| and | & |, and | or | und | et | y | e )$`` matches (``$`` also before a final
# line break): the gap between two members of a list.
_LIST_GAPS = frozenset(g + nl for g in (",", ", ", " and ", " & ", ", and ", " or ", " und ", " et ", " y ", " e ")
                       for nl in ("", "\n"))


def _list_members(w: _Words, text: str, found: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The other members of a list that holds a name: "founders: Kreutzmann, Wood and Hart",
    "Sergio, Floretta, Jan, Cleotilde": single capitalised words between commas or "and",
    none of them a function, organisation, street or title word."""
    named = {s for s, _e, score in found if score >= 0.5}
    if not named:
        return []
    words, starts, ends = w
    out: list[tuple[int, int, float]] = []
    i = 0
    while i < len(words):
        j = _list_end(w, text, i)
        if j > i:  # a list of two words or more
            members = [k for k in range(i, j + 1) if _capitalised(words[k])]
            if len(members) == j - i + 1 and any(starts[k] in named for k in members):
                out += [(starts[k], ends[k] - (1 if words[k].endswith(".") else 0), 0.5)
                        for k in members if starts[k] not in named and _could_be_member(_key(words[k]))]
        i = j + 1
    return out


def _list_end(w: _Words, text: str, i: int) -> int:
    """Index of the last word of the list that starts at word ``i`` (``i`` when no list gap follows it)."""
    starts, ends = w.start, w.end
    j = i
    while j + 1 < len(starts) and starts[j + 1] - ends[j] <= 7 and text[ends[j]:starts[j + 1]] in _LIST_GAPS:
        j += 1
    return j


def _could_be_member(key: str) -> bool:
    """A list word that can be a name: two letters or more, not a function, organisation,
    street or title word, not an abstract noun."""
    return len(key) >= 2 and not (key in STOP or key in ORG_WORDS or key in STREET_WORDS or key in TITLES
                                  or _abstract_noun(key))


def name_recognizer() -> EntityRecognizer:
    """``find_names`` as a Presidio recognizer (entity ``PERSON``):
    names from a lexicon, capitalisation and context words (no NER model)."""
    world_given_names(), name_words(), common_words()  # load once, before workers fork
    return span_recognizer(ENTITY, "AuditorLexiconNameRecognizer", "lexicon name", find_names)
