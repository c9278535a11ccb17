"""Feeds for both faces: from the cache at once, refreshed over the network in the background.

`Feeds.cached()` answers from disk only (or the bundled sample feed on a brand-new, offline
machine) and never waits on the network; `wait=False` does not wait on another program's
lock either (`CacheBusy` instead). `refresh()` fetches, ingests and stores a complete
snapshot, or raises `FetchError` and leaves the cache as it was; a good answer that could not
be stored is still returned, with the reason in `cache_error`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from paperterm.feed import (
    CacheBusy,
    CacheWriteError,
    FeedCache,
    FetchError,
)
from paperterm.feed.cache import StoreResult
from paperterm.models import Clock, FeedSpec, Paper
from paperterm.records import Record

if TYPE_CHECKING:  # httpx loads only when a refresh starts, not for the first frame
    from paperterm.feed.client import HFClient

Origin = Literal["cache", "network", "sample", "none"]


class FeedView(Record, frozen=True):
    """A feed as it can be shown now: where it came from and how old it is."""

    requested: FeedSpec
    spec: FeedSpec
    papers: tuple[Paper, ...]
    fetched_at: dt.datetime | None
    origin: Origin
    complete: bool = True  # False: the server has more papers than were fetched

    @property
    def is_sample(self) -> bool:
        return self.origin == "sample"

    @property
    def count_text(self) -> str:
        """ "500 papers", or "500 papers (the first 500; the server has more)"."""
        count = f"{len(self.papers)} paper{'s' if len(self.papers) != 1 else ''}"
        return (
            count
            if self.complete
            else f"{count} (the first {len(self.papers)}; the server has more)"
        )


class RefreshOutcome(Record, frozen=True):
    """A successful refresh: the new view and what changed."""

    view: FeedView
    new_ids: tuple[str, ...]
    updated: int
    skipped: int
    # The answer was good but could not be stored (read-only cache dir, full disk, locked).
    cache_error: str | None = None

    @property
    def summary(self) -> str:
        parts = [f"{len(self.new_ids)} new", f"{self.updated} updated"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped (bad data)")
        return f"{self.view.spec.label}: {self.view.count_text}, " + ", ".join(parts)


class Found(Record, frozen=True):
    """A paper looked up by id, or why there is none: Hugging Face does not know it
    (`unknown`: its API answered 404), or could not be reached (`unreachable`)."""

    paper: Paper | None
    reason: str | None = None
    unknown: bool = False
    unreachable: bool = False


class Feeds:
    """The feed cache and the HF client behind it."""

    def __init__(
        self,
        cache: FeedCache,
        client: Callable[[], HFClient],
        *,
        clock: Clock,
        max_age: dt.timedelta,
    ) -> None:
        self.cache = cache
        self._client = client
        self.clock = clock
        self.max_age = max_age
        self._busy_timeout = cache.busy_timeout

    # -- reading, never the network -------------------------------------------------------

    def cached(self, spec: FeedSpec, *, wait: bool = True) -> FeedView:
        """The feed from the cache; the sample feed for a never-fetched `trending`. Without
        `wait`, another program's lock on the cache raises `CacheBusy` at once."""
        self.cache.busy_timeout = self._busy_timeout if wait else 0.0
        try:
            snapshot = self.cache.read_feed(spec)
        finally:
            self.cache.busy_timeout = self._busy_timeout
        if snapshot is not None:
            return FeedView(
                spec,
                snapshot.spec,
                snapshot.papers,
                snapshot.fetched_at,
                "cache",
                snapshot.complete,
            )
        if spec.kind == "trending":
            from paperterm.feed.sample import sample_feed  # a first run's, without a cache

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

    def everything(self) -> list[Paper]:
        """Every paper in the cache. Safe from a worker thread: it reads through a connection
        of its own."""
        cache = FeedCache(self.cache.path)
        try:
            return cache.all_papers()
        finally:
            cache.close()

    def everything_ids(self) -> list[str]:
        """The id of every paper in the cache (from a worker thread too, as `everything`)."""
        cache = FeedCache(self.cache.path)
        try:
            return cache.ids()
        finally:
            cache.close()

    def known(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Whatever the cache knows of these ids."""
        return self.cache.papers(ids)

    # -- the network ------------------------------------------------------------------------

    async def refresh(self, spec: FeedSpec) -> RefreshOutcome:
        """Fetch `spec`, store the complete snapshot, return it. Raises `FetchError` (nothing
        stored) or `CacheWriteError` (a good answer that could not be stored)."""
        async with self._client() as client:
            fetched = await client.fetch_feed(spec)
        now = self.clock()
        # A day's items without a feed day of their own were on that day's list: the request
        # says so (items before 2025-03 carry no submittedOnDailyAt).
        day = fetched.spec.first_day() if fetched.spec.kind == "daily" else None
        from paperterm.feed.ingest import ingest_items  # with the first answer to clean

        result = ingest_items(
            fetched.items, now, "search" if spec.kind == "search" else "daily", feed_day=day
        )
        if fetched.items and not result.papers:
            raise FetchError(
                "bad-response", f"no usable paper in the answer ({result.skipped_note})"
            )
        view = FeedView(spec, fetched.spec, tuple(result.papers), now, "network", fetched.complete)
        try:
            # In a thread with a connection of its own: a cache another program holds locked
            # makes the store wait, and the reader's screen must not wait with it.
            stored = await asyncio.to_thread(self._store, view)
        except (sqlite3.Error, CacheBusy) as exc:
            reason = f"could not write the cache {self.cache.path}: {exc}"
            return RefreshOutcome(view, (), 0, result.skipped, cache_error=reason)
        return RefreshOutcome(view, stored.new, stored.updated, result.skipped)

    async def lookup(self, paper_id: str) -> Paper:
        """One paper by id from ``/api/papers/{id}``, stored in the cache."""
        async with self._client() as client:
            raw = await client.paper(paper_id)
        from paperterm.feed.ingest import ingest_items

        result = ingest_items([raw], self.clock(), "paper")
        if not result.papers:
            raise FetchError("bad-response", f"unusable answer for {paper_id}: {result.reasons[0]}")
        try:
            self.cache.store_papers(result.papers)
        except (sqlite3.Error, CacheBusy) as exc:
            raise CacheWriteError(f"could not write the cache: {exc}") from None
        return result.papers[0]

    async def find(self, paper_id: str, *, offline: bool) -> tuple[Paper | None, str | None]:
        """A paper by id from the cache, else from the API; (None, reason) when neither."""
        found = await self.look_up(paper_id, offline=offline)
        return found.paper, found.reason

    async def look_up(self, paper_id: str, *, offline: bool) -> Found:
        """`find`, saying also whether Hugging Face does not know the paper or could not be
        reached."""
        cached = self.cache.papers([paper_id]).get(paper_id)
        if cached is not None:
            return Found(cached)
        if offline:
            return Found(None, "offline", unreachable=True)
        try:
            return Found(await self.lookup(paper_id))
        except FetchError as exc:
            return Found(None, str(exc), unknown=exc.status == 404, unreachable=exc.offline)
        except CacheWriteError as exc:
            return Found(None, str(exc))

    def _store(self, view: FeedView) -> StoreResult:
        cache = FeedCache(self.cache.path, busy_timeout=self._busy_timeout)
        try:
            stored = cache.store_feed(
                view.requested, view.spec, view.papers, view.fetched_at or self.clock(),
                complete=view.complete,
            )  # fmt: skip
            cache.index.fold()  # here, not in the next search: a fetch is where indexing belongs
            return stored
        finally:
            self.cache.notices.extend(cache.notices)
            cache.close()
