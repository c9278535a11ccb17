"""Hostile full texts (docs/hazards.md A7-A14, B): escape sequences, Textual and Rich markup,
`javascript:` links, bidi controls and a 5 MB body inside a paper file are shown literally
and safely, in the reading view and on a real terminal; memory stays bounded."""

from __future__ import annotations

import copy
import datetime as dt
import os
import sys
import tracemalloc
from pathlib import Path

from fakebrowser import Browser
from fakehf import FakeHF, serve
from hf_data import day_items
from paper_texts import open_view, reading_app, status
from ptyrun import run_on_pty
from test_terminal_bytes import PAYLOADS

from paperterm.feed import FeedCache
from paperterm.feed.client import MAX_TEXT_BYTES
from paperterm.feed.ingest import ingest_items
from paperterm.models import FeedSpec
from paperterm.paper import Layout, parse_paper
from paperterm.ui.screens.reading import ReadingScreen

HOSTILE_ID = "2606.16517"  # served hostile instead of its real text
MARKUP = [
    "[@click=app.quit]click to quit[/]",
    "[bold red]not bold[/bold red] and [link=https://evil.example]no link[/link]",
    "$accent and \\[escaped] and [/]",
]


def hostile_markdown() -> str:
    parts = ["Title: x", "", "Markdown Content:", "## Intro \x1b[31mred"]
    parts += [f"{p} in the text" for p in PAYLOADS + MARKUP]
    parts += [
        "![Image 1: Refer to caption](javascript:alert(1))",
        "Figure 1: a caption [click](javascript:alert(2)) with \u202eevil\u2066 bidi",
        "![Image 2: x](https://arxiv.org/html/2606.16517v1/x1.png\x1b]52;c;eA==\x07)",
        "Figure 2: second",
        'See [[1](javascript:alert(3)#bib.bib1 "t\x1b[2J")] and [2](data:text/html,x).',
        "## References",
        "*   [1]A reference \x1b]8;;https://evil.example/\x1b\\here",
    ]
    return "\n\n".join(parts)


async def test_the_view_shows_hostile_text_literally_and_opens_no_bad_link(
    tmp_path: Path, fake: FakeHF, browser: Browser
) -> None:
    fake.texts[HOSTILE_ID] = hostile_markdown().encode()
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        assert screen.text.settled
        text = "\n".join(line.text for line in screen.text.lines)
        for markup in MARKUP[:2]:
            assert markup + " in the text" in text  # shown as written
        for bad in ("\x1b", "\x9b", "\x9d", "\u202e", "\u2066", "\x00", "\x7f", "javascript"):
            assert bad not in text, repr(bad)
        # The escape inside the second image's URL went at ingestion; the javascript: one is no
        # link at all.
        safe = "https://arxiv.org/html/2606.16517v1/x1.png"
        assert [link[4] for link in screen.text.links() if link[4]] == [safe]
        for _ in range(len(screen.text.links()) + 1):  # follow every link: only that opens
            await pilot.press("right_square_bracket", "enter")
        await pilot.press("backspace", "backspace")
        await app.workers.wait_for_complete()
        assert set(browser.opened) <= {safe} and app.is_running
        assert isinstance(app.screen, ReadingScreen)


async def test_a_5_mb_body_is_refused_with_one_line(tmp_path: Path, fake: FakeHF) -> None:
    fake.texts[HOSTILE_ID] = b"## x\n\n" + b"word " * (5 * 1024 * 1024 // 5)
    assert len(fake.texts[HOSTILE_ID]) > MAX_TEXT_BYTES
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = await open_view(pilot, app)
        assert "Could not" in status(screen) and "MB — refused" in status(screen)
    assert app.service.texts.kept([HOSTILE_ID]) == set()


def test_a_5_mb_text_already_kept_is_cut_and_memory_stays_bounded() -> None:
    body = "## Part\n\n" + ("lorem ipsum \\alpha_{i} [1](x#bib.bib1) " * 40 + "\n\n") * 3_300
    assert len(body) > 5_000_000
    tracemalloc.start()
    document = parse_paper(body)
    layout = Layout(document, 100)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert document.truncated and layout.lines
    assert peak < 200 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


def test_no_hostile_byte_of_a_paper_reaches_the_terminal(tmp_path: Path) -> None:
    items = copy.deepcopy(day_items("2026-08-21")[:1])  # one paper: the one R opens
    items[0]["paper"]["id"] = HOSTILE_ID
    items[0]["paper"]["title"] = "Hostile paper"
    items[0]["paper"]["summary"] = "Short."  # the whole text fits on one screen
    fake = FakeHF(items=items)
    fake.trending = fake.items
    fake.texts[HOSTILE_ID] = hostile_markdown().encode()
    # The list is in the cache, fresh: the first frame has the paper, no refresh races R.
    now = dt.datetime.now(dt.UTC)
    cache = FeedCache(tmp_path / "cache" / "paperterm" / "cache.sqlite3")
    trending = FeedSpec("trending")
    cache.store_feed(trending, trending, ingest_items(items, now, "daily").papers, now)
    cache.close()
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "TEXTUAL_ANIMATIONS": "none", "NO_PROXY": "127.0.0.1,localhost",
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}  # fmt: skip
    for name in ("COLUMNS", "LINES"):  # the terminal's size is the pty's, not the runner's
        env.pop(name, None)
    with serve(fake) as url:
        env["HF_ENDPOINT"] = url
        output, seen = run_on_pty(
            [sys.executable, "-m", "paperterm"], env, seconds=60, until=b"not bold",
            send=(b"Hostile paper", b"R"), size=(120, 60),
        )  # fmt: skip
    text = output.decode("utf-8", errors="replace")
    import re

    assert seen is not None, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)[
        -1500:
    ]  # the paper's text was drawn
    assert "click to quit" in text
    assert "\x1b]52" not in text, "clipboard write reached the terminal"
    assert "\x1b]8;" not in text, "hyperlink reached the terminal"
    assert "pwned" not in text, "window title reached the terminal"
    assert "\x1b]8;;https://evil" not in text  # the markup's link is its text, not a link
    assert "\x1b[2J\x1b[H screen" not in text
    for char in ("\x9b", "\x9d", "\x9c", "\u202e", "\u2066", "\x00", "\x7f"):
        assert char not in text, f"{char!r} reached the terminal"
