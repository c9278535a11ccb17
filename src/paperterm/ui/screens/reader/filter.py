"""FilterController: find anything as you type, off the UI thread.

Each keystroke bumps a generation number and starts a search in a thread worker; a result is
shown only if no keystroke came after it, so typing fast never queues stale work on screen.
Searches ask the persistent index in the feed cache (in SQLite, which lets go of the GIL),
so no index is built on the way; widened to everything, the list holds ids and reads the
papers as they scroll into view. While that index is not ready (being rebuilt in the
background), the in-memory index stands in, built once per list off the UI thread. The scope
is the current list, or — with ctrl+a in the bar — everything in the cache plus the
bookmarks.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from paperterm.models import Paper
from paperterm.service import CacheBusy, PaperService
from paperterm.service.rows import PaperRows
from paperterm.service.search import Interrupted
from paperterm.ui.screens.reader.found import (
    Found,
    LazyHighlights,
    counted,
    titles_of,
    warmed,
)
from paperterm.ui.widgets.paper_list import Spans

if TYPE_CHECKING:  # the query engine loads with the first search, not for the first frame
    from paperterm.models import ReadingState
    from paperterm.query import PaperIndex, Query
    from paperterm.ui.screens.reader.screen import ReaderScreen
    from paperterm.ui.screens.reader.timers import Pending

Scope = Literal["view", "everything"]

# While a query is typed, its problem (a bad term, underlined at once) is named once typing
# pauses: the label's new width lays out the whole screen, not a cost for every keystroke.
PROBLEM_DELAY = 0.3


class FilterController:
    """The filter of a `ReaderScreen`: its query, its scope and its latest result."""

    def __init__(self, screen: ReaderScreen, service: PaperService) -> None:
        self.screen = screen
        self.service = service
        self.query = ""
        self.scope: Scope = "view"
        self.found: Found | None = None
        self._generation = 0
        # Everything cached, in order (from the persistent index), once widened.
        self._everything: Sequence[Paper] | None = None
        # The in-memory index, only while the persistent one is not ready.
        self._index: PaperIndex | None = None
        self._index_source: Sequence[Paper] | None = None
        self._searched_source: Sequence[Paper] | None = None  # what `found` was searched in
        self._rebuilding = self._checked = False
        self._one_at_a_time = threading.Lock()
        self._problem: Pending | None = None

    @property
    def label(self) -> str | None:
        """What the status line calls the list while the scope is everything, else None."""
        return "everything cached + bookmarks" if self.scope == "everything" else None

    @property
    def scope_text(self) -> str:
        """What the filter bar says of the scope, and how to change it."""
        if self.scope == "everything":
            return "in everything cached + bookmarks · ctrl+a narrows"
        return "in this list · ctrl+a widens"

    def source(self, current: Sequence[Paper]) -> Sequence[Paper]:
        """The papers the filter looks at: `current`, or everything gathered so far."""
        if self.scope != "everything":
            return current
        # Until the worker has gathered everything, the bookmarks stand in.
        if self._everything is not None:
            return self._everything
        return self.service.triage.bookmark_papers()

    def apply(self, papers: Sequence[Paper]) -> tuple[Sequence[Paper], Mapping[str, Spans] | None]:
        """The papers to show from `papers`, and title highlights."""
        found = self.found
        if found is None or not self._is_source(papers):
            return papers, None
        if found.query.is_empty and found.query.sort is None:
            return papers, None  # no filter (a lone sort: still orders the list)
        return found.papers, found.highlights

    def shown_counts(self, shown: Sequence[Paper], state: ReadingState) -> tuple[int, int] | None:
        """Unread and bookmarked among `shown` when it is the latest result and was counted
        in `state`, else None."""
        found = self.found
        if found is None or shown is not found.papers or found.state is not state:
            return None
        return found.counts

    def listed(self, source: Sequence[Paper]) -> None:
        """A new list is on screen (another feed, a refresh): search it with the same query."""
        if not self._checked:  # the first list is on screen: now see to the index
            self._checked = True
            self.screen.call_after_refresh(self.ensure_index)
        if self.query and not self._is_source(source):
            self.search()

    def changed(self, query: str, problem: str = "") -> None:
        self.query = query
        self.search()
        if self._problem is not None:
            self._problem.stop()
        bar = self.screen.filter_bar
        self._problem = self.screen.delays.after(
            self.screen, PROBLEM_DELAY, lambda: bar.show_problem(problem)
        )

    def toggle_scope(self) -> None:
        self.scope = "view" if self.scope == "everything" else "everything"
        self._forget()
        self.search()

    def clear(self) -> None:
        """Drop the query and go back to the whole current list."""
        self._generation += 1
        if self._problem is not None:
            self._problem.stop()  # the bar is cleared with its problem
        if self.scope == "everything":
            self.scope = "view"
            self._forget()
        self.query, self.found = "", None

    def search(self) -> None:
        """Search the scope for the query in a worker; only the newest search is shown."""
        self._generation += 1
        self.service.search.interrupt()  # the search still running is for an older query
        papers = None if self.scope == "everything" else self.screen.source
        generation, text = self._generation, self.query
        self.screen.run_worker(
            lambda: self._run(generation, text, papers),
            thread=True,
            exclusive=True,
            group="filter",
            exit_on_error=False,
            # A fixed description: by default a worker repr()s its work — 10k papers, 300 ms.
            description="filter",
        )

    def ensure_index(self) -> None:
        """Rebuild the persistent index in the background when it is not ready (a cache from
        before it, or found damaged); the in-memory index answers meanwhile."""
        if self._rebuilding:
            return
        self._rebuilding = True
        self.screen.run_worker(
            self._rebuild, thread=True, group="search-index", exit_on_error=False,
            description="search index",
        )  # fmt: skip

    def _rebuild(self) -> None:
        search = self.service.search
        try:
            if search.index_ready(warm=True):
                done = None
            else:
                self.screen.app.call_from_thread(self._rebuilding_notice)
                done = search.rebuild_index(lambda: self.screen.is_attached)
        except CacheBusy:
            done = False  # another program holds the cache: the next search asks again
        self.screen.app.call_from_thread(self._rebuilt, done)

    def _rebuilding_notice(self) -> None:
        self.screen.report_notices()
        self.screen.notify("Rebuilding the search index in the background.", markup=False)

    def _rebuilt(self, done: bool | None) -> None:
        self._rebuilding = False
        if done:
            self.screen.notify("Search index rebuilt.", markup=False)

    # -- in the worker ------------------------------------------------------------------------

    def _run(self, generation: int, text: str, papers: Sequence[Paper] | None) -> None:
        # One search at a time: a keystroke's search waits for the one before it (stopped by
        # `search`), then gives way if another keystroke came meanwhile.
        with self._one_at_a_time:
            if generation != self._generation:
                return  # a later keystroke already asked again
            try:
                self._search(generation, text, papers)
            except Interrupted:
                return  # a later keystroke stopped it
            except CacheBusy as exc:  # never an in-memory index of everything for a lock
                self.screen.app.call_from_thread(self._busy, str(exc))

    def _busy(self, reason: str) -> None:
        self.screen.notify(f"Search waits: {reason}. Type again in a moment.", markup=False)

    def _search(self, generation: int, text: str, papers: Sequence[Paper] | None) -> None:
        from paperterm.query import parse_query

        query = parse_query(text)
        context = self.service.search_context()
        search = self.service.search

        def stop() -> bool:
            return generation != self._generation

        if papers is not None:
            shown = search.indexed(query, papers, context, stop)
            if generation != self._generation:
                return  # a later keystroke asked meanwhile: its search runs next
            if shown is not None:
                found = self._ready(Found(query, shown, titles_of(shown, query)))
                self.screen.app.call_from_thread(self._searched, generation, papers, found)
                return
        if papers is None:
            bookmarks = self.service.triage.bookmark_papers()
            everything = self._everything
            kept = everything is not None
            if everything is None:
                everything = search.everything(parse_query(""), bookmarks, context)
            if everything is not None:
                rows = (
                    everything
                    if query.is_empty
                    # Not stopped before the collection is first shown: it lands with it.
                    else search.everything(query, bookmarks, context, stop if kept else None)
                )
                if generation != self._generation and self._everything is not None:
                    return  # a later keystroke asked meanwhile: its search runs next
                if rows is not None:
                    found = self._ready(Found(query, rows, titles_of(rows, query)))
                    self.screen.app.call_from_thread(self._widened, generation, everything, found)
                    return
        if not search.index_ready():
            self.screen.app.call_from_thread(self.ensure_index)
        self._run_in_memory(generation, query, papers)

    def _run_in_memory(self, generation: int, query: Query, papers: Sequence[Paper] | None) -> None:
        """While the persistent index is not ready: today's index, built once per list."""
        from paperterm.query import PaperIndex

        if papers is None:
            papers = self._index_source or self.service.everything()
        index = (
            self._index
            if self._index is not None and self._index_source is papers
            else PaperIndex(papers)
        )
        result = index.search(query, self.service.search_context())
        shown = result.papers
        highlights = LazyHighlights(query, _title_of(index), result.ids)
        found = self._ready(Found(query, shown, highlights))
        self.screen.app.call_from_thread(self._searched_in_memory, generation, index, papers, found)

    def _ready(self, found: Found) -> Found:
        """`found` counted in the reading state, with the rows the list will show first read
        and highlighted (unless read papers are hidden: other rows are shown then)."""
        found = counted(found, self.service.triage.state)
        if self.screen.hide_read:
            return found
        plist = self.screen.paper_list
        return warmed(found, plist.rows_in_view(found.papers, plist.highlighted_id))

    # -- back on the UI thread ----------------------------------------------------------------

    def _searched(self, generation: int, papers: Sequence[Paper], found: Found) -> None:
        if generation != self._generation:
            return
        self.found = found
        self._searched_source = papers
        self.screen.redisplay_keeping_cursor()

    def _widened(self, generation: int, everything: Sequence[Paper], found: Found) -> None:
        if self.scope != "everything":
            return
        self._everything = everything
        if generation != self._generation:
            return
        self.found = found
        self._searched_source = everything
        self.screen.redisplay_keeping_cursor()

    def _searched_in_memory(
        self, generation: int, index: PaperIndex, papers: Sequence[Paper], found: Found
    ) -> None:
        if self.scope == "everything" or _same(papers, self.screen.source):
            if index is not self._index:
                # An index is hundreds of thousands of long-lived objects; left to the cyclic
                # collector they make each full collection a 100+ ms pause while typing.
                gc.freeze()
            self._index, self._index_source = index, papers
            if self.scope == "everything":
                self._everything = papers
        if generation != self._generation:
            return
        self.found = found
        self._searched_source = papers
        self.screen.redisplay_keeping_cursor()

    def _is_source(self, papers: Sequence[Paper]) -> bool:
        """Whether the latest result was searched in `papers`."""
        return _same(self._searched_source, papers)

    def _forget(self) -> None:
        self._everything = self._index = self._index_source = self._searched_source = None


def _title_of(index: PaperIndex) -> Callable[[str], str]:
    return lambda paper_id: index.paper(paper_id).title


def _same(a: Sequence[Paper] | None, b: Sequence[Paper] | None) -> bool:
    """The same list of papers (identical, or equal: the bookmarks list is rebuilt each time).
    A list read lazily from the cache is only ever the same as itself."""
    if a is b:
        return True
    if a is None or b is None or len(a) != len(b):
        return False
    if isinstance(a, PaperRows) or isinstance(b, PaperRows):
        return False
    return list(a) == list(b)
