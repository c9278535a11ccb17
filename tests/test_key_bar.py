"""The key line at the bottom: the focused part's keys, drawn again (never composed again) as
the focus moves; a click presses a key; the palette's key stays on the right."""

from __future__ import annotations

from pathlib import Path

from appdata import build_app

from paperterm.ui.screens.help import HelpScreen
from paperterm.ui.widgets.detail import DetailPane
from paperterm.ui.widgets.key_bar import KeyBar

SIZE = (120, 36)


def line(bar: KeyBar) -> str:
    return bar.render().plain


async def test_the_keys_follow_the_focus(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert line(bar).startswith(" ⏎ Details  1-5 Feeds  r Refresh ")
        assert " q Quit " in line(bar) and " ? Help " in line(bar)
        await pilot.press("enter")  # the details take the focus: Enter means something else
        await pilot.pause()
        assert isinstance(app.focused, DetailPane)
        assert "Details" not in line(bar) and " q Quit " in line(bar)
        assert list(bar.children) == []  # one widget, whatever the keys
        await pilot.press("escape")
        await pilot.pause()
        assert line(bar).startswith(" ⏎ Details ")


async def test_the_palette_key_is_on_the_right_even_when_the_keys_do_not_fit(
    tmp_path: Path,
) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        text = line(app.screen.query_one(KeyBar))
        assert len(text) == 60
        assert text.endswith("▏^p palette")
        assert text.startswith(" ⏎ Details ")


async def test_a_click_presses_the_key(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        x = line(bar).index(" Help ")
        assert await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_the_pointer_over_a_key_shows_its_help(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        await pilot.hover(KeyBar, offset=(line(bar).index(" Refresh "), 0))
        assert bar.tooltip == "Fetch the feed again"
        await pilot.hover(KeyBar, offset=(len(line(bar).rstrip()) - 3, 0))
        assert bar.tooltip is not None and "palette" in str(bar.tooltip).lower()
