"""The history of feeds: a compact snapshot of every successful fetch, and marks of what was seen.

* ``history``: per fetch of a concrete feed, when, and for each paper in the server's order its
  id, upvotes, comments and stars, packed (`pack`): the ids as 32-bit numbers (``2608.01234``
  is 2608 * 100000 + 1234), the counts as varints, column by column, then zlib. A trending
  fetch of 150 papers is 1.2 KiB; a month of hourly ones is 720 snapshots, 884 KiB if all
  were kept, and 78 snapshots, 98 KiB, under the retention rule below
  (`benchmarks/bench_history.py`).
* Retention (`expired`), applied to a feed whenever it is stored: every snapshot of the last
  two days is kept, then the last one of each day up to 30 days back; nothing older, except
  the feed's newest snapshot, which is always kept.
* ``marks``: a named list of ids with a time — what the reader showed of a feed when you last
  looked (``seen:trending``), or what a digest has already told you (``digest:NAME:FEED``).
  Its own copy of the ids, so a mark outlives the snapshots retention drops.
* ``meta``'s ``generation``: a number that grows with every change of feeds, papers or marks,
  so a precomputed answer (`paperterm.tally`) can tell it is still current.

Snapshots are written inside the transaction that stores the feed (`record`), so a failed
refresh leaves no trace and a stored feed always has its snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from paperterm.models import FeedSpec, Paper
from paperterm.records import Record
from paperterm.tally import from_seconds

if TYPE_CHECKING:
    from paperterm.feed.cache import FeedCache

KEEP_ALL = dt.timedelta(days=2)
KEEP_DAILY = dt.timedelta(days=30)
_FORMAT = 1
_FOUR_DIGITS = 1 << 31  # an old-style id with a four-digit number (0704.1234)
_PACKABLE = re.compile(r"\d{4}\.\d{4,5}")  # a versionless arXiv id, what ingestion keeps


class Entry(Record, frozen=True):
    """One paper in a snapshot: its place is its index."""

    id: str
    upvotes: int
    comments: int
    stars: int | None


class Snapshot(Record, frozen=True):
    """A feed as it was fetched once."""

    spec: str
    at: dt.datetime
    entries: tuple[Entry, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(entry.id for entry in self.entries)


class Mark(Record, frozen=True):
    """What was seen (or sent) of a list, and when."""

    name: str
    at: dt.datetime
    ids: tuple[str, ...]


# -- the packed form --------------------------------------------------------------------------


def pack(papers: Sequence[Paper]) -> bytes:
    """The snapshot of `papers` (in order) as compact bytes; `unpack` reads it back."""
    body = bytearray([_FORMAT])
    body += _varint(len(papers))
    for paper in papers:
        body += _id_code(paper.id).to_bytes(4, "little")
    for paper in papers:
        body += _varint(max(0, paper.upvotes))
    for paper in papers:
        body += _varint(max(0, paper.comments))
    for paper in papers:
        body += _varint(0 if paper.stars is None else max(0, paper.stars) + 1)
    return zlib.compress(bytes(body), 9)


def unpack(data: bytes) -> tuple[Entry, ...]:
    """The entries `pack` wrote; raises ValueError for anything else."""
    try:
        body = zlib.decompress(data)
    except zlib.error as exc:
        raise ValueError(f"not a snapshot: {exc}") from None
    if not body or body[0] != _FORMAT:
        raise ValueError("not a snapshot of a known format")
    count, pos = _read_varint(body, 1)
    if len(body) < pos + 4 * count:
        raise ValueError("a cut-off snapshot")
    ids = [
        _id_text(int.from_bytes(body[i : i + 4], "little")) for i in range(pos, pos + 4 * count, 4)
    ]
    pos += 4 * count
    columns: list[list[int]] = []
    for _ in range(3):
        values = []
        for _ in range(count):
            value, pos = _read_varint(body, pos)
            values.append(value)
        columns.append(values)
    upvotes, comments, stars = columns
    return tuple(
        Entry(paper_id, up, com, None if star == 0 else star - 1)
        for paper_id, up, com, star in zip(ids, upvotes, comments, stars, strict=True)
    )


def _id_code(paper_id: str) -> int:
    month, _, number = paper_id.partition(".")
    code = int(month) * 100_000 + int(number)
    return code | _FOUR_DIGITS if len(number) == 4 else code


def _id_text(code: int) -> str:
    width = 4 if code & _FOUR_DIGITS else 5
    code &= _FOUR_DIGITS - 1
    return f"{code // 100_000:04d}.{code % 100_000:0{width}d}"


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("a cut-off snapshot")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


# -- retention ----------------------------------------------------------------------------------


def expired(times: Sequence[int], now: int) -> list[int]:
    """Which of one feed's snapshot times (Unix seconds) the retention rule drops: all from
    the last two days stay, then the last of each UTC day up to 30 days back; nothing older,
    except the newest snapshot."""
    if not times:
        return []
    newest = max(times)
    keep_all, keep_daily = (
        now - int(KEEP_ALL.total_seconds()),
        now - int(KEEP_DAILY.total_seconds()),
    )
    last_of_day: dict[int, int] = {}
    for at in times:
        if keep_daily <= at < keep_all:
            day = at // 86400
            last_of_day[day] = max(at, last_of_day.get(day, at))
    kept = set(last_of_day.values()) | {newest}
    return sorted(at for at in times if at < keep_all and at not in kept)


# -- inside a store's transaction ---------------------------------------------------------------


def record(
    db: sqlite3.Connection, spec: FeedSpec, papers: Sequence[Paper], at: dt.datetime
) -> None:
    """Keep the snapshot of `spec` fetched `at`, drop what retention no longer keeps, and move
    the generation on. Call inside the transaction that stores the feed."""
    when = seconds(at)
    papers = [paper for paper in papers if _PACKABLE.fullmatch(paper.id)]
    db.execute(
        "INSERT OR REPLACE INTO history (spec, at, data) VALUES (?, ?, ?)",
        (str(spec), when, pack(papers)),
    )
    times = [row[0] for row in db.execute("SELECT at FROM history WHERE spec = ?", (str(spec),))]
    gone = expired(times, when)
    db.executemany(
        "DELETE FROM history WHERE spec = ? AND at = ?", [(str(spec), old) for old in gone]
    )
    bump(db)


def bump(db: sqlite3.Connection) -> None:
    """Move the generation on (inside a write transaction)."""
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('generation', 1) "
        "ON CONFLICT(key) DO UPDATE SET value = value + 1"
    )


def seconds(at: dt.datetime) -> int:
    """Unix seconds of an aware time (a naive one is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return int(at.timestamp())


# -- reading and marks ----------------------------------------------------------------------------


class History:
    """The snapshots and marks of one `FeedCache` (through its connection and error handling)."""

    def __init__(self, cache: FeedCache) -> None:
        self._cache = cache

    def snapshots(
        self,
        spec: FeedSpec | str | None = None,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        repeated: bool = False,
    ) -> list[Snapshot]:
        """Snapshots, oldest first: of one feed (or every feed), between two times (inclusive);
        `repeated`: only of feeds with two snapshots or more between them."""
        low = seconds(since) if since else 0
        high = seconds(until) if until else 2**62
        if spec is None and repeated:
            sql = (
                "SELECT spec, at, data FROM history WHERE at BETWEEN ?1 AND ?2 AND spec IN "
                "(SELECT spec FROM history WHERE at BETWEEN ?1 AND ?2 GROUP BY spec "
                "HAVING count(*) > 1) ORDER BY at, spec"
            )
            args: tuple[object, ...] = (low, high)
        elif spec is None:
            sql = "SELECT spec, at, data FROM history WHERE at BETWEEN ? AND ? ORDER BY at, spec"
            args = (low, high)
        else:
            sql = "SELECT spec, at, data FROM history WHERE spec = ? AND at BETWEEN ? AND ? ORDER BY at"
            args = (str(spec), low, high)
        return list(self._decoded(self._cache.rows(sql, args)))

    def first(self, spec: FeedSpec | str) -> Snapshot | None:
        """The oldest snapshot of a feed that is still kept."""
        rows = self._cache.rows(
            "SELECT spec, at, data FROM history WHERE spec = ? ORDER BY at LIMIT 1", (str(spec),)
        )
        return next(self._decoded(rows), None)

    def seen_until(self, at: dt.datetime, specs: Iterable[str] | None = None) -> set[str]:
        """Every id in a kept snapshot taken at or before `at` (of `specs`, or of any feed)."""
        wanted = None if specs is None else set(specs)
        return {
            entry.id
            for snap in self.snapshots(until=at)
            if wanted is None or snap.spec in wanted
            for entry in snap.entries
        }

    def size(self) -> tuple[int, int]:
        """How many snapshots are kept, and their bytes."""
        rows = self._cache.rows("SELECT count(*), coalesce(sum(length(data)), 0) FROM history", ())
        return (rows[0][0], rows[0][1]) if rows else (0, 0)

    def mark(self, name: str) -> Mark | None:
        rows = self._cache.rows("SELECT at, ids FROM marks WHERE name = ?", (name,))
        if not rows:
            return None
        at, ids = rows[0]
        try:
            return Mark(name, from_seconds(at), tuple(str(i) for i in json.loads(ids)))
        except (ValueError, TypeError):
            return None  # a mark is a convenience: an unreadable one is as good as none

    def set_marks(self, marks: Sequence[Mark]) -> None:
        """Store marks, all in one transaction (a digest's feeds are sent together)."""

        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                "INSERT OR REPLACE INTO marks (name, at, ids) VALUES (?, ?, ?)",
                [(m.name, seconds(m.at), json.dumps(list(m.ids))) for m in marks],
            )
            bump(db)

        self._cache.write(write)

    def generation(self) -> int:
        rows = self._cache.rows("SELECT value FROM meta WHERE key = 'generation'", ())
        return int(rows[0][0]) if rows else 0

    def _decoded(self, rows: Iterable[tuple[object, ...]]) -> Iterator[Snapshot]:
        for spec, at, data in rows:
            try:
                entries = unpack(data)  # type: ignore[arg-type]
            except ValueError:
                continue  # a damaged snapshot is left out, never fatal
            yield Snapshot(str(spec), from_seconds(int(at)), entries)  # type: ignore[call-overload]
