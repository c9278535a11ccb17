"""The reader in Textual's test harness: first frame, navigation, feeds, refresh, errors, links."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
import pytest
from appdata import NOW, build_app, fill_cache, make_service, reader_app, trending_papers
from fakebrowser import Browser
from fakehf import FakeHF, _json
from hf_data import day_items
from textual import events
from textual.pilot import Pilot

from paperterm.models import FeedSpec, Paper
from paperterm.records import replace
from paperterm.ui.app import PapertermApp
from paperterm.ui.screens.help import HelpScreen
from paperterm.ui.screens.prompt import SearchModal
from paperterm.ui.screens.reader import ReaderScreen
from paperterm.ui.widgets.detail import DetailPane
from paperterm.ui.widgets.paper_list import PaperList
from paperterm.ui.widgets.status import StatusLine, freshness_text

SIZE = (120, 36)


class Recorder(httpx.AsyncBaseTransport):
    """Serves the fixture-based FakeHF (which records requests); with a gate, answers only
    once the test opens it, so a test can look at the screen before a refresh lands."""

    def __init__(self, fake: FakeHF, gate: asyncio.Event | None = None) -> None:
        self.fake = fake
        self.gate = gate

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.gate is not None:
            await self.gate.wait()
        reply = self.fake.respond(request.url.path, dict(request.url.params))
        return httpx.Response(reply.status, headers=reply.headers, content=reply.body)


def reader(app: PapertermApp) -> ReaderScreen:
    return app.reader


def papers(app: PapertermApp) -> PaperList:
    return reader(app).paper_list


def messages(app: PapertermApp) -> list[str]:
    return [n.message for n in app._notifications]


def row_text(app: PapertermApp, y: int) -> str:
    return papers(app).render_line(y).text


async def settle(pilot: Pilot[None]) -> None:
    """Let the refresh worker finish (never sleep for it)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# -- first frame, freshness ----------------------------------------------------------------


async def test_first_frame_shows_the_cached_feed_without_the_network(
    tmp_path: Path, fake: FakeHF
) -> None:
    app = build_app(tmp_path, transport=Recorder(fake))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = papers(app).papers
        assert [p.id for p in shown] == [p.id for p in trending_papers()]
        assert fake.requests == []  # fresh cache (3 min old): no refresh
        status = reader(app).query_one(StatusLine).status
        assert status.feed == "trending" and status.freshness == "fresh"
        assert freshness_text(status, NOW) == "updated 3 min ago"
        assert reader(app).query_one(DetailPane).paper == shown[0]


async def test_a_stale_feed_is_painted_then_refreshed_keeping_the_cursor(
    tmp_path: Path, fake: FakeHF
) -> None:
    gate = asyncio.Event()
    service = make_service(tmp_path, Recorder(fake, gate))
    old = trending_papers()[:20]
    fill_cache(service, old, at=NOW - dt.timedelta(hours=2))
    fresh = [replace(p, upvotes=p.upvotes + 1) for p in old]
    newcomers = [
        replace(p, id=f"2609.{i:05d}", title=f"Brand new {i}") for i, p in enumerate(old[:5])
    ]
    fake.hook = lambda path, params: (
        _json([_raw(p) for p in [*newcomers, *fresh]]) if params.get("p") == "0" else _json([])
    )
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        assert papers(app).papers[0].id == old[0].id  # the first frame is the cache
        await pilot.press("j", "j", "j")
        kept = papers(app).highlighted
        assert kept is not None
        gate.set()
        await settle(pilot)
        listed = papers(app).papers
        assert len(listed) == 25 and listed[0].title == "Brand new 0"
        assert papers(app).highlighted == next(p for p in listed if p.id == kept.id)
        assert papers(app).cursor == 3 + 5
        assert "5 new papers" in messages(app)
        assert reader(app).query_one(StatusLine).status.freshness == "fresh"


def _raw(paper: Paper) -> dict[str, object]:
    """A paper back in the API's item shape (for the fake server)."""
    return {
        "paper": {"id": paper.id, "title": paper.title, "summary": paper.abstract, "upvotes": paper.upvotes,
                  "publishedAt": f"{paper.published}T00:00:00.000Z",
                  "submittedOnDailyAt": f"{paper.feed_day}T00:00:00.000Z",
                  "authors": [{"_id": "x", "name": name, "hidden": False} for name in paper.authors]},
        "publishedAt": f"{paper.published}T00:00:00.000Z", "title": paper.title, "numComments": paper.comments,
    }  # fmt: skip


