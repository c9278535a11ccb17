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
from pathlib import Path
from typing import Any

import pytest
from forked import Worker, spawn
from hf_data import FIXTURES, NOW
from state_worker import writer_ops

from paperterm.feed.ingest import ingest_items
from paperterm.keyed import read_keyed
from paperterm.library import AddBookmark, MarkRead, StateStore
from paperterm.library._encoder import Encoder
from paperterm.library._parsecache import CACHE_KIND, cache_key
from paperterm.library.tomlfile import decode
from paperterm.models import Paper, ReadingState
from paperterm.paths import Paths

WORKER = Path(__file__).with_name("state_worker.py")
ROOT = os.geteuid() == 0
# Workers are forked from a warm server (tests/forked.py): a kill costs milliseconds.
KILLS = 50


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


def run_script(
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


def catch_inside_a_fold(worker: Worker, directory: Path) -> bool:
    """Stop `worker` while it folds (its folding file or a temp file exists); the caller kills
    it there. Polls the directory, never a clock: on a busy machine it takes longer, but it
    still lands inside a fold. False if the worker stopped folding (it died)."""
    folding = directory / "state.toml.journal.folding"
    for _ in range(200_000):
        if folding.exists() or any(directory.glob(".state.toml.*.tmp")):
            worker.signal(signal.SIGSTOP)
            if folding.exists() or any(directory.glob(".state.toml.*.tmp")):
                return True
            worker.signal(signal.SIGCONT)
    return False


def acknowledged(worker: Worker, until: int) -> int:
    """Read the worker's acknowledgements up to change `until`; the last one read."""
    last = -1
    while last < until:
        last = worker.reply()["ack"]
    return last


@pytest.mark.parametrize("cached", [False, True], ids=["no cache", "with a parse cache"])
def test_the_journal_survives_kill_9_at_random_points(paths: Paths, cached: bool) -> None:
    """SIGKILL at random moments of a writer that flushes every change to the journal and
    folds every fifth: every time, the file reads cleanly, and file plus journal hold every
    change that was acknowledged (and the next one at most), nothing moved aside."""
    seed(paths.state_file, bookmarks=30, read=1000)
    cache = str(paths.state_cache) if cached else None
    rng = random.Random(4)
    acked, mid_fold, hits = -1, 0, 0
    upcoming = spawn("churn", str(paths.state_file), cache=cache)
    for _ in range(KILLS):
        worker, upcoming = upcoming, spawn("churn", str(paths.state_file), cache=cache)
        worker.send()
        ready = worker.reply()
        assert ready["start"] >= acked + 1  # the previous kill lost no acknowledged change
        target = ready["start"] + rng.randrange(1, 12)
        last = acknowledged(worker, target)
        if rng.random() < 0.3:
            mid_fold += catch_inside_a_fold(worker, paths.data_dir)
        else:
            for _ in range(rng.randrange(20_000)):  # a random moment after the ack
                pass
        worker.kill()
        acked = max(acked, last)
        decode(paths.state_file.read_bytes())  # the file itself is always whole
        store = StateStore(paths.state_file, cache=Path(cache) if cache else None)
        assert store.load() == ()
        churned = sorted(i for i in store.state.read if i.startswith("9999."))
        assert churned == [f"9999.{i:05d}" for i in range(len(churned))]
        assert len(churned) - 1 >= acked
        assert len(store.state.bookmarks) == 30 and len(store.state.read) == 1000 + len(churned)
        hits += cache_agrees(paths.state_file, Path(cache) if cache else None)
    upcoming.kill()
    assert mid_fold > 0, "no kill landed in the middle of a fold"
    assert not list(paths.data_dir.glob("*corrupt*"))
    store = StateStore(paths.state_file, cache=Path(cache) if cache else None)
    assert store.load() == ()
    assert store.sync() == ()
    assert store.state == ReadingState(*decode(paths.state_file.read_bytes()))
    assert not cached or hits > 0, "the cache was never current"
    assert not list(paths.data_dir.glob("*.tmp"))  # the leftovers were cleaned up
    assert not (paths.data_dir / "state.toml.journal.folding").exists()


@pytest.mark.parametrize(
    ("linked", "rounds", "cached", "fold"),
    [
        (False, 20, False, "end"),
        (False, 8, False, "every"),
        (True, 5, False, "end"),
        (False, 8, True, "end"),
    ],
    ids=["journals", "folding every change", "one through a symlink", "sharing a parse cache"],
)
def test_two_concurrent_writers_lose_nothing(
    paths: Paths, tmp_path: Path, linked: bool, rounds: int, cached: bool, fold: str
) -> None:
    """Two processes load, then both make a dozen changes at once, round after round: every
    read mark, bookmark, tag, note and removal of both is in the file afterwards."""
    seed(paths.state_file, bookmarks=5, read=500)
    cache = str(paths.state_cache) if cached else None
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
            spawn("writer", str(path), name, str(count), str(go), fold, cache=cache)
            for path, name in zip((paths.state_file, other_path), names, strict=True)
        ]
        for worker in workers:
            assert worker.reply()["step"] == "loaded"
        go.touch()
        for worker in workers:
            done = worker.reply()
            assert done == {"step": "done", "notices": [], "dirty": False, "unfolded": 0}
            assert worker.wait() == 0
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
        assert not (paths.data_dir / "state.toml.journal").exists()
        cache_agrees(paths.state_file, Path(cache) if cache else None)
    assert paths.state_file.is_symlink() is False
    assert (
        not cached
        or read_keyed(paths.state_cache, CACHE_KIND, cache_key(paths.state_file.read_bytes()))
        is not None
    )
    assert not linked or other_path.is_symlink()


