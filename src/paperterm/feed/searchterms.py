"""The search index's vocabulary, kept in the feed cache by word length: what the typo and
inside look-ups scan, read by a new process only for the lengths its query asks for.

``search_terms`` (migration 7, `paperterm.feed.searchschema`) holds sorted word lists,
newline-joined, one row each:

* ``("whole", n)``: the words of n characters (is a word known; typos shorter than the
  query word);
* ``("start", n)``: the distinct first n characters of the words of n or more (is it the
  start of a word; typos of a word start);
* ``("inside", 0)``: the words titles, authors and keywords hold (the inside look-up).

The rows are as of the generation in the ``terms`` state. A store appends the words the
vocabulary lacks to ``search_word_log`` (`paperterm.feed.searchseen`: about 70 a day) and
nothing more; a search reads the rows it needs plus the words logged since, its rows made in
memory. Rewriting the rows costs about 0.13 s at 10k cached, so it waits until the log holds
`FOLD_AT` bytes of words (about a month of daily fetches): `fold`, a fetch's last step.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable

from paperterm.feed import searchseen
from paperterm.feed.searchindex import generation
from paperterm.feed.searchrows import Row, near
from paperterm.query._text import TYPO_MAX_LEN, TYPO_MIN_LEN, typo_budget

Key = tuple[str, int]  # (kind, length)
# Bytes of logged words worth rewriting the rows for (about 2,500 words): a first search
# makes them into rows; 25,000 cost it 27 ms at 10k cached.
FOLD_AT = 20_000


class _Known:
    """What one process has read of a cache's vocabulary: the stored rows (as of `since`)
    it was asked for, and the words logged since, as of generation `now`."""

    def __init__(self, now: int, since: int, recent: list[str], recent_inside: list[str]) -> None:
        self.now, self.since = now, since
        # Each row one string, as stored (`paperterm.feed.searchrows`): nothing to split, and
        # nothing for the garbage collector to walk.
        self.rows: dict[Key, Row] = {}
        self.recent = recent  # distinct, sorted
        self.recent_rows: dict[Key, Row] = {}
        self.recent_inside = "\n".join(recent_inside)
        self.inside_text: str | None = None
        self.lock = threading.Lock()


_KNOWN: dict[str, _Known] = {}
_KNOWN_LOCK = threading.Lock()


def forget() -> None:
    """Drop what this process remembers of every cache's vocabulary (as a new process)."""
    with _KNOWN_LOCK:
        _KNOWN.clear()
    searchseen.forget()


def terms(db: sqlite3.Connection, key: str) -> Terms:
    """The vocabulary of the index behind `db` (`key`: the cache's path), its rows read
    through `db` as they are asked for and remembered per cache until the index changes."""
    now = generation(db)
    with _KNOWN_LOCK:
        known = _KNOWN.get(key)
    if known is None or known.now != now:
        known = _known_at(db, now, known)
        with _KNOWN_LOCK:
            _KNOWN[key] = known
    return Terms(db, known)


def fold(db: sqlite3.Connection, key: str, *, at: int = FOLD_AT, now: bool = False) -> bool:
    """Rewrite the rows with the logged words in them once the log holds `at` bytes of words
    (or when there are no rows yet): a fetch's last step, once for the whole fetch. Whether
    they were rewritten. `now`: whatever the log holds."""
    since = _since(db)
    logged = db.execute(
        "SELECT coalesce(sum(length(words)), 0) FROM search_word_log WHERE generation > ?",
        (since,),
    ).fetchone()[0]
    if since >= 0 and not now and logged < at:
        return False
    written, _ = _rows_rewritten(db, generation(db), since)
    with _KNOWN_LOCK:
        _KNOWN.pop(key, None)
    return written


