"""The feed history: packed snapshots of every fetch, retention, migration to schema 3."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from fakehf import FakeHF
from hf_data import NOW, day_items

from paperterm.feed import FetchError, history
from paperterm.feed.cache import APPLICATION_ID, FeedCache
from paperterm.feed.ingest import ingest_items
from paperterm.models import FeedSpec, Paper
from paperterm.paths import Paths
from paperterm.records import replace
from paperterm.service import PaperService

TRENDING = FeedSpec("trending")
HOUR = dt.timedelta(hours=1)


def papers_of(day: str = "2026-08-21") -> list[Paper]:
    return ingest_items(day_items(day), NOW, "daily").papers


def test_a_snapshot_packs_and_unpacks_exactly() -> None:
    papers = papers_of()[:40]
    papers[0] = replace(papers[0], id="0704.1234", stars=None, upvotes=0, comments=0)
    papers[1] = replace(papers[1], id="2608.00001", stars=0, upvotes=100_000, comments=300)
    entries = history.unpack(history.pack(papers))
    assert [(e.id, e.upvotes, e.comments, e.stars) for e in entries] == [
        (p.id, p.upvotes, p.comments, p.stars) for p in papers
    ]


@pytest.mark.parametrize("data", [b"", b"junk", history.pack(papers_of()[:5])[:-3]])
def test_damaged_snapshot_data_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        history.unpack(data)


def test_a_trending_snapshot_is_compact() -> None:
    papers = sorted(papers_of() * 2, key=lambda p: p.id)[:150]
    assert len(history.pack(papers)) < 2048


def test_retention_keeps_two_days_then_one_a_day_for_a_month() -> None:
    now = int(NOW.timestamp())
    times = [now - h * 3600 for h in range(24 * 40)]  # hourly, 40 days back
    gone = set(history.expired(times, now))
    kept = sorted(set(times) - gone)
    recent = [t for t in kept if t >= now - 2 * 86400]
    assert len(recent) == 49  # every hour of the last two days (both ends)
    older = [t for t in kept if t < now - 2 * 86400]
    days = {t // 86400 for t in older}
    assert len(older) == len(days)  # one per day
    assert all(t >= now - 30 * 86400 for t in older)
    cut = now - 2 * 86400
    assert all(t == max(s for s in times if s // 86400 == t // 86400 and s < cut) for t in older)


def test_the_newest_snapshot_is_kept_however_old() -> None:
    now = int(NOW.timestamp())
    old = now - 90 * 86400
    assert history.expired([old - 3600, old], now) == [old - 3600]


def test_every_store_keeps_a_snapshot_and_applies_retention(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "c.sqlite3")
    papers = papers_of()
    start = NOW - dt.timedelta(days=5)
    for hour in range(5 * 24 + 1):
        ranked = papers[hour % 7 :] + papers[: hour % 7]
        cache.store_feed(TRENDING, TRENDING, ranked, start + hour * HOUR)
    snaps = cache.history.snapshots(TRENDING)
    assert snaps[-1].at == NOW and snaps[-1].ids == tuple(
        p.id for p in papers[(120) % 7 :] + papers[: 120 % 7]
    )
    # 49 within two days of the last store, one for each of the four days before (16-19 Aug).
    assert len(snaps) == 49 + 4
    assert cache.history.first(TRENDING) == snaps[0]
    assert cache.history.size()[0] == len(snaps)


def test_snapshots_of_other_feeds_are_separate(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "c.sqlite3")
    day = FeedSpec.parse("daily:2026-08-21")
    cache.store_feed(FeedSpec("daily"), day, papers_of(), NOW)
    cache.store_feed(TRENDING, TRENDING, papers_of()[:3], NOW + HOUR)
    assert [s.spec for s in cache.history.snapshots()] == ["daily:2026-08-21", "trending"]
    assert [s.spec for s in cache.history.snapshots(day)] == ["daily:2026-08-21"]
    assert cache.history.snapshots(since=NOW + HOUR)[0].spec == "trending"
    # Only the feeds fetched more than once in the span (what velocity reads).
    assert cache.history.snapshots(repeated=True) == []
    cache.store_feed(TRENDING, TRENDING, papers_of()[:4], NOW + 2 * HOUR)
    assert [s.spec for s in cache.history.snapshots(repeated=True)] == ["trending", "trending"]
    assert cache.history.snapshots(since=NOW + 2 * HOUR, repeated=True) == []


async def test_a_failed_refresh_adds_no_snapshot(paths: Paths, fake: FakeHF) -> None:
    service = PaperService(paths, transport=fake.transport(), clock=lambda: NOW)
    await service.feeds.refresh(TRENDING)
    assert len(service.feeds.cache.history.snapshots(TRENDING)) == 1
    fake.scenario = "500"
    later = PaperService(paths, transport=fake.transport(), clock=lambda: NOW + HOUR)
    with pytest.raises(FetchError):
        await later.feeds.refresh(TRENDING)
    assert len(later.feeds.cache.history.snapshots(TRENDING)) == 1
    service.close()
    later.close()


def test_a_version_2_cache_is_migrated_and_keeps_its_feeds(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "CREATE TABLE papers (id TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, data TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE feeds (spec TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, ids TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 1)"
    )
    db.execute("CREATE TABLE latest (kind TEXT PRIMARY KEY, spec TEXT NOT NULL)")
    db.execute("INSERT INTO feeds VALUES ('trending', '2026-08-21T15:00:00+00:00', '[]', 1)")
    db.commit()
    db.close()
    cache = FeedCache(path)
    assert [str(spec) for spec, _, _ in cache.feeds()] == ["trending"]
    assert cache.notices == []
    cache.store_feed(TRENDING, TRENDING, papers_of()[:2], NOW)
    assert len(cache.history.snapshots()) == 1


def test_a_gap_in_migration_numbers_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperterm.feed import cache as cache_module

    later = cache_module.SCHEMA_VERSION + 2
    steps = {**cache_module.MIGRATIONS, later: ("CREATE TABLE later (x INTEGER)",)}
    monkeypatch.setattr(cache_module, "MIGRATIONS", steps)
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", later)
    cache = FeedCache(tmp_path / "c.sqlite3")
    cache.store_feed(TRENDING, TRENDING, papers_of()[:2], NOW)
    assert cache.rows("PRAGMA user_version", ()) == [(later,)]
    assert len(cache.history.snapshots()) == 1
