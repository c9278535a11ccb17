"""The store that keeps bookmarks and read marks in `state.toml` without ever losing an update.

A change is an *operation* (`MarkRead`, `AddBookmark`, `SetTags` ...), a small frozen record;
`op.apply(state)` returns the new `ReadingState` and the operation that undoes it. The store:

1. applies the operation to its in-memory state at once, so counts on screen change at once,
   and queues it;
2. saves (`apply(save=True)`, or `sync()` from a worker): takes the lock, re-reads the file if
   another process replaced it since, replays only this process's queued operations on top of
   what is on disk, writes atomically, then empties the queue. Two instances therefore merge
   instead of overwriting each other;
3. if saving fails (disk full, read-only directory ...), keeps the queue and says so; the next
   change or `sync()` retries, and the file on disk is untouched.

Undo is a stack in the store: every change that did something pushes its inverse, and
`undo()` applies the newest inverse as a new change, through the same lock-and-merge path.

The lock (`paperterm.files.locked`) is on ``state.toml.lock`` beside the real file (a symlink's target), where the
temp files and ``state.toml.bak`` also live. It serialises processes on one machine; it does
not reach across machines sharing a synced folder, whose conflicting copies the sync tool keeps.

Damage is never silent and never destructive: a file this version cannot trust is moved to
``state.toml.corrupt-<time>`` and the store starts from the last good copy (``state.toml.bak``,
the file as it was before the latest save) or empty; a file from a newer paperterm is never
written (read-only, changes kept in memory). Everything the user should hear comes back as
one-line notices; nothing here prints or logs.

Given a ``cache`` path (`Paths.state_cache`), the store keeps a parse cache there: what the
file reads as, keyed on the SHA-256 of its exact bytes (see `paperterm.library._parsecache`). Loading a
file the cache has skips tomllib and lets the first save reuse the file's text; every read or
write refreshes it. It changes nothing about what is read or written, and any problem with it
(missing, stale, damaged, unwritable) only means parsing the file as without it.
"""

from __future__ import annotations

import errno
import threading
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, suppress
from dataclasses import dataclass, replace
from pathlib import Path

from paperterm.files import (
    Signature,
    atomic_write,
    locked,
    move_aside,
    read_bytes,
    read_keyed,
    real_path,
    remove_stale_temps,
    signature,
    write_keyed,
)
from paperterm.library._encoder import Encoder
from paperterm.library._parsecache import CACHE_KIND, cache_key, image_of
from paperterm.library.ops import (
    MergeIn,
    Operation,
    replay,
    stamped,
    utc_second,
)
from paperterm.library.tomlfile import Contents, DamagedFile, NewerSchema, UnwritableValue, decode
from paperterm.models import Clock, ReadingState, utc_now

Recovery = Callable[[], "tuple[ReadingState, str]"]


@dataclass(frozen=True, slots=True)
class Change:
    """What `StateStore.apply` or `undo` did."""

    op: Operation
    changed: bool  # False: the operation found nothing to do (nothing queued, nothing saved)
    inverse: Operation | None
    saved: bool  # every change so far is on disk
    notices: tuple[str, ...]
    undone: Operation | None = None  # for `undo()`: the operation that was taken back


