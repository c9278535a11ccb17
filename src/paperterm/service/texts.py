"""Papers' full texts for both faces: from the feed cache at once, fetched over the network
when missing, kept compressed for reading offline; and parsed for the reading view.

A fetch stores the text only after a complete, valid answer (`HFClient.paper_text`), so a
404, an HTML page, a huge or slow answer never replaces a text read before.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from paperterm.clean import clean_text
from paperterm.feed import CacheBusy, FeedCache, FetchError
from paperterm.models import Clock, Paper
from paperterm.paper import (
    PARSER_VERSION,
    Document,
    Layout,
    document_json,
    front_matter,
    parse_paper,
    read_document_json,
    with_front,
)
from paperterm.records import Record

if TYPE_CHECKING:
    from paperterm.feed.client import HFClient

__all__ = ["FetchError", "PaperText", "Texts"]

T = TypeVar("T")
_PAPER_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,39}")


class PaperText(Record, frozen=True):
    """A paper's full text (cleaned) and where it came from."""

    id: str
    text: str
    fetched_at: dt.datetime
    origin: Literal["cache", "network"]
    cache_error: str | None = None  # fetched, but could not be kept
    parsed: tuple[int, str] | None = None  # the document as the parser last made it


class Texts:
    """The full texts in the feed cache and the client that fetches them."""

    def __init__(self, cache_path: Path, client: Callable[[], HFClient], *, clock: Clock) -> None:
        self.cache_path = cache_path
        self._client = client
        self.clock = clock

    def cached(self, paper_id: str, *, wait: float | None = None) -> PaperText | None:
        """The kept text, or None. Safe from a worker thread (a connection of its own).
        `wait`: at most this long for another program's lock (then `CacheBusy`)."""
        found = self._with_cache(lambda cache: cache.read_text(paper_id), wait)
        if found is None:
            return None
        return PaperText(found.id, found.text, found.fetched_at, "cache", parsed=found.parsed)

    def kept(self, ids: Iterable[str]) -> set[str]:
        """Which of these papers can be read offline."""
        return self._with_cache(lambda cache: cache.text_ids(ids))

    async def fetch(self, paper_id: str) -> PaperText:
        """Fetch the text and keep it; raises `FetchError` and keeps the old one on failure."""
        if not _PAPER_ID.fullmatch(paper_id):  # it goes into a URL path
            raise FetchError("config", f"not a paper id: {paper_id[:40]!r}")
        async with self._client() as client:
            raw = await client.paper_text(paper_id)
        text, now = clean_text(raw), self.clock()
        # Parsed now, in a thread, and kept parsed: opening it later costs no parsing.
        parsed = await asyncio.to_thread(_parsed_form, text)
        try:
            await asyncio.to_thread(
                self._with_cache, lambda cache: cache.store_text(paper_id, text, now, parsed)
            )
        except (sqlite3.Error, CacheBusy, OSError) as exc:
            reason = f"could not keep the text: {exc}"
            return PaperText(paper_id, text, now, "network", reason, parsed)
        return PaperText(paper_id, text, now, "network", parsed=parsed)

    async def get(self, paper_id: str) -> PaperText:
        """The kept text, else a fresh fetch."""
        found = await asyncio.to_thread(self.cached, paper_id)
        return found if found is not None else await self.fetch(paper_id)

    async def prefetch(self, ids: Iterable[str]) -> tuple[int, list[str]]:
        """Fetch the texts of `ids` not kept yet (bookmarks, for reading offline): how many
        were fetched, and a one-line reason for each that failed."""
        wanted = [i for i in ids if i not in await asyncio.to_thread(self.kept, list(ids))]
        fetched, failures = 0, []
        for paper_id in wanted:
            try:
                await self.fetch(paper_id)
                fetched += 1
            except FetchError as exc:
                failures.append(f"{paper_id}: {exc}")
                if exc.offline:
                    break  # the rest would fail the same way
        return fetched, failures

    def document(
        self,
        paper: Paper | None,
        text: PaperText,
        *,
        later: Callable[[Callable[[], None]], object] | None = None,
    ) -> Document:
        """The text parsed for reading, our record's title, authors and abstract first: the
        kept parsed form when this parser made it, else parsed now (and kept, by `later` when
        given: a caller on the UI thread hands that write to a thread)."""
        parsed = _kept_document(text)
        if parsed is None:
            parsed = parse_paper(text.text)
            if text.origin == "cache":
                keep = self._keeper(text.id, parsed)
                keep() if later is None else later(keep)
        if paper is None:
            return parsed
        front = front_matter(paper.title, paper.authors, paper.abstract)
        return with_front(tuple(front), parsed)

    def lines(self, document: Document, width: int) -> list[str]:
        """The document as plain lines `width` columns wide (`paperterm view`)."""
        return [line.text for line in Layout(document, width).lines]

    def is_parsed(self, text: PaperText) -> bool:
        """Whether `document` can read `text` back without parsing it (milliseconds)."""
        return text.parsed is not None and text.parsed[0] == PARSER_VERSION

    def _keeper(self, paper_id: str, parsed: Document) -> Callable[[], None]:
        def keep() -> None:
            form = (PARSER_VERSION, document_json(parsed))
            with contextlib.suppress(sqlite3.Error, CacheBusy, OSError):
                self._with_cache(lambda cache: cache.store_parsed(paper_id, form))

        return keep

    def _with_cache(self, work: Callable[[FeedCache], T], wait: float | None = None) -> T:
        if wait is None:
            cache = FeedCache(self.cache_path)
        else:
            cache = FeedCache(self.cache_path, busy_timeout=wait)
        try:
            return work(cache)
        finally:
            cache.close()


def _parsed_form(text: str) -> tuple[int, str]:
    return PARSER_VERSION, document_json(parse_paper(text))


def _kept_document(text: PaperText) -> Document | None:
    if text.parsed is None or text.parsed[0] != PARSER_VERSION:
        return None
    try:
        return read_document_json(text.parsed[1])
    except (ValueError, KeyError, TypeError):
        return None  # parsed again
