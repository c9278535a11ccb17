"""The SQLite feed cache and the service's offline-first refresh."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fakehf import FakeHF
from hf_data import NOW, day_items

from paperterm.feed import FetchError
from paperterm.feed.cache import FeedCache
from paperterm.feed.ingest import ingest_items
from paperterm.models import FeedSpec, describe_age
from paperterm.paths import Paths
from paperterm.records import replace
from paperterm.service import PaperService


class Clock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def _no_sleep(seconds: float) -> None:
    pass


def service_for(paths: Paths, fake: FakeHF, clock: Clock | None = None) -> PaperService:
    service = PaperService(paths, transport=fake.transport(), clock=clock or Clock())
    return service


def papers_of(day: str) -> list:  # type: ignore[type-arg]
    return ingest_items(day_items(day), NOW, "daily").papers


# -- the cache itself ----------------------------------------------------------------------


def test_a_stored_feed_reads_back_in_server_order(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "c.sqlite3")
    papers = papers_of("2026-08-21")[::-1]
    spec = FeedSpec.parse("daily:2026-08-21")
    cache.store_feed(spec, spec, papers, NOW)
    snapshot = cache.read_feed(spec)
    assert snapshot is not None
    assert list(snapshot.papers) == papers and snapshot.fetched_at == NOW
    assert cache.read_feed(FeedSpec.parse("daily:2026-08-20")) is None


def test_newest_metadata_wins_and_the_later_feed_day_is_kept(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "c.sqlite3")
    paper = papers_of("2026-08-21")[0]
    later = NOW + dt.timedelta(days=6)
    relisted = replace(
        paper, upvotes=paper.upvotes + 40, feed_day=dt.date(2026, 8, 27), fetched_at=later
    )
    day21, day27 = FeedSpec.parse("daily:2026-08-21"), FeedSpec.parse("daily:2026-08-27")
    cache.store_feed(day27, day27, [relisted], later)
    cache.store_feed(day21, day21, [paper], NOW)  # an older fetch arriving late
    stored = cache.papers([paper.id])[paper.id]
    assert stored.upvotes == paper.upvotes + 40 and stored.feed_day == dt.date(2026, 8, 27)


def test_latest_specs_are_remembered_for_offline_reads(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "c.sqlite3")
    resolved = FeedSpec.parse("daily:2026-08-21")
    cache.store_feed(FeedSpec("daily"), resolved, papers_of("2026-08-21"), NOW)
    snapshot = cache.read_feed(FeedSpec("daily"))
    assert snapshot is not None and snapshot.spec == resolved


def test_store_reports_new_and_updated_against_the_previous_snapshot(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "c.sqlite3")
    spec = FeedSpec("trending")
    first = papers_of("2026-08-21")
    cache.store_feed(spec, spec, first[:10], NOW)
    bumped = [replace(first[0], upvotes=first[0].upvotes + 1), *first[1:12]]
    result = cache.store_feed(spec, spec, bumped, NOW + dt.timedelta(minutes=5))
    assert result.new == (first[10].id, first[11].id)
    assert result.updated == 1


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\x00" * 4096,
        b"this is not a database at all" * 10,
        b"SQLite format 3\x00" + b"\xff" * 2000,
    ],
)
def test_a_damaged_cache_is_moved_aside_and_rebuilt(tmp_path: Path, damage: bytes) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(damage)
    cache = FeedCache(path)
    spec = FeedSpec("trending")
    assert cache.read_feed(spec) is None
    cache.store_feed(spec, spec, papers_of("2026-08-21"), NOW)
    assert cache.read_feed(spec) is not None
    if damage:
        aside = list(tmp_path.glob("c.sqlite3.corrupt-*"))
        assert len(aside) == 1 and aside[0].read_bytes() == damage
        assert len(cache.notices) == 1 and str(aside[0]) in cache.notices[0]


def test_a_foreign_sqlite_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE mine (x)")
    cache = FeedCache(path)
    assert cache.read_feed(FeedSpec("trending")) is None
    assert "not a paperterm cache" in cache.notices[0]
    assert list(tmp_path.glob("c.sqlite3.corrupt-*"))


def test_two_processes_write_the_cache_at_once(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    script = textwrap.dedent(
        f"""
        import datetime as dt, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from hf_data import day_items, NOW
        from paperterm.feed.cache import FeedCache
        from paperterm.feed.ingest import ingest_items
        from paperterm.models import FeedSpec
        day = sys.argv[1]
        papers = ingest_items(day_items(day), dt.datetime.now(dt.UTC), "daily").papers
        cache = FeedCache(__import__("pathlib").Path({str(path)!r}))
        for _ in range(30):
            spec = FeedSpec.parse("daily:" + day)
            cache.store_feed(spec, spec, papers, dt.datetime.now(dt.UTC))
            assert cache.read_feed(spec) is not None
        print(cache.notices)
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, day], stdout=subprocess.PIPE, text=True)
        for day in ("2026-08-20", "2026-08-21")
    ]
    outputs = [p.communicate(timeout=60)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outputs == ["[]\n", "[]\n"]
    cache = FeedCache(path)
    for day in ("2026-08-20", "2026-08-21"):
        snapshot = cache.read_feed(FeedSpec.parse("daily:" + day))
        assert snapshot is not None and len(snapshot.papers) == len(day_items(day))


def test_cache_in_an_unwritable_place_still_reads_nothing_and_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = FeedCache(blocker / "sub" / "c.sqlite3")
    assert cache.read_feed(FeedSpec("trending")) is None
    assert "cache unavailable" in cache.notices[0]


# -- the service: offline first ------------------------------------------------------------


def test_a_brand_new_offline_user_sees_the_sample(paths: Paths, fake: FakeHF) -> None:
    service = service_for(paths, fake)
    view = service.feeds.cached(FeedSpec("trending"))
    assert view.origin == "sample" and view.is_sample and len(view.papers) >= 30
    assert service.feeds.is_stale(view)
    assert fake.requests == []  # reading never touches the network


async def test_refresh_stores_then_reads_back_without_network(paths: Paths, fake: FakeHF) -> None:
    clock = Clock()
    service = service_for(paths, fake, clock)
    outcome = await service.feeds.refresh(FeedSpec("trending"))
    assert [p.id for p in outcome.view.papers] == [i["paper"]["id"] for i in fake.trending]
    assert len(outcome.new_ids) == len(fake.trending) and outcome.skipped == 0
    fake.requests.clear()
    view = service.feeds.cached(FeedSpec("trending"))
    assert view.origin == "cache" and view.papers == outcome.view.papers and fake.requests == []
    assert not service.feeds.is_stale(view)
    clock.now += dt.timedelta(minutes=31)
    assert service.feeds.is_stale(view)
    clock.now = NOW - dt.timedelta(hours=1)  # the clock moved back: never a negative age
    assert service.feeds.is_stale(view) and service.feeds.age(view) == dt.timedelta(0)


FAILURES = [
    "500",
    "html",
    "truncated",
    "object",
    "null",
    "nan",
    "deep",
    "big",
    "gzip-bomb",
    "latin1",
    "empty",
    "429-huge",
    "redirect-file",
    "404",
    "second-page-fails",
]


@pytest.mark.parametrize("scenario", FAILURES)
async def test_a_failed_refresh_leaves_the_cache_byte_for_byte(
    paths: Paths, fake: FakeHF, scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("asyncio.sleep", _no_sleep)
    service = service_for(paths, fake)
    await service.feeds.refresh(FeedSpec("trending"))
    await service.feeds.refresh(FeedSpec.parse("monthly:2026-06"))
    service.close()
    before = paths.cache_db.read_bytes()
    fake.scenario = scenario
    for spec in ("trending", "monthly:2026-06"):
        service = service_for(paths, fake)
        with pytest.raises(FetchError):
            await service.feeds.refresh(FeedSpec.parse(spec))
        assert service.feeds.cached(FeedSpec.parse(spec)).origin == "cache"
        service.close()
    assert paths.cache_db.read_bytes() == before


async def test_an_answer_of_only_bad_items_does_not_replace_the_snapshot(
    paths: Paths, fake: FakeHF
) -> None:
    service = service_for(paths, fake)
    good = await service.feeds.refresh(FeedSpec.parse("daily:2026-08-21"))
    fake.hook = lambda path, params: __import__("fakehf")._json([{"paper": {"id": "bad"}}, 7, None])
    with pytest.raises(FetchError, match="3 items skipped"):
        await service.feeds.refresh(FeedSpec.parse("daily:2026-08-21"))
    assert service.feeds.cached(FeedSpec.parse("daily:2026-08-21")).papers == good.view.papers


async def test_bad_items_are_skipped_and_the_rest_stored(paths: Paths, fake: FakeHF) -> None:
    items = day_items("2026-08-21")
    fake.hook = lambda path, params: __import__("fakehf")._json(
        [items[0], {"paper": 1}, "x", items[1]]
    )
    outcome = await service_for(paths, fake).feeds.refresh(FeedSpec.parse("daily:2026-08-21"))
    assert len(outcome.view.papers) == 2 and outcome.skipped == 2
    assert "2 skipped (bad data)" in outcome.summary


def test_age_is_described_for_humans() -> None:
    assert describe_age(None) == "never"
    assert describe_age(dt.timedelta(seconds=20)) == "just now"
    assert describe_age(dt.timedelta(minutes=3)) == "3 min ago"
    assert describe_age(dt.timedelta(hours=2, minutes=5)) == "2 h ago"
    assert describe_age(dt.timedelta(days=4)) == "4 days ago"
