"""`paperterm atom`: valid Atom 1.0 that feedparser reads back exactly, hostile titles included."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from fakehf import FakeHF
from hf_data import NOW
from test_export import HOSTILE, HOSTILE_AUTHORS, raw_item

from paperterm.cli import main
from paperterm.exchange.atom import ATOM, atom_feed, xml_text
from paperterm.feed.ingest import paper_from_item
from paperterm.models import FeedSpec, Paper
from paperterm.paths import Paths
from paperterm.service import FeedView, PaperService

TRENDING = FeedSpec("trending")
NASTY = (
    *HOSTILE,
    "ends ]]> a CDATA",
    "bell \x07 and nul \x00 and esc \x1b[31m red",
    "<![CDATA[x]]>",
)


def hostile_papers() -> list[Paper]:
    papers = []
    for i, title in enumerate(NASTY):
        item = raw_item(
            f"2501.{20000 + i}",
            title,
            HOSTILE_AUTHORS[i % 4 : i % 4 + 3],
            summary=f"{title} & more <b>",
            githubRepo="javascript:alert(1)" if i % 2 else "https://github.com/a/b?x=1&y=<2>",
        )
        papers.append(paper_from_item(item, NOW, "daily"))
    return papers


def parsed(data: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_hostile_titles_authors_and_links_read_back_exactly() -> None:
    papers = hostile_papers()
    data = atom_feed(papers, title="t & <u>", feed_id="tag:paperterm,2026:x", updated=NOW)
    ET.fromstring(data)  # well-formed XML, whatever the titles held
    feed = parsed(data)
    assert feed.feed.title == "t & <u>"
    assert len(feed.entries) == len(papers)
    for entry, paper in zip(feed.entries, papers, strict=True):
        assert entry.id == paper.url
        assert entry.title == xml_text(paper.title)
        assert [a.name for a in entry.authors] == [xml_text(a) for a in paper.authors]
        assert entry.summary == xml_text(paper.abstract or "")
        hrefs = {link.get("title", ""): link.href for link in entry.links}
        assert hrefs["Hugging Face"] == paper.url and hrefs["arXiv"] == paper.arxiv_url
        assert hrefs["PDF"] == paper.pdf_url
        assert ("Code" in hrefs) == bool(paper.github and paper.github.startswith("https://"))
        assert all(not href.startswith("javascript") for href in hrefs.values())
    assert b"<script>" not in data and b"]]>" not in data


def test_control_characters_never_reach_the_document() -> None:
    assert xml_text("a\x00b\x07c\x1bd\ufffee\tf\n") == "abcde\tf\n"
    paper = hostile_papers()[0]
    from paperterm.records import replace

    raw = replace(paper, title="nul \x00here\x0c!", authors=("x\x01y",))  # past ingestion
    feed = parsed(atom_feed([raw], title="x", feed_id="tag:x", updated=NOW))
    assert feed.entries[0].title == "nul here!" and feed.entries[0].author == "xy"


def test_entries_are_dated_by_the_feed_day() -> None:
    from paperterm.records import replace

    listed = replace(hostile_papers()[0], feed_day=dt.date(2026, 8, 20))
    unlisted = replace(hostile_papers()[1], feed_day=None, fetched_at=None)
    feed = parsed(atom_feed([listed, unlisted], title="x", feed_id="tag:x", updated=NOW))
    assert feed.entries[0].updated == "2026-08-20T00:00:00Z"
    assert feed.entries[1].updated == "2026-08-21T15:00:00Z"  # no day: the feed's time
    assert feed.feed.updated == "2026-08-21T15:00:00Z"


def fetched(paths: Paths, fake: FakeHF, spec: FeedSpec = TRENDING) -> FeedView:
    """`spec` fetched from the fake server into the cache (before a command runs)."""

    async def fetch() -> FeedView:
        service = PaperService(paths, transport=fake.transport(), clock=lambda: NOW)
        view = (await service.feeds.refresh(spec)).view
        service.close()
        return view

    return asyncio.run(fetch())


def test_the_command_writes_a_filtered_feed_to_a_file(
    paths: Paths, fake: FakeHF, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    view = fetched(paths, fake)
    out = tmp_path / "trending.xml"
    code = main(["atom", "trending", "--offline", "--filter", "has:code up:>20", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    feed = parsed(out.read_bytes())
    wanted = [p for p in view.papers if p.github and p.upvotes > 20]
    assert [e.id for e in feed.entries] == [p.url for p in wanted] and wanted
    assert feed.feed.id == "tag:paperterm,2026:trending?filter=has:code up:>20"
    assert [e.title for e in feed.entries] == [p.title for p in wanted]
    code = main(["atom", "--offline", "--limit", "3"])
    assert code == 0
    assert len(parsed(capsys.readouterr().out.encode()).entries) == 3


def test_an_unwritable_output_is_an_error_and_nothing_is_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["atom", "--offline", "-o", str(tmp_path / "missing" / "x.xml")])
    assert code == 1 and "does not exist" in capsys.readouterr().err
    assert main(["atom", "--offline", "-o", str(tmp_path)]) == 1
    assert list(tmp_path.iterdir()) == [] or all(p.is_dir() for p in tmp_path.iterdir())


def test_namespace_is_atom() -> None:
    root = ET.fromstring(atom_feed([], title="x", feed_id="tag:x", updated=dt.datetime(2026, 1, 1)))
    assert root.tag == f"{{{ATOM}}}feed"


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is not installed")
def test_newsboat_subscribes_to_the_file_hostile_titles_and_all(tmp_path: Path) -> None:
    papers = hostile_papers()
    feed = tmp_path / "feed.xml"
    feed.write_bytes(atom_feed(papers, title="hostile", feed_id="tag:x", updated=NOW))
    (tmp_path / "urls").write_text(f"file://{feed}\n")
    (tmp_path / "config").write_text("")
    cache = tmp_path / "cache.db"
    result = subprocess.run(
        ["newsboat", "-u", str(tmp_path / "urls"), "-c", str(cache), "-C", str(tmp_path / "config"),
         "-x", "reload", "-x", "print-unread"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{len(papers)} unread articles"
    db = sqlite3.connect(cache)
    guids = {row[0] for row in db.execute("SELECT guid FROM rss_item")}
    db.close()
    assert guids == {p.url for p in papers}