class StateStore:
    """The state file of one process. Safe to call from the UI thread and workers at once.
    `cache`: where to keep the parse cache (`Paths.state_cache`); None, the default, keeps
    none and parses the file on every load."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock = utc_now,
        lock_timeout: float = 5.0,
        undo_depth: int = 200,
        cache: Path | None = None,
    ) -> None:
        self.path = path
        self._cache = cache
        self._clock = clock
        self._lock_timeout = lock_timeout
        self._encoder = Encoder()
        self._io = threading.Lock()  # one load or save at a time in this process
        self._mutex = threading.Lock()  # guards everything below; never held during I/O
        self._loaded = False
        self._state = ReadingState()
        self._disk = ReadingState()  # the file as last read or written ...
        self._disk_sig: Signature | None = None  # ... and which file that was (None: none)
        self._pending: list[Operation] = []  # applied in memory, not yet on disk
        self._undo: deque[tuple[Operation, Operation]] = deque(maxlen=undo_depth)
        self._read_only: str | None = None
        self._problem: str | None = None
        # The bytes of the file, when they were parsed and the encoder has not yet matched
        # them to its own text (for the cache; see `Encoder.prime`).
        self._unprimed: bytes | None = None

    @property
    def state(self) -> ReadingState:
        """The current state: the file plus every change of this process, saved or not."""
        return self._state

    @property
    def dirty(self) -> bool:
        """Some changes are only in memory."""
        return bool(self._pending)

    @property
    def read_only(self) -> str | None:
        """Why this session never writes the file (a newer paperterm wrote it), or None."""
        return self._read_only

    @property
    def problem(self) -> str | None:
        """A standing condition for the status line: read-only, or the last save failed."""
        return self._read_only or self._problem

    @property
    def can_undo(self) -> bool:
        """Some change can still be taken back with `undo()`."""
        return bool(self._undo)

    def load(self) -> tuple[str, ...]:
        """(Re)start from the file: forget queued changes and undo history. Creates the data
        directory, removes temp files of killed writers, and deals with damage."""
        with self._io:
            with self._mutex:
                self._state = self._disk = ReadingState()
                self._disk_sig, self._read_only, self._problem = None, None, None
                self._unprimed = None
                self._pending.clear()
                self._undo.clear()
                self._loaded = True
            return tuple(self._load())

    def apply(self, op: Operation, *, save: bool = True, undoable: bool = True) -> Change:
        """Apply `op` in memory now and, with `save`, write it. The UI passes ``save=False``
        and calls `sync()` from a worker; the CLI keeps the default."""
        notices = [] if self._loaded else list(self.load())
        with self._mutex:
            op = stamped(op, utc_second(self._clock()))
            new, inverse = op.apply(self._state)
            changed = new is not self._state
            if changed:
                self._state = new
                self._pending.append(op)
                if undoable and inverse is not None:
                    self._undo.append((op, inverse))
        if changed and self._read_only:
            notices.append(self._read_only)
        elif changed and save:
            notices.extend(self.sync())
        return Change(op, changed, inverse, not self._pending, tuple(notices))

    def undo(self, *, save: bool = True) -> Change | None:
        """Take back the newest change still on the undo stack; None when there is none."""
        with self._mutex:
            if not self._undo:
                return None
            op, inverse = self._undo.pop()
        return replace(self.apply(inverse, save=save, undoable=False), undone=op)

    def sync(self) -> tuple[str, ...]:
        """Write queued changes, merged with whatever other instances wrote, and pick up
        their changes. Call it from a worker after ``apply(save=False)``, on a timer, or
        before quitting; without queued changes it only re-reads a replaced file."""
        if not self._loaded:
            return self.load()
        with self._io:
            return () if self._read_only else tuple(self._save_or_report())

    # -- internals ----------------------------------------------------------------------------

    def _save_or_report(self) -> list[str]:
        try:
            return self._save()
        except (OSError, UnwritableValue) as exc:
            reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
            self._problem = (
                f"could not save {self.path} ({reason}): changes are kept in memory "
                "and saving is retried on the next change; the file on disk is unchanged"
            )
            return [self._problem]

    def _load(self) -> list[str]:
        target = real_path(self.path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._problem = f"could not create {target.parent} ({_reason(exc)}); nothing is saved"
            return [self._problem]

        def recover() -> tuple[ReadingState, str]:
            # Parsed only when the file turns out damaged.
            return self._backup(target), f"the last good copy ({_backup_path(target).name})"

        try:
            with ExitStack() as stack:
                try:
                    stack.enter_context(self._locked(target))
                except OSError as exc:
                    # Reading without the lock is still safe (writers only rename whole files
                    # into place), but damage cannot be moved aside until the lock is free.
                    return self._read(target, recover, lock_error=exc)
                remove_stale_temps(target)
                if self._cache is not None:
                    remove_stale_temps(self._cache)  # its writers hold this lock too
                notices = self._read(target, recover)
        except OSError as exc:
            # Never a reason to write over a file we could not read: saving re-reads it first
            # and fails the same way until it can be read.
            self._problem = f"could not read {target} ({_reason(exc)}): starting empty, not saving"
            return [self._problem]
        if self._pending:
            # A recovered state goes into the file at once, so other instances see it too.
            notices += self._save_or_report()
        return notices

    def _save(self) -> list[str]:
        target = real_path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._locked(target):
            # The lock is held and the file only changes under it: an unchanged signature means
            # the file is still exactly what we last read or wrote, and needs no re-reading.
            unchanged = signature(target) == self._disk_sig
            notices = [] if unchanged else self._read(target, self._known)
            if self._read_only:
                return notices
            with self._mutex:
                pending = list(self._pending)
            if pending:
                state = replay(self._disk, pending)
                if self._unprimed is not None:
                    disk, parsed, self._unprimed = self._disk, self._unprimed, None
                    self._encoder.prime(disk.read, disk.bookmarks, disk.extra, parsed)
                data = self._encoder.encode(state.read, state.bookmarks, state.extra)
                atomic_write(target, data, backup=_backup_path(target))
                self._commit(state, signature(target), len(pending))
                if self._cache is not None:
                    self._store_cache(cache_key(data), self._encoder.image())
        if self._problem:
            self._problem = None
            notices.append(f"saved {self.path}: earlier changes are on disk now")
        return notices

    def _read(
        self, target: Path, recover: Recovery, lock_error: OSError | None = None
    ) -> list[str]:
        """Take the file as the new base for queued changes. Damage is moved aside (lock
        held) and what `recover` gives is queued to be written in its place."""
        self._unprimed = None
        try:
            found = read_bytes(target)
            if found is None and self._disk_sig is not None:
                # Gone while we ran (a sync tool, a stray rm): what we held is written back.
                return self._start_over(f"{target} had disappeared", recover)
            if found is None:
                self._commit(ReadingState(), None)
                return []
            data, sig = found
            self._commit(ReadingState(*self._decode(data, locked=lock_error is None)), sig)
            return []
        except NewerSchema as exc:
            self._read_only = (
                f"{target} was written by a newer paperterm (schema {exc.version}): read-only, "
                "changes are kept in memory only"
            )
            self._commit(ReadingState(*exc.contents) if exc.contents else ReadingState(), None)
            return [self._read_only + ("" if exc.contents else "; its contents could not be read")]
        except DamagedFile as exc:
            return self._quarantine(target, str(exc), recover, lock_error)

    def _decode(self, data: bytes, *, locked: bool) -> Contents:
        """What `data` reads as: from the cache when it has these very bytes, else parsed
        (raising as `decode` does) and then cached."""
        if self._cache is None:
            return decode(data)
        key = cache_key(data)
        payload = read_keyed(self._cache, CACHE_KIND, key)
        restored = None if payload is None else self._encoder.restore(payload, data)
        if restored is None:
            restored = decode(data), False
            # Only under the lock, so the cache follows the file's order of versions; and not
            # when a save follows at once, which caches what it writes.
            if locked and not self._pending:
                self._store_cache(key, image_of(restored[0]))
        contents, recognised = restored
        self._unprimed = None if recognised else data
        return contents

    def _store_cache(self, key: str, payload: bytes | None) -> None:
        if self._cache is None or payload is None:
            return
        # The cache only saves time: when it cannot be written, the next load parses the file.
        with suppress(OSError):
            write_keyed(self._cache, CACHE_KIND, key, payload)

    def _quarantine(
        self, target: Path, reason: str, recover: Recovery, lock_error: OSError | None
    ) -> list[str]:
        if lock_error is not None:
            aside = f"it could not be moved aside yet ({_reason(lock_error)})"
        else:
            stamp = utc_second(self._clock()).strftime("%Y%m%dT%H%M%SZ")
            aside = f"moved it to {move_aside(target, stamp)}"
        return self._start_over(f"{target} is damaged ({reason}); {aside}", recover)

    def _start_over(self, what: str, recover: Recovery) -> list[str]:
        # The file is gone or set aside: the base is empty, and what can be recovered goes
        # first in the queue, so the next save writes it back under the lock.
        state, source = recover()
        with self._mutex:
            if state.read or state.bookmarks or state.extra:
                self._pending.insert(0, MergeIn(state))
        self._commit(ReadingState(), None)
        what = _one_line(what)  # the reason may quote a key from the file
        if state.read or state.bookmarks:
            kept = f"kept {len(state.bookmarks)} bookmarks and {len(state.read)} read marks"
            return [f"{what}; {kept} from {source}"]
        return [f"{what}; starting empty"]

    def _known(self) -> tuple[ReadingState, str]:
        return self._disk, "what this instance had read"

    def _commit(self, disk: ReadingState, sig: Signature | None, written: int = 0) -> None:
        with self._mutex:
            self._disk, self._disk_sig = disk, sig
            del self._pending[:written]
            self._state = replay(disk, self._pending)

    def _backup(self, target: Path) -> ReadingState:
        # The last good copy, if it is one this version may read and write.
        try:
            found = read_bytes(_backup_path(target))
            return ReadingState(*decode(found[0])) if found else ReadingState()
        except (OSError, DamagedFile, NewerSchema):
            return ReadingState()

    def _locked(self, target: Path) -> AbstractContextManager[None]:
        return locked(target.with_name(target.name + ".lock"), self._lock_timeout)


def _backup_path(target: Path) -> Path:
    return target.with_name(target.name + ".bak")


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


def _reason(exc: OSError) -> str:
    known = {
        errno.ENOSPC: "disk full",
        errno.EFBIG: "file too large",
        errno.EDQUOT: "disk quota exceeded",
        errno.EROFS: "read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "not permitted",
    }
    text = known.get(exc.errno or 0) or exc.strerror or str(exc)
    return " ".join(text.split())
