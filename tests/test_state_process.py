"""The state file against real processes: writers killed mid-save, two writers at once, a file
size limit, and a directory the writer may not change (tests/state_worker.py does the work).
The first three also run with a parse cache shared by every process."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hf_data import FIXTURES, NOW
from state_worker import writer_ops

from paperterm.feed.ingest import ingest_items
from paperterm.files import read_keyed
from paperterm.library import AddBookmark, MarkRead, StateStore
from paperterm.library._encoder import Encoder
from paperterm.library._parsecache import CACHE_KIND, cache_key
from paperterm.library.tomlfile import decode
from paperterm.models import Paper, ReadingState
from paperterm.paths import Paths

WORKER = Path(__file__).with_name("state_worker.py")
ROOT = os.geteuid() == 0
# Each kill costs 0.1-0.2 s, most of it starting Python: 60 keep the test well under 20 s.
KILLS = 60


def all_fixture_papers() -> list[Paper]:
    papers: list[Paper] = []
    for day in sorted((FIXTURES / "daily_papers" / "raw").glob("*.json")):
        papers += ingest_items(json.loads(day.read_text("utf-8")), NOW, "daily").papers
    return papers


def seed(path: Path, bookmarks: int, read: int) -> StateStore:
    """A state file with real snapshots and synthetic read marks, written in one save."""
    store = StateStore(path, clock=lambda: NOW)
    store.load()
    for paper in all_fixture_papers()[:bookmarks]:
        store.apply(AddBookmark(paper, tags=("seed",)), save=False)
    store.apply(MarkRead(tuple(f"1000.{i:05d}" for i in range(read))), save=False)
    assert store.sync() == ()
    return store


def spawn(
    *args: str, prefix: list[str] | None = None, cache: Path | None = None
) -> subprocess.Popen[str]:
    env = dict(os.environ)
    if cache is not None:
        env["PAPERTERM_TEST_STATE_CACHE"] = str(cache)
    return subprocess.Popen(
        [*(prefix or []), sys.executable, str(WORKER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=WORKER.parent,
        env=env,
    )


def cache_agrees(path: Path, cache: Path | None) -> bool:
    """Whatever the cache holds for the file as it is now is exactly what parsing it gives;
    True if it holds anything."""
    if cache is None:
        return False
    data = path.read_bytes()
    payload = read_keyed(cache, CACHE_KIND, cache_key(data))
    restored = None if payload is None else Encoder().restore(payload, data)
    if restored is None:
        return False
    expected = decode(data)
    assert restored[0] == expected
    assert [b.extra for b in restored[0].bookmarks.values()] == [
        b.extra for b in expected.bookmarks.values()
    ]
    return True


def reply(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, process.stderr.read() if process.stderr else "worker died"
    result: dict[str, Any] = json.loads(line)
    return result


def catch_inside_a_save(worker: subprocess.Popen[str], directory: Path) -> None:
    """Stop `worker` while its temp file exists, i.e. in the middle of a save (it saves all
    the time, so this is quick); the caller kills it there. Polls the directory, never a
    clock: on a busy machine it takes longer, but it still lands inside a save."""
    for _ in range(100_000):
        if any(directory.glob(".state.toml.*.tmp")):
            worker.send_signal(signal.SIGSTOP)
            if any(directory.glob(".state.toml.*.tmp")):
                return
            worker.send_signal(signal.SIGCONT)
    raise AssertionError("the worker never started a save")


@pytest.mark.parametrize("cached", [False, True], ids=["no cache", "with a parse cache"])
def test_a_writer_killed_mid_save_leaves_the_old_or_the_new_file(
    paths: Paths, cached: bool
) -> None:
    """SIGKILL at random moments of a writer that saves all the time: every time, the file
    reads cleanly and holds a complete run of its saves, and nothing is moved aside."""
    seed(paths.state_file, bookmarks=30, read=1000)
    cache = paths.state_cache if cached else None
    rng = random.Random(4)
    saved, mid_save, hits = 0, 0, 0
    upcoming = spawn("churn", str(paths.state_file), cache=cache)
    for _ in range(KILLS if not cached else KILLS // 2):
        worker, upcoming = upcoming, spawn("churn", str(paths.state_file), cache=cache)
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
        ready = reply(worker)
        assert ready["start"] == saved  # the previous kill lost no completed save
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0, 0.03))  # anywhere: between saves or inside one
        else:
            catch_inside_a_save(worker, paths.data_dir)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        mid_save += any(paths.data_dir.glob(".state.toml.*.tmp"))
        read, bookmarks, _ = decode(paths.state_file.read_bytes())  # raises if broken
        churned = sorted(i for i in read if i.startswith("9999."))
        assert churned == [f"9999.{i:05d}" for i in range(len(churned))]
        assert len(churned) >= saved
        saved = len(churned)
        assert len(bookmarks) == 30 and len(read) == 1000 + saved
        hits += cache_agrees(paths.state_file, cache)
    upcoming.kill()
    upcoming.wait()
    assert mid_save > 0, "no kill landed in the middle of a save"
    assert not list(paths.data_dir.glob("*corrupt*"))
    store = StateStore(paths.state_file, cache=cache)
    assert store.load() == ()
    assert store.state == ReadingState(*decode(paths.state_file.read_bytes()))
    assert not cached or hits > 0, "the cache was never current"
    assert not list(paths.data_dir.glob("*.tmp"))  # the leftovers were cleaned up
    assert not list(paths.cache_dir.glob("*.tmp"))


@pytest.mark.parametrize(
    ("linked", "rounds", "cached"),
    [(False, 20, False), (True, 5, False), (False, 10, True)],
    ids=["same path", "one through a symlink", "sharing a parse cache"],
)
def test_two_concurrent_writers_lose_nothing(
    paths: Paths, tmp_path: Path, linked: bool, rounds: int, cached: bool
) -> None:
    """Two processes load, then both make a dozen changes at once, round after round: every
    read mark, bookmark, tag, note and removal of both is in the file afterwards."""
    seed(paths.state_file, bookmarks=5, read=500)
    cache = paths.state_cache if cached else None
    other_path = paths.state_file
    if linked:
        other_path = tmp_path / "link-to-state.toml"
        other_path.symlink_to(paths.state_file)
    count = 12
    expected = ReadingState()
    for round_ in range(rounds):
        go = tmp_path / f"go-{round_}"
        names = (f"A{round_}", f"B{round_}")
        workers = [
            spawn("writer", str(path), name, str(count), str(go), cache=cache)
            for path, name in zip((paths.state_file, other_path), names, strict=True)
        ]
        for worker in workers:
            assert reply(worker)["step"] == "loaded"
        go.touch()
        for worker in workers:
            done = reply(worker)
            assert done == {"step": "done", "notices": [], "dirty": False}
            assert worker.wait(timeout=30) == 0
        for name in names:
            for op in writer_ops(name, count):
                expected, _ = op.apply(expected)
        read, bookmarks, _ = decode(paths.state_file.read_bytes())
        assert set(expected.read) <= set(read)
        mine = {k: v for k, v in bookmarks.items() if k[0] in "AB"}
        assert set(mine) == set(expected.bookmarks)
        for key, mark in mine.items():
            assert (mark.tags, mark.note) == (
                expected.bookmarks[key].tags,
                expected.bookmarks[key].note,
            )
        assert len(read) == 500 + len(expected.read) and len(bookmarks) == 5 + len(mine)
        cache_agrees(paths.state_file, cache)
    assert paths.state_file.is_symlink() is False
    assert (
        not cached
        or read_keyed(paths.state_cache, CACHE_KIND, cache_key(paths.state_file.read_bytes()))
        is not None
    )
    assert not linked or other_path.is_symlink()


@pytest.mark.parametrize("cached", [False, True], ids=["no cache", "with a parse cache"])
def test_a_file_size_limit_leaves_the_file_and_a_later_save_succeeds(
    paths: Paths, cached: bool
) -> None:
    seed(paths.state_file, bookmarks=20, read=200)
    cache = paths.state_cache if cached else None
    worker = spawn("fsize", str(paths.state_file), cache=cache)
    limited, unlimited = reply(worker), reply(worker)
    assert worker.wait(timeout=30) == 0
    assert limited["step"] == "limited"
    assert limited["saved"] is False and limited["unchanged"] is True and limited["temps"] == []
    assert len(limited["notices"]) == 1 and "file too large" in limited["notices"][0]
    assert "the file on disk is unchanged" in limited["notices"][0]
    assert unlimited["saved"] is True
    assert unlimited["notices"] == [f"saved {paths.state_file}: earlier changes are on disk now"]
    store = StateStore(paths.state_file, cache=cache)
    assert store.load() == ()
    assert store.state.is_bookmarked("3333.00001") and store.state.is_read("3333.00002")
    assert len(store.state.bookmarks) == 21
    cache_agrees(paths.state_file, cache)


def try_as_restricted_user(path: Path) -> dict[str, Any]:
    """Run the `try` job subject to permission bits. Root ignores them, so as root the worker
    runs without the capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    prefix: list[str] = []
    if ROOT:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permission bits cannot be tested")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    worker = spawn("try", str(path), prefix=prefix)
    result = reply(worker)
    assert worker.wait(timeout=30) == 0
    return result


def test_a_read_only_directory(tmp_path: Path) -> None:
    path = tmp_path / "paperterm" / "state.toml"
    seed(path, bookmarks=3, read=10)
    before = path.read_bytes()
    path.chmod(0o644)
    path.parent.chmod(0o555)
    try:
        result = try_as_restricted_user(path)
    finally:
        path.parent.chmod(0o755)
    assert result["load"] == []  # reading needs no write access
    assert result["bookmarks"] == 3 and result["read"] == 11  # the change is in memory
    assert result["saved"] is False
    assert len(result["notices"]) == 1 and "permission denied" in result["notices"][0]
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_file_the_user_may_not_read(tmp_path: Path) -> None:
    path = tmp_path / "paperterm" / "state.toml"
    seed(path, bookmarks=3, read=10)
    before = path.read_bytes()
    path.chmod(0o200)  # writable but unreadable, in a writable directory: still never replaced
    try:
        result = try_as_restricted_user(path)
    finally:
        path.chmod(0o600)
    assert len(result["load"]) == 1 and "could not read" in result["load"][0]
    assert "permission denied" in result["load"][0]
    assert result["saved"] is False and "permission denied" in result["notices"][0]
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*corrupt*"))
