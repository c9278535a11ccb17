"""The parse cache of the state file: a cache hit gives exactly what parsing the file gives, the
first save after it writes exactly what a full encode writes, and a cache that is missing,
stale, damaged, foreign or unwritable changes nothing but the time a load takes."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import tomli_w
from hf_data import NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_state_file import _toml_values, reference
from test_state_process import all_fixture_papers

from paperterm.keyed import read_keyed, write_keyed
from paperterm.library import (
    AddBookmark,
    MarkRead,
    Operation,
    PutBookmark,
    RemoveBookmark,
    SetNote,
    SetTags,
    StateStore,
    UpdateSnapshot,
)
from paperterm.library._encoder import Encoder
from paperterm.library._parsecache import CACHE_KIND, CACHE_VERSION, cache_key
from paperterm.library.tomlfile import decode
from paperterm.models import Bookmark, Paper, ReadingState
from paperterm.paths import Paths
from paperterm.records import Record, replace

STAMP = "20260821T150000Z"


# -- helpers ------------------------------------------------------------------------------------


def exact(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down: `==` alone says 1 == 1.0 == True, ignores
    `Bookmark.extra`, key order and UTC offsets."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Record):
        return all(exact(getattr(a, name), getattr(b, name)) for name in a.__struct_fields__)
    if isinstance(a, dict):
        return list(a) == list(b) and all(exact(v, b[k]) for k, v in a.items())
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(exact(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a.hex() == b.hex()
    if isinstance(a, dt.datetime | dt.time):
        return a.isoformat() == b.isoformat() and a.tzinfo == b.tzinfo
    return bool(a == b)


def parsed(path: Path) -> ReadingState:
    """What the file reads as without any cache."""
    return ReadingState(*decode(path.read_bytes()))


def full_encode(state: ReadingState) -> bytes:
    """The whole state through an encoder that has never seen it: every part dumped."""
    return Encoder().encode(state.read, state.bookmarks, state.extra)


def cached(path: Path, cache: Path) -> ReadingState | None:
    """What the cache holds for the file as it is now, if anything."""
    data = path.read_bytes()
    payload = read_keyed(cache, CACHE_KIND, cache_key(data))
    restored = None if payload is None else Encoder().restore(payload, data)
    return None if restored is None else ReadingState(*restored[0])


def layout_known(path: Path, cache: Path) -> bool:
    """The cache for the file as it is now records where each part lies in it."""
    payload = read_keyed(cache, CACHE_KIND, cache_key(path.read_bytes()))
    return payload is not None and json.loads(payload.split(b"\n")[0])["head"] is not None


@contextmanager
def no_toml_parsing() -> Iterator[None]:
    """Fail the test if anything parses TOML."""
    with mock.patch(
        "paperterm.library.tomlfile.tomllib.loads", side_effect=AssertionError("parsed")
    ):
        yield


@contextmanager
def dumps_counted() -> Iterator[list[int]]:
    """Count the tomli-w calls made (one per part encoded)."""
    calls: list[int] = []
    real = tomli_w.dumps

    def counting(*args: Any, **kwargs: Any) -> str:
        calls.append(1)
        return real(*args, **kwargs)

    with mock.patch("tomli_w.dumps", counting):  # what the state file is written with
        yield calls


def open_store(paths: Paths, cache: Path | None = None) -> tuple[StateStore, tuple[str, ...]]:
    store = StateStore(
        paths.state_file,
        clock=lambda: NOW,
        lock_timeout=0.5,
        cache=paths.state_cache if cache is None else cache,
    )
    return store, store.load()


def seeded(paths: Paths, count: int = 40, read: int = 300, cache: bool = True) -> StateStore:
    """A cached store whose file holds `count` real bookmarks (varied tags and notes) and
    `read` read marks, written in one save; then, as the next process would, loaded (parsed,
    its state cached) and saved (the text matched to the state), so the cache is complete."""
    store, _ = open_store(paths)
    for i, paper in enumerate(all_fixture_papers()[:count]):
        store.apply(
            AddBookmark(paper, tags=(f"t{i % 3}",), note="note\nline 2" * (i % 2)), save=False
        )
        if i % 5 == 0:
            store.apply(SetNote(paper.id, 'a "quoted" note, with \\ and tab\t'), save=False)
    store.apply(MarkRead(tuple(f"1000.{i:05d}" for i in range(read))), save=False)
    assert store.sync() == ()
    fresh, notices = open_store(paths)
    assert notices == () and fresh.apply(MarkRead(("1999.00001",))).saved
    assert layout_known(paths.state_file, paths.state_cache) is cache
    return fresh


# -- a cache hit is exactly a parse -------------------------------------------------------------


def test_the_paths_name_a_cache_file_in_the_cache_dir(paths: Paths) -> None:
    assert paths.state_cache.parent == paths.cache_dir
    assert paths.state_cache != paths.state_file


def test_without_a_cache_path_nothing_is_cached(paths: Paths) -> None:
    store = StateStore(paths.state_file, clock=lambda: NOW)
    store.apply(MarkRead(("2501.00001",)))
    StateStore(paths.state_file).load()
    assert not paths.cache_dir.exists()


def test_real_papers_read_from_the_cache_exactly_as_parsed(paths: Paths) -> None:
    store = seeded(paths, count=len(all_fixture_papers()))
    assert layout_known(paths.state_file, paths.state_cache)
    with no_toml_parsing():
        fresh, notices = open_store(paths)
    assert notices == ()
    assert exact(fresh.state, parsed(paths.state_file))
    assert fresh.state == store.state
    for paper_id, mark in fresh.state.bookmarks.items():
        assert exact(mark.paper, store.state.bookmarks[paper_id].paper)  # every snapshot field


def test_the_first_save_after_a_cache_hit_reuses_the_text_and_writes_a_full_encode(
    paths: Paths,
) -> None:
    seeded(paths)
    with no_toml_parsing():
        fresh, _ = open_store(paths)
    paper = all_fixture_papers()[7]
    with dumps_counted() as calls:
        assert fresh.apply(SetTags(paper.id, ("changed",))).saved
    # the head and the one changed bookmark, plus that bookmark read back for the cache: not
    # the other 39 bookmarks and 301 read marks
    assert len(calls) <= 4
    assert paths.state_file.read_bytes() == full_encode(fresh.state) == reference(fresh.state)
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))
    assert layout_known(paths.state_file, paths.state_cache)


def test_a_cold_load_caches_the_state_and_the_first_save_learns_the_layout(paths: Paths) -> None:
    store = seeded(paths)
    paths.state_cache.unlink()
    cold, notices = open_store(paths)  # parses, and caches what it parsed
    assert notices == () and exact(cold.state, parsed(paths.state_file))
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))
    assert not layout_known(paths.state_file, paths.state_cache)
    with no_toml_parsing():
        warm, _ = open_store(paths)
    assert exact(warm.state, parsed(paths.state_file))
    warm.apply(MarkRead(("2501.00001",)))
    assert paths.state_file.read_bytes() == full_encode(warm.state)
    assert layout_known(paths.state_file, paths.state_cache)
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))
    assert store.sync() == () and store.state == warm.state


def test_every_save_keeps_the_cache_current(paths: Paths) -> None:
    store = seeded(paths, count=12)
    ps = all_fixture_papers()
    steps: list[Operation] = [
        MarkRead((ps[0].id, "2501.00002")),
        SetNote(ps[1].id, "new note"),
        RemoveBookmark(ps[2].id),
        AddBookmark(ps[30], tags=("late",)),
        UpdateSnapshot(Paper(ps[3].id, "Renamed", ("X",), "new")),
        PutBookmark(replace(store.state.bookmarks[ps[4].id], extra={"colour": "red", "when": NOW})),
    ]
    for op in steps:
        assert store.apply(op).saved
        assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))
        assert layout_known(paths.state_file, paths.state_cache)
    undone = store.undo()
    assert undone is not None and undone.saved
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))


def test_a_bulk_change_is_cached_within_a_few_saves(paths: Paths) -> None:
    # Reading back what a bulk save wrote is spread over the next saves, so no save is slow.
    store, _ = open_store(paths)
    for paper in all_fixture_papers()[:150]:
        store.apply(AddBookmark(paper), save=False)
    store.apply(MarkRead(tuple(f"1000.{i:05d}" for i in range(5000))), save=False)
    assert store.sync() == ()
    assert cached(paths.state_file, paths.state_cache) is None
    saves = 0
    while cached(paths.state_file, paths.state_cache) is None:
        saves += 1
        assert saves < 30, "the cache never caught up"
        store.apply(MarkRead((f"2501.{saves:05d}",)))
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))
    assert layout_known(paths.state_file, paths.state_cache)


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_opt_text = st.none() | _text
_count = st.integers(0, 2**40)
_instant = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.just(dt.UTC)
)
_extra = st.dictionaries(_text.filter(lambda k: k not in ("paper",)), _toml_values, max_size=2)


@st.composite
def papers(draw: st.DrawFn, paper_id: str) -> Paper:
    return Paper(
        paper_id,
        draw(_text),
        tuple(draw(st.lists(_text, max_size=3))),
        draw(_text),
        draw(_count),
        draw(_count),
        draw(st.none() | st.dates()),
        draw(st.none() | st.dates()),
        draw(_opt_text),
        draw(st.none() | _count),
        draw(_opt_text),
        draw(_opt_text),
        tuple(draw(st.lists(_text, max_size=2))),
        draw(_opt_text),
        draw(_opt_text),
        draw(st.none() | _instant),
        draw(st.integers(0, 5)),
    )


@st.composite
def states(draw: st.DrawFn) -> ReadingState:
    ids = st.from_regex(r"\A[0-9]{4}\.[0-9]{4,5}\Z") | _text
    bookmarks: dict[str, Bookmark] = {}
    for paper_id in draw(st.lists(ids, max_size=4, unique=True)):
        extra = draw(_extra)
        in_paper = draw(
            st.dictionaries(st.sampled_from(["venue", "pages", "url"]), _toml_values, max_size=2)
        )
        if in_paper:
            extra["paper"] = in_paper
        bookmarks[paper_id] = Bookmark(
            draw(papers(paper_id)),
            draw(_instant),
            tuple(draw(st.lists(_text, max_size=3))),
            draw(_text),
            draw(_opt_text),
            draw(st.booleans()),
            extra,
        )
    read = draw(st.dictionaries(ids, _instant, max_size=6))
    top = draw(
        st.dictionaries(
            _text.filter(lambda k: k not in ("bookmarks", "read", "schema_version")),
            _toml_values,
            max_size=2,
        )
    )
    return ReadingState(read, bookmarks, top)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(state=states(), hand_edit=st.sampled_from(["none", "format", "author_count"]))
def test_any_state_reads_from_the_cache_exactly_as_parsed(
    paths: Paths, state: ReadingState, hand_edit: str
) -> None:
    """Generated states, written by the encoder or by hand (other formatting; an author count
    below the number of authors, which reads differently once rewritten): cold load, warm load
    without layout, first save, warm load with layout, and the first save after that all agree
    with parsing, byte for byte where they write."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    paths.state_cache.unlink(missing_ok=True)
    data = full_encode(state)
    if hand_edit != "none":
        doc = tomllib.loads(data.decode())
        for mark in doc.get("bookmarks", {}).values():
            mark["paper"]["author_count"] = 0
        data = tomli_w.dumps(doc, multiline_strings=hand_edit != "format").encode()
    paths.state_file.write_bytes(data)
    expected = parsed(paths.state_file)

    cold, notices = open_store(paths)
    assert notices == () and exact(cold.state, expected)
    with no_toml_parsing():
        warm, _ = open_store(paths)
    assert exact(warm.state, expected)

    assert warm.apply(MarkRead(("a read mark no state has 1",))).saved
    assert paths.state_file.read_bytes() == full_encode(warm.state)
    expected = parsed(paths.state_file)
    assert exact(cached(paths.state_file, paths.state_cache), expected)
    assert layout_known(paths.state_file, paths.state_cache)

    again, _ = open_store(paths)
    assert exact(again.state, expected)
    assert again.apply(MarkRead(("a read mark no state has 2",))).saved
    assert paths.state_file.read_bytes() == full_encode(again.state)
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))


