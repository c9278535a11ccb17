"""Faults the state store must survive in one process: damaged files, a newer schema, failing
writes, permissions, symlinks, file modes, leftovers of killed writers, a held lock."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hf_data import NOW, fixture_papers

from paperterm.library import AddBookmark, MarkRead, PutBookmark, SetNote, StateStore
from paperterm.paths import Paths
from paperterm.records import replace

STAMP = "20260821T150000Z"
ROOT = os.geteuid() == 0


def open_store(path: Path) -> tuple[StateStore, tuple[str, ...]]:
    store = StateStore(path, clock=lambda: NOW, lock_timeout=0.5)
    return store, store.load()


def saved_store(paths: Paths, count: int = 3) -> StateStore:
    """A store whose file holds `count` bookmarks and as many read marks."""
    store, _ = open_store(paths.state_file)
    for paper in fixture_papers()[:count]:
        store.apply(AddBookmark(paper, tags=("kept",)))
        store.apply(MarkRead((paper.id,)))
    return store


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# -- damage ------------------------------------------------------------------------------------

DAMAGE = {
    "empty": b"",
    "truncated": b'schema_version = 1\n\n[bookmarks."2403.06634"]\nadded_at = 2026-08-2',
    "nul bytes": b"\0" * 512,
    "latin-1 byte": 'schema_version = 1\nnote = "caf\u00e9"\n'.encode("latin-1"),
    "not toml": b"this is not a state file\n",
    "duplicate key": b"schema_version = 1\nschema_version = 1\n",
    "wrong type": b'schema_version = 1\n[read]\n"2403.06634" = "yesterday"\n',
    "no schema_version": b'[read]\n"2403.06634" = 2026-08-20T10:00:00Z\n',
}


@pytest.mark.parametrize("data", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_file_is_moved_aside_and_the_store_starts_empty(
    paths: Paths, data: bytes
) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.state_file.write_bytes(data)
    store, notices = open_store(paths.state_file)
    aside = paths.data_dir / f"state.toml.corrupt-{STAMP}"
    assert len(notices) == 1 and "\n" not in notices[0]
    assert str(aside) in notices[0] and "starting empty" in notices[0]
    assert aside.read_bytes() == data  # kept byte for byte
    assert not paths.state_file.exists()
    assert store.state.read == {} and store.state.bookmarks == {}
    change = store.apply(MarkRead(("2403.06634",)))
    assert change.saved and change.notices == ()
    assert aside.read_bytes() == data
    assert open_store(paths.state_file)[1] == ()


def test_a_damaged_copy_is_never_overwritten(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    for n, data in enumerate((b"first", b"second", b"third"), start=1):
        paths.state_file.write_bytes(data)
        _, notices = open_store(paths.state_file)
        suffix = "" if n == 1 else f"-{n}"
        assert f"state.toml.corrupt-{STAMP}{suffix}" in notices[0]
    assert (paths.data_dir / f"state.toml.corrupt-{STAMP}").read_bytes() == b"first"
    assert (paths.data_dir / f"state.toml.corrupt-{STAMP}-2").read_bytes() == b"second"
    assert (paths.data_dir / f"state.toml.corrupt-{STAMP}-3").read_bytes() == b"third"


def test_damage_recovers_from_the_last_good_copy(paths: Paths) -> None:
    store = saved_store(paths, count=3)
    before_last_save = paths.state_file.read_bytes()
    store.apply(SetNote(fixture_papers()[0].id, "latest"))
    backup = paths.data_dir / "state.toml.bak"
    assert backup.read_bytes() == before_last_save  # the file as it was before the last save
    paths.state_file.write_bytes(b"\0\0\0 garbage")
    fresh, notices = open_store(paths.state_file)
    assert len(notices) == 1
    assert f"state.toml.corrupt-{STAMP}" in notices[0]
    assert "kept 3 bookmarks and 3 read marks from the last good copy" in notices[0]
    assert len(fresh.state.bookmarks) == 3 and len(fresh.state.read) == 3
    # written at once, so another instance sees the recovered state too
    other, other_notices = open_store(paths.state_file)
    assert other_notices == () and other.state == fresh.state
    assert backup.read_bytes() == before_last_save  # no rotation over a missing file


def test_damage_found_while_running_keeps_what_this_instance_knew(paths: Paths) -> None:
    store = saved_store(paths, count=4)
    known = store.state
    paths.state_file.write_bytes(b"schema_version = 1\n[read\n")  # someone breaks it
    change = store.apply(MarkRead(("2501.00001",)))
    assert change.saved
    assert len(change.notices) == 1 and f"state.toml.corrupt-{STAMP}" in change.notices[0]
    assert "kept 4 bookmarks and 4 read marks" in change.notices[0]
    fresh, notices = open_store(paths.state_file)
    assert notices == ()
    assert fresh.state.bookmarks == known.bookmarks
    assert set(fresh.state.read) == set(known.read) | {"2501.00001"}
    assert (
        paths.data_dir / f"state.toml.corrupt-{STAMP}"
    ).read_bytes() == b"schema_version = 1\n[read\n"


# -- newer schema ------------------------------------------------------------------------------

NEWER = (
    b'schema_version = 2\nnew_thing = "x"\n\n[bookmarks."2403.06634"]\n'
    b'added_at = 2026-08-20T10:00:00Z\n\n[read]\n"2403.06634" = 2026-08-20T10:00:00Z\n'
)


def test_a_newer_schema_is_read_only(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.state_file.write_bytes(NEWER)
    store, notices = open_store(paths.state_file)
    assert len(notices) == 1 and "newer paperterm (schema 2)" in notices[0]
    assert "read-only" in notices[0]
    assert store.read_only is not None and store.problem == store.read_only
    assert set(store.state.bookmarks) == {"2403.06634"}  # shown, as far as it could be read
    change = store.apply(MarkRead(("2501.00001",)))
    assert change.changed and not change.saved
    assert change.notices == (store.read_only,)
    assert store.state.is_read("2501.00001")  # in memory
    assert store.sync() == ()
    assert paths.state_file.read_bytes() == NEWER
    assert sorted(p.name for p in paths.data_dir.iterdir()) == ["state.toml", "state.toml.lock"]


def test_a_newer_schema_that_cannot_be_read_is_still_never_written(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    data = b"schema_version = 9\nread = 1\n"
    paths.state_file.write_bytes(data)
    store, notices = open_store(paths.state_file)
    assert "could not be read" in notices[0]
    store.apply(MarkRead(("2501.00001",)))
    assert paths.state_file.read_bytes() == data
    assert not list(paths.data_dir.glob("*corrupt*"))


def test_a_newer_schema_written_while_running_stops_saving(paths: Paths) -> None:
    store = saved_store(paths, count=1)
    paths.state_file.write_bytes(NEWER)
    change = store.apply(MarkRead(("2501.00001",)))
    assert not change.saved and "newer paperterm" in change.notices[0]
    assert paths.state_file.read_bytes() == NEWER
    assert store.state.is_read("2501.00001")


# -- failing writes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "disk full"),
        (errno.EDQUOT, "disk quota exceeded"),
        (errno.EIO, "Input/output error"),
    ],
)
def test_a_failing_write_leaves_the_file_and_is_retried(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    store = saved_store(paths)
    before = paths.state_file.read_bytes()
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(code, os.strerror(code))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    change = store.apply(SetNote(fixture_papers()[0].id, "unsaved"))
    assert change.changed and not change.saved and store.dirty
    assert len(change.notices) == 1 and words in change.notices[0]
    assert "file on disk is unchanged" in change.notices[0]
    assert store.problem == change.notices[0]
    assert store.state.bookmarks[fixture_papers()[0].id].note == "unsaved"
    assert paths.state_file.read_bytes() == before
    assert leftovers(paths.data_dir) == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    later = store.apply(MarkRead(("2501.00001",)))
    assert later.saved and not store.dirty and store.problem is None
    assert later.notices == (f"saved {paths.state_file}: earlier changes are on disk now",)
    fresh, _ = open_store(paths.state_file)
    assert fresh.state.bookmarks[fixture_papers()[0].id].note == "unsaved"
    assert fresh.state.is_read("2501.00001")


def test_a_read_only_file_system_is_reported(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    store = saved_store(paths)
    before = paths.state_file.read_bytes()

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    real_open = os.open

    def read_only_open(path: object, flags: int, *args: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse()
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(os, "open", read_only_open)  # the journal (and its lock) too
    change = store.apply(MarkRead(("2501.00001",)))
    assert not change.saved and "read-only file system" in change.notices[0]
    assert paths.state_file.read_bytes() == before
    monkeypatch.undo()
    assert store.sync() == (f"saved {paths.state_file}: earlier changes are on disk now",)


@pytest.mark.skipif(ROOT, reason="root ignores permissions; test_state_process covers it")
def test_a_read_only_directory(paths: Paths) -> None:
    store = saved_store(paths)
    before = paths.state_file.read_bytes()
    paths.data_dir.chmod(0o555)
    try:
        fresh, notices = open_store(paths.state_file)
        assert notices == ()
        change = fresh.apply(MarkRead(("2501.00001",)))
        assert not change.saved and "permission denied" in change.notices[0]
        assert paths.state_file.read_bytes() == before
    finally:
        paths.data_dir.chmod(0o755)
    assert fresh.sync()[0].startswith("saved")
    assert store.sync() == ()


@pytest.mark.skipif(ROOT, reason="root ignores permissions; test_state_process covers it")
def test_an_unreadable_file_is_never_overwritten(paths: Paths) -> None:
    saved_store(paths)
    before = paths.state_file.read_bytes()
    paths.state_file.chmod(0)
    try:
        store, notices = open_store(paths.state_file)
        assert "could not read" in notices[0] and "permission denied" in notices[0]
        change = store.apply(MarkRead(("2501.00001",)))
        assert not change.saved
    finally:
        paths.state_file.chmod(0o600)
    assert paths.state_file.read_bytes() == before


def test_an_unreadable_file_is_never_overwritten_injected(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_store(paths)
    before = paths.state_file.read_bytes()

    def denied(path: Path) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr("paperterm.library._disk.read_bytes", denied)
    store, notices = open_store(paths.state_file)
    assert notices == (
        f"could not read {paths.state_file} (permission denied): starting empty, not saving",
    )
    change = store.apply(MarkRead(("2501.00001",)))
    assert not change.saved and "permission denied" in change.notices[0]
    assert paths.state_file.read_bytes() == before


def test_a_missing_data_dir_is_created_with_parents(paths: Paths) -> None:
    assert not paths.data_dir.parent.exists()
    store, notices = open_store(paths.state_file)
    assert notices == () and paths.data_dir.is_dir()
    assert store.apply(MarkRead(("2501.00001",))).saved


def test_a_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a directory should be")
    path = tmp_path / "blocker" / "paperterm" / "state.toml"
    store, notices = open_store(path)
    assert len(notices) == 1 and "could not create" in notices[0]
    change = store.apply(MarkRead(("2501.00001",)))
    assert change.changed and not change.saved and "could not save" in change.notices[0]
    assert store.state.is_read("2501.00001")


# -- symlinks, modes, durability, leftovers, the lock ------------------------------------------


def test_a_symlinked_state_file_stays_a_link(paths: Paths, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "paperterm-state.toml"
    store, _ = open_store(target)
    store.apply(MarkRead(("2501.00001",)))
    paths.data_dir.mkdir(parents=True)
    paths.state_file.symlink_to(Path("..") / ".." / "dotfiles" / "paperterm-state.toml")
    linked, notices = open_store(paths.state_file)
    assert notices == () and linked.state.is_read("2501.00001")
    linked.apply(MarkRead(("2501.00002",)))
    linked.apply(MarkRead(("2501.00003",)))
    assert paths.state_file.is_symlink()
    assert os.readlink(paths.state_file) == "../../dotfiles/paperterm-state.toml"
    reread, _ = open_store(target)
    assert set(reread.state.read) == {"2501.00001", "2501.00002", "2501.00003"}
    # temp, backup and lock files go beside the target, where the rename is atomic
    assert sorted(p.name for p in paths.data_dir.iterdir()) == ["state.toml"]
    assert (dotfiles / "paperterm-state.toml.bak").is_file()


def test_a_dangling_symlink_creates_its_target(paths: Paths, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "state.toml"
    paths.data_dir.mkdir(parents=True)
    paths.state_file.symlink_to(target)
    store, notices = open_store(paths.state_file)
    assert notices == ()
    assert store.apply(MarkRead(("2501.00001",))).saved
    assert paths.state_file.is_symlink() and target.is_file()


def test_a_new_file_is_private(paths: Paths) -> None:
    old = os.umask(0)
    try:
        store, _ = open_store(paths.state_file)
        store.apply(MarkRead(("2501.00001",)))
    finally:
        os.umask(old)
    assert stat.S_IMODE(paths.state_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((paths.data_dir / "state.toml.lock").stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_an_existing_mode_is_kept(paths: Paths, mode: int) -> None:
    store = saved_store(paths, count=1)
    paths.state_file.chmod(mode)
    store.apply(MarkRead(("2501.00001",)))
    store.apply(MarkRead(("2501.00002",)))
    assert stat.S_IMODE(paths.state_file.stat().st_mode) == mode
    assert open_store(paths.state_file)[0].state.is_read("2501.00002")


def test_every_save_syncs_the_file_and_its_directory(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = saved_store(paths)
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        mode = os.fstat(fd).st_mode
        synced.append("dir" if stat.S_ISDIR(mode) else "file")
        real_fsync(fd)

    def spy_replace(src: str, dst: str) -> None:
        synced.append("replace")
        os.rename(src, dst)

    monkeypatch.setattr(os, "fsync", spy)
    monkeypatch.setattr(os, "replace", spy_replace)
    store.apply(MarkRead(("2501.00001",)))
    # The change goes into a new journal (its data, then its directory entry), the journal is
    # set aside for folding, then the file: data before the rename (backup link, then the
    # state file), directory after it.
    assert synced == ["dir", "file", "replace", "file", "replace", "replace", "dir"]


def test_leftovers_of_killed_writers_are_removed_at_start(paths: Paths) -> None:
    saved_store(paths)
    stale = [paths.data_dir / ".state.toml.x1y2z3.tmp", paths.data_dir / ".state.toml.abc.tmp"]
    keep = [
        paths.data_dir / ".other.toml.abc.tmp",
        paths.data_dir / "notes.tmp",
        paths.data_dir / "state.toml.corrupt-20250101T000000Z",
    ]
    for path in stale + keep:
        path.write_bytes(b"half a file")
    _, notices = open_store(paths.state_file)
    assert notices == ()
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in keep)


@contextmanager
def held_lock(paths: Paths) -> Iterator[None]:
    """Another process's view: the state lock, held."""
    fd = os.open(paths.data_dir / "state.toml.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def test_a_held_lock_delays_saving_without_losing_anything(paths: Paths) -> None:
    store = saved_store(paths)
    before = paths.state_file.read_bytes()
    with held_lock(paths):
        change = store.apply(MarkRead(("2501.00001",)))
        # Durable in the journal at once; the file waits for the lock.
        assert change.saved and store.problem is None
        assert "locked by another paperterm" in change.notices[0]
        assert "safe in state.toml.journal" in change.notices[0]
        assert paths.state_file.read_bytes() == before
        # loading still works, without the lock, and sees the change in the journal
        other, notices = open_store(paths.state_file)
        assert notices == () and len(other.state.bookmarks) == 3
        assert other.state.is_read("2501.00001")
    assert store.sync() == ()
    assert paths.state_file.read_bytes() != before
    assert not (paths.data_dir / "state.toml.journal").exists()
    assert open_store(paths.state_file)[0].state.is_read("2501.00001")


def test_a_file_deleted_while_running_is_written_back(paths: Paths) -> None:
    store = saved_store(paths, count=2)
    paths.state_file.unlink()
    change = store.apply(MarkRead(("2501.00001",)))
    assert change.saved
    assert change.notices == (
        f"{paths.state_file} had disappeared; kept 2 bookmarks and 2 read "
        "marks from what this instance had read",
    )
    fresh, _ = open_store(paths.state_file)
    assert len(fresh.state.bookmarks) == 2 and len(fresh.state.read) == 3


def test_a_file_deleted_before_start_means_starting_empty(paths: Paths) -> None:
    saved_store(paths, count=2)
    paths.state_file.unlink()
    store, notices = open_store(paths.state_file)
    assert notices == () and store.state.bookmarks == {}
    store.apply(MarkRead(("2501.00001",)))
    assert open_store(paths.state_file)[0].state.read.keys() == {"2501.00001"}


def test_leftovers_that_cannot_be_removed_do_not_stop_loading(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_store(paths)
    (paths.data_dir / ".state.toml.stale.tmp").write_bytes(b"half")

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", refuse)
    store, notices = open_store(paths.state_file)
    assert notices == () and len(store.state.bookmarks) == 3


def test_a_value_with_no_toml_form_is_reported_and_can_be_undone(paths: Paths) -> None:
    store = saved_store(paths)
    before = paths.state_file.read_bytes()
    odd = replace(store.state.bookmarks[fixture_papers()[0].id], extra={"odd": {1, 2}})  # a set
    change = store.apply(PutBookmark(odd))
    assert not change.saved and "cannot be written as TOML" in change.notices[0]
    assert paths.state_file.read_bytes() == before
    undone = store.undo()
    assert undone is not None and undone.saved  # the queue replays to a writable state
    assert open_store(paths.state_file)[0].state == store.state


def test_notices_stay_on_one_line(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.state_file.write_bytes(b'schema_version = 1\n[read]\n"evil\\nkey\\u001b[31m" = 3\n')
    _, notices = open_store(paths.state_file)
    assert len(notices) == 1 and notices[0].isprintable()
    assert "read.evil\ufffdkey\ufffd[31m: expected a date-time" in notices[0]
