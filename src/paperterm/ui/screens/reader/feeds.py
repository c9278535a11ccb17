"""FeedLoader: which list the reader shows, painted from the cache at once and refreshed in
the background; the status line says honestly how fresh it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from paperterm.models import FeedSpec, Paper
from paperterm.service import CacheBusy, FeedView, FetchError, PaperService, RefreshOutcome
from paperterm.ui.widgets.status import Freshness

if TYPE_CHECKING:
    from paperterm.ui.screens.reader.screen import ReaderScreen


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
        return self.view.papers if self.view else ()

    def show(self, spec: FeedSpec) -> None:
        """Paint `spec` from the cache now; refresh it in the background when stale. The
        cache is read without waiting: when another program holds it locked, the status line
        says so and the read is tried again a second later (never a frozen screen)."""
        self.spec = spec
        self.bookmarks_mode = False
        self.screen.workers.cancel_group(self.screen, "refresh")
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
        self.screen.workers.cancel_group(self.screen, "refresh")
        self.screen.paper_list.empty_text = "No bookmarks yet: press b on a paper to keep it here."
        self.screen.redisplay()
        self.screen.status.show(feed=self.label, freshness="local", fetched_at=None, detail="")

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
        self.screen.status.show(freshness="refreshing")
        try:
            outcome = await self.service.feeds.refresh(spec)
        except FetchError as exc:
            if spec == self.spec:
                self._refresh_failed(str(exc), offline=exc.offline)
            return
        if spec == self.spec and not self.bookmarks_mode:
            self._refreshed(outcome)

    def _show_view(self, view: FeedView, keep: str | None = None) -> None:
        self.view = view
        self.screen.paper_list.empty_text = self._empty_text(view)
        self.screen.redisplay(keep)
        self.screen.status.show(
            feed=self.label,
            freshness=self._freshness(view),
            fetched_at=view.fetched_at,
            detail="" if view.complete else view.count_text,
            more=not view.complete,
        )

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
