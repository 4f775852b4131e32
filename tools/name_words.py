"""Regenerate auditor/data/name_words.txt: given names that are also common words.

    python -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python tools/name_words.py > auditor/data/name_words.txt

A given name of the world list (auditor/data/given_names.py) is a "name word" when it is
not in auditor's curated lexicon and it is a common word: Zipf frequency >= 4.3 in English,
or >= 5.0 in another of twelve European languages while it is not a popular name anywhere
(popularity < 8 of 13). Names that are merely frequent in English text because people bear
them (Norbert, Brett: Zipf 3.5-4.2) stay names. Frequencies come from wordfreq 3.1.1 (Robyn Speer, data CC BY-SA
4.0); only this list of words is derived from them. Not run by the tests or at run time.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wordfreq import zipf_frequency  # type: ignore[import-not-found]

from auditor.data.given_names import _parse
from auditor.data.lexicon import FIRST_NAMES

OTHER = ("de", "fr", "es", "it", "nl", "pt", "pl", "sv", "cs", "tr", "fi", "hu")


def main() -> None:
    import gender_guesser  # type: ignore[import-untyped]

    text = (Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt").read_text(encoding="utf-8")
    words = []
    for name, popularity in sorted(_parse(text.splitlines()).items()):
        if name in FIRST_NAMES:
            continue
        other = max(zipf_frequency(name, lang) for lang in OTHER)
        english = zipf_frequency(name, "en")
        if english >= 4.3 or (popularity < 8 and other >= 5.0):
            words.append(name)
    print(__doc__.strip().replace("\n", "\n# ").join(("# ", "")))
    for i in range(0, len(words), 12):
        print(" ".join(words[i:i + 12]))


if __name__ == "__main__":
    main()
