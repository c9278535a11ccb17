"""`state.toml` itself, for the store: read through the parse cache, damage set aside, and
rewritten atomically by the encoder, which reuses the text of what did not change.

`StateFile` knows what the file held when this process last read or wrote it (`state`,
`sig`), so the store can tell whether someone else replaced it. When the file turns out
damaged, or disappears while we run, the state it recovers (the last good copy, or what this
instance had read) becomes `state` with `pending_rewrite` set, so the next fold writes it back.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, suppress
from pathlib import Path

from paperterm.files import (
    NotRegular,
    Signature,
    atomic_write,
    locked,
    move_aside,
    read_bytes,
    real_path,
    remove_stale_temps,
    signature,
)
from paperterm.keyed import read_keyed, write_keyed
from paperterm.library._encoder import Encoder
from paperterm.library._parsecache import CACHE_KIND, cache_key, image_of
from paperterm.library.tomlfile import (
    Contents,
    DamagedFile,
    NewerSchema,
    UnwritableValue,
    decode,
    utc_second,
)
from paperterm.models import Clock, ReadingState

Recovery = Callable[[], "tuple[ReadingState, str]"]


class StateFile:
    """One state file (a symlink is followed; the link survives every write)."""

    def __init__(
        self, path: Path, *, clock: Clock, lock_timeout: float, cache: Path | None
    ) -> None:
        self.path = path
        self._clock = clock
        self._lock_timeout = lock_timeout
        self._cache = cache
        self._encoder = Encoder()
        self.state = ReadingState()  # what the file held when last read or written
        self.sig: Signature | None = None  # which file that was (None: none)
        self.size = 0
        self.pending_rewrite = False  # `state` was recovered and is not in the file yet
        self.read_only: str | None = None
        self.problem: str | None = None
        # The bytes of the file, when they were parsed and the encoder has not yet matched
        # them to its own text (for the cache; see `Encoder.prime`).
        self._unprimed: bytes | None = None

    @property
    def target(self) -> Path:
        return real_path(self.path)

    def locked(self) -> AbstractContextManager[None]:
        """The state lock, held while the file is rewritten or set aside."""
        target = self.target
        return locked(target.with_name(target.name + ".lock"), self._lock_timeout)

    def load(self) -> list[str]:
        """Read the file afresh: creates its directory, removes temp files of killed writers
        (under the lock), and deals with damage."""
        self.state, self.sig, self.size = ReadingState(), None, 0
        self.read_only, self.problem, self.pending_rewrite, self._unprimed = None, None, False, None
        target = self.target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.problem = (
                f"could not create {target.parent} ({self.reason(exc)}); nothing is saved"
            )
            return [self.problem]
        try:
            with ExitStack() as stack:
                try:
                    stack.enter_context(self.locked())
                except OSError as exc:
                    # Reading without the lock is still safe (writers only rename whole files
                    # into place), but damage cannot be moved aside until the lock is free.
                    return self._read(self._backup_recovery, lock_error=exc)
                remove_stale_temps(target)
                if self._cache is not None:
                    remove_stale_temps(self._cache)  # its writers hold this lock too
                return self._read(self._backup_recovery)
        except OSError as exc:
            # Never a reason to write over a file we could not read: saving re-reads it first
            # and fails the same way until it can be read.
            self.problem = (
                f"could not read {target} ({self.reason(exc)}): starting empty, not saving"
            )
            return [self.problem]

    def changed_on_disk(self) -> bool:
        """Someone replaced (or removed) the file since we last read or wrote it."""
        return signature(self.target) != self.sig

    def reread(self, *, locked: bool = True) -> list[str]:
        """Read the file again if it changed. Without the lock held (`locked` False), damage
        is reported but the file is left for a locked re-read to set aside."""
        if not self.changed_on_disk():
            return []
        return self._read(self._known, lock_error=None if locked else _NOT_HELD)

    def write(self, state: ReadingState) -> None:
        """Replace the file with `state` (state lock held); raises OSError or UnwritableValue
        before anything is touched when the state has no TOML form."""
        target = self.target
        target.parent.mkdir(parents=True, exist_ok=True)
        if self._unprimed is not None:
            disk, parsed, self._unprimed = self.state, self._unprimed, None
            self._encoder.prime(disk.read, disk.bookmarks, disk.extra, parsed, disk.positions)
        data = self._encoder.encode(state.read, state.bookmarks, state.extra, state.positions)
        atomic_write(target, data, backup=_backup_path(target))
        self.state, self.sig, self.size, self.pending_rewrite = (
            state,
            signature(target),
            len(data),
            False,
        )
        if self._cache is not None:
            self._store_cache(cache_key(data), self._encoder.image())

    def set_aside(self, path: Path) -> Path | None:
        """Keep a damaged journal beside the file as ``<name>.corrupt-<time>``."""
        stamp = utc_second(self._clock()).strftime("%Y%m%dT%H%M%SZ")
        with suppress(FileNotFoundError):
            return move_aside(path, stamp)
        return None

    def reason(self, exc: OSError | UnwritableValue) -> str:
        """Why an operation on the file failed, in a few words, naming the path when it is
        another file (the lock, the journal)."""
        if not isinstance(exc, OSError):
            return str(exc)
        if isinstance(exc, NotRegular):
            return str(exc)
        known = {
            errno.ENOSPC: "disk full",
            errno.EFBIG: "file too large",
            errno.EDQUOT: "disk quota exceeded",
            errno.EROFS: "read-only file system",
            errno.EACCES: "permission denied",
            errno.EPERM: "not permitted",
        }
        text = " ".join((known.get(exc.errno or 0) or exc.strerror or str(exc)).split())
        other = exc.filename and Path(exc.filename) not in (self.path, self.target)
        return f"{exc.filename}: {text}" if other else text

    # -- internals ----------------------------------------------------------------------------

    def _read(self, recover: Recovery, lock_error: OSError | None = None) -> list[str]:
        """Take the file as the new base. Damage is moved aside (lock held) and what `recover`
        gives becomes the state, to be written in its place."""
        self._unprimed = None
        target = self.target
        try:
            found = read_bytes(target)
            if found is None and self.sig is not None:
                # Gone while we ran (a sync tool, a stray rm): what we held is written back.
                return self._start_over(f"{target} had disappeared", recover)
            if found is None:
                self.state, self.sig, self.size = ReadingState(), None, 0
                return []
            data, sig = found
            self.state = self._decode(data, locked=lock_error is None).state()
            self.sig, self.size = sig, len(data)
            return []
        except NewerSchema as exc:
            self.read_only = (
                f"{target} was written by a newer paperterm (schema {exc.version}): read-only, "
                "changes are kept in memory only"
            )
            self.state = exc.contents.state() if exc.contents else ReadingState()
            self.sig = None
            return [self.read_only + ("" if exc.contents else "; its contents could not be read")]
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
            # Only under the lock, so the cache follows the file's order of versions.
            if locked:
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
        if lock_error is _NOT_HELD:
            return []  # the next fold re-reads it with the lock held, sets it aside and says so
        if lock_error is not None:
            aside = f"it could not be moved aside yet ({self.reason(lock_error)})"
        else:
            stamp = utc_second(self._clock()).strftime("%Y%m%dT%H%M%SZ")
            aside = f"moved it to {move_aside(target, stamp)}"
        return self._start_over(f"{target} is damaged ({reason}); {aside}", recover)

    def _start_over(self, what: str, recover: Recovery) -> list[str]:
        # The file is gone or set aside: what can be recovered is the new base, and the next
        # fold writes it back under the lock.
        state, source = recover()
        self.state, self.sig, self.size = state, None, 0
        self.pending_rewrite = bool(state.read or state.bookmarks or state.extra or state.positions)
        what = _one_line(what)  # the reason may quote a key from the file
        if state.read or state.bookmarks:
            kept = f"kept {len(state.bookmarks)} bookmarks and {len(state.read)} read marks"
            return [f"{what}; {kept} from {source}"]
        return [f"{what}; starting empty"]

    def _known(self) -> tuple[ReadingState, str]:
        return self.state, "what this instance had read"

    def _backup_recovery(self) -> tuple[ReadingState, str]:
        # Parsed only when the file turns out damaged.
        target = self.target
        return self._backup(target), f"the last good copy ({_backup_path(target).name})"

    def _backup(self, target: Path) -> ReadingState:
        # The last good copy, if it is one this version may read and write.
        try:
            found = read_bytes(_backup_path(target))
            return decode(found[0]).state() if found else ReadingState()
        except (OSError, DamagedFile, NewerSchema):
            return ReadingState()


_NOT_HELD = OSError(errno.EWOULDBLOCK, "the lock is not held")


def _backup_path(target: Path) -> Path:
    return target.with_name(target.name + ".bak")


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else "\ufffd" for c in text)
