"""The persistent search index (FTS5 in the feed cache) answers exactly as `PaperIndex`:
every query of the query tests runs through both (same ids, same order), and more over the
real fixture papers; the index follows stores, survives damage and a failed fetch."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
import tempfile
import threading
import weakref
from pathlib import Path

import pytest
import test_query
from hf_data import NOW
from test_query import *  # noqa: F403  (each query test again, with the parity check below)

from paperterm.feed import FeedCache, searchindex, searchschema
from paperterm.models import FeedSpec, Paper
from paperterm.query import PaperIndex, SearchContext, SearchResult, parse_query

_original_search = PaperIndex.search
_caches: weakref.WeakKeyDictionary[PaperIndex, dict[int, FeedCache]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_numbers = itertools.count()
_dir = Path(tempfile.mkdtemp(prefix="pt-fts-"))


def _cache_of(index: PaperIndex) -> FeedCache:
    # A connection per thread (the query tests search from several threads at once).
    with _lock:
        per_thread = _caches.setdefault(index, {})
        cache = per_thread.get(threading.get_ident())
        if cache is None:
            cache = FeedCache(_dir / f"{next(_numbers)}.db")
            cache.store_papers(list(index.papers))
            per_thread[threading.get_ident()] = cache
    return cache


def _checked_search(
    self: PaperIndex, query: object, context: SearchContext | None = None
) -> SearchResult:
    result = _original_search(self, query, context)  # type: ignore[arg-type]
    context = context or SearchContext(today=dt.date.today())
    ids = _cache_of(self).index.search_ids(result.query, context, [p.id for p in self.papers])
    assert ids is not None, "the index could not answer"
    assert tuple(ids) == result.ids, result.query.text
    return result


@pytest.fixture(autouse=True)
def _parity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PaperIndex, "search", _checked_search)


REAL_QUERIES = [
    "diffusion", "difusion", "diff", "d", "di", "a", "of the", "video diffusion",
    "transformer", "trnasformer", "llm", "gpt-4o", "reinforcement learning", "reinforcment",
    "-diffusion", "video -diffusion", '"mixture of experts"', '"language model"', '"a"',
    "title:diffusion", "author:wang", 'author:"Yann LeCun"', "kw:reward", "org:nvidia",
    "org:ai -org:meta", "up:>50 diffusion", "has:code agent", "-has:summary", "stars:>=100",
    "date:2026-08 robot", "age:<30d", "is:unread survey", "tag:x", "ünïcödé", "zoë",
    "multimodal reasoning benchmark", "agen", "agentic", "qwen2", "2024", "moe", "rlhf",
    "tion", "mamba -vision", "3d gaussian splatting", "gausian", "segment anything",
]  # fmt: skip


@pytest.fixture(scope="module")
def real_cache(papers: list[Paper], tmp_path_factory: pytest.TempPathFactory) -> FeedCache:
    cache = FeedCache(tmp_path_factory.mktemp("real") / "cache.db")
    # In two stores with a search between: the second store's words are folded into the
    # vocabulary the first search made, as after a day's fetch.
    cache.store_papers(papers[: len(papers) // 2])
    assert cache.index.search_ids(parse_query("difusion"), SearchContext(today=NOW.date()))
    cache.store_papers(papers[len(papers) // 2 :])
    return cache


@pytest.mark.parametrize("text", REAL_QUERIES)
def test_real_queries_agree_with_the_in_memory_index(
    text: str, papers: list[Paper], index: PaperIndex, real_cache: FeedCache
) -> None:
    context = SearchContext(
        today=test_query.TODAY,
        read=frozenset(p.id for p in papers[::3]),
        bookmarked=frozenset(p.id for p in papers[::50]),
        tags={papers[0].id: ("x",)},
    )
    expected = _original_search(index, parse_query(text), context).ids
    scoped = real_cache.index.search_ids(parse_query(text), context, [p.id for p in papers])
    assert scoped is not None and tuple(scoped) == expected
    # Everything cached: bookmarks first, then by id — the order `everything()` gives.
    first = [p.id for p in papers[::50]]
    rest = sorted(p.id for p in papers if p.id not in set(first))
    everything = PaperIndex([index.paper(i) for i in (*first, *rest)])
    wide = real_cache.index.search_ids(parse_query(text), context, None, first)
    assert tuple(wide or ()) == _original_search(everything, parse_query(text), context).ids


# -- keeping the index -----------------------------------------------------------------------


def _p(paper_id: str, title: str, **fields: object) -> Paper:
    return Paper(id=paper_id, title=title, authors=("A. Person",), abstract="Nothing.", **fields)  # type: ignore[arg-type]


def _ids(cache: FeedCache, text: str, scope: list[str] | None = None) -> list[str] | None:
    found = cache.index.search_ids(parse_query(text), SearchContext(today=test_query.TODAY), scope)
    return None if found is None else list(found)


def test_the_index_follows_every_store(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "cache.db")
    spec = FeedSpec.parse("daily:2026-08-21")
    cache.store_feed(spec, spec, [_p("a", "Zephyr winds"), _p("b", "Other")], NOW)
    assert _ids(cache, "zephyr") == ["a"] and searchindex.check(cache._connection()) is None
    # A new title replaces the old words; new numbers reach the conditions.
    cache.store_feed(spec, spec, [_p("a", "Boreas winds", upvotes=90), _p("b", "Other")], NOW)
    assert _ids(cache, "zephyr") == [] and _ids(cache, "boreas") == ["a"]
    assert _ids(cache, "up:>50") == ["a"] and _ids(cache, "winds") == ["a"]
    cache.store_papers([_p("c", "Zephyr again")])
    assert _ids(cache, "zephyr") == ["c"] and _ids(cache, "zephyr", ["b", "c"]) == ["c"]
    # A scope with a paper the index does not hold is not answered from it.
    assert _ids(cache, "zephyr", ["c", "unknown"]) is None
    assert searchindex.check(cache._connection()) is None


def test_a_paper_twice_in_one_store_is_indexed_once(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "cache.db")
    spec = FeedSpec.parse("daily:2026-08-21")
    cache.store_feed(spec, spec, [_p("a", "Zephyr"), _p("b", "Other"), _p("a", "Zephyr")], NOW)
    assert cache.index.ready() and searchindex.check(cache._connection()) is None
    assert _ids(cache, "zephyr") == ["a"] and _ids(cache, "zephyr", ["b", "a", "a"]) == ["a"]


def _log_rows(cache: FeedCache) -> int:
    return cache.rows("SELECT count(*) FROM search_word_log", ())[0][0]


def _fold(cache: FeedCache, *, now: bool = True) -> bool:
    from paperterm.feed import searchterms

    return searchterms.fold(cache._connection(), str(cache.path), now=now)


def test_a_store_logs_its_words_a_search_reads_them_and_a_fold_keeps_them(
    tmp_path: Path,
) -> None:
    from paperterm.feed import searchterms

    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p("a", "Zephyr winds")])
    assert _log_rows(cache) == 1
    searchterms.forget()  # a new process
    assert _ids(cache, "zephir") == ["a"] and _log_rows(cache) == 0  # the first rows made
    # A later store's words are read from the log until there are enough of them to fold.
    cache.store_papers([_p("b", "Boreal winds", ai_keywords=("stormfront",))])
    assert not _fold(cache, now=False) and _log_rows(cache) == 1
    for _ in range(2):  # in this process, then in a new one
        assert _ids(cache, "boreel") == ["b"] and _ids(cache, "zephir") == ["a"]
        assert _ids(cache, "ormfro") == ["b"] and _ids(cache, "stormfr") == ["b"]
        searchterms.forget()
    # Another program holds the write lock: the fold waits for a later fetch.
    other = sqlite3.connect(tmp_path / "cache.db")
    other.execute("BEGIN IMMEDIATE")
    assert not _fold(cache) and _log_rows(cache) == 1
    other.rollback()
    assert _fold(cache) and _log_rows(cache) == 0
    assert _ids(cache, "boreel") == ["b"] and _ids(cache, "ormfro") == ["b"]
    assert _ids(cache, "winds") == ["a", "b"]
    # A log of `at` bytes of words is folded by a fetch's last step.
    cache.store_papers([_p("c", "Small")])
    key = str(cache.path)
    assert not searchterms.fold(cache._connection(), key, at=100)  # "small": 5 bytes
    cache.store_papers([_p("d", " ".join(f"word{i}" for i in range(50)))])
    assert searchterms.fold(cache._connection(), key, at=100) and _log_rows(cache) == 0
    assert _ids(cache, "word49") == ["d"] and _ids(cache, "small") == ["c"]


def _logged_words(cache: FeedCache) -> list[set[str]]:
    rows = cache.rows("SELECT words, inside FROM search_word_log ORDER BY rowid", ())
    return [set(f"{words}\n{inside}".split()) for words, inside in rows]


def test_a_store_logs_only_the_words_the_vocabulary_lacks(tmp_path: Path) -> None:
    from paperterm.feed import searchterms

    path = tmp_path / "cache.db"
    cache = FeedCache(path)
    cache.store_papers([_p("a", "Zephyr winds")])
    assert _fold(cache)
    cache.store_papers([_p("b", "Boreal winds")])  # "winds" is in the rows
    cache.store_papers([_p("c", "Boreal zephyr gusts")])  # "boreal" is in the log
    cache.store_papers([_p("d", "Winds")])  # nothing new: nothing logged
    assert _logged_words(cache) == [{"boreal"}, {"gusts"}]
    searchterms.forget()  # a new process
    assert _ids(cache, "windz") == ["a", "b", "d"] and _ids(cache, "borael") == ["b", "c"]
    # A store rolled back taught nothing: its words are logged by the next store.
    db = cache._connection()
    db.execute("BEGIN")
    searchindex.store(db, [(None, _p("e", "Quasar"))])
    db.rollback()  # the fetch failed
    cache.store_papers([_p("f", "Quasar light")])
    assert _logged_words(cache)[-1] == {"quasar", "light"}
    searchterms.forget()
    assert _ids(cache, "quasr") == ["f"]


def test_another_file_at_the_path_or_a_new_index_has_a_vocabulary_of_its_own(
    tmp_path: Path,
) -> None:
    from paperterm.feed import searchterms

    path = tmp_path / "cache.db"
    cache = FeedCache(path)
    for paper in (_p("a", "Zephyr winds"), _p("b", "Zephyr"), _p("c", "Winds")):
        cache.store_papers([paper])
    cache.close()
    path.rename(tmp_path / "aside.db")  # as a damaged cache is moved aside
    cache = FeedCache(path)
    cache.store_papers([_p("d", "Zephyr winds")])
    assert _logged_words(cache) == [{"zephyr", "winds", "person", "nothing", "a"}]
    # An index thrown away logs every word again until it is rebuilt: the rebuild skips a
    # paper stored meanwhile.
    cache.store_papers([_p("e", "Other")])
    searchindex.reset(cache._connection())
    cache.store_papers([_p("d", "Zephyr winds")])
    while not searchindex.rebuild_step(cache._connection()):
        pass
    searchterms.forget()
    assert _ids(cache, "zephir") == ["d"] and _ids(cache, "windz") == ["d"]


def test_the_longer_words_of_a_start_come_from_the_rows_and_the_log(tmp_path: Path) -> None:
    from paperterm.feed import searchterms

    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p("a", "Diffusion diffusions diffusional")])
    assert _fold(cache)
    cache.store_papers([_p("b", "Diffusiondet diffusions")])  # logged, not folded
    terms = searchterms.terms(cache._connection(), str(cache.path))
    assert sorted(terms.longer("diffusion", 8) or []) == [
        "diffusional",
        "diffusiondet",
        "diffusions",
    ]
    assert terms.longer("diffusion", 2) is None  # too many: the search asks for "diffusion"*
    assert terms.longer("diffusional", 8) == [] and terms.longer("zzz", 8) == []
    # The prefix tier matches the longer words alone; the exact word keeps its own tier.
    assert _ids(cache, "diffusion") == ["a", "b"] and (_ids(cache, "diffusionde") or [])[0] == "b"


def test_words_folded_in_store_by_store_are_those_made_at_once(
    papers: list[Paper], tmp_path: Path
) -> None:
    at_once, by_store = FeedCache(tmp_path / "once.db"), FeedCache(tmp_path / "steps.db")
    at_once.store_papers(papers[:900])
    for part in (papers[:300], papers[300:310], papers[310:900]):
        by_store.store_papers(part)
        assert _fold(by_store)
    assert _fold(at_once)
    rows = "SELECT kind, length, words FROM search_terms ORDER BY kind, length"
    assert by_store.rows(rows, ()) == at_once.rows(rows, ())
    assert len(at_once.rows(rows, ())) > 40


def test_a_format_5_cache_keeps_its_words_through_the_migration(tmp_path: Path) -> None:
    from paperterm.feed import searchterms

    path = tmp_path / "cache.db"
    cache = FeedCache(path)
    cache.store_papers([_p("a", "Zephyr winds"), _p("b", "Other", ai_keywords=("boreal",))])
    cache.close()
    db = sqlite3.connect(path)  # as format 5 kept the words: a table of one row per word
    db.execute(searchschema.MIGRATION_5[2])
    db.execute(searchschema.MIGRATION_5[3])
    for text, inside in db.execute("SELECT words, inside FROM search_word_log").fetchall():
        every, inner = text.split("\n"), set(inside.split("\n"))
        db.executemany("INSERT INTO search_words VALUES (?, ?)", [(w, w in inner) for w in every])
    db.execute("DROP TABLE search_word_log")
    db.execute("DROP TABLE search_terms")
    db.execute("DELETE FROM search_state WHERE key = 'terms'")
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    searchterms.forget()
    cache = FeedCache(path)
    assert cache.index.ready()  # migrated, not rebuilt
    assert _ids(cache, "zephir") == ["a"] and _ids(cache, "oreal") == ["b"]
    assert _ids(cache, "ther") == ["b"]


def _old_cache(path: Path, papers: list[Paper]) -> None:
    """A cache as paperterm wrote it before the index (format 2)."""
    db = sqlite3.connect(path)
    from paperterm.feed.cache import APPLICATION_ID, MIGRATIONS

    for step in (1, 2):
        for statement in MIGRATIONS[step]:
            db.execute(statement)
    db.executemany(
        "INSERT INTO papers (id, fetched_at, data) VALUES (?, ?, ?)",
        [(p.id, NOW.isoformat(), json.dumps(p.to_json())) for p in papers],
    )
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()


def test_an_older_cache_is_migrated_and_indexed_in_steps(tmp_path: Path) -> None:
    papers = [_p(f"p{i:03}", f"Paper {i} on zephyrs") for i in range(30)]
    _old_cache(tmp_path / "cache.db", papers)
    cache = FeedCache(tmp_path / "cache.db")
    assert not cache.index.ready() and _ids(cache, "zephyr") is None
    steps = 0
    while not searchindex.rebuild_step(cache._connection(), batch=7):
        steps += 1
    assert steps == 4 and cache.index.ready() and searchindex.check(cache._connection()) is None
    assert _ids(cache, "zephyr") == [p.id for p in papers]


def test_a_damaged_index_is_rebuilt_with_a_notice_and_stores_go_on(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "cache.db")
    spec = FeedSpec.parse("daily:2026-08-21")
    cache.store_feed(spec, spec, [_p(f"p{i}", f"Zephyr {i}") for i in range(50)], NOW)
    db = cache._connection()
    with db:
        db.execute("UPDATE search_text_data SET block = x'00ff00ff00ff' WHERE id > 10")
    assert _ids(cache, "zephyr") is None
    assert any("search index was damaged" in n for n in cache.notices)
    assert not cache.index.ready()
    # A store meanwhile keeps the papers; the index is rebuilt from all of them.
    cache.store_feed(spec, spec, [_p("new", "Zephyr new")], NOW)
    assert cache.papers(["new"])
    while not cache.index.rebuild_step():
        pass
    assert searchindex.check(cache._connection()) is None
    assert len(_ids(cache, "zephyr") or []) == 51


# -- the service over it -------------------------------------------------------------------


def _no_paper_index(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: PaperIndex, papers: object) -> None:
        raise AssertionError("built an in-memory index")

    monkeypatch.setattr(PaperIndex, "__init__", refuse)


def test_the_service_searches_lists_and_everything_without_building_an_index(
    paths: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperterm.service import PaperService

    service = PaperService(paths)  # type: ignore[arg-type]
    papers = [_p(f"p{i:04}", f"Zephyr {i}" if i % 2 else f"Other {i}") for i in range(300)]
    service.feeds.cache.store_papers(papers)
    _no_paper_index(monkeypatch)
    query = parse_query("zephyr")
    context = service.search.context_for(query, service.clock)
    shown = service.search.in_list(query, papers[:10], context)
    assert [p.id for p in shown] == ["p0001", "p0003", "p0005", "p0007", "p0009"]
    loads: list[int] = []
    original = service.feeds.cache.papers

    rows = service.search.everything(query, [papers[299]], context)
    assert rows is not None and len(rows) == 150 and rows.ids[0] == "p0299"
    monkeypatch.setattr(
        FeedCache, "papers", lambda self, ids: loads.append(len(ids)) or original(ids)
    )
    assert rows[100].id == rows.ids[100] and rows[101].title.startswith("Zephyr")
    assert loads == [64]  # one page read, not 150 papers
    assert rows.index_of("p0299") == 0
    service.close()


def test_the_service_falls_back_while_the_index_is_not_ready(
    paths: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperterm.service import PaperService

    service = PaperService(paths)  # type: ignore[arg-type]
    papers = [_p("a", "Zephyr"), _p("b", "Other")]
    service.feeds.cache.store_papers(papers)
    service.feeds.cache.index.damaged("made up")
    query = parse_query("zephyr")
    context = service.search.context_for(query, service.clock)
    assert [p.id for p in service.search.in_list(query, papers, context)] == ["a"]
    assert service.search.everything(query, [], context) is None
    assert service.search.rebuild_index() and service.search.index_ready()
    _no_paper_index(monkeypatch)
    assert [p.id for p in service.search.in_list(query, papers, context)] == ["a"]
    assert any("rebuilding" in n for n in service.take_notices())
    service.close()


_LIST_PROBE = """
import json, sys
from paperterm.__main__ import main
code = main(["list", "daily:2026-08-21", "--offline", "--filter", "zephir"])
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.startswith("paperterm.query"))}))
"""


def test_a_filtered_list_answered_by_the_index_loads_no_in_memory_index(paths: object) -> None:
    import subprocess
    import sys

    from paperterm.service import PaperService

    service = PaperService(paths)  # type: ignore[arg-type]
    spec = FeedSpec.parse("daily:2026-08-21")
    service.feeds.cache.store_feed(spec, spec, [_p("a", "Zephyr winds"), _p("b", "Other")], NOW)
    service.close()
    result = subprocess.run(
        [sys.executable, "-c", _LIST_PROBE], capture_output=True, text=True, timeout=60
    )
    *lines, last = result.stdout.strip().splitlines()
    found = json.loads(last)
    assert found["code"] == 0 and len(lines) == 1 and "Zephyr winds" in lines[0]
    assert "paperterm.query.index" not in found["loaded"]


class _Locked:
    """A connection whose every statement finds the cache locked (as while another program
    recovers it after a crash)."""

    def execute(self, *args: object) -> None:
        raise sqlite3.OperationalError("database is locked")


def test_a_locked_cache_is_busy_not_an_index_to_throw_away(tmp_path: Path) -> None:
    from paperterm.feed import CacheBusy

    with pytest.raises(CacheBusy):
        searchindex.state(_Locked())  # type: ignore[arg-type]
    with pytest.raises(CacheBusy):
        searchindex.rebuild_step(_Locked())  # type: ignore[arg-type]
    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p("a", "Zephyr")])
    cache._db = _Locked()  # type: ignore[assignment]
    cache.index.fold()  # a fetch's last step leaves it to the next search
    cache._db = None
    assert cache.index.ready() and _ids(cache, "zephyr") == ["a"]


class _Interrupting:
    """A connection whose every statement is stopped by a newer search (`FeedCache.interrupt`
    landing between two statements of a search)."""

    def execute(self, *args: object) -> None:
        raise sqlite3.OperationalError("interrupted")


def test_an_interrupted_search_is_stopped_not_left_to_an_in_memory_index(tmp_path: Path) -> None:
    # Typing fast interrupts the search before; a readiness check caught by it once answered
    # "no index", and the reader then indexed all 100,000 papers in memory (24 s, 876 MiB).
    with pytest.raises(searchindex.Interrupted):
        searchindex.state(_Interrupting())  # type: ignore[arg-type]
    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p("a", "Zephyr")])
    cache._db = _Interrupting()  # type: ignore[assignment]
    with pytest.raises(searchindex.Interrupted):
        _ids(cache, "zephyr")
    cache._db = None
    assert cache.index.ready() and _ids(cache, "zephyr") == ["a"] and not cache.notices


def test_a_search_a_newer_one_replaced_stops_before_its_statement(tmp_path: Path) -> None:
    # An interrupt that lands while a search is still finding its words (no statement
    # running) is not kept by SQLite: the search then ran its whole statement for nothing,
    # 50-90 ms at 100k papers, before the newer search could start.
    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p("a", "Zephyr winds"), _p("b", "Zephyrs")])
    statements: list[str] = []
    db = cache._connection()
    db.set_trace_callback(statements.append)
    context = SearchContext(today=test_query.TODAY)
    replaced = [False]

    def stop() -> bool:
        return replaced[0]

    assert cache.index.search_ids(parse_query("zephyr"), context, None, stop=stop) == ("a", "b")
    assert any("group_concat" in s for s in statements)
    statements.clear()
    replaced[0] = True
    for scope in (None, ["b", "a"]):
        with pytest.raises(searchindex.Interrupted):
            cache.index.search_ids(parse_query("zephyr"), context, scope, stop=stop)
    assert not any("group_concat" in s for s in statements)
    assert not cache.notices


def test_a_search_does_not_wait_for_warming_to_read_another_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperterm.feed import searchterms

    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p("a", "Diffusion models for video")])
    assert _fold(cache)
    reading, release = threading.Event(), threading.Event()
    read = searchterms._read_text

    def slow(db: sqlite3.Connection, kind: str, length: int) -> str:
        if (kind, length) == ("whole", 13):  # the warming thread's row: held until released
            reading.set()
            release.wait(10)
        return read(db, kind, length)

    monkeypatch.setattr(searchterms, "_read_text", slow)
    key = str(cache.path)
    warming = threading.Thread(
        target=lambda: searchterms.terms(FeedCache(cache.path)._connection(), key).warm()
    )
    warming.start()
    try:
        assert reading.wait(10)
        other = FeedCache(cache.path)  # the search's own thread and connection
        found: list[bool] = []
        searcher = threading.Thread(
            target=lambda: found.append(
                searchterms.terms(other._connection(), key).has("diffusion")
            )
        )
        searcher.start()
        searcher.join(5)
        assert found == [True]  # answered while the other row was still being read
    finally:
        release.set()
        warming.join(10)
