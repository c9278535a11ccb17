"""A list's papers kept in a temporary table of the connection between searches
(`paperterm.feed.searchscope`): made once per list, made again for another list or once the
cache changed, through this connection or another."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_query

from paperterm.feed import FeedCache, searchscope
from paperterm.models import Paper
from paperterm.query import SearchContext, parse_query


def _p(paper_id: str, title: str) -> Paper:
    return Paper(id=paper_id, title=title, authors=("A. Person",), abstract="Nothing.")


def _ids(cache: FeedCache, text: str, scope: list[str]) -> list[str] | None:
    found = cache.index.search_ids(parse_query(text), SearchContext(today=test_query.TODAY), scope)
    return None if found is None else list(found)


@pytest.fixture
def fills(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many ids each making of the table took."""
    made: list[int] = []
    fill = searchscope._fill

    def counted(db: object, ids: list[str], digest: int, version: int) -> tuple[object, ...]:
        made.append(len(ids))
        return fill(db, ids, digest, version)  # type: ignore[arg-type]

    monkeypatch.setattr(searchscope, "_fill", counted)
    return made


def test_a_list_is_put_in_the_table_once_for_every_keystroke(
    tmp_path: Path, fills: list[int]
) -> None:
    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p("a", "Zephyr winds"), _p("b", "Zephyr calm"), _p("c", "Other")])
    cache.index.fold()  # a fetch's last step: the vocabulary's rows are made
    scope = ["b", "c", "a"]
    for text in ("z", "ze", "zep", "zephyr"):
        assert _ids(cache, text, scope) == ["b", "a"]  # the list's order
    assert fills == [3]
    assert _ids(cache, "zephyr", ["a", "c"]) == ["a"]  # another list
    assert _ids(cache, "zephyr", scope) == ["b", "a"]
    assert fills == [3, 2, 3]


def test_a_change_to_the_cache_makes_the_table_again(tmp_path: Path, fills: list[int]) -> None:
    cache = FeedCache(tmp_path / "cache.db")
    other = FeedCache(tmp_path / "cache.db")  # another connection: a fetch in another process
    cache.store_papers([_p("a", "Zephyr winds")])
    scope = ["a", "b"]
    assert _ids(cache, "zephyr", scope) is None  # "b" is not indexed: the in-memory index answers
    other.store_papers([_p("b", "Zephyr calm")])
    assert _ids(cache, "zephyr", scope) == ["a", "b"]
    cache.store_papers([_p("c", "Zephyr storm")])  # through this very connection
    assert _ids(cache, "zephyr", ["c", "a"]) == ["c", "a"]
    assert _ids(cache, "zephyr", ["c", "a"]) == ["c", "a"]
    assert fills == [2, 2, 2]


def test_a_repeated_id_keeps_its_first_place_and_an_empty_list_finds_nothing(
    tmp_path: Path,
) -> None:
    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p("a", "Zephyr winds"), _p("b", "Zephyr calm")])
    assert _ids(cache, "zephyr", ["b", "a", "b"]) == ["b", "a"]
    assert _ids(cache, "zephyr", []) == []
    # Kept in memory, never in a file of a temporary directory that may be full or missing.
    assert cache._connection().execute("PRAGMA temp_store").fetchone()[0] == 2


def test_a_result_is_one_string_the_garbage_collector_never_walks(tmp_path: Path) -> None:
    """100k ids as string objects in a tuple: made holding the interpreter's lock, and walked
    by the collector once, in whatever frame the UI thread is drawing then."""
    import gc

    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p(f"2501.{i:05d}", "Zephyr") for i in range(150)])
    found = cache.index.search_ids(parse_query("zephyr"), SearchContext(today=test_query.TODAY))
    assert found is not None and len(found) == 150
    held = [r for r in gc.get_referents(found) if r is not type(found)]
    walked = len(held) + sum(len(gc.get_referents(r)) for r in held if gc.is_tracked(r))
    assert walked <= 5  # the text, the count, the starts of every 64th line found so far
    assert sorted(found) == [f"2501.{i:05d}" for i in range(150)]


def test_a_fill_stopped_by_a_newer_keystroke_leaves_the_list_before_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    from types import SimpleNamespace

    from paperterm.feed.searchindex import Interrupted

    cache = FeedCache(tmp_path / "cache.db")
    cache.store_papers([_p("a", "Zephyr winds"), _p("b", "Zephyr calm"), _p("c", "Other")])
    cache.index.fold()  # as a fetch leaves it: no search writes to the cache
    assert _ids(cache, "zephyr", ["b", "a"]) == ["b", "a"]
    stop, calls = [False], []

    def dumps(value: object) -> str:  # the fill's INSERT comes next: stop the first midway
        calls.append(value)
        stop[0] = len(calls) == 1
        return json.dumps(value)

    monkeypatch.setattr(searchscope, "json", SimpleNamespace(dumps=dumps))
    db = cache._connection()
    db.set_progress_handler(lambda: int(stop[0]), 1)  # as interrupt() from the UI thread
    with pytest.raises(Interrupted):
        _ids(cache, "zephyr", ["a", "c"])
    stop[0] = False
    assert _ids(cache, "zephyr", ["b", "a"]) == ["b", "a"]
    assert _ids(cache, "zephyr", ["a", "c"]) == ["a"]
    assert (
        len(calls) == 3
    )  # the first list again (the stopped fill counted as a change), the second
