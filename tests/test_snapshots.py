"""Snapshots of the main views (pytest-textual-snapshot); fixture papers, frozen clock.

Update after an intended UI change with `pytest tests/test_snapshots.py --snapshot-update`
and review the SVGs under tests/__snapshots__/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from appdata import NOW, build_app, fill_cache, make_service, reader_app
from textual.pilot import Pilot

from paperterm.config import Settings
from paperterm.library import AddBookmark, MarkRead
from paperterm.models import FeedSpec


async def _move(pilot: Pilot[None]) -> None:
    await pilot.press("j", "j", "j")
    await pilot.pause()


async def _help(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await pilot.pause()


def test_main_view(snap_compare: Any, tmp_path: Path) -> None:
    """The trending list (cursor on the 4th paper) beside its details; "updated 3 min ago"."""
    assert snap_compare(build_app(tmp_path), terminal_size=(120, 36), run_before=_move)


def test_narrow_view(snap_compare: Any, tmp_path: Path) -> None:
    """At 80x24 the details sit under the list; the footer still fits."""
    assert snap_compare(build_app(tmp_path), terminal_size=(80, 24))


def test_help_screen(snap_compare: Any, tmp_path: Path) -> None:
    """The help modal lists the keys by section, from the live bindings."""
    assert snap_compare(build_app(tmp_path), terminal_size=(120, 36), run_before=_help)


def test_offline_view(snap_compare: Any, tmp_path: Path) -> None:
    """--offline with a two-hour-old cache: the status line says "offline — cached 2 h ago"."""
    service = make_service(tmp_path)
    fill_cache(service, at=NOW - dt.timedelta(hours=2))
    assert snap_compare(reader_app(service, offline=True), terminal_size=(120, 36))


@pytest.mark.parametrize("theme", ["paperterm-dark", "paperterm-light", "paperterm-contrast"])
def test_bundled_theme(snap_compare: Any, tmp_path: Path, theme: str) -> None:
    """The main view in each bundled theme: markers, cursor and dimmed read papers readable."""
    app = build_app(tmp_path, settings=Settings(theme=theme, auto_read_delay=0))
    app.service.load_state()
    papers = app.service.feeds.cache.read_feed(FeedSpec("trending"))
    assert papers is not None
    app.service.triage.store.apply(MarkRead((papers.papers[1].id,)))
    app.service.triage.store.apply(AddBookmark(papers.papers[2]))
    assert snap_compare(app, terminal_size=(100, 24), run_before=_move)