def test_values_written_differently_are_never_taken_for_each_other() -> None:
    # Equal to `==`, but written differently: each must be encoded anew, not reused.
    paper = Paper("2501.00001", "T", ("A",), "x", author_count=1)
    encoder = Encoder()
    for value in (
        1,
        True,
        1.0,
        dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 1, 13, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        {"a": 1, "b": 2},
        {"b": 2, "a": 1},
    ):
        state = ReadingState({}, {paper.id: Bookmark(paper, NOW, extra={"x": value})}, {})
        assert encoder.encode(state.read, state.bookmarks, state.extra) == full_encode(state)


def test_a_key_written_as_another_is_never_cached_as_itself(paths: Paths) -> None:
    # A lone surrogate (only code can put one there) is written as U+FFFD: the file reads back
    # under another key, which the cache must not hide.
    store, _ = open_store(paths)
    assert store.apply(AddBookmark(Paper("a\ud800", "T", (), ""))).saved
    assert cached(paths.state_file, paths.state_cache) is None
    fresh, notices = open_store(paths)
    assert notices == () and list(fresh.state.bookmarks) == ["a\ufffd"]
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))


def test_two_keys_written_as_one_are_never_cached_as_two(paths: Paths) -> None:
    # Both bookmarks are written under "a\ufffd": the file is damaged, and the next load must
    # find that out exactly as it would without a cache.
    store, _ = open_store(paths)
    store.apply(AddBookmark(Paper("a\ud800", "T", (), "")))
    assert store.apply(AddBookmark(Paper("a\udfff", "U", (), ""))).saved
    assert cached(paths.state_file, paths.state_cache) is None
    _, notices = open_store(paths)
    assert "is damaged" in notices[0]


