"""Case and accent folding for name and place lookups: "José" -> "jose", "Łukasz" -> "lukasz"."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65_536)
def fold(word: str) -> str:
    """Lower case without accents, for the lexicons: "José" -> "jose", "Łukasz" -> "lukasz"."""
    decomposed = unicodedata.normalize("NFKD", word.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
