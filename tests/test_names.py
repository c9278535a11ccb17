"""Author names taken apart once (given / particle / family / suffix, or one literal name) and
written the way BibTeX, CSL-JSON and RIS want them; read back the same from each."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from citations import ADDED
from pybtex.database import parse_string

from paperterm.exchange.bibtex import split_names, to_bibtex
from paperterm.exchange.csl import csl_name, name_from_csl, to_csl_json
from paperterm.exchange.keys import citation_key
from paperterm.exchange.names import (
    Name,
    author_names,
    bibtex_name,
    names_extra,
    parse_bibtex_name,
    parse_name,
)
from paperterm.exchange.ris import name_from_ris, ris_name
from paperterm.models import Bookmark, Paper

# Hugging Face's "Given Family" -> the parts, and each format's form of them.
CASES = [
    ("Gaoyue Zhou", Name("Zhou", "Gaoyue"), "Gaoyue Zhou", "Zhou, Gaoyue"),
    ("Hal Daumé III", Name("Daumé", "Hal", suffix="III"), "Daumé, III, Hal", "Daumé, Hal, III"),
    ("Martin Luther King, Jr.", Name("King", "Martin Luther", suffix="Jr."),
     "King, Jr., Martin Luther", "King, Martin Luther, Jr."),
    ("Mihaela van der Schaar", Name("Schaar", "Mihaela", "van der"),
     "{van der Schaar}, Mihaela", "van der Schaar, Mihaela"),
    ("Juan de la Cruz Jr.", Name("Cruz", "Juan", "de la", "Jr."),
     "{de la Cruz}, Jr., Juan", "de la Cruz, Juan, Jr."),
    ("Mark Van der Merwe", Name("Van der Merwe", "Mark"),
     "{Van der Merwe}, Mark", "Van der Merwe, Mark"),
    ("Jean de La Fontaine", Name("Fontaine", "Jean", "de La"),
     "{de La Fontaine}, Jean", "de La Fontaine, Jean"),
    ("bell hooks", Name("hooks", "bell"), "hooks, bell", "hooks, bell"),
    ("Single", Name(literal="Single"), "Single", "Single"),
    ("Kwai Keye Team", Name(literal="Kwai Keye Team"), "{Kwai Keye Team}", "Kwai Keye Team,"),
    ("Meta AI", Name(literal="Meta AI"), "{Meta AI}", "Meta AI,"),
    ("李 雷", Name(literal="李 雷"), "{李 雷}", "李 雷,"),
    ("Evil and Hacker", Name(literal="Evil and Hacker"), "{Evil and Hacker}", "Evil and Hacker,"),
    ("Smith, John", Name(literal="Smith, John"), "{Smith, John}", "Smith, John"),
    ("Hoang Van Le", Name("Le", "Hoang Van"), "Hoang Van Le", "Le, Hoang Van"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "name", "bibtex", "ris"), CASES)
def test_a_name_is_parsed_once_and_written_per_format(
    text: str, name: Name, bibtex: str, ris: str
) -> None:
    assert parse_name(text) == name
    assert name.text == " ".join(text.replace(",", "").split()) or name.literal
    assert bibtex_name(name) == bibtex
    assert ris_name(name) == ris
    assert parse_bibtex_name(bibtex) == name
    if "," not in name.literal:  # RIS cannot say a comma is part of one name
        assert name_from_ris(ris) == name
    assert name_from_csl(csl_name(name)) == name


def test_csl_names_carry_the_particle_and_the_suffix() -> None:
    assert csl_name(parse_name("Mihaela van der Schaar")) == {
        "family": "Schaar",
        "given": "Mihaela",
        "non-dropping-particle": "van der",
    }
    assert csl_name(parse_name("Hal Daumé III")) == {
        "family": "Daumé",
        "given": "Hal",
        "suffix": "III",
    }
    assert csl_name(parse_name("Kwai Keye Team")) == {"literal": "Kwai Keye Team"}


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("van der Schaar, Mihaela", Name("Schaar", "Mihaela", "van der")),
        ("Daum{\\'e}, III, Hal", Name("Daumé", "Hal", suffix="III")),
        ("Hal Daum{\\'e} III", Name("Daumé", "Hal", suffix="III")),  # arXiv's own BibTeX
        ("García Márquez, Gabriel", Name("García Márquez", "Gabriel")),
        ("Mark Van der Merwe", Name("Van der Merwe", "Mark")),
        ("Jean de La Fontaine", Name("La Fontaine", "Jean", "de")),  # BibTeX's von rule
        ("{Barnes and Noble}", Name(literal="Barnes and Noble")),
        ("D.~E. Knuth", Name("Knuth", "D. E.")),
        ("Ji{\\v r}{\\'\\i} Dvo\\v{r}{\\'a}k", Name("Dvořák", "Jiří")),
        ("{Lee, Jr.}, Ann", Name("Lee, Jr.", "Ann")),
    ],
)
def test_bibtex_names_follow_bibtexs_rules(raw: str, name: Name) -> None:
    assert parse_bibtex_name(raw) == name


def test_bibtex_author_lists_parse_in_pybtex_with_the_right_family_names() -> None:
    """The defect: "Hal Daumé III" written so that BibTeX readers took "III" as the family
    name, and "van der Schaar" cited as "Schaar"."""
    paper = Paper(
        "2401.00001",
        "T",
        ("Hal Daumé III", "Mihaela van der Schaar", "Martin Luther King, Jr.", "Kwai Keye Team"),
        "",
    )
    (entry,) = parse_string(to_bibtex([Bookmark(paper, ADDED)]), "bibtex").entries.values()
    persons = entry.persons["author"]
    assert [p.last_names for p in persons] == [["Daumé"], ["{van der Schaar}"], ["King"],
                                               ["{Kwai Keye Team}"]]  # fmt: skip
    assert [p.lineage_names for p in persons] == [["III"], [], ["Jr."], []]


def test_keys_take_the_particle_with_the_family_name() -> None:
    day = dt.date(2024, 5, 1)
    assert citation_key(Paper("2405.1", "Learning", ("Mihaela van der Schaar",), "", published=day))\
        == "vanderschaar2024learning"  # fmt: skip
    assert citation_key(Paper("2405.1", "Keye", ("Kwai Keye Team",), "", published=day)) == (
        "kwaikeyeteam2024keye"
    )


def test_imported_name_parts_are_kept_only_when_the_text_would_lose_them() -> None:
    plain = [Name("Zhou", "Gaoyue"), Name("Daumé", "Hal", suffix="III")]
    assert names_extra(plain) is None
    compound = [Name("García Márquez", "Gabriel"), Name("Zhou", "Gaoyue")]
    kept = names_extra(compound)
    assert kept == [{"family": "García Márquez", "given": "Gabriel"},
                    {"family": "Zhou", "given": "Gaoyue"}]  # fmt: skip
    paper = Paper("2401.00001", "T", ("Gabriel García Márquez", "Gaoyue Zhou"), "")
    mark = Bookmark(paper, ADDED, extra={"paper": {"names": kept}})
    assert author_names(mark) == compound
    (item,) = json.loads(to_csl_json([mark]))
    assert item["author"][0] == {"family": "García Márquez", "given": "Gabriel"}
    assert "{García Márquez}" not in to_bibtex([mark])
    assert "García Márquez, Gabriel and Gaoyue Zhou" in to_bibtex([mark])


def test_a_hand_edited_author_list_wins_over_the_kept_parts() -> None:
    kept = [{"family": "García Márquez", "given": "Gabriel"}]
    paper = Paper("2401.00001", "T", ("Gabriel García", "Ann Lee"), "")
    mark = Bookmark(paper, ADDED, extra={"paper": {"names": kept}})
    assert author_names(mark) == [Name("García", "Gabriel"), Name("Lee", "Ann")]
    broken = Bookmark(paper, ADDED, extra={"paper": {"names": [{"family": 3}, "x"]}})
    assert author_names(broken) == [Name("García", "Gabriel"), Name("Lee", "Ann")]


def test_split_names_keeps_braced_ands_and_drops_others() -> None:
    assert split_names("{Barnes and Noble} and Lee, Ann and others") == [
        "{Barnes and Noble}",
        "Lee, Ann",
    ]
