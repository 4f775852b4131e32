"""Payment card numbers (PANs) in free text and cells, judged by the card networks' published
number ranges, lengths and the Luhn checksum.

Presidio's ``CreditCardRecognizer`` only knows prefixes 1, 3, 4, 5[0-5] and 6 with 13-17
digits in groups of 3 to 5: it misses Mastercard's 2-series (2221-2720), Mir, Maestro's 12- and
19-digit cards, 19-digit Visa and UnionPay, and Amex written 4-6-5. This recognizer finds
runs of digit groups once (one linear regex per text), then scores each candidate:

- Luhn-valid, and the number starts with a known issuer identification number (IIN) whose
  network issues that length (table ``IIN_RANGES``): 0.85. No context needed.
- Luhn-valid, unknown IIN, written in a card grouping (``4-4-4-4``, ``4-6-5``,
  ``4-4-4-4-3``...): 0.5.
- Luhn-valid, unknown IIN, contiguous digits: 0.3 (below the 0.5 threshold: one number in
  ten passes the Luhn check).
- either of the last two with a card word within 40 characters before it (``card``,
  ``credit``, ``debit``, ``visa``, ``cc``, ``payment``, ``carte``, ``tarjeta``, ``Karte``...):
  0.8.
- anything else: not reported.

A candidate is 12-19 digits, contiguous or in groups separated by one space or one dash all
the same (``4111-1111-1111-1111``, ``3782 822463 10005``). Never a card: digits inside a
longer digit run (20 digits and more), a decimal number (``0.4111111111111111``), a run glued
to letters (an IBAN's ``DE89 3704...`` or a reference ``INV4111...``), a ``+``-prefixed phone
number. A run of space-separated numbers may hold a card beside other numbers (``on 12
4111111111111111``): each contiguous number and each card-grouped window of the run is a
candidate, and a run of dash-joined groups is one code, taken whole or not at all.

Bounded: one linear regex per text, at most ``MAX_CANDIDATES`` candidates scored per text,
and the context looked at is 40 characters.

    >>> text = "Paid with 5555 5555 5555 4444, ref 4111 1111 1111 1112."
    >>> [(text[s:e], score) for s, e, score in find_cards(text)]
    [('5555 5555 5555 4444', 0.85)]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

from auditor.data.recognizers import luhn_valid  # ISO/IEC 7812 check digit, shared with the SIN
from auditor.data.span_recognizer import span_recognizer

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

ENTITY = "CREDIT_CARD"
MAX_CANDIDATES = 64  # per text: a hostile cell of digit groups cannot cost more than this
MIN_DIGITS, MAX_DIGITS = 12, 19  # ISO/IEC 7812: a PAN has 8-19 digits; no network issues fewer than 12

# Issuer identification number ranges: (first prefix, last prefix, lengths issued). Prefixes of one
# entry have the same number of digits and are compared on the number's first digits.
# Sources: the IIN table of Wikipedia's "Payment card number" article (networks, ranges, lengths),
# which follows ISO/IEC 7812-1 (numbering system, Luhn check digit) and the networks' own
# documents (Visa, Mastercard's 2-series announcement of 2014, Discover's IIN ranges for
# acquirers). Written from those published ranges, not from any generator's list.
# Left out on purpose: UATP (prefix 1, 15 digits: too close to epoch timestamps in microseconds)
# and networks whose ranges fall inside one listed here.
_19 = frozenset(range(16, 20))
IIN_RANGES: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),                  # Visa (incl. Visa Electron)
    ("51", "55", frozenset({16})),                        # Mastercard
    ("2221", "2720", frozenset({16})),                    # Mastercard 2-series
    ("34", "34", frozenset({15})),                        # American Express
    ("37", "37", frozenset({15})),                        # American Express
    ("6011", "6011", _19),                                # Discover
    ("644", "649", _19),                                  # Discover
    ("65", "65", _19),                                    # Discover (RuPay, Troy co-branded: 16)
    ("622126", "622925", _19),                            # Discover / China UnionPay co-branded
    ("3528", "3589", _19),                                # JCB
    ("36", "36", frozenset(range(14, 20))),               # Diners Club International
    ("38", "38", frozenset(range(14, 20))),               # Diners Club International
    ("39", "39", _19),                                    # Diners Club International
    ("300", "305", frozenset(range(14, 20))),             # Diners Club International, Carte Blanche (14)
    ("3095", "3095", _19),                                # Diners Club International
    ("50", "50", frozenset(range(12, 20))),               # Maestro
    ("56", "69", frozenset(range(12, 20))),               # Maestro (6759, 676770, 676774: Maestro UK)
    ("62", "62", _19),                                    # China UnionPay
    ("2200", "2204", _19),                                # Mir
    ("60", "60", frozenset({16})),                        # RuPay
    ("81", "82", frozenset({16})),                        # RuPay
    ("508", "508", frozenset({16})),                      # RuPay
    ("506099", "506198", _19),                            # Verve
    ("507865", "507964", _19),                            # Verve
    ("650002", "650027", _19),                            # Verve
    ("9792", "9792", frozenset({16})),                    # Troy
)
# How cards are printed: 4-digit groups (the last one shorter for 13-15 and 17-19 digits),
# Amex 4-6-5, Diners 14 digits 4-6-4, Visa's 13 digits 4-3-3-3. Other groupings (thousands
# separators, phone-number blocks) are not card numbers written by people.
CARD_GROUPINGS = frozenset({
    (4, 4, 4), (4, 4, 4, 1), (4, 4, 4, 2), (4, 4, 4, 3), (4, 4, 4, 4),
    (4, 4, 4, 4, 1), (4, 4, 4, 4, 2), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 3, 3, 3),
})
_GROUPING_PREFIXES = frozenset(g[:k] for g in CARD_GROUPINGS for k in range(1, len(g) + 1))
SCORE_KNOWN, SCORE_GROUPED, SCORE_CONTIGUOUS = 0.85, 0.5, 0.3
# With a card word: above the 0.75 a phone read of the same digits gets from a phone cue, since
# "card number" holds both a card word and a phone cue ("number") and the card word says which.
SCORE_CUED = 0.8

# A run of digit groups joined by one space or dash. The possessive repeat never gives back a
# group, and separators are not digits, so a text splits into runs one way only: linear.
_RUN = re.compile(r"\d+(?:[ -]\d+)*+")
_GROUP = re.compile(r"\d+")
# Words naming a card, in the languages of the card's holder. Not "pay"/"paid" (an invoice or order
# number is paid too) nor "PAN" (also India's tax account number, and Spanish for bread).
_CUES = ("card", "cards", "credit", "debit", "visa", "mastercard", "master card", "amex", "american express",
         "diners", "jcb", "maestro", "unionpay", "cc", "ccn", "payment", "carte", "tarjeta", "karte",
         "kreditkarte", "carta", "cartão", "kaart", "karta")
_CUE_RE = re.compile(r"(?<![^\W\d_])(?:" + "|".join(re.escape(c) for c in _CUES) + r")(?![^\W\d_])",
                     re.IGNORECASE)
_BEFORE = 40  # characters of context looked at before a candidate


def network_known(digits: str) -> bool:
    """True when a network issues numbers of this length under this prefix (``IIN_RANGES``)."""
    n = len(digits)
    # Prefixes of one entry have the same width, so string order is numeric order.
    return any(n in lengths and lo <= digits[:len(lo)] <= hi for lo, hi, lengths in IIN_RANGES)


def score_card(digits: str, grouping: tuple[int, ...], cued: bool = False) -> float:
    """Score one candidate: its digits, its group lengths (one entry when contiguous) and whether
    a card word precedes it. 0 when it cannot be a card.

    >>> score_card("378282246310005", (4, 6, 5)), score_card("378282246310005", (15,))
    (0.85, 0.85)
    """
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS or not luhn_valid(digits):
        return 0.0
    contiguous = len(grouping) == 1
    if not contiguous and grouping not in CARD_GROUPINGS:
        return 0.0
    if network_known(digits):
        return SCORE_KNOWN
    if cued:
        return SCORE_CUED
    return SCORE_CONTIGUOUS if contiguous else SCORE_GROUPED


def _glued(text: str, start: int, end: int) -> bool:
    """The run is part of a code or a phone number: a letter, ``_`` or ``+`` touches it, or a
    dash joins it to a word (``INV-4111...``)."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before == "+" or before.isalpha() or after.isalpha() or "_" in (before, after):
        return True
    if before in ("-", "/") and start >= 2 and text[start - 2].isalnum():
        return True
    return after in ("-", "/") and end + 1 < len(text) and text[end + 1].isalnum()


