"""The search index's vocabulary, kept in the feed cache by word length: what the typo and
inside look-ups scan, read by a new process only for the lengths its query asks for.

``search_terms`` (migration 7, in `paperterm.feed.searchindex`) holds sorted word lists, newline-joined, one row each:

* ``("whole", n)``: the words of n characters (is a word known; typos shorter than the
  query word);
* ``("start", n)``: the distinct first n characters of the words of n or more (is it the
  start of a word; typos of a word start);
* ``("inside", 0)``: the words titles, authors and keywords hold (the inside look-up).

A store only appends its words to ``search_word_log`` (`paperterm.feed.searchindex`); the
``terms`` state says which generation of the index the rows are as of. The first search
after a change folds the log in (`terms`): each new word goes into its rows by bisection,
and the changed rows are written back for the next process. Until a row of starts is asked
for it is never made: a first query pays for reading a few rows, not for slicing every word.
"""

from __future__ import annotations

import sqlite3
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from paperterm.feed.searchindex import generation
from paperterm.query._text import TYPO_MAX_LEN, TYPO_MIN_LEN, typo_budget

Row = tuple[str, int]  # (kind, length)


class _Known:
    """The rows one process has read, as of one generation of the index."""

    def __init__(self, generation: int, rows: dict[Row, list[str]]) -> None:
        self.generation = generation
        self.rows = rows
        self.lock = threading.Lock()


_KNOWN: dict[str, _Known] = {}
_KNOWN_LOCK = threading.Lock()


def forget() -> None:
    """Drop what this process remembers of every cache's vocabulary (as a new process)."""
    with _KNOWN_LOCK:
        _KNOWN.clear()


def terms(db: sqlite3.Connection, key: str) -> Terms:
    """The vocabulary of the index behind `db` (`key`: the cache's path), its rows read
    through `db` as they are asked for and remembered per cache until the index changes."""
    now = generation(db)
    with _KNOWN_LOCK:
        known = _KNOWN.get(key)
    if known is None or known.generation != now:
        known = _brought_up_to(db, now, known)
        with _KNOWN_LOCK:
            _KNOWN[key] = known
    return Terms(db, known)


class Terms:
    """One thread's view of a cache's vocabulary."""

    def __init__(self, db: sqlite3.Connection, known: _Known) -> None:
        self._db = db
        self._known = known

    def row(self, kind: str, length: int) -> list[str]:
        known = self._known
        with known.lock:
            found = known.rows.get((kind, length))
            if found is None:
                found = known.rows[(kind, length)] = _read(self._db, kind, length)
            return found

    def has(self, word: str) -> bool:
        return _holds(self.row("whole", len(word)), word)

    def has_prefix(self, word: str) -> bool:
        return _holds(self.row("start", len(word)), word)

    def inside(self, word: str) -> list[str]:
        """Title, author and keyword words holding `word` past their first character."""
        joined = self._inside_text()
        found: dict[str, None] = {}
        at = joined.find(word)
        while at >= 0:
            start = joined.rfind("\n", 0, at) + 1
            if at > start:
                end = joined.find("\n", at)
                found[joined[start : end if end >= 0 else len(joined)]] = None
            at = joined.find(word, at + 1)
        return list(found)

    def typos(self, word: str) -> dict[int, tuple[list[str], list[str]]]:
        """By number of edits: the word starts within the typo budget of `word` (not starting
        with `word`), and the shorter whole words within it — `Vocabulary.typos`'s rules."""
        budget = typo_budget(word)
        found: defaultdict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        if not budget:
            return found
        for length in range(len(word), len(word) + budget + 1):
            if length >= TYPO_MAX_LEN + 3:
                break
            for text, distance, _ in process.extract(
                word, self.row("start", length), scorer=OSA.distance, score_cutoff=budget,
                limit=None,
            ):  # fmt: skip
                if distance and not text.startswith(word):
                    found[int(distance)][0].append(text)
        for length in range(max(TYPO_MIN_LEN - 1, len(word) - budget), len(word)):
            for text, distance, _ in process.extract(
                word, self.row("whole", length), scorer=OSA.distance, score_cutoff=budget,
                limit=None,
            ):  # fmt: skip
                found[int(distance)][1].append(text)
        return found

    def warm(self) -> None:
        """Read the rows of the common word lengths now (a first query would read them)."""
        self._inside_text()
        for length in range(TYPO_MIN_LEN - 1, 14):
            self.row("whole", length)
            self.row("start", length + 1)

    def _inside_text(self) -> str:
        """The inside words newline-joined, as stored (read as one text: `inside` finds in it,
        never splits it), or as folded in memory."""
        known = self._known
        with known.lock:
            found = known.rows.get(("inside-text", 0))
            if found is None:
                words = known.rows.get(("inside", 0))
                text = "\n".join(words) if words is not None else _read_text(self._db, "inside", 0)
                found = known.rows[("inside-text", 0)] = [text]
            return found[0]


