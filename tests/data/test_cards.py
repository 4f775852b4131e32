"""Payment card numbers: the networks' published test numbers in the groupings people write them,
and what must never be a card (Luhn-invalid numbers, phones, IBANs, decimals, timestamps, long runs).

The numbers are the test PANs the networks and acquirers publish for integration testing; numbers
for ranges without a published test PAN (Mir, RuPay, Verve, 12- and 19-digit Maestro, 19-digit
Visa) are built here from the published prefix with a check digit computed by this file's own
Luhn helper (not the module's), so a mistake in either shows.
"""

from __future__ import annotations

import doctest
from typing import Any

import pytest

from auditor.data import cards
from auditor.data.cards import MAX_CANDIDATES, card_recognizer, find_cards, network_known
from auditor.data.pii import PiiAnalyzer
from auditor.data.recognizers import luhn_valid


def _check_digit(body: str) -> str:
    """The Luhn digit that makes ``body + digit`` valid (doubling every second digit from the right
    of the full number, i.e. from the last digit of ``body``)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)


def _pan(prefix: str, length: int) -> str:
    body = prefix + "0" * (length - len(prefix) - 1)
    return body + _check_digit(body)


def _group(pan: str, sizes: tuple[int, ...], sep: str) -> str:
    out, pos = [], 0
    for size in sizes:
        out.append(pan[pos:pos + size])
        pos += size
    assert pos == len(pan)
    return sep.join(out)


def _found(text: str) -> list[str]:
    return [text[s:e] for s, e, score in find_cards(text) if score >= 0.5]


# (network, PAN): published test numbers, then numbers built from published prefixes.
PUBLISHED = [
    ("Visa", "4111111111111111"), ("Visa", "4012888888881881"), ("Visa 13", "4222222222222"),
    ("Mastercard", "5555555555554444"), ("Mastercard", "5105105105105100"),
    ("Mastercard 2-series", "2223003122003222"), ("Mastercard 2-series", "2222400070000005"),
    ("Amex", "378282246310005"), ("Amex", "371449635398431"),
    ("Discover", "6011111111111117"), ("Discover", "6011000990139424"),
    ("JCB", "3530111333300000"), ("JCB", "3566002020360505"),
    ("Diners 14", "30569309025904"), ("Diners 14", "38520000023237"), ("Diners 14", "36227206271667"),
    ("Diners 16", "3056930009020004"),
    ("Maestro", "6759649826438453"), ("Maestro", "6304000000000000"),
    ("UnionPay", "6200000000000005"), ("UnionPay 19", "6205500000000000004"),
]
BUILT = [
    ("Visa 19", "411111111111111111"), ("Mastercard 2720", "272099"), ("Mir", "2200"), ("Mir 19", "2204"),
    ("Maestro 12", "5018"), ("Maestro 19", "6759"), ("RuPay", "6070"), ("RuPay 508", "5085"),
    ("Verve 19", "506099"), ("Discover 644", "6445"), ("UnionPay 17", "6212"), ("Troy", "9792"),
]
BUILT_LENGTHS = {"Visa 19": 19, "Mir 19": 19, "Maestro 12": 12, "Maestro 19": 19, "Verve 19": 19,
                 "UnionPay 17": 17}
ALL = PUBLISHED + [(net, _pan(prefix, BUILT_LENGTHS.get(net, 16))) for net, prefix in BUILT]
GROUPINGS = {12: (4, 4, 4), 13: (4, 4, 4, 1), 14: (4, 6, 4), 15: (4, 6, 5), 16: (4, 4, 4, 4), 17: (4, 4, 4, 4, 1),
             19: (4, 4, 4, 4, 3)}


def test_the_helpers_agree_with_published_numbers() -> None:
    for _, pan in PUBLISHED:
        assert _check_digit(pan[:-1]) == pan[-1], pan
        assert luhn_valid(pan), pan
    assert not luhn_valid("4111111111111112")


@pytest.mark.parametrize(("network", "pan"), ALL, ids=[f"{n}-{p[:4]}" for n, p in ALL])
@pytest.mark.parametrize("form", ["contiguous", "spaces", "dashes"])
def test_card_found_in_every_grouping(network: str, pan: str, form: str) -> None:
    assert luhn_valid(pan) and network_known(pan), network
    number = pan if form == "contiguous" else _group(pan, GROUPINGS[len(pan)], " " if form == "spaces" else "-")
    text = f"Bonjour, la référence {number}. Merci"
    assert _found(text) == [number]
    assert [score for _, _, score in find_cards(text)] == [cards.SCORE_KNOWN]


@pytest.mark.parametrize("text", [
    "4111111111111111", "(4111111111111111)", "cc#4111111111111111", "'4111 1111 1111 1111'",
    "4111111111111111, 5555555555554444", "num: 4111-1111-1111-1111;", "ok 4111111111111111.",
])
def test_card_beside_punctuation(text: str) -> None:
    assert _found(text)


@pytest.mark.parametrize(("text", "card"), [
    ("on 12 4111111111111111 today", "4111111111111111"),            # a number before it
    ("card 4111111111111111 2025", "4111111111111111"),              # a year after it
    ("2024-01-01 4111111111111111", "4111111111111111"),             # a date before it
    ("room 12 5555 5555 5555 4444", "5555 5555 5555 4444"),          # grouped, short number before
    ("paid 4111 1111 1111 1111 12 times", "4111 1111 1111 1111"),    # grouped, short number after
    ("Ｖｉｓａ ４１１１１１１１１１１１１１１１", "４１１１１１１１１１１１１１１１"),  # full-width digits
])
def test_card_beside_other_numbers(text: str, card: str) -> None:
    assert _found(text) == [card]


UNKNOWN_16 = _pan("12", 16)  # Luhn-valid, no network issues numbers starting with 12


@pytest.mark.parametrize(("text", "score"), [
    (f"ref {UNKNOWN_16}", cards.SCORE_CONTIGUOUS),                                  # 1 number in 10 passes Luhn
    (f"ref {_group(UNKNOWN_16, (4, 4, 4, 4), ' ')}", cards.SCORE_GROUPED),          # written like a card
    (f"card {UNKNOWN_16}", cards.SCORE_CUED),
    (f"Tarjeta de crédito: {_group(UNKNOWN_16, (4, 4, 4, 4), '-')}", cards.SCORE_CUED),
    (f"my debit {UNKNOWN_16}", cards.SCORE_CUED),
    (f"card was declined, so the order went out under reference {UNKNOWN_16}", cards.SCORE_CONTIGUOUS),  # cue far
    (f"cardholder {UNKNOWN_16}", cards.SCORE_CONTIGUOUS),                           # a whole word only
    (f"ref {_pan('4', 17)}", cards.SCORE_CONTIGUOUS),                               # Visa has no 17-digit card
    (f"ref {_pan('34', 16)}", cards.SCORE_CONTIGUOUS),                              # Amex is 15 digits
])
def test_unknown_networks_need_grouping_or_a_card_word(text: str, score: float) -> None:
    assert [s for _, _, s in find_cards(text)] == [score]


@pytest.mark.parametrize("text", [
    "4111111111111112", "4111 1111 1111 1112", "5555555555554445", "37828224631000 5",   # Luhn-invalid
    "call +1 416 555 0199", "+44 20 7946 0958", "+44 7911 123456 7890",                 # phones
    "tel 1-800-555-0199", "0044 20 7946 0958",
    "IBAN DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "FR14 2004 1010 0505 0001 3M02 606",
    "NL91ABNA0417164300", "DE89370400440532013000",
    "0.4111111111111111", "4111111111111111.5", "1,4111111111111111", "-45.4111111111111111",  # decimals
    "2024-01-01T12:30:45.123456Z", "ts 20240101123045", "1704067200000", "at 1704067200.123456",
    "41111111111111111111", "4111111111111111111111", "0000411111111111111100",      # 20+ digit runs
    "1234 5678 9012 3456 7890", "4111 1111 1111 1111 1111", "4111-1111-1111-1111-1111",
    "INV4111111111111111", "4111111111111111kg", "ref-4111111111111111", "4111111111111111-A1", "x_4111111111111111",
    "4 111 111 111 111 111", "41 1111 1111 1111 11", "411 1111 1111 11111",              # not a card grouping
    "4111 1111-1111 1111",                                                              # mixed separators
    "order 12345678 shipped", "12/25", "",
])
def test_not_a_card(text: str) -> None:
    assert _found(text) == []


def test_every_card_in_a_text_and_spans_are_exact() -> None:
    text = "Visa 4012888888881881, MC 2223 0031 2200 3222, Amex 3782-822463-10005."
    found = find_cards(text)
    assert [text[s:e] for s, e, _ in found] == ["4012888888881881", "2223 0031 2200 3222", "3782-822463-10005"]


def test_candidates_per_text_are_bounded() -> None:
    text = " ; ".join(["4111111111111111"] * 200)
    assert len(find_cards(text)) == MAX_CANDIDATES


@pytest.mark.parametrize("text", [
    "1 " * 500_000, "1-" * 500_000, "9" * 1_000_000, "4111 " * 200_000, ("4111111111111111 x " * 50_000),
    "a1" * 500_000, "1." * 500_000,
])
def test_hostile_text_gives_a_bounded_answer(text: str) -> None:
    # A backtracking regex would hang here (1 MB each); the answer itself is capped.
    assert len(find_cards(text)) <= MAX_CANDIDATES


def test_module_examples() -> None:
    assert doctest.testmod(cards).failed == 0


def test_recognizer_reports_credit_card_only_when_asked() -> None:
    rec: Any = card_recognizer()  # Presidio types nlp_artifacts as required; this recognizer needs none
    text = "card 2223003122003222 on file"
    results = rec.analyze(text, ["CREDIT_CARD"])
    assert [(text[r.start:r.end], r.entity_type, r.score) for r in results] == [
        ("2223003122003222", "CREDIT_CARD", cards.SCORE_KNOWN)]
    assert rec.analyze(text, ["PHONE_NUMBER"]) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Mastercard 2-series 2223 0031 2200 3222 on file", "CREDIT_CARD"),   # Presidio's recognizer misses it
    ("Maestro 6759 6498 2643 8453", "CREDIT_CARD"),
    ("card number: 3056 930902 5904", "CREDIT_CARD"),                      # not read as a phone ("number")
    ("IBAN DE89 3704 0044 0532 0130 00", "IBAN_CODE"),
])
def test_analyzer_uses_the_card_recognizer(analyzer: PiiAnalyzer, text: str, expected: str) -> None:
    spans = analyzer.analyze_text(text)
    assert [s.entity for s in spans] == [expected]
