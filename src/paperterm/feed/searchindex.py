"""The persistent search index in the feed cache: SQLite FTS5, kept when papers are stored.

Its tables (migrations 5 to 7, in `paperterm.feed.searchschema`):

* ``search_text``: a contentless FTS5 table, one row per paper, one column per text field
  (title, author, kw, abstract) holding the paper's words as `paperterm.query` folds and
  splits them, joined by spaces. The ``ascii`` tokenizer with ``_`` as a token character
  splits exactly there, so the index holds our words, not SQLite's idea of them; typo rules
  and ranking then match the in-memory `PaperIndex` (`paperterm.feed.searchquery`).
  ``detail=column``: which field holds a word, not where (no phrase queries; phrases are
  narrowed by their words and checked on the text, as `PaperIndex` does).
* ``search_docs``: the paper id behind each FTS row and the columns the non-text terms read
  (upvotes, comments, stars, the feed day as an ordinal, has code, has summary, the folded
  organisation).
* the vocabulary the typo and inside look-ups scan: ``search_word_log``, the words of each
  store the vocabulary lacked (`paperterm.feed.searchseen`), one row per store (a table of one row per word cost a look-up per word: 10 ms of a
  day's 60 papers), folded by the first search after a change into ``search_terms``, the
  words by length (`paperterm.feed.searchterms`).
* ``search_state``: ``ready`` (1 once every stored paper is indexed), ``generation``
  (bumped at each store, so a process knows its remembered vocabulary is stale) and
  ``terms`` (the generation ``search_terms`` is as of).

Indexing happens in the transaction that stores the papers, so a failed fetch leaves the
index as untouched as the rest of the cache. A cache migrated from before the index, or an
index found damaged, is not ready: searches fall back to the in-memory index while
`rebuild_step` fills it in small transactions (a fetch never waits long on it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from paperterm.feed import searchseen
from paperterm.feed.errors import CacheBusy, Interrupted
from paperterm.feed.searchschema import DROP, MIGRATION_5, MIGRATION_6, MIGRATION_7
from paperterm.models import Paper

if TYPE_CHECKING:
    from paperterm.feed.cache import FeedCache
    from paperterm.feed.idlines import IdLines
    from paperterm.query import Query, SearchContext

# `paperterm.query` is imported inside the functions that index: importing it loads the
# query engine, which the first frame does not need.

TEXT_FIELDS = ("title", "author", "kw", "abstract")
REBUILD_BATCH = 400


# papers per rebuild transaction: ~0.1 s of a fetch's wait at most


def texts_of(paper: Paper) -> tuple[str, str, str, str]:
    """The folded text of each field, as `PaperIndex` folds it."""
    from paperterm.query._text import fold_all

    title, author, kw, abstract = fold_all(
        (paper.title, "\n".join(paper.authors), "\n".join(paper.ai_keywords), paper.abstract)
    )
    return title, author, kw, abstract


def tokens_of(paper: Paper, words: _Words | None = None) -> tuple[str, str, str, str]:
    """What the FTS row holds for each field: the folded text itself when it is ASCII (the
    tokenizer then splits it exactly as `paperterm.query` does, in C), else its words
    joined by spaces. `words` collects every word, and those of titles, authors, keywords."""
    from paperterm.query._text import words_of

    tokens = []
    for field, text in zip(TEXT_FIELDS, texts_of(paper), strict=True):
        found = words_of(text)
        tokens.append(text if text.isascii() else " ".join(found))
        if words is not None:
            words.every.update(found)
            if field != "abstract":
                words.inside.update(found)
    title, author, kw, abstract = tokens
    return title, author, kw, abstract


class _Words:
    """The words of the papers being indexed."""

    def __init__(self) -> None:
        self.every: set[str] = set()
        self.inside: set[str] = set()

    def log_row(self) -> tuple[str, str]:
        """The words and the inside words, as a ``search_word_log`` row holds them."""
        return "\n".join(self.every), "\n".join(self.inside)


def _text(paper: Paper) -> tuple[object, ...]:
    return paper.title, paper.authors, paper.ai_keywords, paper.abstract


def is_ready(db: sqlite3.Connection) -> bool:
    """Whether the index holds every stored paper (False too when it has no tables)."""
    return state(db) == 1


def state(db: sqlite3.Connection) -> int:
    """1: ready; 0: being filled in; -1: to be thrown away and rebuilt (or missing).
    `CacheBusy` when the cache cannot be read now (another program holds it locked, or is
    recovering it after a crash), `Interrupted` when a newer search stopped this one: a busy
    or interrupted read is not a missing index, to be thrown away or done without."""
    from paperterm.feed.cache import _is_busy

    try:
        row = db.execute("SELECT value FROM search_state WHERE key = 'ready'").fetchone()
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise CacheBusy("the cache is locked by another program") from None
        if "interrupted" in str(exc):
            raise Interrupted from None
        return -1
    return int(row[0]) if row else -1


def generation(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM search_state WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def index_papers(db: sqlite3.Connection, rows: Iterable[tuple[Paper | None, Paper]]) -> None:
    """Index stored papers, inside the caller's transaction: (what was stored before, what is
    stored now) for each. A paper whose words did not change only has its numbers updated."""
    rows = list(rows)
    if not rows:
        return
    found = dict(
        db.execute(
            "SELECT d.id, d.doc FROM json_each(?) AS j JOIN search_docs AS d ON d.id = j.value",
            (json.dumps([new.id for _, new in rows]),),
        ).fetchall()
    )
    words = _Words()
    fresh: dict[str, Paper] = {}  # not indexed yet: the last of each id
    for old, new in rows:
        doc = found.get(new.id)
        if doc is not None and old is not None:
            if _text(old) != _text(new):
                before, tokens = tokens_of(old), tokens_of(new, words)
                db.execute(
                    "INSERT INTO search_text (search_text, rowid, title, author, kw, abstract) "
                    "VALUES ('delete', ?, ?, ?, ?, ?)",
                    (doc, *before),
                )
                db.execute(
                    "INSERT INTO search_text (rowid, title, author, kw, abstract) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (doc, *tokens),
                )
            db.execute(
                "UPDATE search_docs SET up = ?, comments = ?, stars = ?, day = ?, code = ?, "
                "summary = ?, org = ? WHERE doc = ?",
                (*_numbers(new), doc),
            )
            continue
        if doc is not None:  # indexed, but from a stored paper no longer known: start over
            mark_broken(db)
            return
        fresh[new.id] = new
    if fresh:
        # Rows numbered here, so each table takes its rows in one statement.
        last = db.execute("SELECT coalesce(max(doc), 0) FROM search_docs").fetchone()[0]
        docs = range(last + 1, last + 1 + len(fresh))
        db.executemany(
            "INSERT INTO search_docs (doc, id, up, comments, stars, day, code, summary, org) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc, p.id, *_numbers(p)) for doc, p in zip(docs, fresh.values(), strict=True)],
        )
        db.executemany(
            "INSERT INTO search_text (rowid, title, author, kw, abstract) VALUES (?, ?, ?, ?, ?)",
            [(doc, *tokens_of(p, words)) for doc, p in zip(docs, fresh.values(), strict=True)],
        )
    words.every, words.inside = searchseen.unseen(db, words.every, words.inside)
    db.execute("UPDATE search_state SET value = value + 1 WHERE key = 'generation'")
    if words.every or words.inside:
        db.execute(
            "INSERT INTO search_word_log (generation, words, inside) "
            "VALUES ((SELECT value FROM search_state WHERE key = 'generation'), ?, ?)",
            words.log_row(),
        )


def mark_broken(db: sqlite3.Connection) -> None:
    """Say, inside the caller's transaction, that the index must be thrown away and rebuilt."""
    db.execute("UPDATE search_state SET value = -1 WHERE key = 'ready'")


