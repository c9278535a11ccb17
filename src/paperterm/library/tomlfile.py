"""`state.toml` on disk: its TOML layout, strict reading, and the TOML written for a bookmark.

This module owns what the bytes of the state file mean; `paperterm.library._encoder` turns a whole
state into them (reusing the text of what did not change), `paperterm.library._parsecache` keeps what
they read as, `paperterm.files` puts them on disk, and `paperterm.library.store` owns what they mean
over time (operations, merging, undo). Nothing here keeps state between calls.

Layout (schema 1), written with tomli-w, keys sorted, so two saves differ only where the state
differs and the file diffs well in git::

    schema_version = 1

    [bookmarks."2403.01234"]
    added_at = 2026-08-21 15:00:00+00:00
    tags = [                    # always present, possibly empty
        "agents",
    ]
    note = "..."                # only when not empty
    cite_key = "smith2024"      # only when pinned
    incomplete = true           # only when stored with just what was known

    [bookmarks."2403.01234".paper]
    title = "..."               # Paper.to_json() minus the id (the key) and None values,
    ...                         # dates and datetimes as TOML values

    [positions]                 # only when the reading view stopped inside a paper:
    "2403.01234" = 18345        # an offset into its text, one line per paper

    [read]
    "2403.01234" = 2026-08-21 15:00:00+00:00

Keys this version does not know, at the top level, inside a bookmark or inside its paper
table, are kept and written back. Reading is strict: anything that does not fit is reported as
`DamagedFile` with the place it went wrong, so the caller can move the file aside rather than
guess and later overwrite what the user wrote.

Writing goes through `paperterm.files` (temp file, fsync, rename, fsync the directory).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from typing import Any, NamedTuple

from paperterm.models import Bookmark, Paper, ReadingState

SCHEMA_VERSION = 1

_BOM = b"\xef\xbb\xbf"
_BOOKMARK_KEYS = frozenset({"added_at", "tags", "note", "cite_key", "incomplete", "paper"})
# Every other top-level key is kept as is.
TOP_KEYS = frozenset({"schema_version", "bookmarks", "positions", "read"})
# The paper snapshot: Paper.to_json() keys and the TOML type each must have on reading.
_PAPER_KINDS: dict[str, str] = {
    "title": "str",
    "authors": "strs",
    "author_count": "int",
    "abstract": "str",
    "upvotes": "int",
    "comments": "int",
    "feed_day": "date",
    "published": "date",
    "github": "str",
    "stars": "int",
    "project_page": "str",
    "ai_summary": "str",
    "ai_keywords": "strs",
    "organization": "str",
    "submitter": "str",
    "fetched_at": "datetime",
}
# Derived from the id: written for people reading the file, recomputed on reading.
_PAPER_DERIVED = frozenset({"id", "url", "arxiv_url", "pdf_url"})


class DamagedFile(ValueError):
    """The file is not a state file this version can trust; the message says where and why."""


class UnwritableValue(ValueError):
    """Something in the state has no TOML form (only code, never the file, can put it there)."""


class NewerSchema(Exception):
    """The file was written by a newer paperterm; it must never be rewritten by this one."""

    def __init__(self, version: int, contents: Contents | None) -> None:
        super().__init__(f"schema_version {version}")
        self.version = version
        self.contents = contents  # what this version could make of it, if anything


class _Parts(NamedTuple):
    read: dict[str, dt.datetime]
    bookmarks: dict[str, Bookmark]
    extra: dict[str, Any]


class Contents(_Parts):
    """What a state file holds: read marks, bookmarks and keys this version does not know —
    the three it unpacks to, as before reading positions existed — and `positions`, where the
    reading view stopped in each paper."""

    positions: dict[str, int]

    def __new__(
        cls,
        read: dict[str, dt.datetime],
        bookmarks: dict[str, Bookmark],
        extra: dict[str, Any],
        positions: dict[str, int] | None = None,
    ) -> Contents:
        self = super().__new__(cls, read, bookmarks, extra)
        self.positions = {} if positions is None else positions
        return self

    def __eq__(self, other: object) -> bool:
        same = tuple.__eq__(self, other)
        if isinstance(other, Contents) and same is True:
            return self.positions == other.positions
        return same is True

    __hash__ = None  # type: ignore[assignment]  # it holds dicts

    def state(self) -> ReadingState:
        """The reading state these contents make."""
        return ReadingState(self.read, self.bookmarks, self.extra, self.positions)


# -- reading ----------------------------------------------------------------------------------


def decode(data: bytes) -> Contents:
    """Parse and validate a state file; raises `DamagedFile` or `NewerSchema`."""
    # A BOM is how some Windows editors save UTF-8; the content behind it is intact.
    data = data.removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DamagedFile(
            f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        ) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DamagedFile(f"not valid TOML: {exc}") from None
    version = doc.get("schema_version")
    if version is None:
        # An empty or cut-off file parses as {}: that is damage, not "no bookmarks".
        raise DamagedFile("no schema_version (empty or cut-off file)")
    if type(version) is not int or version < 1:
        raise DamagedFile(f"schema_version is {version!r}, not a positive integer")
    if version > SCHEMA_VERSION:
        try:
            contents: Contents | None = _contents(doc)
        except DamagedFile:
            contents = None
        raise NewerSchema(version, contents)
    return _contents(doc)


def _contents(doc: dict[str, Any]) -> Contents:
    read_table = _table(doc.get("read", {}), "read")
    read = {key: _datetime(value, f"read.{key}") for key, value in read_table.items()}
    bookmarks_table = _table(doc.get("bookmarks", {}), "bookmarks")
    bookmarks = {key: decode_bookmark(key, value) for key, value in bookmarks_table.items()}
    extra = {key: value for key, value in doc.items() if key not in TOP_KEYS}
    places = _table(doc.get("positions", {}), "positions")
    positions = {key: _offset(value, f"positions.{key}") for key, value in places.items()}
    return Contents(read, bookmarks, extra, positions)


def _offset(value: object, where: str) -> int:
    if type(value) is not int or value < 0:
        found = repr(value) if type(value) is int else _toml_type(value)
        raise DamagedFile(f"{where}: expected a non-negative integer, found {found}")
    return value


def decode_bookmark(paper_id: str, value: object) -> Bookmark:
    """The bookmark a ``bookmarks.<paper_id>`` table reads as; raises `DamagedFile`."""
    return _bookmark(paper_id, _table(value, f"bookmarks.{paper_id}"))


def _bookmark(paper_id: str, table: dict[str, Any]) -> Bookmark:
    where = f"bookmarks.{paper_id}"
    if "added_at" not in table:
        raise DamagedFile(f"{where}: no added_at")
    tags = _check(table.get("tags", []), "strs", f"{where}.tags")
    note = _check(table.get("note", ""), "str", f"{where}.note")
    cite_key = (
        _check(table["cite_key"], "str", f"{where}.cite_key") if "cite_key" in table else None
    )
    incomplete = table.get("incomplete", False)
    if type(incomplete) is not bool:
        raise DamagedFile(f"{where}.incomplete: expected true or false")
    # A hand-added bookmark may have no snapshot at all: it is incomplete until looked up.
    paper_table = _table(table.get("paper", {}), f"{where}.paper")
    fields: dict[str, Any] = {"id": paper_id, "title": "", "authors": [], "abstract": ""}
    unknown: dict[str, Any] = {}
    for key, value in paper_table.items():
        kind = _PAPER_KINDS.get(key)
        if kind is not None:
            value = _check(value, kind, f"{where}.paper.{key}")
            fields[key] = value.isoformat() if isinstance(value, dt.date) else value
        elif key not in _PAPER_DERIVED:
            unknown[key] = value
    extra = {key: value for key, value in table.items() if key not in _BOOKMARK_KEYS}
    if unknown:
        extra["paper"] = unknown  # "paper" is a known key, so this slot cannot collide
    return Bookmark(
        paper=Paper.from_json(fields),
        added_at=_datetime(table["added_at"], f"{where}.added_at"),
        tags=tuple(tags),
        note=note,
        cite_key=cite_key,
        incomplete=incomplete or "paper" not in table,
        extra=extra,
    )


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DamagedFile(f"{where}: expected a table, found {_toml_type(value)}")
    return value


def _check(value: Any, kind: str, where: str) -> Any:
    if kind == "str":
        ok = isinstance(value, str)
    elif kind == "int":
        ok = type(value) is int
    elif kind == "strs":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif kind == "date":
        ok = type(value) is dt.date
    else:
        return _datetime(value, where)
    if not ok:
        raise DamagedFile(f"{where}: expected {_WANTED[kind]}, found {_toml_type(value)}")
    return value


_WANTED = {"str": "a string", "int": "an integer", "strs": "a list of strings", "date": "a date"}


def _datetime(value: object, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is dt.UTC else _utc(value)
    raise DamagedFile(f"{where}: expected a date-time, found {_toml_type(value)}")


def _utc(value: dt.datetime) -> dt.datetime:
    # A local date-time (no offset) from a hand edit is read as UTC, like everything we write.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _toml_type(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
        dt.datetime: "a date-time",
        dt.date: "a date",
        dt.time: "a time",
    }
    return names.get(type(value), type(value).__name__)


# -- writing ----------------------------------------------------------------------------------


def bookmark_document(bookmark: Bookmark) -> dict[str, Any]:
    """A bookmark as the TOML table written for it (None dropped, surrogates replaced)."""
    return _Cleaner().table(bookmark_table(bookmark))


def bookmark_table(bookmark: Bookmark) -> dict[str, Any]:
    """A bookmark's table as written, before `toml_bytes` cleans it."""
    doc: dict[str, Any] = {"added_at": _utc(bookmark.added_at), "tags": list(bookmark.tags)}
    if bookmark.note:
        doc["note"] = bookmark.note
    if bookmark.cite_key is not None:
        doc["cite_key"] = bookmark.cite_key
    if bookmark.incomplete:
        doc["incomplete"] = True
    extra = bookmark.extra
    doc.update((k, extra[k]) for k in sorted(extra) if k not in _BOOKMARK_KEYS)
    paper = bookmark.paper
    snapshot = paper.to_json()
    del snapshot["id"]
    snapshot.update(
        feed_day=paper.feed_day,
        published=paper.published,
        fetched_at=_utc(paper.fetched_at) if paper.fetched_at else None,
    )
    unknown = extra.get("paper")
    if isinstance(unknown, Mapping):
        snapshot.update((k, unknown[k]) for k in sorted(unknown) if k not in snapshot)
    doc["paper"] = snapshot
    return doc