class Terms:
    """One thread's view of a cache's vocabulary."""

    def __init__(self, db: sqlite3.Connection, known: _Known) -> None:
        self._db = db
        self._known = known

    def rows(self, kind: str, length: int) -> tuple[Row, Row]:
        """The stored row and the one made of the words logged since."""
        known = self._known
        stored = known.rows.get((kind, length))
        if stored is None:
            # Read outside the lock: a search never waits for `warm` reading another row.
            read = Row(_read_text(self._db, kind, length), length)
            with known.lock:
                stored = known.rows.setdefault((kind, length), read)
        with known.lock:
            recent = known.recent_rows.get((kind, length))
            if recent is None:
                recent = Row.of(_made_row(known.recent, kind, length), length)
                known.recent_rows[(kind, length)] = recent
            return stored, recent

    def has(self, word: str) -> bool:
        return any(row.holds(word) for row in self.rows("whole", len(word)))

    def has_prefix(self, word: str) -> bool:
        return any(row.holds(word) for row in self.rows("start", len(word)))

    def longer(self, start: str, limit: int) -> list[str] | None:
        """The words longer than `start` that begin with it, shortest first; None when there
        are more than `limit` (a search then asks the index for ``start*`` itself)."""
        found: dict[str, None] = {}  # a word stored and logged again is one word
        length = len(start) + 1
        # A start row of this length holding `start`'s continuation says longer words exist.
        while any(_begins(row, start) for row in self.rows("start", length)):
            for row in self.rows("whole", length):
                found.update(dict.fromkeys(row.starting(start)))
            if len(found) > limit:
                return None
            length += 1
        return list(found)

    def inside(self, word: str) -> list[str]:
        """Title, author and keyword words holding `word` past their first character."""
        found: dict[str, None] = {}
        for joined in (self._inside_text(), self._known.recent_inside):
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
        found: defaultdict[int, tuple[dict[str, None], dict[str, None]]] = defaultdict(
            lambda: ({}, {})
        )
        if not budget:
            return {}
        for length in range(len(word), len(word) + budget + 1):
            if length >= TYPO_MAX_LEN + 3:
                break
            for row in self.rows("start", length):
                for text, distance in near(row, word, budget):
                    if distance and not text.startswith(word):
                        found[distance][0][text] = None
        for length in range(max(TYPO_MIN_LEN - 1, len(word) - budget), len(word)):
            for row in self.rows("whole", length):
                for text, distance in near(row, word, budget):
                    found[distance][1][text] = None
        return {d: (list(starts), list(whole)) for d, (starts, whole) in found.items()}

    def warm(self) -> None:
        """Read the rows of the common word lengths now (a first query would read them)."""
        self._inside_text()
        for length in range(TYPO_MIN_LEN - 1, 14):
            self.rows("whole", length)
            self.rows("start", length + 1)

    def _inside_text(self) -> str:
        """The stored inside words, newline-joined (read as one text and never split:
        `inside` finds in it)."""
        known = self._known
        if known.inside_text is None:
            read = _read_text(self._db, "inside", 0)  # outside the lock, as `rows`
            with known.lock:
                if known.inside_text is None:
                    known.inside_text = read
        return known.inside_text


def _begins(row: Row, start: str) -> bool:
    return next(row.starting(start), None) is not None


def _read(db: sqlite3.Connection, kind: str, length: int) -> list[str]:
    return _lines(_read_text(db, kind, length))


