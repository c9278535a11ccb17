"""Saved searches as feeds: from config.toml and from the reader, the same papers as the filter
over everything cached, counts of unread and new matches, offline."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import feedparser
import pytest
from appdata import FETCHED, build_app, fill_cache, make_service, trending_papers
from textual.pilot import Pilot

from paperterm.cli import main
from paperterm.config import load_settings, parse_settings
from paperterm.models import FeedSpec, FeedSpecError
from paperterm.paths import Paths
from paperterm.query import PaperIndex
from paperterm.service import PaperService
from paperterm.service.saved import save_search
from paperterm.ui.screens.saved import NameModal, SavedSearchesModal

QUERY = "has:code up:>20"
SIZE = (120, 36)


def expected(service: PaperService, query: str) -> list[str]:
    """What the filter finds over everything cached and bookmarked, worked out directly."""
    service.load_state()
    found = PaperIndex(service.everything()).search(query, service.search_context())
    return [p.id for p in found.papers]


def test_the_searches_table_is_read_and_bad_entries_reported() -> None:
    settings, problems = parse_settings(
        {"searches": {"rl": "kw:rlhf up:>10 -survey", "bad name": "x", "empty": " ", "n": 3}}
    )
    assert settings.searches == {"rl": "kw:rlhf up:>10 -survey"}
    assert len(problems) == 3 and all(p.startswith("searches:") for p in problems)
    assert (
        FeedSpec.parse("saved:rl") == FeedSpec("saved", "rl") and FeedSpec("saved", "rl").is_local
    )
    with pytest.raises(FeedSpecError):
        FeedSpec.parse("saved:")


def test_saving_a_search_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# mine\ntheme = "nord"\n\n[keymap]\nrefresh = "R"\n')
    save_search(config, "rl", 'kw:rlhf "reward model"')
    save_search(config, "code", "has:code")
    save_search(config, "rl", "kw:rl")
    text = config.read_text()
    assert text.startswith('# mine\ntheme = "nord"\n')
    data = tomllib.loads(text)
    assert data["keymap"] == {"refresh": "R"}
    assert data["searches"] == {"rl": "kw:rl", "code": "has:code"}
    assert load_settings(config)[1] == []


def test_list_saved_prints_the_filters_papers_offline(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(f'[searches]\nrl = "{QUERY}"\n')
    service = PaperService(paths)
    fill_cache(service)
    wanted = expected(service, QUERY)
    service.close()
    assert wanted
    assert main(["--offline", "list", "saved:rl", "--json"]) == 0
    assert [p["id"] for p in json.loads(capsys.readouterr().out)] == wanted
    assert main(["atom", "saved:rl", "--offline"]) == 0  # an Atom feed of the search
    entries = feedparser.parse(capsys.readouterr().out).entries
    assert [e.id for e in entries] == [f"https://huggingface.co/papers/{i}" for i in wanted]
    assert main(["list", "saved:nope"]) == 2
    assert "no saved search named 'nope'" in capsys.readouterr().err


def test_counts_of_unread_and_new_matches(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    papers = trending_papers()
    fill_cache(service, papers[5:])
    service.saved.add("rl", QUERY)
    service.load_state()
    first = service.saved.papers("rl")
    service.since.look("saved:rl", [p.id for p in first])
    service.triage.mark_read([first[0].id])
    fill_cache(service, papers, at=FETCHED)  # five more papers cached
    now = service.saved.papers("rl")
    (counts,) = service.saved.counts()
    assert (counts.total, counts.unread) == (len(now), len(now) - 1)
    assert counts.new == len({p.id for p in now} - {p.id for p in first}) > 0


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_reader_saves_its_filter_and_shows_it_as_a_feed(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("slash", *QUERY, "ctrl+a")  # the filter over everything cached
        await _settle(pilot)
        filtered = [p.id for p in app.reader.paper_list.papers]
        await pilot.press("enter", "V")
        await pilot.pause()
        assert isinstance(app.screen, NameModal)
        await pilot.press(*"rl", "enter")
        await pilot.pause()
        config = app.service.paths.config_file
        assert tomllib.loads(config.read_text())["searches"] == {"rl": QUERY}
        await pilot.press("escape")  # clear the filter
        await pilot.press("v")
        await _settle(pilot)
        assert isinstance(app.screen, SavedSearchesModal)
        assert app.screen.counts[0].name == "rl" and app.screen.counts[0].total == len(filtered)
        await pilot.press("enter")
        await _settle(pilot)
        assert app.reader.feeds.spec == FeedSpec("saved", "rl")
        assert [p.id for p in app.reader.paper_list.papers] == filtered
        assert app.reader.status.status.feed == "saved:rl"
    assert filtered == expected(app.service, QUERY)


async def test_with_no_saved_searches_the_hint_names_the_table_literally(tmp_path: Path) -> None:
    """The hint quotes ``[searches]``; read as markup it would vanish from the message."""
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("v")
        await _settle(pilot)
        hints = [n for n in app._notifications if "No saved searches" in n.message]
        assert hints and "add [searches] to config.toml" in hints[0].message
        assert not any(n.markup for n in app._notifications)
