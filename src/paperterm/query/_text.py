"""Folding text and finding words in it, the same way for the parser, the index and the
highlighter: one definition of how text folds, what a word is, and how many typos it may hold."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

WORD = re.compile(r"\w+")
# Marks that NFKD splits off Latin, Greek and Cyrillic letters; other scripts keep theirs,
# the same way on both sides of a comparison.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# In ASCII a word character is a letter, a digit or "_"; everything else becomes a space, so
# `str.split` finds the same words as `WORD.findall`, nearly twice as fast.
_ASCII_NON_WORD = {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}
INSIDE_MIN = 4  # shorter words would match inside far too many words ("gan", organisation)
TYPO_MIN_LEN = 5
TYPO_MAX_LEN = 32


def fold(text: str) -> str:
    """Casefolded, compatibility-decomposed, accents dropped."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def fold_all(texts: Iterable[str]) -> list[str]:
    """`fold` of each text (most are ASCII: that case is inlined, it is most of the cost)."""
    return [text.lower() if text.isascii() else fold(text) for text in texts]


def words_of(folded: str) -> list[str]:
    """The words of a folded text, in order: what `WORD.findall` returns."""
    if folded.isascii():
        return folded.translate(_ASCII_NON_WORD).split()
    return WORD.findall(folded)


def has_word(text: str) -> bool:
    """Whether `text` holds anything to search for once folded."""
    return WORD.search(fold(text)) is not None


def typo_budget(word: str) -> int:
    """How many edits a folded query word may be away from a text word."""
    if not word.isalpha() or len(word) > TYPO_MAX_LEN or len(word) < TYPO_MIN_LEN:
        return 0
    return 2 if len(word) >= 9 else 1


def phrase_text(value: str) -> str:
    """A phrase as typed, folded, its runs of space made one space."""
    return " ".join(fold(value).split())


def find_at_word_start(text: str, phrase: str, start: int = 0) -> int:
    """The first index >= start where `phrase` occurs not preceded by a word character."""
    pos = text.find(phrase, start)
    if not phrase or not is_word_char(phrase[0]):
        return pos
    while pos > 0 and is_word_char(text[pos - 1]):
        pos = text.find(phrase, pos + 1)
    return pos


def is_word_char(char: str) -> bool:
    """What `WORD` counts as part of a word."""
    return char.isalnum() or char == "_"


def containing(texts: Sequence[str], phrase: str, positions: Iterable[int]) -> list[int]:
    """The positions whose text holds `phrase` at the start of a word."""
    if not phrase or not is_word_char(phrase[0]):
        return [i for i in positions if phrase in texts[i]]
    # Most phrases follow a space: one fast substring test settles those.
    spaced = " " + phrase
    return [
        i
        for i in positions
        if spaced in (text := texts[i])
        or text.startswith(phrase)
        or (phrase in text and find_at_word_start(text, phrase) >= 0)
    ]


# The ranking rules, one copy for the in-memory index (`paperterm.query.index`) and the
# persistent one (`paperterm.feed.searchquery`): a field's weight times the tier of the match.
FIELD_WEIGHT = {"title": 8, "author": 4, "kw": 2, "abstract": 1}
TIER_EXACT, TIER_PREFIX, TIER_INSIDE, TIER_TYPO1, TIER_TYPO2 = 10, 9, 8, 7, 6
ABSTRACT_PREFIX_MIN = 3  # a shorter word matches abstracts only whole
TEXT_FIELDS = ("title", "author", "kw", "abstract")
FIELDS_OF: dict[str, tuple[str, ...]] = {
    "any": TEXT_FIELDS,
    "title": ("title",),
    "author": ("author",),
    "kw": ("kw",),
}
# Scores live in 16-bit lanes: at most 80 per word, so this many words cannot overflow one;
# words past it still select, they just stop adding to the score.
MAX_SCORED_WORDS = 800
