"""A search result made ready in the filter's worker, off the UI thread: its papers, their
title highlights (computed for a row when it is first drawn), its unread and bookmarked counts,
and the rows the list draws first, already read from the cache and highlighted."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from paperterm.models import Paper
from paperterm.records import Record, replace
from paperterm.service.rows import PaperRows
from paperterm.ui.widgets.paper_list import Spans

if TYPE_CHECKING:  # the query engine loads with the first search, not for the first frame
    from paperterm.models import ReadingState
    from paperterm.query import Query


class Found(Record, frozen=True):
    """A search result made ready off the UI thread: the papers in rank order (for everything
    cached, ids whose papers are read as they scroll into view), their ids, title highlights."""

    query: Query
    papers: Sequence[Paper]
    highlights: Mapping[str, Spans]
    # How many of the papers are unread and bookmarked in `state`, counted in the worker.
    state: ReadingState | None = None
    counts: tuple[int, int] = (0, 0)


def counted(found: Found, state: ReadingState) -> Found:
    """`found` with its unread and bookmarked counts in `state`: two passes in C over the
    ids (a search lists each paper once), 7 ms for 100k where a loop took 11, all of it
    holding the lock the UI thread needs to draw. The ids of a lazy list are split once for
    both, and let go of at once."""
    ids = ids_of(found.papers)
    if not isinstance(ids, list | tuple):
        ids = list(ids)
    unread = len(ids) - _among(state.read, ids)
    return replace(found, state=state, counts=(unread, _among(state.bookmarks, ids)))


def _among(marks: Mapping[str, object], ids: Sequence[str]) -> int:
    return len(marks.keys() & ids) if marks else 0


def warmed(found: Found, shown: range) -> Found:
    """`found` with the rows in `shown` (those the list will draw first) read from the cache
    and their titles highlighted now, in the worker: 5-10 ms a result the UI thread's frame
    would otherwise spend on them."""
    papers, highlights = found.papers, found.highlights
    for row in shown:
        highlights.get(papers[row].id)
    return found


class LazyHighlights(Mapping[str, Spans]):
    """Title highlights of a search result, computed for a row only when it is drawn
    (only result papers are ever listed, so no membership test is needed)."""

    def __init__(self, query: Query, title: Callable[[str], str], ids: Sequence[str]) -> None:
        self._query = query
        self._title = title
        self._ids = ids
        self._spans: dict[str, Spans] = {}

    def __getitem__(self, paper_id: str) -> Spans:
        spans = self._spans.get(paper_id)
        if spans is None:
            from paperterm.query import highlight_spans

            spans = self._spans[paper_id] = highlight_spans(self._title(paper_id), self._query)
        return spans

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def ids_of(papers: Sequence[Paper]) -> Sequence[str]:
    """The ids of a list, without reading the papers of one read lazily."""
    return papers.ids if isinstance(papers, PaperRows) else [p.id for p in papers]


def without(papers: Sequence[Paper], ids: Collection[str]) -> Sequence[Paper]:
    """`papers` but those of `ids` (a lazy list stays lazy)."""
    if isinstance(papers, PaperRows):
        return papers.without(ids)
    return [p for p in papers if p.id not in ids]


def titles_of(papers: Sequence[Paper], query: Query) -> LazyHighlights:
    """The title highlights of `papers` for `query`, each computed when first asked for."""
    if isinstance(papers, PaperRows):
        return LazyHighlights(query, papers.title_of, papers.ids)
    titles = {p.id: p.title for p in papers}
    return LazyHighlights(query, titles.__getitem__, list(titles))
