"""What a search takes besides the papers, and what it gives back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from paperterm import records
from paperterm.models import Paper
from paperterm.query.parse import Query, Span
from paperterm.records import Record

if TYPE_CHECKING:
    from paperterm.query.index import PaperIndex


class SearchContext(Record, frozen=True):
    """What a search needs that papers do not carry: reading state, tags, velocity and today.
    Treat it as immutable: the index remembers what it derived from the last one it saw."""

    today: dt.date
    read: frozenset[str] = frozenset()
    bookmarked: frozenset[str] = frozenset()
    tags: Mapping[str, Sequence[str]] = records.field(default_factory=dict)
    # Upvotes gained per day, from the feed history, for ``sort:hot`` (papers not in it are
    # estimated from their upvotes and age).
    velocity: Mapping[str, float] = records.field(default_factory=dict)


# Not a `Record`: its index is outside its equality and its highlights are a cache of its
# own, which a struct cannot hold. Not a dataclass either: `dataclasses` and the making of one
# cost a filtered `list`, which only needs `SearchContext`, 1.5 ms.
class SearchResult:
    """The ids a query selects, best first, out of `total`; title highlights on demand."""

    __slots__ = ("_highlights", "ids", "index", "query", "total")

    query: Query
    ids: tuple[str, ...]
    total: int
    index: PaperIndex
    _highlights: dict[str, tuple[Span, ...]]

    def __init__(self, query: Query, ids: tuple[str, ...], total: int, index: PaperIndex) -> None:
        for name, value in (("query", query), ("ids", ids), ("total", total), ("index", index)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_highlights", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"SearchResult is immutable: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchResult):
            return NotImplemented
        return (self.query, self.ids, self.total) == (other.query, other.ids, other.total)

    def __hash__(self) -> int:
        return hash((self.query, self.ids, self.total))

    def __repr__(self) -> str:
        return f"SearchResult(query={self.query!r}, ids={self.ids!r}, total={self.total!r})"

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def papers(self) -> list[Paper]:
        """The selected papers, in rank order."""
        return [self.index.paper(paper_id) for paper_id in self.ids]

    def highlights(self, paper_id: str) -> tuple[Span, ...]:
        """Where the query matched in this paper's title (computed when first asked for,
        since a list only draws a screenful of rows)."""
        spans = self._highlights.get(paper_id)
        if spans is None:
            # Here: a filter answered from the persistent index (`list --filter`) never
            # highlights, and the highlighter loads rapidfuzz (10 ms).
            from paperterm.query.highlight import highlight_spans

            spans = highlight_spans(self.index.paper(paper_id).title, self.query)
            self._highlights[paper_id] = spans
        return spans
