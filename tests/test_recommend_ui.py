"""For you and more like this in the reader: the keys, the ranked list, the why-line, and
ranking again as bookmarks change — all offline, from the cache and the bookmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from appdata import make_service, reader_app, until
from hf_data import NOW
from recommend_data import about, recent_papers, titled
from textual.pilot import Pilot
from textual.widgets import Static

from paperterm.models import FeedSpec, Paper
from paperterm.records import replace
from paperterm.service.recommend import START_HINT
from paperterm.ui.app import PapertermApp
from paperterm.ui.widgets.detail import DetailPane
from paperterm.ui.widgets.status import StatusLine, counts_text

SIZE = (120, 36)
VIDEO = "video generation"


def app_with(home: Path, liked: list[Paper], extra: list[Paper] | None = None) -> PapertermApp:
    """The reader, offline, over a cache of 804 real papers, with `liked` bookmarked."""
    service = make_service(home)
    spec = FeedSpec("trending")
    service.feeds.cache.store_feed(spec, spec, [*recent_papers(), *(extra or [])], NOW)
    service.load_state()
    for paper in liked:
        service.triage.bookmark(paper, save=True)
    return reader_app(service, offline=True)


async def ranked(pilot: Pilot[None]) -> None:
    """Wait for the ranking worker and for its list to be on screen (never a sleep)."""
    reader = pilot.app.reader  # type: ignore[attr-defined]
    for worker in [w for w in reader.workers if w.group == "recommend"]:
        await worker.wait()
    await until(pilot, lambda: reader.query_one(StatusLine).status.freshness == "ranked")


def detail_text(app: PapertermApp) -> str:
    return str(app.reader.query_one(DetailPane).query_one("#detail-text", Static).content)


async def test_5_ranks_the_cache_by_the_bookmarks_and_says_why(tmp_path: Path) -> None:
    liked = titled(VIDEO, 5)
    app = app_with(tmp_path, liked)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await ranked(pilot)
        listed = app.reader.paper_list.papers
        assert sum(about(p, VIDEO) for p in listed[:10]) >= 9  # popularity would give ~1
        assert not {p.id for p in listed} & {p.id for p in liked}
        status = app.reader.query_one(StatusLine).status
        assert status.feed == "for you" and "ranked by 5 bookmarks" in status.detail
        # For you leaves the bookmarks out: no "0 bookmarked" among its counts.
        assert status.bookmarked is None and "bookmarked" not in counts_text(status)
        assert app.reader.query_one(DetailPane).paper == listed[0]
        assert "Why  shares: video generation" in detail_text(app)
        await pilot.press("1")  # a feed with bookmarks in it counts them again
        await until(pilot, lambda: app.reader.query_one(StatusLine).status.bookmarked is not None)


async def test_for_you_without_bookmarks_says_how_to_start(tmp_path: Path) -> None:
    app = app_with(tmp_path, [])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await ranked(pilot)
        paper_list = app.reader.paper_list
        assert paper_list.papers == () and paper_list.empty_text == START_HINT
        assert "No bookmarks yet" in paper_list.render_line(0).text


async def test_l_shows_more_like_the_highlighted_paper(tmp_path: Path) -> None:
    paper = titled("mixture-of-experts", 1)[0]
    copy = replace(paper, id="2699.00003", title=paper.title + " (extended)", upvotes=0)
    app = app_with(tmp_path, [], extra=[copy])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.reader.paper_list.move_cursor(app.reader.paper_list.papers.index(paper))
        await pilot.press("l")
        await ranked(pilot)
        assert app.reader.query_one(StatusLine).status.feed == f"more like {paper.id}"
        listed = app.reader.paper_list.papers
        assert listed[0].id == copy.id and paper not in listed
        assert "Why  shares: " in detail_text(app)
        await pilot.press("1")  # an ordinary feed again: no why-line
        await pilot.pause()
        assert "Why  " not in detail_text(app)


async def test_a_new_bookmark_ranks_again_and_the_cursor_moves_on(tmp_path: Path) -> None:
    app = app_with(tmp_path, titled(VIDEO, 3))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await ranked(pilot)
        before = app.reader.paper_list.papers
        await pilot.press("j", "b")  # bookmark the second paper
        await ranked(pilot)
        after = app.reader.paper_list.papers
        assert before[1] not in after  # For you leaves bookmarks out
        assert app.reader.paper_list.highlighted == before[2]
        assert "ranked by 4 bookmarks" in app.reader.query_one(StatusLine).status.detail
        await pilot.press("u")  # undo: the paper is a candidate again
        await ranked(pilot)
        assert before[1] in app.reader.paper_list.papers


async def test_read_papers_can_be_hidden_in_for_you(tmp_path: Path) -> None:
    app = app_with(tmp_path, titled(VIDEO, 3))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await ranked(pilot)
        first = app.reader.paper_list.papers[0]
        await pilot.press("m", "U")
        await pilot.pause()
        assert first not in app.reader.paper_list.papers
        assert app.reader.paper_list.papers[0] != first


STARTUP = """
import asyncio, sys
sys.path.insert(0, "tests")
from appdata import build_app

async def main():
    app = build_app(__import__("pathlib").Path(sys.argv[1]))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        before = sorted(m for m in sys.modules if m.startswith("paperterm.recommend"))
        await pilot.press("5")
        for worker in [w for w in app.reader.workers if w.group == "recommend"]:
            await worker.wait()
        after = sorted(m for m in sys.modules if m.startswith("paperterm.recommend"))
    print(before, bool(after))

asyncio.run(main())
"""


def test_the_first_frame_loads_nothing_of_the_recommender(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", STARTUP, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "True"]  # loaded only once For you opens


async def test_r_ranks_for_you_again_even_offline(tmp_path: Path) -> None:
    app = app_with(tmp_path, titled(VIDEO, 3))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await ranked(pilot)
        app.reader.status.show(freshness="fresh")
        await pilot.press("r")
        await ranked(pilot)
        assert "Offline mode (--offline): not refreshing." not in [
            n.message for n in app._notifications
        ]
