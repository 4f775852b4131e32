"""Word lists that keep ordinary words from being taken for names.

Both files are generated from word frequencies (``tools/name_words.py``,
``tools/common_words.py``: wordfreq 3.1.1, data CC BY-SA 4.0) and shipped as plain text;
nothing is computed or fetched at run time.

- ``name_words.txt``: given names that are also common words ("will", "hope", "man", "mai").
- ``common_words.txt``: common English words that are not given names ("forestry", "stripes").
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def _read(name: str) -> frozenset[str]:
    text = resources.files("auditor.data").joinpath(name).read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@lru_cache(maxsize=1)
def name_words() -> frozenset[str]:
    """Given names that are also common words: a name only with a second signal."""
    return _read("name_words.txt")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Common English words that are not given names: never a surname or an unknown name alone."""
    return _read("common_words.txt")
