"""The operations that change the reading state: pure values, no I/O.

`ReadingState` (in `paperterm.models`) is what `state.toml` holds: read marks, bookmarks, reading
positions, and top-level keys this version does not know. A change is an *operation* (`MarkRead`, `AddBookmark`, `SetTags` ...), a small
frozen record; `op.apply(state)` returns the new `ReadingState` and the operation that undoes it.
`paperterm.library.store` queues operations, replays them on what is on disk, and keeps the undo stack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from paperterm.library.tomlfile import utc_second
from paperterm.models import Bookmark, Paper, ReadingState, utc_now
from paperterm.records import Record, replace

# -- operations -------------------------------------------------------------------------------
# Each `apply` returns (new state, inverse). The new state *is* the old one when nothing
# changed; the inverse is None when there is nothing to undo.


class MarkRead(Record, frozen=True):
    """Mark papers read (one id, or every paper shown for mark-all). Papers already read keep
    their first read time. `at` is stamped by the store's clock when None."""

    ids: tuple[str, ...]
    at: dt.datetime | None = None

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        at = utc_second(self.at or utc_now())
        fresh = [i for i in dict.fromkeys(self.ids) if i not in state.read]
        if not fresh:
            return state, None
        read = dict(state.read)
        read.update((i, at) for i in fresh)
        return replace(state, read=read), SetRead(tuple((i, None) for i in fresh))

    def describe(self) -> str:
        return _count_text("marked", self.ids, "read")


class MarkUnread(Record, frozen=True):
    """Mark papers unread."""

    ids: tuple[str, ...]

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        return SetRead(tuple((i, None) for i in self.ids)).apply(state)

    def describe(self) -> str:
        return _count_text("marked", self.ids, "unread")


class SetRead(Record, frozen=True):
    """Set exact read times (None: unread). The inverse of the two above."""

    entries: tuple[tuple[str, dt.datetime | None], ...]

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        read = dict(state.read)
        undo: list[tuple[str, dt.datetime | None]] = []
        for paper_id, when in self.entries:
            at = None if when is None else utc_second(when)
            old = read.get(paper_id)
            if old == at:
                continue
            undo.append((paper_id, old))
            if at is None:
                del read[paper_id]
            else:
                read[paper_id] = at
        if not undo:
            return state, None
        return replace(state, read=read), SetRead(tuple(reversed(undo)))

    def describe(self) -> str:
        return _count_text("restored read marks of", [i for i, _ in self.entries], "")


class AddBookmark(Record, frozen=True):
    """Bookmark a paper with a snapshot of it. A paper already bookmarked is left as it is.
    `incomplete`: the snapshot is only what was known (an id added offline)."""

    paper: Paper
    tags: tuple[str, ...] = ()
    note: str = ""
    incomplete: bool = False
    at: dt.datetime | None = None

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        if self.paper.id in state.bookmarks:
            return state, None
        mark = Bookmark(
            self.paper,
            utc_second(self.at or utc_now()),
            _tags(self.tags),
            self.note,
            incomplete=self.incomplete,
        )
        return _put(state, mark), RemoveBookmark(self.paper.id)

    def describe(self) -> str:
        return f"bookmarked {self.paper.id}"


class RemoveBookmark(Record, frozen=True):
    """Remove a bookmark; its inverse puts back the same bookmark, tags and note included."""

    id: str

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        old = state.bookmarks.get(self.id)
        if old is None:
            return state, None
        bookmarks = dict(state.bookmarks)
        del bookmarks[self.id]
        return replace(state, bookmarks=bookmarks), PutBookmark(old)

    def describe(self) -> str:
        return f"removed bookmark {self.id}"


class PutBookmark(Record, frozen=True):
    """Set a bookmark exactly as given, replacing any other with its id."""

    bookmark: Bookmark

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        old = state.bookmarks.get(self.bookmark.id)
        if old is self.bookmark:
            return state, None
        inverse = RemoveBookmark(self.bookmark.id) if old is None else PutBookmark(old)
        return _put(state, self.bookmark), inverse

    def describe(self) -> str:
        return f"restored bookmark {self.bookmark.id}"


class SetTags(Record, frozen=True):
    """Replace a bookmark's tags (trimmed, empty and repeated ones dropped, order kept)."""

    id: str
    tags: tuple[str, ...]

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        old = state.bookmarks.get(self.id)
        undo = SetTags(self.id, old.tags) if old else None
        return _edit(state, old, tags=_tags(self.tags), undo=undo)

    def describe(self) -> str:
        return f"tagged {self.id}"


class SetNote(Record, frozen=True):
    """Replace a bookmark's note ("" for none)."""

    id: str
    note: str

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        old = state.bookmarks.get(self.id)
        undo = SetNote(self.id, old.note) if old else None
        return _edit(state, old, note=self.note, undo=undo)

    def describe(self) -> str:
        return f"edited the note of {self.id}"


class PinCiteKey(Record, frozen=True):
    """Pin (or with None, unpin) the citation key exports use for a bookmark."""

    id: str
    cite_key: str | None

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        old = state.bookmarks.get(self.id)
        undo = PinCiteKey(self.id, old.cite_key) if old else None
        return _edit(state, old, cite_key=self.cite_key, undo=undo)

    def describe(self) -> str:
        return f"pinned the citation key of {self.id}"