def store(db: sqlite3.Connection, rows: Sequence[tuple[Paper | None, Paper]]) -> None:
    """`index_papers` inside the caller's transaction, where a damaged index only marks it for
    a rebuild: the papers are stored all the same."""
    db.execute("SAVEPOINT search_index")
    try:
        index_papers(db, rows)
    except sqlite3.DatabaseError:
        db.execute("ROLLBACK TO search_index")
        # No state table to mark: the rebuild finds the index missing all the same.
        with contextlib.suppress(sqlite3.DatabaseError):
            mark_broken(db)
    db.execute("RELEASE search_index")


def reset(db: sqlite3.Connection) -> None:
    """Throw the index away and start an empty one, not ready (a rebuild fills it)."""
    with db:
        for statement in (*DROP, *MIGRATION_5, *MIGRATION_6, *MIGRATION_7):
            db.execute(statement)
        db.execute("UPDATE search_state SET value = 0 WHERE key = 'ready'")
        # Not from 0 again: a process that remembers the old index's words by generation
        # must not take them for the new one's.
        db.execute(
            "UPDATE search_state SET value = abs(random() % 1000000000) * 1000 "
            "WHERE key = 'generation'"
        )


def rebuild_step(db: sqlite3.Connection, batch: int = REBUILD_BATCH) -> bool:
    """Index up to `batch` stored papers the index lacks, in one transaction; True once the
    index holds every paper (and is marked ready)."""
    if state(db) < 0:
        reset(db)
    with db:
        if is_ready(db):
            return True
        rows = db.execute(
            "SELECT p.data FROM papers AS p WHERE NOT EXISTS "
            "(SELECT 1 FROM search_docs AS d WHERE d.id = p.id) LIMIT ?",
            (batch,),
        ).fetchall()
        index_papers(db, ((None, Paper.from_json(json.loads(data))) for (data,) in rows))
        if len(rows) < batch:
            db.execute("UPDATE search_state SET value = 1 WHERE key = 'ready'")
            return True
    return False


