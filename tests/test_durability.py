"""Nothing triaged is lost: the terminal closing (SIGHUP), a kill (SIGTERM, SIGINT) right after
a burst of keys, quitting while another process holds the locks, and bulk changes that stay
linear. The signal rounds run the installed reader on a real pseudo-terminal."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import pty
import random
import select
import shutil
import signal
import struct
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from appdata import NOW, build_app, fire_timers, paths_in, trending_papers, until
from hf_data import collection_papers

from paperterm.feed import FeedCache
from paperterm.files import locked
from paperterm.library import AddBookmark, MarkRead, StateStore
from paperterm.models import FeedSpec, ReadingState
from paperterm.ui.screens.prompt import UnsavedModal

BURST = ["m", "j", "m", "j", "m", "j", "m", "j", "b"]


def seed_home(home: Path, *, state_bytes: int) -> list[str]:
    """A cache whose trending list is known, and a state file of about `state_bytes` (real
    snapshots and read marks of papers that are not on that list). Returns the list's ids."""
    trending = trending_papers()
    cache = FeedCache(paths_in(home).cache_db)
    spec = FeedSpec("trending")
    cache.store_feed(spec, spec, trending, dt.datetime.now(dt.UTC))
    cache.close()
    # No read-after-a-moment: on a busy machine it could mark a paper before `m` toggles it.
    paths_in(home).config_dir.mkdir(parents=True, exist_ok=True)
    paths_in(home).config_file.write_text("auto_read_delay = 0\n", "utf-8")
    paths = paths_in(home)
    store = StateStore(paths.state_file, clock=lambda: NOW, cache=paths.state_cache)
    store.load()
    shown = {p.id for p in trending}
    others = [p for p in collection_papers() if p.id not in shown]
    marks = [AddBookmark(p, tags=("seed",)) for p in others[: state_bytes // 6000]]
    for op in marks:
        store.apply(op, save=False)
    store.apply(MarkRead(tuple(f"1000.{i:05d}" for i in range(state_bytes // 50))), save=False)
    assert store.sync() == ()
    return [p.id for p in trending]


def on_disk(home: Path) -> ReadingState:
    """What the next process reads: the state file (through its parse cache) and the journal."""
    paths = paths_in(home)
    store = StateStore(paths.state_file, cache=paths.state_cache)
    assert store.load() == ()
    return store.state


class Reader:
    """The installed reader on a pseudo-terminal, its output read as it comes."""

    def __init__(self, home: Path) -> None:
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
               "TEXTUAL_ANIMATIONS": "none", "HF_ENDPOINT": "http://127.0.0.1:9",
               "XDG_CACHE_HOME": str(home / "cache"), "XDG_DATA_HOME": str(home / "data"),
               "XDG_CONFIG_HOME": str(home / "config")}  # fmt: skip
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            argv = [sys.executable, "-m", "paperterm", "--offline"]
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        self.output = b""

    def wait_for(self, text: bytes, seconds: float = 60) -> None:
        """Read until `text` has been written (a generous limit: it only fails a hung app)."""
        deadline = time.monotonic() + seconds
        while text not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared: {self.output[-400:]!r}")
            if select.select([self.fd], [], [], 0.1)[0]:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    raise AssertionError(
                        f"the reader exited early: {self.output[-400:]!r}"
                    ) from None

    def keys(self, keys: list[str]) -> None:
        os.write(self.fd, "".join(keys).encode())

    def exit_status(self, seconds: float = 30) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if select.select([self.fd], [], [], 0.05)[0]:
                with suppress(OSError):
                    os.read(self.fd, 65536)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return status
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError("the reader did not exit after the signal")


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_signal_right_after_a_burst_of_keys_loses_nothing(tmp_path: Path, sig: int) -> None:
    """Ten rounds each: the reader on a 2.5 MB state, nine triage keys (four read marks and a
    bookmark), and the signal at a random moment within 100 ms of the last change showing on
    screen — when the save of that change has only just begun."""
    rng = random.Random(sig)
    template = tmp_path / "template"
    ids = seed_home(template, state_bytes=2_500_000)
    assert paths_in(template).state_file.stat().st_size > 2_000_000
    before = on_disk(template)
    for round_ in range(10):
        home = tmp_path / f"round-{round_}"
        shutil.copytree(template, home)
        reader = Reader(home)
        reader.wait_for(b"0 bookmarked")  # the list and the reading state are on screen
        reader.keys(BURST)
        reader.wait_for(b"1 bookmarked")  # every change applied
        time.sleep(rng.uniform(0, 0.1))
        os.kill(reader.pid, sig)
        reader.exit_status()
        after = on_disk(home)
        assert set(after.read) - set(before.read) == set(ids[:4]), f"round {round_}"
        assert set(after.bookmarks) - set(before.bookmarks) == {ids[4]}, f"round {round_}"


def _burst_shown(home: Path) -> tuple[Reader, list[str]]:
    """A reader on a small state, the burst of triage keys typed and shown."""
    ids = seed_home(home, state_bytes=100_000)
    reader = Reader(home)
    reader.wait_for(b"0 bookmarked")
    reader.keys(BURST)
    reader.wait_for(b"1 bookmarked")
    return reader, ids


def test_sigint_saves_too(tmp_path: Path) -> None:
    home = tmp_path / "home"
    reader, ids = _burst_shown(home)
    os.kill(reader.pid, signal.SIGINT)
    reader.exit_status()
    assert ids[4] in on_disk(home).bookmarks


def test_a_signal_while_nothing_reads_the_terminal_still_ends_the_reader(tmp_path: Path) -> None:
    """A terminal nobody reads any more (stopped, or a multiplexer dropping the session): the
    reader's last writes block, so giving the terminal back never ends; it stops anyway, a
    few seconds on, with its changes on disk."""
    home = tmp_path / "home"
    reader, ids = _burst_shown(home)
    reader.keys(["j"] * 40)  # frames to write, and nobody reads them from here on
    os.kill(reader.pid, signal.SIGHUP)
    deadline = time.monotonic() + 30
    while not (done := os.waitpid(reader.pid, os.WNOHANG))[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    if not done[0]:
        os.kill(reader.pid, signal.SIGKILL)
        os.waitpid(reader.pid, 0)
    os.close(reader.fd)
    assert done[0], "the reader hung giving back a terminal nobody reads"
    assert os.waitstatus_to_exitcode(done[1]) == 128 + signal.SIGHUP
    assert ids[4] in on_disk(home).bookmarks


@contextmanager
def held(lock_file: Path) -> Iterator[None]:
    """Another process's hold on a lock (an open file description of its own, as flock sees
    it), for as long as the block runs."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with locked(lock_file, timeout=5):
        yield


async def test_quitting_while_another_process_holds_the_state_lock_loses_nothing(
    tmp_path: Path,
) -> None:
    app = build_app(tmp_path)
    state_lock = paths_in(tmp_path).state_file.with_name("state.toml.lock")
    async with app.run_test(size=(120, 36)) as pilot:
        with held(state_lock):  # a `paperterm import` in the middle of a fold, say
            await pilot.press("b", "j", "m")
            await app.workers.wait_for_complete()
            await pilot.press("q")
            await pilot.pause()
    assert app.return_code == 0
    after = on_disk(tmp_path)
    papers = trending_papers()
    assert papers[0].id in after.bookmarks and papers[1].id in after.read


async def test_quitting_when_nothing_can_be_saved_asks_first(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    journal_lock = paths_in(tmp_path).state_file.with_name("state.toml.journal.lock")
    app.service.triage.store._lock_timeout = 0.05  # a quick verdict while the lock is held
    async with app.run_test(size=(120, 36)) as pilot:
        with held(journal_lock):  # a suspended process holding the journal (Ctrl-Z)
            await pilot.press("b")
            await app.workers.wait_for_complete()
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, UnsavedModal)
            assert "locked by another paperterm" in app.screen.problem
            await pilot.press("escape")  # stay
            await pilot.pause()
            assert app.is_running
            await pilot.press("q", "w")  # wait: retried every second until the lock is free
            await pilot.pause()
            assert app.is_running
        fire_timers(app, 1.0)
        await until(pilot, lambda: not app.is_running)
    assert trending_papers()[0].id in on_disk(tmp_path).bookmarks


async def test_quit_anyway_is_the_users_choice(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    journal_lock = paths_in(tmp_path).state_file.with_name("state.toml.journal.lock")
    app.service.triage.store._lock_timeout = 0.05
    async with app.run_test(size=(120, 36)) as pilot:
        with held(journal_lock):
            await pilot.press("b")
            await app.workers.wait_for_complete()
            await pilot.press("q")
            await pilot.pause()
            await pilot.press("q")  # quit anyway
            await pilot.pause()
        assert not app.is_running


async def test_the_reader_folds_the_journal_when_idle(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    state_file = paths_in(tmp_path).state_file
    journal = state_file.with_name("state.toml.journal")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("b")
        await app.workers.wait_for_complete()
        assert journal.exists()  # durable at once, in the journal
        assert not state_file.exists() or trending_papers()[0].id not in state_file.read_text()
        fire_timers(app, 3.0)  # the user paused
        await app.workers.wait_for_complete()
        assert not journal.exists()
        assert trending_papers()[0].id in state_file.read_text("utf-8")


def test_an_import_is_one_change_however_large(tmp_path: Path) -> None:
    from appdata import make_service

    from paperterm.exchange.writers import to_json
    from paperterm.models import Bookmark

    bookmarks = [Bookmark(p, NOW) for p in collection_papers()[:3000]]
    backup = tmp_path / "backup.json"
    backup.write_text(to_json(bookmarks), "utf-8")
    service = make_service(tmp_path)
    service.load_state()
    store = service.triage.store
    applied: list[object] = []
    apply = store.apply

    def counting(op: object, **kwargs: object) -> object:
        applied.append(op)
        return apply(op, **kwargs)  # type: ignore[arg-type]

    store.apply = counting  # type: ignore[method-assign]
    result = service.exchange.import_file(backup)
    assert result.added == 3000
    # One operation for the bookmarks and one for their citation keys: each copies the
    # bookmarks once, so the import is linear (3,000 operations were 3,000 copies each).
    assert len(applied) == 2
    assert len(on_disk(tmp_path).bookmarks) == 3000
