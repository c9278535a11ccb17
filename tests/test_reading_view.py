"""The reading view on the real full texts: opened with R or Enter from the details, fetched
in a worker with a progress line or opened from the cache, the contents, sections, search,
citations and back, figures in the browser, the page dump's notice, a failed fetch, the
read mark and the reading position."""

from __future__ import annotations

from pathlib import Path

import pytest
from appdata import until
from fakebrowser import Browser
from fakehf import FakeHF, Reply
from paper_texts import BIG, DUMP, open_view, reading_app, status
from textual.widgets import OptionList, Static

from paperterm.paper import CONVERTED_NOTICE
from paperterm.ui.screens.reading import ReadingScreen

SIZE = (110, 36)


def shown(screen: ReadingScreen) -> list[str]:
    """The lines of the paper on screen now."""
    text = screen.text
    return [line.text for line in text.lines[text.top : text.top + text.size.height]]


def head(screen: ReadingScreen) -> str:
    return str(screen.query_one("#reading-head", Static).render())


async def test_r_fetches_shows_progress_then_the_text_and_marks_read(
    tmp_path: Path, fake: FakeHF
) -> None:
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        progress: list[str] = []
        original = ReadingScreen.say

        def spy(self: ReadingScreen, message: str, *, failed: bool = False) -> None:
            progress.append(message)
            original(self, message, failed=failed)

        ReadingScreen.say = spy  # type: ignore[method-assign]
        try:
            screen = await open_view(pilot, app)
        finally:
            ReadingScreen.say = original  # type: ignore[method-assign]
        assert any(m.startswith("Fetching the full text") for m in progress)
        lines = shown(screen)
        assert lines[0] == "How Post-Training Shapes Biological Reasoning Models"
        assert lines[1:3] == ["", "A. Author, B. Author"]
        assert "Our own abstract of 2606.16517." in lines
        assert ("/papers/2606.16517.md", {}) in fake.requests
        assert BIG in app.service.triage.state.read


async def test_enter_in_the_details_opens_the_view(tmp_path: Path, fake: FakeHF) -> None:
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the details
        await pilot.pause()
        screen = await open_view(pilot, app, "enter")
        assert screen.paper.id == BIG


async def test_contents_list_the_sections_in_order_and_jump(tmp_path: Path, fake: FakeHF) -> None:
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        options = app.screen.query_one("#contents", OptionList)
        titles = [str(options.get_option_at_index(i).prompt).strip() for i in range(8)]
        assert titles[:4] == [
            "How Post-Training Shapes Biological Reasoning Models",
            "Abstract",
            "1 Introduction",
            "Present work.",
        ]
        options.highlighted = titles.index("1 Introduction")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        await pilot.pause()
        assert shown(screen)[0] == "1 Introduction"
        assert head(screen).endswith("—  1 Introduction")
        await pilot.press("j", "j", "j")  # scrolling on keeps the section shown
        await pilot.pause()
        assert head(screen).endswith("—  1 Introduction")
        await pilot.press("t", "down", "enter")  # the next section, from the current one
        await until(pilot, lambda: app.screen is screen)
        await pilot.pause()
        assert shown(screen)[0] == "Present work." and head(screen).endswith("Present work.")


async def test_a_citation_jumps_to_its_reference_and_back(tmp_path: Path, fake: FakeHF) -> None:
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        await pilot.press("right_square_bracket")  # the first link on screen or below
        await pilot.pause()
        line, start, end, target, url = screen.text.selected  # type: ignore[misc]
        assert url is None and screen.text.lines[line].text[start:end] == "22"
        before = screen.text.top
        await pilot.press("enter")
        await pilot.pause()
        assert shown(screen)[0].startswith("[22] ")
        assert target is not None
        await pilot.press("backspace")
        await pilot.pause()
        assert screen.text.top == before


async def test_search_finds_and_steps_through_matches(tmp_path: Path, fake: FakeHF) -> None:
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        await pilot.press("slash", *"GRPO", "enter")
        await pilot.pause()
        assert screen.matches and "Match 1 of" in status(screen)
        first = screen.matches[0]
        assert "GRPO" in screen.text.lines[first.line].text
        assert first.line in range(screen.text.top, screen.text.top + screen.text.size.height)
        await pilot.press("n")
        await pilot.pause()
        assert "Match 2 of" in status(screen)
        await pilot.press("N", "N")
        await pilot.pause()
        assert f"Match {len(screen.matches)} of" in status(screen)


async def test_a_known_equation_shows_on_screen_in_unicode_with_its_number(
    tmp_path: Path, fake: FakeHF
) -> None:
    app = reading_app(tmp_path, fake, first="2606.18394")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        await pilot.press("slash", *"Speedup=", "enter")
        await pilot.pause()
        rows = [
            "".join(segment.text for segment in screen.text.render_line(y))
            for y in range(screen.text.size.height)
        ]
        row = next(r for r in rows if "Speedup=" in r)
        assert row.strip().startswith("Speedup=(1-αᴺ⁺¹)/((1-α)(Nc+1)).")
        assert row.rstrip().endswith("(2)")  # its number, at the right edge
        assert "\\" not in row and "frac" not in row


async def test_a_figure_line_opens_its_arxiv_image(
    tmp_path: Path, fake: FakeHF, browser: Browser
) -> None:
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        links = screen.text.links()
        figure = next(link for link in links if link[4] and link[4].endswith("/x3.png"))
        screen.text.select(links[links.index(figure) - 1])
        await pilot.press("right_square_bracket", "enter")
        await until(pilot, lambda: bool(browser.opened))
        assert browser.opened == ["https://arxiv.org/html/2606.16517v1/x3.png"]


async def test_the_page_dump_shows_the_notice_and_no_sections(tmp_path: Path, fake: FakeHF) -> None:
    app = reading_app(tmp_path, fake, first=DUMP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        assert shown(screen)[0] == CONVERTED_NOTICE
        assert screen.document is not None and screen.document.toc == ()
        await pilot.press("t")
        await pilot.pause()
        assert app.screen is screen  # no contents to show


async def test_a_failed_fetch_is_one_line_with_the_arxiv_and_pdf_links(
    tmp_path: Path, fake: FakeHF
) -> None:
    fake.hook = lambda path, params: (
        Reply(200, b"<!DOCTYPE html><p>portal</p>", {"content-type": "text/html"})
        if path.endswith(".md")
        else None
    )
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        line = status(screen)
        assert line.startswith("Could not get the full text (an HTML page came back")
        assert (
            "https://arxiv.org/abs/2606.16517" in line
            and "https://arxiv.org/pdf/2606.16517" in line
        )
        assert screen.text.lines == []


async def test_read_once_it_opens_offline_at_the_saved_position(
    tmp_path: Path, fake: FakeHF
) -> None:
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        await pilot.press("pagedown", "pagedown", "pagedown")
        await pilot.pause()
        kept = screen.text.lines[screen.text.top]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReadingScreen))
        assert app.service.triage.position(BIG) == kept.offset > 0
        await pilot.press("q")
    offline = reading_app(tmp_path)  # the network is down
    async with offline.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, offline)
        top = screen.text.lines[screen.text.top]
        assert top.offset == kept.offset and top.text == kept.text
        assert status(screen) == ""


async def test_a_bookmark_s_text_is_fetched_in_the_background_for_offline_reading(
    tmp_path: Path, fake: FakeHF
) -> None:
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ("/papers/2606.16517.md", {}) in fake.requests
        assert app.service.texts.kept([BIG]) == {BIG}
        await pilot.press("q")
    offline = reading_app(tmp_path)  # on a plane: it opens with the network gone
    async with offline.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, offline)
        assert shown(screen)[0] == "How Post-Training Shapes Biological Reasoning Models"


STARTUP = """
import asyncio, sys
sys.path.insert(0, "tests")
from paper_texts import reading_app
import pytest
from appdata import until

PARTS = ("paperterm.paper", "paperterm.service.texts", "paperterm.ui.screens.reading",
         "paperterm.ui.widgets.paper_text")

async def main():
    app = reading_app(__import__("pathlib").Path(sys.argv[1]))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        before = sorted(m for m in sys.modules if m.startswith(PARTS))
        await pilot.press("R")
        await until(pilot, lambda: len(app.screen_stack) > 1)
        after = sorted(m for m in sys.modules if m.startswith(PARTS))
    print(before, len(after))

asyncio.run(main())
"""


def test_the_reader_s_first_frame_loads_nothing_of_the_reading_view(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", STARTUP, str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.split("] ")
    assert before == "[" and int(after) >= 4  # loaded when R was pressed, not before


# -- a kept text is on the view's first frame -----------------------------------------------


def _keep(app, parsed: bool) -> None:  # type: ignore[no-untyped-def]
    from paper_texts import TEXTS

    from paperterm.paper import PARSER_VERSION, document_json, parse_paper

    text = (TEXTS / f"{BIG}.md").read_text("utf-8")
    form = (PARSER_VERSION, document_json(parse_paper(text))) if parsed else None
    app.service.feeds.cache.store_text(BIG, text, app.service.clock(), form)


async def _first_frames(app, pilot, monkeypatch) -> tuple[list[bool], list[str]]:  # type: ignore[no-untyped-def]
    """Whether the text was laid out each time the view drew a row, and which paths
    prepared it (`thread` for the worker's)."""
    from paperterm.ui.screens.reading import screen as reading
    from paperterm.ui.widgets.paper_text import PaperText

    settled: list[bool] = []
    paths: list[str] = []
    draw, prepare = PaperText.render_line, reading._prepare

    def drawn(self: PaperText, y: int):  # type: ignore[no-untyped-def]
        if self.size.height:
            settled.append(self.settled)
        return draw(self, y)

    def in_thread(*args):  # type: ignore[no-untyped-def]
        paths.append("thread")
        return prepare(*args)

    monkeypatch.setattr(PaperText, "render_line", drawn)
    monkeypatch.setattr(reading, "_prepare", in_thread)
    await open_view(pilot, app)
    return settled, paths


@pytest.mark.parametrize("parsed", [True, False], ids=["kept parsed", "by an older parser"])
async def test_a_kept_text_is_drawn_in_the_view_s_first_frame(
    tmp_path: Path, monkeypatch, parsed: bool
) -> None:  # type: ignore[no-untyped-def]
    from paperterm.paper import PARSER_VERSION

    app = reading_app(tmp_path)
    _keep(app, parsed=parsed)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        settled, paths = await _first_frames(app, pilot, monkeypatch)
        assert settled and all(settled), "a row was drawn before the text was laid out"
        assert paths == []  # read (and parsed) and laid out at once, not handed to a thread
        assert shown(app.screen)[0] == "How Post-Training Shapes Biological Reasoning Models"
        texts = app.service.texts
        await until(pilot, lambda: texts.is_parsed(texts.cached(BIG)))  # kept parsed now
        kept = texts.cached(BIG)
        assert kept is not None and kept.parsed is not None and kept.parsed[0] == PARSER_VERSION


async def test_a_busy_cache_hands_the_kept_text_to_the_thread(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from paperterm.service import CacheBusy
    from paperterm.service.texts import Texts

    app = reading_app(tmp_path)
    _keep(app, parsed=True)
    cached = Texts.cached

    def busy_at_once(self: Texts, paper_id: str, *, wait: float | None = None):  # type: ignore[no-untyped-def]
        if wait is not None:  # the UI thread's quick look: another program holds the cache
            raise CacheBusy("the cache is locked by another program")
        return cached(self, paper_id)

    monkeypatch.setattr(Texts, "cached", busy_at_once)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        _, paths = await _first_frames(app, pilot, monkeypatch)
        assert paths == ["thread"]
        assert shown(app.screen)[0] == "How Post-Training Shapes Biological Reasoning Models"
