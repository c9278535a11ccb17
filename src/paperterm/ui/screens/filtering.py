"""FilteredScreen: the feed screen plus the filter bar — find anything as you type.

Each keystroke bumps a generation number and starts a search in a thread worker; a result
is shown only if no keystroke came after it, so typing fast never queues stale work on screen.
The index is built once per list (off the UI thread too) and reused for every keystroke.
The scope is the current list, or — with ctrl+a in the bar — everything in the cache plus the
bookmarks.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from paperterm.config import Settings
from paperterm.models import FeedSpec, Paper
from paperterm.service import PaperService
from paperterm.ui.screens.feeds import FeedScreen
from paperterm.ui.widgets.filter_bar import FilterBar
from paperterm.ui.widgets.paper_list import Spans

if TYPE_CHECKING:  # the query engine loads with the first search, not for the first frame
    from paperterm.query import PaperIndex, SearchContext, SearchResult

Scope = Literal["view", "everything"]


@dataclass(frozen=True, slots=True)
class Found:
    """A search result made ready off the UI thread: the papers in rank order."""

    result: SearchResult
    papers: list[Paper]
    ids: frozenset[str]


class LazyHighlights(Mapping[str, Spans]):
    """Title highlights of a search result, computed for a row only when it is drawn
    (only result papers are ever listed, so no membership test is needed)."""

    def __init__(self, result: SearchResult) -> None:
        self._result = result

    def __getitem__(self, paper_id: str) -> Spans:
        return self._result.highlights(paper_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._result.ids)

    def __len__(self) -> int:
        return len(self._result.ids)


class FilteredScreen(FeedScreen):
    """Adds the filter bar to the feed screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            tooltip="Filter the list as you type",
            id="filter",
        ),
    ]

    def __init__(
        self, service: PaperService, start: FeedSpec, *, offline: bool, settings: Settings
    ) -> None:
        super().__init__(service, start, offline=offline, settings=settings)
        self.filter_scope: Scope = "view"
        self._found: Found | None = None
        self._generation = 0
        self._index: PaperIndex | None = None
        self._index_source: Sequence[Paper] | None = None

    def compose_bottom(self) -> ComposeResult:
        yield FilterBar(id="filter")

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one("#filter", FilterBar)

    # -- the list pipeline ----------------------------------------------------------------

    def source_papers(self) -> Sequence[Paper]:
        if self.filter_scope == "everything":
            # Until the worker has gathered everything, the bookmarks stand in.
            return (
                self._index_source
                if self._index_source is not None
                else self.service.bookmark_papers()
            )
        return super().source_papers()

    def feed_label(self) -> str:
        if self.filter_scope == "everything":
            return "everything cached + bookmarks"
        return super().feed_label()

    def filtered(
        self, papers: Sequence[Paper]
    ) -> tuple[Sequence[Paper], Mapping[str, Spans] | None]:
        found = self._found
        if found is None or found.result.query.is_empty or not _same(self._index_source, papers):
            return papers, None
        return found.papers, LazyHighlights(found.result)

    def details_can_wait(self) -> bool:
        return self.filter_bar.input.has_focus

    def shown_ids(self) -> frozenset[str] | None:
        found = self._found
        return found.ids if found is not None and self.paper_list.papers is found.papers else None

    def redisplay(self, keep: str | None = None) -> None:
        super().redisplay(keep)
        # A new list (another feed, a refresh): search it again with the same query.
        if self.filter_query and not _same(self._index_source, self._source):
            self._search()

    # -- events ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.filter_bar.open()
        self._describe_scope()

    @on(FilterBar.Changed)
    def _query_changed(self, event: FilterBar.Changed) -> None:
        self.filter_query = event.query
        self._search()

    @on(FilterBar.Submitted)
    def _filter_submitted(self) -> None:
        self.paper_list.focus()

    @on(FilterBar.Closed)
    def _filter_closed(self) -> None:
        self.clear_filter()
        self.paper_list.focus()

    @on(FilterBar.ScopeToggled)
    def _scope_toggled(self) -> None:
        self.filter_scope = "view" if self.filter_scope == "everything" else "everything"
        self._index, self._index_source = None, None
        self._describe_scope()
        self._search()

    def clear_filter(self) -> None:
        """Drop the query and go back to the whole current list."""
        self._generation += 1
        if self.filter_scope == "everything":
            self.filter_scope = "view"
            self._index, self._index_source = None, None
        self.filter_query, self._found = "", None
        self.filter_bar.clear()
        self.status.show(feed=self.feed_label())
        current = self.paper_list.highlighted
        self.redisplay(keep=current.id if current else None)

    def _describe_scope(self) -> None:
        self.status.show(feed=self.feed_label())
        if self.filter_scope == "everything":
            self.filter_bar.show_scope("in everything cached + bookmarks · ctrl+a narrows")
        else:
            self.filter_bar.show_scope("in this list · ctrl+a widens")

    # -- searching off the UI thread ------------------------------------------------------

    def _search(self) -> None:
        self._generation += 1
        everything = self.filter_scope == "everything"
        papers = self._index_source if everything else self._source
        self.run_search(self._generation, self.filter_query, papers)

    # A fixed description: by default @work repr()s the arguments — 10k papers, 300 ms.
    @work(thread=True, exclusive=True, group="filter", exit_on_error=False, description="filter")
    def run_search(self, generation: int, text: str, papers: Sequence[Paper] | None) -> None:
        """Search `papers` (None: gather everything first) for `text`."""
        if generation != self._generation:
            return  # a later keystroke already asked again
        from paperterm.query import PaperIndex, parse_query

        if papers is None:
            papers = self.service.everything()
        index = (
            self._index
            if self._index is not None and self._index_source is papers
            else PaperIndex(papers)
        )
        result = index.search(parse_query(text), self._search_context())
        found = Found(result, result.papers, frozenset(result.ids))
        self.app.call_from_thread(self._searched, generation, index, papers, found)

    def _searched(
        self, generation: int, index: PaperIndex, papers: Sequence[Paper], found: Found
    ) -> None:
        if self.filter_scope == "everything" or _same(papers, self._source):
            if index is not self._index:
                # An index is hundreds of thousands of long-lived objects; left to the cyclic
                # collector they make each full collection a 100+ ms pause while typing.
                gc.freeze()
            self._index, self._index_source = index, papers
        if generation != self._generation:
            return
        self._found = found
        current = self.paper_list.highlighted
        self.redisplay(keep=current.id if current else None)

    def _search_context(self) -> SearchContext:
        from paperterm.query import SearchContext

        state = self.state
        return SearchContext(
            today=self.service.clock().date(),
            read=frozenset(state.read),
            bookmarked=frozenset(state.bookmarks),
            tags={paper_id: b.tags for paper_id, b in state.bookmarks.items()},
        )


def _same(a: Sequence[Paper] | None, b: Sequence[Paper] | None) -> bool:
    """The same list of papers (identical, or equal: the bookmarks list is rebuilt each time)."""
    return a is b or (a is not None and b is not None and len(a) == len(b) and list(a) == list(b))
