"""What cites a paper on the Hub: parsed from the real `/api/papers/{id}` sample and from
records made in its shape (`paper_texts.linked_record`), shown in the details once the paper
has stayed there a moment, kept for offline, `h` opens one; `list --json` carries the counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from appdata import fire_timers, until
from fakebrowser import Browser
from fakehf import FakeHF, closed_port
from hf_data import NOW, fixture_papers, load
from paper_texts import BIG, linked_record, reading_app
from textual.widgets import OptionList, Static

from paperterm.feed import FeedCache
from paperterm.feed.linked import linked_from_answer
from paperterm.models import FeedSpec
from paperterm.paths import Paths


def test_the_real_sample_has_one_dataset() -> None:
    linked = linked_from_answer(load("paper_info/2608.09888.json"))
    assert linked is not None and linked.summary == "Cited by 1 dataset"
    assert [r.url for r in linked.top] == [
        "https://huggingface.co/datasets/WhySoCodius/in-context-grid-reasoning"
    ]
    assert linked_from_answer({"id": "x", "title": "no linked fields"}) is None


def test_counts_are_the_totals_and_bad_repo_ids_are_dropped() -> None:
    record = linked_record(BIG, models=3, datasets=1, spaces=12)
    record["linkedModels"].append({"id": "../../etc/passwd", "likes": 10**6})
    record["linkedModels"].append({"id": "javascript:alert(1)", "likes": 10**6})
    linked = linked_from_answer(record)
    assert linked is not None
    assert linked.summary == "Cited by 3 models · 1 dataset · 12 Spaces"
    assert all(
        r.url.startswith("https://huggingface.co/") and ".." not in r.url for r in linked.top
    )
    assert [r.likes for r in linked.top] == sorted((r.likes for r in linked.top), reverse=True)


def details(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.reader.query_one("#detail-text", Static).render())


async def test_the_details_say_what_cites_the_paper_and_h_opens_one(
    tmp_path: Path, fake: FakeHF, browser: Browser
) -> None:
    fake.papers[BIG] = linked_record(BIG, models=3, datasets=1, spaces=12)
    app = reading_app(tmp_path, fake)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert "Cited by" not in details(app)
        fire_timers(app)  # the paper stayed in the details: the Hub is asked
        await until(pilot, lambda: "Cited by" in details(app))
        assert "Cited by 3 models · 1 dataset · 12 Spaces" in details(app)
        await pilot.press("h")
        await pilot.pause()
        options = app.screen.query_one("#hub", OptionList)
        first = str(options.get_option_at_index(0).id)
        await pilot.press("enter")
        await until(pilot, lambda: bool(browser.opened))
        assert browser.opened == [first] and first.startswith("https://huggingface.co/")
        await pilot.press("q")
    offline = reading_app(tmp_path)  # the network is gone: the cache answers
    async with offline.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        fire_timers(offline)
        await until(pilot, lambda: "Cited by" in details(offline))


def test_list_json_carries_the_counts_when_known(paths: Paths) -> None:
    papers = fixture_papers()
    cache = FeedCache(paths.cache_db)
    cache.store_feed(FeedSpec("trending"), FeedSpec("trending"), papers, NOW)
    linked = linked_from_answer(linked_record(papers[0].id, models=2, datasets=0, spaces=1))
    assert linked is not None
    cache.store_linked(papers[0].id, linked, NOW)
    cache.close()
    result = subprocess.run(
        [sys.executable, "-m", "paperterm", "list", "--json", "--offline", "--limit", "2"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "HF_ENDPOINT": closed_port()},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["linked"] == {"models": 2, "datasets": 0, "spaces": 1}
    assert "linked" not in rows[1]  # never asked: not known, not zero
