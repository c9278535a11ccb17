"""Bookmark updates: a bookmarked paper that gains a GitHub repo in a later fetch is flagged in
the reader's bookmarks and by `paperterm bookmarks --updated`; its tags, note and citation key
never change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from appdata import FETCHED, fill_cache, make_service, reader_app, trending_papers

from paperterm.cli import main
from paperterm.library import PinCiteKey
from paperterm.models import FeedSpec, Paper
from paperterm.paths import Paths
from paperterm.records import replace
from paperterm.service import PaperService
from paperterm.service.updates import news, updates
from paperterm.ui.widgets.detail import DetailPane

TRENDING = FeedSpec("trending")
REPO = "https://github.com/example/released"


def plain(paper: Paper) -> Paper:
    return replace(paper, github=None, stars=None, project_page=None)


def test_news_are_code_a_project_page_and_stars_crossing_a_power_of_ten() -> None:
    old = plain(trending_papers()[0])
    assert news(old, old) == ()
    assert news(old, replace(old, github=REPO, stars=3)) == (
        "code released: github.com/example/released",
    )
    assert news(old, replace(old, project_page="https://x.example/p")) == (
        "project page: x.example/p",
    )
    coded = replace(old, github=REPO, stars=870)
    assert news(coded, replace(coded, stars=999)) == ()
    assert news(coded, replace(coded, stars=1204)) == ("★ 1,204 (was 870)",)
    assert news(replace(coded, stars=None), replace(coded, stars=12)) == ("★ 12 (was 0)",)


def bookmarked_then_released(service: PaperService) -> Paper:
    """A paper bookmarked (tags, note, a pinned key) while it had no code; a later fetch of
    trending brings its repo."""
    papers = trending_papers()
    paper = plain(papers[3])
    fill_cache(service, [paper, *papers[4:]])
    service.load_state()
    service.triage.bookmark(paper, tags=("to-read", "rl"), note="Check the ablations.")
    service.triage.store.apply(PinCiteKey(paper.id, "doe2026released"))
    service.triage.save()
    released = replace(paper, github=REPO, stars=42, upvotes=paper.upvotes + 10)
    service.feeds.cache.store_feed(TRENDING, TRENDING, [released, *papers[4:]], FETCHED)
    return released


def test_bookmarks_updated_lists_it_and_leaves_the_user_data(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    service = PaperService(paths)
    paper = bookmarked_then_released(service)
    assert list(updates(service)) == [paper.id]
    service.close()
    assert main(["bookmarks", "--updated"]) == 0
    out = capsys.readouterr().out
    assert paper.id in out and "code released: github.com/example/released" in out
    assert main(["bookmarks", "--updated", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["id"] == paper.id and row["updated"].startswith("code released")
    assert row["tags"] == ["to-read", "rl"] and row["note"] == "Check the ablations."
    assert row["cite_key"] == "doe2026released"


async def test_the_reader_flags_it_in_the_bookmarks_until_seen(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    paper = bookmarked_then_released(service)
    app = reader_app(service, start=TRENDING)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("B")
        await pilot.pause()
        screen = app.reader
        assert dict(screen.paper_list.movement) == {paper.id: "UPD"}
        row = next(y for y, p in enumerate(screen.paper_list.papers) if p.id == paper.id)
        assert "UPD" in screen.paper_list.render_line(row).text
        screen.paper_list.move_cursor(row)
        await pilot.pause()
        detail = str(app.query_one(DetailPane).query_one("#detail-text").render())
        assert "Updated" in detail and "code released: github.com/example/released" in detail
        await pilot.app.workers.wait_for_complete()
    bookmark = app.service.triage.state.bookmarks[paper.id]
    assert bookmark.paper.github == REPO and bookmark.paper.stars == 42  # the snapshot took it
    assert bookmark.tags == ("to-read", "rl") and bookmark.note == "Check the ablations."
    assert bookmark.cite_key == "doe2026released"
    assert updates(app.service) == {}  # seen: no longer an update
