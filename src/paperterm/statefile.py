"""`state.toml` on disk: its TOML layout, strict reading, and safe writing.

This module owns bytes and files; `paperterm.state` owns what they mean over time (operations,
merging, undo). Nothing here keeps state between calls except the encoder's text cache.

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

Writing: the bytes are produced first (nothing is touched if that fails) and written to a temp
file beside the real file (a symlink is followed, so a dotfiles link stays a link), flushed
and fsynced; the previous file becomes ``state.toml.bak`` (a hard link, no copy), the temp
file is renamed over the real one with ``os.replace``, and the directory is fsynced. Readers
see the old file or the new one, never a mix; a killed writer leaves at most a temp file,
which the next start removes under the lock.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import re
import secrets
import tempfile
import time
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NamedTuple

import tomli_w

from paperterm.models import Bookmark, Paper

SCHEMA_VERSION = 1

_BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BOOKMARK_KEYS = frozenset({"added_at", "tags", "note", "cite_key", "incomplete", "paper"})
_TOP_KEYS = frozenset({"schema_version", "bookmarks", "read"})
# The paper snapshot: Paper.to_json() keys and the TOML type each must have on reading.
_PAPER_KINDS: dict[str, str] = {
    "title": "str", "authors": "strs", "author_count": "int", "abstract": "str",
    "upvotes": "int", "comments": "int", "feed_day": "date", "published": "date",
    "github": "str", "stars": "int", "project_page": "str", "ai_summary": "str",
    "ai_keywords": "strs", "organization": "str", "submitter": "str", "fetched_at": "datetime",
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


Signature = tuple[int, int, int, int, int]


# -- reading ----------------------------------------------------------------------------------


def decode(data: bytes) -> Contents:
    """Parse and validate a state file; raises `DamagedFile` or `NewerSchema`."""
    # A BOM is how some Windows editors save UTF-8; the content behind it is intact.
    data = data.removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DamagedFile(f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}") from None
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
    cite_key = _check(table["cite_key"], "str", f"{where}.cite_key") if "cite_key" in table else None
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
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
             list: "an array", dict: "a table", dt.datetime: "a date-time", dt.date: "a date",
             dt.time: "a time"}
    return names.get(type(value), type(value).__name__)


# -- writing ----------------------------------------------------------------------------------


class Encoder:
    """Serialises state to the exact bytes `tomli_w.dumps` would give for the whole document,
    but keeps the encoded text of every bookmark and read mark: a save after one keypress
    costs a set difference, a sort and a join, not a full dump."""

    def __init__(self) -> None:
        self._bookmarks: dict[str, tuple[Bookmark, bytes]] = {}
        self._read: dict[str, dt.datetime] = {}  # what `_read_text` was made from
        self._read_lines: dict[str, bytes] = {}
        self._read_text = b""

    def encode(
        self, read: Mapping[str, dt.datetime], bookmarks: Mapping[str, Bookmark],
        extra: Mapping[str, Any],
    ) -> bytes:
        """The file's bytes; raises `UnwritableValue` before any file is touched."""
        try:
            return self._encode(read, bookmarks, extra)
        except (TypeError, ValueError) as exc:
            raise UnwritableValue(f"a value cannot be written as TOML: {exc}") from exc

    def _encode(
        self, read: Mapping[str, dt.datetime], bookmarks: Mapping[str, Bookmark],
        extra: Mapping[str, Any],
    ) -> bytes:
        head: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        head.update((k, extra[k]) for k in sorted(extra) if k not in _TOP_KEYS)
        # tomli-w writes plain values first, then tables in order, each table after a blank
        # line; bookmarks and read go last so the part people read sits at the top.
        parts = [_dumps(head)]
        parts.extend(self._bookmark_chunks(bookmarks))
        if read:
            parts.append(b"\n[read]\n")
            parts.append(self._read_part(read))
        return b"".join(parts)

    def _bookmark_chunks(self, bookmarks: Mapping[str, Bookmark]) -> list[bytes]:
        cache, chunks = {}, []
        for key in sorted(bookmarks):
            bookmark = bookmarks[key]
            hit = self._bookmarks.get(key)
            # Bookmark equality ignores `extra`, which we must write too; equal values (as after
            # re-reading a file another instance wrote) reuse the text like identical ones.
            if hit is None or not (hit[0] is bookmark or _same(hit[0], bookmark)):
                hit = (bookmark, b"\n" + _dumps({"bookmarks": {key: _bookmark_table(bookmark)}}))
            cache[key] = hit
            chunks.append(hit[1])
        self._bookmarks = cache
        return chunks

    def _read_part(self, read: Mapping[str, dt.datetime]) -> bytes:
        # Set operations on dict views run in C: cheap even for 10,000 marks.
        changed = dict(read.items() - self._read.items())
        removed = self._read.keys() - read.keys()
        if not (changed or removed):
            return self._read_text
        lines = self._read_lines
        for key in removed:
            del lines[key]
        if changed:
            # One dump for every new mark: each `key = date-time` entry is exactly one line.
            text = _dumps(changed)
            lines.update(zip(changed, text.splitlines(True), strict=True))
        self._read = dict(read)
        self._read_text = b"".join([lines[key] for key in sorted(lines)])
        return self._read_text


