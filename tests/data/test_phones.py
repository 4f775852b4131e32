"""Phone numbers of every region: international by libphonenumber, national by shape and a cue.

Formats are taken from libphonenumber's own examples for each region (not from the
benchmark generators), plus what must never be a phone: dates, times, decimals, IPs,
years, order numbers without a phone cue.
"""

from __future__ import annotations

import pytest

from auditor.data.phones import MAX_CANDIDATES, find_phones


def _found(text: str) -> list[str]:
    return [text[s:e] for s, e, score in find_phones(text) if score >= 0.5]


@pytest.mark.parametrize(("text", "phone"), [
    ("Tel. +49 30 123456 ab Montag", "+49 30 123456"),                # Germany, international
    ("joignable au +33 1 23 45 67 89 le matin", "+33 1 23 45 67 89"),  # France
    ("ring +44 20 7946 0958 today", "+44 20 7946 0958"),              # UK
    ("reach her at +81 3-1234-5678", "+81 3-1234-5678"),              # Japan
    ("+41 (0)44 668 18 00 is the desk", "+41 (0)44 668 18 00"),        # Switzerland with (0)
    ("dial 0044 20 7946 0958", "0044 20 7946 0958"),                  # 00 international prefix
    ("call 001-416-555-0199 now", "001-416-555-0199"),
    ("call +1-416-555-0199x12", "+1-416-555-0199x12"),
    ("mobile 06 12 34 56 78 after six", "06 12 34 56 78"),            # national, cue before
    ("030 1234567 (office)", "030 1234567"),                          # national, cue after
    ("fax: 02 9876 5432", "02 9876 5432"),                            # Australia, national
    ("cell (416) 555-0199", "(416) 555-0199"),
    ("416.555.0199", "416.555.0199"),                                  # NANP shape alone
    ("teléfono 91 123 45 67", "91 123 45 67"),                        # cue in Spanish
    ("They're not answering at 561 499 051", "561 499 051"),          # 9 digits after a cue
    ("Can someone call me on 92 34 70?", "92 34 70"),                 # six digits, cued
    ("Office\\,+447700006848-Fax", "+447700006848"),                  # after an escaped comma
    ("+7-(968)-359-46-29-Office", "+7-(968)-359-46-29"),              # dash around the brackets
    ("Mobile: +351 99 6559 0004", "+351 99 6559 0004"),               # not valid, still a phone
    ("Fax: 00724078754", "00724078754"),                              # 00 prefix, invalid, cued
])
def test_phone_found(text: str, phone: str) -> None:
    assert phone in _found(text)


@pytest.mark.parametrize("text", [
    "pi is 3.14159265 exactly",
    "recorded 2010-04-13 05:16:34.068485",
    "on 13.04.2010 at 10:30",
    "host 192.168.10.200 answered",
    "received in 2019 and 2020",
    "order 12 345 678 shipped",            # grouped digits, no phone cue
    "amount 1,234,567.89 paid",
    "paid 1,234,567 in total",
    "invoice 20231114 closed",
    "card 4111 1111 1111 1111 on file",    # 16 digits: a card, never a phone
    "+99 123",                             # too short for any phone number
])
def test_not_a_phone(text: str) -> None:
    assert _found(text) == []


def test_candidates_per_text_are_bounded() -> None:
    text = " ; ".join(f"+41 44 668 18 {i:02d}" for i in range(100)) + " call"
    assert len(find_phones(text)) == MAX_CANDIDATES


@pytest.mark.parametrize(("value", "shaped"), [
    ("07700 864492", True), ("+41 44 668 18 00", True), ("(02) 6799 8847", True), ("89 37 13", True),
    ("650-752-7354x549", True), ("2010-04-13", False), ("3.14159265", False), ("192.168.0.1", False),
    ("call 07700 864492", False), ("12345", False),
])
def test_phone_shaped_values(value: str, shaped: bool) -> None:
    from auditor.data.phones import phone_shaped

    assert phone_shaped(value) is shaped


def test_phone_column_of_national_numbers_is_masked_whole() -> None:
    """In free text a national number needs a cue; in a column named phone the name is the cue."""
    import pandas as pd

    from auditor.data.classify import classify_series
    from auditor.data.pii import PiiSettings, build_analyzer

    formats = ("0{a}{b} {c}{d}{e}{f}{g}{h}", "0{a} {b}{c} {d}{e} {f}{g} {h}{a}", "({a}{b}) {c}{d}{e}{f} {g}{h}{a}{b}")
    values = [formats[i % 3].format(**{k: (i * (n + 3) + n) % 10 for n, k in enumerate("abcdefgh")})
              for i in range(300)]
    result = classify_series(pd.Series(values), "home_phone", build_analyzer(PiiSettings(workers=1)))
    assert (result.pii, result.entity, result.kind) == (True, "PHONE_NUMBER", "structured"), result.evidence
