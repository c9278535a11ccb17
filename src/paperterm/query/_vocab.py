"""The sorted vocabulary of an index and the look-ups a query word makes in it: its prefix
range, the words that contain it, and the words within its typo budget.

A word's id is its place in the sorted vocabulary, so words sharing a start are neighbours
and "every word starting with ``diff``" is one range of ids.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from itertools import accumulate, chain, compress
from operator import itemgetter, ne

from rapidfuzz import process
from rapidfuzz.distance import OSA

from paperterm.query._text import TYPO_MAX_LEN, TYPO_MIN_LEN, typo_budget

Range = tuple[int, int]
_PAST_EVERY_WORD = "\U0010ffff"


class Vocabulary:
    """Every word of an index, sorted, with what the look-ups need prepared."""

    def __init__(self, words: Iterable[str], inside_words: Collection[str]) -> None:
        """`words` are distinct; `inside_words` are those a query word may match inside of."""
        self.words = sorted(words)
        self._build_inside(inside_words)
        self._build_typo_lists()

    def __len__(self) -> int:
        return len(self.words)

    def prefix_range(self, word: str) -> Range:
        """The ids of the words that start with `word` (the word itself included)."""
        lo = bisect_left(self.words, word)
        return lo, bisect_left(self.words, word + _PAST_EVERY_WORD, lo)

    def exact_range(self, word: str) -> Range:
        """The id of `word` as a range: one id, or an empty range if it is not a word here."""
        lo = bisect_left(self.words, word)
        return lo, lo + 1 if lo < len(self.words) and self.words[lo] == word else lo

    def head_ranges(self, longest: int) -> dict[int, list[Range]]:
        """For each length up to `longest`, and each distinct start of that length (a
        shorter word is its own start), the range of words beginning with it."""
        heads = list(map(itemgetter(slice(longest)), self.words))
        heads, los, his = _runs(heads, range(len(heads)))
        found = {longest: list(zip(los, his, strict=True))}
        for length in range(longest - 1, 0, -1):
            # A shorter start's words are neighbouring runs of the longer starts.
            heads = list(map(itemgetter(slice(length)), heads))
            heads, firsts, ends = _runs(heads, range(len(heads)))
            los = list(map(los.__getitem__, firsts))
            his = list(map(his.__getitem__, map((-1).__add__, ends)))
            found[length] = list(zip(los, his, strict=True))
        return found

    def inside(self, word: str) -> list[int]:
        """Ids of the inside words that contain `word` past their first character."""
        joined, starts, ids = self._inside_text, self._inside_starts, self._inside_ids
        found: dict[int, None] = {}
        at = joined.find(word)
        while at >= 0:
            slot = bisect_right(starts, at) - 1
            if at > starts[slot]:
                found[ids[slot]] = None
            at = joined.find(word, at + 1)
        return list(found)

    def typos(self, word: str) -> dict[int, list[Range]]:
        """Ranges of ids by number of edits, for the words that start within the typo budget
        of `word` (but not with `word` itself: the prefix range has those)."""
        budget = typo_budget(word)
        found: defaultdict[int, list[Range]] = defaultdict(list)
        if not budget:
            return found
        for length in range(len(word), len(word) + budget + 1):
            starts, los, his = self._starts_of_length.get(length, ([], [], []))
            for text, distance, slot in process.extract(
                word, starts, scorer=OSA.distance, score_cutoff=budget, limit=None
            ):
                if distance and not text.startswith(word):
                    found[int(distance)].append((los[slot], his[slot]))
        for length in range(max(1, len(word) - budget), len(word)):
            words, ids = self._words_of_length.get(length, ([], []))
            for _, distance, slot in process.extract(
                word, words, scorer=OSA.distance, score_cutoff=budget, limit=None
            ):
                found[int(distance)].append((ids[slot], ids[slot] + 1))
        return found

    def _build_inside(self, inside_words: Collection[str]) -> None:
        # One string of the inside words, a line each, so a look-up is a few `str.find`s.
        self._inside_ids = list(
            compress(range(len(self.words)), map(inside_words.__contains__, self.words))
        )
        chosen = list(map(self.words.__getitem__, self._inside_ids))
        self._inside_starts = list(accumulate(map((1).__add__, map(len, chosen)), initial=0))
        self._inside_starts.pop()
        self._inside_text = "\n".join(chosen)

    def _build_typo_lists(self) -> None:
        """For each length: the distinct word starts of that length with their ranges, and
        the whole words of that length; the typo scan reads these."""
        words = self.words
        sizes = list(map(len, words))
        # A query word's budget reaches whole words down to 4 characters, and starts up to
        # 2 characters longer than the longest word it corrects.
        by_size = sorted(range(len(words)), key=sizes.__getitem__)  # stable: sorted within
        sorted_sizes = list(map(sizes.__getitem__, by_size))
        self._words_of_length: dict[int, tuple[list[str], list[int]]] = {}
        for length in range(TYPO_MIN_LEN - 1, TYPO_MAX_LEN):
            same = by_size[
                bisect_left(sorted_sizes, length) : bisect_left(sorted_sizes, length + 1)
            ]
            if same:
                self._words_of_length[length] = (list(map(words.__getitem__, same)), same)
        self._starts_of_length: dict[int, tuple[list[str], list[int], list[int]]] = {}
        ids = list(range(len(words)))
        for length in range(TYPO_MIN_LEN, TYPO_MAX_LEN + 3):
            # Words shorter than `length` drop out as we go. Words sharing a start are
            # neighbours in the sorted vocabulary, so each start maps to one range of ids.
            keep = list(map(length.__le__, sizes))
            ids, words = list(compress(ids, keep)), list(compress(words, keep))
            sizes = list(compress(sizes, keep))
            if not ids:
                break
            heads = list(map(itemgetter(slice(length)), words))
            self._starts_of_length[length] = _runs(heads, ids)


def _runs(keys: list[str], ids: Sequence[int]) -> tuple[list[str], list[int], list[int]]:
    """The runs of equal neighbours in `keys`: each run's key, first id, and last id + 1
    (`ids` ascending, one per key)."""
    changed = list(map(ne, keys[1:], keys[:-1]))
    firsts = list(compress(ids, chain((True,), changed)))
    ends = list(map((1).__add__, compress(ids, chain(changed, (True,)))))
    return list(compress(keys, chain((True,), changed))), firsts, ends
