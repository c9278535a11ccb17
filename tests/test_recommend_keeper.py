"""For you's corpus kept ready where papers are stored: a fetch builds it when the cache has
outgrown the one kept, the reader in a process of its own, and the first ranking then reads it
instead of building one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from appdata import make_service, paths_in, reader_app
from fakehf import FakeHF
from hf_data import NOW
from recommend_data import recent_papers, titled
from test_recommend import VIDEO, precision
from test_recommend_kept import _building
from test_recommend_ui import ranked

from paperterm.cli.feeds import fetch
from paperterm.feed import FeedCache
from paperterm.files import locked
from paperterm.keyed import keyed_about, write_keyed
from paperterm.models import FeedSpec
from paperterm.service import PaperService, keeper
from paperterm.service.keeper import KEPT_KIND, Keeper, due, keep_ready, kept_key
from paperterm.service.rows import PAGE

OLD = NOW.replace(year=NOW.year - 1)  # a cache fetched long ago: the reader refreshes it


def _cached(home: Path) -> tuple[Path, Path]:
    """A cache of the 804 recent papers: where it is, and where its corpus is kept."""
    service = make_service(home)
    spec = FeedSpec("trending")
    service.feeds.cache.store_feed(spec, spec, recent_papers(), OLD)
    service.close()
    paths = paths_in(home)
    return paths.cache_db, paths.for_you_cache


def _for_you_user(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    bookmarks: int,
    save: bool = False,
) -> PaperService:
    """A service over `home` whose corpus is kept from 100 cached papers, with `bookmarks`
    video papers bookmarked (one bookmark puts For you in use)."""
    monkeypatch.setattr(keeper, "KEEP_FROM", 100)
    service = make_service(home, transport)
    service.load_state()
    for paper in titled(VIDEO, bookmarks):
        service.triage.bookmark(paper, save=save)
    return service


def test_a_build_is_due_only_when_the_kept_corpus_cannot_cover_the_cache(tmp_path: Path) -> None:
    db, kept = _cached(tmp_path)
    assert not due(db, kept, keep_from=1_000)  # a small cache builds in the ranking itself
    assert due(db, kept, keep_from=100)  # none kept yet
    assert keep_ready(db, kept, keep_from=100) == len(recent_papers())
    assert keyed_about(kept, KEPT_KIND) == (kept_key(), {"papers": 804})
    assert not due(db, kept, keep_from=100)
    assert keep_ready(db, kept, keep_from=100) == 0  # nothing to do: nothing rewritten
    # A ranking grows a kept corpus by at most a fifth: 804 papers over 700 kept are fine,
    # over 600 they are not.
    write_keyed(kept, KEPT_KIND, kept_key(), b"", about={"papers": 700})
    assert not due(db, kept, keep_from=100)
    write_keyed(kept, KEPT_KIND, kept_key(), b"", about={"papers": 600})
    assert due(db, kept, keep_from=100)


def test_a_kept_corpus_of_other_features_is_built_again(tmp_path: Path) -> None:
    db, kept = _cached(tmp_path)
    write_keyed(kept, KEPT_KIND, "features 0", b"old", about={"papers": 804})
    assert keep_ready(db, kept, keep_from=100) == 804
    assert keyed_about(kept, KEPT_KIND) == (kept_key(), {"papers": 804})


def test_the_first_ranking_reads_the_corpus_kept_instead_of_building_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, kept = _cached(tmp_path)
    keep_ready(db, kept, keep_from=100)
    builds = _building(monkeypatch)
    service = make_service(tmp_path)
    service.load_state()
    for paper in titled(VIDEO, 5):
        service.triage.bookmark(paper)
    ranked = service.recommend.ranked(FeedSpec("for-you"))
    service.close()
    assert builds == []
    assert precision(list(ranked.papers), VIDEO) >= 0.9


async def test_fetch_keeps_the_corpus_ready_once_the_cache_has_outgrown_it(
    tmp_path: Path,
    fake: FakeHF,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    service = _for_you_user(tmp_path, monkeypatch, fake.transport(), bookmarks=1)
    assert await fetch(service, [FeedSpec.parse("monthly:2026-06")]) == 0
    assert "for you: learning from 618 cached papers in the background" in capsys.readouterr().out
    service.close()  # the build goes on after the command
    builder = Keeper(service.paths.cache_db, service.paths.for_you_cache)
    builder.wait()
    kept = keyed_about(service.paths.for_you_cache, KEPT_KIND)
    assert kept is not None and kept[1]["papers"] == 618
    service = make_service(tmp_path, fake.transport())
    assert await fetch(service, [FeedSpec.parse("daily:2026-06-30")]) == 0
    assert "for you" not in capsys.readouterr().out  # a day more: the ranking grows it
    service.close()


async def test_fetch_builds_nothing_for_whoever_does_not_use_for_you(
    tmp_path: Path,
    fake: FakeHF,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    service = _for_you_user(tmp_path, monkeypatch, fake.transport(), bookmarks=0)
    assert await fetch(service, [FeedSpec.parse("monthly:2026-06")]) == 0
    assert "for you" not in capsys.readouterr().out
    service.close()
    assert not service.paths.for_you_cache.exists()
    assert service.keep_for_you() == 0


def test_one_process_builds_at_a_time_and_the_others_wait_for_it(tmp_path: Path) -> None:
    db, kept = _cached(tmp_path)
    with locked(kept.with_name(kept.name + ".lock"), timeout=1):  # another process builds
        assert keep_ready(db, kept, keep_from=100) == 0
    assert keep_ready(db, kept, keep_from=100) == 804


def test_a_build_that_cannot_be_kept_costs_the_ranking_time_only(tmp_path: Path) -> None:
    db, kept = _cached(tmp_path)
    kept.mkdir()  # a directory where the file goes
    builder = Keeper(db, kept, keep_from=100)
    assert builder.start() == 804
    builder.wait()
    assert kept.is_dir()
    with pytest.raises(OSError):
        keep_ready(db, kept, keep_from=100)


async def test_the_reader_builds_it_in_a_process_of_its_own_and_ranks_from_it(
    tmp_path: Path, fake: FakeHF, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cached(tmp_path)
    service = _for_you_user(tmp_path, monkeypatch, fake.transport(), bookmarks=5, save=True)
    builds = _building(monkeypatch)
    app = reader_app(service, start=FeedSpec("trending"))
    async with app.run_test(size=(120, 36)) as pilot:
        for worker in [w for w in app.reader.workers if w.group == "refresh"]:
            await worker.wait()
        await asyncio.to_thread(service.keeper.wait)
        kept = keyed_about(service.paths.for_you_cache, KEPT_KIND)
        papers = kept[1]["papers"] if kept is not None else 0
        assert isinstance(papers, int) and papers > 804  # with what the refresh brought
        await pilot.press("5")
        await ranked(pilot)
        assert precision(list(app.reader.paper_list.papers), VIDEO) >= 0.9
    assert builds == []  # this process never built a corpus


def test_a_ranking_waits_for_the_build_running_rather_than_building_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, kept = _cached(tmp_path)
    service = make_service(tmp_path)
    service.load_state()
    for paper in titled(VIDEO, 5):
        service.triage.bookmark(paper)
    service._keeper = Keeper(db, kept, keep_from=100)
    builds = _building(monkeypatch)
    assert service.keeper.start()
    assert service.keeper.start()  # one at a time: the running one is the one
    service.recommend.ranked(FeedSpec("for-you"))
    assert builds == [] and not service.keeper.running()
    service.close()


def test_a_first_ranking_with_nothing_kept_builds_in_a_process_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cache from before the corpus was kept, never refreshed since (an offline reader).
    _, kept = _cached(tmp_path)
    service = _for_you_user(tmp_path, monkeypatch, bookmarks=5)
    builds = _building(monkeypatch)
    ranked = service.recommend.ranked(FeedSpec("for-you"))
    service.close()
    assert builds == [] and keyed_about(kept, KEPT_KIND) == (kept_key(), {"papers": 804})
    assert precision(list(ranked.papers), VIDEO) >= 0.9


def test_closing_ends_a_build_still_running_unless_it_is_detached(tmp_path: Path) -> None:
    db, kept = _cached(tmp_path)
    builder = Keeper(db, kept, keep_from=100)
    assert builder.start()
    builder.stop()
    assert not builder.running()
    assert not list(kept.parent.glob("*.tmp"))  # what it was writing is gone with it
    detached = Keeper(db, kept, keep_from=100)
    assert detached.start(detached=True)
    detached.stop()
    detached.wait()
    assert keyed_about(kept, KEPT_KIND) == (kept_key(), {"papers": 804})


async def test_the_reader_says_it_is_learning_while_the_first_ranking_waits_for_a_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cached(tmp_path)
    service = _for_you_user(tmp_path, monkeypatch, bookmarks=5, save=True)
    app = reader_app(service, offline=True, start=FeedSpec("trending"))
    async with app.run_test(size=(120, 36)) as pilot:
        feeds = app.reader.feeds
        said: list[str] = []
        learning = feeds._learning

        def recorded(papers: int) -> None:
            learning(papers)
            said.append(app.reader.paper_list.empty_text)

        monkeypatch.setattr(feeds, "_learning", recorded)
        await pilot.press("5")
        await ranked(pilot)
        assert said == ["Learning from 804 cached papers (once)…"]
        assert precision(list(app.reader.paper_list.papers), VIDEO) >= 0.9


def test_a_ranking_from_the_kept_corpus_reads_only_the_papers_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, kept = _cached(tmp_path)
    keep_ready(db, kept, keep_from=100)
    service = make_service(tmp_path)
    service.load_state()
    for paper in titled(VIDEO, 5):
        service.triage.bookmark(paper)
    read: list[int] = []
    papers = FeedCache.papers

    def counted(self: FeedCache, ids):  # type: ignore[no-untyped-def]
        ids = list(ids)
        read.append(len(ids))
        return papers(self, ids)

    monkeypatch.setattr(FeedCache, "all_papers", lambda self: pytest.fail("read everything"))
    monkeypatch.setattr(FeedCache, "papers", counted)
    ranked = service.recommend.ranked(FeedSpec("for-you"))
    assert len(ranked.papers) > 700 and sum(read) <= 10  # the liked ones, for the profile
    assert precision(list(ranked.papers[:20]), VIDEO) >= 0.9
    assert sum(read) <= 10 + PAGE  # a page of rows, read as they are shown
    service.close()
