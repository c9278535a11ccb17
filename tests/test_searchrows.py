"""The vocabulary rows read in place (`paperterm.feed.searchrows`): bisection over the stored
text, and typo neighbours that are exactly rapidfuzz's optimal-string-alignment neighbours —
over random strings, and over rows made of the real fixture papers' words."""

from __future__ import annotations

import random
from functools import cache

import pytest
from hf_data import collection_papers
from rapidfuzz import process
from rapidfuzz.distance import OSA

from paperterm.feed.searchindex import tokens_of
from paperterm.feed.searchrows import Row, near, osa_within
from paperterm.feed.searchterms import _made_row
from paperterm.query._text import typo_budget


def test_the_distance_is_osa_up_to_the_budget() -> None:
    rnd = random.Random(7)
    for _ in range(60_000):  # three letters: many near and equal strings
        a = "".join(rnd.choice("abc") for _ in range(rnd.randint(0, 7)))
        b = "".join(rnd.choice("abc") for _ in range(rnd.randint(0, 7)))
        budget = rnd.randint(0, 3)
        distance = OSA.distance(a, b)
        assert osa_within(a, b, budget) == (distance if distance <= budget else None), (a, b)


def test_a_swap_counts_once_and_no_part_is_edited_twice() -> None:
    assert osa_within("modle", "model", 1) == 1
    assert osa_within("ca", "abc", 2) is None  # 3 under OSA (2 if a swapped pair could grow)
    assert osa_within("ca", "abc", 3) == 3


def test_a_row_is_read_in_place() -> None:
    row = Row.of(["abc", "abd", "bcd", "xyz"], 3)
    assert (
        len(row) == 4
        and row[2] == "bcd"
        and row[-1] == "xyz"
        and list(row) == ["abc", "abd", "bcd", "xyz"]
    )
    assert row.holds("abd") and not row.holds("abe") and not row.holds("ab")
    assert list(row.starting("ab")) == ["abc", "abd"] and list(row.starting("q")) == []
    with pytest.raises(IndexError):
        row[4]
    assert len(Row("", 3)) == 0 and not Row("", 3).holds("abc")


def test_a_row_not_as_written_keeps_the_entries_of_its_width() -> None:
    row = Row("abc\nabcd\nbcd", 3)  # a damaged row: one entry too long
    assert list(row) == ["abc", "bcd"] and row.holds("bcd")


@cache
def _rows() -> dict[tuple[str, int], list[str]]:
    words: set[str] = set()
    for paper in collection_papers()[:3000]:
        for text in tokens_of(paper):
            words.update(text.split())
    every = sorted(words)
    lengths = range(1, max(map(len, every)) + 1)
    return {
        (kind, n): made
        for kind in ("whole", "start")
        for n in lengths
        if (made := _made_row(every, kind, n))
    }


def _typo(rnd: random.Random, word: str) -> str:
    at = rnd.randrange(len(word))
    letter = rnd.choice("aeinorstlcx")
    return rnd.choice(
        [
            word[:at] + letter + word[at + 1 :],
            word[:at] + word[at + 1 :],
            word[:at] + letter + word[at:],
            word[:at] + word[at + 1 : at + 2] + word[at] + word[at + 2 :],
        ]
    )


def test_typo_neighbours_over_real_words_are_rapidfuzz_s() -> None:
    rows = _rows()
    rnd = random.Random(11)
    words = sorted(
        w for (kind, _), row in rows.items() if kind == "whole" for w in row if w.isalpha()
    )
    checked = {1: 0, 2: 0}
    for word in rnd.sample(words, 200):
        typed = _typo(rnd, _typo(rnd, word) if rnd.random() < 0.5 else word)
        budget = typo_budget(typed)
        if not budget:
            continue
        checked[budget] += 1
        for width in range(len(typed) - budget, len(typed) + budget + 1):
            for kind in ("whole", "start"):
                entries = rows.get((kind, width), [])
                expected = [
                    (text, int(distance))
                    for text, distance, _ in process.extract(
                        typed, entries, scorer=OSA.distance, score_cutoff=budget, limit=None
                    )
                ]
                found = list(near(Row.of(entries, width), typed, budget))
                assert sorted(found) == sorted(expected), (typed, kind, width)
    assert min(checked.values()) > 25  # both budgets were tried, many times
