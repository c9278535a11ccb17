"""Papers' full texts as the feed cache keeps them: zlib-compressed UTF-8, the text and,
beside it, the document the parser made of it (with the parser's version)."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

Parsed = tuple[int, str]  # (parser version, the parsed document as text)


@dataclass(frozen=True, slots=True)
class CachedText:
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
