"""The index's building blocks against direct computations: splitting into words, bitsets, the
vocabulary's prefix runs and typo scan, and the package's public names."""

from __future__ import annotations

import re
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

import paperterm.query
from paperterm.query._bitset import bits_of, positions_by_word, positions_in
from paperterm.query._text import fold, fold_all, typo_budget, words_of
from paperterm.query._vocab import Vocabulary

_WORD = re.compile(r"\w+")
# Letters that fold together, and some punctuation, so that starts and typos collide often.
_LETTERS = "abcdeé"


def test_the_package_offers_its_public_names() -> None:
    names = {
        "Bounds", "PaperIndex", "Query", "QueryError", "RangeField", "RangeTerm",
        "SearchContext", "SearchResult", "Span", "Flag", "StateTerm", "Term", "TextField",
        "TextTerm", "highlight_spans", "parse_query",
    }  # fmt: skip
    assert set(paperterm.query.__all__) == names
    assert all(hasattr(paperterm.query, name) for name in names)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_texts_split_as_the_word_pattern_does(text: str) -> None:
    assert words_of(text) == _WORD.findall(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_splits_and_folds_as_the_reference_does(text: str) -> None:
    assert words_of(fold(text)) == _WORD.findall(fold(text))
    assert fold_all([text, text.upper()]) == [fold(text), fold(text.upper())]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=_LETTERS + " -", max_size=12), max_size=30))
def test_positions_by_word_lists_each_text_once_per_word(texts: list[str]) -> None:
    expected: defaultdict[str, list[int]] = defaultdict(list)
    for position, text in enumerate(texts):
        for word in dict.fromkeys(_WORD.findall(text)):
            expected[word].append(position)
    assert positions_by_word(texts) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 5000).flatmap(lambda n: st.tuples(st.just(n), st.sets(st.integers(0, n - 1))))
)
def test_bitsets_hold_exactly_their_positions(case: tuple[int, set[int]]) -> None:
    n, positions = case
    bits = bits_of(sorted(positions), n)
    assert bits == sum(1 << p for p in positions)
    assert positions_in(bits, tuple(range(n))) == sorted(positions)


def test_bitsets_take_every_size_of_set() -> None:
    n = 10_000
    for size in (0, 1, 47, 48, 200, 416, 417, 5000, n):  # around each way of building them
        positions = list(range(0, n, n // size))[:size] if size else []
        assert bits_of(positions, n) == sum(1 << p for p in positions)
        assert bits_of(reversed(positions), n) == sum(1 << p for p in positions)


_words = st.sets(st.text(alphabet=_LETTERS, min_size=1, max_size=12), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_words)
def test_head_ranges_cover_the_words_sharing_each_start(words: set[str]) -> None:
    vocab = Vocabulary(words, ())
    for length, ranges in vocab.head_ranges(3).items():
        expected: dict[str, list[int]] = defaultdict(list)
        for i, word in enumerate(vocab.words):
            expected[word[:length]].append(i)
        assert sorted(ranges) == sorted((ids[0], ids[-1] + 1) for ids in expected.values())


@st.composite
def _vocab_and_typed(draw: st.DrawFn) -> tuple[set[str], str]:
    """Words, and a query word of 5+ letters that is often a start of one of them, edited."""
    words = draw(_words)
    typed = draw(st.text(alphabet=_LETTERS, min_size=5, max_size=11))
    long_words = sorted(w for w in words if len(w) >= 5)
    from_a_word = draw(st.booleans())
    if long_words and from_a_word:
        base = draw(st.sampled_from(long_words))
        typed = base[: draw(st.integers(5, len(base)))]
        at = draw(st.integers(0, len(typed) - 1))
        typed = typed[:at] + draw(st.sampled_from(["", "a", "é", "dd"])) + typed[at + 1 :]
    return words, typed


@settings(max_examples=500, deadline=None)
@given(_vocab_and_typed())
def test_typo_scan_finds_what_comparing_every_word_finds(case: tuple[set[str], str]) -> None:
    words, typed = case
    vocab = Vocabulary(words, ())
    found = {
        distance: {i for lo, hi in ranges for i in range(lo, hi)}
        for distance, ranges in vocab.typos(typed).items()
    }
    assert found == _typos_by_brute_force(vocab.words, typed)


def _typos_by_brute_force(words: list[str], typed: str) -> dict[int, set[int]]:
    """Each word within the typo budget: by the edits from `typed` to the word's start of a
    length within the budget that does not begin with `typed`, or to the whole shorter word."""
    budget = typo_budget(typed)
    found: defaultdict[int, set[int]] = defaultdict(set)
    for i, word in enumerate(words):
        for length in range(len(typed), len(typed) + budget + 1):
            start = word[:length]
            if len(start) == length and not start.startswith(typed):
                distance = OSA.distance(typed, start)
                if 0 < distance <= budget:
                    found[distance].add(i)
        if len(typed) - budget <= len(word) < len(typed):
            distance = OSA.distance(typed, word)
            if distance <= budget:
                found[distance].add(i)
    return dict(found)


def test_inside_finds_words_containing_a_word_past_their_start() -> None:
    vocab = Vocabulary(
        ["convllava", "llava", "gallavant", "abstractonly"], {"convllava", "llava", "gallavant"}
    )
    assert sorted(vocab.words[i] for i in vocab.inside("llava")) == ["convllava", "gallavant"]
    assert sorted(vocab.words[i] for i in vocab.inside("lava")) == [
        "convllava",
        "gallavant",
        "llava",
    ]
    assert vocab.inside("only") == []
