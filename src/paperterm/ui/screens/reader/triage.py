"""TriageController: read marks, bookmarks, tags, notes and undo from the reader's keys.

Every change goes through the service in memory first, so markers and counts change at once,
then a thread worker writes the file: the screen never waits on the disk. A paper becomes
read after dwelling in the details for the configured delay (a timer the tests control).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen

from paperterm.models import Paper
from paperterm.service import PaperService

T = TypeVar("T")

if TYPE_CHECKING:
    from paperterm.service.triage import Change
    from paperterm.ui.screens.reader.screen import ReaderScreen
    from paperterm.ui.screens.reader.timers import Pending, Timers


class TriageController:
    """Applies the user's triage to the service and keeps the screen's marks in step."""

    def __init__(
        self, screen: ReaderScreen, service: PaperService, timers: Timers, delay: float
    ) -> None:
        self.screen = screen
        self.service = service
        self._timers = timers
        self._delay = delay
        self._read_timer: Pending | None = None

    def change(self, apply: Callable[[], Change], message: str | None = None) -> bool:
        """Run one triage verb now, show it, save in the background. False when nothing
        changed."""
        result = apply()
        for notice in result.notices:
            self.screen.notify(notice, severity="warning", markup=False)
        if not result.changed:
            return False
        self.screen.marks_changed()
        self.screen.feeds.marks_changed()
        if message:
            self.screen.notify(message, markup=False)
        self.screen.save_state()
        return True

    def mark_read(self, paper_id: str) -> None:
        if paper_id not in self.service.triage.state.read:
            self.change(lambda: self.service.triage.mark_read((paper_id,)))

    def mark_all_read(self, ids: Sequence[str], *, confirm: bool) -> None:
        """Mark `ids` (every unread paper shown) read, after asking when `confirm`."""
        from paperterm.ui.screens.prompt import ConfirmModal  # loaded when first needed

        def answered(yes: bool | None) -> None:
            if yes:
                message = f"Marked {len(ids)} papers read (u undoes)"
                self.change(lambda: self.service.triage.mark_read(ids), message)

        if not confirm:
            answered(True)
            return
        noun = "paper" if len(ids) == 1 else "papers"
        question = f"Mark {len(ids)} unread {noun} shown as read?"
        self.screen.app.push_screen(ConfirmModal(question), answered)

    def toggle_read(self, paper: Paper) -> None:
        self.stop_read_timer()  # an explicit choice beats the dwell timer
        triage = self.service.triage
        if paper.id in triage.state.read:
            self.change(lambda: triage.mark_unread((paper.id,)))
        else:
            self.change(lambda: triage.mark_read((paper.id,)))

    def toggle_bookmark(self, paper: Paper) -> None:
        triage = self.service.triage
        if paper.id in triage.state.bookmarks:
            self.change(lambda: triage.remove_bookmark(paper.id), "Bookmark removed (u undoes)")
        elif self.change(lambda: triage.bookmark(paper), "Bookmarked"):
            self.keep_text(paper.id)

    def keep_text(self, paper_id: str) -> None:
        """Fetch a new bookmark's full text in the background: bookmarks read offline."""
        if self.screen.feeds.offline:
            return

        async def fetch() -> None:
            _, failures = await self.service.texts.prefetch([paper_id])
            for failure in failures:
                message = f"Full text not kept for offline reading: {failure}"
                self.screen.notify(message, severity="warning", markup=False)

        self.screen.run_worker(fetch(), group="texts", exit_on_error=False, description="text")

    def edit_tags(self, paper: Paper) -> None:
        """Ask for the paper's tags; saving them bookmarks a paper that is not yet."""
        from paperterm.ui.screens.prompt import TagsModal  # loaded when first needed

        triage = self.service.triage
        bookmark = triage.state.bookmarks.get(paper.id)
        modal = TagsModal(paper.title, bookmark.tags if bookmark else (), triage.state.tags())
        self._edit(
            paper,
            modal,
            add=lambda tags: triage.bookmark(paper, tags=tags),
            added="Bookmarked with tags",
            update=lambda tags: triage.set_tags(paper.id, tags),
            updated="Tags saved",
        )

    def edit_note(self, paper: Paper) -> None:
        """Ask for the paper's note; saving it bookmarks a paper that is not yet."""
        from paperterm.ui.screens.prompt import NoteModal  # loaded when first needed

        triage = self.service.triage
        bookmark = triage.state.bookmarks.get(paper.id)
        self._edit(
            paper,
            NoteModal(paper.title, bookmark.note if bookmark else ""),
            add=lambda note: triage.bookmark(paper, note=note),
            added="Bookmarked with a note",
            update=lambda note: triage.set_note(paper.id, note),
            updated="Note saved",
        )

    def _edit(
        self,
        paper: Paper,
        modal: ModalScreen[T | None],
        *,
        add: Callable[[T], Change],
        added: str,
        update: Callable[[T], Change],
        updated: str,
    ) -> None:
        """Show `modal`; what it answers bookmarks the paper with it (`add`), or changes the
        bookmark (`update`) when the paper is bookmarked by then."""

        def answered(value: T | None) -> None:
            if value is None:
                return
            if paper.id in self.service.triage.state.bookmarks:
                self.change(lambda: update(value), updated)
            elif self.change(lambda: add(value), added):
                self.keep_text(paper.id)

        self.screen.app.push_screen(modal, answered)

    def next_unread(self, step: int) -> None:
        """Move to the next (`step` 1) or previous (-1) unread paper of the list."""
        plist = self.screen.paper_list
        papers, cursor = plist.papers, plist.cursor
        indexes = range(cursor + 1, len(papers)) if step > 0 else range(cursor - 1, -1, -1)
        read = self.service.triage.state.read
        for index in indexes:
            if papers[index].id not in read:
                plist.move_cursor(index, center=True)
                return
        self.screen.notify(f"No unread papers {'below' if step > 0 else 'above'}.", markup=False)

    def undo(self) -> None:
        result = self.service.triage.undo()
        if not result.summary:
            self.screen.notify("Nothing to undo.", markup=False)
            return
        self.screen.marks_changed()
        self.screen.feeds.marks_changed()
        self.screen.notify(f"Undone: {result.summary}", markup=False)
        self.screen.save_state()

    # -- the dwell timer --------------------------------------------------------------------

    def start_read_timer(self, paper: Paper | None) -> None:
        """A paper becomes read after staying in the detail pane for the configured delay."""
        self.stop_read_timer()
        if paper is not None and self._delay > 0 and paper.id not in self.service.triage.state.read:
            paper_id = paper.id
            self._read_timer = self._timers.after(
                self.screen, self._delay, lambda: self._dwelled(paper_id)
            )

    def stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def _dwelled(self, paper_id: str) -> None:
        current = self.screen.paper_list.highlighted
        if current is not None and current.id == paper_id:
            self.mark_read(paper_id)
