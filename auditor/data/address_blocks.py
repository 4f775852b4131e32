"""Street addresses laid out as a postal block, one part per line.

Signature blocks, shipping labels and CRM exports write an address over several lines::

    Aurora Strømsnes
    475 Kronwiesenweg 95
    Suite 275
    Tallinn
    Estonia 12345

The street line of such a block often has no street type word ("Kronwiesenweg 95",
"Strojírenská 1006", "Kase põik 91"), which the single-line finder (``addresses.py``) needs.
Here the layout is the evidence: a line made of a house number and a name the word lists do
not know as ordinary English, with a unit line ("Apt. 181", "Suite 907") or a postal line
("Estonia 12345", "10115 Berlin") in the same block. The span runs from the street line through
the unit, city, region, postal and country lines after it. Bullets and quote marks that exports put before each line
("}}", "???", "-", ">") are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from auditor.data.fold import fold
from auditor.data.names import STOP
from auditor.data.wordlists import common_words

STREET_SCORE, UNIT_BOOST, POSTAL_BOOST = 0.45, 0.15, 0.2
_MAX_LINES = 60  # a block longer than a page is not an address block; bound the work
_BULLET = re.compile(r"^[ \t]*(?:\}\}|\?\?\?|[-*•>|])?[ \t]*")
_NAME = r"[^\W\d_][\w'’.\-/]*"
# "475 Kronwiesenweg 95", "5778 82 rue Ernest Renan", "Kase põik 91", "Strojírenská 1006 b"
_STREET = re.compile(rf"^(?:\d{{1,6}}[a-zA-Z]?(?:[ /-]\d{{1,4}})?[ ,]+)?(?P<name>{_NAME}(?:[ ]{_NAME}){{0,4}})"
                     rf"(?:[ ,]+\d{{1,5}}[a-zA-Z]?\.?(?:[ /-]\d{{1,4}})?)?$")
_UNIT = re.compile(r"^(?:apt|apto|appt|suite|ste|unit|flat|room|rm|floor|fl|bldg|building|#)\.?[ ]*#?[\w-]{1,6}$",
                   re.IGNORECASE)
# "Estonia 12345", "10115 Berlin", "Springfield, IL 62704", "SW1A 2AA London"
_POSTAL = re.compile(rf"^(?:{_NAME}(?:[ ,]+\(?{_NAME}\)?){{0,3}}[ ,]+\d{{4,6}}|\d{{4,6}}[ ,]+{_NAME}(?:[ ]{_NAME}){{0,3}}"
                     rf"|[A-Z]{{1,2}}\d[A-Z\d]?[ ]?\d[A-Z]{{2}}(?:[ ,]+{_NAME})*)$")
_WORD = re.compile(r"[^\W\d_]+")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, bullets and edge spaces left out; [] past _MAX_LINES."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        s = pos + _BULLET.match(raw).end()  # type: ignore[union-attr]  # the pattern always matches
        e = pos + len(raw)
        while e > s and text[e - 1] in " \t\r":
            e -= 1
        out.append((s, e))
        pos += len(raw) + 1
        if len(out) > _MAX_LINES:
            return []
    return out


def _street_line(line: str) -> bool:
    """A house number and a name, at least one of whose words is not ordinary English."""
    m = _STREET.match(line)
    if not m or not any(c.isdigit() for c in line):
        return False
    words = [fold(w) for w in _WORD.findall(m.group("name"))]
    return any(len(w) >= 3 and w not in common_words() for w in words)


# A house number, a name of up to five words and an optional number, ending the line.
_NUMBERED_END = re.compile(rf"(?<![\w.,/-])\d{{1,6}}[a-zA-Z]?(?:[ /-]\d{{1,4}})?[ ,]+{_NAME}(?:[ ]{_NAME}){{0,4}}"
                           rf"(?:[ ,]+\d{{1,5}}[a-zA-Z]?\.?)?$")
# Capitalised words (and a postcode) at the start of a line, up to the first lower-case word.
_PLACE_LEAD = re.compile(r"(?:[A-ZÀ-ÞΑ-ΩА-Я][\w'’.-]*(?:[ ,]+(?=[A-ZÀ-ÞΑ-ΩА-Я(\d]))?|\(\w+\)[ ]?|\d{4,6}[ ]?)+")


def _place_lead(text: str, start: int, end: int) -> int:
    """End of the place words (and postcode) that start a line before a sentence goes on:
    "Austria 58566| last night." Stops before a word that is not a place ("Thanks")."""
    m = _PLACE_LEAD.match(text, start, end)
    if not m:
        return start
    stop = start
    for word in re.finditer(r"\S+", text[start:m.end()]):
        if fold(word.group().strip(",.?!()")) in STOP:
            break
        stop = start + word.end()
    return stop


def _next_kind(kinds: list[str], n: int) -> str:
    return next((k for k in kinds[n + 1:] if k != "blank"), "")


def _place_line(line: str) -> bool:
    """A city, region or country line of a postal block: "Ždár nad Sázavou 1", "VIERZON",
    ", SJ", "Teixeira de Freitas", "Cyprus (Greek)". Capitalised words, short particles, region
    codes, at most one number; no colon or at-sign (those start "Mobile:", e-mail lines)."""
    if not line or ":" in line or "@" in line or len(line) > 60:
        return False
    words = _WORD.findall(line)
    if not 1 <= len(words) <= 6 or len(re.findall(r"\d+", line)) > 1:
        return False
    return all(w[0].isupper() or (w.islower() and len(w) <= 3) for w in words)


def _line_kind(line: str) -> str:
    """What one line of a block is: "unit", "street", "postal", "blank", "place" or "other"."""
    if _UNIT.match(line):
        return "unit"
    if _street_line(line):
        return "street"
    if _POSTAL.match(line):
        return "postal"
    if not line:
        return "blank"
    return "place" if _place_line(line) else "other"


def _line_kinds(text: str, lines: list[tuple[int, int]], confident: list[int]) -> list[str]:
    """The kind of each line. A line on which a confident street starts is a street line and
    begins where that street does (``lines`` is updated)."""
    kinds = []
    for n, (s, e) in enumerate(lines):
        begins = next((cs for cs in confident if s <= cs < e), None)
        if begins is None:
            kinds.append(_line_kind(text[s:e]))
            continue
        lines[n] = (begins, e)
        kinds.append("unit" if _UNIT.match(text[s:e]) else "street")
    return kinds


def _streets_above_units(text: str, lines: list[tuple[int, int]], kinds: list[str]) -> None:
    """"400 Emperor" / "Suite 174", "Meet me at 36884 Löberöd 27" / "Suite 431": a house number
    and a name at the end of the line above a unit line are a street (``lines`` and ``kinds``
    are updated)."""
    for n in range(len(kinds) - 1):
        if kinds[n] in ("place", "other", "postal") and _next_kind(kinds, n) == "unit":
            m = _NUMBERED_END.search(text, lines[n][0], lines[n][1])
            if m:
                lines[n], kinds[n] = (m.start(), lines[n][1]), "street"


def _block_lines(kinds: list[str], postal_like: list[bool], i: int) -> tuple[int, int, bool]:
    """For the street line ``i``: the index of the block's last line, of the line after the
    block, and whether a postal line is among them. Up to five unit, postal, place lines
    follow a street, blank lines between them."""
    last, j, tail = i, i + 1, 0
    postal = False
    while j < len(kinds) and tail < 5 and (kinds[j] in ("unit", "postal", "place", "blank") or postal_like[j]):
        if kinds[j] != "blank":
            last, tail = j, tail + 1
            postal = postal or postal_like[j]  # below a street, "Ciudad del Vaticano 14339" is postal
        j += 1
    return last, j, postal


def _block_at(text: str, lines: list[tuple[int, int]], kinds: list[str], postal_like: list[bool],
              i: int) -> tuple[int, tuple[int, int, float] | None]:
    """For the street line ``i``: the index of the block's last line and the block's span, or
    None when no unit or postal line speaks for it."""
    last, j, postal = _block_lines(kinds, postal_like, i)
    units = "unit" in kinds[i + 1:last + 1]
    end = lines[last][1]
    if j < len(kinds) and kinds[j] == "other" and (last > i or postal):
        # The block's last line runs on into a sentence: "Austria 58566 last night.",
        # "Switzerland? I am in Oslo": its leading place words belong to the address.
        lead = _place_lead(text, lines[j][0], lines[j][1])
        if lead > lines[j][0]:
            end = lead
            postal = postal or any(c.isdigit() for c in text[lines[j][0]:lead])
    if not (units or postal):
        return last, None
    score = STREET_SCORE + (UNIT_BOOST if units else 0.0) + (POSTAL_BOOST if postal else 0.0)
    return last, (lines[i][0], end, round(score, 2))


def find_address_blocks(text: str, streets: Sequence[tuple[int, int, float]] = ()) -> list[tuple[int, int, float]]:
    """(start, end, score) of every address block in ``text``: the street line with the unit,
    city, region, postal and country lines that follow it. ``streets``: confident streets the
    single-line finder already holds (their lines are street lines too)."""
    if "\n" not in text:
        return []
    lines = _lines(text)
    kinds = _line_kinds(text, lines, [cs for cs, _ce, score in streets if score >= 0.5])
    postal_like = [bool(_POSTAL.match(text[s:e])) for s, e in lines]
    _streets_above_units(text, lines, kinds)
    out: list[tuple[int, int, float]] = []
    i = 0
    while i < len(kinds):
        if kinds[i] != "street":
            i += 1
            continue
        i, block = _block_at(text, lines, kinds, postal_like, i)
        if block is not None:
            out.append(block)
        i += 1
    return out
