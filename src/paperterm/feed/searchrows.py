"""One row of the search vocabulary (`paperterm.feed.searchterms`) as it is stored: its sorted
entries of one width, newline-joined, looked up in that text without splitting it.

Every entry of a row has the same number of characters (the words of n characters, or the
distinct first n characters of longer words), so entry i starts at i * (width + 1): the text is
a sorted array that bisection reads in place. A process that asks one query reads a few rows of
10,000 to 30,000 entries each; splitting them into strings cost about 1.7 ms a row, and
scanning them for typos needed rapidfuzz, whose package takes 10 ms to load.

`near` finds the entries within an optimal-string-alignment distance of a word (the typo rule
of `paperterm.query._text`): substitutions, insertions, deletions and swaps of neighbours, no
part edited twice. With k edits, a word cut into k + 1 pieces keeps one piece untouched, at an
offset the edits before it shift by at most k, unless an edit swaps the two characters around
a cut — the word with those two swapped is then within k - 1. So the candidates are the entries
holding a piece where it can be (the first piece: a range of the sorted entries; the last: the
entries' ends; one between: a few offsets), and those of the swapped words; each is checked
exactly. Over the rows of 10k papers a budget-1 word costs about 1 ms (at most 8); a budget-2
word 2 ms (at most 13, where a common ending such as "-ing" leaves a few hundred to check).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import pairwise


class Row:
    """A sorted row of entries of `width` characters, held as their newline-joined text.

    It has a length and entries by position, which is what bisection needs; not a full
    `Sequence` (no slices, no isinstance test at each step of a bisection)."""

    __slots__ = ("_count", "_stride", "text", "width")

    def __init__(self, text: str, width: int) -> None:
        self._stride = width + 1
        if text and (len(text) + 1) % self._stride:  # not as written: keep what fits
            text = "\n".join(entry for entry in text.split("\n") if len(entry) == width)
        self.text, self.width = text, width
        self._count = (len(text) + 1) // self._stride if text else 0

    @classmethod
    def of(cls, entries: Sequence[str], width: int) -> Row:
        return cls("\n".join(entries), width)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, at: int) -> str:
        if at < 0:
            at += self._count
        if not 0 <= at < self._count:
            raise IndexError(at)
        start = at * self._stride
        return self.text[start : start + self.width]

    def __iter__(self) -> Iterator[str]:
        return (self[at] for at in range(self._count))

    def holds(self, entry: str) -> bool:
        at = bisect_left(self, entry)
        return at < self._count and self[at] == entry

    def starting(self, start: str) -> Iterator[str]:
        """The entries beginning with `start`, in order."""
        at = bisect_left(self, start)
        while at < self._count and self.text.startswith(start, at * self._stride):
            yield self[at]
            at += 1


def near(row: Row, word: str, budget: int) -> Iterator[tuple[str, int]]:
    """The entries within `budget` edits of `word` (swaps of neighbours included, no part
    edited twice), in order, each with its distance (0 for `word` itself)."""
    found: set[int] = set()
    _candidates(row, word, budget, found)
    for at in sorted(found):
        entry = row[at]
        distance = osa_within(word, entry, budget)
        if distance is not None:
            yield entry, distance


def osa_within(a: str, b: str, budget: int) -> int | None:
    """The optimal-string-alignment distance of `a` and `b` when it is at most `budget`."""
    if a == b:
        return 0
    # Trimmed of the start and the end they share (which no edit needs to touch).
    shorter = min(len(a), len(b))
    start = 0
    while start < shorter and a[start] == b[start]:
        start += 1
    end = 0
    while end < shorter - start and a[-1 - end] == b[-1 - end]:
        end += 1
    if start or end:
        a, b = a[start : len(a) - end], b[start : len(b) - end]
    if not a or not b:
        distance = len(a) + len(b)
        return distance if distance <= budget else None
    if budget < 1 or abs(len(a) - len(b)) > budget:
        return None
    # The first characters differ and so do the last: one edit must cover both ends.
    if len(a) == len(b) and (len(a) == 1 or (len(a) == 2 and a[0] == b[1] and a[1] == b[0])):
        return 1
    if budget == 1:
        return None
    if budget == 2:  # one edit at each end, the rest alike
        return 2 if _two_apart(a, b) else None
    rests = [(a[1:], b[1:]), (a[1:], b), (a, b[1:])]  # the first edit: a change, a drop, an add
    if len(a) > 1 and len(b) > 1 and a[0] == b[1] and a[1] == b[0]:
        rests.append((a[2:], b[2:]))  # ... or a swap
    best: int | None = None
    for rest_a, rest_b in rests:
        found = osa_within(rest_a, rest_b, budget - 1)
        if found is not None and (best is None or found < best):
            best = found
    return None if best is None else best + 1


# The ends two edits can take, by how much longer they make `a` than `b`: (of `a`, of `b`)
# at the start and at the end; a swap, (2, 2), only where the characters are swapped.
_ENDS: dict[int, list[tuple[int, int, int, int]]] = {}
for _first in ((1, 1), (1, 0), (0, 1), (2, 2)):
    for _last in ((1, 1), (1, 0), (0, 1), (2, 2)):
        _ENDS.setdefault(_first[0] + _last[0] - _first[1] - _last[1], []).append((*_first, *_last))


def _two_apart(a: str, b: str) -> bool:
    """Whether two edits, one taking the first character of `a` or of `b` and one the last,
    make `a` into `b`."""
    size_a, size_b = len(a), len(b)
    if size_a > 4 and a[2:-2] not in b:  # what lies between the two edits is left alone
        return False
    for a_first, b_first, a_last, b_last in _ENDS.get(size_a - size_b, ()):
        if a_first + a_last > size_a or b_first + b_last > size_b:
            continue
        if a[a_first : size_a - a_last] != b[b_first : size_b - b_last]:
            continue
        if a_first == 2 and not (a[0] == b[1] and a[1] == b[0]):
            continue
        if a_last == 2 and not (a[-1] == b[-2] and a[-2] == b[-1]):
            continue
        return True
    return False


def _candidates(row: Row, word: str, budget: int, found: set[int]) -> None:
    """Add to `found` the places of the entries that may be within `budget` of `word`: every
    one that is (and some that are not)."""
    size, width, text = len(word), row.width, row.text
    grown = width - size
    if abs(grown) > budget or not len(row):
        return
    if budget == 0:
        at = bisect_left(row, word)
        if at < len(row) and row[at] == word:
            found.add(at)
        return
    if size <= budget:  # too short to cut in budget + 1: every entry may be
        found.update(range(len(row)))
        return
    stride = width + 1
    cuts = [round(i * size / (budget + 1)) for i in range(budget + 2)]
    # How far the edits before a middle piece can move it: the adds and drops before and
    # after it are at most `budget` in all, and they make the entry `grown` longer.
    slack = (budget - abs(grown)) // 2
    shifts = range(min(0, grown) - slack, max(0, grown) + slack + 1)
    for piece_at, (start, end) in enumerate(pairwise(cuts)):
        piece = word[start:end]
        if piece_at == 0:  # the entries beginning with it: a range of the sorted row
            at = bisect_left(row, piece)
            while at < len(row) and text.startswith(piece, at * stride):
                found.add(at)
                at += 1
            continue
        if piece_at == budget:  # the last piece ends the entry
            offsets = range(width - len(piece), width - len(piece) + 1)
            needle = piece + "\n"
            if text.endswith(piece):
                found.add(len(row) - 1)
        else:
            lowest, highest = start + shifts.start, start + shifts.stop - 1
            offsets = range(max(0, lowest), min(width - len(piece), highest) + 1)
            needle = piece
        hit = text.find(needle) if offsets else -1
        while hit >= 0:
            if hit % stride in offsets:
                found.add(hit // stride)
            hit = text.find(needle, hit + 1)
    for cut in cuts[1:-1]:  # a swap across a cut breaks two pieces with one edit
        if word[cut - 1] != word[cut]:
            swapped = word[: cut - 1] + word[cut] + word[cut - 1] + word[cut + 1 :]
            _candidates(row, swapped, budget - 1, found)
