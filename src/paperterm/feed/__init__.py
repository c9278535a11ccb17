"""The Hugging Face Papers feed: the API client, ingestion of its answers, the SQLite cache.

Public face:

* `FeedCache` — feeds and papers on disk (`paperterm.feed.cache`).
* `ingest_items` — raw API items to cleaned `Paper`s (`paperterm.feed.ingest`).
* `FetchError`, `CacheWriteError` — a refresh that failed, a cache that could not be written
  (`paperterm.feed.errors`).
* `sample_feed` — the bundled papers for a first run offline.

The client (`paperterm.feed.client.HFClient`) is not imported here: it brings httpx, which
only a refresh needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperterm import exported_later
from paperterm.feed.cache import CachedFeed, FeedCache, StoreResult
from paperterm.feed.errors import CacheBusy, CacheWriteError, FetchError
from paperterm.feed.texts import CachedText

if TYPE_CHECKING:  # as the type checker sees them (`as`: exported)
    from paperterm.feed.ingest import IngestResult as IngestResult
    from paperterm.feed.ingest import ingest_items as ingest_items
    from paperterm.feed.sample import sample_feed as sample_feed

# Ingestion loads with the first answer to clean (a fetch, or the sample feed): a reader
# showing its cache needs neither.
_LATER = {"IngestResult": "ingest", "ingest_items": "ingest", "sample_feed": "sample"}

__getattr__ = exported_later(__name__, _LATER)


__all__ = [
    "CacheBusy",
    "CacheWriteError",
    "CachedFeed",
    "CachedText",
    "FeedCache",
    "FetchError",
    "IngestResult",
    "StoreResult",
    "ingest_items",
    "sample_feed",
]
