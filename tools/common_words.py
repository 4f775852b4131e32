"""Regenerate auditor/data/common_words.txt: common English words, for the name recognizer.

    python -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python tools/common_words.py > auditor/data/common_words.txt

The words of wordfreq 3.1.1's English list (Robyn Speer, data CC BY-SA 4.0) with a Zipf
frequency >= 3.0, letters only, minus auditor's curated given names and surnames and the
given names of the world list (auditor/data/given_names.py). A
capitalised word of this list is a word before it is a name: it is not taken for a surname
or an unknown name without a cue. Not run by the tests or at run time.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wordfreq import top_n_list, zipf_frequency  # type: ignore[import-not-found]

from auditor.data.given_names import _parse
from auditor.data.lexicon import FIRST_NAMES, SURNAMES


def main() -> None:
    import gender_guesser  # type: ignore[import-untyped]

    text = (Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt").read_text(encoding="utf-8")
    world = _parse(text.splitlines())
    words = sorted(w for w in top_n_list("en", 60_000) if w.isalpha() and len(w) > 1 and w.isascii()
                   and zipf_frequency(w, "en") >= 3.0 and w not in FIRST_NAMES and w not in SURNAMES and w not in world)
    print(__doc__.strip().replace("\n", "\n# ").join(("# ", "")))
    for i in range(0, len(words), 16):
        print(" ".join(words[i:i + 16]))


if __name__ == "__main__":
    main()
