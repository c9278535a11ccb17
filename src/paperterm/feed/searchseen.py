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
from dataclasses import dataclass, field


@dataclass
class _Seen:
    file: tuple[int, int]  # device and inode
    terms: int  # the generation the stored rows are as of
    generation: int  # the index's, when last read (a reset draws a new one)
    last_log: int = 0  # the rowid of the last log row read
    whole: set[str] = field(default_factory=set)
    inside: set[str] = field(default_factory=set)


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
        for kind, words in db.execute(
            "SELECT kind, words FROM search_terms WHERE kind IN ('whole', 'inside')"
        ):
            (seen.whole if kind == "whole" else seen.inside).update(_lines(words))
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
    return every - seen.whole, inside - seen.inside


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []
