"""The parse cache of the state file: the payload that says what a `state.toml` reads as.

Reading a large file with tomllib is the slow part of starting up, so a *parse cache* may sit
beside it (in the user cache directory): the state the file reads as, keyed on the SHA-256 of
its exact bytes, as JSON lines with an explicit layout (never pickle: the cache runs no code).
It also records where each bookmark's text lies in the file, so the first save of a process
can reuse that text instead of encoding everything again (`paperterm.library._encoder` makes and
reads that layout). The cache only ever holds what parsing those bytes gives: for text the
encoder wrote, by parsing the parts that changed on their own (a bookmark's text is a run of
complete tables, so on its own it reads exactly as it does inside the file), or by checking
that encoding a freshly parsed state gives the file back byte for byte. A cache that does not
check out is ignored, and the file is parsed. `paperterm.library.store` reads and writes it on disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from paperterm import __version__
from paperterm.library.tomlfile import SCHEMA_VERSION, Contents
from paperterm.models import Bookmark, Paper

# JSON lines: the first holds the head's extra keys (tagged, see `tagged`), the read marks
# (ids in file order, each with an index into a list of distinct times), the reading positions
# (id -> offset, in file order) and the head's length;
# then one line per bookmark in file order, its fields by position (`bookmark_record`), ending
# with the length of its text in the file and whether that text may be reused as it is. A cache
# made from a file this version did not write has no layout (head length null): it gives the
# state only. Change CACHE_VERSION whenever any of this, or what `paperterm.library.tomlfile.decode`
# makes of a file, changes.

CACHE_KIND = "paperterm state cache"
CACHE_VERSION = 2  # 2: reading positions
_RECORD_FIELDS = 25


def cache_key(data: bytes) -> str:
    """What a cache for the state file `data` is keyed on: its exact bytes and every version
    that shapes what they read as."""
    digest = hashlib.sha256(data).hexdigest()
    return f"cache {CACHE_VERSION}, paperterm {__version__}, schema {SCHEMA_VERSION}, {digest}"


def image_of(contents: Contents) -> bytes | None:
    """A cache payload for a file just parsed into `contents` (no layout); None if some value
    has no exact cache form."""
    try:
        top = top_line(
            None, tagged(contents.extra), list(contents.read), contents.read, contents.positions
        )
        records = [
            bookmark_record(bookmark, None, False) for bookmark in contents.bookmarks.values()
        ]
    except (TypeError, ValueError, RecursionError):
        return None
    return b"\n".join([top, *records])


def _json(value: Any) -> bytes:
    # No raw newline can appear in the output, so one record is one line.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def top_line(
    head: int | None,
    extra: Any,
    keys: list[str],
    read: Mapping[str, dt.datetime],
    positions: Mapping[str, int],
) -> bytes:
    """The first line of a payload: `extra` (already tagged), the read marks in the order of
    `keys`, the reading positions, and the length of the head's text (None: no layout)."""
    index: dict[dt.datetime, int] = {}
    at = [index.setdefault(read[key], len(index)) for key in keys]
    stamps = [_instant_text(when) for when in index]
    if not _all_of(int, positions.values()):
        raise ValueError("a reading position that is not an integer")
    top = {"head": head, "extra": extra, "read": keys, "at": at, "stamps": stamps}
    return _json({**top, "pos": dict(positions)})


def bookmark_record(bookmark: Bookmark, length: int | None, canonical: bool) -> bytes:
    """A bookmark's line in a payload, with the length of its text in the file (None: no
    layout) and whether that text may be reused as it is."""
    p = bookmark.paper
    return _json(
        [
            p.id,
            _instant_text(bookmark.added_at),
            list(bookmark.tags),
            bookmark.note,
            bookmark.cite_key,
            bookmark.incomplete,
            p.title,
            list(p.authors),
            p.abstract,
            p.upvotes,
            p.comments,
            _day_text(p.feed_day),
            _day_text(p.published),
            p.github,
            p.stars,
            p.project_page,
            p.ai_summary,
            list(p.ai_keywords),
            p.organization,
            p.submitter,
            _instant_text(p.fetched_at) if p.fetched_at is not None else None,
            p.author_count,
            tagged(bookmark.extra) if bookmark.extra else None,
            length,
            canonical,
        ]
    )


class Payload(NamedTuple):
    """What a cache payload holds: the state and, for a file this version wrote, its layout."""

    contents: Contents
    head: Any  # the length of the head's text; None: no layout, the state only
    layout: list[tuple[str, Any, Any]]  # per bookmark: key, length of its text, reusable
    lines: list[bytes]  # per bookmark: its record, as stored


def read_payload(payload: bytes) -> Payload:
    """Read a cache payload back. Raises (ValueError, TypeError, KeyError, IndexError,
    OverflowError or RecursionError) when it is not one; the layout is checked against the
    file by the encoder that uses it."""
    top_text, *lines = payload.split(b"\n")
    top = json.loads(top_text)
    records = json.loads(b"[" + b",".join(lines) + b"]")
    if type(top) is not dict or type(records) is not list:
        raise ValueError("not a cache payload")
    read = _read_marks(top["read"], top["at"], top["stamps"])
    extra = untagged_table(top["extra"])
    positions = _positions(top["pos"])
    bookmarks: dict[str, Bookmark] = {}
    layout: list[tuple[str, Any, Any]] = []
    for record in records:
        key, bookmark, length, canonical = _from_record(record)
        bookmarks[key] = bookmark
        layout.append((key, length, canonical))
    if len(bookmarks) != len(records):
        raise ValueError("a bookmark recorded twice")
    return Payload(Contents(read, bookmarks, extra, positions), top["head"], layout, lines)