@pytest.mark.parametrize("cached", [False, True], ids=["no cache", "with a parse cache"])
def test_a_file_size_limit_on_the_journal_saves_nothing_and_a_later_save_succeeds(
    paths: Paths, cached: bool
) -> None:
    seed(paths.state_file, bookmarks=20, read=200)
    cache = str(paths.state_cache) if cached else None
    worker = spawn("fsize", str(paths.state_file), "journal", cache=cache)
    limited, unlimited = worker.reply(), worker.reply()
    assert worker.wait() == 0
    assert limited["step"] == "limited"
    assert limited["saved"] is False and limited["unchanged"] is True and limited["temps"] == []
    assert len(limited["notices"]) == 1 and "file too large" in limited["notices"][0]
    assert "the file on disk is unchanged" in limited["notices"][0]
    assert not (paths.data_dir / "state.toml.journal").exists()  # nothing half-written
    assert unlimited["saved"] is True
    assert unlimited["notices"] == [f"saved {paths.state_file}: earlier changes are on disk now"]
    store = StateStore(paths.state_file, cache=Path(cache) if cache else None)
    assert store.load() == ()
    assert store.state.is_bookmarked("3333.00001") and store.state.is_read("3333.00002")
    assert len(store.state.bookmarks) == 21
    cache_agrees(paths.state_file, Path(cache) if cache else None)


def test_a_file_size_limit_on_the_file_keeps_the_change_in_the_journal(paths: Paths) -> None:
    seed(paths.state_file, bookmarks=20, read=200)
    worker = spawn("fsize", str(paths.state_file), "file")
    limited, unlimited = worker.reply(), worker.reply()
    assert worker.wait() == 0
    assert limited["saved"] is True and limited["unchanged"] is True and limited["temps"] == []
    assert len(limited["notices"]) == 1 and "file too large" in limited["notices"][0]
    assert "safe in state.toml.journal" in limited["notices"][0]
    assert unlimited["saved"] is True and unlimited["notices"] == []
    store = StateStore(paths.state_file)
    assert store.load() == ()
    assert store.state.is_bookmarked("3333.00001") and store.state.is_read("3333.00002")
    assert not (paths.data_dir / "state.toml.journal").exists()


def try_as_restricted_user(path: Path) -> dict[str, Any]:
    """Run the `try` job subject to permission bits. Root ignores them, so as root the worker
    runs without the capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    prefix: list[str] = []
    if ROOT:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permission bits cannot be tested")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    worker = run_script("try", str(path), prefix=prefix)
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
