"""Safe file I/O shared by every writer: atomic writes, the lock around them, damaged files set
aside, exports that never replace a file by surprise, capped reads, and disposable files that
are only trusted for the exact input they were made from.

A durable write produces the bytes first (nothing is touched if that fails) and writes them to
a temp file beside the real file, flushed and fsynced; the previous file becomes the backup (a
hard link, no copy), the temp file is renamed over the real one with ``os.replace``, and the
directory is fsynced. Readers see the old file or the new one, never a mix; a killed writer
leaves at most a temp file, which the next start removes under the lock.

Disposable caches that are trusted for one input only are `paperterm.keyed`'s.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

Signature = tuple[int, int, int, int, int]


def real_path(path: Path) -> Path:
    """The file a save must replace: a symlink's target, so the link itself survives."""
    return Path(os.path.realpath(path))


def signature(path: Path) -> Signature | None:
    """Identity and version of a file, to tell whether someone replaced it since we read it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class NotRegular(OSError):
    """A path that should be a regular file is a directory, a FIFO, a device or a socket;
    `str()` is a one-line message naming it. Reading a FIFO or a device would hang or never
    end, and replacing one is not ours to do."""

    def __init__(self, path: Path | str, kind: str) -> None:
        super().__init__(errno.EINVAL, f"{path} is a {kind}, not a regular file", str(path))
        self.kind = kind

    def __str__(self) -> str:
        return str(self.strerror)


def file_kind(mode: int) -> str:
    """What a `st_mode` is, in words ("regular file", "FIFO", "character device" ...)."""
    kinds = (
        (stat.S_ISREG, "regular file"),
        (stat.S_ISDIR, "directory"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
    )
    return next((name for test, name in kinds if test(mode)), "special file")


def check_regular(path: Path) -> bool:
    """True when `path` (a symlink followed) is a regular file, False when it does not exist;
    raises `NotRegular` for anything else."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(mode):
        raise NotRegular(path, file_kind(mode))
    return True


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o666) -> int:
    """`os.open` that never hangs on a FIFO or a device and refuses anything but a regular
    file (raises `NotRegular`, or the OSError of opening it)."""
    try:
        fd = os.open(path, flags | _O_NONBLOCK | _O_NOCTTY, mode)
    except IsADirectoryError:
        raise NotRegular(path, "directory") from None
    except OSError as exc:  # a socket cannot be opened at all (ENXIO)
        try:
            st_mode = os.stat(path).st_mode
        except OSError:
            raise exc from None
        if not stat.S_ISREG(st_mode):
            raise NotRegular(path, file_kind(st_mode)) from None
        raise
    try:
        st_mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(st_mode):
            raise NotRegular(path, file_kind(st_mode))
    except BaseException:
        os.close(fd)
        raise
    return fd


_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # for regular files it changes nothing
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)


