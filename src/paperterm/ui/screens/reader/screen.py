"""ReaderScreen: the feed list beside the detail pane, the filter bar, and every key on them.

The flow: `compose` lays out the widgets; the handlers turn what they post into calls on its
collaborators (`FeedLoader`: which list; `FilterController`: the query, searched off the UI
thread; `TriageController`: marks, bookmarks, undo; `CitingController`: what cites the paper;
`DetailsFollower`: the details); `redisplay` pushes the result down (source → filter → hide
read → `PaperList`). Widgets hold no I/O; the screen asks the service and its collaborators.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Container
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from paperterm.config import Settings
from paperterm.models import FeedSpec, Paper, ReadingState
from paperterm.service import FeedView, PaperService
from paperterm.ui.keys import bindings, palette_commands
from paperterm.ui.links import copy_link, open_link, paper_link
from paperterm.ui.screens.reader.details import DetailsFollower
from paperterm.ui.screens.reader.feeds import FeedLoader
from paperterm.ui.screens.reader.filter import FilterController
from paperterm.ui.screens.reader.found import ids_of, without
from paperterm.ui.screens.reader.keeper import StateKeeper
from paperterm.ui.screens.reader.linked import CitingController
from paperterm.ui.screens.reader.timers import RealTimers, Timers
from paperterm.ui.screens.reader.triage import TriageController
from paperterm.ui.widgets.detail import DetailPane
from paperterm.ui.widgets.filter_bar import FilterBar
from paperterm.ui.widgets.key_bar import KeyBar
from paperterm.ui.widgets.paper_list import PaperList
from paperterm.ui.widgets.status import StatusLine


class ReaderScreen(Screen[None]):
    """The main view: feeds, details, the filter and triage."""

    ESCAPE_TO_MINIMIZE = False  # Escape runs action_back, which also returns focus to the list

    DEFAULT_CSS = """
    ReaderScreen { layers: default bars; }
    ReaderScreen #panes { layout: horizontal; height: 1fr; }
    ReaderScreen #papers { width: 3fr; }
    ReaderScreen #detail { width: 2fr; border-left: tall $panel; }
    ReaderScreen.-narrow #panes { layout: vertical; }
    ReaderScreen.-narrow #papers { width: 1fr; height: 1fr; }
    ReaderScreen.-narrow #detail { width: 1fr; height: 1fr; border-left: none; border-top: tall $panel; }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("reader")
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012

    def __init__(
        self,
        service: PaperService,
        start: FeedSpec,
        *,
        offline: bool,
        settings: Settings,
        timers: Timers | None = None,
    ) -> None:
        super().__init__()
        # The class the first resize gives, from the start (a restyle of nothing yet).
        width, points = self.app.size.width, sorted(self.HORIZONTAL_BREAKPOINTS)[::-1]
        self.add_class(next(c for w, c in points if width >= w), update=False)
        self.service = service
        self.settings = settings
        self.hide_read = settings.hide_read
        self.source: Sequence[Paper] = ()  # the list as last shown, before hiding read ones
        self.delays: Timers = timers or RealTimers()
        self.feeds = FeedLoader(self, service, start, offline=offline)
        self.filter = FilterController(self, service)
        self.keeper = StateKeeper(self, service)
        self.triage = TriageController(self, service, self.delays, settings.auto_read_delay)
        self.citing = CitingController(self, service, self.delays, offline=offline)
        self.details = DetailsFollower(self, self.delays)

    def compose(self) -> ComposeResult:
        yield StatusLine(self.service.clock, id="status")
        with Container(id="panes"):
            yield PaperList(id="papers")
            yield DetailPane(id="detail")
        yield KeyBar()  # the filter bar goes over it (`filter_bar`)

    def on_mount(self) -> None:
        triage = self.service.triage
        if triage.quick_to_load:  # read before the first frame: it shows the marks
            self.service.load_state()
        self.feeds.show(self.feeds.spec)
        self.paper_list.focus()
        if triage.loaded:
            self.state_loaded()
        else:  # a large state loads after the first frame; its marks follow
            self.keeper.load()

    def state_loaded(self) -> None:
        """The state is in memory: marks, counts, notices, and B or For you if opened before."""
        self.report_notices()
        if self.feeds.bookmarks_mode:
            self.redisplay_keeping_cursor()
        self.marks_changed()
        self.feeds.marks_changed()
        bookmarks = self.state.bookmarks.values()
        if not self.feeds.offline and any(b.incomplete or not b.paper.title for b in bookmarks):
            self.complete_bookmarks()

    # -- the parts --------------------------------------------------------------------------

    @property
    def paper_list(self) -> PaperList:
        return self.query_one("#papers", PaperList)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    @property
    def filter_bar(self) -> FilterBar:
        """The filter bar, over the key bar's line (the panes keep their size), made after the
        first frame (it would cost that 2-3 ms), so that `/` only shows it (31 ms less)."""
        if bars := self.query_children(FilterBar):
            return bars.first()
        self.mount(bar := FilterBar(id="filter"))
        return bar

    @property
    def typing(self) -> bool:  # a query is being typed (the filter bar has the focus)
        return any(bar.typing for bar in self.query_children(FilterBar))

    @property
    def state(self) -> ReadingState:
        return self.service.triage.state

    @property
    def view(self) -> FeedView | None:
        """The feed last shown (None before the first)."""
        return self.feeds.view

    @property
    def filter_query(self) -> str:
        return self.filter.query

    # -- the list pipeline ------------------------------------------------------------------

    def redisplay(self, keep: str | None = None) -> None:
        """Rebuild the list: the source (feed, bookmarks or everything), filtered, and with
        read papers hidden when asked; the cursor stays on `keep` when it is still listed."""
        papers = self.source = self.filter.source(self.feeds.papers())
        shown, highlights = self.filter.apply(papers)
        if self.hide_read:
            shown = without(shown, self.state.read)
        known = self.service.triage.loaded
        self.paper_list.set_marks(self.state.read, self.state.bookmarks, known=known)
        self.paper_list.set_papers(shown, keep=keep, highlights=highlights)
        self.update_counts()
        self.filter.listed(papers)

    def redisplay_keeping_cursor(self) -> None:
        current = self.paper_list.highlighted
        self.redisplay(keep=current.id if current else None)

    def update_counts(self) -> None:
        """Counts in the status line, after any change of list or marks."""
        shown = self.paper_list.papers
        state = self.state
        counts = self.filter.shown_counts(shown, state)  # a search result: counted with it
        if counts is None:  # ids only: a long list reads its papers as they are shown
            unread = state.unread_count(ids_of(shown))
            bookmarked = sum(1 for paper_id in ids_of(shown) if paper_id in state.bookmarks)
        else:
            unread, bookmarked = counts
        self.status.show(
            shown=len(shown),
            total=len(self.source),
            unread=unread,
            bookmarked=None if self.feeds.leaves_bookmarks_out else bookmarked,
            problem=self.service.triage.problem or "",
            marks_known=self.service.triage.loaded,
        )

    def marks_changed(self) -> None:
        """Read marks or bookmarks changed: markers, counts and details follow."""
        known = self.service.triage.loaded
        self.paper_list.set_marks(self.state.read, self.state.bookmarks, known=known)
        self.update_counts()
        self.show_details(self.paper_list.highlighted)

    def on_screen_resume(self) -> None:
        self.call_next(lambda: self.filter_bar.prepare())
        self.details.first_frame_drawn()

    def show_details(self, paper: Paper | None) -> None:
        self.details.show(paper)

    def report_notices(self) -> None:
        for notice in self.service.take_notices():
            self.notify(notice, severity="warning", markup=False)

    # -- workers ----------------------------------------------------------------------------

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_feed(self) -> None:
        """Fetch the current feed in the background."""
        await self.feeds.refresh()

    def save_state(self) -> None:
        """Make queued changes durable now (in a worker), and fold them when idle."""
        self.keeper.save()

    @work(exclusive=True, group="complete", exit_on_error=False)
    async def complete_bookmarks(self) -> None:
        """Fetch the details of bookmarks stored with only what was known (offline, imported)."""
        completed = await self.service.complete_bookmarks()
        for message in completed.messages:
            self.notify(message, markup=False)
        if completed:
            self.save_state()
            if self.feeds.bookmarks_mode:
                self.redisplay_keeping_cursor()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.status.show(freshness="error", detail=str(error))
            message = f"{type(error).__name__}: {error}"
            self.notify(message, title="Something went wrong", severity="error", markup=False)

    # -- what the widgets say ---------------------------------------------------------------

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self.details.highlighted(event.paper)
        self.triage.start_read_timer(event.paper)

    @on(PaperList.Selected)
    def _selected(self, event: PaperList.Selected) -> None:
        detail = self.query_one(DetailPane)
        if self.has_class("-narrow"):
            self.maximize(detail, container=False)
        detail.focus()

    @on(FilterBar.Changed)
    def _query_changed(self, event: FilterBar.Changed) -> None:
        self.filter.changed(event.query, event.problem)

    @on(FilterBar.Submitted)
    def _filter_submitted(self) -> None:
        self.paper_list.focus()

    @on(FilterBar.Closed)
    def _filter_closed(self) -> None:
        self.clear_filter()
        self.paper_list.focus()

    @on(FilterBar.ScopeToggled)
    def _scope_toggled(self) -> None:
        self.filter.toggle_scope()
        self._describe_scope()

    def clear_filter(self) -> None:
        """Drop the query and go back to the whole current list."""
        self.filter.clear()
        self.filter_bar.clear()
        self.status.show(feed=self.filter.label or self.feeds.label)
        self.redisplay_keeping_cursor()

    def _describe_scope(self) -> None:
        self.status.show(feed=self.filter.label or self.feeds.label)
        self.filter_bar.show_scope(self.filter.scope_text)

    # -- actions: feeds -------------------------------------------------------------------

    def action_feed(self, kind: str) -> None:
        self.feeds.show(FeedSpec.parse(kind))

    def action_period(self, step: int) -> None:
        spec = self.feeds.shifted(step)
        if spec is not None:
            self.feeds.show(spec)

    def action_refresh(self) -> None:
        if self.feeds.offline and (self.feeds.bookmarks_mode or not self.feeds.spec.is_local):
            self.notify("Offline mode (--offline): not refreshing.", markup=False)
        elif self.feeds.bookmarks_mode:
            self.complete_bookmarks()
        else:
            self.refresh_feed()

    def action_search(self) -> None:
        from paperterm.ui.screens.prompt import SearchModal  # loaded when first needed

        def searched(query: str | None) -> None:
            if query:
                self.feeds.show(FeedSpec("search", query[:250]))

        self.app.push_screen(SearchModal(), searched)

    def action_back(self) -> None:
        if self.maximized is not None:
            self.minimize()
        self.paper_list.focus()

    def action_filter(self) -> None:
        self.filter_bar.slash()
        self._describe_scope()

    # -- actions: the paper ---------------------------------------------------------------

    def action_open(self, which: str) -> None:
        paper = self._paper()
        url = paper_link(self, paper, which) if paper else None
        if paper is not None and url is not None:
            self.triage.mark_read(paper.id)  # opening a paper counts as reading it
            open_link(self, url)

    def action_more_like_this(self) -> None:
        self.feeds.show_like(self._paper())

    def action_copy_link(self) -> None:
        paper = self._paper()
        if paper is not None and (url := paper_link(self, paper, "hf")) is not None:
            copy_link(self, url)

    # -- actions: triage --------------------------------------------------------------------

    def action_toggle_read(self) -> None:
        if paper := self._paper():
            self.triage.toggle_read(paper)

    def action_next(self, which: str, step: int) -> None:
        (self.feeds.next_new if which == "new" else self.triage.next_unread)(step)

    def action_saved_search(self, save: bool) -> None:
        from paperterm.ui.screens.saved import saved_search  # loaded when first needed

        saved_search(self, self.service, self.filter.query, save=save)

    def action_mark_all_read(self) -> None:
        ids = tuple(i for i in ids_of(self.paper_list.papers) if i not in self.state.read)
        if not ids:
            self.notify("Every paper shown is read already.", markup=False)
        else:
            self.triage.mark_all_read(ids, confirm=self.settings.confirm_mark_all_read)

    def action_toggle_hide_read(self) -> None:
        self.hide_read = not self.hide_read
        self.redisplay_keeping_cursor()
        self.notify(
            "Hiding read papers (U shows them)" if self.hide_read else "Showing read papers",
            markup=False,
        )

    def action_toggle_bookmark(self) -> None:
        if paper := self._paper():
            self.triage.toggle_bookmark(paper)

    def action_bookmarks(self) -> None:
        if self.feeds.bookmarks_mode:
            self.feeds.show(self.feeds.spec)
        else:
            self.feeds.show_bookmarks()

    def action_edit_tags(self) -> None:
        if paper := self._paper():
            self.triage.edit_tags(paper)

    def action_edit_note(self) -> None:
        if paper := self._paper():
            self.triage.edit_note(paper)

    def action_undo(self) -> None:
        self.triage.undo()

    def action_export(self) -> None:
        from paperterm.ui.screens.export import ask_and_export  # loaded when first needed

        if not self.state.bookmarks:
            self.notify("No bookmarks to export yet: b bookmarks a paper.", markup=False)
            return
        ask_and_export(self, self.service, self.filter.query, then=self.save_state)

    # -- the command palette ----------------------------------------------------------------

    def commands(self) -> Iterator[SystemCommand]:
        """The reader's actions for the command palette, from the key table."""
        yield from palette_commands(self, "reader")

    def _paper(self) -> Paper | None:
        paper = self.paper_list.highlighted
        if paper is None:
            self.notify("No paper selected.", markup=False)
        return paper
