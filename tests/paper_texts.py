"""Paper records for the 19 real full texts in `fixtures/hf-api/paper_md/` (their ids are
not in the feed collection): the title from each file's header, a made-up author list and
abstract, a feed day; and a reader whose trending list starts with them."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appdata import FETCHED, fill_cache, make_service, reader_app, trending_papers
from fakehf import FIXTURES, FakeHF
from hf_data import load

from paperterm.models import Paper
from paperterm.ui.app import PapertermApp

if TYPE_CHECKING:
    from paperterm.ui.screens.reading import ReadingScreen

TEXTS = FIXTURES / "paper_md"
BIG = "2606.16517"  # variant A, the largest (171k characters)
DUMP = "2606.21795"  # variant B, a page dump


def text_papers() -> list[Paper]:
    papers = []
    for path in sorted(TEXTS.glob("26*.md")):
        with path.open(encoding="utf-8") as text:
            title = text.readline().removeprefix("Title:").strip()
        papers.append(
            Paper(
                id=path.stem, title=title, authors=("A. Author", "B. Author"),
                abstract=f"Our own abstract of {path.stem}.", upvotes=10,
                feed_day=dt.date(2026, 6, 26), fetched_at=FETCHED,
            )
        )  # fmt: skip
    return papers


def reading_app(home: Path, fake: FakeHF | None = None, first: str = BIG) -> PapertermApp:
    """The reader, the paper `first` at the top of its list; the network is `fake` (or down)."""
    service = make_service(home, fake.transport() if fake else None)
    papers = text_papers()
    papers.sort(key=lambda p: p.id != first)
    fill_cache(service, [*papers, *trending_papers()])
    return reader_app(service)


def linked_record(paper_id: str, *, models: int, datasets: int, spaces: int) -> dict[str, Any]:
    """An `/api/papers/{id}` answer in the shape of the real sample (`paper_info/2608.09888`,
    one linked dataset), with made-up linked repos: at most 3 listed per kind, the totals
    as given (the server truncates its lists, the totals are true)."""
    record = copy.deepcopy(load("paper_info/2608.09888.json"))
    record["id"] = paper_id
    template = record["linkedDatasets"][0]
    for kind, field, total, n in (
        ("model", "linkedModels", "numTotalModels", models),
        ("dataset", "linkedDatasets", "numTotalDatasets", datasets),
        ("space", "linkedSpaces", "numTotalSpaces", spaces),
    ):
        record[field] = [
            {**template, "id": f"org{i}/{kind}-{paper_id}", "repoType": kind, "likes": 7 * i + n}
            for i in range(min(n, 3))
        ]
        record[total] = n
    return record


def status(screen: ReadingScreen) -> str:
    """The reading view's status line."""
    from textual.widgets import Static

    return str(screen.query_one("#reading-status", Static).render())


async def open_view(pilot, app, key: str = "R") -> ReadingScreen:  # type: ignore[no-untyped-def]
    """Press `key` and wait for the reading view, its text laid out or its failure said.
    (The reading view is imported here, not above: the start-up tests load this module.)"""
    from appdata import until

    from paperterm.ui.screens.reading import ReadingScreen

    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, ReadingScreen))
    screen = app.screen
    await until(pilot, lambda: screen.text.settled or "Could not" in status(screen))
    return screen
