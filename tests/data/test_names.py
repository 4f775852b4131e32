"""The offline name recognizer: world given names, unknown proper nouns in running text,
and what must stay untouched (title-case business text, ordinary words)."""

from __future__ import annotations

import pytest

from auditor.data.given_names import popularity, world_given_names
from auditor.data.names import find_names
from auditor.data.wordlists import common_words, name_words


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, score in find_names(text) if score >= 0.5]


def test_world_list_is_read_from_the_installed_source() -> None:
    names = world_given_names()
    assert len(names) > 30_000
    # Names of several countries, folded: Hungarian, Icelandic, Polish, Turkish, Czech.
    assert {"gyorgy", "sigrun", "wojciech", "mehmet", "zdenek"} <= names
    assert popularity()["maria"] >= 10  # extremely common somewhere


def test_word_lists_keep_ordinary_words_apart() -> None:
    assert {"will", "hope", "man"} <= name_words()
    assert "norbert" not in name_words()  # a name frequent in text because people bear it
    assert {"forestry", "stripes"} <= common_words()
    assert not common_words() & {"brett", "maria", "john"}


@pytest.mark.parametrize(("text", "name"), [
    ("Csanád had given Csanád his address", "Csanád"),
    ("Moving in that direction, says Sandberg.", "Sandberg"),
    ("Gyna is very reliable.", "Gyna"),
    ("As promised, here's Norbert's address", "Norbert"),
    ("I'm Nina Henriksen, originally from Oslo", "Nina Henriksen"),
    ("Don't go to town, Brett!", "Brett"),
    ("What's your last name? Lehmann", "Lehmann"),
    ("Banke Broman listed his top 20 songs", "Banke Broman"),
    ("Romario Tamburro | Forlì | Curaçao", "Romario Tamburro"),
    ("spoke with maria lopez today", "maria lopez"),
])
def test_names_found(text: str, name: str) -> None:
    assert name in found(text)


@pytest.mark.parametrize("text", [
    "PR - Urban Forestry",
    "ENG - Development and Major Projects Branch",
    "Organic Chicken Liver Pate",
    "Senior Data Analyst",
    "Will you send the form?",
    "Hope this helps.",
    "The White Stripes played Forestry Hall",
    "it is maria",  # "is" is a cue only inside an introduction
])
def test_not_names(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("Laquanda spent a year at the firm", "Laquanda"),  # sentence start, lower-case word after
    ("Delpha: What a wife.", "Delpha"),  # a speaker
    ("Liwia Arciszewska | WISDOMTREE/SHS CL-USD HD", "Liwia Arciszewska"),  # a whole field
    ("top-flight tennis player Crysta Bradshaw over visa disputes", "Crysta Bradshaw"),
    ("They had 6: Sergio, Floretta, Jan, Cleotilde and Evan.", "Cleotilde"),
    ("film (also features Byrghita D. Lundqvist. What's not to love?", "Byrghita D. Lundqvist"),
    ("Producer Naomi C. Gaudet explained", "Naomi C. Gaudet"),
])
def test_more_names_found(text: str, name: str) -> None:
    assert name in found(text)


@pytest.mark.parametrize("text", ["We'll send the E-mail tomorrow.", "Urban Forestry; Parks maintenance"])
def test_more_not_names(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("our 3 founders: Kreutzmann, Wood and Hart. The idea", "Wood"),  # a list that holds a name
    ("Anne-Lotte K Modderkolk | Swiss Re AG", "Anne-Lotte K Modderkolk"),  # a bare middle initial
    ("Geraldino, can I please speak to you", "Geraldino"),  # addressed by name
    ("Charlie had given Charlie his address", "Charlie"),  # a name that is also a word, as subject
])
def test_names_from_lists_initials_and_address(text: str, name: str) -> None:
    assert name in found(text)


@pytest.mark.parametrize("text", ["The Board met in Paris, London and Rome.", "However, we agreed."])
def test_lists_without_a_name_stay_unmasked(text: str) -> None:
    assert found(text) == []


def test_a_long_gap_after_a_cue_is_not_matched_character_by_character() -> None:
    """Hostile text: a cue word, 200,000 spaces and a mark before a name (quadratic before)."""
    text = "with" + " " * 200_000 + "! maria"
    assert found(text) == []
