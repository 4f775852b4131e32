"""Given names of 54 countries, for the name recognizer.

The source is Jörg Michael's ``nam_dict.txt`` (about 48,000 given names with their
popularity in each of 54 countries, GNU Free Documentation License), as the
``gender-guesser`` package installs it. auditor reads that file as data and imports none of
the package's code; it is a locked, hash-pinned dependency, so nothing is fetched at run time.

Names are keyed by ``fold`` (lower case, accents removed: "Csanád" -> "csanad"). Names made
of several words ("Abd+al+Rahman", "Jean-Luc") give each word. A name whose folded form is
also a common word of a European language ("Will", "Hope", "Mai", "Van") needs a second
signal (``wordlists.name_words``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from auditor.data.fold import fold

SOURCE = ("gender_guesser", "data/nam_dict.txt")
# Popularity in each country is one hex digit, 1 (rare) to D (extremely common), from column 30.
_COUNTRY_COLUMNS = slice(30, 85)
_SPLIT = re.compile(r"[ +\-]")


def _parse(lines: list[str]) -> dict[str, int]:
    """folded name word -> its highest popularity in any country (1..13)."""
    names: dict[str, int] = {}
    for line in lines:
        if not line or line[0] in "#=" or len(line) < 31:
            continue
        name = line[3:29].strip()
        if "<" in name:  # a few entries spell letters as <...> codes; their plain forms exist too
            continue
        popularity = max((int(c, 16) for c in line[_COUNTRY_COLUMNS] if c in "0123456789ABCDEFabcdef"), default=1)
        for word in _SPLIT.split(name):
            if len(word) > 1:
                key = fold(word)
                names[key] = max(names.get(key, 0), popularity)
    return names


@lru_cache(maxsize=1)
def popularity() -> dict[str, int]:
    """Every given-name word of the source, folded, with its highest popularity (1..13)."""
    package, path = SOURCE
    text = resources.files(package).joinpath(path).read_text(encoding="utf-8")
    return _parse(text.splitlines())


@lru_cache(maxsize=1)
def world_given_names() -> frozenset[str]:
    """The folded given names of the source."""
    return frozenset(popularity())
