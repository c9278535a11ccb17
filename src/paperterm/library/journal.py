"""The journal: every change appended to ``state.toml.journal`` the moment it is made.

A change is durable once its line is in the journal (one small write and an fsync), however
large ``state.toml`` is; the store *folds* the journal into ``state.toml`` (one atomic
rewrite, as before) in the background and when the reader quits, then deletes it. Loading
reads ``state.toml`` and replays what the journal holds on top. The SQLite WAL idea, with
``state.toml`` staying the human-readable, mergeable truth.

* **One line per change**: ``<crc32 of the JSON, 8 hex digits> <JSON of the operation>``
  (`paperterm.library.codec`). A line whose checksum does not match (a torn write after a
  power cut) is skipped and reported, never half-applied.
* **Every process appends to the same file**, under ``state.toml.journal.lock`` (held for the
  write only, never while ``state.toml`` is rewritten), and reads what the others appended
  since its last look: two instances see each other's changes, in journal order.
* **Folding rotates**: under that lock the journal is renamed to
  ``state.toml.journal.folding``, so appends go on into a fresh journal while the fold
  writes ``state.toml``; the folding file is deleted only after ``state.toml`` is on disk.
  If the fold is killed or fails in between, the next load replays the folding file again
  (every operation gives the same result when replayed on a state that already has it), and
  the next fold moves the journal's entries onto its end and folds both.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from paperterm.files import fsync_dir, locked, open_regular
from paperterm.library.tomlfile import UnwritableValue
from paperterm.records import Record

if TYPE_CHECKING:
    from paperterm.library.ops import Operation
    from paperterm.models import ReadingState

Identity = tuple[int, int]  # st_dev, st_ino of the journal file read so far


class Entries(Record, frozen=True):
    """What reading a journal gave: the operations, where reading stopped (the end of the
    last complete line), and the lines that could not be read."""

    ops: tuple[Operation, ...]
    end: int
    damaged: tuple[int, ...] = ()  # line numbers (1-based) skipped


class Journal:
    """The journal files beside a state file (`target`, a symlink's target)."""

    def __init__(self, target: Path, lock_timeout: float) -> None:
        self.target = target
        self.path = target.with_name(target.name + ".journal")
        self.folding = target.with_name(target.name + ".journal.folding")
        self.lock_file = target.with_name(target.name + ".journal.lock")
        self._lock_timeout = lock_timeout

    def locked(self) -> AbstractContextManager[None]:
        """The journal lock, held for an append or a rotation (never for long)."""
        return locked(self.lock_file, self._lock_timeout)

    @contextmanager
    def held_if_possible(self) -> Iterator[None]:
        """The journal lock, or nothing when it cannot be had (a read-only directory)."""
        with ExitStack() as stack:
            with suppress(OSError):
                stack.enter_context(self.locked())
            yield

    def size_on_disk(self) -> int:
        """Bytes in the state file and the journal files beside it (what exists of them)."""
        total = 0
        for path in (self.target, self.path, self.folding):
            with suppress(OSError):
                total += path.stat().st_size
        return total

    def identity(self) -> Identity | None:
        """Which file the journal is now (None: there is none)."""
        return self.identity_of(self.path)

    @staticmethod
    def identity_of(path: Path) -> Identity | None:
        """Which file `path` is now (None: there is none)."""
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return st.st_dev, st.st_ino

    def append(self, ops: Iterable[Operation]) -> tuple[Identity, int]:
        """Append `ops` and make them durable; call with the journal lock held. Returns the
        file appended to and its size after the append."""
        data = b"".join(entry_line(op) for op in ops)
        fd = open_regular(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            before = os.fstat(fd).st_size
            if before == 0:
                fsync_dir(self.path.parent)  # a new journal must survive a power cut too
            try:
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            except OSError:
                # Not durable, so not written: the caller keeps the changes and tries again,
                # and must not find them in the journal twice.
                with suppress(OSError):
                    os.ftruncate(fd, before)
                raise
            st = os.fstat(fd)
        finally:
            os.close(fd)
        return (st.st_dev, st.st_ino), st.st_size

    def read(self, path: Path, offset: int = 0) -> tuple[Entries, Identity] | None:
        """The complete entries of `path` from byte `offset`, and which file that was; None
        when there is no such file."""
        try:
            fd = open_regular(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        with open(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            handle.seek(offset)
            data = handle.read()
        return parse(data, offset), (st.st_dev, st.st_ino)

    def rotate(self) -> bool:
        """Rename the journal to the folding file (call with the journal lock held, and no
        folding file left); False when there was no journal."""
        try:
            os.replace(self.path, self.folding)
        except FileNotFoundError:
            return False
        return True

    def absorb(self) -> None:
        """Move the journal's entries to the end of an existing folding file (call with the
        journal lock held): a fold that was killed or failed left that file, and this fold
        takes both at once. Killed in between, both files hold the entries: replaying twice
        changes nothing."""
        found = self.read(self.path)
        if found is None:
            return
        data = self.path.read_bytes()[: found[0].end]
        fd = open_regular(self.folding, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.unlink(self.path)

    def remove_folding(self) -> None:
        """Delete the folding file once what it held is in ``state.toml``."""
        with suppress(FileNotFoundError):
            os.unlink(self.folding)


def entry_line(op: Operation) -> bytes:
    """One journal line for `op`; raises `UnwritableValue` when it holds a value the state
    file could not hold either (only code, never a file, can put one there)."""
    from paperterm.clean import replace_surrogates  # with the first write, not a load
    from paperterm.library.codec import encode_op  # with the operations: loaded once made

    try:
        body = json.dumps(encode_op(op), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise UnwritableValue(f"a value cannot be written as TOML: {exc}") from exc
    data = replace_surrogates(body).encode()
    return f"{zlib.crc32(data):08x} ".encode() + data + b"\n"


def parse(data: bytes, offset: int = 0) -> Entries:
    """The entries in `data` (journal bytes starting at `offset`): complete lines only; a line
    that does not check out is skipped and counted."""
    ops: list[Operation] = []
    damaged: list[int] = []
    end = data.rfind(b"\n") + 1  # a last line without its newline is still being written
    for number, line in enumerate(data[:end].split(b"\n")[:-1], 1):
        op = _entry(line)
        if op is None:
            damaged.append(number)
        else:
            ops.append(op)
    return Entries(tuple(ops), offset + end, tuple(damaged))


def _entry(line: bytes) -> Operation | None:
    from paperterm.library.codec import decode_op  # an empty journal needs no operations

    crc, space, body = line.partition(b" ")
    if not space or len(crc) != 8:
        return None
    try:
        if int(crc, 16) != zlib.crc32(body):
            return None
        return decode_op(json.loads(body))
    except (ValueError, RecursionError):
        return None


def replay(state: ReadingState, ops: Iterable[Operation]) -> ReadingState:
    """`state` with each of `ops` applied in turn."""
    for op in ops:
        state, _ = op.apply(state)
    return state


def damage_note(path: Path, lines: tuple[int, ...]) -> str:
    """What to say of the damaged `lines` of a journal file (numbered from 1)."""
    where = ", ".join(map(str, lines[:5])) + (" …" if len(lines) > 5 else "")
    noun = "entry" if len(lines) == 1 else "entries"
    return f"{path}: {len(lines)} damaged {noun} skipped (line {where})"