# -- stale, damaged, foreign and unwritable caches ----------------------------------------------


def test_a_hand_edit_makes_the_cache_stale(paths: Paths) -> None:
    seeded(paths, count=5, read=10)
    paper = all_fixture_papers()[0]
    text = paths.state_file.read_text("utf-8").replace(
        'tags = [\n    "t0",\n]', 'tags = ["hand"]', 1
    )
    paths.state_file.write_text(text + '"2501.09999" = 2026-01-01T00:00:00Z\n', "utf-8")
    fresh, notices = open_store(paths)
    assert notices == ()
    assert fresh.state.bookmarks[paper.id].tags == ("hand",)
    assert fresh.state.is_read("2501.09999")
    assert exact(fresh.state, parsed(paths.state_file))
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))
    fresh.apply(SetNote(paper.id, "after the edit"))
    assert paths.state_file.read_bytes() == full_encode(fresh.state)
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))


def test_a_file_that_reads_differently_once_rewritten(paths: Paths) -> None:
    # An author count below the number of authors is read as written, and written back as the
    # number of authors: the rewritten text must be read back, not taken for the old one.
    seeded(paths, count=6, read=10)
    paper = all_fixture_papers()[2]
    assert len(paper.authors) > 1
    text = paths.state_file.read_text("utf-8")
    head = text.index(f'[bookmarks."{paper.id}".paper]')
    at = text.index("author_count = ", head)
    end = text.index("\n", at)
    paths.state_file.write_text(text[:at] + "author_count = 0" + text[end:], "utf-8")
    store, notices = open_store(paths)
    assert notices == () and store.state.bookmarks[paper.id].paper.author_count == 0
    store.apply(MarkRead(("2501.00001",)))
    assert paths.state_file.read_bytes() == full_encode(store.state)
    assert parsed(paths.state_file).bookmarks[paper.id].paper.author_count == len(paper.authors)
    for _ in range(3):  # whatever the cache holds after each save is what the file reads as
        assert exact(
            cached(paths.state_file, paths.state_cache) or parsed(paths.state_file),
            parsed(paths.state_file),
        )
        store.apply(MarkRead((f"2501.0000{_ + 2}",)))
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))


