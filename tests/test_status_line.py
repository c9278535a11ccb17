"""The status line at the top: one widget drawing the feed, the counts, a problem and the
freshness on one line; the counts give way when the line is short; the reasons behind a
problem and behind "offline" are tooltips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from appdata import NOW, build_app

from paperterm.ui.widgets.status import StatusLine


def drawn(line: StatusLine) -> str:
    return line.render().plain


async def test_the_parts_share_one_line_and_the_counts_give_way(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=(70, 24)) as pilot:
        await pilot.pause()
        line = app.reader.status
        line.show(feed="trending", freshness="offline", fetched_at=NOW - dt.timedelta(hours=2))
        line.show(since="12 new since yesterday 18:02, and a long tail of words to crop")
        await pilot.pause()
        text = drawn(line)
        assert len(text) == 70 and list(line.children) == []
        assert text.startswith(" trending  ") and text.endswith(" offline — cached 2 h ago ")
        assert "…" in text and " unread · " in text
        line.show(problem="the disk is full")
        await pilot.pause()
        assert " ⚠ not saved  offline — cached 2 h ago " in drawn(line)


async def test_the_reasons_are_tooltips(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        line = app.reader.status
        line.show(freshness="error", detail="the server answered 503", problem="disk full")
        await pilot.pause()
        text = drawn(line)
        await pilot.hover(StatusLine, offset=(text.index("refresh failed"), 0))
        assert str(line.tooltip) == "the server answered 503"
        await pilot.hover(StatusLine, offset=(text.index("not saved"), 0))
        assert str(line.tooltip) == "disk full"
        await pilot.hover(StatusLine, offset=(2, 0))
        assert line.tooltip is None