def _same(a: Bookmark, b: Bookmark) -> bool:
    return a == b and a.extra == b.extra


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
    snapshot.update(feed_day=paper.feed_day, published=paper.published,
                    fetched_at=_utc(paper.fetched_at) if paper.fetched_at else None)
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


# -- files ------------------------------------------------------------------------------------


def real_path(path: Path) -> Path:
    """The file a save must replace: a symlink's target, so the link itself survives."""
    return Path(os.path.realpath(path))


def signature(path: Path) -> Signature | None:
    """Identity and version of a file, to tell whether someone replaced it since we read it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def read_bytes(path: Path) -> tuple[bytes, Signature] | None:
    """The file's bytes and the signature of exactly what was read; None when missing."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
            st = os.fstat(handle.fileno())
    except FileNotFoundError:
        return None
    return data, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def atomic_write(target: Path, data: bytes, *, backup: Path | None = None) -> None:
    """Replace `target` with `data` so that readers see the old or the new file, never a mix.

    An existing file keeps its mode; a new one is 0600 (a reading list is private). When
    `backup` is given and `target` exists, the old file becomes `backup` (a hard link, so it
    costs no copy). On any error the temp file is removed and `target` is untouched."""
    directory = target.parent
    try:
        mode: int | None = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, temp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=directory)
    try:
        with open(fd, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if backup is not None and mode is not None:
            _link_over(target, backup)
        os.replace(temp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_dir(directory)


def _link_over(source: Path, link: Path) -> None:
    # os.link refuses to overwrite, so link under a fresh temp name and rename over `link`.
    temp = link.parent / f"{_temp_prefix(source)}{secrets.token_hex(6)}.tmp"
    try:
        os.link(source, temp)
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
            return  # no hard links on this file system: we go without a backup
        raise
    try:
        os.replace(temp, link)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (ext4 and others lose it on power cut otherwise)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def move_aside(target: Path, stamp: str) -> Path:
    """Rename a damaged file to ``<name>.corrupt-<stamp>`` (``-2``, ``-3`` ... when taken),
    never replacing an earlier one. Call with the lock held."""
    for n in range(1, 1000):
        aside = target.with_name(f"{target.name}.corrupt-{stamp}" + (f"-{n}" if n > 1 else ""))
        try:
            os.link(target, aside)  # fails if `aside` exists: an earlier damaged file stays
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP):
                raise
            if aside.exists():
                continue
            os.rename(target, aside)
        else:
            os.unlink(target)
        fsync_dir(target.parent)
        return aside
    raise FileExistsError(errno.EEXIST, "too many damaged copies", str(target))


def remove_stale_temps(target: Path) -> list[Path]:
    """Delete temp files a killed writer left beside `target`. Call with the lock held: every
    live writer holds it while its temp file exists, so whatever is left is orphaned."""
    removed = []
    for temp in target.parent.glob(f"{_glob_escape(_temp_prefix(target))}*.tmp"):
        try:
            temp.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            break  # a directory we may not change: leftovers are harmless, tried next start
        removed.append(temp)
    return removed


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


class LockTimeout(OSError):
    """Another process held the state lock for longer than we were willing to wait."""


@contextmanager
def locked(lock_file: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive `flock` on `lock_file` (created 0600, never deleted: deleting a lock
    file lets two processes lock two different files). Released when the process dies, so a
    killed writer cannot block the next one."""
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        errno.EWOULDBLOCK, "locked by another paperterm", str(lock_file)
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock
