"""The filter bar in the reader, and `--filter` on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from appdata import (
    NOW,
    build_app,
    fill_cache,
    fire_timers,
    make_service,
    reader_app,
    trending_papers,
    until,
)
from hf_data import day_items
from textual.pilot import Pilot
from textual.widgets import Input, Static

from paperterm.config import Settings
from paperterm.feed.ingest import ingest_items
from paperterm.library import AddBookmark
from paperterm.models import FeedSpec
from paperterm.query import PaperIndex, Query, SearchContext, SearchResult
from paperterm.ui.app import PapertermApp
from paperterm.ui.widgets.filter_bar import FilterBar
from paperterm.ui.widgets.paper_list import PaperList
from paperterm.ui.widgets.status import Status, StatusLine

SIZE = (120, 36)


def plist(app: PapertermApp) -> PaperList:
    return app.reader.paper_list


def status(app: PapertermApp) -> Status:
    return app.reader.query_one(StatusLine).status


async def typed(pilot: Pilot[None], text: str) -> None:
    """Type into the focused bar and wait for every search to land."""
    await pilot.press(*text)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def distinctive(word_index: int = 0) -> tuple[str, str]:
    """(paper id, a distinctive title word) from the fixture trending list."""
    paper = next(p for p in trending_papers() if p.title.startswith("MegaParts"))
    return paper.id, paper.title.split(":")[0]


async def test_slash_opens_the_bar_and_typing_narrows_and_ranks(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        total = len(plist(app).papers)
        await pilot.press("slash")
        bar = app.reader.query_one(FilterBar)
        assert bar.has_class("-open") and isinstance(app.focused, Input)
        paper_id, word = distinctive()
        await typed(pilot, word.lower())
        assert plist(app).papers[0].id == paper_id
        assert (status(app).shown, status(app).total) == (len(plist(app).papers), total)
        assert status(app).shown < total


async def test_the_bar_is_made_after_the_first_frame_and_opens_over_the_key_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperterm.ui.screens.reader.screen import ReaderScreen
    from paperterm.ui.widgets.key_bar import KeyBar

    at_first_frame: list[int] = []
    resume = ReaderScreen.on_screen_resume

    def resumed(screen: ReaderScreen) -> None:  # just before the first frame is drawn
        at_first_frame.append(len(screen.query_children(FilterBar)))
        resume(screen)

    monkeypatch.setattr(ReaderScreen, "on_screen_resume", resumed)
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert at_first_frame[0] == 0
        bar = app.reader.filter_bar
        assert bar.children and not bar.has_class("-open")  # made, hidden: `/` only shows it
        await pilot.press("j", "k")  # moving the cursor asks whether the query is being typed
        assert not bar.typing
        panes = app.reader.query_one("#panes").region
        await pilot.press("slash", "d", "i", "f", "f")
        assert bar.typing and bar.value == "diff" and isinstance(app.focused, Input)
        await pilot.pause()
        # Typed on the key bar's line: the list and the details keep their size.
        keys = app.reader.query_one(KeyBar)
        assert app.reader.query_one("#panes").region == panes
        assert bar.region == keys.region
        await pilot.press("enter")  # kept: above the key bar, whose keys are for the list again
        await pilot.pause()
        assert bar.has_class("-open") and bar.region.bottom == keys.region.y
        assert app.reader.query_one("#panes").region.bottom == bar.region.y


async def test_keys_typed_in_one_burst_after_the_slash_reach_the_bar(tmp_path: Path) -> None:
    from textual import events

    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # As a terminal delivers "/diff" typed fast: every key queued before any is handled
        # (`pilot.press` waits after each). Before, the bar opened empty and "d", "i", "f"
        # went to the list as commands.
        for key, character in [("slash", "/"), *((c, c) for c in "diff/x")]:
            app.post_message(events.Key(key, character))
        await until(pilot, lambda: app.reader.filter_bar.value == "diff/x")  # "/" in it is text
        assert isinstance(app.focused, Input) and app.reader.filter_bar.has_class("-open")


async def test_a_typo_still_finds_the_paper_and_its_title_is_highlighted(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await typed(pilot, "megaprts")
        first = plist(app).papers[0]
        assert first.title.startswith("MegaParts")
        spans = plist(app)._highlights.get(first.id)
        assert spans and first.title[spans[0][0] : spans[0][1]].lower() == "megaparts"
        # The highlight is drawn: the matched characters carry their own style.
        styles = {seg.text: seg.style for seg in plist(app).render_line(0)}
        assert any(
            "MegaParts" in text and style and style.underline for text, style in styles.items()
        )


async def test_the_cursor_stays_on_its_paper_while_it_still_matches(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        paper_id, _word = distinctive()
        index = next(i for i, p in enumerate(plist(app).papers) if p.id == paper_id)
        plist(app).move_cursor(index)
        await pilot.press("slash")
        await typed(pilot, "part")
        highlighted = plist(app).highlighted
        assert highlighted is not None and highlighted.id == paper_id


async def test_enter_keeps_the_filter_and_escape_clears_it(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        total = len(plist(app).papers)
        await pilot.press("slash")
        await typed(pilot, "agent")
        narrowed = len(plist(app).papers)
        assert narrowed < total
        await pilot.press("enter")
        assert app.focused is plist(app)
        await pilot.press("j")
        assert len(plist(app).papers) == narrowed and app.reader.filter_query == "agent"
        await pilot.press("slash")
        await pilot.press("escape")
        await pilot.pause()
        assert len(plist(app).papers) == total
        assert not app.reader.query_one(FilterBar).has_class("-open")
        assert app.focused is plist(app) and app.reader.filter_query == ""


async def test_a_malformed_term_is_marked_and_ignored(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await typed(pilot, "agent")
        with_agent = [p.id for p in plist(app).papers]
        await typed(pilot, " up:>abc")
        assert [p.id for p in plist(app).papers] == with_agent
        label = app.reader.query_one("#filter-problem", Static)
        assert str(label.content) == ""  # named once typing pauses, not at every key
        fire_timers(app)
        await pilot.pause()
        assert str(label.content).startswith("⚠ up: expects a number")
        await typed(pilot, " agent")
        assert str(label.content).startswith("⚠ up: expects a number")  # still there
        await pilot.press(*["backspace"] * len(" up:>abc agent"))
        await typed(pilot, "")
        fire_timers(app)
        await pilot.pause()
        assert str(label.content) == ""
        await typed(pilot, ' "unclosed')
        assert app.is_running


async def test_filters_on_fields_states_and_numbers(tmp_path: Path) -> None:
    app = build_app(tmp_path, start=FeedSpec("trending"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")  # the first paper is read now
        read_id = plist(app).papers[0].id
        await pilot.press("slash")
        await typed(pilot, "is:read")
        assert [p.id for p in plist(app).papers] == [read_id]
        await pilot.press(*["backspace"] * 7)
        await typed(pilot, "up:>50")
        assert plist(app).papers and all(p.upvotes > 50 for p in plist(app).papers)


async def test_a_superseded_slow_search_never_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = PaperIndex.search
    release = threading.Event()

    def slow_for_one_letter(
        self: PaperIndex, query: Query | str, context: SearchContext | None = None
    ) -> SearchResult:
        text = query if isinstance(query, str) else query.text
        if text == "a":
            # The first keystroke's search is still running when the second one's lands.
            assert release.wait(timeout=60)
        return search(self, query, context)

    monkeypatch.setattr(PaperIndex, "search", slow_for_one_letter)
    app = build_app(tmp_path)
    expected = PaperIndex(trending_papers()).search("ag").ids
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "a", "g")
        await until(pilot, lambda: [p.id for p in plist(app).papers] == list(expected))
        release.set()  # now the stale search finishes: it must not land
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert [p.id for p in plist(app).papers] == list(expected)
        assert status(app).shown == len(expected)


async def test_ctrl_a_widens_the_filter_to_everything_cached_and_bookmarked(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    fill_cache(service)
    spec = FeedSpec.parse("daily:2026-06-12")
    service.feeds.cache.store_feed(
        spec, spec, ingest_items(day_items("2026-06-12"), NOW, "daily").papers, NOW
    )
    app = reader_app(service, settings=Settings(auto_read_delay=0))
    async with app.run_test(size=SIZE) as pilot:
        june = ingest_items(day_items("2026-06-12"), NOW, "daily").papers[0]
        word = june.title.split(":")[0]
        await pilot.press("slash")
        await typed(pilot, word.lower())
        assert june.id not in {p.id for p in plist(app).papers}
        await pilot.press("ctrl+a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert plist(app).papers[0].id == june.id
        assert status(app).feed == "everything cached + bookmarks"
        await pilot.press("ctrl+a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert status(app).feed == "trending"


async def test_the_filter_works_in_the_bookmarks_view(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    fill_cache(service)
    service.load_state()
    papers = trending_papers()[:5]
    for paper in papers:
        service.triage.store.apply(AddBookmark(paper, tags=("keep",) if paper is papers[2] else ()))
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B", "slash")
        await typed(pilot, "tag:keep")
        assert [p.id for p in plist(app).papers] == [papers[2].id]


def test_list_and_bookmarks_take_filter_on_the_command_line(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    fill_cache(service)
    service.load_state()
    service.triage.store.apply(AddBookmark(trending_papers()[3], tags=("rl",)))
    service.close()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}  # fmt: skip
    paper_id, word = distinctive()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "paperterm", *args], capture_output=True,
                              text=True, env=env, timeout=60)  # fmt: skip

    listed = run("list", "--offline", "--filter", word.lower()[:-1] + "x")  # a typo
    assert listed.returncode == 0 and listed.stdout.splitlines()[0].split()[2] == paper_id
    marks = run("bookmarks", "--filter", "tag:rl")
    assert trending_papers()[3].id in marks.stdout and len(marks.stdout.splitlines()) == 1
    warned = run("list", "--offline", "--filter", "up:>abc", "--limit", "1")
    assert (
        warned.returncode == 0
        and "ignored 'up:>abc' in the filter: up: expects a number" in warned.stderr
    )


async def test_typing_over_a_long_list_never_lays_the_screen_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each result used to lay the whole screen out (its new number of rows through the
    # `virtual_size` reactive, the unchanged problem label updated per key, the input's text
    # growing by Textual's `Input`): 10 ms of the UI loop each at 100k papers, on top of
    # drawing the rows.
    from textual.widget import Widget

    layouts: list[str] = []
    refresh = Widget.refresh

    def noted(self: Widget, *regions: object, layout: bool = False, **options: bool) -> Widget:
        if layout:
            layouts.append(f"{type(self).__name__}#{self.id}")
        return refresh(self, *regions, layout=layout, **options)  # type: ignore[arg-type]

    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "ctrl+a")
        await typed(pilot, "a")
        shown = len(plist(app).papers)
        monkeypatch.setattr(Widget, "refresh", noted)
        await typed(pilot, "ge")
        narrowed = plist(app)
        assert 30 < len(narrowed.papers) < shown and not layouts
        assert narrowed.vertical_scrollbar.window_virtual_size == len(narrowed.papers)
        assert (
            narrowed.max_scroll_y
            == len(narrowed.papers) - narrowed.scrollable_content_region.height
        )
        await typed(pilot, "ntic zzqx")  # no match: the scroll bar goes, the screen is laid out
        assert not plist(app).papers and not plist(app).show_vertical_scrollbar
        assert "PaperList#papers" in layouts


async def test_a_query_longer_than_the_bar_scrolls_to_the_cursor_and_back(tmp_path: Path) -> None:
    # The input's text width is set without a layout (`QueryInput`): its scrolling must
    # still follow the cursor both ways.
    app = build_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("slash")
        bar_input = app.reader.filter_bar.input
        await typed(pilot, "diffusion transformers for video generation at scale")
        assert bar_input.virtual_size.width == len(bar_input.value) + 1
        assert bar_input.scroll_x > 0
        assert bar_input.cursor_screen_offset.x < bar_input.region.right
        await pilot.press("home")
        await pilot.pause()
        assert bar_input.scroll_x == 0
