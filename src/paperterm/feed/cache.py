"""The on-disk feed cache: SQLite (WAL) in the user cache dir.

* ``papers``: one row per versionless arXiv id, the newest metadata wins (a paper listed on two
  feed days keeps the later day).
* ``feeds``: for each concrete feed (``trending``, ``daily:2026-08-21`` ...) the ordered ids of
  its last complete snapshot, when it was fetched, and whether the server had more than we
  fetched (paging stopped at our cap).
* ``latest``: which concrete feed a "latest" spec (``daily``, ``weekly``, ``monthly``) last
  resolved to, so it can be read offline.
* ``paper_texts``: a paper's full text (Markdown from ``/papers/{id}.md``), zlib-compressed
  UTF-8, and when it was fetched; written only after a complete, valid answer. Beside it,
  the text as parsed (compressed too, with the parser's version), so it opens unparsed.
* ``linked``: how many models, datasets and Spaces cite a paper, and the most liked of them.
* ``history``, ``marks``, ``meta``: every fetch's snapshot, what was seen, and a generation
  number (`paperterm.feed.history`); ``tally``: the counts `paperterm status` prints
  (`paperterm.tally`).

Reading never touches the network and costs what the feed costs, not what the cache holds.
A snapshot is written in one transaction after a complete, valid answer only. The cache is
disposable: a damaged or foreign file is moved aside and rebuilt, with a one-line notice; an
older one is migrated in place. Another program holding it locked is `CacheBusy`, never damage.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperterm.feed import history
from paperterm.feed.errors import CacheBusy
from paperterm.feed.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from paperterm.feed.texts import KeptTexts
from paperterm.files import NotRegular, check_regular
from paperterm.models import FeedSpec, Paper, merge_papers
from paperterm.records import Record, replace

if TYPE_CHECKING:
    from paperterm.feed import searchindex

BUSY_TIMEOUT = 3.0  # seconds to wait for another program's lock before saying it is busy


class CachedFeed(Record, frozen=True):
    """A feed snapshot read from the cache; `complete` is False when the server had more."""

    spec: FeedSpec
    papers: tuple[Paper, ...]
    fetched_at: dt.datetime
    complete: bool = True


class StoreResult(Record, frozen=True):
    """What a new snapshot changed, relative to the feed's previous snapshot."""

    new: tuple[str, ...]
    updated: int


