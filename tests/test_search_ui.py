"""The reader's filter over the persistent search index: no in-memory index built when it is
ready, everything cached listed as ids read as they scroll into view, and an index that is
not ready rebuilt in the background with a notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from appdata import NOW, fill_cache, make_service, reader_app
from hf_data import day_items
from textual.pilot import Pilot

from paperterm.feed.cache import FeedCache
from paperterm.feed.ingest import ingest_items
from paperterm.models import FeedSpec
from paperterm.query import PaperIndex
from paperterm.records import replace
from paperterm.service.rows import PaperRows
from paperterm.ui.app import PapertermApp
from paperterm.ui.widgets.paper_list import PaperList

SIZE = (120, 36)


def plist(app: PapertermApp) -> PaperList:
    return app.reader.paper_list


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def refuse_in_memory_index(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: PaperIndex, papers: object) -> None:
        raise AssertionError("built an in-memory index")

    monkeypatch.setattr(PaperIndex, "__init__", refuse)


async def test_widening_lists_everything_lazily_from_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service(tmp_path)
    fill_cache(service)
    spec = FeedSpec.parse("daily:2026-06-12")
    june = ingest_items(day_items("2026-06-12"), NOW, "daily").papers
    service.feeds.cache.store_feed(spec, spec, june, NOW)
    copies = [replace(june[i % len(june)], id=f"2999.{i:05}") for i in range(1000)]
    service.feeds.cache.store_papers(copies)
    refuse_in_memory_index(monkeypatch)
    reads: list[int] = []
    original = FeedCache.papers
    monkeypatch.setattr(
        FeedCache, "papers", lambda self, ids: reads.append(len(list(ids))) or original(self, ids)
    )
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await pilot.press(*june[0].title.split(":")[0].lower())
        await settle(pilot)
        await pilot.press("ctrl+a")
        await settle(pilot)
        shown = plist(app).papers
        assert isinstance(shown, PaperRows) and shown[0].id == june[0].id
        await pilot.press("ctrl+u")  # clear the query: everything cached is listed
        await settle(pilot)
        everything = plist(app).papers
        total = service.feeds.cache._connection().execute("SELECT count(*) FROM papers")
        assert isinstance(everything, PaperRows) and len(everything) == total.fetchone()[0]
        # Only what was drawn was read: a page or two, never the whole cache.
        assert sum(reads) < 4 * 64 < len(everything)


async def test_an_index_not_ready_is_rebuilt_in_the_background_with_a_notice(
    tmp_path: Path,
) -> None:
    service = make_service(tmp_path)
    fill_cache(service)
    service.feeds.cache.index.damaged("made up for the test")
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        # The rebuild starts after the first list is drawn, in a worker: settle until its
        # notice is in (each round waits for the worker itself, never for the clock).
        for _ in range(200):
            await settle(pilot)
            if "Search index rebuilt." in [n.message for n in app._notifications]:
                break
        assert service.search.index_ready()
        messages = [n.message for n in app._notifications]
        assert any("search index was damaged" in m for m in messages)
        assert "Search index rebuilt." in messages


async def test_a_locked_cache_makes_a_search_wait_with_a_notice_not_index_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperterm.feed import CacheBusy
    from paperterm.service.search import Search

    service = make_service(tmp_path)
    fill_cache(service)
    refuse_in_memory_index(monkeypatch)

    def locked(self: Search, *args: object) -> None:
        raise CacheBusy("the cache is locked by another program")

    monkeypatch.setattr(Search, "everything", locked)
    app = reader_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "ctrl+a", "z")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Search waits: the cache is locked") for m in messages)
        assert not any(w.state.name == "ERROR" for w in app.workers)


def counts_shown(app: PapertermApp) -> str:
    return app.reader.status.render().plain


async def test_the_counts_of_a_result_are_its_own_and_follow_marks(tmp_path: Path) -> None:
    """The unread and bookmarked counts of a search result (made with the result, off the UI
    thread), in the list and widened to everything, and again after a mark."""
    service = make_service(tmp_path)
    fill_cache(service)
    word = "diffusion"
    found = PaperIndex(service.everything()).search(word).ids
    service.triage.mark_read(found[:3], save=True)
    service.triage.bookmark(service.everything()[0], save=True)
    app = reader_app(service)

    def expected() -> str:
        shown = plist(app).papers
        ids = shown.ids if isinstance(shown, PaperRows) else [p.id for p in shown]
        state = service.triage.state
        unread = sum(1 for i in ids if i not in state.read)
        marked = sum(1 for i in ids if i in state.bookmarks)
        return f"{unread} unread · {marked} bookmarked"

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *word)
        await settle(pilot)
        assert 0 < len(plist(app).papers) < len(app.reader.source)
        assert f" · {expected()} " in counts_shown(app)
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert isinstance(plist(app).papers, PaperRows)
        widened = len(plist(app).papers)  # every match of everything cached, the read three too
        assert f" · {expected()} " in counts_shown(app) and f"{widened - 3} unread" in expected()
        before = counts_shown(app)
        await pilot.press("enter", "m", "b")  # the top result: read and bookmarked
        await settle(pilot)
        assert f" · {expected()} " in counts_shown(app) and counts_shown(app) != before
