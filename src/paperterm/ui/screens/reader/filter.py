"""FilterController: find anything as you type, off the UI thread.

Each keystroke bumps a generation number and starts a search in a thread worker; a result is
shown only if no keystroke came after it, so typing fast never queues stale work on screen.
The index is built once per list (off the UI thread too) and reused for every keystroke. The
scope is the current list, or — with ctrl+a in the bar — everything in the cache plus the
bookmarks.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from paperterm.models import Paper
from paperterm.service import PaperService
from paperterm.ui.widgets.paper_list import Spans

if TYPE_CHECKING:  # the query engine loads with the first search, not for the first frame
    from paperterm.query import PaperIndex, SearchResult
    from paperterm.ui.screens.reader.screen import ReaderScreen

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


class FilterController:
    """The filter of a `ReaderScreen`: its query, its scope and its latest result."""

    def __init__(self, screen: ReaderScreen, service: PaperService) -> None:
        self.screen = screen
        self.service = service
        self.query = ""
        self.scope: Scope = "view"
        self.found: Found | None = None
        self._generation = 0
        self._index: PaperIndex | None = None
        self._index_source: Sequence[Paper] | None = None

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
        if self._index_source is not None:
            return self._index_source
        return self.service.triage.bookmark_papers()

    def apply(self, papers: Sequence[Paper]) -> tuple[Sequence[Paper], Mapping[str, Spans] | None]:
        """The papers to show from `papers`, and title highlights."""
        found = self.found
        if found is None or not _same(self._index_source, papers):
            return papers, None
        if found.result.query.is_empty and found.result.query.sort is None:
            return papers, None  # no filter (a lone sort: still orders the list)
        return found.papers, LazyHighlights(found.result)

    def shown_ids(self, shown: Sequence[Paper]) -> frozenset[str] | None:
        """The ids of `shown` when it is the latest result (a set at hand, for counting)."""
        found = self.found
        return found.ids if found is not None and shown is found.papers else None

    def listed(self, source: Sequence[Paper]) -> None:
        """A new list is on screen (another feed, a refresh): search it with the same query."""
        if self.query and not _same(self._index_source, source):
            self.search()

    def changed(self, query: str) -> None:
        self.query = query
        self.search()

    def toggle_scope(self) -> None:
        self.scope = "view" if self.scope == "everything" else "everything"
        self._index, self._index_source = None, None
        self.search()

    def clear(self) -> None:
        """Drop the query and go back to the whole current list."""
        self._generation += 1
        if self.scope == "everything":
            self.scope = "view"
            self._index, self._index_source = None, None
        self.query, self.found = "", None

    def search(self) -> None:
        """Search the scope for the query in a worker; only the newest search is shown."""
        self._generation += 1
        papers = self._index_source if self.scope == "everything" else self.screen.source
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

    def _run(self, generation: int, text: str, papers: Sequence[Paper] | None) -> None:
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
        result = index.search(parse_query(text), self.service.search_context())
        found = Found(result, result.papers, frozenset(result.ids))
        self.screen.app.call_from_thread(self._searched, generation, index, papers, found)

    def _searched(
        self, generation: int, index: PaperIndex, papers: Sequence[Paper], found: Found
    ) -> None:
        if self.scope == "everything" or _same(papers, self.screen.source):
            if index is not self._index:
                # An index is hundreds of thousands of long-lived objects; left to the cyclic
                # collector they make each full collection a 100+ ms pause while typing.
                gc.freeze()
            self._index, self._index_source = index, papers
        if generation != self._generation:
            return
        self.found = found
        self.screen.redisplay_keeping_cursor()


def _same(a: Sequence[Paper] | None, b: Sequence[Paper] | None) -> bool:
    """The same list of papers (identical, or equal: the bookmarks list is rebuilt each time)."""
    return a is b or (a is not None and b is not None and len(a) == len(b) and list(a) == list(b))