def _windows(groups: list[tuple[int, int]], text: str) -> Iterator[tuple[int, int]]:
    """(first, last) group indices of the candidate windows of one run (see the module docstring):
    a single group of 12-19 digits, or groups in a card grouping with one separator between them.
    Constant work per group, whatever the run: a window must start with a 4-digit group and
    follow a grouping of ``CARD_GROUPINGS`` group by group."""
    n = len(groups)
    widths = [b - a for a, b in groups]
    seps = [text[groups[k][1]] for k in range(n - 1)]
    if "-" in seps and " " not in seps:
        # Dash-joined groups are one code: the whole run or nothing.
        if _card_shaped(widths):
            yield 0, n - 1
        return
    for i in range(n):
        # A window starts at the run's start or after a space, and ends at its end or before a space.
        if i and seps[i - 1] != " ":
            continue
        if MIN_DIGITS <= widths[i] <= MAX_DIGITS and (i == n - 1 or seps[i] == " "):
            yield i, i
        if _grouping_starts(widths, i):
            yield from _grouped_windows(widths, seps, i)


def _grouping_starts(widths: list[int], i: int) -> bool:
    """Group ``i`` can start a card-grouped window: 4 digits, not the last group, and not right
    after another 4-digit group (the grouping would go on: the window is part of a longer
    grouped number, "1234 5678 9012 3456 7890")."""
    return widths[i] == 4 and not (i and widths[i - 1] == 4) and i != len(widths) - 1


