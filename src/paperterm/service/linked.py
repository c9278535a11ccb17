"""The models, datasets and Spaces that cite a paper, for both faces: fetched on demand from
``/api/papers/{id}`` for the paper in the details, kept in the feed cache, read offline."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from paperterm.feed import FeedCache
from paperterm.feed.linked import Linked, LinkedRepo, linked_from_answer
from paperterm.models import Clock

if TYPE_CHECKING:
    from paperterm.feed.client import HFClient

__all__ = ["Citing", "Linked", "LinkedRepo"]


class Citing:
    """What cites a paper on the Hub, kept in the cache."""

    def __init__(self, cache_path: Path, client: Callable[[], HFClient], *, clock: Clock) -> None:
        self.cache_path = cache_path
        self._client = client
        self.clock = clock

    def known(self, ids: Iterable[str]) -> dict[str, Linked]:
        """The kept counts of these papers (those never fetched are missing)."""
        cache = FeedCache(self.cache_path)
        try:
            return cache.linked(ids)
        finally:
            cache.close()

    async def fetch(self, paper_id: str) -> Linked | None:
        """Ask the Hub and keep the answer; None when the answer has no linked repos.
        Raises `FetchError` (nothing kept) when the Hub cannot say, `sqlite3.Error` or
        `CacheBusy` when the answer could not be kept."""
        async with self._client() as client:
            raw = await client.paper(paper_id)
        linked = linked_from_answer(raw)
        if linked is not None:
            await asyncio.to_thread(self._store(paper_id, linked))
        return linked

    def _store(self, paper_id: str, linked: Linked) -> Callable[[], None]:
        def store() -> None:
            cache = FeedCache(self.cache_path)
            try:
                cache.store_linked(paper_id, linked, self.clock())
            finally:
                cache.close()

        return store
