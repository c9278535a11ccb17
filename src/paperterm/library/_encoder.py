"""The state file's encoder: a whole state to the bytes of `state.toml`, reusing the text of
every bookmark and read mark that did not change since the last save.

What it writes is exactly what one `tomli_w.dumps` of the whole document (`paperterm.library.tomlfile`
gives the layout) would give, so reuse never changes the file. The order is the head (schema
version and unknown keys), the bookmarks, the reading positions, the read marks. For the parse cache
(`paperterm.library._parsecache`) it also keeps track of what its text reads back as: a bookmark's text
is a run of complete tables, so on its own it reads exactly as it does inside the file.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from typing import Any

from paperterm.library._parsecache import bookmark_record, read_payload, tagged, top_line
from paperterm.library.tomlfile import (
    SCHEMA_VERSION,
    TOP_KEYS,
    Contents,
    DamagedFile,
    UnwritableValue,
    bookmark_table,
    decode_bookmark,
    toml_bytes,
)
from paperterm.models import Bookmark

_NO_POSITIONS: Mapping[str, int] = {}
_TABLES = TOP_KEYS - {"schema_version"}  # never in a head


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
        # The reading positions last encoded, their text, and whether that text reads back as
        # exactly them (a small table: it is written whole whenever it changes).
        self._positions: dict[str, int] = {}
        self._positions_text = b""
        self._positions_exact = True

    def encode(
        self,
        read: Mapping[str, dt.datetime],
        bookmarks: Mapping[str, Bookmark],
        extra: Mapping[str, Any],
        positions: Mapping[str, int] = _NO_POSITIONS,
    ) -> bytes:
        """The file's bytes; raises `UnwritableValue` before any file is touched."""
        try:
            return self._encode(read, bookmarks, extra, positions)
        except (TypeError, ValueError) as exc:
            raise UnwritableValue(f"a value cannot be written as TOML: {exc}") from exc

    def prime(
        self,
        read: Mapping[str, dt.datetime],
        bookmarks: Mapping[str, Bookmark],
        extra: Mapping[str, Any],
        data: bytes,
        positions: Mapping[str, int] = _NO_POSITIONS,
    ) -> None:
        """Encode a state just parsed from `data` and learn which leading parts of `data` are
        exactly that encoding: after a head and bookmarks that match byte for byte, the parser
        stands at a table boundary, so each matching bookmark's text reads as the bookmark
        parsed from it. Costs one encode, which the first save needs anyway."""
        try:
            self._encode(read, bookmarks, extra, positions)
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
        tail = self._positions_text + (b"\n[read]\n" + self._read_text if read else b"")
        if data[pos:] == tail:
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
            if self._unsettled or self._odd or not self._positions_exact:
                return None
            records = []
            for key, chunk in self._bookmarks.items():
                if chunk.decoded is None and not chunk.unreadable and budget > 0:
                    budget -= len(chunk.text)
                    chunk.read_back(key)
                if chunk.decoded is None:
                    return None
                if chunk.record is None:
                    chunk.record = bookmark_record(chunk.decoded, len(chunk.text), chunk.canonical)
                records.append(chunk.record)
            top = top_line(len(self._head), extra, self._read_order, self._read, self._positions)
        except (TypeError, ValueError, RecursionError):
            return None
        return b"\n".join([top, *records])

    def restore(self, payload: bytes, data: bytes) -> tuple[Contents, bool] | None:
        """The state a cache payload holds for `data` (the file it was keyed on), and whether
        this encoder now starts from the text of `data`. None, with nothing changed, when the
        payload does not fit."""
        try:
            found = read_payload(payload)
            if found.head is None:
                return found.contents, False
            self._seed(found.contents, data, found.head, found.layout, found.lines)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError):
            return None
        return found.contents, True

    # -- internals ----------------------------------------------------------------------------

    def _encode(
        self,
        read: Mapping[str, dt.datetime],
        bookmarks: Mapping[str, Bookmark],
        extra: Mapping[str, Any],
        positions: Mapping[str, int],
    ) -> bytes:
        self._head = None
        head: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        head.update((k, extra[k]) for k in sorted(extra) if k not in TOP_KEYS)
        # tomli-w writes plain values first, then tables in order, each table after a blank
        # line; bookmarks and read go last so the part people read sits at the top.
        head_text = toml_bytes(head)
        parts = [head_text]
        parts.extend(chunk.text for chunk in self._bookmark_chunks(bookmarks))
        parts.append(self._positions_part(positions))
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
            new = dict(zip(changed, toml_bytes(changed).splitlines(True), strict=True))
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

    def _positions_part(self, positions: Mapping[str, int]) -> bytes:
        # A handful of lines, one per paper read in the view: written whole when they change,
        # and read back once then, so the cache only ever holds what the text reads as.
        ordered = {key: positions[key] for key in sorted(positions)}
        if ordered == self._positions and list(ordered) == list(self._positions):
            return self._positions_text
        self._positions, self._positions_text, self._positions_exact = _positions_text(ordered)
        return self._positions_text

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
            if doc.get("schema_version") != SCHEMA_VERSION or doc.keys() & _TABLES:
                raise ValueError("not a head this version writes")
            extra = {key: value for key, value in doc.items() if key not in TOP_KEYS}
            self._head_extra = (head, tagged(extra))
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
        # A payload with a layout is only ever made from text that read back exactly.
        positions, positions_text, exact = _positions_text(contents.positions, read_back=False)
        if list(positions) != list(contents.positions):
            raise ValueError("reading positions not in file order")
        if not data.startswith(positions_text, pos):
            raise ValueError("reading positions not where the cache says")
        pos += len(positions_text)
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
        self._positions, self._positions_text, self._positions_exact = (
            positions,
            positions_text,
            exact,
        )
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
            decoded = decode_bookmark(key, tables[key])
            canonical = _chunk_text(key, decoded) == self.text
        except (TypeError, ValueError, RecursionError):
            self.unreadable = True
            return
        self.decoded, self.canonical = decoded, canonical


def _positions_text(
    positions: Mapping[str, int], *, read_back: bool = True
) -> tuple[dict[str, int], bytes, bool]:
    """The reading positions in file order, their text, and whether that text reads back as
    exactly them (a key tomli-w writes oddly would not); without `read_back`, known to."""
    ordered = {key: positions[key] for key in sorted(positions)}
    text = b"\n" + toml_bytes({"positions": ordered}) if ordered else b""
    if not read_back:
        return ordered, text, True
    try:
        found = tomllib.loads(text.decode()).get("positions", {}) if text else {}
    except ValueError:
        return ordered, text, False
    exact = list(found) == list(ordered) and all(
        type(found[key]) is int and found[key] == value for key, value in ordered.items()
    )
    return ordered, text, exact


def _chunk_text(key: str, bookmark: Bookmark) -> bytes:
    return b"\n" + toml_bytes({"bookmarks": {key: bookmark_table(bookmark)}})


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


_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _header(key: str) -> bytes:
    """How a bookmark's text starts, as far as it is easy to know (tomli-w's key rules)."""
    if key and _BARE_KEY_CHARS.issuperset(key):
        return f"\n[bookmarks.{key}]\n".encode()
    if key.isprintable() and '"' not in key and "\\" not in key:
        return f'\n[bookmarks."{key}"]\n'.encode()
    return b"\n[bookmarks."
