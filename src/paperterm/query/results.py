"""What a search takes besides the papers, and what it gives back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperterm import records
from paperterm.models import Paper
from paperterm.query.highlight import highlight_spans
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


# A dataclass, not a `Record`: its index is outside its equality and its highlights are a
# cache of its own, which a struct cannot hold.
@dataclass(frozen=True, slots=True)
class SearchResult:
    """The ids a query selects, best first, out of `total`; title highlights on demand."""

    query: Query
    ids: tuple[str, ...]
    total: int
    index: PaperIndex = field(repr=False, compare=False)
    _highlights: dict[str, tuple[Span, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

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
            spans = highlight_spans(self.index.paper(paper_id).title, self.query)
            self._highlights[paper_id] = spans
        return spans
