"""`paperterm status`: right counts from the cache and state, a quick path from the tally that
never gives a stale count, and neither path loading Textual or httpx."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from fakehf import FakeHF
from hf_data import NOW

from paperterm import tally
from paperterm.cli import main
from paperterm.models import FeedSpec
from paperterm.paths import Paths
from paperterm.service import PaperService

TRENDING = FeedSpec("trending")
FIRST = NOW - dt.timedelta(hours=20)


async def two_fetches(paths: Paths, fake: FakeHF) -> list[str]:
    """Trending fetched and looked at, then fetched again in another order with three new
    papers; returns the ids of the second fetch."""
    first = PaperService(paths, transport=fake.transport(), clock=lambda: FIRST)
    view = (await first.feeds.refresh(TRENDING)).view
    first.since.look("trending", [p.id for p in view.papers])
    first.close()
    fake.reorder_trending(leave=3, enter=3)
    later = PaperService(paths, transport=fake.transport(), clock=lambda: NOW)
    ids = [p.id for p in (await later.feeds.refresh(TRENDING)).view.papers]
    later.close()
    return ids


def mark_read(paths: Paths, ids: list[str]) -> None:
    service = PaperService(paths, clock=lambda: NOW)
    service.load_state()
    service.triage.mark_read(ids, save=True)
    service.close()


def status(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["status", *args])
    out, err = capsys.readouterr()
    return code, out + err


PROBE = """
import json, sys
from paperterm.__main__ import main
code = main(["status", *sys.argv[1:]])
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"textual", "httpx", "rich"})
print(json.dumps({"code": code, "loaded": loaded, "cli": "paperterm.cli" in sys.modules}))
"""


def probe(*args: str) -> tuple[str, dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    *lines, last = result.stdout.strip().splitlines()
    return "\n".join(lines), json.loads(last)


async def test_counts_new_since_the_last_look_and_unread(
    paths: Paths, fake: FakeHF, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = await two_fetches(paths, fake)
    mark_read(paths, ids[:2] + ids[10:15])
    code, out = status(capsys)
    assert code == 0 and out == f"3 new · {len(ids) - 7} unread\n"
    code, out = status(capsys, "--format", "{feed}: {total} papers, {new} new {{x}}")
    assert out == f"trending: {len(ids)} papers, 3 new {{x}}\n"


@pytest.mark.parametrize("template", ["{nope}", "{new", "}", "{new.__class__}"])
def test_a_bad_format_is_a_usage_error(template: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = status(capsys, "--format", template)
    assert code == 2 and "--format" in out


async def test_the_quick_path_answers_from_the_tally_without_textual_or_httpx(
    paths: Paths, fake: FakeHF
) -> None:
    ids = await two_fetches(paths, fake)
    out, slow = probe()  # the tally is not written yet: the full command answers
    assert out == f"3 new · {len(ids)} unread" and slow == {"code": 0, "loaded": [], "cli": True}
    out, quick = probe()
    assert out == f"3 new · {len(ids)} unread" and quick == {"code": 0, "loaded": [], "cli": False}


async def test_the_quick_path_never_answers_a_stale_count(paths: Paths, fake: FakeHF) -> None:
    ids = await two_fetches(paths, fake)
    probe()
    assert tally.quick([]) == f"3 new · {len(ids)} unread"
    mark_read(paths, ids[:4])  # the state changed: the row is out of date
    assert tally.quick([]) is None
    out, full = probe()
    assert out == f"3 new · {len(ids) - 4} unread" and full["cli"] is True
    assert tally.quick([]) == out
    service = PaperService(paths, clock=lambda: NOW)  # a new look: the cache's generation moves
    service.since.look("trending", ids)
    service.close()
    assert tally.quick([]) is None
    out, _ = probe()
    assert out == f"0 new · {len(ids) - 4} unread"
    config = paths.config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('default_feed = "daily"\n')  # another default feed
    assert tally.quick([]) is None


def test_quick_leaves_other_arguments_to_the_full_command() -> None:
    assert tally.quick(["--json"]) is None
    assert tally.quick(["--format"]) is None


async def test_a_saved_search_has_its_counts_too(
    paths: Paths, fake: FakeHF, capsys: pytest.CaptureFixture[str]
) -> None:
    await two_fetches(paths, fake)
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('[searches]\ncode = "has:code"\n')
    service = PaperService(paths, clock=lambda: NOW, searches={"code": "has:code"})
    service.load_state()
    matches = [p.id for p in service.saved.papers("code")]
    service.since.look("saved:code", matches[2:])
    service.close()
    code, out = status(capsys, "--feed", "saved:code", "--format", "{new}/{total} {feed}")
    assert code == 0 and out == f"2/{len(matches)} saved:code\n"