def read_bytes(path: Path) -> tuple[bytes, Signature] | None:
    """The file's bytes and the signature of exactly what was read; None when missing.
    Raises `NotRegular` for a directory, FIFO, device or socket."""
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        return None
    with open(fd, "rb") as handle:
        data = handle.read()
        st = os.fstat(handle.fileno())
    return data, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def atomic_write(
    target: Path, data: bytes, *, backup: Path | None = None, durable: bool = True
) -> None:
    """Replace `target` with `data` so that readers see the old or the new file, never a mix.

    An existing file keeps its mode; a new one is 0600 (a reading list is private). When
    `backup` is given and `target` exists, the old file becomes `backup` (a hard link, so it
    costs no copy). On any error the temp file is removed and `target` is untouched. Without
    `durable` nothing is fsynced: for files whose loss or tearing is detected and harmless."""
    directory = target.parent
    try:
        mode: int | None = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, temp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=directory)
    try:
        with open(fd, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if backup is not None and mode is not None:
            _link_over(target, backup)
        os.replace(temp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    if durable:
        fsync_dir(directory)


def _link_over(source: Path, link: Path) -> None:
    # os.link refuses to overwrite, so link under a fresh temp name and rename over `link`.
    temp = link.parent / f"{_temp_prefix(source)}{os.urandom(6).hex()}.tmp"
    try:
        os.link(source, temp)
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
            return  # no hard links on this file system: we go without a backup
        raise
    try:
        os.replace(temp, link)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (ext4 and others lose it on power cut otherwise).
    Windows cannot open a directory, and needs no such step."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def move_aside(target: Path, stamp: str, siblings: tuple[str, ...] = ()) -> Path:
    """Rename a damaged file to ``<name>.corrupt-<stamp>`` (``-2``, ``-3`` ... when taken),
    never replacing an earlier one, and each of its `siblings` (suffixes such as ``-wal``)
    beside it. Call with the lock held."""
    for n in range(1, 1000):
        aside = target.with_name(f"{target.name}.corrupt-{stamp}" + (f"-{n}" if n > 1 else ""))
        try:
            os.link(target, aside)  # fails if `aside` exists: an earlier damaged file stays
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP):
                raise
            if aside.exists():
                continue
            os.rename(target, aside)
        else:
            os.unlink(target)
        for suffix in siblings:
            side = target.with_name(target.name + suffix)
            with suppress(FileNotFoundError):
                side.replace(aside.with_name(aside.name + suffix))
        fsync_dir(target.parent)
        return aside
    raise FileExistsError(errno.EEXIST, "too many damaged copies", str(target))


def remove_stale_temps(target: Path) -> list[Path]:
    """Delete temp files a killed writer left beside `target`. Call with the lock held: every
    live writer holds it while its temp file exists, so whatever is left is orphaned."""
    removed = []
    for temp in target.parent.glob(f"{_glob_escape(_temp_prefix(target))}*.tmp"):
        try:
            temp.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            break  # a directory we may not change: leftovers are harmless, tried next start
        removed.append(temp)
    return removed


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


class LockTimeout(OSError):
    """Another process held the state lock for longer than we were willing to wait."""


@contextmanager
def locked(lock_file: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (created 0600, never deleted: deleting a lock
    file lets two processes lock two different files). Released when the process dies, so a
    killed writer cannot block the next one. `flock` on POSIX, `msvcrt.locking` on Windows."""
    fd = open_regular(lock_file, os.O_RDWR | os.O_CREAT | _O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.002
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockTimeout(errno.EWOULDBLOCK, "locked by another paperterm", str(lock_file))
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def hold_lock(lock_file: Path) -> int | None:
    """The descriptor of `lock_file`, locked exclusively without waiting; None when another
    process holds it. The lock lasts until every copy of the descriptor is closed, so a child
    given it (``pass_fds``) holds it from before it starts."""
    fd = open_regular(lock_file, os.O_RDWR | os.O_CREAT | _O_CLOEXEC, 0o600)
    if _try_lock(fd):
        return fd
    os.close(fd)
    return None


def _try_lock(fd: int) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            # One byte at offset 0, which every locker agrees on (the file may stay empty).
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        except PermissionError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# -- exports and imports --------------------------------------------------------------------


class WriteRefused(Exception):
    """`write_new` did not write; `str()` is a one-line message naming the path."""


def write_new(path: Path, data: bytes, *, force: bool = False) -> Path:
    """Write `data` to `path` whole or not at all; an existing file is kept unless `force`.
    Returns the path written (a symlink's target). Raises `WriteRefused`.

    Unlike `atomic_write` (the state file), this must not replace a file that appeared
    meanwhile unless forced: the temp file is hard-linked into place, which refuses to."""
    path = path.expanduser()
    target = path.resolve() if path.is_symlink() else path
    try:
        check_regular(target)
    except NotRegular as exc:
        raise WriteRefused(f"{path} is a {exc.kind}: only a regular file is replaced") from None
    if not target.parent.is_dir():
        raise WriteRefused(f"cannot write {path}: the directory {target.parent} does not exist")
    if target.exists() and not force:
        raise WriteRefused(f"{path} exists; use --force to replace it")
    temp = str(target.parent / f".{target.name}.{os.urandom(6).hex()}.tmp")
    try:
        # Created like any new file (0666 less the umask), unlike mkstemp's 0600.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise WriteRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(temp, target)
        else:
            os.link(temp, target)
            os.unlink(temp)
        fsync_dir(target.parent)
    except FileExistsError:
        _remove(temp)
        raise WriteRefused(f"{path} exists; use --force to replace it") from None
    except OSError as exc:
        _remove(temp)
        raise WriteRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    return target


def read_capped(path: Path, limit: int) -> bytes | None:
    """The bytes of `path`, or None when it holds more than `limit`. Raises OSError
    (`NotRegular` for a directory, FIFO, device or socket: /dev/zero never ends)."""
    with open(open_regular(path), "rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def _remove(path: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)