class UpdateSnapshot(Record, frozen=True):
    """Replace a bookmark's paper snapshot, e.g. to complete one stored offline."""

    paper: Paper
    incomplete: bool = False

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        old = state.bookmarks.get(self.paper.id)
        undo = UpdateSnapshot(old.paper, old.incomplete) if old else None
        return _edit(state, old, paper=self.paper, incomplete=self.incomplete, undo=undo)

    def describe(self) -> str:
        return f"updated the snapshot of {self.paper.id}"


class ReplaceBookmarks(Record, frozen=True):
    """Set many bookmarks exactly as given and remove others, in one step: an import of
    100,000 entries is one copy of the bookmarks, not one per entry."""

    put: tuple[Bookmark, ...] = ()
    remove: tuple[str, ...] = ()

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        old = state.bookmarks
        put = [b for b in self.put if old.get(b.id) is not b]
        gone = [i for i in dict.fromkeys(self.remove) if i in old and i not in {b.id for b in put}]
        if not put and not gone:
            return state, None
        restore = tuple(old[i] for i in dict.fromkeys([*(b.id for b in put), *gone]) if i in old)
        added = tuple(b.id for b in put if b.id not in old)
        bookmarks = dict(old)
        for paper_id in gone:
            del bookmarks[paper_id]
        bookmarks.update((b.id, b) for b in put)
        return replace(state, bookmarks=bookmarks), ReplaceBookmarks(restore, added)

    def describe(self) -> str:
        return (
            _count_text("stored", [b.id for b in self.put], "")
            if self.put
            else (_count_text("removed bookmarks of", self.remove, ""))
        )


class PinCiteKeys(Record, frozen=True):
    """Pin (or with None, unpin) the citation keys of many bookmarks in one step."""

    keys: tuple[tuple[str, str | None], ...]

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        old = state.bookmarks
        changes = {i: k for i, k in self.keys if i in old and old[i].cite_key != k}
        if not changes:
            return state, None
        undo = tuple((i, old[i].cite_key) for i in changes)
        bookmarks = dict(old)
        bookmarks.update((i, replace(old[i], cite_key=k)) for i, k in changes.items())
        return replace(state, bookmarks=bookmarks), PinCiteKeys(undo)

    def describe(self) -> str:
        return _count_text("pinned the citation keys of", [i for i, _ in self.keys], "")


class SetPosition(Record, frozen=True):
    """Remember where the reading view stopped in a paper: an offset into its text (0, or
    None, forgets it: the paper opens at the top)."""

    id: str
    offset: int | None

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        old = state.positions.get(self.id)
        new = self.offset or None
        if old == new:
            return state, None
        positions = dict(state.positions)
        if new is None:
            del positions[self.id]
        else:
            positions[self.id] = new
        return replace(state, positions=positions), SetPosition(self.id, old)

    def describe(self) -> str:
        return f"kept the reading position in {self.id}"


class MergeIn(Record, frozen=True):
    """Add every read mark, bookmark and unknown key of `state` that the current state lacks.
    Used to carry a recovered state into a fresh file; never undone."""

    state: ReadingState

    def apply(self, state: ReadingState) -> tuple[ReadingState, Operation | None]:
        read = {k: v for k, v in self.state.read.items() if k not in state.read}
        marks = {k: v for k, v in self.state.bookmarks.items() if k not in state.bookmarks}
        extra = {k: v for k, v in self.state.extra.items() if k not in state.extra}
        places = {k: v for k, v in self.state.positions.items() if k not in state.positions}
        if not (read or marks or extra or places):
            return state, None
        return ReadingState(
            {**state.read, **read},
            {**state.bookmarks, **marks},
            {**state.extra, **extra},
            {**state.positions, **places},
        ), None

    def describe(self) -> str:
        return "recovered earlier state"


Operation = (
    MarkRead
    | MarkUnread
    | SetRead
    | AddBookmark
    | RemoveBookmark
    | PutBookmark
    | SetTags
    | SetNote
    | PinCiteKey
    | UpdateSnapshot
    | ReplaceBookmarks
    | PinCiteKeys
    | SetPosition
    | MergeIn
)


def _put(state: ReadingState, bookmark: Bookmark) -> ReadingState:
    return replace(state, bookmarks={**state.bookmarks, bookmark.id: bookmark})


def _edit(
    state: ReadingState, old: Bookmark | None, *, undo: Operation | None, **changes: Any
) -> tuple[ReadingState, Operation | None]:
    # An edit of a bookmark that another instance removed is dropped: the removal wins.
    if old is None or all(getattr(old, k) == v for k, v in changes.items()):
        return state, None
    return _put(state, replace(old, **changes)), undo


def _tags(tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))


def _count_text(verb: str, ids: Iterable[str], what: str) -> str:
    ids = list(ids)
    subject = ids[0] if len(ids) == 1 else f"{len(ids)} papers"
    return f"{verb} {subject} {what}".strip()


def stamped(op: Operation, now: dt.datetime) -> Operation:
    """`op` with its time set to `now`, if it is one that records a time and has none yet."""
    if isinstance(op, MarkRead | AddBookmark) and op.at is None:
        return replace(op, at=now)
    return op
