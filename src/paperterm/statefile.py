"""`state.toml` on disk: its TOML layout, strict reading, and safe writing.

This module owns the bytes of the state file and of its parse cache; `paperterm.atomic` puts
them on disk and `paperterm.state` owns what they mean over time (operations, merging, undo).
Nothing here keeps state between calls except the encoder's memory of its own text.

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

    [read]
    "2403.01234" = 2026-08-21 15:00:00+00:00

Keys this version does not know, at the top level, inside a bookmark or inside its paper
table, are kept and written back. Reading is strict: anything that does not fit is reported as
`DamagedFile` with the place it went wrong, so the caller can move the file aside rather than
guess and later overwrite what the user wrote.

Writing goes through `paperterm.atomic` (temp file, fsync, rename, fsync the directory).

Reading a large file with tomllib is the slow part of starting up, so a *parse cache* may sit
beside it (in the user cache directory): the state the file reads as, keyed on the SHA-256 of
its exact bytes, as JSON lines with an explicit layout (never pickle: the cache runs no code).
It also records where each bookmark's text lies in the file, so the first save of a process
can reuse that text instead of encoding everything again. The cache only ever holds what
parsing those bytes gives: for text the encoder wrote, by parsing the parts that changed on
their own (a bookmark's text is a run of complete tables, so on its own it reads exactly as
it does inside the file), or by checking that encoding a freshly parsed state gives the file
back byte for byte. A cache that does not check out is ignored, and the file is parsed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from typing import Any, NamedTuple

import tomli_w

from paperterm import __version__
from paperterm.models import Bookmark, Paper

SCHEMA_VERSION = 1

_BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BOOKMARK_KEYS = frozenset({"added_at", "tags", "note", "cite_key", "incomplete", "paper"})
_TOP_KEYS = frozenset({"schema_version", "bookmarks", "read"})
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


class Contents(NamedTuple):
    """What a state file holds: read marks, bookmarks, and keys this version does not know."""

    read: dict[str, dt.datetime]
    bookmarks: dict[str, Bookmark]
    extra: dict[str, Any]


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
    bookmarks = {
        key: _bookmark(key, _table(value, f"bookmarks.{key}"))
        for key, value in bookmarks_table.items()
    }
    extra = {key: value for key, value in doc.items() if key not in _TOP_KEYS}
    return Contents(read, bookmarks, extra)


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


class Encoder:
    """Serialises state to the exact bytes `tomli_w.dumps` would give for the whole document,
    but keeps the encoded text of every bookmark and read mark: a save after one keypress
    costs a set difference, a sort and a join, not a full dump.

    For the parse cache it also learns what its text reads back as (`image`), can start from
    the text of a file instead of encoding it (`restore`), and can find out whether a file it
    did not write is exactly its own encoding of what was read from it (`prime`)."""

    def __init__(self) -> None:
        self._bookmarks: dict[str, _Chunk] = {}
        self._read: dict[str, dt.datetime] = {}  # what `_read_text` was made from
        self._read_lines: dict[str, bytes] = {}
        self._read_order: list[str] = []  # the keys of `_read_lines`, sorted
        self._read_text = b""
        # Read marks whose line has not been read back yet, and those whose line reads back
        # as something else than what it was made from (the cache waits until they change).
        self._unsettled: set[str] = set()
        self._odd: set[str] = set()
        self._head: bytes | None = None  # the plain values of the last encoding
        self._head_extra: tuple[bytes, Any] | None = None  # a head and its extra keys, tagged

    def encode(
        self,
        read: Mapping[str, dt.datetime],
        bookmarks: Mapping[str, Bookmark],
        extra: Mapping[str, Any],
    ) -> bytes:
        """The file's bytes; raises `UnwritableValue` before any file is touched."""
        try:
            return self._encode(read, bookmarks, extra)
        except (TypeError, ValueError) as exc:
            raise UnwritableValue(f"a value cannot be written as TOML: {exc}") from exc

    def prime(
        self,
        read: Mapping[str, dt.datetime],
        bookmarks: Mapping[str, Bookmark],
        extra: Mapping[str, Any],
        data: bytes,
    ) -> None:
        """Encode a state just parsed from `data` and learn which leading parts of `data` are
        exactly that encoding: after a head and bookmarks that match byte for byte, the parser
        stands at a table boundary, so each matching bookmark's text reads as the bookmark
        parsed from it. Costs one encode, which the first save needs anyway."""
        try:
            self._encode(read, bookmarks, extra)
        except (TypeError, ValueError):
            return  # the save will report it
        head = self._head or b""
        if not data.startswith(head):
            return
        pos = len(head)
        for key, chunk in self._bookmarks.items():
            if not data.startswith(chunk.text, pos):
                return
            chunk.source = bookmarks[key]
            if chunk.decoded is None and not chunk.unreadable:
                chunk.decoded, chunk.canonical = bookmarks[key], True
            pos += len(chunk.text)
        if data[pos:] == (b"\n[read]\n" + self._read_text if read else b""):
            self._unsettled.clear()
            self._odd.clear()

    def image(self, budget: int = 32 * 1024) -> bytes | None:
        """The cache payload for the bytes `encode` returned last: the state they read as and
        where each bookmark's text lies in them. None while some part has not been read back:
        at most about `budget` bytes are parsed per call, so after a bulk change the cache
        catches up over the next few saves instead of slowing one down."""
        if self._head is None:
            return None
        try:
            extra = self._extra_of(self._head)
            if self._unsettled:
                budget -= self._settle(budget)
            if self._unsettled or self._odd:
                return None
            records = []
            for key, chunk in self._bookmarks.items():
                if chunk.decoded is None and not chunk.unreadable and budget > 0:
                    budget -= len(chunk.text)
                    chunk.read_back(key)
                if chunk.decoded is None:
                    return None
                if chunk.record is None:
                    chunk.record = _record(chunk.decoded, len(chunk.text), chunk.canonical)
                records.append(chunk.record)
            top = _top_line(len(self._head), extra, self._read_order, self._read)
        except (TypeError, ValueError, RecursionError):
            return None
        return b"\n".join([top, *records])

    def restore(self, payload: bytes, data: bytes) -> tuple[Contents, bool] | None:
        """The state a cache payload holds for `data` (the file it was keyed on), and whether
        this encoder now starts from the text of `data`. None, with nothing changed, when the
        payload does not fit."""
        try:
            top_line, *lines = payload.split(b"\n")
            top = json.loads(top_line)
            records = json.loads(b"[" + b",".join(lines) + b"]")
            if type(top) is not dict or type(records) is not list:
                return None
            read = _read_marks(top["read"], top["at"], top["stamps"])
            extra = _untagged_table(top["extra"])
            bookmarks: dict[str, Bookmark] = {}
            layout: list[tuple[str, Any, Any]] = []
            for record in records:
                key, bookmark, length, canonical = _from_record(record)
                bookmarks[key] = bookmark
                layout.append((key, length, canonical))
            if len(bookmarks) != len(records):
                return None
            contents = Contents(read, bookmarks, extra)
            if top["head"] is None:
                return contents, False
            self._seed(contents, data, top["head"], layout, lines)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError):
            return None
        return contents, True

    # -- internals ----------------------------------------------------------------------------

    def _encode(
        self,
        read: Mapping[str, dt.datetime],
        bookmarks: Mapping[str, Bookmark],
        extra: Mapping[str, Any],
    ) -> bytes:
        self._head = None
        head: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        head.update((k, extra[k]) for k in sorted(extra) if k not in _TOP_KEYS)
        # tomli-w writes plain values first, then tables in order, each table after a blank
        # line; bookmarks and read go last so the part people read sits at the top.
        head_text = _dumps(head)
        parts = [head_text]
        parts.extend(chunk.text for chunk in self._bookmark_chunks(bookmarks))
        if read:
            parts.append(b"\n[read]\n")
            parts.append(self._read_part(read))
        self._head = head_text
        return b"".join(parts)

    def _bookmark_chunks(self, bookmarks: Mapping[str, Bookmark]) -> list[_Chunk]:
        cache: dict[str, _Chunk] = {}
        for key in sorted(bookmarks):
            bookmark = bookmarks[key]
            hit = self._bookmarks.get(key)
            # Bookmark equality ignores `extra`, which we must write too; equal values (as after
            # re-reading a file another instance wrote) reuse the text like identical ones.
            if hit is None or not (hit.source is bookmark or _same(hit.source, bookmark)):
                hit = _Chunk(bookmark, _chunk_text(key, bookmark))
            hit.source = bookmark
            cache[key] = hit
        self._bookmarks = cache
        return list(cache.values())

    def _read_part(self, read: Mapping[str, dt.datetime]) -> bytes:
        # Set operations on dict views run in C: cheap even for 10,000 marks.
        changed = dict(read.items() - self._read.items())
        removed = self._read.keys() - read.keys()
        if not (changed or removed):
            return self._read_text
        new: dict[str, bytes] = {}
        if changed:
            # One dump for every new mark: each `key = date-time` entry is exactly one line.
            new = dict(zip(changed, _dumps(changed).splitlines(True), strict=True))
        lines = self._read_lines
        for key in removed:
            del lines[key]
        lines.update(new)
        touched = removed | changed.keys()
        self._odd -= touched
        self._unsettled -= removed
        self._unsettled |= changed.keys()
        self._read = dict(read)
        self._read_order = sorted(lines)
        self._read_text = b"".join([lines[key] for key in self._read_order])
        return self._read_text

    def _settle(self, budget: int) -> int:
        # Parse new lines on their own (each is a complete `key = value`), about `budget` bytes
        # of them: a line is settled when it reads back as exactly the UTC date-time it was made
        # from, so the read marks in memory are what the file reads as. Returns the bytes read.
        keys: list[str] = []
        size = 0
        for key in self._unsettled:
            if keys and size + len(self._read_lines[key]) > budget:
                break
            keys.append(key)
            size += len(self._read_lines[key])
        self._unsettled.difference_update(keys)
        try:
            doc = tomllib.loads(b"".join([self._read_lines[k] for k in keys]).decode())
        except ValueError:
            self._odd.update(keys)
            return size
        if len(doc) != len(keys):
            self._odd.update(keys)
            return size
        for key in keys:
            found, made = doc.get(key), self._read[key]
            if not (
                type(found) is dt.datetime
                and found.tzinfo is dt.UTC
                and made.tzinfo is dt.UTC
                and found == made
            ):
                self._odd.add(key)
        return size

    def _extra_of(self, head: bytes) -> Any:
        if self._head_extra is None or self._head_extra[0] != head:
            doc = tomllib.loads(head.decode())
            if doc.get("schema_version") != SCHEMA_VERSION or doc.keys() & {"bookmarks", "read"}:
                raise ValueError("not a head this version writes")
            extra = {key: value for key, value in doc.items() if key not in _TOP_KEYS}
            self._head_extra = (head, _tagged(extra))
        return self._head_extra[1]

    def _seed(
        self,
        contents: Contents,
        data: bytes,
        head: Any,
        layout: list[tuple[str, Any, Any]],
        lines: list[bytes],
    ) -> None:
        # Cut `data` where the cache says each part lies, checking what can be checked cheaply;
        # anything off raises and the whole cache is ignored.
        if type(head) is not int or head < 0:
            raise ValueError("bad head length")
        keys = list(contents.bookmarks)
        if keys != sorted(keys) or list(contents.read) != sorted(contents.read):
            raise ValueError("not in file order")
        pos, chunks = head, {}
        for (key, length, canonical), line in zip(layout, lines, strict=True):
            if type(length) is not int or type(canonical) is not bool:
                raise ValueError("bad layout")
            text = data[pos : pos + length]
            if len(text) != length or not text.startswith(_header(key)):
                raise ValueError("bookmark text not where the cache says")
            if canonical:
                chunk = chunks[key] = _Chunk(contents.bookmarks[key], text)
                chunk.decoded, chunk.canonical, chunk.record = chunk.source, True, line
            pos += length
        if contents.read and not data.startswith(b"\n[read]\n", pos):
            raise ValueError("read marks not where the cache says")
        read_text = data[pos + 8 :] if contents.read else data[pos:]
        read_lines = read_text.splitlines(True)
        if len(read_lines) != len(contents.read):
            raise ValueError("read marks not where the cache says")
        self._bookmarks = chunks
        self._read = dict(contents.read)
        self._read_order = list(contents.read)
        self._read_lines = dict(zip(contents.read, read_lines, strict=True))
        self._read_text = read_text
        self._unsettled, self._odd, self._head = set(), set(), None