def _read_text(db: sqlite3.Connection, kind: str, length: int) -> str:
    found = db.execute(
        "SELECT words FROM search_terms WHERE kind = ? AND length = ?", (kind, length)
    ).fetchone()
    return str(found[0]) if found else ""


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _since(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM search_state WHERE key = 'terms'").fetchone()
    return int(row[0]) if row else -1


def _logged(db: sqlite3.Connection, since: int) -> tuple[set[str], set[str]]:
    rows = db.execute(
        "SELECT words, inside FROM search_word_log WHERE ?1 < 0 OR generation > ?1", (since,)
    ).fetchall()
    every = {w for text, _ in rows for w in _lines(text)}
    inside = {w for _, text in rows for w in _lines(text)}
    return every, inside


def _known_at(db: sqlite3.Connection, now: int, previous: _Known | None) -> _Known:
    """The vocabulary as of generation `now`: the stored rows (made first when there are
    none) and the words logged since them."""
    since = _since(db)
    if since < 0:
        written, rows = _rows_rewritten(db, now, since)
        known = _Known(now, now, [], [])
        if not written:  # then from memory; else each row is read again when asked for
            known.inside_text = "\n".join(rows.pop(("inside", 0), []))
            known.rows.update((key, Row.of(words, key[1])) for key, words in rows.items())
        return known
    every, inside = _logged(db, since)
    known = _Known(now, since, sorted(every), sorted(inside))
    if previous is not None and previous.since == since:  # the stored rows have not changed
        known.rows, known.inside_text = previous.rows, previous.inside_text
    return known


def _rows_rewritten(
    db: sqlite3.Connection, now: int, since: int
) -> tuple[bool, dict[Key, list[str]]]:
    """Fold the words logged since `since` into the rows (made anew when there are none) and
    write them back unless another program holds the cache: whether they were written, and
    the rows changed."""
    every, inside = _logged(db, since)
    rows: dict[Key, list[str]] = {} if since < 0 else _Loader(db)
    changed = _fold(rows, every, inside, fresh=since < 0)
    changed_rows = {key: rows[key] for key in changed}
    return _write(db, since, now, changed_rows, fresh=since < 0), changed_rows


class _Loader(dict[Key, list[str]]):
    """The stored rows, each read when first needed."""

    def __init__(self, db: sqlite3.Connection) -> None:
        super().__init__()
        self._db = db

    def __missing__(self, key: Key) -> list[str]:
        found = self[key] = _read(self._db, *key)
        return found


def _fold(
    rows: dict[Key, list[str]], every: Iterable[str], inside: Iterable[str], *, fresh: bool
) -> set[Key]:
    """Put the words into `rows` (all of them made anew when `fresh`); the rows changed."""
    if fresh:
        words = sorted(every)
        lengths = {len(w) for w in words}
        for length in lengths:
            rows[("whole", length)] = _made_row(words, "whole", length)
        for length in range(1, max(lengths, default=0) + 1):
            rows[("start", length)] = _made_row(words, "start", length)
        rows[("inside", 0)] = sorted(inside)
        return set(rows)
    # Each row merged once (inserting word by word moved the long rows' tails 130,000 times:
    # 0.45 s of a fold at 10k cached).
    by_length: defaultdict[int, set[str]] = defaultdict(set)
    for word in every:
        by_length[len(word)].add(word)
    added: dict[Key, set[str]] = {("inside", 0): set(inside)}
    longer: list[str] = []  # the words of this length or more
    for length in sorted(by_length, reverse=True):
        added[("whole", length)] = by_length[length]
        longer += by_length[length]
        added[("start", length)] = {w[:length] for w in longer}
        for shorter in range(length - 1, 0, -1):
            if shorter in by_length:
                break
            added[("start", shorter)] = {w[:shorter] for w in longer}
    changed: set[Key] = set()
    for key, wanted in added.items():
        row = rows[key]
        new = wanted.difference(row)
        if new:  # two sorted runs: merged in one pass
            rows[key] = sorted([*row, *sorted(new)])
            changed.add(key)
    return changed


def _made_row(words: list[str], kind: str, length: int) -> list[str]:
    """The row `(kind, length)` of sorted `words`."""
    if kind == "whole":
        return [w for w in words if len(w) == length]
    return list(dict.fromkeys(w[:length] for w in words if len(w) >= length))


def _write(
    db: sqlite3.Connection, since: int, now: int, rows: dict[Key, list[str]], *, fresh: bool
) -> bool:
    """Store the changed rows as of `now` unless another program holds the cache or has
    rewritten them meanwhile; whether they were stored."""
    busy = db.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        db.execute("PRAGMA busy_timeout = 0")
        with db:
            db.execute("BEGIN IMMEDIATE")
            if _since(db) != since:
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
