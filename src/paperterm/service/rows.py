"""A long result as ids, its papers read only when asked for: what lets a list of 100,000
search results go on screen without reading 100,000 papers."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import overload

from paperterm.models import Paper

PAGE = 64  # papers read at once: a screenful and then some
_PAGES_KEPT = 64


class PaperRows(Sequence[Paper]):
    """Papers by position, read `PAGE` at a time through `load` (ids to papers) and kept for
    the last pages asked for. Iterating reads every page: callers that only need the ids
    (counting, finding a paper's row) use `ids` and `index_of`."""

    def __init__(self, ids: Sequence[str], load: Callable[[Sequence[str]], Mapping[str, Paper]]):
        self.ids = ids
        self._load = load
        self._pages: OrderedDict[int, list[Paper | None]] = OrderedDict()
        self._loaded: dict[str, Paper] = {}  # the papers of the pages kept

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Paper]: ...
    def __getitem__(self, index: int | slice) -> Paper | Sequence[Paper]:
        if isinstance(index, slice):
            return PaperRows(self.ids[index], self._load)
        if index < 0:
            index += len(self.ids)
        if not 0 <= index < len(self.ids):
            raise IndexError(index)
        page = self._page(index // PAGE)
        paper = page[index % PAGE]
        if paper is None:  # gone from the cache since the search: a placeholder row
            return Paper(id=self.ids[index], title="(no longer cached)", authors=(), abstract="")
        return paper

    def __iter__(self) -> Iterator[Paper]:
        for i in range(len(self.ids)):
            yield self[i]

    def title_of(self, paper_id: str) -> str:
        """The title of a listed paper, from the pages read (a row is read before it is drawn)."""
        paper = self._loaded.get(paper_id)
        return paper.title if paper is not None else self[self.index_of(paper_id)].title

    def without(self, ids: Collection[str]) -> PaperRows:
        """These rows but those of `ids`, read through the same loader."""
        return PaperRows([i for i in self.ids if i not in ids], self._load)

    def index_of(self, paper_id: str) -> int:
        """The row of `paper_id` (ValueError if it is not listed): a scan in C, a millisecond
        for 100k rows, where a map of every row takes twenty (made once per search result)."""
        return self.ids.index(paper_id)

    def _page(self, number: int) -> list[Paper | None]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        ids = self.ids[number * PAGE : (number + 1) * PAGE]
        found = self._load(ids)
        page = [found.get(i) for i in ids]
        self._pages[number] = page
        self._loaded.update((p.id, p) for p in page if p is not None)
        if len(self._pages) > _PAGES_KEPT:
            _, dropped = self._pages.popitem(last=False)
            for paper in dropped:
                if paper is not None:
                    self._loaded.pop(paper.id, None)
        return page
