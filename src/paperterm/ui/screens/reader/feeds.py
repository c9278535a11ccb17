"""FeedLoader: which list the reader shows, painted from the cache at once and refreshed in
the background; the status line says honestly how fresh it is. The lists ranked on this
machine (For you, more like this) are ranked in a thread worker, again whenever the bookmarks
change, and each of their papers can say why it is there.

Since you last looked: the first time a feed is shown in a session, what it was at the last
look (`PaperService.since`) becomes the visit's baseline; every view of it is compared with
that baseline (NEW markers, ↑/↓ movement, "7 new since …") and remembered as the new look."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, TypedDict

from paperterm.models import FeedSpec, Paper
from paperterm.service import (
    CacheBusy,
    Changes,
    FeedView,
    FetchError,
    PaperService,
    RefreshOutcome,
    UnknownSearch,
)
from paperterm.service.since import Baseline, Velocity, compare, since_text
from paperterm.ui.widgets.status import Freshness

if TYPE_CHECKING:
    from paperterm.service.recommend import Recommended
    from paperterm.service.updates import Update
    from paperterm.ui.screens.reader.screen import ReaderScreen


class DetailNotes(TypedDict):
    """What the detail pane says of a paper beyond its record."""

    why: str
    velocity: str
    update: str


CACHE_RETRY_DELAY = 1.0  # seconds between tries of a cache another program holds locked


class FeedLoader:
    """The current feed (or the bookmarks) of a `ReaderScreen`."""

    def __init__(
        self, screen: ReaderScreen, service: PaperService, start: FeedSpec, *, offline: bool
    ) -> None:
        self.screen = screen
        self.service = service
        self.offline = offline
        self.spec = start
        self.view: FeedView | None = None
        self.bookmarks_mode = False
        self.ranked: Recommended | None = None  # the list of a local feed, once ranked
        self._ranked_for: object = None  # the bookmarks (and tags) it was ranked from
        self.changes = Changes()  # the shown feed against the visit's baseline
        self.velocity: dict[str, Velocity] = {}
        self._baselines: dict[str, Baseline | None] = {}  # by concrete feed, once a session
        self.saved: tuple[Paper, ...] = ()  # the matches of a saved search, once searched
        self.updates: dict[str, Update] = {}  # bookmarks with news, as the B view opened
        self._seen_updates: set[str] = set()

    @property
    def label(self) -> str:
        """What the status line calls the current list."""
        if self.bookmarks_mode:
            return "bookmarks"
        return self.view.spec.label if self.view else self.spec.label

    def papers(self) -> Sequence[Paper]:
        """Every paper of the current list, before filtering and hiding read ones."""
        if self.bookmarks_mode:
            return self.service.triage.bookmark_papers()
        if self.spec.kind == "saved":
            return self.saved
        if self.spec.is_local:
            return self.ranked.papers if self.ranked else ()
        return self.view.papers if self.view else ()

    def show(self, spec: FeedSpec) -> None:
        """Paint `spec` from the cache now; refresh it in the background when stale. The
        cache is read without waiting: when another program holds it locked, the status line
        says so and the read is tried again a second later (never a frozen screen)."""
        self.spec = spec
        self.bookmarks_mode = False
        self.screen.workers.cancel_group(self.screen, "refresh")
        if spec.is_local:
            self.view, self.ranked, self.changes, self.saved = None, None, Changes(), ()
            self._since_changed()
            self.screen.paper_list.empty_text = "Searching…" if spec.kind == "saved" else "Ranking…"
            self.screen.redisplay()
            self.rerank()
            return
        try:
            view = self.service.feeds.cached(spec, wait=False)
        except CacheBusy as exc:
            self._cache_busy(spec, str(exc))
            return
        self._show_view(view)
        self.screen.report_notices()
        if not self.offline and self.service.feeds.is_stale(view):
            self.screen.refresh_feed()

    def _cache_busy(self, spec: FeedSpec, reason: str) -> None:
        self.screen.paper_list.empty_text = "The cache is busy (another program holds it locked)…"
        self.screen.paper_list.refresh()
        self.screen.status.show(feed=spec.label, freshness="busy", detail=reason)

        def again() -> None:
            if self.spec == spec and not self.bookmarks_mode:
                self.show(spec)

        self.screen.delays.after(self.screen, CACHE_RETRY_DELAY, again)

    def show_bookmarks(self) -> None:
        """The bookmarks, from their snapshots: works offline, same list and keys."""
        self.bookmarks_mode = True
        self.changes = Changes()
        self._since_changed()
        from paperterm.service.updates import updates  # news of bookmarks: the B view's

        self.updates, self._seen_updates = updates(self.service), set()
        self.screen.paper_list.set_movement(dict.fromkeys(self.updates, "UPD"))
        self.screen.workers.cancel_group(self.screen, "refresh")
        self.screen.paper_list.empty_text = "No bookmarks yet: press b on a paper to keep it here."
        self.screen.redisplay()
        self.screen.status.show(feed=self.label, freshness="local", fetched_at=None, detail="")

    def show_like(self, paper: Paper | None) -> None:
        """More like `paper` (nothing when no paper is highlighted)."""
        if paper is not None:
            self.show(FeedSpec("like", paper.id))

    def rerank(self) -> None:
        """Rank the current local feed again (in a thread worker: the first ranking builds the
        corpus); the cursor stays on its paper, or moves to the next one when it left."""
        spec, keep = self.spec, self._keep()
        if spec.kind == "saved":
            self._search_saved(spec, keep)
            return
        self._ranked_for = self._basis()
        self.screen.status.show(feed=self.label, freshness="ranking", fetched_at=None, detail="")
        self.screen.run_worker(
            lambda: self._rank(spec, keep),
            thread=True,
            exclusive=True,
            group="recommend",
            exit_on_error=False,
            description="recommend",
        )

    def marks_changed(self) -> None:
        """Bookmarks or tags changed: a local feed ranked from other ones ranks again."""
        local = self.spec.is_local and self.spec.kind != "saved"
        if local and not self.bookmarks_mode and self._basis() != self._ranked_for:
            self.rerank()

    @property
    def leaves_bookmarks_out(self) -> bool:  # For you: counting its bookmarks says nothing
        return self.spec.kind == "for-you" and not self.bookmarks_mode

    def why(self, paper: Paper | None) -> str:
        """Why `paper` is in the current ranked list ("" when it is not one)."""
        if paper is None or self.ranked is None or not self.spec.is_local or self.bookmarks_mode:
            return ""
        return self.ranked.reasons(paper).text

    def shifted(self, step: int) -> FeedSpec | None:
        """The previous or next period of the current feed; None (and a notice) if it has none."""
        if self.bookmarks_mode:
            self.screen.notify("Bookmarks have no previous or next period.", markup=False)
            return None
        current = self.view.spec if self.view else self.spec
        if not current.is_dated:
            self.screen.notify(f"{current.label} has no previous or next period.", markup=False)
            return None
        return current.shifted(step)

    async def refresh(self) -> None:
        """Fetch the current feed (run it in a worker); the answer is dropped if the user has
        moved on meanwhile."""
        spec = self.spec
        if spec.is_local:
            self.rerank()  # ranked from the cache and the bookmarks: nothing to fetch
            return
        self.screen.status.show(freshness="refreshing")
        try:
            outcome = await self.service.feeds.refresh(spec)
        except FetchError as exc:
            if spec == self.spec:
                self._refresh_failed(str(exc), offline=exc.offline)
        else:
            if spec == self.spec and not self.bookmarks_mode:
                self._refreshed(outcome)
        # For you's corpus is built now if it is due and For you is in use, in a process of
        # its own, rather than in the first ranking.
        await asyncio.to_thread(self.service.keep_for_you)

    def _search_saved(self, spec: FeedSpec, keep: str | None) -> None:
        """Run saved search `spec` over everything cached, in a thread worker."""

        def search() -> None:
            try:
                papers = tuple(self.service.saved.papers(spec.value or ""))
            except UnknownSearch as exc:
                self.screen.app.call_from_thread(self.screen.notify, str(exc), severity="warning")
                papers = ()
            self.screen.app.call_from_thread(self._show_saved, spec, papers, keep)

        self.screen.status.show(feed=self.label, freshness="ranking", fetched_at=None, detail="")
        self.screen.run_worker(
            search, thread=True, exclusive=True, group="recommend", exit_on_error=False,
            description="saved search",
        )  # fmt: skip

    def _show_saved(self, spec: FeedSpec, papers: tuple[Paper, ...], keep: str | None) -> None:
        if spec != self.spec or self.bookmarks_mode:
            return  # the user has moved on
        self.saved, name, ids = papers, str(spec), [paper.id for paper in papers]
        try:
            if name not in self._baselines:
                self._baselines[name] = self.service.since.baseline(name)
            self.changes = compare(self._baselines[name], ids)
            self.service.since.look(name, ids)
        except CacheBusy:
            self.changes = Changes()
        self._since_changed()
        self.screen.paper_list.empty_text = "No cached paper matches this search."
        self.screen.redisplay(keep)
        query = self.service.saved.searches.get(spec.value or "", "")
        self.screen.status.show(feed=self.label, freshness="searched", detail=query)

    def _rank(self, spec: FeedSpec, keep: str | None) -> None:
        recommend = self.service.recommend
        recommend.announce = lambda papers: self.screen.app.call_from_thread(self._learning, papers)
        ranked = recommend.ranked(spec)
        for paper in ranked.papers[:1]:
            ranked.reasons(paper)  # warm what the details ask for first
        self.screen.app.call_from_thread(self._show_ranked, ranked, keep)

    def _learning(self, papers: int) -> None:
        """The first ranking waits for the corpus to be built: say so, and why it takes time."""
        if self.spec.is_local and not self.bookmarks_mode:
            self.screen.paper_list.empty_text = f"Learning from {papers:,} cached papers (once)…"
            self.screen.paper_list.refresh()

    def _show_ranked(self, ranked: Recommended, keep: str | None) -> None:
        if ranked.spec != self.spec or self.bookmarks_mode:
            return  # the user has moved on
        self.ranked = ranked
        self.screen.paper_list.empty_text = ranked.note or "No papers."
        self.screen.redisplay(keep)
        liked = len(ranked.liked)
        basis = f"{liked} bookmark{'s' if liked != 1 else ''}" if liked != 1 else "one paper"
        detail = f"{ranked.cached} papers ranked by {basis}"
        self.screen.status.show(feed=self.label, freshness="ranked", detail=detail)

    def _keep(self) -> str | None:
        """The paper the cursor should stay on: the highlighted one, or, once it is
        bookmarked (For you leaves bookmarks out), the one after it."""
        papers, cursor = self.screen.paper_list.papers, self.screen.paper_list.cursor
        marks = self.service.triage.state.bookmarks
        for paper in papers[cursor:]:
            if self.spec.kind != "for-you" or paper.id not in marks:
                return paper.id
        return None

    def _basis(self) -> object:
        marks = self.service.triage.state.bookmarks
        return frozenset((b.id, b.tags, b.incomplete) for b in marks.values())

    def next_new(self, step: int) -> None:
        """Move to the next (or previous) paper new since the last look, wrapping around."""
        paper_list = self.screen.paper_list
        papers, new = paper_list.papers, self.changes.new
        for offset in range(1, len(papers) + 1):
            row = (paper_list.cursor + step * offset) % len(papers)
            if papers[row].id in new:
                paper_list.move_cursor(row)
                return
        self.screen.notify("No new papers since your last look.", markup=False)

    def notes(self, paper: Paper | None) -> DetailNotes:
        """What the details say of `paper` beyond its record: why it is in a ranked list,
        how fast it gains upvotes by the history, what a fetch brought about it since it was
        bookmarked ("" when there is nothing). Showing an update counts as seeing it: the
        bookmark's snapshot takes the new facts."""
        found = self.velocity.get(paper.id) if paper is not None else None
        update = self.updates.get(paper.id) if paper is not None else None
        if update is not None and update.paper.id not in self._seen_updates:
            self._seen_updates.add(update.paper.id)
            from paperterm.service.updates import seen

            seen(self.service, update)
            self.screen.save_state()
        velocity, news = found.text if found else "", update.text if update else ""
        return DetailNotes(why=self.why(paper), velocity=velocity, update=news)

    def _show_view(self, view: FeedView, keep: str | None = None) -> None:
        self.view = view
        self._look(view)
        self.screen.paper_list.empty_text = self._empty_text(view)
        self.screen.redisplay(keep)
        self.screen.status.show(
            feed=self.label,
            freshness=self._freshness(view),
            fetched_at=view.fetched_at,
            detail="" if view.complete else view.count_text,
            more=not view.complete,
        )

    def _look(self, view: FeedView) -> None:
        """Compare `view` with the visit's baseline, and remember it as the last look."""
        self.changes = Changes()
        if view.origin not in ("cache", "network"):
            self._since_changed()
            return
        name, ids = str(view.spec), [paper.id for paper in view.papers]
        try:
            if name not in self._baselines:
                self._baselines[name] = self.service.since.baseline(name)
            self.changes = compare(self._baselines[name], ids)
        except CacheBusy:
            pass  # markers are a convenience: the next view compares again
        self._since_changed()
        # Remembering the look (a write) and the velocity (every snapshot of two days): in a
        # thread started once the list is drawn, not before the first frame.
        self.screen.call_after_refresh(
            self.screen.run_worker, partial(self._remember_look, name, ids), thread=True,
            group="velocity", exit_on_error=False, description="look",
        )  # fmt: skip

    def _remember_look(self, name: str, ids: list[str]) -> None:
        try:
            self.service.since.look(name, ids)
            found = self.service.since.velocity()
        except CacheBusy:
            return  # the next view looks and measures again
        self.screen.app.call_from_thread(self._velocity_measured, found)

    def _velocity_measured(self, found: dict[str, Velocity]) -> None:
        self.velocity = found
        if self.screen.is_attached:
            self.screen.show_details(self.screen.paper_list.highlighted)

    def _since_changed(self) -> None:
        movement = {i: self.changes.movement(i) for i in (*self.changes.new, *self.changes.moved)}
        self.screen.paper_list.set_movement(movement)
        self.screen.status.show(since=since_text(self.changes, self.service.clock()))

    def _refreshed(self, outcome: RefreshOutcome) -> None:
        previous = self.view
        highlighted = self.screen.paper_list.highlighted
        self._show_view(outcome.view, keep=highlighted.id if highlighted else None)
        replaced_real_feed = previous is not None and previous.origin in ("cache", "network")
        new = len(outcome.new_ids)
        if new and replaced_real_feed:
            self.screen.notify(f"{new} new paper{'s' if new != 1 else ''}", markup=False)
        if outcome.skipped:
            self.screen.notify(
                f"{outcome.skipped} items skipped (bad data)", severity="warning", markup=False
            )
        if outcome.cache_error:
            self.screen.notify(outcome.cache_error, severity="warning", markup=False)
        if not outcome.view.complete:
            self.screen.notify(
                f"{outcome.view.spec.label}: {outcome.view.count_text}", markup=False
            )
        self.screen.report_notices()

    def _refresh_failed(self, reason: str, *, offline: bool) -> None:
        view = self.view
        freshness: Freshness
        if view is not None and view.origin == "sample":
            freshness = "sample"
        elif view is None or view.origin == "none":
            freshness = "missing"
            self.screen.paper_list.empty_text = f"No cached copy of this feed, and {reason}."
            self.screen.paper_list.refresh()
        else:
            freshness = "offline" if offline else "error"
        self.screen.status.show(freshness=freshness, detail=reason)
        self.screen.notify(reason, title="Refresh failed", severity="warning", markup=False)

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