class _Chunk:
    """One bookmark's text, and (once known) what that text reads back as."""

    __slots__ = ("canonical", "decoded", "record", "source", "text", "unreadable")

    def __init__(self, source: Bookmark, text: bytes) -> None:
        self.source = source  # what the text was made from, or an equal bookmark
        self.text = text
        self.decoded: Bookmark | None = None  # what reading `text` gives
        self.canonical = False  # encoding `decoded` gives `text` again
        self.unreadable = False  # `text` does not read back as one bookmark under its key
        self.record: bytes | None = None  # `decoded` as a cache line

    def read_back(self, key: str) -> None:
        """Find `decoded` by parsing the text on its own: it is a run of complete tables,
        which reads exactly as it does inside the whole file."""
        try:
            doc = tomllib.loads(self.text.decode())
            tables = doc.get("bookmarks")
            if list(doc) != ["bookmarks"] or not isinstance(tables, dict) or list(tables) != [key]:
                raise DamagedFile(f"bookmarks.{key}: does not read back under its key")
            decoded = _bookmark(key, _table(tables[key], f"bookmarks.{key}"))
            canonical = _chunk_text(key, decoded) == self.text
        except (TypeError, ValueError, RecursionError):
            self.unreadable = True
            return
        self.decoded, self.canonical = decoded, canonical


