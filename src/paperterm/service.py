"""The layer the CLI and the TUI share: feeds from the cache, refreshes over the client.

`PaperService.cached()` answers from disk only (or the bundled sample feed on a brand-new,
offline machine) and never waits on the network. `refresh()` fetches, ingests and stores a
complete snapshot, or raises `FetchError` and leaves the cache as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from paperterm.cache import Cache
from paperterm.endpoint import FetchError
from paperterm.ingest import IngestResult, ingest_items
from paperterm.models import Bookmark, FeedSpec, Paper
from paperterm.paths import Paths

if TYPE_CHECKING:  # httpx loads only when a refresh starts, not for the first frame
    import httpx

    from paperterm.client import HFClient
    from paperterm.state import StateStore

DEFAULT_MAX_AGE = dt.timedelta(minutes=30)

Origin = Literal["cache", "network", "sample", "none"]
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class FeedView:
    """A feed as it can be shown now: where it came from and how old it is."""

    requested: FeedSpec
    spec: FeedSpec
    papers: tuple[Paper, ...]
    fetched_at: dt.datetime | None
    origin: Origin

    @property
    def is_sample(self) -> bool:
        return self.origin == "sample"


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    """A successful refresh: the new view and what changed."""

    view: FeedView
    new_ids: tuple[str, ...]
    updated: int
    skipped: int
    # The answer was good but could not be stored (read-only cache dir, full disk).
    cache_error: str | None = None

    @property
    def summary(self) -> str:
        parts = [f"{len(self.new_ids)} new", f"{self.updated} updated"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped (bad data)")
        return f"{self.view.spec.label}: {len(self.view.papers)} papers, " + ", ".join(parts)


class CacheWriteError(Exception):
    """The cache could not be written (read-only directory, full disk)."""


class PaperService:
    """Feeds for the CLI and the TUI. Create one per process; `close()` when done."""

    def __init__(
        self,
        paths: Paths,
        *,
        endpoint: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = utc_now,
        max_age: dt.timedelta = DEFAULT_MAX_AGE,
        deadline: float | None = None,
        state_file: Path | None = None,
    ) -> None:
        self.paths = paths
        self.cache = Cache(paths.cache_db)
        self.state_file = state_file or paths.state_file
        self._state: StateStore | None = None
        self._notices: list[str] = []
        self.endpoint = endpoint
        self.transport = transport
        self.clock = clock
        self.max_age = max_age
        self.deadline = deadline

    @property
    def state(self) -> StateStore:
        """Bookmarks and read marks. Created on first use (`paperterm list` never needs it);
        `load_state()` reads the file, the store does no I/O before."""
        if self._state is None:
            from paperterm.state import StateStore

            self._state = StateStore(self.state_file, clock=self.clock, cache=self.paths.state_cache)
        return self._state

    def close(self) -> None:
        """Write what is still unsaved and close the cache."""
        if self._state is not None and self._state.dirty:
            self._notices.extend(self._state.sync())
        self.cache.close()

    def take_notices(self) -> list[str]:
        """One-line notices raised since the last call (a cache rebuilt, a state file moved
        aside, ...)."""
        notices = [*self._notices, *self.cache.notices]
        self._notices, self.cache.notices = [], []
        return notices

    def load_state(self) -> None:
        """Read the state file (notices go to `take_notices`)."""
        self._notices.extend(self.state.load())

    # -- reading, never the network -------------------------------------------------------

    def cached(self, spec: FeedSpec) -> FeedView:
        """The feed from the cache; the sample feed for a never-fetched `trending`."""
        snapshot = self.cache.read_feed(spec)
        if snapshot is not None:
            return FeedView(spec, snapshot.spec, snapshot.papers, snapshot.fetched_at, "cache")
        if spec.kind == "trending":
            papers, captured = sample_feed()
            return FeedView(spec, spec, papers, captured, "sample")
        return FeedView(spec, self.cache.resolve(spec) or spec, (), None, "none")

    def is_stale(self, view: FeedView) -> bool:
        """True when the view should be refreshed: never fetched, the sample, too old, or
        stamped in the future (a clock that moved back)."""
        if view.origin in ("sample", "none") or view.fetched_at is None:
            return True
        age = self.clock() - view.fetched_at
        return age < dt.timedelta(0) or age > self.max_age

    def age(self, view: FeedView) -> dt.timedelta | None:
        if view.fetched_at is None:
            return None
        return max(dt.timedelta(0), self.clock() - view.fetched_at)

    # -- refreshing -----------------------------------------------------------------------

    def client(self) -> HFClient:
        from paperterm.client import HFClient

        if self.deadline is None:
            return HFClient(self.endpoint, transport=self.transport)
        return HFClient(self.endpoint, transport=self.transport, deadline=self.deadline)

    async def refresh(self, spec: FeedSpec) -> RefreshOutcome:
        """Fetch `spec`, store the complete snapshot, return it. Raises `FetchError` (nothing
        stored); a cache that cannot be written is reported in the outcome, not raised."""
        async with self.client() as client:
            fetched = await client.fetch_feed(spec)
        now = self.clock()
        result = ingest_items(fetched.items, now, "search" if spec.kind == "search" else "daily")
        if fetched.items and not result.papers:
            raise FetchError(
                "bad-response", f"no usable paper in the answer ({result.skipped_note})"
            )
        return self._store(spec, fetched.spec, result, now)

    async def lookup(self, paper_id: str) -> Paper:
        """One paper by id from ``/api/papers/{id}``, stored in the cache."""
        async with self.client() as client:
            raw = await client.paper(paper_id)
        result = ingest_items([raw], self.clock(), "paper")
        if not result.papers:
            raise FetchError("bad-response", f"unusable answer for {paper_id}: {result.reasons[0]}")
        try:
            self.cache.store_papers(result.papers)
        except sqlite3.Error as exc:
            raise CacheWriteError(f"could not write the cache: {exc}") from None
        return result.papers[0]

    # -- bookmarks ------------------------------------------------------------------------

    def bookmark_papers(self, tag: str | None = None) -> list[Paper]:
        """The bookmarked papers, newest bookmark first, from their snapshots (works offline)."""
        return [display_paper(b) for b in self.state.state.bookmark_list(tag)]

    def everything(self) -> list[Paper]:
        """Every bookmarked paper, then every other paper in the cache: the filter's widest
        scope. Safe from a worker thread: it reads through a connection of its own."""
        cache = Cache(self.paths.cache_db)
        try:
            cached = cache.all_papers()
        finally:
            cache.close()
        bookmarked = self.bookmark_papers()
        seen = {paper.id for paper in bookmarked}
        return [*bookmarked, *(paper for paper in cached if paper.id not in seen)]

    async def find_paper(self, paper_id: str, *, offline: bool) -> tuple[Paper | None, str | None]:
        """A paper by id from the cache, else from the API; (None, reason) when neither."""
        cached = self.cache.papers([paper_id]).get(paper_id)
        if cached is not None:
            return cached, None
        if offline:
            return None, "offline"
        try:
            return await self.lookup(paper_id), None
        except (FetchError, CacheWriteError) as exc:
            return None, str(exc)

    async def complete_bookmarks(self, *, offline: bool = False) -> int:
        """Fill in bookmarks stored offline with only their id; returns how many were."""
        from paperterm.state import UpdateSnapshot

        completed = 0
        for bookmark in list(self.state.state.bookmarks.values()):
            if not bookmark.incomplete:
                continue
            paper, _ = await self.find_paper(bookmark.id, offline=offline)
            if paper is not None:
                self.state.apply(UpdateSnapshot(paper), save=False, undoable=False)
                completed += 1
        return completed

    def _store(
        self, requested: FeedSpec, resolved: FeedSpec, result: IngestResult, now: dt.datetime
    ) -> RefreshOutcome:
        try:
            stored = self.cache.store_feed(requested, resolved, result.papers, now)
        except sqlite3.Error as exc:
            raise CacheWriteError(
                f"could not write the cache {self.paths.cache_db}: {exc}"
            ) from None
        view = FeedView(requested, resolved, tuple(result.papers), now, "network")
        return RefreshOutcome(view, stored.new, stored.updated, result.skipped)


def display_paper(bookmark: Bookmark) -> Paper:
    """A bookmark's snapshot as shown: one stored offline says what is missing."""
    if bookmark.incomplete and not bookmark.paper.title:
        return replace(bookmark.paper, title=f"arXiv {bookmark.id} (details not fetched yet)")
    return bookmark.paper


@cache
def sample_feed() -> tuple[tuple[Paper, ...], dt.datetime]:
    """The bundled sample: real papers shown on a first run without network."""
    raw = json.loads((files("paperterm") / "data" / "sample_feed.json").read_text("utf-8"))
    captured = dt.datetime.fromisoformat(raw["captured_at"].replace("Z", "+00:00"))
    return tuple(ingest_items(raw["items"], captured, "daily").papers), captured


def describe_age(age: dt.timedelta | None) -> str:
    """ "just now", "3 min ago", "2 h ago", "4 days ago"."""
    if age is None:
        return "never"
    seconds = int(age.total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"