class FeedCache(KeptTexts):
    """The feed cache. Opens lazily; safe to use from two processes at once."""

    def __init__(self, path: Path, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = path
        self.notices: list[str] = []
        self.busy_timeout = busy_timeout
        self._db: sqlite3.Connection | None = None

    def interrupt(self) -> None:  # from another thread: stop the query running
        if self._db is not None:
            self._db.interrupt()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- reading --------------------------------------------------------------------------

    def resolve(self, spec: FeedSpec) -> FeedSpec | None:
        """The concrete feed a "latest" spec last resolved to (the spec itself otherwise)."""
        if not spec.is_latest:
            return spec
        row = self._query_one("SELECT spec FROM latest WHERE kind = ?", (spec.kind,))
        return FeedSpec.parse(row[0]) if row else None

    def read_feed(self, spec: FeedSpec) -> CachedFeed | None:
        """The last snapshot of `spec`, papers in server order; None when never fetched."""
        resolved = self.resolve(spec)
        if resolved is None:
            return None
        row = self._query_one(
            "SELECT fetched_at, ids, complete FROM feeds WHERE spec = ?", (str(resolved),)
        )
        if row is None:
            return None
        papers = self._papers_in_order(row[1])
        if papers is None:
            return None
        return CachedFeed(resolved, papers, _parse_time(row[0]), bool(row[2]))

    def papers(self, ids: Iterable[str]) -> dict[str, Paper]:
        """Whatever the cache knows of these ids."""
        found = self._papers_in_order(json.dumps(list(ids)))
        return {paper.id: paper for paper in found or ()}

    def all_papers(self) -> list[Paper]:
        """Every paper in the cache (the filter's "everything" scope)."""
        rows = self._query_all("SELECT data FROM papers ORDER BY id", ())
        return [Paper.from_json(json.loads(data)) for (data,) in rows]

    def ids(self) -> list[str]:
        """The id of every paper in the cache, in order."""
        return [row[0] for row in self._query_all("SELECT id FROM papers ORDER BY id", ())]

    @property
    def history(self) -> history.History:
        """The snapshots of every fetch and the marks of what was seen."""
        return history.History(self)

    def rows(self, sql: str, args: tuple[object, ...]) -> list[tuple[Any, ...]]:
        """The rows of a read (`CacheBusy` when another program holds the cache locked)."""
        return self._query_all(sql, args)

    def write(self, change: Callable[[sqlite3.Connection], None]) -> None:
        """Run `change` in one transaction (a damaged cache is rebuilt, then it runs there)."""
        db = self._connection()
        try:
            with db:
                change(db)
        except sqlite3.DatabaseError as exc:
            self._rebuild(self._damage_of(exc))
            with self._connection() as db:
                change(db)

    def feeds(self) -> list[tuple[FeedSpec, dt.datetime, int]]:
        """Every cached feed with when it was fetched and how many papers it has."""
        rows = self._query_all("SELECT spec, fetched_at, json_array_length(ids) FROM feeds", ())
        return [(FeedSpec.parse(spec), _parse_time(at), count) for spec, at, count in rows]

    @property
    def index(self) -> searchindex.SearchIndex:
        """The persistent search index kept in this cache (loaded with the first search or
        store: a reader showing its cache needs neither)."""
        from paperterm.feed import searchindex

        return searchindex.SearchIndex(self)

    # -- writing --------------------------------------------------------------------------

    def store_feed(
        self,
        requested: FeedSpec,
        resolved: FeedSpec,
        papers: Sequence[Paper],
        fetched_at: dt.datetime,
        *,
        complete: bool = True,
    ) -> StoreResult:
        """Replace the snapshot of `resolved` (and point `requested` at it when it is a
        "latest" spec) with `papers`, all in one transaction. `complete`: False when the
        server had more papers than were fetched."""
        from paperterm.feed import searchindex

        db = self._connection()
        ids = [paper.id for paper in papers]
        try:
            with db:
                old_ids = self._snapshot_ids(db, resolved)
                known = self._stored(db, ids)
                rows, updated, indexed = [], 0, []
                for paper in papers:
                    old = known.get(paper.id)
                    merged = merge_papers(old, paper) if old else paper
                    if old is not None and paper.id in old_ids and _differs(old, merged):
                        updated += 1
                    rows.append((merged.id, _time(merged.fetched_at), json.dumps(merged.to_json())))
                    indexed.append((old, merged))
                db.executemany(
                    "INSERT INTO papers (id, fetched_at, data) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET fetched_at = excluded.fetched_at, data = excluded.data",
                    rows,
                )
                searchindex.store(db, indexed)
                db.execute(
                    "INSERT OR REPLACE INTO feeds (spec, fetched_at, ids, complete) VALUES (?, ?, ?, ?)",
                    (str(resolved), _time(fetched_at), json.dumps(ids), int(complete)),
                )
                if requested.is_latest:
                    db.execute(
                        "INSERT OR REPLACE INTO latest (kind, spec) VALUES (?, ?)",
                        (requested.kind, str(resolved)),
                    )
                history.record(db, resolved, papers, fetched_at)
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise
            self._rebuild(str(exc))
            return self.store_feed(requested, resolved, papers, fetched_at, complete=complete)
        new = tuple(i for i in ids if i not in old_ids)
        return StoreResult(new=new, updated=updated)

    def store_papers(self, papers: Sequence[Paper]) -> None:
        """Add or refresh single papers (looked up by id) without touching any feed."""
        from paperterm.feed import searchindex

        db = self._connection()
        with db:
            known = self._stored(db, [p.id for p in papers])
            pairs = [
                (known.get(p.id), merge_papers(known[p.id], p) if p.id in known else p)
                for p in papers
            ]
            db.executemany(
                "INSERT OR REPLACE INTO papers (id, fetched_at, data) VALUES (?, ?, ?)",
                [(m.id, _time(m.fetched_at), json.dumps(m.to_json())) for _, m in pairs],
            )
            searchindex.store(db, pairs)
            history.bump(db)

    # -- internals ------------------------------------------------------------------------

    def _papers_in_order(self, ids_json: str) -> tuple[Paper, ...] | None:
        rows = self._query_all(
            "SELECT p.data FROM json_each(?) AS j JOIN papers AS p ON p.id = j.value ORDER BY j.key",
            (ids_json,),
        )
        try:
            return tuple(Paper.from_json(json.loads(data)) for (data,) in rows)
        except (ValueError, KeyError, TypeError) as exc:
            self._rebuild(f"unreadable paper record: {exc}")
            return None

    def _snapshot_ids(self, db: sqlite3.Connection, spec: FeedSpec) -> set[str]:
        row = db.execute("SELECT ids FROM feeds WHERE spec = ?", (str(spec),)).fetchone()
        return set(json.loads(row[0])) if row else set()

    def _stored(self, db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Paper]:
        rows = db.execute(
            "SELECT p.data FROM json_each(?) AS j JOIN papers AS p ON p.id = j.value",
            (json.dumps(list(ids)),),
        ).fetchall()
        return {paper.id: paper for paper in (Paper.from_json(json.loads(d)) for (d,) in rows)}

    def _query_one(self, sql: str, args: tuple[object, ...]) -> tuple[Any, ...] | None:
        rows = self._query_all(sql, args)
        return rows[0] if rows else None

    def _query_all(self, sql: str, args: tuple[object, ...]) -> list[tuple[Any, ...]]:
        try:
            return self._connection().execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            self._rebuild(self._damage_of(exc))
            return []

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            check_regular(self.path)  # SQLite would block forever reading a FIFO
            db = sqlite3.connect(self.path, timeout=self.busy_timeout)
        except (OSError, sqlite3.OperationalError) as exc:
            reason = str(exc) if isinstance(exc, NotRegular) else exc
            self.notices.append(f"cache unavailable at {self.path} ({reason}); working without it")
            return _check_or_create(sqlite3.connect(":memory:"), self.busy_timeout)
        try:
            return _check_or_create(db, self.busy_timeout)
        except _Foreign as exc:
            db.close()
            self._move_aside(str(exc))
        except sqlite3.DatabaseError as exc:
            db.close()
            self._move_aside(self._damage_of(exc))
        return _check_or_create(
            sqlite3.connect(self.path, timeout=self.busy_timeout), self.busy_timeout
        )

    def _damage_of(self, exc: sqlite3.DatabaseError) -> str:
        """What a failed statement says of the file: `CacheBusy` when another program holds
        it locked, the error itself when it is not damage, else the reason to rebuild."""
        if _is_busy(exc):
            raise CacheBusy(f"the cache {self.path} is locked by another program") from None
        if not _is_damage(exc):
            raise exc
        return str(exc)

    def _rebuild(self, reason: str) -> None:
        self.close()
        self._move_aside(reason)
        self._db = self._open()

    def _move_aside(self, reason: str) -> None:
        from paperterm.files import move_aside  # damage is rare: no need to load it at start

        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        try:
            aside = move_aside(self.path, stamp, siblings=("-wal", "-shm"))
        except OSError as exc:
            self.notices.append(
                f"cache {self.path} is damaged ({reason}) and could not be moved: {exc}"
            )
            return
        self.notices.append(f"cache was damaged ({reason}); moved to {aside} and rebuilt")


class _Foreign(Exception):
    pass


def _check_or_create(db: sqlite3.Connection, busy_timeout: float) -> sqlite3.Connection:
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    if _kind(db) == (APPLICATION_ID, SCHEMA_VERSION):
        return db
    # Another process may be creating or migrating the schema right now: decide under the
    # write lock.
    db.execute("BEGIN IMMEDIATE")
    try:
        app_id, version = _kind(db)
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and tables == 0:
            version = 0
        elif app_id != APPLICATION_ID:
            raise _Foreign("not a paperterm cache")
        elif version > SCHEMA_VERSION:
            raise _Foreign(f"cache format {version}, newer than this paperterm's {SCHEMA_VERSION}")
        # Not executescript(): it would commit and drop the lock first.
        for step in sorted(s for s in MIGRATIONS if s > version):
            for statement in MIGRATIONS[step]:
                db.execute(statement)
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.commit()
    except BaseException:
        db.rollback()
        raise
    db.execute("PRAGMA journal_mode = WAL")
    return db


def _kind(db: sqlite3.Connection) -> tuple[int, int]:
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    return app_id, version


_NOT_DAMAGE = ("locked", "busy", "readonly", "read-only", "disk is full", "unable to open")
_BUSY = ("locked", "busy")


def _is_busy(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and any(w in text for w in _BUSY)


def _differs(old: Paper, new: Paper) -> bool:
    """The paper changed beyond when it was fetched (a refetch of the same data is no update)."""
    return replace(old, fetched_at=None) != replace(new, fetched_at=None)


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    # Contention, permissions and a full disk are not damage: moving the file aside would not
    # help and would throw away a good cache.
    text = str(exc).lower()
    return not (isinstance(exc, sqlite3.OperationalError) and any(w in text for w in _NOT_DAMAGE))


def _time(value: dt.datetime | None) -> str:
    return (value or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat()


def _parse_time(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