def check(db: sqlite3.Connection) -> str | None:
    """Why the index cannot be trusted, or None: FTS5's own integrity check, and one row per
    stored paper."""
    try:
        db.execute("INSERT INTO search_text (search_text, rank) VALUES ('integrity-check', 0)")
        papers = db.execute("SELECT count(*) FROM papers").fetchone()[0]
        docs = db.execute("SELECT count(*) FROM search_docs").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if papers == docs else f"{docs} papers indexed of {papers}"


def _numbers(paper: Paper) -> tuple[object, ...]:
    from paperterm.query._text import fold

    day: dt.date | None = paper.feed_day or paper.published
    return (
        paper.upvotes,
        paper.comments,
        paper.stars,
        None if day is None else day.toordinal(),
        int(bool(paper.github)),
        int(bool(paper.ai_summary)),
        fold(paper.organization) if paper.organization else None,
    )


_INDEX_GONE = re.compile("corrupt|malformed|no such table|no such column", re.IGNORECASE)


class SearchIndex:
    """The search index of one `FeedCache`, through its connection: searches, readiness,
    damage and the rebuild."""

    def __init__(self, cache: FeedCache) -> None:
        self._cache = cache

    def search_ids(
        self, query: Query, context: SearchContext, scope: Sequence[str] | None = None,
        first: Sequence[str] = (), stop: Callable[[], bool] | None = None,
    ) -> IdLines | None:  # fmt: skip
        """`searchquery.search_ids` on the persistent index; None when it cannot answer (not
        ready, a scope paper not in it, or damaged: then marked for a rebuild, with a notice)."""
        from paperterm.feed import searchquery, searchterms
        from paperterm.feed.cache import _is_busy
        from paperterm.feed.searchscope import scope_rows

        cache = self._cache
        db = cache._connection()
        try:
            # `sort:` orders by numbers the in-memory index keeps: it answers those queries.
            if query.sort is not None or not is_ready(db):
                return None
            rows = None if scope is None else scope_rows(db, scope)
            if scope is not None and rows is None:
                return None  # a paper of the list is not in the index
            vocab = partial(searchterms.terms, db, str(cache.path))
            return searchquery.search_ids(db, vocab, query, context, rows, first, stop)
        except sqlite3.ProgrammingError:
            raise  # a mistake of ours (a connection used from another thread), not damage
        except sqlite3.DatabaseError as exc:
            if "interrupted" in str(exc):
                raise Interrupted from None
            if _is_busy(exc):
                raise CacheBusy(f"the cache {cache.path} is locked by another program") from None
            if isinstance(exc, sqlite3.OperationalError) and not _INDEX_GONE.search(str(exc)):
                raise  # a statement of ours that SQLite refuses is a bug to see, not damage
            self.damaged(str(exc))
            return None

    def ready(self, *, warm: bool = False) -> bool:
        """Whether the index holds every cached paper; `warm`: then read its words now."""
        db = self._cache._connection()
        if (answer := is_ready(db)) and warm:
            import importlib

            from paperterm.feed import searchterms

            # The first search's modules too (5 ms), and the title highlighter with rapidfuzz
            # (10-15 ms), which the first result would otherwise load on the UI thread.
            importlib.import_module("paperterm.feed.searchquery")
            importlib.import_module("paperterm.query.highlight")
            searchterms.terms(db, str(self._cache.path)).warm()
        return answer

    def fold(self) -> None:
        """Rewrite the vocabulary's rows with the words stores have logged once there are
        enough of them (a fetch's last step: `searchterms.fold`); trouble is left to the next
        search to meet and report."""
        db = self._cache._connection()
        try:
            if is_ready(db):
                from paperterm.feed import searchterms

                searchterms.fold(db, str(self._cache.path))
        except sqlite3.ProgrammingError:
            raise  # a mistake of ours, not the cache's
        except (sqlite3.DatabaseError, CacheBusy):
            pass

    def damaged(self, reason: str) -> None:
        """Mark the index for a rebuild, with a notice."""
        db = self._cache._connection()
        try:
            with db:
                mark_broken(db)
        except sqlite3.DatabaseError:
            reset(db)
        self._cache.notices.append(f"search index was damaged ({reason}); rebuilding it")

    def rebuild_step(self) -> bool:
        """Index a batch of cached papers the index lacks; True once it holds them all."""
        return rebuild_step(self._cache._connection())
