"""A seeded, synthetic registrar table with planted PII (tests, demo, benchmark).

Usage::

    from auditor.data.samples import write_sample_dataset, generate_registrar
    path = write_sample_dataset("landing/enroll.csv", rows=200, seed=7)   # .csv, .xlsx or .parquet
    df, truth = generate_registrar(rows=1000, seed=7)

Columns: studentid, firstname, lastname, email, phone, sin, date_of_birth,
street_address, city, program, received_year, status, notes. About 45% of the
notes embed a name, an email, a phone number, a SIN or a card number.
``truth.columns`` is the expected classification; ``truth.notes[i]`` lists the
(entity, value) pairs planted in row i's note. Every value is fake; SINs and
cards are checksum-valid so validators accept them. The same seed gives the
same table.

The given names include some that are *not* in the detector's lexicon, so the
benchmark measures the name recognizer honestly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.data.recognizers import luhn_valid
from auditor.data.writers import write_frame

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

FIRST = ("Maria", "James", "Aisha", "Wei", "Olivia", "Mohammed", "Emma", "Liam", "Sofia", "Noah", "Priya", "Lucas",
         "Chloe", "Ethan", "Fatima", "Daniel", "Grace", "Omar", "Hannah", "Julian", "Isabel", "Marcus", "Nadia",
         "Kenji", "Yasmin", "Tobias", "Leila", "Mateo", "Ingrid", "Siobhan", "Dmitri", "Anouk", "Thandiwe", "Rohan",
         "Camille", "Benjamin", "Zoe", "Samuel", "Elena", "Victor")
LAST = ("Lopez", "Smith", "Nguyen", "Patel", "Tremblay", "Wong", "Garcia", "Brown", "Martin", "Singh", "Kim",
        "Roy", "Gauthier", "Chen", "Wilson", "Khan", "Rossi", "Okafor", "Lindqvist", "Novak", "Haddad", "Moreau",
        "Kowalski", "Fitzgerald", "Ivanova", "Takahashi", "Campbell", "Leblanc", "Murphy", "Anderson")
STREETS = ("Maple", "King", "Oak", "Elm", "Queen", "Bloor", "Church", "Victoria", "Main", "Dundas", "Cedar",
           "Birch", "Lakeshore", "Wellington", "Spadina", "Yonge")
SUFFIXES = ("Street", "Avenue", "Road", "Drive", "Blvd", "Lane", "Crescent", "St", "Ave")
CITIES = ("Toronto", "Ottawa", "Montreal", "Hamilton", "Kingston", "Waterloo", "London", "Windsor", "Halifax",
          "Calgary")
PROGRAMS = ("Computer Science", "Nursing", "Business Administration", "Mechanical Engineering", "History",
            "Biology", "Psychology", "Economics", "Fine Arts", "Mathematics")
STATUSES = ("enrolled", "withdrawn", "deferred", "graduated")
DOMAINS = ("example.com", "mail.example.org", "student.example.edu", "example.ca")
GENERIC_NOTES = ("Requested official transcript.", "Tuition paid in full.", "Deferral approved for the fall term.",
                 "Program change requested; awaiting approval.", "Withdrawal form received by the office.",
                 "Fee waiver denied, appeal pending.", "Documents verified at the front desk.",
                 "Left a voicemail, no answer yet.")
TOPICS = ("the tuition refund", "a transcript request", "the deferral", "course registration", "the fee waiver")


@dataclass
class GroundTruth:
    """Expected classification per column and planted note PII per row."""

    columns: dict[str, str | None] = field(default_factory=dict)
    notes: list[list[tuple[str, str]]] = field(default_factory=list)


def _luhn_digit(body: str) -> str:
    """The check digit that makes ``body + digit`` Luhn-valid (the same check the recognizer applies)."""
    return next(d for d in "0123456789" if luhn_valid(body + d))


# The notes planted in the ``notes`` column: (kinds below this bound out of 100, the text, the
# planted (entity, value field) pairs). Kinds 45-49 leave the note empty, unless ``uncued_names``
# gives 45-47 a bare name; from 50 on the note is a generic one without PII.
_NoteKind = tuple[int, str, tuple[tuple[str, str], ...]]
_NOTE_KINDS: tuple[_NoteKind, ...] = (
    (10, "Spoke with {name} about {topic}.", (("PERSON", "name"),)),
    (18, "Student asked to be reached at {email} instead.", (("EMAIL_ADDRESS", "email"),)),
    (26, "Call back at {phone} about {topic}.", (("PHONE_NUMBER", "phone"),)),
    (31, "SIN {sin} verified for the tax form.", (("CA_SIN", "sin"),)),
    (35, "Paid the deposit by card {card} today.", (("CREDIT_CARD", "card"),)),
    (42, "Mother {first} called, reach her at {phone}.", (("PERSON", "first"), ("PHONE_NUMBER", "phone"))),
    (45, "Guardian {name} asked for a copy at {email}.", (("PERSON", "name"), ("EMAIL_ADDRESS", "email"))),
)
_UNCUED_NOTE: _NoteKind = (48, "{name} dropped off the signed form.", (("PERSON", "name"),))
_EMPTY_BELOW = 50


def _planted_note(k: int, values: dict[str, str],
                  kinds: tuple[_NoteKind, ...]) -> tuple[str | None, list[tuple[str, str]]]:
    """The note of kind ``k`` (0-99) filled from one row's ``values``, and the PII planted in it."""
    for bound, text, planted in kinds:
        if k < bound:
            return text.format(**values), [(entity, values[key]) for entity, key in planted]
    return (None, []) if k < _EMPTY_BELOW else (values["generic"], [])


