"""CitingController: what cites the paper in the details on the Hub ("Cited by 3 models ·
1 dataset · 12 Spaces", and the most liked of them), and `h` to open one of them.

A paper asked about before answers from the cache (in a thread); one never asked about is
looked up once it has stayed in the details a moment (a timer the tests fire), not for every
paper the cursor passes. With `--offline` only the cache answers.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from paperterm.models import Paper
from paperterm.service import FetchError, PaperService

if TYPE_CHECKING:
    from paperterm.service.linked import Linked
    from paperterm.ui.screens.reader.screen import ReaderScreen
    from paperterm.ui.screens.reader.timers import Pending, Timers

ASK_DELAY = 0.6  # seconds in the details before the Hub is asked


class CitingController:
    def __init__(
        self, screen: ReaderScreen, service: PaperService, timers: Timers, *, offline: bool
    ) -> None:
        self.screen = screen
        self.service = service
        self.timers = timers
        self.offline = offline
        self.known: dict[str, Linked | None] = {}  # None: the Hub has no such record
        self._pending: Pending | None = None

    def lines(self, paper: Paper | None) -> list[str]:
        """The detail pane's lines for `paper`: the counts, then the most liked repos; none
        while they are not known (a look-up starts)."""
        if paper is None:
            return []
        if paper.id not in self.known:
            self._look_up(paper)
            return []
        linked = self.known[paper.id]
        if linked is None:
            return []
        summary = linked.summary or "Cited by no model, dataset or Space yet"
        repos = [f"{r.kind:<8} {r.id}  ♥ {r.likes}" for r in linked.top]
        return [summary + ("  (h opens them)" if repos else ""), *repos]

    def choose(self, paper: Paper | None) -> None:
        """Ask which of the repos citing `paper` to open on the Hub."""
        from paperterm.ui.links import open_link
        from paperterm.ui.screens.reader.hub import HubModal  # loaded when first needed

        linked = self.known.get(paper.id) if paper else None
        if paper is None or linked is None or not linked.top:
            self.screen.notify("Nothing on the Hub is known to cite this paper.", markup=False)
            return

        def chosen(url: str | None) -> None:
            if url:
                open_link(self.screen, url)

        self.screen.app.push_screen(HubModal(paper.title, linked), chosen)

    def _look_up(self, paper: Paper) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.timers.after(self.screen, ASK_DELAY, lambda: self._start(paper))

    def _start(self, paper: Paper) -> None:
        self._pending = None
        self.screen.run_worker(
            self._ask(paper), group="citing", exclusive=True, exit_on_error=False
        )

    async def _ask(self, paper: Paper) -> None:
        citing = self.service.citing
        kept = (await asyncio.to_thread(citing.known, [paper.id])).get(paper.id)
        if kept is None and self.offline:
            return  # never asked while online: nothing to show
        if kept is None:
            try:
                kept = await citing.fetch(paper.id)
            except FetchError as exc:
                if exc.status != 404:
                    return  # offline or the Hub failing: asked again next time
        self.known[paper.id] = kept
        highlighted = self.screen.paper_list.highlighted
        if highlighted is not None and highlighted.id == paper.id:
            self.screen.show_details(highlighted)
