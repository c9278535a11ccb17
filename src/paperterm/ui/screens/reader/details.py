"""DetailsFollower: the details pane follows the highlighted paper — at once, or once the list
settles while a query is typed. The first time is right after the first frame: that frame has
the list, its marks and the status line without waiting for an abstract's layout; the next
one (the full layout Textual does at the first resize, in a terminal) has the details."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperterm.models import Paper
from paperterm.ui.widgets.detail import DetailPane

if TYPE_CHECKING:
    from paperterm.ui.screens.reader.screen import ReaderScreen
    from paperterm.ui.screens.reader.timers import Pending, Timers

TYPING_DELAY = 0.15  # while a query is typed, the details follow once the list settles


class DetailsFollower:
    """Shows the highlighted paper's details in a `ReaderScreen`'s pane."""

    def __init__(self, screen: ReaderScreen, delays: Timers) -> None:
        self.screen = screen
        self.delays = delays
        self._timer: Pending | None = None
        self._drawn = False  # the first frame is on screen

    def first_frame_drawn(self) -> None:
        """The screen was shown (the first time: its first frame has just been drawn)."""
        if not self._drawn:
            self._drawn = True
            self.screen.call_next(lambda: self.show(self.screen.paper_list.highlighted))

    def highlighted(self, paper: Paper | None) -> None:
        """The cursor moved to `paper`."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.screen.typing:
            # Laying out an abstract for every keystroke would cost frames the typing needs.
            self._timer = self.delays.after(self.screen, TYPING_DELAY, lambda: self.show(paper))
        else:
            self.show(paper)

    def show(self, paper: Paper | None) -> None:
        """`paper`'s details now, with its marks and notes as the screen knows them."""
        if not self._drawn:
            return
        screen = self.screen
        state = screen.state
        bookmark = state.bookmarks.get(paper.id) if paper else None
        read, notes = paper is not None and paper.id in state.read, screen.feeds.notes(paper)
        pane, linked = screen.query_one(DetailPane), screen.citing.lines(paper)
        pane.show(paper, read=read, bookmark=bookmark, linked=linked, **notes)
