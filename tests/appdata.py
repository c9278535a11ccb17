"""A reader over a cache filled with real fixture papers and a frozen clock (tests, screenshots)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from hf_data import NOW, day_items
from textual.pilot import Pilot

from paperterm.config import Settings
from paperterm.feed.ingest import ingest_items
from paperterm.models import FeedSpec, Paper
from paperterm.paths import Paths
from paperterm.service import PaperService
from paperterm.ui.app import PapertermApp
from paperterm.ui.screens.reader import ManualTimers

FETCHED = NOW - dt.timedelta(minutes=3)
TRENDING_DAYS = ("2026-08-17", "2026-08-18", "2026-08-19", "2026-08-20", "2026-08-21")


def unreachable() -> httpx.MockTransport:
    """A transport for which the network is down."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    return httpx.MockTransport(refuse)


def trending_papers() -> list[Paper]:
    """A stand-in trending list: five feed days of real papers, most stars first."""
    items = [item for day in TRENDING_DAYS for item in day_items(day)]
    papers = ingest_items(items, FETCHED, "daily").papers
    return sorted(papers, key=lambda p: (-(p.stars or 0), -p.upvotes))


def paths_in(home: Path) -> Paths:
    """The paths paperterm uses when XDG_CONFIG_HOME etc. are home/config, home/data, home/cache."""
    return Paths(
        config_dir=home / "config" / "paperterm",
        data_dir=home / "data" / "paperterm",
        cache_dir=home / "cache" / "paperterm",
    )


def fill_cache(
    service: PaperService, papers: list[Paper] | None = None, at: dt.datetime = FETCHED
) -> None:
    trending = FeedSpec("trending")
    service.feeds.cache.store_feed(
        trending, trending, papers if papers is not None else trending_papers(), at
    )
    for day in ("2026-08-20", "2026-08-21"):
        spec = FeedSpec.parse(f"daily:{day}")
        service.feeds.cache.store_feed(
            FeedSpec("daily"), spec, ingest_items(day_items(day), at, "daily").papers, at
        )


def make_service(home: Path, transport: httpx.AsyncBaseTransport | None = None,
                 now: dt.datetime = NOW) -> PaperService:  # fmt: skip
    return PaperService(
        paths_in(home), transport=transport or unreachable(), clock=lambda: now, interactive=True
    )


def reader_app(service: PaperService, **options: Any) -> PapertermApp:
    """The reader over `service`, with timers that fire only when a test says so
    (`fire_timers`): nothing a test sees depends on how fast the machine is."""
    return PapertermApp(service, timers=ManualTimers(), **options)


def fire_timers(app: PapertermApp, up_to: float = float("inf")) -> int:
    """Run the reader's pending delayed actions (auto-read, details following the cursor)."""
    timers = app.timers
    assert isinstance(timers, ManualTimers)
    return timers.fire(up_to)


async def until(pilot: Pilot[None], condition: Callable[[], bool], tries: int = 1000) -> None:
    """Let the app run until `condition` holds (a worker's result landed ...); never a sleep."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the app never got there")


def build_app(home: Path, *, fill: bool = True, offline: bool = False,
              transport: httpx.AsyncBaseTransport | None = None,
              start: FeedSpec | None = None, settings: Settings | None = None) -> PapertermApp:  # fmt: skip
    service = make_service(home, transport)
    if fill:
        fill_cache(service)
    return reader_app(service, start=start, offline=offline, settings=settings)
