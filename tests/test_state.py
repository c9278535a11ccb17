"""The state value, its operations and their inverses, and the store's undo, merge and counts."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hf_data import NOW, fixture_papers

from paperterm.library import (
    AddBookmark,
    MarkRead,
    MarkUnread,
    MergeIn,
    Operation,
    PinCiteKey,
    PutBookmark,
    RemoveBookmark,
    SetNote,
    SetRead,
    SetTags,
    StateStore,
    UpdateSnapshot,
)
from paperterm.models import Bookmark, Paper, ReadingState
from paperterm.paths import Paths
from paperterm.records import replace


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, seconds: int = 60) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(paths: Paths, clock: Clock) -> StateStore:
    store = StateStore(paths.state_file, clock=clock)
    assert store.load() == ()
    return store


def bookmarked(state: ReadingState, paper: Paper, **fields: Any) -> ReadingState:
    new, _ = AddBookmark(paper, at=NOW).apply(state)
    return PutBookmark(replace(new.bookmarks[paper.id], **fields)).apply(new)[0]


# -- operations and inverses -------------------------------------------------------------------

OPS: list[tuple[str, Callable[[Paper], Operation]]] = [
    ("mark read", lambda p: MarkRead((p.id,), at=NOW)),
    ("mark unread", lambda p: MarkUnread((p.id,))),
    ("set read", lambda p: SetRead(((p.id, NOW + dt.timedelta(hours=1)),))),
    ("add bookmark", lambda p: AddBookmark(p, tags=("t",), at=NOW)),
    ("remove bookmark", lambda p: RemoveBookmark(p.id)),
    ("set tags", lambda p: SetTags(p.id, ("new", "tags"))),
    ("set note", lambda p: SetNote(p.id, "a new note")),
    ("pin cite key", lambda p: PinCiteKey(p.id, "carlini2024stealing")),
    ("unpin cite key", lambda p: PinCiteKey(p.id, None)),
    ("update snapshot", lambda p: UpdateSnapshot(Paper(p.id, "Renamed", ("X",), "new"))),
]


@pytest.mark.parametrize(("name", "make"), OPS, ids=[name for name, _ in OPS])
@pytest.mark.parametrize("start", ["empty", "read and bookmarked"])
def test_every_inverse_restores_the_state(
    name: str, make: Callable[[Paper], Operation], start: str
) -> None:
    paper, other = fixture_papers()[:2]
    state = ReadingState(read={other.id: NOW})
    if start != "empty":
        state, _ = MarkRead((paper.id,), at=NOW - dt.timedelta(days=1)).apply(state)
        state = bookmarked(state, paper, tags=("old",), note="old note", cite_key="old2024")
    new, inverse = make(paper).apply(state)
    if new is state:
        assert inverse is None
        return
    assert new != state
    assert inverse is not None
    back, _ = inverse.apply(new)
    assert back == state
    assert back.bookmarks.get(paper.id, None) == state.bookmarks.get(paper.id, None)


def test_marking_read_keeps_the_first_read_time_and_only_undoes_what_it_marked() -> None:
    a, b, c = (p.id for p in fixture_papers()[:3])
    state = ReadingState(read={a: NOW})
    later = NOW + dt.timedelta(hours=2)
    new, inverse = MarkRead((a, b, c, b), at=later).apply(state)
    assert new.read == {a: NOW, b: later, c: later}
    assert inverse == SetRead(((b, None), (c, None)))
    assert MarkRead((a,), at=later).apply(new) == (new, None)


def test_read_times_are_whole_seconds_in_utc() -> None:
    local = dt.datetime(2026, 8, 21, 17, 0, 5, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    state, _ = MarkRead(("2501.00001",), at=local).apply(ReadingState())
    assert state.read["2501.00001"] == dt.datetime(2026, 8, 21, 15, 0, 5, tzinfo=dt.UTC)
    assert state.read["2501.00001"].tzinfo is dt.UTC


def test_adding_a_bookmark_twice_keeps_the_first() -> None:
    paper = fixture_papers()[0]
    state, inverse = AddBookmark(paper, tags=(" a ", "", "b", "a"), at=NOW).apply(ReadingState())
    assert state.bookmarks[paper.id] == Bookmark(paper, NOW, ("a", "b"))
    assert inverse == RemoveBookmark(paper.id)
    again = AddBookmark(paper, tags=("c",), at=NOW + dt.timedelta(days=1)).apply(state)
    assert again == (state, None)


def test_edits_of_a_missing_bookmark_change_nothing() -> None:
    state = ReadingState()
    for op in (
        SetTags("2501.00001", ("x",)),
        SetNote("2501.00001", "n"),
        PinCiteKey("2501.00001", "k"),
        RemoveBookmark("2501.00001"),
        UpdateSnapshot(Paper("2501.00001", "t", (), "")),
    ):
        assert op.apply(state) == (state, None)


def test_completing_an_incomplete_bookmark() -> None:
    stub = Paper("2403.06634", "", (), "")
    paper = fixture_papers()[0]
    state, _ = AddBookmark(stub, incomplete=True, at=NOW).apply(ReadingState())
    new, inverse = UpdateSnapshot(paper).apply(state)
    assert new.bookmarks[paper.id].paper == paper
    assert not new.bookmarks[paper.id].incomplete
    assert inverse == UpdateSnapshot(stub, incomplete=True)


def test_merge_in_adds_only_what_is_missing() -> None:
    a, b = fixture_papers()[:2]
    base, _ = AddBookmark(a, tags=("mine",), at=NOW).apply(ReadingState(read={a.id: NOW}))
    other, _ = AddBookmark(a, tags=("theirs",), at=NOW).apply(ReadingState(extra={"k": 1}))
    other, _ = AddBookmark(b, at=NOW).apply(other)
    other = ReadingState(
        {a.id: NOW + dt.timedelta(days=1), b.id: NOW}, other.bookmarks, other.extra
    )
    merged, inverse = MergeIn(other).apply(base)
    assert inverse is None
    assert merged.read == {a.id: NOW, b.id: NOW}
    assert merged.bookmarks[a.id].tags == ("mine",)
    assert set(merged.bookmarks) == {a.id, b.id}
    assert merged.extra == {"k": 1}
    assert MergeIn(other).apply(merged) == (merged, None)


def test_queries_for_counts_and_lists() -> None:
    ps = fixture_papers()
    state, _ = MarkRead((ps[0].id, ps[1].id), at=NOW).apply(ReadingState())
    for i, paper in enumerate(ps[:3]):
        state, _ = AddBookmark(paper, tags=("x",) if i else (), at=NOW + dt.timedelta(i)).apply(
            state
        )
    shown = [p.id for p in ps]
    assert state.unread_count(shown) == len(ps) - 2
    assert state.is_read(ps[0].id) and not state.is_read(ps[2].id)
    assert state.is_bookmarked(ps[2].id) and not state.is_bookmarked(ps[3].id)
    assert [b.id for b in state.bookmark_list()] == [ps[2].id, ps[1].id, ps[0].id]
    assert [b.id for b in state.bookmark_list(tag="x")] == [ps[2].id, ps[1].id]
    assert state.tags() == ["x"]


def test_describe_says_what_an_operation_did() -> None:
    paper = fixture_papers()[0]
    assert MarkRead((paper.id,)).describe() == f"marked {paper.id} read"
    assert MarkRead(("a", "b", "c")).describe() == "marked 3 papers read"
    assert AddBookmark(paper).describe() == f"bookmarked {paper.id}"


# -- the store: stamping, undo, counts ---------------------------------------------------------


def test_the_store_stamps_changes_with_its_clock(store: StateStore, clock: Clock) -> None:
    paper = fixture_papers()[0]
    clock.now = NOW.replace(microsecond=250_000)
    change = store.apply(AddBookmark(paper))
    assert change.changed and change.saved and change.notices == ()
    assert store.state.bookmarks[paper.id].added_at == NOW
    clock.tick()
    store.apply(MarkRead((paper.id,)))
    assert store.state.read[paper.id] == NOW + dt.timedelta(seconds=60)


def test_counts_change_at_once_without_saving(store: StateStore, paths: Paths) -> None:
    ps = fixture_papers()
    change = store.apply(MarkRead(tuple(p.id for p in ps[:4])), save=False)
    assert change.changed and not change.saved and store.dirty
    assert store.state.unread_count(p.id for p in ps) == len(ps) - 4
    assert not paths.state_file.exists()
    assert store.sync() == ()
    assert not store.dirty
    assert StateStore(paths.state_file).load() == ()


def test_a_change_that_changes_nothing_is_neither_saved_nor_undoable(store: StateStore) -> None:
    paper = fixture_papers()[0]
    store.apply(MarkRead((paper.id,)))
    change = store.apply(MarkRead((paper.id,)))
    assert not change.changed and change.inverse is None
    assert store.undo() is not None
    assert store.undo() is None


def test_undo_step_by_step(store: StateStore, clock: Clock, paths: Paths) -> None:
    ps = fixture_papers()
    states = [store.state]
    steps: list[Operation] = [
        MarkRead((ps[0].id,)),
        MarkRead(tuple(p.id for p in ps)),  # mark all read
        MarkUnread((ps[1].id,)),
        AddBookmark(ps[2]),
        SetTags(ps[2].id, ("a", "b")),
        SetNote(ps[2].id, "first note"),
        SetNote(ps[2].id, "second note"),
        RemoveBookmark(ps[2].id),
    ]
    for op in steps:
        clock.tick()
        assert store.apply(op).changed
        states.append(store.state)
    for expected, op in zip(reversed(states[:-1]), reversed(steps), strict=True):
        change = store.undo()
        assert change is not None and change.saved
        assert change.undone is not None and type(change.undone) is type(op)
        assert store.state == expected
        fresh = StateStore(paths.state_file)
        fresh.load()
        assert fresh.state == expected  # every undo step is on disk
    assert store.undo() is None
    assert not store.can_undo


def test_undo_goes_through_the_merge(paths: Paths, clock: Clock) -> None:
    a, b = fixture_papers()[:2]
    mine, theirs = StateStore(paths.state_file, clock=clock), StateStore(paths.state_file)
    mine.load()
    theirs.load()
    mine.apply(MarkRead((a.id,)))
    theirs.apply(AddBookmark(b))  # another instance saves in between
    mine.undo()
    assert mine.state.read == {}
    assert set(mine.state.bookmarks) == {b.id}  # their change survives my undo
    check = StateStore(paths.state_file)
    check.load()
    assert check.state == mine.state


def test_two_stores_in_one_process_merge(paths: Paths) -> None:
    ps = fixture_papers()
    first, second = StateStore(paths.state_file), StateStore(paths.state_file)
    first.load()
    second.load()
    first.apply(AddBookmark(ps[0], tags=("one",)))
    second.apply(AddBookmark(ps[1]))
    second.apply(SetNote(ps[1].id, "two"))
    first.apply(MarkRead((ps[2].id,)))
    first.apply(RemoveBookmark(ps[0].id))
    second.apply(MarkRead((ps[3].id,)))
    assert set(second.state.bookmarks) == {ps[1].id}
    assert set(second.state.read) == {ps[2].id, ps[3].id}
    assert first.sync() == ()  # picks up the other instance's changes
    assert first.state == second.state


def test_an_edit_loses_to_a_removal_elsewhere(paths: Paths) -> None:
    paper = fixture_papers()[0]
    first, second = StateStore(paths.state_file), StateStore(paths.state_file)
    first.load()
    first.apply(AddBookmark(paper))
    second.load()
    first.apply(RemoveBookmark(paper.id))
    change = second.apply(SetNote(paper.id, "too late"))
    assert change.changed  # it did change what this instance had ...
    assert paper.id not in second.state.bookmarks  # ... but the removal had already won


def test_sync_without_changes_picks_up_other_instances(paths: Paths) -> None:
    paper = fixture_papers()[0]
    reader, writer = StateStore(paths.state_file), StateStore(paths.state_file)
    reader.load()
    writer.apply(MarkRead((paper.id,)))
    assert not reader.state.is_read(paper.id)
    assert reader.sync() == ()
    assert reader.state.is_read(paper.id)


def test_threads_applying_and_syncing_lose_nothing(store: StateStore, paths: Paths) -> None:
    ids = [f"2501.{i:05d}" for i in range(200)]

    def work(part: list[str]) -> None:
        for paper_id in part:
            store.apply(MarkRead((paper_id,)), save=False)
            store.sync()

    threads = [threading.Thread(target=work, args=(ids[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not store.dirty
    check = StateStore(paths.state_file)
    check.load()
    assert set(check.state.read) == set(ids)


def test_apply_loads_first_when_needed(paths: Paths) -> None:
    paper = fixture_papers()[0]
    StateStore(paths.state_file).apply(MarkRead((paper.id,)))
    store = StateStore(paths.state_file)
    store.apply(AddBookmark(paper))
    assert store.state.is_read(paper.id) and store.state.is_bookmarked(paper.id)


def test_the_state_file_is_where_paths_says(paths: Paths) -> None:
    store = StateStore(paths.state_file)
    store.apply(MarkRead(("2501.00001",)))
    assert paths.state_file == Path(paths.data_dir) / "state.toml"
    assert paths.state_file.is_file()


@pytest.mark.parametrize("finish", ["before", "after"])
def test_a_fold_ending_while_another_instance_rereads_loses_none_of_its_changes(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, finish: str
) -> None:
    """Instance A folds (rotates the journal, writes the file, deletes the folding file) while
    instance B reloads because the journal was rotated; A's fold ends just `finish` B reads the
    file. B's own bookmark, in the journal A folds, is still in B's state afterwards, so B can
    remove it, and the removal reaches the file."""
    from paperterm.library._disk import StateFile

    paper = fixture_papers()[0]
    a, b = StateStore(paths.state_file), StateStore(paths.state_file)
    a.load()
    b.load()
    assert b.apply(AddBookmark(paper), save=False).changed and b.flush() == ()
    writing, resume = threading.Event(), threading.Event()
    folder = threading.Thread(target=a.fold)
    write, reread = StateFile.write, StateFile.reread

    def paused_write(self: StateFile, state: ReadingState) -> None:
        if threading.current_thread() is folder:  # the journal is rotated by now
            writing.set()
            assert resume.wait(30)
        write(self, state)

    def racing_reread(self: StateFile, *, locked: bool = True) -> list[str]:
        if finish == "before" and resume.is_set() is False:
            resume.set()
            folder.join()
        notices = reread(self, locked=locked)
        if finish == "after" and resume.is_set() is False:
            resume.set()
            folder.join()
        return notices

    monkeypatch.setattr(StateFile, "write", paused_write)
    folder.start()
    assert writing.wait(30)
    monkeypatch.setattr(StateFile, "reread", racing_reread)
    assert b.apply(MarkRead(("2501.00001",)), save=False).changed
    assert b.flush() == ()
    assert resume.is_set() and not folder.is_alive()
    assert b.state.is_bookmarked(paper.id)
    assert b.apply(RemoveBookmark(paper.id)).changed
    check = StateStore(paths.state_file)
    assert check.load() == ()
    assert not check.state.is_bookmarked(paper.id) and check.state.is_read("2501.00001")


@pytest.mark.parametrize("first", [False, True], ids=["a file", "no file yet"])
def test_an_instance_loading_while_another_folds_starts_from_everything(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, first: bool
) -> None:
    """A whole fold by instance A lands between instance B's reading the file and its reading
    the journal: B still starts from the bookmark A folded."""
    from paperterm.library._disk import StateFile

    paper = fixture_papers()[0]
    a = StateStore(paths.state_file)
    if not first:
        assert a.apply(MarkRead(("2501.00001",))).saved
    assert a.load() == ()
    assert a.apply(AddBookmark(paper), save=False).changed and a.flush() == ()
    load = StateFile.load

    def load_then_fold(self: StateFile) -> list[str]:
        notices = load(self)
        monkeypatch.setattr(StateFile, "load", load)
        assert a.fold() == ()
        return notices

    monkeypatch.setattr(StateFile, "load", load_then_fold)
    b = StateStore(paths.state_file)
    assert b.load() == ()
    assert b.state.is_bookmarked(paper.id) and b.state.is_read("2501.00001") is not first