async def test_offline_start_never_touches_the_network(tmp_path: Path, fake: FakeHF) -> None:
    service = make_service(tmp_path, Recorder(fake))
    fill_cache(service, at=NOW - dt.timedelta(hours=2))
    app = reader_app(service, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "2", "3", "1")
        await settle(pilot)
        assert fake.requests == []
        status = reader(app).query_one(StatusLine).status
        assert freshness_text(status, NOW) == "offline — cached 2 h ago"
        assert "Offline mode (--offline): not refreshing." in messages(app)


async def test_first_run_offline_shows_the_sample_feed(tmp_path: Path) -> None:
    app = build_app(tmp_path, fill=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(papers(app).papers) == 40
        status = reader(app).query_one(StatusLine).status
        assert freshness_text(status, NOW) == "sample feed (offline)"
        assert any("cannot reach" in m for m in messages(app))


# -- navigation ----------------------------------------------------------------------------


async def test_keys_move_the_cursor_and_the_detail_follows(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        listed = papers(app)
        total = len(listed.papers)
        await pilot.press("j", "down", "j")
        assert listed.cursor == 3
        await pilot.press("k", "up")
        assert listed.cursor == 1
        await pilot.press("G")
        assert listed.cursor == total - 1
        await pilot.press("g")
        assert listed.cursor == 0
        await pilot.press("pagedown")
        page = listed.cursor
        assert page > 20
        await pilot.press("pagedown", "pageup")
        assert listed.cursor == page
        await pilot.press("end")
        assert listed.scroll_offset.y > 0 and listed.cursor == total - 1
        await pilot.press("home")
        assert listed.scroll_offset.y == 0
        await pilot.pause()
        assert reader(app).query_one(DetailPane).paper == listed.papers[0]


async def test_the_details_keep_their_width_whether_they_scroll_or_not(tmp_path: Path) -> None:
    # Laid out once after start: a scrollbar that appears would make Textual lay the whole
    # abstract out again, narrower, while the first keys are typed.
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = reader(app).query_one(DetailPane)
        text = pane.query_one("#detail-text")
        assert pane.max_scroll_y > 0
        scrolling = text.size.width
        pane.show(None)
        await pilot.pause()
        assert pane.max_scroll_y == 0 and text.size.width == scrolling


async def test_enter_and_tab_move_focus_and_escape_returns(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        detail = reader(app).query_one(DetailPane)
        await pilot.press("enter")
        assert app.focused is detail
        await pilot.press("escape")
        assert app.focused is papers(app)
        await pilot.press("tab")
        assert app.focused is detail


async def test_mouse_click_moves_the_cursor_and_a_second_click_opens_details(
    tmp_path: Path,
) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#papers", offset=(20, 4))
        assert papers(app).cursor == 4
        await pilot.click("#papers", offset=(20, 4))
        assert app.focused is reader(app).query_one(DetailPane)


async def test_mouse_wheel_scrolls_the_list(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        listed = papers(app)
        for _ in range(5):  # Pilot has no wheel helper; this is what click() uses underneath
            await pilot._post_mouse_events([events.MouseScrollDown], "#papers", offset=(5, 5))
        await pilot.pause()
        assert listed.scroll_offset.y > 0


async def test_feed_keys_switch_feeds_from_the_cache(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        assert reader(app).view is not None and str(reader(app).view.spec) == "daily:2026-08-21"
        assert [p.id for p in papers(app).papers] == [
            i["paper"]["id"] for i in day_items("2026-08-21")
        ]
        await pilot.press("left_square_bracket")
        assert str(reader(app).view.spec) == "daily:2026-08-20"
        await pilot.press("right_square_bracket")
        assert str(reader(app).view.spec) == "daily:2026-08-21"
        await pilot.press("1")
        assert str(reader(app).view.spec) == "trending"
        await pilot.press("right_square_bracket")
        assert "trending has no previous or next period." in messages(app)


async def test_weekly_and_monthly_and_search_go_to_the_server(tmp_path: Path, fake: FakeHF) -> None:
    app = build_app(tmp_path, transport=Recorder(fake))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert str(reader(app).view.spec) == "weekly:2026-W34"
        await pilot.press("4")
        await settle(pilot)
        assert str(reader(app).view.spec) == "monthly:2026-08"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert str(reader(app).view.spec) == "monthly:2026-07"
        assert len(papers(app).papers) > 100
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SearchModal)
        await pilot.press(*"kazakh", "enter")
        await settle(pilot)
        assert reader(app).view.spec == FeedSpec("search", "kazakh")
        assert papers(app).papers[0].title.startswith("KazQAD")


async def test_switching_feeds_drops_a_stale_refresh(tmp_path: Path, fake: FakeHF) -> None:
    gate = asyncio.Event()
    service = make_service(tmp_path, Recorder(fake, gate))
    fill_cache(service, at=NOW - dt.timedelta(hours=2))
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reader(app).query_one(StatusLine).status.freshness == "refreshing"
        await pilot.press("2")  # trending is still loading; daily is cached and fresh
        gate.set()
        await settle(pilot)
        assert str(reader(app).view.spec) == "daily:2026-08-21"
        assert papers(app).papers[0].id == day_items("2026-08-21")[0]["paper"]["id"]


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["html", "500", "truncated", "deep"])
async def test_a_failed_refresh_is_a_notification_and_the_cache_stays(
    tmp_path: Path, fake: FakeHF, scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_wait(seconds: float) -> None:
        pass

    monkeypatch.setattr("asyncio.sleep", no_wait)
    fake.scenario = scenario
    service = make_service(tmp_path, Recorder(fake))
    fill_cache(service, at=NOW - dt.timedelta(hours=2))
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        before = list(papers(app).papers)
        await settle(pilot)
        assert list(papers(app).papers) == before
        assert app.is_running
        status = reader(app).query_one(StatusLine).status
        assert status.freshness == "error" and status.detail
        assert freshness_text(status, NOW) == "refresh failed — cached 2 h ago"
        assert any(status.detail == m for m in messages(app))


async def test_offline_refresh_says_offline_and_how_old(tmp_path: Path) -> None:
    service = make_service(tmp_path)  # unreachable network
    fill_cache(service, at=NOW - dt.timedelta(hours=2))
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = reader(app).query_one(StatusLine).status
        assert freshness_text(status, NOW) == "offline — cached 2 h ago"
        assert "connection refused" in status.detail.lower()


async def test_an_unexpected_error_in_a_refresh_does_not_end_the_app(tmp_path: Path) -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("unexpected")

    service = make_service(tmp_path, httpx.MockTransport(boom))
    fill_cache(service, at=NOW - dt.timedelta(hours=2))
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for worker in list(app.workers):
            with pytest.raises(Exception):  # noqa: B017
                await worker.wait()
        await pilot.pause()
        assert app.is_running
        assert any("unexpected" in m for m in messages(app))
        await pilot.press("j")
        assert papers(app).cursor == 1


async def test_a_missing_feed_offline_says_so(tmp_path: Path) -> None:
    app = build_app(tmp_path, offline=True, start=FeedSpec.parse("daily:2025-01-06"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not papers(app).papers
        assert "No cached copy of this feed yet." in row_text(app, 0)
        assert (
            freshness_text(reader(app).query_one(StatusLine).status, NOW)
            == "no cached copy (offline)"
        )


# -- layout ----------------------------------------------------------------------------------


async def test_narrow_terminal_stacks_the_panes_and_enter_maximizes_details(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = reader(app)
        assert screen.has_class("-narrow")
        listed, detail = papers(app), screen.query_one(DetailPane)
        assert listed.region.y < detail.region.y and listed.region.width == detail.region.width
        await pilot.press("enter")
        await pilot.pause()
        assert screen.maximized is detail and app.focused is detail
        await pilot.press("escape")
        await pilot.pause()
        assert screen.maximized is None and app.focused is listed
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert screen.has_class("-wide")
        assert listed.region.y == detail.region.y


async def test_tiny_terminal_does_not_crash(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("j", "enter", "escape", "G")
        await pilot.resize_terminal(20, 5)
        await pilot.press("k")
        assert app.is_running


# -- hostile feed text -----------------------------------------------------------------------

HOSTILE = [
    "[@click=app.quit]click me[/]",
    "[/]",
    "Beyond [CLS] through Ranking by Generation",
    "a[/bold]b [b]open [link='file:///etc/passwd']x[/link]",
    "[$accent]x and C:\\path\\[b]x \\",
]


async def test_hostile_titles_render_literally_and_clicking_does_nothing(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    base = trending_papers()[: len(HOSTILE)]
    hostile = [replace(p, id=f"2609.{i:05d}", title=t, authors=(t,), abstract=t)
               for i, (p, t) in enumerate(zip(base, HOSTILE, strict=True))]  # fmt: skip
    fill_cache(service, hostile)
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        for y, title in enumerate(HOSTILE):
            assert title in row_text(app, y)
        detail_text = str(reader(app).query_one("#detail-text").content)  # type: ignore[attr-defined]
        assert detail_text.startswith(HOSTILE[0])
        await pilot.click("#papers", offset=(12, 0))  # on the @click title, already the cursor
        await pilot.click("#detail-text", offset=(3, 0))
        await pilot.pause()
        assert app.is_running and app.return_code is None


# -- links -----------------------------------------------------------------------------------


async def test_links_open_in_a_browser_worker(tmp_path: Path, browser: Browser) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        paper = papers(app).highlighted
        assert paper is not None
        for key in "oapc":
            await pilot.press(key)
            await app.workers.wait_for_complete()
        assert browser.opened == [paper.url, paper.arxiv_url, paper.pdf_url, paper.github]


async def test_no_browser_shows_and_copies_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("BROWSER", raising=False)
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        paper = papers(app).highlighted
        assert paper is not None
        await pilot.press("a")
        assert app.clipboard == paper.arxiv_url
        assert any(
            m.startswith("No browser available") and paper.arxiv_url in m for m in messages(app)
        )


async def test_a_browser_that_fails_shows_the_url(tmp_path: Path, browser: Browser) -> None:
    browser.answers = False
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(m.startswith("No browser answered") for m in messages(app))


async def test_unsafe_links_are_refused(tmp_path: Path, browser: Browser) -> None:
    service = make_service(tmp_path)
    bad = replace(trending_papers()[0], github="javascript:alert(1)")
    fill_cache(service, [bad])
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await app.workers.wait_for_complete()
        assert browser.opened == []
        assert "Refused to open a non-web link: javascript:alert(1)" in messages(app)


async def test_copy_link_uses_the_terminal_clipboard(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        paper = papers(app).highlighted
        assert paper is not None
        await pilot.press("y")
        assert app.clipboard == paper.url
        assert f"Copied {paper.url} (via the terminal, OSC 52)" in messages(app)


# -- help and palette ------------------------------------------------------------------------


async def test_help_lists_the_live_bindings(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"ReaderScreen.refresh": "R"})
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("Static").content)  # type: ignore[attr-defined]
        for expected in (
            "↓ / j",
            "PgDn",
            "Trending feed",
            "Open the PDF",
            "Copy the paper's link",
            "Command palette",
            "Quit",
            "[",
        ):
            assert expected in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)


async def test_the_command_palette_runs_reader_actions(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Feed: daily")
        await pilot.app.workers.wait_for_complete()  # the palette searches in a worker
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert str(reader(app).view.spec) == "daily:2026-08-21"


async def test_quit_key_exits(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_rows_colours_follow_focus_and_the_theme(tmp_path: Path) -> None:
    """Rows and the styles they are drawn with are kept between frames: a change of focus or
    theme draws them again in the new colours."""
    service = make_service(tmp_path)
    fill_cache(service)
    app = reader_app(service)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        papers = app.query_one(PaperList)

        def colours(row: int) -> set[object]:
            strip = papers.render_line(row - round(papers.scroll_offset.y))
            return {(s.style.color, s.style.bgcolor) for s in strip if s.style}

        focused, other = colours(0), colours(1)
        await pilot.press("slash")  # the filter bar takes the focus
        await pilot.pause()
        blurred = colours(0)
        assert blurred != focused and colours(1) == other
        await pilot.press("escape")
        await pilot.pause()
        assert colours(0) == focused
        app.theme = "paperterm-light"
        await pilot.pause()
        assert colours(0) != focused and colours(1) != other
