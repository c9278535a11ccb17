"""The store that keeps bookmarks and read marks in `state.toml` without ever losing an update.

A change is an *operation* (`MarkRead`, `AddBookmark`, `SetTags` ...), a small frozen record;
`op.apply(state)` returns the new `ReadingState` and the operation that undoes it. The store:

1. applies the operation to its in-memory state at once, so counts on screen change at once,
   and queues it;
2. `flush()` appends the queue to the journal (`paperterm.library.journal`): one small write
   and an fsync, however large the state is, so a change is durable within a frame. Under the
   journal lock it first reads what other instances appended, so they see each other's
   changes in journal order;
3. `fold()` rewrites ``state.toml`` with everything the journal holds (lock held, the file
   re-read if someone else replaced it, an atomic write) and then drops the journal;
   `sync()` is flush and fold, which the command line does for every change. The reader
   flushes after each change and folds when idle and at exit;
4. if saving fails (disk full, read-only directory, a lock held too long ...), keeps the
   queue and says so; the next change or `flush()` retries, and the files are untouched.

Undo is a stack in the store: every change that did something pushes its inverse, and
`undo()` applies the newest inverse as a new change, through the same path. The lock, damage
and the parse cache: see `paperterm.library`."""

from __future__ import annotations

import threading
from collections import deque
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from paperterm.files import real_path
from paperterm.library._disk import StateFile
from paperterm.library.journal import Identity, Journal, damage_note, replay
from paperterm.library.tomlfile import UnwritableValue, utc_second
from paperterm.models import Clock, ReadingState, utc_now
from paperterm.records import Record, replace

if TYPE_CHECKING:  # the operations load with the first one made or read back
    from paperterm.library.ops import Operation


class Change(Record, frozen=True):
    """What `StateStore.apply` or `undo` did."""

    op: Operation
    changed: bool  # False: the operation found nothing to do (nothing queued, nothing saved)
    inverse: Operation | None
    saved: bool  # every change so far is durable (in the journal or the file)
    notices: tuple[str, ...]
    undone: Operation | None = None  # for `undo()`: the operation that was taken back


