"""The errors of getting the feed: a refresh that failed, and a cache that could not be written.

Apart from `client` so that importing them does not import httpx: the reader's first frame
needs neither the network nor its libraries.
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["offline", "timeout", "rate-limited", "http", "bad-response", "config"]


class FetchError(Exception):
    """A refresh that did not produce a complete, valid answer. `str()` is a one-line message;
    `status` is the HTTP status of an answer that was an error (404: no such paper)."""

    def __init__(self, kind: ErrorKind, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status

    @property
    def offline(self) -> bool:
        return self.kind in ("offline", "timeout")


class CacheWriteError(Exception):
    """The cache could not be written (read-only directory, full disk)."""


class CacheBusy(Exception):
    """Another program holds the cache locked (a `sqlite3` shell in a transaction, say) for
    longer than we wait; nothing is wrong with it. `str()` is a one-line message."""


class Interrupted(Exception):
    """A search stopped by `FeedCache.interrupt` (a newer one replaces it)."""
