"""FeedScreen: the feed list beside the detail pane, and everything that moves between feeds.

It owns the flow: paint the cached feed at once, refresh in a worker when stale, keep the
cursor on the same paper when new papers arrive, and say honestly in the status line how fresh
the list is. Widgets below it hold no I/O; this screen asks the service and pushes state down.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from paperterm.config import Settings
from paperterm.endpoint import FetchError
from paperterm.models import FeedSpec, Paper
from paperterm.service import FeedView, PaperService, RefreshOutcome
from paperterm.ui.links import LINKS, copy_link, open_link, paper_link
from paperterm.ui.widgets.detail import DetailPane
from paperterm.ui.widgets.paper_list import PaperList, Spans
from paperterm.ui.widgets.status import Freshness, StatusLine

if TYPE_CHECKING:
    from paperterm.state import State


class FeedScreen(Screen[None]):
    """The main view without triage: feeds, bookmarks shown, details, links.
    `ReaderScreen` adds the keys that change read marks and bookmarks."""

    ESCAPE_TO_MINIMIZE = False  # Escape runs action_back, which also returns focus to the list

    DEFAULT_CSS = """
    FeedScreen #panes { layout: horizontal; height: 1fr; }
    FeedScreen #papers { width: 3fr; }
    FeedScreen #detail { width: 2fr; border-left: tall $panel; }
    FeedScreen.-narrow #panes { layout: vertical; }
    FeedScreen.-narrow #papers { width: 1fr; height: 1fr; }
    FeedScreen.-narrow #detail { width: 1fr; height: 1fr; border-left: none; border-top: tall $panel; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "1",
            "feed('trending')",
            "Feeds",
            key_display="1-4",
            tooltip="Trending feed",
            id="feed_trending",
        ),
        Binding(
            "2",
            "feed('daily')",
            "Daily",
            show=False,
            tooltip="Daily feed: the newest day",
            id="feed_daily",
        ),
        Binding(
            "3",
            "feed('weekly')",
            "Weekly",
            show=False,
            tooltip="Weekly feed: the newest week",
            id="feed_weekly",
        ),
        Binding(
            "4",
            "feed('monthly')",
            "Monthly",
            show=False,
            tooltip="Monthly feed: the newest month",
            id="feed_monthly",
        ),
        Binding(
            "left_square_bracket",
            "period(-1)",
            "Previous",
            show=False,
            tooltip="Previous day, week or month",
            id="previous_period",
        ),
        Binding(
            "right_square_bracket",
            "period(1)",
            "Next",
            show=False,
            tooltip="Next day, week or month",
            id="next_period",
        ),
        Binding("r", "refresh", "Refresh", tooltip="Fetch the feed again", id="refresh"),
        Binding("s", "search", "Search", tooltip="Search Hugging Face papers", id="search"),
        Binding(
            "o",
            "open('hf')",
            "Open",
            show=False,
            tooltip="Open the paper on Hugging Face",
            id="open_paper",
        ),
        Binding(
            "a",
            "open('arxiv')",
            "arXiv",
            show=False,
            tooltip="Open the arXiv abstract",
            id="open_arxiv",
        ),
        Binding("p", "open('pdf')", "PDF", show=False, tooltip="Open the PDF", id="open_pdf"),
        Binding(
            "c",
            "open('code')",
            "Code",
            show=False,
            tooltip="Open the code (GitHub)",
            id="open_code",
        ),
        Binding(
            "y",
            "copy_link",
            "Copy link",
            show=False,
            tooltip="Copy the paper's link",
            id="copy_link",
        ),
        Binding("escape", "back", "Back", show=False, tooltip="Back to the list", id="back"),
    ]

    def __init__(
        self, service: PaperService, start: FeedSpec, *, offline: bool, settings: Settings
    ) -> None:
        super().__init__()
        self.service = service
        self.offline = offline
        self.settings = settings
        self.spec = start
        self.view: FeedView | None = None
        self.bookmarks_mode = False
        self.hide_read = settings.hide_read
        self._source: Sequence[Paper] = ()  # the view as last listed, before hiding read ones
        self.filter_query = ""  # the filter bar's query, when one is set
        self._details_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(self.service.clock, id="status")
        with Container(id="panes"):
            yield PaperList(id="papers")
            yield DetailPane(id="detail")
        yield from self.compose_bottom()
        yield Footer()

    def compose_bottom(self) -> ComposeResult:
        """Hook: widgets between the panes and the footer."""
        yield from ()

    def on_mount(self) -> None:
        self.service.load_state()
        self.show_feed(self.spec)
        self.query_one(PaperList).focus()
        if not self.offline and any(b.incomplete for b in self.state.bookmarks.values()):
            self.complete_bookmarks()

    # -- showing feeds --------------------------------------------------------------------

    @property
    def paper_list(self) -> PaperList:
        return self.query_one("#papers", PaperList)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def show_feed(self, spec: FeedSpec) -> None:
        """Paint `spec` from the cache now; refresh it in the background when stale."""
        self.spec = spec
        self.bookmarks_mode = False
        self.workers.cancel_group(self, "refresh")
        view = self.service.cached(spec)
        self._show_view(view)
        self._report_notices()
        if not self.offline and self.service.is_stale(view):
            self.refresh_feed()

    def show_bookmarks(self) -> None:
        """The bookmarks, from their snapshots: works offline, same list and keys."""
        self.bookmarks_mode = True
        self.workers.cancel_group(self, "refresh")
        self.paper_list.empty_text = "No bookmarks yet: press b on a paper to keep it here."
        self.redisplay()
        self.status.show(feed=self.feed_label(), freshness="local", fetched_at=None, detail="")

    def _show_view(self, view: FeedView, keep: str | None = None) -> None:
        self.view = view
        self.paper_list.empty_text = self._empty_text(view)
        self.redisplay(keep)
        self.status.show(
            feed=self.feed_label(),
            freshness=self._freshness(view),
            fetched_at=view.fetched_at,
            detail="",
        )

    def feed_label(self) -> str:
        """What the status line calls the current list."""
        if self.bookmarks_mode:
            return "bookmarks"
        return self.view.spec.label if self.view else self.spec.label

    def source_papers(self) -> Sequence[Paper]:
        """Every paper of the current view, before hiding read ones."""
        if self.bookmarks_mode:
            return self.service.bookmark_papers()
        return self.view.papers if self.view else ()

    def redisplay(self, keep: str | None = None) -> None:
        """Rebuild the list from the current view (filtered, and hiding read papers when asked)."""
        papers = self._source = self.source_papers()
        shown, highlights = self.filtered(papers)
        if self.hide_read:
            shown = [p for p in shown if p.id not in self.state.read]
        self.paper_list.set_marks(self.state.read, self.state.bookmarks)
        self.paper_list.set_papers(shown, keep=keep, highlights=highlights)
        self.update_counts()

    def filtered(
        self, papers: Sequence[Paper]
    ) -> tuple[Sequence[Paper], Mapping[str, Spans] | None]:
        """Hook: the papers to show from `papers`, and title highlights."""
        return papers, None

    def update_counts(self) -> None:
        """Counts in the status line, after any change of list or marks."""
        shown = self.paper_list.papers
        state = self.state
        ids = self.shown_ids()
        if ids is None:
            unread = state.unread_count(p.id for p in shown)
            bookmarked = sum(1 for p in shown if p.id in state.bookmarks)
        else:  # cheaper for a long list: walk the (shorter) read and bookmark sets instead
            unread = len(shown) - sum(1 for paper_id in state.read if paper_id in ids)
            bookmarked = sum(1 for paper_id in state.bookmarks if paper_id in ids)
        self.status.show(
            shown=len(shown),
            total=len(self._source),
            unread=unread,
            bookmarked=bookmarked,
            problem=self.service.state.problem or "",
        )

    def shown_ids(self) -> AbstractSet[str] | None:
        """Hook: the ids listed now, when a set of them is at hand."""
        return None

    def _freshness(self, view: FeedView) -> Freshness:
        if view.origin == "sample":
            return "sample"
        if view.origin == "none":
            return "missing" if self.offline else "refreshing"
        return "offline" if self.offline else "fresh"

    def _empty_text(self, view: FeedView) -> str:
        if view.origin == "none":
            return "No cached copy of this feed yet." + ("" if self.offline else " Loading…")
        return "No papers in this feed."

    # -- refreshing -----------------------------------------------------------------------

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_feed(self) -> None:
        """Fetch the current feed; drop the answer if the user has moved on meanwhile."""
        spec = self.spec
        self.status.show(freshness="refreshing")
        try:
            outcome = await self.service.refresh(spec)
        except FetchError as exc:
            if spec == self.spec:
                self._refresh_failed(str(exc), offline=exc.offline)
            return
        if spec == self.spec:
            self._refreshed(outcome)

    def _refreshed(self, outcome: RefreshOutcome) -> None:
        if self.bookmarks_mode:
            return
        previous = self.view
        highlighted = self.paper_list.highlighted
        self._show_view(outcome.view, keep=highlighted.id if highlighted else None)
        replaced_real_feed = previous is not None and previous.origin in ("cache", "network")
        new = len(outcome.new_ids)
        if new and replaced_real_feed:
            self.notify(f"{new} new paper{'s' if new != 1 else ''}", markup=False)
        if outcome.skipped:
            self.notify(
                f"{outcome.skipped} items skipped (bad data)", severity="warning", markup=False
            )
        if outcome.cache_error:
            self.notify(outcome.cache_error, severity="warning", markup=False)
        self._report_notices()

    def _refresh_failed(self, reason: str, *, offline: bool) -> None:
        view = self.view
        freshness: Freshness
        if view is not None and view.origin == "sample":
            freshness = "sample"
        elif view is None or view.origin == "none":
            freshness = "missing"
            self.paper_list.empty_text = f"No cached copy of this feed, and {reason}."
            self.paper_list.refresh()
        else:
            freshness = "offline" if offline else "error"
        self.status.show(freshness=freshness, detail=reason)
        self.notify(reason, title="Refresh failed", severity="warning", markup=False)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.status.show(freshness="error", detail=str(error))
            self.notify(
                f"{type(error).__name__}: {error}",
                title="Something went wrong",
                severity="error",
                markup=False,
            )

    def _report_notices(self) -> None:
        for notice in self.service.take_notices():
            self.notify(notice, severity="warning", markup=False)

    # -- list and detail ------------------------------------------------------------------

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        if self._details_timer is not None:
            self._details_timer.stop()
            self._details_timer = None
        if self.details_can_wait():
            # While a query is typed, the details follow once the list settles: laying out an
            # abstract for every keystroke would cost frames the typing needs.
            self._details_timer = self.set_timer(0.15, lambda: self.show_details(event.paper))
        else:
            self.show_details(event.paper)
        self.paper_highlighted(event.paper)

    def details_can_wait(self) -> bool:
        """Hook: True when the details may follow the cursor a moment later."""
        return False

    def paper_highlighted(self, paper: Paper | None) -> None:
        """Hook: the cursor is on `paper` now."""

    def paper_opened(self, paper: Paper) -> None:
        """Hook: `paper` was opened in a browser."""

    # -- state on disk ----------------------------------------------------------------------

    @work(thread=True, group="save", exit_on_error=False)
    def save_state(self) -> None:
        """Write queued changes (other instances' changes are merged in)."""
        notices = self.service.state.sync()
        self.app.call_from_thread(self._saved, notices)

    def _saved(self, notices: Sequence[str]) -> None:
        for notice in notices:
            self.notify(notice, severity="warning", markup=False)
        self.update_counts()

    @work(exclusive=True, group="complete", exit_on_error=False)
    async def complete_bookmarks(self) -> None:
        """Fetch the details of bookmarks that were stored offline with their id only."""
        completed = await self.service.complete_bookmarks()
        if completed:
            self.notify(f"Details filled in for {completed} bookmark(s)", markup=False)
            self.save_state()
            if self.bookmarks_mode:
                current = self.paper_list.highlighted
                self.redisplay(keep=current.id if current else None)

    @property
    def state(self) -> State:
        return self.service.state.state

    def show_details(self, paper: Paper | None) -> None:
        bookmark = self.state.bookmarks.get(paper.id) if paper else None
        self.query_one(DetailPane).show(
            paper,
            read=paper is not None and paper.id in self.state.read,
            bookmark=bookmark,
        )

    @on(PaperList.Selected)
    def _selected(self, event: PaperList.Selected) -> None:
        detail = self.query_one(DetailPane)
        if self.has_class("-narrow"):
            self.maximize(detail, container=False)
        detail.focus()

    def action_back(self) -> None:
        if self.maximized is not None:
            self.minimize()
        self.paper_list.focus()

    # -- feeds ----------------------------------------------------------------------------

    def action_feed(self, kind: str) -> None:
        self.show_feed(FeedSpec.parse(kind))

    def action_refresh(self) -> None:
        if self.offline:
            self.notify("Offline mode (--offline): not refreshing.", markup=False)
        elif self.bookmarks_mode:
            self.complete_bookmarks()
        else:
            self.refresh_feed()

    def action_period(self, step: int) -> None:
        if self.bookmarks_mode:
            self.notify("Bookmarks have no previous or next period.", markup=False)
            return
        current = self.view.spec if self.view else self.spec
        if not current.is_dated:
            self.notify(f"{current.label} has no previous or next period.", markup=False)
            return
        self.show_feed(current.shifted(step))

    def action_search(self) -> None:
        from paperterm.ui.screens.prompt import SearchModal  # loaded when first needed

        def searched(query: str | None) -> None:
            if query:
                self.show_feed(FeedSpec("search", query[:250]))

        self.app.push_screen(SearchModal(), searched)

    # -- links ----------------------------------------------------------------------------

    def _link(self, which: str) -> str | None:
        paper = self.paper_list.highlighted
        if paper is None:
            self.notify("No paper selected.", markup=False)
            return None
        return paper_link(self, paper, which)

    def action_open(self, which: str) -> None:
        url = self._link(which)
        paper = self.paper_list.highlighted
        if url is not None and paper is not None:
            self.paper_opened(paper)
            open_link(self, url)

    def action_copy_link(self) -> None:
        url = self._link("hf")
        if url is not None:
            copy_link(self, url)

    # -- command palette ------------------------------------------------------------------

    def commands(self) -> Iterator[SystemCommand]:
        """Every reader action, for the command palette."""
        yield SystemCommand("Refresh", "Fetch the current feed again", self.action_refresh)
        for kind in ("trending", "daily", "weekly", "monthly"):
            yield SystemCommand(
                f"Feed: {kind}", f"Show the {kind} feed", lambda k=kind: self.action_feed(k)
            )
        yield SystemCommand(
            "Previous period", "The previous day, week or month", lambda: self.action_period(-1)
        )
        yield SystemCommand(
            "Next period", "The next day, week or month", lambda: self.action_period(1)
        )
        yield SystemCommand(
            "Search Hugging Face", "Search papers on huggingface.co", self.action_search
        )
        for which, name in LINKS.items():
            yield SystemCommand(
                f"Open {name}",
                f"Open the paper's {name} in a browser",
                lambda w=which: self.action_open(w),
            )
        yield SystemCommand(
            "Copy link", "Copy the paper's Hugging Face link", self.action_copy_link
        )
