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

The lock (`paperterm.files.locked`) is on ``state.toml.lock`` beside the real file (a
symlink's target), where the temp files, the journal and ``state.toml.bak`` also live. It
serialises processes on one machine; it does not reach across machines sharing a synced
folder, whose conflicting copies the sync tool keeps.

Damage is never silent and never destructive: a file this version cannot trust is moved to
``state.toml.corrupt-<time>`` and the store starts from the last good copy (``state.toml.bak``,
the file as it was before the latest save) or empty; a journal line that does not check out
is skipped and reported, and the journal is kept as ``.corrupt-<time>`` instead of deleted;
a file from a newer paperterm is never written (read-only, changes kept in memory).
Everything the user should hear comes back as one-line notices; nothing here prints or logs.

Given a ``cache`` path (`Paths.state_cache`), the store keeps a parse cache there
(`paperterm.library._parsecache`): what the file reads as, keyed on the SHA-256 of its exact
bytes, so loading skips tomllib and the first fold reuses the file's text. It changes nothing
about what is read or written; any problem with it only means parsing the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperterm import exported_later
from paperterm.library.store import Change, StateStore
from paperterm.library.tomlfile import SCHEMA_VERSION, DamagedFile, NewerSchema, decode

if TYPE_CHECKING:  # the operations as the type checker sees them (`as`: exported)
    from paperterm.library.ops import AddBookmark as AddBookmark
    from paperterm.library.ops import MarkRead as MarkRead
    from paperterm.library.ops import MarkUnread as MarkUnread
    from paperterm.library.ops import MergeIn as MergeIn
    from paperterm.library.ops import Operation as Operation
    from paperterm.library.ops import PinCiteKey as PinCiteKey
    from paperterm.library.ops import PinCiteKeys as PinCiteKeys
    from paperterm.library.ops import PutBookmark as PutBookmark
    from paperterm.library.ops import RemoveBookmark as RemoveBookmark
    from paperterm.library.ops import ReplaceBookmarks as ReplaceBookmarks
    from paperterm.library.ops import SetNote as SetNote
    from paperterm.library.ops import SetPosition as SetPosition
    from paperterm.library.ops import SetRead as SetRead
    from paperterm.library.ops import SetTags as SetTags
    from paperterm.library.ops import UpdateSnapshot as UpdateSnapshot

# The operations load when one is first asked for: a reader's start-up makes no change, and
# loading a state without a journal needs none of them.
__getattr__ = exported_later(
    __name__,
    dict.fromkeys(
        ("AddBookmark", "MarkRead", "MarkUnread", "MergeIn", "Operation", "PinCiteKey",
         "PinCiteKeys", "PutBookmark", "RemoveBookmark", "ReplaceBookmarks", "SetNote",
         "SetPosition", "SetRead", "SetTags", "UpdateSnapshot"),
        "ops",
    ),
)  # fmt: skip

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
