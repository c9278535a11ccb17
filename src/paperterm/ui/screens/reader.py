"""ReaderScreen: the feed screen plus triage — read marks, bookmarks, tags, notes and undo.

Every change goes through the state store in memory first (`apply(save=False)`), so markers
and counts change at once, then a thread worker writes the file (`sync()`): the screen never
waits on the disk. Undo takes back one change at a time, whatever kind it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.timer import Timer

from paperterm.config import Settings
from paperterm.models import FeedSpec, Paper
from paperterm.service import PaperService
from paperterm.state import (
    AddBookmark,
    MarkRead,
    MarkUnread,
    Operation,
    RemoveBookmark,
    SetNote,
    SetTags,
)
from paperterm.ui.screens.filtering import FilteredScreen

if TYPE_CHECKING:
    from paperterm.ui.screens.export import ExportRequest

TRIAGE_BINDINGS: list[BindingType] = [
    Binding(
        "b",
        "toggle_bookmark",
        "Bookmark",
        tooltip="Bookmark the paper, or remove it",
        id="toggle_bookmark",
    ),
    Binding(
        "B",
        "bookmarks",
        "Bookmarks",
        tooltip="Show the bookmarks (again: back to the feed)",
        id="bookmarks",
    ),
    Binding(
        "m",
        "toggle_read",
        "Read",
        show=False,
        tooltip="Mark the paper read or unread",
        id="toggle_read",
    ),
    Binding(
        "n",
        "next_unread(1)",
        "Next unread",
        show=False,
        tooltip="Next unread paper",
        id="next_unread",
    ),
    Binding(
        "N",
        "next_unread(-1)",
        "Previous unread",
        show=False,
        tooltip="Previous unread paper",
        id="previous_unread",
    ),
    Binding(
        "M",
        "mark_all_read",
        "Mark all read",
        show=False,
        tooltip="Mark every paper shown as read",
        id="mark_all_read",
    ),
    Binding(
        "U",
        "toggle_hide_read",
        "Hide read",
        show=False,
        tooltip="Hide or show read papers",
        id="toggle_hide_read",
    ),
    Binding(
        "t", "edit_tags", "Tags", show=False, tooltip="Edit the bookmark's tags", id="edit_tags"
    ),
    Binding(
        "e", "edit_note", "Note", show=False, tooltip="Edit the bookmark's note", id="edit_note"
    ),
    Binding(
        "u", "undo", "Undo", show=False, tooltip="Undo the last change, step by step", id="undo"
    ),
    Binding("x", "export", "Export", show=False, tooltip="Export bookmarks to a file", id="export"),
]


class ReaderScreen(FilteredScreen):
    """The main view: feeds, details and triage."""

    BINDINGS: ClassVar[list[BindingType]] = TRIAGE_BINDINGS

    def __init__(
        self, service: PaperService, start: FeedSpec, *, offline: bool, settings: Settings
    ) -> None:
        super().__init__(service, start, offline=offline, settings=settings)
        self._read_timer: Timer | None = None

    def paper_highlighted(self, paper: Paper | None) -> None:
        self.start_read_timer(paper)

    def paper_opened(self, paper: Paper) -> None:
        self.mark_read(paper.id)  # opening a paper counts as reading it

    def commands(self) -> Iterator[SystemCommand]:
        yield from super().commands()
        yield from self.triage_commands()

    # -- applying changes -----------------------------------------------------------------

    def change(self, op: Operation, message: str | None = None) -> bool:
        """Apply `op` now, show it, save in the background. False when nothing changed."""
        result = self.service.state.apply(op, save=False)
        for notice in result.notices:
            self.notify(notice, severity="warning", markup=False)
        if not result.changed:
            return False
        self._marks_changed()
        if message:
            self.notify(message, markup=False)
        self.save_state()
        return True

    def _marks_changed(self) -> None:
        self.paper_list.set_marks(self.state.read, self.state.bookmarks)
        self.update_counts()
        self.show_details(self.paper_list.highlighted)

    def mark_read(self, paper_id: str) -> None:
        if paper_id not in self.state.read:
            self.change(MarkRead((paper_id,)))

    # -- read marks -----------------------------------------------------------------------

    def start_read_timer(self, paper: Paper | None) -> None:
        """A paper becomes read after staying in the detail pane for the configured delay."""
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        delay = self.settings.auto_read_delay
        if paper is not None and delay > 0 and paper.id not in self.state.read:
            self._read_timer = self.set_timer(delay, lambda: self._dwelled(paper.id))

    def _dwelled(self, paper_id: str) -> None:
        current = self.paper_list.highlighted
        if current is not None and current.id == paper_id:
            self.mark_read(paper_id)

    def action_toggle_read(self) -> None:
        paper = self._paper()
        if paper is None:
            return
        if self._read_timer is not None:
            self._read_timer.stop()  # an explicit choice beats the dwell timer
            self._read_timer = None
        if paper.id in self.state.read:
            self.change(MarkUnread((paper.id,)))
        else:
            self.change(MarkRead((paper.id,)))

    def action_next_unread(self, step: int) -> None:
        papers, cursor = self.paper_list.papers, self.paper_list.cursor
        indexes = range(cursor + 1, len(papers)) if step > 0 else range(cursor - 1, -1, -1)
        for index in indexes:
            if papers[index].id not in self.state.read:
                self.paper_list.move_cursor(index, center=True)
                return
        self.notify(f"No unread papers {'below' if step > 0 else 'above'}.", markup=False)

    def action_mark_all_read(self) -> None:
        from paperterm.ui.screens.prompt import ConfirmModal  # loaded when first needed

        ids = tuple(p.id for p in self.paper_list.papers if p.id not in self.state.read)
        if not ids:
            self.notify("Every paper shown is read already.", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(MarkRead(ids), f"Marked {len(ids)} papers read (u undoes)")

        if self.settings.confirm_mark_all_read:
            noun = "paper" if len(ids) == 1 else "papers"
            self.app.push_screen(
                ConfirmModal(f"Mark {len(ids)} unread {noun} shown as read?"), answered
            )
        else:
            answered(True)

    def action_toggle_hide_read(self) -> None:
        self.hide_read = not self.hide_read
        current = self.paper_list.highlighted
        self.redisplay(keep=current.id if current else None)
        self.notify(
            "Hiding read papers (U shows them)" if self.hide_read else "Showing read papers",
            markup=False,
        )

    # -- bookmarks ------------------------------------------------------------------------

    def action_toggle_bookmark(self) -> None:
        paper = self._paper()
        if paper is None:
            return
        if paper.id in self.state.bookmarks:
            self.change(RemoveBookmark(paper.id), "Bookmark removed (u undoes)")
        else:
            self.change(AddBookmark(paper), "Bookmarked")

    def action_bookmarks(self) -> None:
        if self.bookmarks_mode:
            self.show_feed(self.spec)
        else:
            self.show_bookmarks()

    def action_edit_tags(self) -> None:
        from paperterm.ui.screens.prompt import TagsModal  # loaded when first needed

        paper = self._paper()
        if paper is None:
            return
        bookmark = self.state.bookmarks.get(paper.id)

        def edited(tags: tuple[str, ...] | None) -> None:
            if tags is None:
                return
            if bookmark is None:
                self.change(AddBookmark(paper, tags=tags), "Bookmarked with tags")
            else:
                self.change(SetTags(paper.id, tags), "Tags saved")

        modal = TagsModal(paper.title, bookmark.tags if bookmark else (), self.state.tags())
        self.app.push_screen(modal, edited)

    def action_edit_note(self) -> None:
        from paperterm.ui.screens.prompt import NoteModal  # loaded when first needed

        paper = self._paper()
        if paper is None:
            return
        bookmark = self.state.bookmarks.get(paper.id)

        def edited(note: str | None) -> None:
            if note is None:
                return
            if bookmark is None:
                self.change(AddBookmark(paper, note=note), "Bookmarked with a note")
            else:
                self.change(SetNote(paper.id, note), "Note saved")

        self.app.push_screen(NoteModal(paper.title, bookmark.note if bookmark else ""), edited)

    # -- undo -----------------------------------------------------------------------------

    def action_undo(self) -> None:
        result = self.service.state.undo(save=False)
        if result is None or result.undone is None:
            self.notify("Nothing to undo.", markup=False)
            return
        self._marks_changed()
        self.notify(f"Undone: {result.undone.describe()}", markup=False)
        self.save_state()

    # -- export ---------------------------------------------------------------------------

    def action_export(self) -> None:
        from paperterm.ui.screens.export import ExportModal  # loaded when first needed

        if not self.state.bookmarks:
            self.notify("No bookmarks to export yet: b bookmarks a paper.", markup=False)
            return
        modal = ExportModal(len(self.state.bookmarks), self.state.tags(), self.filter_query)
        self.app.push_screen(modal, self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is not None:
            self.run_export(request)

    @work(thread=True, group="export", exit_on_error=False)
    def run_export(self, request: ExportRequest) -> None:
        """Render and write an export off the UI thread; the result is a notification."""
        from paperterm.transfer import TransferError, encoded, render, write_file

        today = self.service.clock().date()
        try:
            done = render(
                self.service.state,
                request.format,
                tag=request.tag,
                query=request.query,
                today=today,
                save=False,
            )
            written = write_file(
                request.destination, encoded(done.text, request.format), force=request.force
            )
        except TransferError as exc:
            self.app.call_from_thread(
                self.notify, str(exc), title="Export failed", severity="error", markup=False
            )
            return
        noun = "bookmark" if done.count == 1 else "bookmarks"
        message = f"Exported {done.count} {noun} to {written}"
        if done.incomplete:
            message += f" ({done.incomplete} without details left out)"
        self.app.call_from_thread(self.notify, message, title="Export", markup=False)
        self.app.call_from_thread(self.save_state)  # the citation keys pinned just now

    # -- helpers --------------------------------------------------------------------------

    def _paper(self) -> Paper | None:
        paper = self.paper_list.highlighted
        if paper is None:
            self.notify("No paper selected.", markup=False)
        return paper

    def triage_commands(self) -> Iterator[SystemCommand]:
        yield SystemCommand(
            "Bookmark", "Bookmark the paper, or remove it", self.action_toggle_bookmark
        )
        yield SystemCommand("Bookmarks", "Show the bookmarks", self.action_bookmarks)
        yield SystemCommand("Toggle read", "Mark the paper read or unread", self.action_toggle_read)
        yield SystemCommand(
            "Mark all read", "Mark every paper shown as read", self.action_mark_all_read
        )
        yield SystemCommand(
            "Hide read papers", "Hide or show read papers", self.action_toggle_hide_read
        )
        yield SystemCommand("Edit tags", "Edit the bookmark's tags", self.action_edit_tags)
        yield SystemCommand("Edit note", "Edit the bookmark's note", self.action_edit_note)
        yield SystemCommand("Undo", "Undo the last change", self.action_undo)
        yield SystemCommand(
            "Export bookmarks", "BibTeX, RIS, CSL-JSON, Markdown, JSON or CSV", self.action_export
        )