def _card_shaped(widths: list[int]) -> bool:
    """Group widths a card is written in: one group of 12-19 digits, or a card grouping."""
    return (len(widths) == 1 and MIN_DIGITS <= widths[0] <= MAX_DIGITS) or tuple(widths) in CARD_GROUPINGS


def _grouped_windows(widths: list[int], seps: list[str], i: int) -> Iterator[tuple[int, int]]:
    """The card-grouped windows that start at the 4-digit group ``i``: one separator all along,
    a grouping of ``CARD_GROUPINGS``, and no 4-digit group right after."""
    sep, shape = seps[i], [4]
    last = len(widths) - 1
    for j in range(i + 1, last + 1):
        shape.append(widths[j])
        if tuple(shape) not in _GROUPING_PREFIXES or seps[j - 1] != sep:
            break
        if tuple(shape) in CARD_GROUPINGS and (j == last or (seps[j] == " " and widths[j + 1] != 4)):
            yield i, j


def _run_groups(text: str, run: re.Match[str]) -> list[tuple[int, int]]:
    """(start, end) of the digit groups of a run, without a decimal's fraction (before: "3.")
    or integer part (after: ".5"), which are not card groups."""
    start, end = run.span()
    groups = [(g.start() + start, g.end() + start) for g in _GROUP.finditer(run.group())]
    if start >= 2 and text[start - 1] in ".," and text[start - 2].isdigit():
        groups = groups[1:]
    if end + 1 < len(text) and text[end] in ".," and text[end + 1].isdigit():
        groups = groups[:-1]
    return groups


def _window_score(text: str, window: list[tuple[int, int]]) -> float:
    """``score_card`` of the digit groups of one window, with the card words before it."""
    s = window[0][0]
    grouping = tuple(b - a for a, b in window)
    digits = "".join(text[a:b] for a, b in window)
    if not digits.isascii():  # full-width or other scripts' digits: the same number
        digits = "".join(str(unicodedata.decimal(c)) for c in digits)
    cued = _CUE_RE.search(text[max(0, s - _BEFORE):s]) is not None
    return score_card(digits, grouping, cued)


def _best_of_overlapping(scored: list[tuple[float, int, int]]) -> list[tuple[int, int, float]]:
    """Overlapping windows of one run: keep the best score, then the longest; in text order."""
    scored.sort(key=lambda t: (-t[0], -(t[2] - t[1]), t[1]))
    kept: list[tuple[int, int, float]] = []
    for score, s, e in scored:
        if all(e <= ks or s >= ke for ks, ke, _ in kept):
            kept.append((s, e, score))
    return sorted(kept)


def find_cards(text: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of every card number in ``text`` scoring above zero, in text order.
    Of overlapping candidates (a window of a run and the whole run) the best score wins, then
    the longest."""
    scored: list[tuple[float, int, int]] = []
    candidates = 0
    for m in _RUN.finditer(text):
        if candidates >= MAX_CANDIDATES:
            break
        start, end = m.span()
        if end - start < MIN_DIGITS or _glued(text, start, end):
            continue
        groups = _run_groups(text, m)
        for i, j in _windows(groups, text):  # none when the run was all decimal parts
            candidates += 1
            if candidates > MAX_CANDIDATES:
                break
            score = _window_score(text, groups[i:j + 1])
            if score > 0:
                scored.append((score, groups[i][0], groups[j][1]))
    return _best_of_overlapping(scored)


def card_recognizer() -> EntityRecognizer:
    """``find_cards`` as a Presidio recognizer (entity ``CREDIT_CARD``):
    payment card numbers: network IIN ranges and lengths, Luhn, grouping and context."""
    return span_recognizer(ENTITY, "AuditorCardNumberRecognizer", "card number", find_cards)


__all__ = ["CARD_GROUPINGS", "IIN_RANGES", "MAX_CANDIDATES", "card_recognizer", "find_cards", "network_known",
           "score_card"]
