"""Operations as JSON, for the journal: one compact object per change, read back exactly.

Every operation of `paperterm.library.ops` has a name and its fields; papers use
`Paper.to_json`, times are ISO strings in UTC, and a bookmark's unknown keys (any TOML value)
use the parse cache's tagged form. `decode_op` raises `ValueError` for anything that is not
an operation this version knows, so a damaged or foreign entry is never half-applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from paperterm.library._parsecache import tagged, untagged_table
from paperterm.library.ops import (
    AddBookmark,
    MarkRead,
    MarkUnread,
    MergeIn,
    Operation,
    PinCiteKey,
    PinCiteKeys,
    PutBookmark,
    RemoveBookmark,
    ReplaceBookmarks,
    SetNote,
    SetPosition,
    SetRead,
    SetTags,
    UpdateSnapshot,
)
from paperterm.models import Bookmark, Paper, ReadingState


def encode_op(op: Operation) -> dict[str, Any]:
    """`op` as a JSON-ready object (raises ValueError for a value JSON cannot hold)."""
    match op:
        case MarkRead(ids, at):
            return {"op": "read", "ids": list(ids), "at": _time(at)}
        case MarkUnread(ids):
            return {"op": "unread", "ids": list(ids)}
        case SetRead(entries):
            return {"op": "set-read", "entries": [[i, _time(at)] for i, at in entries]}
        case AddBookmark(paper, tags, note, incomplete, at):
            return {"op": "bookmark", "paper": paper.to_json(), "tags": list(tags),
                    "note": note, "incomplete": incomplete, "at": _time(at)}  # fmt: skip
        case RemoveBookmark(paper_id):
            return {"op": "remove", "id": paper_id}
        case PutBookmark(bookmark):
            return {"op": "put", "bookmark": _bookmark(bookmark)}
        case SetTags(paper_id, tags):
            return {"op": "tags", "id": paper_id, "tags": list(tags)}
        case SetNote(paper_id, note):
            return {"op": "note", "id": paper_id, "note": note}
        case PinCiteKey(paper_id, key):
            return {"op": "key", "id": paper_id, "key": key}
        case PinCiteKeys(keys):
            return {"op": "keys", "keys": [[i, k] for i, k in keys]}
        case UpdateSnapshot(paper, incomplete):
            return {"op": "snapshot", "paper": paper.to_json(), "incomplete": incomplete}
        case ReplaceBookmarks(put, remove):
            return {"op": "replace", "put": [_bookmark(b) for b in put], "remove": list(remove)}
        case SetPosition(paper_id, offset):
            return {"op": "position", "id": paper_id, "at": offset}
        case MergeIn(state):
            return {"op": "merge", "read": {i: _time(at) for i, at in state.read.items()},
                    "bookmarks": [_bookmark(b) for b in state.bookmarks.values()],
                    "extra": tagged(dict(state.extra)),
                    "positions": dict(state.positions)}  # fmt: skip
    raise ValueError(f"no journal form for {type(op).__name__}")


def decode_op(data: Any) -> Operation:
    """The operation `encode_op` wrote; raises ValueError for anything else."""
    try:
        return _DECODERS[data["op"]](data)
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ValueError(f"not an operation: {exc!r}") from None


def _time(at: dt.datetime | None) -> str | None:
    return None if at is None else at.astimezone(dt.UTC).isoformat()


def _read_time(text: object) -> dt.datetime | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError("not a time")
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("not a list of strings")
    return tuple(value)


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not true or false")
    return value


def _paper(value: object) -> Paper:
    if not isinstance(value, dict):
        raise ValueError("not a paper")
    return Paper.from_json(value)


def _bookmark(bookmark: Bookmark) -> dict[str, Any]:
    return {
        "paper": bookmark.paper.to_json(),
        "added_at": _time(bookmark.added_at),
        "tags": list(bookmark.tags),
        "note": bookmark.note,
        "cite_key": bookmark.cite_key,
        "incomplete": bookmark.incomplete,
        "extra": tagged(dict(bookmark.extra)),
    }


def _read_bookmark(value: Any) -> Bookmark:
    added = _read_time(value["added_at"])
    if added is None:
        raise ValueError("a bookmark without a time")
    key = value["cite_key"]
    return Bookmark(
        _paper(value["paper"]),
        added,
        _strings(value["tags"]),
        _string(value["note"]),
        None if key is None else _string(key),
        _flag(value["incomplete"]),
        untagged_table(value["extra"]),
    )


def _set_read(d: Any) -> SetRead:
    return SetRead(tuple((_string(i), _read_time(at)) for i, at in d["entries"]))


def _merge(d: Any) -> MergeIn:
    read = {_string(i): _read_time(at) for i, at in d["read"].items()}
    if any(at is None for at in read.values()):
        raise ValueError("a read mark without a time")
    marks = [_read_bookmark(b) for b in d["bookmarks"]]
    # Journals written before reading positions existed have none.
    places = {_string(i): _offset(at) for i, at in d.get("positions", {}).items()}
    if any(at is None for at in places.values()):
        raise ValueError("a reading position without an offset")
    state = ReadingState(read, {b.id: b for b in marks}, untagged_table(d["extra"]), places)  # type: ignore[arg-type]
    return MergeIn(state)


def _offset(value: object) -> int | None:
    # bool is an int to Python, never a position to us.
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise ValueError("not an offset")
    return value


def _key(value: object) -> str | None:
    return None if value is None else _string(value)


_DECODERS: dict[str, Callable[[Any], Operation]] = {
    "read": lambda d: MarkRead(_strings(d["ids"]), _read_time(d["at"])),
    "unread": lambda d: MarkUnread(_strings(d["ids"])),
    "set-read": _set_read,
    "bookmark": lambda d: AddBookmark(
        _paper(d["paper"]),
        _strings(d["tags"]),
        _string(d["note"]),
        _flag(d["incomplete"]),
        _read_time(d["at"]),
    ),
    "remove": lambda d: RemoveBookmark(_string(d["id"])),
    "put": lambda d: PutBookmark(_read_bookmark(d["bookmark"])),
    "tags": lambda d: SetTags(_string(d["id"]), _strings(d["tags"])),
    "note": lambda d: SetNote(_string(d["id"]), _string(d["note"])),
    "key": lambda d: PinCiteKey(_string(d["id"]), _key(d["key"])),
    "keys": lambda d: PinCiteKeys(tuple((_string(i), _key(k)) for i, k in d["keys"])),
    "snapshot": lambda d: UpdateSnapshot(_paper(d["paper"]), _flag(d["incomplete"])),
    "replace": lambda d: ReplaceBookmarks(
        tuple(_read_bookmark(b) for b in d["put"]), _strings(d["remove"])
    ),
    "position": lambda d: SetPosition(_string(d["id"]), _offset(d["at"])),
    "merge": _merge,
}