def _phones(rng: np.random.Generator, rows: int) -> list[str]:
    """North American phone numbers in five common formats."""
    area, mid, end = rng.integers(201, 990, rows), rng.integers(200, 999, rows), rng.integers(0, 10000, rows)
    forms = rng.integers(0, 5, rows)
    phone_fmt = ("{a}-{m}-{e:04d}", "({a}) {m}-{e:04d}", "+1-{a}-{m}-{e:04d}", "{a}.{m}.{e:04d}",
                 "001-{a}-{m}-{e:04d}")
    return [phone_fmt[f].format(a=a, m=m, e=e) for f, a, m, e in zip(forms, area, mid, end, strict=True)]


def _sins(rng: np.random.Generator, rows: int) -> list[str]:
    """Luhn-valid Canadian social insurance numbers ("123 456 782"); none starts with 0 or 8."""
    sin_first = rng.choice([1, 2, 3, 4, 5, 6, 7, 9], rows)
    sin_body = [f"{d}{n:07d}" for d, n in zip(sin_first, rng.integers(0, 10**7, rows), strict=True)]
    return [f"{b[:3]} {b[3:6]} {b[6:]}{_luhn_digit(b)}" for b in sin_body]


def _cards(rng: np.random.Generator, rows: int) -> list[str]:
    """Luhn-valid 16-digit Visa numbers in groups of four."""
    card_body = [f"4{n:014d}" for n in rng.integers(0, 10**14, rows)]
    return [" ".join([c[i:i + 4] for i in range(0, 16, 4)]) for c in (b + _luhn_digit(b) for b in card_body)]


def generate_registrar(rows: int = 200, seed: int = 7, uncued_names: bool = False) -> tuple[pd.DataFrame, GroundTruth]:
    """The table and its ground truth.

    ``uncued_names`` adds notes that start with a bare full name and no cue word
    ("Anouk Okafor dropped off the signed form."): the hard case for the offline name
    recognizer when neither name is in its lexicon (the benchmark measures it).
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)

    def pick(options: tuple[str, ...]) -> list[str]:
        return [options[i] for i in rng.integers(0, len(options), rows)]

    # The draws keep their order: the same seed gives the same table.
    first, last = pick(FIRST), pick(LAST)
    ids = [f"A{n:08d}" for n in rng.choice(10**8, rows, replace=False)]
    emails = [f"{f.lower()}.{la.lower()}{n}@{d}" for f, la, n, d in
              zip(first, last, rng.integers(1, 999, rows), pick(DOMAINS), strict=True)]
    phones, sins, cards = _phones(rng, rows), _sins(rng, rows), _cards(rng, rows)
    start = np.datetime64("1965-01-01")
    dobs = [str(start + int(d)) for d in rng.integers(0, 40 * 365, rows)]
    addresses = [f"{n} {s} {x}" + (f" Apt {u}" if u < 30 else "") for n, s, x, u in
                 zip(rng.integers(1, 9999, rows), pick(STREETS), pick(SUFFIXES), rng.integers(0, 100, rows),
                     strict=True)]
    kinds = rng.integers(0, 100, rows)
    other_first, other_last = pick(FIRST), pick(LAST)
    topics, generic = pick(TOPICS), pick(GENERIC_NOTES)
    note_kinds = (*_NOTE_KINDS, _UNCUED_NOTE) if uncued_names else _NOTE_KINDS
    notes: list[str | None] = []
    planted: list[list[tuple[str, str]]] = []
    for i in range(rows):
        values = {"name": f"{other_first[i]} {other_last[i]}", "first": other_first[i], "email": emails[i],
                  "phone": phones[i], "sin": sins[i], "card": cards[i], "topic": topics[i], "generic": generic[i]}
        note, pii = _planted_note(int(kinds[i]), values, note_kinds)
        notes.append(note)
        planted.append(pii)
    df = pd.DataFrame({
        "studentid": ids, "firstname": first, "lastname": last, "email": emails, "phone": phones, "sin": sins,
        "date_of_birth": dobs, "street_address": addresses, "city": pick(CITIES), "program": pick(PROGRAMS),
        "received_year": rng.integers(2018, 2026, rows), "status": pick(STATUSES), "notes": notes,
    })
    truth = GroundTruth(columns={
        "studentid": "STUDENT_ID", "firstname": "PERSON", "lastname": "PERSON", "email": "EMAIL_ADDRESS",
        "phone": "PHONE_NUMBER", "sin": "CA_SIN", "date_of_birth": "DATE_OF_BIRTH",
        "street_address": "STREET_ADDRESS", "city": None, "program": None, "received_year": None, "status": None,
        "notes": "FREE_TEXT"}, notes=planted)
    return df, truth


def write_sample_dataset(path: str | Path, rows: int = 200, seed: int = 7) -> Path:
    """Write the table to ``path`` (format from the suffix: .csv, .xlsx, .parquet) and return it."""
    df, _ = generate_registrar(rows, seed)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    write_frame(df, str(p))
    return p
