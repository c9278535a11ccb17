"""IdLines: the ids of a search result as the statement returns them, one newline-joined
string, read by position without splitting it.

A result of 100,000 papers as a tuple is 100,000 string objects (6.7 MB), made in one call
that holds the interpreter's lock (5 ms), and a tuple the cyclic collector walks once before
it leaves it alone (6-8 ms, in whichever thread's allocation sets it off: mostly the UI
thread, in the next frame). As one string it is 1.1 MB no collection looks at. A row is found
through the starts of every `STEP`-th line, found as far as asked (a page near the top costs
microseconds; the last row of 100,000 once about 10 ms); an id by a search of the text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

STEP = 64  # a line start kept every this many lines


class IdLines(Sequence[str]):
    """Ids by position in `text` (ids joined by newlines; an id holds no newline)."""

    __slots__ = ("_count", "_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._count = text.count("\n") + 1 if text else 0
        self._starts = [0]  # where lines 0, STEP, 2 * STEP, ... start, as far as found

    def prefixed(self, first: Sequence[str]) -> IdLines:
        """`first`, then these ids."""
        if not first:
            return self
        return IdLines("\n".join([*first, self._text] if self._text else first))

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._lines(start, stop)
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return self._lines(index, index + 1)[0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._text.split("\n") if self._text else ())

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self._find(value) >= 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IdLines):
            return self._text == other._text
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == self._count and list(other) == list(self)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"IdLines({self._count} ids)"

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """The row of `value`: a search of the text, then a count of the lines before it
        (both in C: about a millisecond for 100,000 ids)."""
        at = self._find(value) if isinstance(value, str) else -1
        if at < 0:
            raise ValueError(f"{value!r} is not listed")
        row = self._text.count("\n", 0, at)
        if not start <= row < (self._count if stop is None else stop):
            return super().index(value, start, self._count if stop is None else stop)
        return row

    def _find(self, value: str) -> int:
        """Where the line `value` starts in the text, else -1."""
        text = self._text
        if not value or "\n" in value:
            return -1
        at = text.find(value)
        while at >= 0:
            end = at + len(value)
            if (at == 0 or text[at - 1] == "\n") and (end == len(text) or text[end] == "\n"):
                return at
            at = text.find(value, at + 1)
        return -1

    def _lines(self, start: int, stop: int) -> list[str]:
        if start >= stop:
            return []
        end = len(self._text) if stop >= self._count else self._start(stop) - 1
        return self._text[self._start(start) : end].split("\n")

    def _start(self, line: int) -> int:
        """Where line `line` (< the count) starts."""
        starts, text = self._starts, self._text
        while len(starts) <= line // STEP:
            at = starts[-1]
            for _ in range(STEP):
                at = text.index("\n", at) + 1
            starts.append(at)
        at = starts[line // STEP]
        for _ in range(line % STEP):
            at = text.index("\n", at) + 1
        return at