def _chunk_text(key: str, bookmark: Bookmark) -> bytes:
    return b"\n" + _dumps({"bookmarks": {key: _bookmark_table(bookmark)}})


def _same(a: Bookmark, b: Bookmark) -> bool:
    return a == b and _identical(a.extra, b.extra)


def _identical(a: Any, b: Any) -> bool:
    # Written the same: `==` says 1 == 1.0 == True and ignores key order and UTC offsets.
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_identical(v, b[k]) for k, v in a.items())
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return bool(a.hex() == b.hex())
    if isinstance(a, dt.date | dt.time):
        return bool(a.isoformat() == b.isoformat())  # offsets and microseconds too
    return bool(a == b)


def bookmark_document(bookmark: Bookmark) -> dict[str, Any]:
    """A bookmark as the TOML table written for it (None dropped, surrogates replaced)."""
    return _Cleaner().table(_bookmark_table(bookmark))


def _bookmark_table(bookmark: Bookmark) -> dict[str, Any]:
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


def _dumps(doc: Mapping[str, Any]) -> bytes:
    cleaner = _Cleaner()
    doc = cleaner.table(doc)
    # Notes and abstracts with line breaks stay readable as multi-line strings, except that
    # tomli-w writes CRLF in one as LF: text with a CRLF is written with escapes instead.
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
        if "\r\n" in text:
            self.crlf = True
        if text.isascii() or not _SURROGATE.search(text):
            return text
        return _SURROGATE.sub("\ufffd", text)


