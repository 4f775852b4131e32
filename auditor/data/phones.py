"""Phone numbers in any national or international format, judged by shape, libphonenumber
and context.

Presidio's ``PhoneRecognizer`` asks libphonenumber to *find* numbers region by region, and
each region costs a full pass: with the US alone it misses ``+41 (0)68 795 65 44``,
``07700 864492``, ``03.28.30.47.39`` or ``51 915 09 15``. This recognizer finds phone-shaped
digit groups once, then scores each:

- ``+`` or ``00`` and a number libphonenumber calls valid for its country code: 0.8 (possible
  but not valid: 0.6). No context needed: the country code says it is a phone number.
- a national number (no country code): its shape alone stays below the 0.5 threshold, because
  a grouped number can as well be an order number. Its shape is enough only with a phone cue
  nearby (``phone``, ``call``, ``fax``, ``mobile``, ``tel``, ``office``... before it or
  right after it, as in ``848.826.9131 fax``): then 0.75.
- a 10-digit North American number valid under the NANP rules (area and exchange codes start
  2-9) with separators: 0.55 on its own.

Dates, times, IP addresses, decimals and numbers inside longer digit runs are never phones.
Bounded: one linear regex per text, at most ``MAX_CANDIDATES`` candidates, a parse each.

    >>> [(s, e) for s, e, _ in find_phones("Can someone call me on 0355 9142588?")]
    [(23, 35)]
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from auditor.data.span_recognizer import span_recognizer

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

ENTITY = "PHONE_NUMBER"
MAX_CANDIDATES = 64  # per text: a hostile cell of digit groups cannot cost more than this

# An optional + or 00, then digit groups with exactly one separator between two groups (a
# space, dot, dash, slash, or a parenthesised group such as the "(0)" of "+41 (0)68"), then an
# optional extension. Groups are whole digit runs and separators are never digits, so a text
# splits into candidates one way only: the match is linear in the text, whatever it holds.
_CANDIDATE = re.compile(
    r"(?<![\w+./:-])"
    r"(?P<num>(?:(?:\+|00)\s?)?(?:\(\d{1,5}\)\s?\d+|\d+)(?:(?:[ .\-/]?\(\d{1,5}\)[ .\-/]?|\s?\(\d{1,5}\)\s?|[ .\-/])\d+){0,7})"
    r"(?P<ext>\s?(?:x|ext\.?|#)\s?\d{1,6})?"
    r"(?![\w]|[.,:]\d)")
_CUES = ("phone", "tel", "telephone", "call", "called", "calling", "mobile", "cell", "fax", "office", "desk",
         "message", "messages", "voicemail", "answering", "answer", "dial", "dialled", "dialed", "ring", "registered",
         "contact", "reach", "text", "sms", "whatsapp", "number", "home", "work", "landline", "hotline",
         "téléphone", "tél", "portable", "telefon", "telefono", "teléfono", "handy", "numéro", "numero")
_CUE_RE = re.compile(r"(?<![^\W\d_])(?:" + "|".join(re.escape(c) for c in _CUES) + r")(?![^\W\d_])", re.IGNORECASE)
_BEFORE, _AFTER = 48, 16  # characters of context looked at around a candidate
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}|\d{1,2}:\d{2}(?::\d{2})?")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DECIMAL = re.compile(r"\d+[.,]\d+")
_NANP = re.compile(r"\(?[2-9]\d{2}\)?[ .\-]?[2-9]\d{2}[ .\-]\d{4}")


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@lru_cache(maxsize=65_536)
def _international_score(number: str) -> float:
    """0.8 valid, 0.6 possible, 0 otherwise, for a number written with its country code."""
    import phonenumbers

    text = "+" + number[2:].lstrip() if number.startswith("00") else number
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return 0.0
    if phonenumbers.is_valid_number(parsed):
        return 0.8
    return 0.6 if phonenumbers.is_possible_number(parsed) else 0.0


@lru_cache(maxsize=1024)
def _known_country_code(digits: str) -> bool:
    """The digits start with a calling code that some region uses (+1, +44, +351, ...)."""
    import phonenumbers

    return any(phonenumbers.region_code_for_country_code(int(digits[:n])) != "ZZ" for n in (1, 2, 3))


def _cued(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - _BEFORE):start]
    after = text[end:end + _AFTER]
    return bool(_CUE_RE.search(before) or _CUE_RE.search(after))


def _score(text: str, start: int, end: int, number: str) -> float:
    digits = _digits(number)
    if not 6 <= len(digits) <= 15 or any(p.fullmatch(number) for p in (_DATE, _IPV4, _DECIMAL)):
        return 0.0
    if number.startswith(("+", "00")):
        score = _international_score(number)
        if score:
            return score
        if number.startswith("+") and len(digits) >= 8 and _known_country_code(digits):
            return 0.55  # "+351 99 6559 0004": not a valid number, but written as a phone number is
    grouped = any(not c.isdigit() for c in number)
    if _cued(text, start, end) and (grouped or len(digits) >= 7):
        return 0.75
    if len(digits) == 10 and grouped and _NANP.fullmatch(number):
        return 0.55
    return 0.3 if grouped else 0.0


def phone_shaped(value: str) -> bool:
    """The whole value is one phone-shaped number (what a column named ``phone`` holds),
    with or without the cue that free text would need: "07700 864492", "+41 44 668 18 00"."""
    value = value.strip()
    m = _CANDIDATE.fullmatch(value)
    return m is not None and _score(value, 0, m.end("num"), m.group("num").strip()) > 0


def find_phones(text: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of every phone-shaped number in ``text`` scoring above zero."""
    out: list[tuple[int, int, float]] = []
    for n, m in enumerate(_CANDIDATE.finditer(text)):
        if n >= MAX_CANDIDATES:
            break
        number = m.group("num").strip()
        start = m.start("num") + (len(m.group("num")) - len(m.group("num").lstrip()))
        if start > 1 and text[start - 1] == "," and text[start - 2].isdigit():
            continue  # a group of "1,234,567", not a number of its own
        score = _score(text, start, m.end("num"), number)
        if score > 0:
            out.append((start, m.end(), score))
    return out


def phone_recognizer() -> EntityRecognizer:
    """``find_phones`` as a Presidio recognizer (entity ``PHONE_NUMBER``):
    phone numbers of every region: shape, libphonenumber and context words."""
    return span_recognizer(ENTITY, "AuditorPhoneShapeRecognizer", "phone shape", find_phones)


__all__ = ["find_phones", "phone_recognizer", "phone_shaped"]
