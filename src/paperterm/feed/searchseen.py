"""The words a cache's vocabulary already holds, as this process last read them, so that a
store logs only the words the vocabulary lacks.

Without it every store logged all of its words, and the log a new process's first search
reads, deduplicates and sorts held every word of every store since the last fold (359 KB
after the fixtures' 28 months: 11 ms of ``paperterm list --filter``). Now it holds the new
words of each day: a few hundred.

The vocabulary only grows (papers are never removed, and a changed paper's old words stay),
so words read from it once stay true of it, except when the index is thrown away
(`searchindex.reset`: until it is rebuilt and ready, a store logs all its words) or another
file takes the path (a damaged cache moved aside). What a store added is learned by reading
the log at the next store, never from memory: a store rolled back is not taken for one kept.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from bisect import bisect_left


class _Seen:
    """What one process has read of a cache's vocabulary (a plain class: `dataclasses`
    costs a first search 1 ms to load)."""

    def __init__(self, file: tuple[int, int], terms: int, generation: int) -> None:
        self.file = file  # device and inode
        self.terms = terms  # the generation the stored rows are as of
        self.generation = generation  # the index's, when last read (a reset draws a new one)
        self.last_log = 0  # the rowid of the last log row read
        self.rows: dict[int, list[str]] = {}  # the stored rows, sorted
        self.whole: set[str] = set()  # logged since
        self.inside: set[str] = set()

    def knows(self, word: str) -> bool:
        return word in self.whole or _holds(self.rows.get(len(word), []), word)

    def knows_inside(self, word: str) -> bool:
        return word in self.inside or _holds(self.rows.get(0, []), word)


_SEEN: dict[str, _Seen] = {}
_LOCK = threading.Lock()


def forget() -> None:
    """Drop what this process remembers (as a new process)."""
    with _LOCK:
        _SEEN.clear()


def unseen(db: sqlite3.Connection, every: set[str], inside: set[str]) -> tuple[set[str], set[str]]:
    """Of a store's words and inside words, those the vocabulary lacks (all of them while
    the index is being rebuilt); inside the store's transaction."""
    state = dict(db.execute("SELECT key, value FROM search_state").fetchall())
    path = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    if state.get("ready") != 1 or not path:
        return every, inside
    try:
        info = os.stat(path)
    except OSError:
        return every, inside
    file, terms, generation = (
        (info.st_dev, info.st_ino),
        state.get("terms", -1),
        state["generation"],
    )
    with _LOCK:
        seen = _SEEN.get(path)
    if seen is None or (seen.file, seen.terms) != (file, terms) or generation < seen.generation:
        seen = _Seen(file, terms, generation)
        # Split, not made into sets: a quarter of the time (4 ms of 800 KB at 10k cached).
        for length, words in db.execute(
            "SELECT length, words FROM search_terms WHERE kind IN ('whole', 'inside')"
        ):
            seen.rows[length] = _lines(words)  # "inside" is length 0
    for rowid, words, inner in db.execute(
        "SELECT rowid, words, inside FROM search_word_log WHERE rowid > ? ORDER BY rowid",
        (seen.last_log,),
    ):
        seen.whole.update(_lines(words))
        seen.inside.update(_lines(inner))
        seen.last_log = rowid
    seen.generation = generation
    with _LOCK:
        _SEEN[path] = seen
    return {w for w in every if not seen.knows(w)}, {w for w in inside if not seen.knows_inside(w)}


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _holds(row: list[str], word: str) -> bool:
    return (at := bisect_left(row, word)) < len(row) and row[at] == word