class StateStore:
    """The state file of one process. Safe to call from the UI thread and workers at once.
    `cache`: where to keep the parse cache (`Paths.state_cache`); None, the default, keeps
    none. `interactive`: a session that lives on after a failed save (the reader), so the
    message says changes are kept and retried; else it says nothing was saved."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock = utc_now,
        lock_timeout: float = 5.0,
        undo_depth: int = 200,
        cache: Path | None = None,
        interactive: bool = False,
    ) -> None:
        self.path = path
        self._clock = clock
        self._lock_timeout = lock_timeout
        self.interactive = interactive  # read-only by convention
        self._file = StateFile(path, clock=clock, lock_timeout=lock_timeout, cache=cache)
        # One fold at a time; one flush at a time, never waiting for a fold's long write (the
        # fold holds the flush lock only to rotate the journal); the mutex guards the state
        # below and is never held during I/O.
        self._folds = threading.RLock()
        self._flushes = threading.RLock()
        self._mutex = threading.Lock()
        self._folding_now = False  # this process holds the state lock and rewrites the file
        self.loaded = False  # read-only by convention: the file and the journal are read
        self._base = ReadingState()  # the file plus the journal as far as read ...
        self._journal: Identity | None = None  # ... which journal file that was
        self._offset = 0  # ... and how far into it
        self._folding: Identity | None = None  # a folding file replayed into the base
        self._unfolded = 0  # journal entries not yet in the file
        self._damaged: list[str] = []  # journal files that held damaged lines
        self._queue: list[Operation] = []  # applied in memory, not yet in the journal
        self._state = ReadingState()
        self._undo: deque[tuple[Operation, Operation]] = deque(maxlen=undo_depth)
        self._problem: str | None = None

    @property
    def state(self) -> ReadingState:
        """The current state: the file, the journal, and every change of this process."""
        return self._state

    @property
    def dirty(self) -> bool:
        """Some changes are only in memory."""
        return bool(self._queue)

    @property
    def unfolded(self) -> int:
        """How many journal entries wait to be folded into the file."""
        return self._unfolded

    @property
    def read_only(self) -> str | None:
        """Why this session never writes the file (a newer paperterm wrote it), or None."""
        return self._file.read_only

    @property
    def problem(self) -> str | None:
        """A standing condition for the status line: read-only, or the last save failed."""
        return self._file.read_only or self._problem

    @property
    def can_undo(self) -> bool:
        """Some change can still be taken back with `undo()`."""
        return bool(self._undo)

    def size_on_disk(self) -> int:
        """Bytes to read to load: the state file and its journal (what exists of them)."""
        return Journal(real_path(self.path), self._lock_timeout).size_on_disk()

    @property
    def file_size(self) -> int:
        """The size of the state file as last read or written, in bytes."""
        return self._file.size

    def load(self) -> tuple[str, ...]:
        """(Re)start from the file and the journal: forget queued changes and undo history.
        Creates the data directory, removes temp files of killed writers, deals with damage."""
        with self._folds, self._flushes:
            with self._mutex:
                self._queue.clear()
                self._undo.clear()
                self._problem = None
            notices = self._load()
            self.loaded = True
            return notices

    def _load(self) -> tuple[str, ...]:
        notices = self._file.load()
        if self._file.problem:
            self._problem = self._file.problem
        if not self._problem:
            ours = self._file.read_only is None  # else a newer paperterm's: touch nothing
            journal = Journal(real_path(self.path), self._lock_timeout)
            with journal.held_if_possible() if ours else nullcontext():  # no fold rotates it
                notices += self._reload_journal(reread=ours)
        if self._file.pending_rewrite and not self._problem:
            # A recovered state goes into the file at once, so other instances see it too.
            notices += self._sync_or_report()
        return tuple(notices)

    def ensure_loaded(self) -> tuple[str, ...]:
        """`load()` unless this store has loaded already (or is loading: then wait for it)."""
        if self.loaded:
            return ()
        with self._folds, self._flushes:
            return () if self.loaded else self.load()

    def apply(self, op: Operation, *, save: bool = True, undoable: bool = True) -> Change:
        """Apply `op` in memory now and, with `save`, make it durable and fold it into the file
        (`sync`). The reader passes ``save=False`` and calls `flush()` from a worker."""
        notices = list(self.ensure_loaded())
        with self._mutex:
            from paperterm.library.ops import stamped

            op = stamped(op, utc_second(self._clock()))
            new, inverse = op.apply(self._state)
            changed = new is not self._state
            if changed:
                self._state = new
                self._queue.append(op)
                if undoable and inverse is not None:
                    self._undo.append((op, inverse))
        if changed and self.read_only:
            notices.append(self.read_only)
        elif changed and save:
            notices.extend(self.sync())
        return Change(op, changed, inverse, not self._queue, tuple(notices))

    def undo(self, *, save: bool = True) -> Change | None:
        """Take back the newest change still on the undo stack; None when there is none."""
        with self._mutex:
            if not self._undo:
                return None
            op, inverse = self._undo.pop()
        return replace(self.apply(inverse, save=save, undoable=False), undone=op)

    def flush(self) -> tuple[str, ...]:
        """Make queued changes durable in the journal, and pick up what other instances
        appended. Cheap whatever the size of the state: call it after every change."""
        if not self.loaded:
            return self.ensure_loaded()
        with self._flushes:
            if self.read_only:
                return ()
            try:
                return tuple(self._flush())
            except (OSError, UnwritableValue) as exc:
                return (self._failed(exc),)

    def fold(self) -> tuple[str, ...]:
        """Write everything the journal holds into the file (flushing first), merged with
        whatever other instances wrote, and drop the journal."""
        if not self.loaded:
            return self.ensure_loaded()
        with self._folds:
            return () if self.read_only else tuple(self._sync_or_report())

    def sync(self) -> tuple[str, ...]:
        """Flush and fold: the file holds every change afterwards (or a notice says why not).
        Without queued changes it folds the journal, if any, and re-reads a replaced file."""
        return self.fold()

    # -- internals ----------------------------------------------------------------------------

    def _sync_or_report(self) -> list[str]:
        try:
            notices = self._flush()
        except UnwritableValue as exc:
            # A change the journal cannot hold: the file may still (an undo made the state
            # writable again), so the whole state is written instead.
            try:
                return [*self._fold(with_queue=True), *self._recovered()]
            except (OSError, UnwritableValue):
                return [self._failed(exc)]
        except OSError as exc:
            return [self._failed(exc)]
        try:
            return notices + self._fold()
        except (OSError, UnwritableValue) as exc:
            # Everything is in the journal: nothing is lost, the file just waits for a fold.
            journal = Journal(real_path(self.path), self._lock_timeout).path.name
            reason = self._file.reason(exc)
            return [
                *notices,
                f"could not write {self.path} ({reason}); the changes are safe in {journal} "
                "and go into the file on the next save",
            ]

    def _flush(self) -> list[str]:
        """Append the queue to the journal (journal lock held), after reading others'."""
        with self._flushes:
            return self._append()

    def _append(self) -> list[str]:
        target = real_path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        journal = Journal(target, self._lock_timeout)
        notices: list[str] = []
        with journal.locked():
            notices += self._catch_up(journal, locked=False)
            if self.read_only:  # a newer paperterm wrote the file meanwhile
                return [*notices, self.read_only]
            with self._mutex:
                queued = list(self._queue)
            if queued:
                identity, end = journal.append(queued)
                with self._mutex:
                    self._base = replay(self._base, queued)
                    self._journal, self._offset = identity, end
                    self._unfolded += len(queued)
                    del self._queue[: len(queued)]
                    self._state = replay(self._base, self._queue)
        return notices + self._recovered()

    def _catch_up(self, journal: Journal, *, locked: bool) -> list[str]:
        """Read what others appended since our last look; reload if another instance folded
        the journal (rotated it) or the file was replaced meanwhile. `locked`: the state lock
        is held. While this process folds, the file is its own to replace, and a journal it
        has not seen yet is the one started after its own rotation."""
        if not self._folding_now and self._file.changed_on_disk():
            return self._reload_journal(reread=True, locked=locked)
        identity = journal.identity()
        if identity != self._journal and self._journal is not None:
            return self._reload_journal(reread=True, locked=locked)
        if identity is None:
            return []
        found = journal.read(journal.path, self._offset if identity == self._journal else 0)
        if found is None:
            return self._reload_journal(reread=True, locked=locked)
        entries, which = found
        with self._mutex:
            self._base = replay(self._base, entries.ops)
            self._journal, self._offset = which, entries.end
            self._unfolded += len(entries.ops)
            self._state = replay(self._base, self._queue)
        return self._damage(journal.path, entries.damaged)

    def _reload_journal(self, *, reread: bool = False, locked: bool = False) -> list[str]:
        """The base again from the file (re-read when asked), the folding file left by an
        interrupted fold, and the journal; call with the journal lock held. The folding file
        is read first: a fold running meanwhile writes the file, then deletes the folding
        file, so this reads the old file with it, the new file with it (replaying it there
        changes nothing) or the new file without it; never the old file without it."""
        target = real_path(self.path)
        journal = Journal(target, self._lock_timeout)
        folding = journal.read(journal.folding)
        notices = self._file.reread(locked=locked) if reread else []
        base, unfolded, folded, identity, offset = self._file.state, 0, None, None, 0
        for path, found in ((journal.folding, folding), (journal.path, journal.read(journal.path))):
            if found is None:
                continue
            entries, which = found
            base = replay(base, entries.ops)
            unfolded += len(entries.ops)
            notices += self._damage(path, entries.damaged)
            if path == journal.folding:
                folded = which
            else:
                identity, offset = which, entries.end
        with self._mutex:
            self._base, self._unfolded = base, unfolded
            self._folding, self._journal, self._offset = folded, identity, offset
            self._state = replay(base, self._queue)
        return notices

    def _fold(self, *, with_queue: bool = False) -> list[str]:
        """Rewrite the file with the base (state lock held throughout; the journal and flush
        locks only to rotate the journal, so changes go on being flushed meanwhile);
        `with_queue`: with the changes still queued too (they could not be journaled)."""
        target = real_path(self.path)
        journal = Journal(target, self._lock_timeout)
        notices: list[str] = []
        with self._file.locked():
            with self._flushes, journal.locked():
                notices += self._catch_up(journal, locked=True)
                if journal.identity_of(journal.folding) != self._folding:
                    # A folding file we have not replayed (left by a fold that was killed), or
                    # one replayed that its fold has removed since: start from what is there.
                    notices += self._reload_journal(reread=True, locked=True)
                with self._mutex:
                    queued = list(self._queue) if with_queue else []
                    state = replay(self._base, queued)
                    folded = self._unfolded
                if not (folded or queued or self._file.pending_rewrite):
                    return notices
                if self._folding is None:
                    journal.rotate()
                else:  # the folding file of a killed or failed fold: the journal joins it
                    journal.absorb()
                with self._mutex:
                    self._folding = journal.identity_of(journal.folding)
                    self._journal, self._offset = None, 0
                self._folding_now = True
            try:
                self._file.write(state)
            finally:
                self._folding_now = False
            with self._flushes:
                self._keep_or_remove_folding(journal)
                with self._mutex:
                    self._folding = None
                    self._unfolded -= folded
                    if queued:  # written with the file, so no longer waiting
                        self._base = replay(self._base, queued)
                        del self._queue[: len(queued)]
                        self._state = replay(self._base, self._queue)
        return notices

    def _keep_or_remove_folding(self, journal: Journal) -> None:
        if str(journal.folding) in self._damaged or str(journal.path) in self._damaged:
            # Never delete what could not be read: it stays beside the file for a human.
            self._file.set_aside(journal.folding)
            self._damaged.clear()
        else:
            journal.remove_folding()

    def _damage(self, path: Path, lines: tuple[int, ...]) -> list[str]:
        if not lines:
            return []
        self._damaged.append(str(path))
        return [damage_note(path, lines)]

    def _recovered(self) -> list[str]:
        if not self._problem:
            return []
        self._problem = None
        return [f"saved {self.path}: earlier changes are on disk now"]

    def _failed(self, exc: OSError | UnwritableValue) -> str:
        reason = self._file.reason(exc)
        kept = (
            "changes are kept in memory and saving is retried on the next change"
            if self.interactive
            else "nothing was saved"
        )
        self._problem = (
            f"could not save {self.path} ({reason}): {kept}; the file on disk is unchanged"
        )
        return self._problem
