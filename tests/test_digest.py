"""`paperterm digest`: what is new since the last digest, in four formats; nothing new prints
nothing; a failed write records nothing; hostile titles stay text."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fakehf import FakeHF
from hf_data import NOW
from markdown_it import MarkdownIt
from test_atom import hostile_papers

from paperterm.cli import main
from paperterm.models import FeedSpec
from paperterm.paths import Paths
from paperterm.service import PaperService

TRENDING = FeedSpec("trending")
FIRST = dt.datetime(2026, 8, 20, 19, 0, tzinfo=dt.UTC)


def fetch(paths: Paths, fake: FakeHF, at: dt.datetime) -> list[str]:
    async def run() -> list[str]:
        service = PaperService(paths, transport=fake.transport(), clock=lambda: at)
        view = (await service.feeds.refresh(TRENDING)).view
        service.close()
        return [p.id for p in view.papers]

    return asyncio.run(run())


def digest(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["digest", "--offline", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_second_digest_says_only_what_is_new_and_nothing_when_nothing_is(
    paths: Paths, fake: FakeHF, capsys: pytest.CaptureFixture[str]
) -> None:
    first = fetch(paths, fake, FIRST)
    code, out, _ = digest(capsys, "--limit", "500", "--format", "json")
    assert code == 0
    assert [p["id"] for p in json.loads(out)["papers"]] == sorted(
        first, key=lambda i: -next(p["upvotes"] for p in json.loads(out)["papers"] if p["id"] == i)
    )
    assert json.loads(out)["since"] == "(first digest)"
    assert digest(capsys) == (0, "", "")  # nothing new: no output at all, exit 0

    fake.reorder_trending(leave=3, enter=3)
    second = fetch(paths, fake, NOW)
    new = [i for i in second if i not in first]
    code, out, _ = digest(capsys, "--format", "json")
    assert code == 0 and sorted(p["id"] for p in json.loads(out)["papers"]) == sorted(new)
    assert json.loads(out)["since"].startswith("since the last digest")
    assert digest(capsys) == (0, "", "")
    # Another name has its own memory; --since a date looks at the snapshots instead.
    code, out, _ = digest(capsys, "--name", "other", "--since", "2026-08-21", "--format", "json")
    assert sorted(p["id"] for p in json.loads(out)["papers"]) == sorted(new)


def test_a_failed_write_records_nothing(
    paths: Paths, fake: FakeHF, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch(paths, fake, FIRST)
    code, _, err = digest(capsys, "-o", str(tmp_path / "no" / "such" / "dir.txt"))
    assert code == 1 and "does not exist" in err
    code, out, _ = digest(capsys, "--limit", "3")
    assert code == 0 and out.count("new at #") == 3
    code, out, _ = digest(capsys, "--limit", "3")
    assert out.count("new at #") == 3  # the ones --limit left out are still new


def test_text_and_markdown(paths: Paths, fake: FakeHF, capsys: pytest.CaptureFixture[str]) -> None:
    ids = fetch(paths, fake, FIRST)
    code, text, _ = digest(capsys, "--name", "t", "--limit", "2")
    assert code == 0 and text.startswith("paperterm digest: trending — 2 new (first digest)")
    assert "https://huggingface.co/papers/" in text and "▲" in text
    code, md, _ = digest(capsys, "--name", "m", "--limit", "2", "--format", "markdown")
    tokens = MarkdownIt().parse(md)
    links = [
        t.attrs["href"] for tok in tokens for t in (tok.children or []) if t.type == "link_open"
    ]
    assert len({link for link in links if link.startswith("https://huggingface.co/papers/")}) == 2
    assert ids


def test_markdown_keeps_hostile_titles_as_text(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = hostile_papers()
    day = FeedSpec.parse("daily:2026-08-21")
    service = PaperService(paths, clock=lambda: NOW)
    service.feeds.cache.store_feed(day, day, papers, NOW)
    service.close()
    code, md, _ = digest(capsys, "daily:2026-08-21", "--format", "markdown", "--limit", "100")
    assert code == 0
    rendered = MarkdownIt().render(md)
    assert "<script" not in rendered and "<img" not in rendered
    assert 'href="javascript' not in rendered


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]
        assert not any(k.startswith("on") for k, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_a_self_contained_body_with_hostile_titles_escaped(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = hostile_papers()
    day = FeedSpec.parse("daily:2026-08-21")
    service = PaperService(paths, clock=lambda: NOW)
    service.feeds.cache.store_feed(day, day, papers, NOW)
    service.close()
    out = tmp_path / "digest.html"
    code, printed, _ = digest(capsys, "daily:2026-08-21", "--format", "html", "-o", str(out))
    assert code == 0 and printed == ""
    page = out.read_text("utf-8")
    parser = Collect()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags and "style" not in parser.tags
    assert all(h.startswith("https://") for h in parser.hrefs)
    text = "".join(parser.text)
    for paper in papers:
        assert " ".join(paper.title.split()) in text  # shown as text, exactly
    assert "<script>" not in page and "javascript:" not in " ".join(parser.hrefs)


def test_a_bad_since_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = digest(capsys, "--since", "yesterdayish")
    assert code == 2 and "--since" in err