def toml_bytes(doc: Mapping[str, Any]) -> bytes:
    """`doc` cleaned (see `_Cleaner`) and dumped by tomli-w, as UTF-8."""
    cleaner = _Cleaner()
    doc = cleaner.table(doc)
    # Notes and abstracts with line breaks stay readable as multi-line strings, except that
    # tomli-w writes CRLF in one as LF: text with a CRLF is written with escapes instead.
    import tomli_w  # with the first write: a load (the reader's first frame) needs neither

    return tomli_w.dumps(doc, multiline_strings=not cleaner.crlf).encode()


class _Cleaner:
    """One pass over a document before writing: TOML has no null and UTF-8 no lone
    surrogates, so None is dropped and surrogates are replaced; CRLF is noticed."""

    def __init__(self) -> None:
        self.crlf = False

    def table(self, table: Mapping[Any, Any]) -> dict[str, Any]:
        return {self.text(str(k)): self.value(v) for k, v in table.items() if v is not None}

    def value(self, value: Any) -> Any:
        kind = type(value)  # exact types first: this runs for every value of every bookmark
        if kind is str:
            return self.text(value)
        if kind is dict or isinstance(value, Mapping):
            return self.table(value)
        if kind is list or kind is tuple:
            return [self.value(v) for v in value if v is not None]
        return self.text(value) if isinstance(value, str) else value

    def text(self, text: str) -> str:
        from paperterm.clean import replace_surrogates

        if "\r\n" in text:
            self.crlf = True
        return replace_surrogates(text)


def utc_second(at: dt.datetime) -> dt.datetime:
    """`at` in UTC, to the whole second (a naive time is taken as UTC)."""
    # Whole seconds in UTC: what the file shows is exactly what is in memory.
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return at.replace(microsecond=0)
