"""The one layer the command line and the reader call: feeds, triage, export and import.

`PaperService` owns the feed cache and the state store of one process and gives each job a
part, so `paperterm list` and the list on screen come from the same functions:

* ``service.feeds`` — `Feeds`: the cached feed at once, refreshes over the network;
* ``service.triage`` — `Triage`: read marks, bookmarks, tags, notes, undo, saving;
* ``service.exchange`` — `Exchange`: exports with pinned keys, imports merged;
* ``service.recommend`` — `Recommend`: For you and more like this, ranked on this machine;
* ``service.search`` — `Search`: filter queries over a list or everything cached, from the
  persistent index in the cache;
* ``service.saved`` — `SavedSearches`: ``saved:NAME`` lists over everything cached;
* ``service.since`` — `Since`: what changed on a list since it was last looked at, velocity;
* ``service.texts`` — `Texts`: papers' full texts, fetched once and kept for offline reading;
* ``service.search_context()`` — what a filter query needs besides the papers.

Nothing below this layer knows about the faces; the faces import the records they show from
`paperterm.models` and the errors and results they handle from here (those of triage and
exchange from `paperterm.service.triage` and `paperterm.service.exchange`, which load with
their part: the state store, the exporters and the recommender are not needed for the first
frame).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from paperterm.exchange.formats import (
    DIGEST_FORMATS,
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    ExportFormat,
    ImportFormat,
)
from paperterm.feed import CacheBusy, CacheWriteError, FeedCache, FetchError
from paperterm.models import Clock, Paper, utc_now
from paperterm.paths import Paths
from paperterm.service.feeds import Feeds, FeedView, RefreshOutcome
from paperterm.service.saved import SavedSearches, UnknownSearch
from paperterm.service.search import Search
from paperterm.service.since import Changes, LazyVelocity, Since

if TYPE_CHECKING:
    import httpx  # loads only when a refresh starts, not for the first frame

    from paperterm.feed.client import HFClient
    from paperterm.query import SearchContext
    from paperterm.service.exchange import Exchange
    from paperterm.service.keeper import Keeper
    from paperterm.service.linked import Citing
    from paperterm.service.recommend import Recommend
    from paperterm.service.texts import Texts
    from paperterm.service.triage import Completion, Triage

__all__ = [
    "DIGEST_FORMATS",
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "CacheBusy",
    "CacheWriteError",
    "Changes",
    "ExportFormat",
    "FeedView",
    "FetchError",
    "ImportFormat",
    "PaperService",
    "RefreshOutcome",
    "UnknownSearch",
]

DEFAULT_MAX_AGE = dt.timedelta(minutes=30)


class PaperService:
    """Feeds, triage and exchange for one process; `close()` when done."""

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
        interactive: bool = False,
        searches: Mapping[str, str] | None = None,
    ) -> None:
        self.paths = paths
        self.clock = clock
        self.endpoint = endpoint
        self.transport = transport
        self.deadline = deadline
        self.state_file = state_file or paths.state_file
        # The reader lives on after a failed save (and retries); a command says it failed.
        self.interactive = interactive
        self._cache = FeedCache(paths.cache_db)
        self._notices: list[str] = []
        self._triage: Triage | None = None
        self._exchange: Exchange | None = None
        self._recommend: Recommend | None = None
        self._keeper: Keeper | None = None
        self._texts: Texts | None = None
        self._citing: Citing | None = None
        self.feeds = Feeds(self._cache, self._client, clock=clock, max_age=max_age)
        self.search = Search(self._cache, lambda: self.triage, self.search_context)
        self.since = Since(self._cache, clock)
        self.saved = SavedSearches(self, searches or {})

    @property
    def triage(self) -> Triage:
        """Read marks and bookmarks; the state store loads with the first use."""
        if self._triage is None:
            from paperterm.service.triage import Triage

            self._triage = Triage(
                self.state_file, clock=self.clock, parse_cache=self.paths.state_cache
            )
        return self._triage

    @property
    def exchange(self) -> Exchange:
        """Exports and imports; the exporters load with the first use."""
        if self._exchange is None:
            from paperterm.service.exchange import Exchange

            self._exchange = Exchange(self.triage, clock=self.clock, context=self.search_context)
        return self._exchange

    @property
    def recommend(self) -> Recommend:
        """For you and more like this; the recommender loads with the first use."""
        if self._recommend is None:
            from paperterm.service.recommend import Recommend

            self._recommend = Recommend(
                self.feeds, self.triage, self.paths.for_you_cache, self.keeper
            )
        return self._recommend

    @property
    def keeper(self) -> Keeper:
        """What keeps the For-you corpus ready after papers are stored (`Keeper.build` here,
        `Keeper.start` in a process of its own)."""
        if self._keeper is None:
            from paperterm.service.keeper import Keeper

            self._keeper = Keeper(self.paths.cache_db, self.paths.for_you_cache)
        return self._keeper

    def keep_for_you(self, *, detached: bool = False) -> int:
        """Start building For you's corpus in a process of its own when it is due and For
        you is in use (a bookmark to rank by, or a corpus kept before): a cache of 100,000
        papers takes minutes of a core to build, which nobody who never ranks should pay.
        How many papers are cached when a build runs now, else 0 (`Keeper.start`)."""
        triage = self._triage
        marked = triage is not None and triage.loaded and bool(triage.state.bookmarks)
        if not (marked or self.paths.for_you_cache.exists()):
            return 0
        return self.keeper.start(detached=detached)

    @property
    def texts(self) -> Texts:
        """Papers' full texts, kept for offline reading; the parser loads with the first use."""
        if self._texts is None:
            from paperterm.service.texts import Texts

            self._texts = Texts(self.paths.cache_db, self._client, clock=self.clock)
        return self._texts

    @property
    def citing(self) -> Citing:
        """The models, datasets and Spaces that cite a paper, kept in the cache."""
        if self._citing is None:
            from paperterm.service.linked import Citing

            self._citing = Citing(self.paths.cache_db, self._client, clock=self.clock)
        return self._citing

    def load_state(self) -> None:
        """Read the state file (notices go to `take_notices`)."""
        self._notices.extend(self.triage.load())

    def close(self) -> None:
        """Write what is still unsaved and close the cache."""
        if self._recommend is not None:
            self._recommend.wait_kept()  # the For-you corpus being kept for the next run
        if self._keeper is not None:
            self._keeper.stop()  # a build in its own process: the next start begins it again
        if self._triage is not None:
            self._notices.extend(self._triage.close())
        self._cache.close()

    def take_notices(self) -> list[str]:
        """One-line notices raised since the last call (a cache rebuilt, a state file moved
        aside, ...)."""
        notices = [*self._notices, *self._cache.notices]
        self._notices, self._cache.notices = [], []
        return notices

    def search_context(self) -> SearchContext:
        """What the filter needs to know beyond the papers: read, bookmarked, tags, today, and
        the velocities ``sort:hot`` ranks by (read from the history only when a query asks)."""
        from paperterm.query import SearchContext

        state = self.triage.state
        return SearchContext(
            today=self.clock().date(),
            read=frozenset(state.read),
            bookmarked=frozenset(state.bookmarks),
            tags={paper_id: b.tags for paper_id, b in state.bookmarks.items()},
            velocity=LazyVelocity(self.since),
        )

    def everything(self) -> list[Paper]:
        """Every bookmarked paper, then every other paper in the cache: the filter's widest
        scope. Safe from a worker thread."""
        cached = self.feeds.everything()
        bookmarked = self.triage.bookmark_papers()
        seen = {paper.id for paper in bookmarked}
        return [*bookmarked, *(paper for paper in cached if paper.id not in seen)]

    async def complete_bookmarks(self, *, offline: bool = False) -> Completion:
        """Look up the bookmarks stored with only what was known (an id added offline, an
        imported citation) and fill in what they lack."""
        return await self.triage.complete_bookmarks(self.feeds, offline=offline)

    def _client(self) -> HFClient:
        from paperterm.feed.client import HFClient

        if self.deadline is None:
            return HFClient(self.endpoint, transport=self.transport)
        return HFClient(self.endpoint, transport=self.transport, deadline=self.deadline)
