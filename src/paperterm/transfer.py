"""Bookmarks in and out: exports with pinned citation keys, written safely; imports merged.

Shared by `paperterm export/import` and the reader's export dialog. Citation keys are pinned
in the state file *before* an export, so every later export (any format, any scope) uses the
same key for a paper. A file is written whole or not at all: a temp file beside it, fsync,
then a rename (or a hard link, which refuses to replace a file that appeared meanwhile).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from paperterm.atomic import fsync_dir
from paperterm.export import FILE_EXTENSIONS, ExportFormat, export, keys_to_pin
from paperterm.importer import ImportFormatError, import_text, merge_bookmarks
from paperterm.models import Bookmark
from paperterm.query import PaperIndex, QueryError, SearchContext, parse_query
from paperterm.service import display_paper
from paperterm.state import PinCiteKey, PutBookmark, State, StateStore

MAX_IMPORT_BYTES = 64 * 1024 * 1024


class TransferError(Exception):
    """An export or import that could not be done; `str()` is a one-line message."""


@dataclass(frozen=True, slots=True)
class Exported:
    text: str
    count: int
    errors: tuple[QueryError, ...] = ()
    # Bookmarks stored offline with their id only: a citation needs the paper's details.
    incomplete: int = 0


@dataclass(frozen=True, slots=True)
class Imported:
    format: str
    added: int
    updated: int
    skipped: int
    reasons: tuple[str, ...]

    @property
    def summary(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.skipped} skipped"


def pin_keys(store: StateStore, *, save: bool = True) -> int:
    """Pin a citation key in every complete bookmark that has none yet; returns how many.
    (A bookmark stored with its id only waits: its key needs the authors and title.)"""
    pins = keys_to_pin(b for b in store.state.bookmarks.values() if not b.incomplete)
    for paper_id, key in sorted(pins.items()):
        store.apply(PinCiteKey(paper_id, key), save=False, undoable=False)
    if pins and save:
        store.sync()
    return len(pins)


def select_bookmarks(
    state: State, *, tag: str | None = None, query: str | None = None, today: dt.date
) -> tuple[list[Bookmark], tuple[QueryError, ...]]:
    """Bookmarks newest first, narrowed to a tag and/or a filter query (its ranking kept)."""
    marks = state.bookmark_list(tag)
    if not query:
        return marks, ()
    parsed = parse_query(query)
    index = PaperIndex(display_paper(b) for b in marks)
    result = index.search(parsed, context_for(state, today))
    by_id = {b.id: b for b in marks}
    return [by_id[i] for i in result.ids], parsed.errors


def context_for(state: State, today: dt.date) -> SearchContext:
    """What the filter needs to know beyond the papers: read, bookmarked, tags, today."""
    return SearchContext(
        today=today,
        read=frozenset(state.read),
        bookmarked=frozenset(state.bookmarks),
        tags={paper_id: b.tags for paper_id, b in state.bookmarks.items()},
    )


def render(
    store: StateStore,
    fmt: ExportFormat,
    *,
    tag: str | None = None,
    query: str | None = None,
    today: dt.date,
    save: bool = True,
) -> Exported:
    """The export document (keys pinned first). The JSON backup keeps every bookmark; the
    other formats leave out those whose details were never fetched."""
    pin_keys(store, save=save)
    marks, errors = select_bookmarks(store.state, tag=tag, query=query, today=today)
    complete = marks if fmt == "json" else [b for b in marks if not b.incomplete]
    return Exported(export(complete, fmt), len(complete), errors, len(marks) - len(complete))


def encoded(text: str, fmt: ExportFormat) -> bytes:
    """File bytes: CSV gets a BOM so spreadsheet programs read it as UTF-8."""
    return text.encode("utf-8-sig" if fmt == "csv" else "utf-8")


def default_destination(fmt: ExportFormat, directory: Path | None = None) -> Path:
    return (directory or Path.home()) / f"paperterm-bookmarks{FILE_EXTENSIONS[fmt]}"


def write_file(path: Path, data: bytes, *, force: bool = False) -> Path:
    """Write `data` to `path` whole or not at all; an existing file is kept unless `force`.
    Returns the path written (a symlink's target). Raises `TransferError`."""
    path = path.expanduser()
    target = path.resolve() if path.is_symlink() else path
    if target.is_dir():
        raise TransferError(f"{path} is a directory")
    if not target.parent.is_dir():
        raise TransferError(f"cannot write {path}: the directory {target.parent} does not exist")
    if target.exists() and not force:
        raise TransferError(f"{path} exists; use --force to replace it")
    temp = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        # Created like any new file (0666 less the umask), unlike mkstemp's 0600.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise TransferError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # Unlike the state file (atomic.atomic_write), an export must not replace a file that
        # appeared meanwhile unless forced: a hard link refuses to.
        if force:
            os.replace(temp, target)
        else:
            os.link(temp, target)
            os.unlink(temp)
        fsync_dir(target.parent)
    except FileExistsError:
        _remove(temp)
        raise TransferError(f"{path} exists; use --force to replace it") from None
    except OSError as exc:
        _remove(temp)
        raise TransferError(f"cannot write {path}: {exc.strerror or exc}") from None
    return target


def import_file(store: StateStore, path: Path, *, now: dt.datetime, save: bool = True) -> Imported:
    """Merge the bookmarks of a paperterm JSON backup, a BibTeX or a CSL-JSON file."""
    try:
        with open(path.expanduser(), "rb") as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise TransferError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise TransferError(f"{path} is larger than {MAX_IMPORT_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TransferError(f"{path} is not UTF-8 text") from None
    try:
        result = import_text(text, now=now)
    except ImportFormatError as exc:
        raise TransferError(f"{path}: {exc}") from None
    merged = merge_bookmarks(list(store.state.bookmarks.values()), result.bookmarks)
    _apply_merge(store, merged.bookmarks, {*merged.added, *merged.updated})
    pin_keys(store, save=False)
    if save:
        store.sync()
    skipped = result.skipped + len(merged.unchanged)
    return Imported(result.format, len(merged.added), len(merged.updated), skipped, result.reasons)


def _apply_merge(store: StateStore, bookmarks: Sequence[Bookmark], changed: set[str]) -> None:
    for bookmark in bookmarks:
        if bookmark.id in changed:
            store.apply(PutBookmark(bookmark), save=False)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