def test_a_change_by_an_instance_without_the_cache_is_seen(paths: Paths) -> None:
    mine = seeded(paths, count=5, read=10)
    other = StateStore(paths.state_file, clock=lambda: NOW)
    other.apply(MarkRead(("2501.00042",)))
    other.apply(SetNote(all_fixture_papers()[1].id, "theirs"))
    assert mine.sync() == ()
    assert mine.state == other.state
    fresh, _ = open_store(paths)
    assert exact(fresh.state, parsed(paths.state_file))
    assert fresh.state.bookmarks[all_fixture_papers()[1].id].note == "theirs"


def test_instances_sharing_the_cache_merge_and_keep_it_current(paths: Paths) -> None:
    seeded(paths, count=6, read=10)
    ps = all_fixture_papers()
    first, second = open_store(paths)[0], open_store(paths)[0]
    first.apply(AddBookmark(ps[20], tags=("one",)))
    second.apply(SetNote(ps[1].id, "two"))
    first.apply(RemoveBookmark(ps[2].id))
    second.apply(MarkRead((ps[3].id,)))
    assert first.sync() == ()
    assert first.state == second.state
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))
    assert exact(open_store(paths)[0].state, parsed(paths.state_file))


CORRUPT = {
    "empty": lambda good: b"",
    "truncated": lambda good: good[: len(good) // 2],
    "one byte changed": lambda good: good[:-10] + bytes([good[-10] ^ 1]) + good[-9:],
    "nul bytes": lambda good: b"\0" * 1000,
    "not json": lambda good: b"<html>not a cache</html>\n{}",
    "another program's json": lambda good: b'{"version": 1, "items": []}\n[]',
    "a json scalar": lambda good: b"42\n42",
    "deeply nested": lambda good: b"[" * 100_000 + b"\n",
}


@pytest.mark.parametrize("damage", CORRUPT.values(), ids=CORRUPT.keys())
def test_a_damaged_or_foreign_cache_is_ignored_and_replaced(paths: Paths, damage: Any) -> None:
    seeded(paths, count=8, read=20)
    expected = parsed(paths.state_file)
    paths.state_cache.write_bytes(damage(paths.state_cache.read_bytes()))
    fresh, notices = open_store(paths)
    assert notices == () and exact(fresh.state, expected)
    assert exact(cached(paths.state_file, paths.state_cache), expected)  # replaced
    fresh.apply(MarkRead(("2501.00001",)))
    assert paths.state_file.read_bytes() == full_encode(fresh.state)


def payload_of(paths: Paths) -> bytes:
    payload = read_keyed(paths.state_cache, CACHE_KIND, cache_key(paths.state_file.read_bytes()))
    assert payload is not None
    return payload


TAMPERED = {
    # Each keeps a valid header and checksum: only the payload's own checks can catch it.
    "a field of the wrong type": lambda p: p.replace(b'"note\\nline 2"', b"7", 1),
    "a missing field": lambda p: p.replace(b",true]", b"]", 1),
    "bad json": lambda p: p + b"\n[",
    "a read time that is not UTC": lambda p: p.replace(b"+00:00", b"+01:00", 1),
    "read marks out of order": lambda p: p.replace(
        b'"1000.00000","1000.00001"', b'"1000.00001","1000.00000"', 1
    ),
    "a wrong text length": lambda p: p.replace(b",true]", b"0,true]", 1),
    "an unknown tag": lambda p: p.replace(b'"extra":{"t":{}}', b'"extra":{"x":{}}', 1),
}


@pytest.mark.parametrize("tamper", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_well_formed_cache_that_does_not_fit_is_ignored(paths: Paths, tamper: Any) -> None:
    seeded(paths, count=8, read=20)
    expected = parsed(paths.state_file)
    good = payload_of(paths)
    bad = tamper(good)
    assert bad != good
    key = cache_key(paths.state_file.read_bytes())
    write_keyed(paths.state_cache, CACHE_KIND, key, bad)
    assert Encoder().restore(bad, paths.state_file.read_bytes()) is None
    fresh, notices = open_store(paths)
    assert notices == () and exact(fresh.state, expected)
    fresh.apply(SetTags(all_fixture_papers()[2].id, ("x",)))
    assert paths.state_file.read_bytes() == full_encode(fresh.state)
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))