def _positions(value: Any) -> dict[str, int]:
    if type(value) is not dict or not _all_of(int, value.values()):
        raise ValueError("bad reading positions")
    if min(value.values(), default=0) < 0:
        raise ValueError("bad reading positions")
    return value


def _read_marks(keys: Any, at: Any, stamps: Any) -> dict[str, dt.datetime]:
    if not (type(keys) is list and type(at) is list and type(stamps) is list):
        raise ValueError("bad read marks")
    times = [_instant(text) for text in stamps]
    if len(keys) != len(at) or not _all_of(int, at) or min(at, default=0) < 0:
        raise ValueError("bad read marks")
    read = dict(zip(keys, [times[i] for i in at], strict=True))
    if len(read) != len(keys) or not _all_of(str, keys):
        raise ValueError("bad read marks")
    return read


def _from_record(record: Any) -> tuple[str, Bookmark, Any, Any]:
    if type(record) is not list or len(record) != _RECORD_FIELDS:
        raise ValueError("bad bookmark record")
    (
        key,
        added_at,
        tags,
        note,
        cite_key,
        incomplete,
        title,
        authors,
        abstract,
        upvotes,
        comments,
        feed_day,
        published,
        github,
        stars,
        project_page,
        ai_summary,
        ai_keywords,
        organization,
        submitter,
        fetched_at,
        author_count,
        extra,
        length,
        canonical,
    ) = record
    if not (
        type(key) is str
        and type(note) is str
        and type(title) is str
        and type(abstract) is str
        and type(incomplete) is bool
        and type(upvotes) is int
        and type(comments) is int
        and type(author_count) is int
        and (stars is None or type(stars) is int)
        and type(tags) is list
        and type(authors) is list
        and type(ai_keywords) is list
        and _all_of(str, tags)
        and _all_of(str, authors)
        and _all_of(str, ai_keywords)
        and _all_of(
            _OPTIONAL_TEXT, (cite_key, github, project_page, ai_summary, organization, submitter)
        )
    ):
        raise ValueError("bad bookmark record")
    paper = Paper(
        key,
        title,
        tuple(authors),
        abstract,
        upvotes,
        comments,
        _day(feed_day),
        _day(published),
        github,
        stars,
        project_page,
        ai_summary,
        tuple(ai_keywords),
        organization,
        submitter,
        None if fetched_at is None else _instant(fetched_at),
        author_count,
    )
    bookmark = Bookmark(
        paper,
        _instant(added_at),
        tuple(tags),
        note,
        cite_key,
        incomplete,
        {} if extra is None else untagged_table(extra),
    )
    return key, bookmark, length, canonical


_OPTIONAL_TEXT: frozenset[type] = frozenset({str, type(None)})


def _all_of(kinds: type | frozenset[type], values: Any) -> bool:
    # The exact type of every value (bool is not an int here); the set is built in C.
    found = set(map(type, values))
    return found <= kinds if isinstance(kinds, frozenset) else found <= {kinds}


def _instant_text(value: dt.datetime) -> str:
    # Everything `decode` gives is UTC; anything else has no place in the cache.
    if type(value) is not dt.datetime or value.tzinfo is not dt.UTC:
        raise ValueError("not a UTC date-time")
    return value.isoformat()


def _instant(text: Any) -> dt.datetime:
    if type(text) is not str:
        raise ValueError("not a date-time")
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is not dt.UTC:
        raise ValueError("not a UTC date-time")
    return value


def _day_text(value: dt.date | None) -> str | None:
    if value is None:
        return None
    if type(value) is not dt.date:
        raise ValueError("not a date")
    return value.isoformat()


def _day(text: Any) -> dt.date | None:
    if text is None:
        return None
    if type(text) is not str:
        raise ValueError("not a date")
    return dt.date.fromisoformat(text)


# Unknown keys hold any TOML value. JSON has strings, integers and booleans as they are;
# everything else is a one-key object naming its type, so nothing is ambiguous: a table
# {"t": {...}}, an array {"a": [...]}, a float {"f": hex}, a date-time {"dt": iso}, a date
# {"d": iso}, a time {"tm": iso}.


def tagged(value: Any) -> Any:
    """An unknown key's value in its JSON form; raises ValueError when it has none."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise ValueError("a table key that is not a string")
        return {"t": {k: tagged(v) for k, v in value.items()}}
    if kind is list:
        return {"a": [tagged(v) for v in value]}
    if kind is float:
        return {"f": value.hex()}
    if kind is dt.datetime and (value.tzinfo is None or type(value.tzinfo) is dt.timezone):
        return {"dt": value.isoformat()}
    if kind is dt.date:
        return {"d": value.isoformat()}
    if kind is dt.time and value.tzinfo is None:
        return {"tm": value.isoformat()}
    raise ValueError(f"no cache form for {kind.__name__}")


def _untagged(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is not dict or len(value) != 1:
        raise ValueError("bad tagged value")
    ((tag, inner),) = value.items()
    if tag == "t" and type(inner) is dict:
        return {k: _untagged(v) for k, v in inner.items()}
    if tag == "a" and type(inner) is list:
        return [_untagged(v) for v in inner]
    if type(inner) is not str:
        raise ValueError("bad tagged value")
    if tag == "f":
        return float.fromhex(inner)
    if tag == "dt":
        return dt.datetime.fromisoformat(inner)
    if tag == "d":
        return dt.date.fromisoformat(inner)
    if tag == "tm":
        return dt.time.fromisoformat(inner)
    raise ValueError("bad tagged value")


def untagged_table(value: Any) -> dict[str, Any]:
    table = _untagged(value)
    if type(table) is not dict:
        raise ValueError("not a table")
    return table
