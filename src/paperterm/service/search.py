"""Searching for both faces: from the persistent index in the feed cache, never building one
on the user's path.

`Search.in_list` answers a query over a list of papers, `Search.everything` over every cached
paper plus the bookmarks, as ids with the papers read from the cache only when shown
(`paperterm.service.rows.PaperRows`). Both ask the index in the cache
(`paperterm.feed.searchindex`); while it is not ready (a cache from before it, or one found
damaged) they fall back to the in-memory `PaperIndex`, and `rebuild_index` fills the
persistent one in small steps, meant for a background thread.

Every method is safe from a worker thread: each thread reads through a connection of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from paperterm.feed import FeedCache
from paperterm.feed.errors import Interrupted

__all__ = ["Interrupted", "Search", "needs_state"]
from paperterm.models import Clock, Paper

if TYPE_CHECKING:
    from paperterm.query import Query, SearchContext
    from paperterm.service.rows import PaperRows
    from paperterm.service.triage import Triage


def needs_state(query: Query) -> bool:
    """Whether the query reads the reading state (``is:``, ``tag:``)."""
    from paperterm.query import StateTerm, TextTerm

    return any(
        (isinstance(t, StateTerm) and t.state in ("read", "unread", "bookmarked"))
        or (isinstance(t, TextTerm) and t.field == "tag")
        for t in query.terms
    )


class Search:
    """Queries over a list or everything cached, for one process."""

    def __init__(
        self, cache: FeedCache, triage: Callable[[], Triage], context: Callable[[], SearchContext]
    ) -> None:
        self._path = cache.path
        self._main = cache
        self._triage = triage
        self._context = context
        self._local = threading.local()
        self._lock = threading.Lock()
        self._active: set[FeedCache] = set()

    def interrupt(self) -> None:
        """Stop every search running now: they raise `Interrupted` (a newer one is coming)."""
        with self._lock:
            for cache in self._active:
                cache.interrupt()

    @contextmanager
    def _searching(self) -> Iterator[FeedCache]:
        cache = self._cache()
        with self._lock:
            self._active.add(cache)
        try:
            yield cache
        finally:
            with self._lock:
                self._active.discard(cache)

    def context_for(self, query: Query, clock: Clock) -> SearchContext:
        """The search context, without reading the state file when the query does not need it."""
        from paperterm.query import SearchContext

        if needs_state(query):
            return self._context()
        return SearchContext(today=clock().date())

    def in_list(self, query: Query, papers: Sequence[Paper], context: SearchContext) -> list[Paper]:
        """The papers of `papers` matching `query`, best first (the in-memory index answers
        when the persistent one cannot)."""
        found = self.indexed(query, papers, context)
        if found is None:
            from paperterm.query import PaperIndex

            return PaperIndex(papers).search(query, context).papers
        return found

    def indexed(
        self, query: Query, papers: Sequence[Paper], context: SearchContext,
        stop: Callable[[], bool] | None = None,
    ) -> list[Paper] | None:  # fmt: skip
        """`in_list` from the persistent index only; None when it cannot answer (not ready,
        or a paper of the list not in the cache). `stop()` true: `Interrupted` (a newer
        search is coming)."""
        with self._searching() as cache:
            ids = cache.index.search_ids(query, context, [p.id for p in papers], stop=stop)
        self._forward_notices()
        if ids is None:
            return None
        by_id: dict[str, Paper] = {}
        for paper in papers:
            by_id.setdefault(paper.id, paper)
        return [by_id[i] for i in ids]

    def everything(
        self, query: Query, bookmarks: Sequence[Paper], context: SearchContext,
        stop: Callable[[], bool] | None = None,
    ) -> PaperRows | None:  # fmt: skip
        """Every bookmarked, then every other cached paper matching `query`, best first (ties:
        bookmarks first, then by id); None while the index is not ready. A bookmark the cache
        does not hold is matched by the in-memory index and listed first."""
        cache = self._cache()
        in_cache = cache.papers([p.id for p in bookmarks]).keys() if bookmarks else set()
        first = [p.id for p in bookmarks if p.id in in_cache]
        with self._searching():
            ids = cache.index.search_ids(query, context, None, first, stop)
        self._forward_notices()
        if ids is None:
            return None
        loose = [p for p in bookmarks if p.id not in in_cache]
        extra: list[Paper] = []
        if loose:
            from paperterm.query import PaperIndex

            extra = PaperIndex(loose).search(query, context).papers
        known = {p.id: p for p in extra}
        from paperterm.service.rows import PaperRows

        return PaperRows(ids.prefixed(list(known)), self._loader(known))

    def index_ready(self, *, warm: bool = False) -> bool:
        """Whether the persistent index can answer; `warm`: then read its vocabulary now."""
        return self._cache().index.ready(warm=warm)

    def rebuild_index(self, keep_going: Callable[[], bool] = lambda: True) -> bool:
        """Fill the persistent index in small transactions while `keep_going()`; True once
        it holds every cached paper."""
        cache = self._cache()
        while keep_going():
            if cache.index.rebuild_step():
                return True
        return False

    def _loader(self, known: Mapping[str, Paper]) -> Callable[[Sequence[str]], Mapping[str, Paper]]:
        def load(ids: Sequence[str]) -> Mapping[str, Paper]:
            found = self._cache().papers([i for i in ids if i not in known])
            return {**{i: known[i] for i in ids if i in known}, **found}

        return load

    def _cache(self) -> FeedCache:
        cache: FeedCache | None = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = FeedCache(self._path)
        return cache

    def _forward_notices(self) -> None:
        cache = self._cache()
        if cache.notices:
            self._main.notices.extend(cache.notices)
            cache.notices.clear()