def test_a_cache_for_another_version_or_file_is_ignored(paths: Paths) -> None:
    seeded(paths, count=4, read=10)
    expected = parsed(paths.state_file)
    payload = payload_of(paths)
    data = paths.state_file.read_bytes()
    for key in (
        cache_key(data).replace(f"cache {CACHE_VERSION}", f"cache {CACHE_VERSION + 1}"),
        cache_key(data + b"\n"),
    ):
        write_keyed(paths.state_cache, CACHE_KIND, key, payload)
        fresh, notices = open_store(paths)
        assert notices == () and exact(fresh.state, expected)
        assert cached(paths.state_file, paths.state_cache) is not None  # replaced
    write_keyed(paths.state_cache, "some other cache", cache_key(data), payload)
    assert read_keyed(paths.state_cache, CACHE_KIND, cache_key(data)) is None


@pytest.mark.parametrize("blocker", ["a file for its directory", "a directory for the file"])
def test_an_unwritable_cache_changes_nothing(paths: Paths, blocker: str) -> None:
    if blocker == "a file for its directory":
        paths.cache_dir.parent.mkdir(parents=True)
        paths.cache_dir.write_text("not a directory")
    else:
        paths.state_cache.mkdir(parents=True)
    with_cache = seeded(paths, count=6, read=20, cache=False)
    written = paths.state_file.read_bytes()
    assert with_cache.problem is None and not with_cache.dirty
    fresh, notices = open_store(paths)
    assert notices == () and exact(fresh.state, parsed(paths.state_file))
    change = fresh.apply(MarkRead(("2501.00001",)))
    assert change.saved and change.notices == ()
    assert paths.state_file.read_bytes() == full_encode(fresh.state)
    # the same file as a store without a cache writes
    paths.state_file.write_bytes(written)
    plain = StateStore(paths.state_file, clock=lambda: NOW)
    plain.apply(MarkRead(("2501.00001",)))
    assert paths.state_file.read_bytes() == full_encode(fresh.state)


