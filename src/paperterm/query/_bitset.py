"""Sets of paper positions as Python ints (bit i stands for paper i), score lanes, and the
inverted index of one field built from them.

numpy is not a dependency, so the bulk work is arranged to run inside C loops of the standard
library: ``map`` over bound methods, ``bytes.translate``, ``int(..., 2)``, ``array`` slices.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate, compress, repeat

from paperterm.query._text import words_of

_BYTE_TO_DIGIT = bytes.maketrans(b"\x00\x01", b"01")
_DIGIT_TO_BYTE = bytes.maketrans(b"01", b"\x00\x01")
SMALL_SET = 48  # below this, shifting bits in beats a pass over a bytearray
# Marking a byte per paper and reading the bytes as binary digits costs ~17 ns a position plus
# ~2 ns a paper; setting bits in packed bytes costs ~65 ns a position. So the packed bytes win
# below about one position in 24 papers.
_PACKED_RATIO = 24


def bits_of(positions: Iterable[int], n: int) -> int:
    """The bitset of `positions` (each < n)."""
    seq = positions if isinstance(positions, (list, array)) else list(positions)
    if len(seq) < SMALL_SET:
        bits = 0
        for position in seq:
            bits |= 1 << position
        return bits
    if len(seq) * _PACKED_RATIO < n:
        packed = bytearray((n + 7) >> 3)
        for position in seq:
            packed[position >> 3] |= 1 << (position & 7)
        return int.from_bytes(packed, "little")
    marks = bytearray(n)
    for position in seq:
        marks[position] = 1
    return int(marks.translate(_BYTE_TO_DIGIT)[::-1], 2)


def lanes_of(bits: int) -> int:
    """`bits` spread to one 16-bit lane per paper, so scores add up with one `+`."""
    digits = bin(bits)[:1:-1].encode("utf-16-le")
    return int.from_bytes(digits.translate(_DIGIT_TO_BYTE), "little")


def positions_in(bits: int, every: Sequence[int]) -> list[int]:
    """The positions in a bitset, ascending; `every` is ``range(n)`` as a tuple."""
    if not bits:
        return []
    return list(compress(every, bin(bits)[:1:-1].encode().translate(_DIGIT_TO_BYTE)))


def positions_by_word(texts: Iterable[str]) -> dict[str, list[int]]:
    """For each word of the folded `texts`, the positions of the texts holding it, ascending."""
    by_word: defaultdict[str, list[int]] = defaultdict(list)
    # The inner loop runs in C: append `position` to the list of each word of the text.
    get_list, append = by_word.__getitem__, list.append
    for position, text in enumerate(texts):
        deque(map(append, map(get_list, set(words_of(text))), repeat(position)), 0)
    return by_word


class Postings:
    """One field's inverted index over the shared sorted vocabulary.

    A common word keeps a bitset; the positions of the other words lie end to end in `flat`,
    word `i`'s from ``offsets[i]`` to ``offsets[i + 1]``, so the words of a vocabulary range
    are one slice."""

    __slots__ = ("dense", "dense_ids", "flat", "n", "offsets", "ranges")

    def __init__(self, lists: Mapping[str, list[int]], vocab: Sequence[str], n: int) -> None:
        self.n = n
        self.ranges: dict[tuple[int, int], int] = {}
        # A bitset costs n/8 bytes whatever its size; keep one where a list would cost more
        # than an eighth of that, so that common words never go through a Python loop.
        dense_min = max(SMALL_SET, n // 64)
        empty: list[int] = []
        per_word = list(map(lists.get, vocab, repeat(empty)))
        sizes = list(map(len, per_word))
        self.dense_ids = [i for i, size in enumerate(sizes) if size >= dense_min]
        self.dense = {i: bits_of(per_word[i], n) for i in self.dense_ids}
        for i in self.dense_ids:
            per_word[i], sizes[i] = empty, 0
        self.offsets = array("i", accumulate(sizes, initial=0))
        self.flat = array("i")
        deque(map(self.flat.extend, per_word), 0)

    def keep_ranges(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Keep the bitsets of those ranges ready that would be slow to build (short
        prefixes: the first keystrokes of a word)."""
        offsets, slow = self.offsets, max(SMALL_SET, self.n // 16)
        for lo, hi in ranges:
            if offsets[hi] - offsets[lo] >= slow:
                self.ranges[lo, hi] = self.range_bits(lo, hi)

    def range_bits(self, lo: int, hi: int) -> int:
        """Papers holding any word with an id in [lo, hi)."""
        if (kept := self.ranges.get((lo, hi))) is not None:
            return kept
        return self.ranges_bits([(lo, hi)])

    def ranges_bits(self, ranges: Iterable[tuple[int, int]]) -> int:
        """Papers holding any word with an id in any of these ranges."""
        bits = 0
        rare = array("i")
        dense_ids, offsets = self.dense_ids, self.offsets
        for lo, hi in ranges:
            for token_id in dense_ids[bisect_left(dense_ids, lo) : bisect_left(dense_ids, hi)]:
                bits |= self.dense[token_id]
            rare += self.flat[offsets[lo] : offsets[hi]]
        return bits | bits_of(rare, self.n) if rare else bits

    def ids_bits(self, token_ids: Iterable[int]) -> int:
        """Papers holding any of these words."""
        bits = 0
        rare = array("i")
        for token_id in token_ids:
            if token_id in self.dense:
                bits |= self.dense[token_id]
            else:
                rare.extend(self.flat[self.offsets[token_id] : self.offsets[token_id + 1]])
        return bits | bits_of(rare, self.n) if rare else bits
