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

from paperterm.feed.cache import CachedFeed, FeedCache, StoreResult
from paperterm.feed.errors import CacheBusy, CacheWriteError, FetchError
from paperterm.feed.ingest import IngestResult, ingest_items
from paperterm.feed.sample import sample_feed
from paperterm.feed.texts import CachedText

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
