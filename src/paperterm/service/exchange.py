"""Bookmarks in and out, for both faces: exports with pinned citation keys, imports merged.

Citation keys are pinned in the state file *before* an export, so every later export (any
format, any scope) uses the same key for a paper. A file is written whole or not at all
(`paperterm.files.write_new`). The formats themselves are `paperterm.exchange`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from paperterm.exchange import (
    FILE_EXTENSIONS,
    ExportFormat,
    ImportFormat,
    ImportFormatError,
    export,
    import_text,
    keys_to_pin,
    merge_bookmarks,
)
from paperterm.files import WriteRefused, read_capped, write_new
from paperterm.library import PinCiteKeys, ReplaceBookmarks
from paperterm.models import Bookmark, Clock
from paperterm.query import PaperIndex, QueryError, SearchContext, parse_query
from paperterm.records import Record, replace
from paperterm.service.triage import Triage, display_paper, is_citable

MAX_IMPORT_BYTES = 64 * 1024 * 1024


class TransferError(Exception):
    """An export or import that could not be done; `str()` is a one-line message."""


class Exported(Record, frozen=True):
    text: str
    count: int
    errors: tuple[QueryError, ...] = ()
    # Bookmarks stored with their id only (offline, or imported without title and authors):
    # a citation needs the paper's details.
    incomplete: int = 0

    def data(self, fmt: ExportFormat) -> bytes:
        """The file's bytes: CSV gets a BOM so spreadsheet programs read it as UTF-8."""
        return self.text.encode("utf-8-sig" if fmt == "csv" else "utf-8")


class Imported(Record, frozen=True):
    format: str
    added: int
    updated: int
    skipped: int
    reasons: tuple[str, ...]
    more: int = 0  # skipped entries with a reason not in `reasons`

    @property
    def summary(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.skipped} skipped"

    @property
    def skip_lines(self) -> list[str]:
        """Why entries were skipped, one line each, and how many more when the list stops."""
        lines = [f"skipped: {reason}" for reason in self.reasons]
        return [*lines, f"skipped: … and {self.more} more"] if self.more else lines


class Exchange:
    """Exports and imports of this process's bookmarks."""

    def __init__(
        self, triage: Triage, *, clock: Clock, context: Callable[[], SearchContext]
    ) -> None:
        self._triage = triage
        self._clock = clock
        self._context = context

    def select(
        self, *, tag: str | None = None, query: str | None = None
    ) -> tuple[list[Bookmark], tuple[QueryError, ...]]:
        """Bookmarks newest first, narrowed to a tag and/or a filter query (its ranking kept)."""
        marks = self._triage.bookmarks(tag)
        if not query:
            return marks, ()
        parsed = parse_query(query)
        index = PaperIndex(display_paper(b) for b in marks)
        result = index.search(parsed, self._context())
        by_id = {b.id: b for b in marks}
        return [by_id[i] for i in result.ids], parsed.errors

    def render(
        self,
        fmt: ExportFormat,
        *,
        tag: str | None = None,
        query: str | None = None,
        save: bool = True,
    ) -> Exported:
        """The export document (keys pinned first). The JSON backup keeps every bookmark; the
        other formats leave out those without a title and authors yet (an id stored offline)."""
        self.pin_keys(save=save)
        marks, errors = self.select(tag=tag, query=query)
        complete = marks if fmt == "json" else [_titled(b) for b in marks if is_citable(b)]
        return Exported(export(complete, fmt), len(complete), errors, len(marks) - len(complete))

    def write(self, path: Path, data: bytes, *, force: bool = False) -> Path:
        """Write an export whole or not at all; an existing file is kept unless `force`.
        Returns the path written (a symlink's target). Raises `TransferError`."""
        try:
            return write_new(path, data, force=force)
        except WriteRefused as exc:
            raise TransferError(str(exc)) from None

    def pin_keys(self, *, save: bool = True) -> int:
        """Pin a citation key in every citable bookmark that has none yet; returns how many.
        (A bookmark stored with its id only waits: its key needs the authors and title.)"""
        store = self._triage.store
        pins = keys_to_pin(store.state.bookmarks.values(), is_citable)
        if pins:  # one operation for all: pinning 10,000 keys is one copy of the bookmarks
            store.apply(PinCiteKeys(tuple(sorted(pins.items()))), save=False, undoable=False)
        if pins and save:
            store.sync()
        return len(pins)

    def import_file(
        self, path: Path, *, fmt: ImportFormat | None = None, save: bool = True
    ) -> Imported:
        """Merge the bookmarks of a paperterm JSON backup, a BibTeX, RIS or CSL-JSON file, in
        format `fmt` or, when None, the one the file's structure shows."""
        try:
            data = read_capped(path.expanduser(), MAX_IMPORT_BYTES)
        except OSError as exc:
            raise TransferError(f"cannot read {path}: {exc.strerror or exc}") from None
        if data is None:
            raise TransferError(f"{path} is larger than {MAX_IMPORT_BYTES // 2**20} MB")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TransferError(f"{path} is not UTF-8 text") from None
        try:
            result = import_text(text, now=self._clock(), fmt=fmt)
        except ImportFormatError as exc:
            raise TransferError(f"{path}: {exc}") from None
        store = self._triage.store
        merged = merge_bookmarks(list(store.state.bookmarks.values()), result.bookmarks)
        self._apply_merge(merged.bookmarks, {*merged.added, *merged.updated})
        self.pin_keys(save=False)
        if save:
            store.sync()
        skipped = result.skipped + len(merged.unchanged)
        added, updated = len(merged.added), len(merged.updated)
        more = result.skipped - len(result.reasons)
        return Imported(result.format, added, updated, skipped, result.reasons, more)

    def _apply_merge(self, bookmarks: Sequence[Bookmark], changed: set[str]) -> None:
        # One operation for the whole import, so it is linear in the file's size (and one
        # undo takes it back).
        put = tuple(b for b in bookmarks if b.id in changed)
        if put:
            self._triage.store.apply(ReplaceBookmarks(put), save=False)


def _titled(bookmark: Bookmark) -> Bookmark:
    """A bookmark as a citation shows it: one without a title (a hand edit) is "(untitled ID)",
    never `title={}` or `[](url)`; a title snapshotted with TeX escapes is clean."""
    paper = display_paper(bookmark)
    return bookmark if paper is bookmark.paper else replace(bookmark, paper=paper)


def default_destination(fmt: ExportFormat, directory: Path | None = None) -> Path:
    """Where the export dialog suggests writing: ``~/paperterm-bookmarks.bib`` and so on."""
    return (directory or Path.home()) / f"paperterm-bookmarks{FILE_EXTENSIONS[fmt]}"
