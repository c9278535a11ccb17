"""The reading state: read marks and bookmarks in one human-readable TOML file that never
loses an update.

Public face:

* `StateStore` — the file of one process: changes applied in memory at once, saved under a
  lock and merged with other instances, damage moved aside, undo (`paperterm.library.store`).
* The operations that change a `paperterm.models.ReadingState` — `MarkRead`, `AddBookmark`,
  `SetTags` ... — pure values whose `apply` returns the new state and the inverse
  (`paperterm.library.ops`).
* `decode` and the file's layout (`paperterm.library.tomlfile`).

Its speed-ups are private: ``_encoder`` reuses the text of what did not change, and
``_parsecache`` remembers what a file parsed to.
"""

from __future__ import annotations

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
from paperterm.library.store import Change, StateStore
from paperterm.library.tomlfile import SCHEMA_VERSION, DamagedFile, NewerSchema, decode

__all__ = [
    "SCHEMA_VERSION",
    "AddBookmark",
    "Change",
    "DamagedFile",
    "MarkRead",
    "MarkUnread",
    "MergeIn",
    "NewerSchema",
    "Operation",
    "PinCiteKey",
    "PinCiteKeys",
    "PutBookmark",
    "RemoveBookmark",
    "ReplaceBookmarks",
    "SetNote",
    "SetPosition",
    "SetRead",
    "SetTags",
    "StateStore",
    "UpdateSnapshot",
    "decode",
]
