"""Since you last looked: NEW markers, rank movement, "N new since …", velocity, the next-new
key and ``sort:hot``, over two fetches of trending in different orders (fake clock and server)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from appdata import paths_in, reader_app
from fakehf import FakeHF
from hf_data import NOW
from textual.pilot import Pilot

from paperterm.feed.history import Entry, Snapshot
from paperterm.models import FeedSpec
from paperterm.query import PaperIndex
from paperterm.service import PaperService
from paperterm.service.since import Baseline, compare, since_text, velocities
from paperterm.ui.widgets.detail import DetailPane
from paperterm.ui.widgets.status import counts_text

TRENDING = FeedSpec("trending")
FIRST = dt.datetime(2026, 8, 20, 18, 2, tzinfo=dt.UTC)  # "yesterday 18:02" seen from NOW
SIZE = (140, 40)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local time is UTC, so "yesterday 18:02" reads the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def service_at(home: Path, fake: FakeHF, now: dt.datetime) -> PaperService:
    return PaperService(
        paths_in(home), transport=fake.transport(), clock=lambda: now, interactive=True
    )


def expected(before: Snapshot, after: Snapshot) -> dict[str, str]:
    """The markers the difference of two snapshots calls for, worked out here on its own."""
    places = {paper_id: i for i, paper_id in enumerate(before.ids)}
    out = {}
    for i, paper_id in enumerate(after.ids):
        if paper_id not in places:
            out[paper_id] = "NEW"
        elif places[paper_id] > i:
            out[paper_id] = f"↑{places[paper_id] - i}"
        elif places[paper_id] < i:
            out[paper_id] = f"↓{i - places[paper_id]}"
    return out


# -- the pure parts --------------------------------------------------------------------------


def test_compare_finds_new_papers_and_movement() -> None:
    changes = compare(Baseline(FIRST, ("a", "b", "c", "d")), ["e", "c", "a", "b"])
    assert changes.new == {"e"}
    assert changes.moved == {"c": 1, "a": -2, "b": -2}
    assert [changes.movement(i) for i in "ecabd"] == ["NEW", "↑1", "↓2", "↓2", ""]
    assert compare(None, ["a"]).any is False


def test_velocity_is_upvotes_gained_per_day_between_snapshots() -> None:
    snaps = [
        Snapshot("trending", FIRST, (Entry("a", 10, 0, None), Entry("b", 5, 0, None))),
        Snapshot("trending", FIRST + dt.timedelta(hours=12), (Entry("a", 40, 0, None),)),
        Snapshot("daily:x", FIRST + dt.timedelta(minutes=10), (Entry("c", 1, 0, None),)),
    ]
    found = velocities(snaps)
    assert found["a"].per_day == pytest.approx(60.0) and found["a"].text == "+60/day over 12 h"
    assert "b" not in found and "c" not in found  # seen once, or less than an hour apart


def test_the_status_line_says_how_many_are_new_since_when() -> None:
    changes = compare(Baseline(FIRST, ("a",)), ["x", "y", "a", "z"])
    assert since_text(changes, NOW) == "3 new since yesterday 18:02"
    assert since_text(compare(Baseline(FIRST, ("a",)), ["a"]), NOW) == ""


# -- two fetches through the service ---------------------------------------------------------


async def test_a_second_fetch_in_another_order_is_compared_with_the_last_look(
    tmp_path: Path, fake: FakeHF
) -> None:
    first = service_at(tmp_path, fake, FIRST)
    view = (await first.feeds.refresh(TRENDING)).view
    first.since.look("trending", [p.id for p in view.papers])
    first.close()

    fake.reorder_trending(leave=3, enter=3, gain=30)
    later = service_at(tmp_path, fake, NOW)
    baseline = later.since.baseline("trending")
    view = (await later.feeds.refresh(TRENDING)).view
    changes = compare(baseline, [p.id for p in view.papers])
    before, after = later.feeds.cache.history.snapshots(TRENDING)
    marks = {i: changes.movement(i) for i in after.ids if changes.movement(i)}
    assert marks == expected(before, after)
    assert len(changes.new) == 3 and any(m.startswith("↓") for m in marks.values())
    velocity = later.since.velocity()
    hours = (NOW - FIRST).total_seconds() / 3600
    assert velocity[after.ids[5]].per_day == pytest.approx(30 / hours * 24)
    later.close()


async def test_sort_hot_ranks_by_measured_velocity(tmp_path: Path, fake: FakeHF) -> None:
    first = service_at(tmp_path, fake, FIRST)
    await first.feeds.refresh(TRENDING)
    first.close()
    fake.reorder_trending(leave=0, enter=0, gain=0)
    fast = fake.trending[7]["paper"]
    fast["upvotes"] = int(fast["upvotes"]) + 500
    later = service_at(tmp_path, fake, NOW)
    papers = (await later.feeds.refresh(TRENDING)).view.papers
    later.load_state()
    hot = PaperIndex(papers).search("sort:hot", later.search_context()).papers
    assert hot[0].id == fast["id"]
    ranked = PaperIndex(papers).search("", later.search_context()).papers
    assert [p.id for p in ranked] == [p.id for p in papers]  # no sort: the server's order
    later.close()


# -- the reader ------------------------------------------------------------------------------


async def _open(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_reader_marks_new_and_moved_papers_since_the_last_visit(
    tmp_path: Path, fake: FakeHF
) -> None:
    app = reader_app(service_at(tmp_path, fake, FIRST), start=TRENDING)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        assert app.reader.paper_list.movement == {}  # a first visit has nothing to compare
        assert "new since" not in counts_text(app.reader.status.status)
    app.service.close()

    fake.reorder_trending(leave=3, enter=3, gain=30)
    app = reader_app(service_at(tmp_path, fake, NOW), start=TRENDING)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        screen = app.reader
        before, after = app.service.feeds.cache.history.snapshots(TRENDING)
        assert dict(screen.paper_list.movement) == expected(before, after)
        assert "3 new since yesterday 18:02" in counts_text(screen.status.status)
        rows = [screen.paper_list.render_line(y).text for y in range(4)]
        marks = expected(before, after)
        assert all("NEW" in row for row in rows[:3]) and marks[after.ids[3]] == "↓2"
        assert "↓2" in rows[3] and "NEW" not in rows[3]

        screen.paper_list.move_cursor(3)
        await pilot.press("w")  # wraps around to the first new paper
        assert screen.paper_list.cursor == 0
        await pilot.press("w", "w")
        assert screen.paper_list.cursor == 2
        await pilot.press("W")
        assert screen.paper_list.cursor == 1

        await app.workers.wait_for_complete()  # velocity is measured off the first frame
        screen.paper_list.move_cursor(5)
        await pilot.pause()
        detail = str(app.query_one(DetailPane).query_one("#detail-text").render())
        assert "Velocity" in detail and "/day over 21 h" in detail
    app.service.close()


async def test_the_next_new_key_says_when_nothing_is_new(tmp_path: Path, fake: FakeHF) -> None:
    app = reader_app(service_at(tmp_path, fake, FIRST), start=TRENDING)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("w")
        assert "No new papers since your last look." in [n.message for n in app._notifications]
    app.service.close()


# -- sort: in the query language -------------------------------------------------------------


def test_sort_is_parsed_and_checked() -> None:
    from paperterm.query import parse_query

    assert parse_query("agent sort:hot").sort == "hot"
    assert parse_query("sort:upvotes sort:NEWEST").sort == "newest"  # the last one wins
    assert [e.message for e in parse_query("sort:bogus").errors] == [
        "sort: expects rank, upvotes, hot, newest"
    ]
    assert parse_query("-sort:hot").errors and parse_query("-sort:hot").sort is None


def test_sort_orders_without_filtering(tmp_path: Path) -> None:
    from appdata import trending_papers

    from paperterm.query import SearchContext

    papers = trending_papers()[:30]
    index, context = PaperIndex(papers), SearchContext(today=NOW.date())
    by_upvotes = index.search("sort:upvotes", context).papers
    assert [p.upvotes for p in by_upvotes] == sorted((p.upvotes for p in papers), reverse=True)
    newest = index.search("sort:newest", context).papers
    assert newest[0].feed_day == max(p.feed_day for p in papers if p.feed_day)
    assert len(index.search("has:code sort:rank", context).papers) == len(
        index.search("has:code", context).papers
    )


def test_a_look_that_cannot_be_written_is_a_notice_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from paperterm.feed.history import History

    service = PaperService(paths_in(tmp_path), clock=lambda: NOW)

    def refuse(self: History, marks: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(History, "set_marks", refuse)
    service.since.look("trending", ["2608.00001"])
    assert any("could not remember what trending showed" in n for n in service.take_notices())
    service.close()


def test_the_sort_key_cycles_the_query_order() -> None:
    from paperterm.ui.widgets.filter_bar import cycle_sort

    assert cycle_sort("") == "sort:upvotes"
    assert cycle_sort("agent") == "agent sort:upvotes"
    assert cycle_sort("agent sort:upvotes") == "agent sort:hot"
    assert cycle_sort("sort:hot has:code") == "sort:newest has:code"
    assert cycle_sort("x sort:newest") == "x sort:rank"
    assert cycle_sort("x sort:bogus") == "x sort:rank"


async def test_ctrl_o_in_the_filter_orders_the_list_by_upvotes(
    tmp_path: Path, fake: FakeHF
) -> None:
    app = reader_app(service_at(tmp_path, fake, FIRST), start=TRENDING)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("slash", "ctrl+o")
        await _open(pilot)
        assert app.reader.filter_bar.value == "sort:upvotes"
        shown = [p.upvotes for p in app.reader.paper_list.papers]
        assert shown == sorted(shown, reverse=True) and len(shown) > 10
    app.service.close()