def _holds(row: list[str], word: str) -> bool:
    return (at := bisect_left(row, word)) < len(row) and row[at] == word


def _read(db: sqlite3.Connection, kind: str, length: int) -> list[str]:
    return _lines(_read_text(db, kind, length))


def _read_text(db: sqlite3.Connection, kind: str, length: int) -> str:
    found = db.execute(
        "SELECT words FROM search_terms WHERE kind = ? AND length = ?", (kind, length)
    ).fetchone()
    return str(found[0]) if found else ""


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _brought_up_to(db: sqlite3.Connection, now: int, known: _Known | None) -> _Known:
    """The rows as of generation `now`: the stored ones with the log since folded in, written
    back when no other program is writing (else kept in memory, and folded again by the
    next process)."""
    row = db.execute("SELECT value FROM search_state WHERE key = 'terms'").fetchone()
    since = int(row[0]) if row else -1
    if since == now:
        return _Known(now, {})
    logged = db.execute(
        "SELECT words, inside FROM search_word_log WHERE ?1 < 0 OR generation > ?1", (since,)
    ).fetchall()
    every = {w for text, _ in logged for w in _lines(text)}
    inside = {w for _, text in logged for w in _lines(text)}
    rows: dict[Row, list[str]] = {} if since < 0 else _Loader(db)
    changed = _fold(rows, every, inside, fresh=since < 0)
    written = _write(db, since, now, {key: rows[key] for key in changed}, fresh=since < 0)
    # Remember only what was asked for before, brought up to date; the rest is read when asked
    # for (unless it could not be written: then from memory).
    kept = {key: rows[key] for key in changed} if not written else {}
    if known is not None:
        for key in known.rows:
            if key not in kept and key[0] != "inside-text":  # made again when asked for
                kept[key] = rows[key] if key in rows else _read(db, *key)
    return _Known(now, kept)


class _Loader(dict[Row, list[str]]):
    """The stored rows, each read when first needed."""

    def __init__(self, db: sqlite3.Connection) -> None:
        super().__init__()
        self._db = db

    def __missing__(self, key: Row) -> list[str]:
        found = self[key] = _read(self._db, *key)
        return found


def _fold(
    rows: dict[Row, list[str]], every: Iterable[str], inside: Iterable[str], *, fresh: bool
) -> set[Row]:
    """Put the words into `rows` (all of them made anew when `fresh`); the rows changed."""
    if fresh:
        return _made(rows, sorted(every), sorted(inside))
    changed: set[Row] = set()
    for word in every:
        if not _insert(rows, ("whole", len(word)), word, changed):
            continue
        for length in range(1, len(word) + 1):
            _insert(rows, ("start", length), word[:length], changed)
    for word in inside:
        _insert(rows, ("inside", 0), word, changed)
    return changed


def _insert(rows: dict[Row, list[str]], key: Row, word: str, changed: set[Row]) -> bool:
    row = rows[key]
    at = bisect_left(row, word)
    if at < len(row) and row[at] == word:
        return False
    row.insert(at, word)
    changed.add(key)
    return True


def _made(rows: dict[Row, list[str]], words: list[str], inside: list[str]) -> set[Row]:
    by_length: defaultdict[int, list[str]] = defaultdict(list)
    for word in words:
        by_length[len(word)].append(word)
    for length, found in by_length.items():
        rows[("whole", length)] = found
    for length in range(1, max(by_length, default=0) + 1):
        rows[("start", length)] = list(dict.fromkeys(w[:length] for w in words if len(w) >= length))
    rows[("inside", 0)] = inside
    return set(rows)


def _write(
    db: sqlite3.Connection, since: int, now: int, rows: dict[Row, list[str]], *, fresh: bool
) -> bool:
    """Store the changed rows as of `now` unless another program holds the cache or has
    folded the log meanwhile; whether they were stored."""
    busy = db.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        db.execute("PRAGMA busy_timeout = 0")
        with db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT value FROM search_state WHERE key = 'terms'").fetchone()
            if (int(row[0]) if row else -1) != since:
                return False
            if fresh:
                db.execute("DELETE FROM search_terms")
            db.executemany(
                "INSERT OR REPLACE INTO search_terms (kind, length, words) VALUES (?, ?, ?)",
                [(kind, length, "\n".join(words)) for (kind, length), words in rows.items()],
            )
            db.execute("DELETE FROM search_word_log WHERE generation <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO search_state (key, value) VALUES ('terms', ?)", (now,)
            )
    except sqlite3.OperationalError:
        return False  # locked or read-only
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(busy)}")
    return True
