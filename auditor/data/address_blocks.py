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
("Estonia 12345", "10115 Berlin") in the same block. The street line with its unit lines is one
span; the postal line is another. Bullets and quote marks that exports put before each line
("}}", "???", "-", ">") are skipped.
"""

from __future__ import annotations

import re

from auditor.data.fold import fold
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
_POSTAL = re.compile(rf"^(?:{_NAME}(?:[ ,]+{_NAME}){{0,3}}[ ,]+\d{{4,6}}|\d{{4,6}}[ ,]+{_NAME}(?:[ ]{_NAME}){{0,3}}"
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


def find_address_blocks(text: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of the street and postal lines of every address block in ``text``."""
    if "\n" not in text:
        return []
    lines = _lines(text)
    kinds = []
    for s, e in lines:
        line = text[s:e]
        kinds.append("unit" if _UNIT.match(line) else "street" if _street_line(line)
                     else "postal" if _POSTAL.match(line) else "blank" if s == e else "other")
    out: list[tuple[int, int, float]] = []
    for i, kind in enumerate(kinds):
        if kind != "street":
            continue
        j = i + 1
        while j < len(kinds) and kinds[j] in ("unit", "blank"):
            j += 1
        units = any(k == "unit" for k in kinds[i + 1:j])
        # The postal line: within the next four lines of the block.
        postal = next((k for k in range(j, min(j + 4, len(kinds))) if kinds[k] == "postal"), None)
        if not units and postal is None:
            continue
        last = max((k for k in range(i, j) if kinds[k] != "blank"), default=i)
        score = STREET_SCORE + (UNIT_BOOST if units else 0.0) + (POSTAL_BOOST if postal is not None else 0.0)
        out.append((lines[i][0], lines[last][1], round(score, 2)))
        if postal is not None:
            out.append((lines[postal][0], lines[postal][1], round(score, 2)))
    return out