# -- the parse cache --------------------------------------------------------------------------
# JSON lines: the first holds the head's extra keys (tagged, see `_tagged`), the read marks
# (ids in file order, each with an index into a list of distinct times) and the head's length;
# then one line per bookmark in file order, its fields by position (`_record`), ending with the
# length of its text in the file and whether that text may be reused as it is. A cache made
# from a file this version did not write has no layout (head length null): it gives the state
# only. Change CACHE_VERSION whenever any of this, or what `decode` makes of a file, changes.

CACHE_KIND = "paperterm state cache"
CACHE_VERSION = 1
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
        top = _top_line(None, _tagged(contents.extra), list(contents.read), contents.read)
        records = [_record(bookmark, None, False) for bookmark in contents.bookmarks.values()]
    except (TypeError, ValueError, RecursionError):
        return None
    return b"\n".join([top, *records])


def _json(value: Any) -> bytes:
    # No raw newline can appear in the output, so one record is one line.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _top_line(
    head: int | None, extra: Any, keys: list[str], read: Mapping[str, dt.datetime]
) -> bytes:
    index: dict[dt.datetime, int] = {}
    at = [index.setdefault(read[key], len(index)) for key in keys]
    stamps = [_instant_text(when) for when in index]
    return _json({"head": head, "extra": extra, "read": keys, "at": at, "stamps": stamps})


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


def _record(bookmark: Bookmark, length: int | None, canonical: bool) -> bytes:
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
            _tagged(bookmark.extra) if bookmark.extra else None,
            length,
            canonical,
        ]
    )


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
        {} if extra is None else _untagged_table(extra),
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


_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _header(key: str) -> bytes:
    """How a bookmark's text starts, as far as it is easy to know (tomli-w's key rules)."""
    if key and _BARE_KEY_CHARS.issuperset(key):
        return f"\n[bookmarks.{key}]\n".encode()
    if key.isprintable() and '"' not in key and "\\" not in key:
        return f'\n[bookmarks."{key}"]\n'.encode()
    return b"\n[bookmarks."


# Unknown keys hold any TOML value. JSON has strings, integers and booleans as they are;
# everything else is a one-key object naming its type, so nothing is ambiguous: a table
# {"t": {...}}, an array {"a": [...]}, a float {"f": hex}, a date-time {"dt": iso}, a date
# {"d": iso}, a time {"tm": iso}.


def _tagged(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise ValueError("a table key that is not a string")
        return {"t": {k: _tagged(v) for k, v in value.items()}}
    if kind is list:
        return {"a": [_tagged(v) for v in value]}
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


def _untagged_table(value: Any) -> dict[str, Any]:
    table = _untagged(value)
    if type(table) is not dict:
        raise ValueError("not a table")
    return table