def test_leftovers_of_killed_cache_writers_are_removed_at_start(paths: Paths) -> None:
    seeded(paths, count=2, read=5)
    stale = paths.cache_dir / f".{paths.state_cache.name}.abc123.tmp"
    stale.write_bytes(b"half a cache")
    open_store(paths)
    assert not stale.exists()


# -- damage of the state file itself is handled as without a cache ------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\0" * 512,
        b"schema_version = 1\n[read\n",
        b'schema_version = 1\n[read]\n"x" = "yesterday"\n',
    ],
)
def test_a_damaged_state_file_is_moved_aside_whatever_the_cache_holds(
    paths: Paths, data: bytes
) -> None:
    seeded(paths, count=3, read=3)
    old_cache = paths.state_cache.read_bytes()
    paths.state_file.write_bytes(data)
    store, notices = open_store(paths)
    aside = paths.data_dir / f"state.toml.corrupt-{STAMP}"
    assert len(notices) == 1 and str(aside) in notices[0]
    assert "kept 3 bookmarks and 3 read marks from the last good copy" in notices[0]
    assert aside.read_bytes() == data
    assert len(store.state.bookmarks) == 3
    assert paths.state_cache.read_bytes() != old_cache  # the recovered file is cached
    assert exact(cached(paths.state_file, paths.state_cache), parsed(paths.state_file))


def test_a_newer_schema_is_read_only_and_not_cached(paths: Paths) -> None:
    seeded(paths, count=2, read=2)
    before = paths.state_cache.read_bytes()
    newer = b'schema_version = 2\n[read]\n"2403.06634" = 2026-08-20T10:00:00Z\n'
    paths.state_file.write_bytes(newer)
    store, notices = open_store(paths)
    assert "newer paperterm (schema 2)" in notices[0] and store.read_only is not None
    assert store.state.read.keys() == {"2403.06634"}
    store.apply(MarkRead(("2501.00001",)))
    assert paths.state_file.read_bytes() == newer
    assert paths.state_cache.read_bytes() == before


def test_a_file_with_a_byte_order_mark(paths: Paths) -> None:
    seeded(paths, count=3, read=3)
    paths.state_file.write_bytes(b"\xef\xbb\xbf" + paths.state_file.read_bytes())
    expected = parsed(paths.state_file)
    store, notices = open_store(paths)
    assert notices == () and exact(store.state, expected)
    with no_toml_parsing():
        assert exact(open_store(paths)[0].state, expected)
    store.apply(MarkRead(("2501.00001",)))
    assert paths.state_file.read_bytes() == full_encode(store.state)  # written without it
