"""Papers' full texts as the feed cache keeps them: zlib-compressed UTF-8, the text and,
beside it, the document the parser made of it (with the parser's version)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from paperterm.records import Record

if TYPE_CHECKING:
    from paperterm.feed.linked import Linked

Parsed = tuple[int, str]  # (parser version, the parsed document as text)


class CachedText(Record, frozen=True):
    """A paper's full text as kept in the cache."""

    id: str
    text: str
    fetched_at: dt.datetime
    parsed: Parsed | None = None


def pack(text: str | None) -> bytes | None:
    return None if text is None else zlib.compress(text.encode("utf-8"), 6)


def unpack(blob: object) -> str | None:
    """The text of a blob `pack` made; None for anything else (damage is not an error: the
    text is fetched, or parsed, again)."""
    if not isinstance(blob, bytes):
        return None
    try:
        return zlib.decompress(blob).decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return None


def kept_text(
    paper_id: str, fetched_at: dt.datetime, body: object, parsed: object, parser: object
) -> CachedText | None:
    """A row of ``paper_texts`` as a record; None when its text cannot be read."""
    text = unpack(body)
    if text is None:
        return None
    form = unpack(parsed)
    version = parser if isinstance(parser, int) else 0
    return CachedText(paper_id, text, fetched_at, (version, form) if form is not None else None)


class KeptTexts:
    """The full texts and linked repos of `FeedCache` (tables ``paper_texts``, ``linked``)."""

    def _connection(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _query_one(self, sql: str, args: tuple[object, ...]) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def _query_all(self, sql: str, args: tuple[object, ...]) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def store_text(
        self, paper_id: str, text: str, fetched_at: dt.datetime, parsed: Parsed | None = None
    ) -> None:
        """Keep a paper's full text (already cleaned), replacing the one kept before;
        `parsed`: (parser version, the document it made, as text)."""
        version, form = parsed if parsed else (0, None)
        with self._connection() as db:
            db.execute(
                "INSERT OR REPLACE INTO paper_texts (id, fetched_at, body, parsed, parser) "
                "VALUES (?, ?, ?, ?, ?)",
                (paper_id, _utc(fetched_at), pack(text), pack(form), version),
            )

    def store_parsed(self, paper_id: str, parsed: Parsed) -> None:
        """Keep the parsed form of a kept text (made again by a newer parser)."""
        with self._connection() as db:
            db.execute(
                "UPDATE paper_texts SET parsed = ?, parser = ? WHERE id = ?",
                (pack(parsed[1]), parsed[0], paper_id),
            )

    def read_text(self, paper_id: str) -> CachedText | None:
        """A paper's full text as last stored; None when never fetched (or unreadable)."""
        row = self._query_one(
            "SELECT fetched_at, body, parsed, parser FROM paper_texts WHERE id = ?", (paper_id,)
        )
        return kept_text(paper_id, dt.datetime.fromisoformat(row[0]), *row[1:]) if row else None

    def store_linked(self, paper_id: str, linked: Linked, fetched_at: dt.datetime) -> None:
        """Keep what cites a paper on the Hub (`paperterm.feed.linked`)."""
        with self._connection() as db:
            db.execute(
                "INSERT OR REPLACE INTO linked (id, fetched_at, data) VALUES (?, ?, ?)",
                (paper_id, _utc(fetched_at), linked.dumps()),
            )

    def linked(self, ids: Iterable[str]) -> dict[str, Linked]:
        """What cites these papers, for those asked about before."""
        rows = self._query_all(
            "SELECT l.id, l.data FROM json_each(?) AS j JOIN linked AS l ON l.id = j.value",
            (json.dumps(list(ids)),),
        )
        from paperterm.feed.linked import linked_loads  # read when a paper's links are shown

        found = {paper_id: linked_loads(data) for paper_id, data in rows}
        return {paper_id: linked for paper_id, linked in found.items() if linked is not None}

    def text_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these papers have their full text kept."""
        rows = self._query_all(
            "SELECT t.id FROM json_each(?) AS j JOIN paper_texts AS t ON t.id = j.value",
            (json.dumps(list(ids)),),
        )
        return {paper_id for (paper_id,) in rows}


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()
