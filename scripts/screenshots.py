"""Regenerate screenshots/*.svg by driving the real app on fixture data with a fixed clock.

    python scripts/screenshots.py [--out screenshots]

The README embeds these files; run this after a UI change and commit the result.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from paperterm.records import replace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from appdata import (  # noqa: E402
    FETCHED,
    build_app,
    fill_cache,
    fire_timers,
    make_service,
    reader_app,
    trending_papers,
    until,
)
from paper_texts import BIG, TEXTS, reading_app  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from paperterm.config import Settings  # noqa: E402
from paperterm.feed.history import Mark  # noqa: E402
from paperterm.library import AddBookmark, MarkRead  # noqa: E402
from paperterm.models import FeedSpec  # noqa: E402
from paperterm.ui.app import PapertermApp  # noqa: E402

Steps = Callable[[Pilot[None]], Awaitable[None]]


def triaged(home: Path, theme: str | None = None) -> PapertermApp:
    """The reader with a few papers read and bookmarked, so every marker shows."""
    app = build_app(home, settings=Settings(auto_read_delay=0, theme=theme))
    papers = trending_papers()
    store = app.service.triage.store
    store.load()
    store.apply(MarkRead(tuple(p.id for p in papers[1:4])))
    store.apply(AddBookmark(papers[0], tags=("world-models",), note="Compare with DINO-WM."))
    store.apply(AddBookmark(papers[5], tags=("agents",)))
    store.apply(AddBookmark(papers[9]))
    return app


def returning(home: Path, theme: str | None = None) -> PapertermApp:
    """The reader the day after a look at trending: three papers new, the rest moved, a few
    gaining upvotes fast."""
    service = make_service(home)
    before, at = trending_papers(), FETCHED - dt.timedelta(hours=21)
    trending = FeedSpec("trending")
    service.feeds.cache.store_feed(trending, trending, before[3:], at)
    service.feeds.cache.history.set_marks(
        [Mark("seen:trending", at, tuple(p.id for p in before[3:]))]
    )
    after = [replace(p, upvotes=p.upvotes + 7 * (i % 5)) for i, p in enumerate(before[:-3])]
    after[4], after[9] = after[9], after[4]
    fill_cache(service, after)
    return reader_app(service, settings=Settings(auto_read_delay=0, theme=theme))


def with_news(home: Path, theme: str | None = None) -> PapertermApp:
    """Bookmarks saved before two papers had code: a later fetch brought their repos."""
    app = build_app(home, settings=Settings(auto_read_delay=0, theme=theme))
    papers = [p for p in trending_papers() if p.github][:6]
    store = app.service.triage.store
    store.load()
    for i, paper in enumerate(papers):
        snapshot = replace(paper, github=None, stars=None) if i in (1, 4) else paper
        store.apply(AddBookmark(snapshot, tags=("to-read",) if i % 2 else ()))
    return app


async def news(pilot: Pilot[None]) -> None:
    await pilot.press("B", "j")
    await pilot.pause()


async def moved(pilot: Pilot[None]) -> None:
    await pilot.press("j", "j", "j", "j")
    await pilot.pause()


async def filtered(pilot: Pilot[None]) -> None:
    await pilot.press("slash", *"agent has:code")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    fire_timers(pilot.app)  # the details follow the cursor once typing stops
    await pilot.press("enter")
    await pilot.pause()


async def bookmarks(pilot: Pilot[None]) -> None:
    await pilot.press("B")
    await pilot.pause()


async def help_screen(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await pilot.pause()


async def nothing(pilot: Pilot[None]) -> None:
    await pilot.pause()


def reading(home: Path, theme: str | None = None) -> PapertermApp:
    """The reader over the papers with real full texts, the largest one kept in the cache."""
    app = reading_app(home)
    text = (TEXTS / f"{BIG}.md").read_text("utf-8")
    app.service.feeds.cache.store_text(BIG, text, app.service.clock())
    return app


async def reading_view(pilot: Pilot[None]) -> None:
    await pilot.press("R")
    await until(pilot, lambda: getattr(pilot.app.screen, "document", None) is not None)
    screen = pilot.app.screen
    await until(pilot, lambda: screen.text.settled)  # type: ignore[attr-defined]
    await pilot.press("t")
    await pilot.pause()
    await pilot.press("down", "down", "enter")  # 1 Introduction
    await pilot.pause()
    await pilot.press("right_square_bracket")  # its first citation, selected
    await pilot.pause()


SHOTS: dict[str, tuple[tuple[int, int], Steps, str | None]] = {
    "reading": ((120, 36), reading_view, None),
    "main": ((120, 36), moved, None),
    "filtered": ((120, 36), filtered, None),
    "bookmarks": ((120, 36), bookmarks, None),
    "help": ((120, 40), help_screen, None),
    "narrow": ((80, 24), nothing, None),
    "theme-paperterm-dark": ((100, 28), moved, "paperterm-dark"),
    "theme-paperterm-light": ((100, 28), moved, "paperterm-light"),
    "theme-paperterm-contrast": ((100, 28), moved, "paperterm-contrast"),
    "since": ((120, 36), moved, None),
    "updates": ((120, 36), news, None),
}
BUILDERS: dict[str, Callable[[Path, str | None], PapertermApp]] = {
    "since": returning,
    "updates": with_news,
    "reading": reading,
}


async def shoot(name: str, out: Path) -> None:
    size, steps, theme = SHOTS[name]
    with tempfile.TemporaryDirectory() as home:
        app = BUILDERS.get(name, triaged)(Path(home), theme)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(pilot)
            app.save_screenshot(f"{name}.svg", path=str(out))
    print(f"wrote {out / name}.svg")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("names", nargs="*", help=f"some of: {', '.join(SHOTS)}")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or SHOTS:
        await shoot(name, args.out)


if __name__ == "__main__":
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    os.environ["TZ"] = "UTC"  # "new since yesterday 18:02" in the same words everywhere
    time.tzset()
    asyncio.run(main())
