"""A paper's full text: fetched from `/papers/{id}.md` with its hazards refused, kept
compressed in the feed cache (migration 4), never replaced by a failed fetch."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest
from fakehf import FIXTURES, FakeHF, Reply, serve
from hf_data import NOW

from paperterm.feed import FeedCache, FetchError
from paperterm.feed.cache import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from paperterm.feed.client import MAX_TEXT_BYTES, HFClient
from paperterm.models import FeedSpec
from paperterm.paths import Paths
from paperterm.service import PaperService

BIG = "2606.16517"  # the largest real text, 171k characters
MARKDOWN = {"content-type": "text/markdown; charset=utf-8"}


def _client(fake: FakeHF) -> HFClient:
    async def no_wait(_: float) -> None:
        return None

    return HFClient("https://huggingface.co", transport=fake.transport(), sleep=no_wait)


async def test_the_text_is_the_real_body_asked_for_as_markdown(fake: FakeHF) -> None:
    async with _client(fake) as client:
        text = await client.paper_text(BIG)
    assert text == (FIXTURES / "paper_md" / f"{BIG}.md").read_text("utf-8")
    assert fake.requests[-1][0] == f"/papers/{BIG}.md"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (None, "HTTP 404"),  # an unknown id: the real site's HTML error page
        (Reply(200, b"<!DOCTYPE html><html>login</html>", {"content-type": "text/html"}), "HTML"),
        (Reply(200, b"  <html><body>portal</body></html>", MARKDOWN), "HTML"),
        (Reply(200, b"   \n", MARKDOWN), "empty"),
        (Reply(200, b"\xff\xfe not utf-8", MARKDOWN), "not UTF-8"),
        (Reply(200, b"x" * (MAX_TEXT_BYTES + 1), MARKDOWN), "refused"),
    ],
)
async def test_a_bad_answer_is_a_one_line_error(
    fake: FakeHF, reply: Reply | None, expected: str
) -> None:
    if reply is not None:
        fake.hook = lambda path, params: reply if path.endswith(".md") else None
    async with _client(fake) as client:
        with pytest.raises(FetchError) as caught:
            await client.paper_text("2606.99999")
    assert expected in str(caught.value) and "\n" not in str(caught.value)


async def test_a_dripping_server_cannot_hang_the_fetch(fake: FakeHF) -> None:
    fake.scenario = "slow-drip"
    fake.texts["2606.00001"] = b"# never complete"
    with serve(fake) as url:
        async with HFClient(url, deadline=1.0) as client:
            with pytest.raises(FetchError) as caught:
                await client.paper_text(BIG)
    assert caught.value.kind in ("timeout", "offline")


def test_migration_4_adds_the_text_table_to_an_older_cache(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    db = sqlite3.connect(path)
    for step in (1, 2):
        for statement in MIGRATIONS[step]:
            db.execute(statement)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("INSERT INTO latest (kind, spec) VALUES ('daily', 'daily:2026-08-21')")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    assert 3 not in MIGRATIONS or SCHEMA_VERSION >= 4  # a gap is skipped, not an error
    cache = FeedCache(path)
    cache.store_text("2606.00001", "α text", NOW)
    assert cache.read_text("2606.00001").text == "α text"  # type: ignore[union-attr]
    assert cache.notices == []
    assert str(cache.resolve(FeedSpec("daily"))) == "daily:2026-08-21"  # kept, not rebuilt
    cache.close()
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION >= 4


def test_texts_are_kept_compressed(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "cache.db")
    text = (FIXTURES / "paper_md" / f"{BIG}.md").read_text("utf-8")
    cache.store_text(BIG, text, NOW)
    cache.close()
    (body,) = (
        sqlite3.connect(tmp_path / "cache.db").execute("SELECT body FROM paper_texts").fetchone()
    )
    assert zlib.decompress(body).decode() == text
    assert len(body) < len(text.encode()) / 2
    cache = FeedCache(tmp_path / "cache.db")
    assert cache.text_ids([BIG, "2606.00002"]) == {BIG}


async def test_read_once_then_offline_and_a_failed_fetch_keeps_the_text(
    paths: Paths, fake: FakeHF
) -> None:
    service = PaperService(paths, transport=fake.transport(), clock=lambda: NOW)
    first = await service.texts.get(BIG)
    assert first.origin == "network" and "How Post-Training" in first.text
    before = sqlite3.connect(paths.cache_db).execute("SELECT body FROM paper_texts").fetchall()
    # The network is gone: the text still opens, without a request.
    offline = PaperService(paths, endpoint="http://127.0.0.1:9", clock=lambda: NOW)
    again = await offline.texts.get(BIG)
    assert again.origin == "cache" and again.text == first.text
    # A refetch that fails (an HTML page with 200, then a 404) leaves the kept bytes as they were.
    for reply in (
        Reply(200, b"<!doctype html><p>oops</p>", {"content-type": "text/html"}),
        Reply(404, b"<html>gone</html>", {"content-type": "text/html"}),
    ):
        fake.hook = lambda path, params, reply=reply: reply  # type: ignore[misc]
        with pytest.raises(FetchError):
            await service.texts.fetch(BIG)
    after = sqlite3.connect(paths.cache_db).execute("SELECT body FROM paper_texts").fetchall()
    assert after == before
    service.close()
    offline.close()


async def test_prefetch_fetches_only_what_is_missing_and_reports_failures(
    paths: Paths, fake: FakeHF
) -> None:
    service = PaperService(paths, transport=fake.transport(), clock=lambda: NOW)
    await service.texts.get(BIG)
    fake.requests.clear()
    fetched, failures = await service.texts.prefetch([BIG, "2606.16613", "2606.99999"])
    assert fetched == 1 and len(failures) == 1 and failures[0].startswith("2606.99999")
    assert [path for path, _ in fake.requests] == ["/papers/2606.16613.md", "/papers/2606.99999.md"]
    assert service.texts.kept([BIG, "2606.16613", "2606.99999"]) == {BIG, "2606.16613"}
    service.close()


async def test_the_kept_text_is_cleaned_of_escapes_and_bidi(paths: Paths, fake: FakeHF) -> None:
    fake.texts["2606.00009"] = (
        "## Intro\x1b[2J\x1b]8;;javascript:x\x07\n\nA \u202eevil\u200b text".encode()
    )
    service = PaperService(paths, transport=fake.transport(), clock=lambda: NOW)
    text = (await service.texts.get("2606.00009")).text
    assert text == "## Intro\n\nA evil text"
    assert service.texts.cached("2606.00009").text == text  # type: ignore[union-attr]
    service.close()


async def test_an_id_that_is_not_one_is_never_put_into_a_url(paths: Paths, fake: FakeHF) -> None:
    service = PaperService(paths, transport=fake.transport(), clock=lambda: NOW)
    for bad in ("../api/daily_papers", "2606.1?x=1", "", "a/b"):
        with pytest.raises(FetchError, match="not a paper id"):
            await service.texts.fetch(bad)
    assert fake.requests == []
    service.close()


async def test_a_fetched_text_is_kept_parsed_and_opens_without_parsing(
    paths: Paths, fake: FakeHF, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperterm.paper import PARSER_VERSION
    from paperterm.service import texts

    service = PaperService(paths, transport=fake.transport(), clock=lambda: NOW)
    await service.texts.fetch(BIG)
    kept = service.texts.cached(BIG)
    assert kept is not None and kept.parsed is not None and kept.parsed[0] == PARSER_VERSION
    parsed = service.texts.document(None, kept)

    def no_parsing(text: str) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(texts, "parse_paper", no_parsing)
    assert service.texts.document(None, kept) == parsed
    # Kept by another parser version: parsed again on opening, and kept so.
    monkeypatch.undo()
    cache = FeedCache(paths.cache_db)
    cache.store_parsed(BIG, (PARSER_VERSION + 1, "[]"))
    stale = service.texts.cached(BIG)
    assert stale is not None and service.texts.document(None, stale) == parsed
    assert service.texts.cached(BIG).parsed[0] == PARSER_VERSION  # type: ignore[union-attr]
    cache.close()
    service.close()
