"""The For-you corpus kept ready where papers are stored, so that a first ranking reads it
instead of building it.

Building the corpus counts every feature of every cached paper: about 0.8 ms a paper on a slow
machine, 8 s for 10,000. That is indexing work, and indexing belongs where papers are stored,
not on the way to a list. A kept corpus is grown by the papers fetched since it was built at
ranking time, which costs a fraction of a second (`paperterm.service.recommend`), as long as the
cache has not grown by more than a fifth; so a corpus is built here only when there is none
that can be grown and the cache holds at least `KEEP_FROM` papers (below that, building it in
the ranking stays under a second). After papers are stored:

* ``paperterm fetch`` starts a process for it at its end and returns: the process goes on
  after the command (`Keeper.start` detached);
* the reader starts one after a refresh (`Keeper.start`), so that neither its memory nor its
  loop pays for the build.

One process builds at a time (a lock beside the kept file); a ranking asked for meanwhile, in
any process, waits for it (`Keeper.wait`) rather than building the same corpus a second time.

This module loads nothing of the recommender itself until it builds: the reader asks it
whether a build is due without loading the ranking code (`due`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from paperterm.feed import CacheBusy, FeedCache
from paperterm.files import LockTimeout, hold_lock, locked
from paperterm.keyed import keyed_about, write_keyed
from paperterm.models import Paper

KEPT_KIND = "paperterm for-you corpus"
KEEP_FROM = 1_000  # cached papers; fewer build in the ranking itself in well under a second
GROWN_AT_MOST = 0.2  # the share of new papers a kept corpus is grown by at ranking time
MODULE = "paperterm.service.keeper"
HELD = "--held"


def kept_key() -> str:
    """The key a kept corpus is valid for: the version of what a paper's features are."""
    from paperterm.recommend.features import FEATURES_VERSION

    return f"features {FEATURES_VERSION}"


def due(cache_db: Path, kept: Path, *, keep_from: int | None = None) -> bool:
    """Whether the cache holds enough papers, and more than the kept corpus can be grown to
    cover at ranking time (or there is none). Reads one count and one header line; the version
    of the features is the building process's to check (`keep_ready`)."""
    cached = _cached(cache_db)
    if cached < _least(keep_from):
        return False
    found = keyed_about(kept, KEPT_KIND)
    papers = found[1].get("papers") if found is not None else None
    if not isinstance(papers, int):
        return True
    return cached > papers * (1 + GROWN_AT_MOST)


def keep_ready(
    cache_db: Path, kept: Path, *, keep_from: int | None = None, held: bool = False
) -> int:
    """Build and keep the corpus of every cached paper when one is due (`due`, or the kept one
    is of another version) and no other process is building it; how many papers it holds, 0
    when nothing was built. `held`: the lock is held already (by the process that started
    this one). Raises OSError when it cannot be written, `CacheBusy` when the cache is locked."""
    if held:
        return _build_if_due(cache_db, kept, keep_from)
    try:
        with locked(_lock_of(kept), timeout=0):
            return _build_if_due(cache_db, kept, keep_from)
    except LockTimeout:
        return 0  # another process builds it: `Keeper.wait` waits for it


def _build_if_due(cache_db: Path, kept: Path, keep_from: int | None) -> int:
    found = keyed_about(kept, KEPT_KIND)
    current = found is not None and found[0] == kept_key()
    if current and not due(cache_db, kept, keep_from=keep_from):
        return 0
    if not current and _cached(cache_db) < _least(keep_from):
        return 0
    from paperterm.recommend import built

    cache = FeedCache(cache_db)
    try:
        payload, papers = built(lambda: _each_paper(cache))
    finally:
        cache.close()
    write_keyed(kept, KEPT_KIND, kept_key(), payload, about={"papers": papers})
    return papers


def _each_paper(cache: FeedCache, page: int = 1_000) -> Iterator[Paper]:
    """Every cached paper by id, read a page at a time (100,000 of them do not fit at once
    in a modest memory)."""
    last = ""
    while True:
        rows = cache.rows(
            "SELECT id, data FROM papers WHERE id > ? ORDER BY id LIMIT ?", (last, page)
        )
        for _, data in rows:
            yield Paper.from_json(json.loads(data))
        if len(rows) < page:
            return
        last = rows[-1][0]


class Keeper:
    """Builds the kept corpus in a process of its own, one at a time."""

    def __init__(self, cache_db: Path, kept: Path, *, keep_from: int | None = None) -> None:
        self.cache_db = cache_db
        self.kept = kept
        self.keep_from = keep_from
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._detached = False
        self._cached = 0  # the papers cached when the build running started

    def start(self, *, detached: bool = False) -> int:
        """Start a build when one is due and this keeper runs none (call it from a worker
        thread: it reads the cache); how many papers are cached when one runs now, else 0.
        A `detached` build outlives this process (``paperterm fetch`` returns at once);
        another is ended by `stop`."""
        with self._lock:
            if self.running():
                return self._cached
            try:
                cached = _cached(self.cache_db)
                if not due(self.cache_db, self.kept, keep_from=self.keep_from):
                    return 0
            except CacheBusy:
                return 0
            command = [sys.executable, "-m", MODULE, str(self.cache_db), str(self.kept)]
            command.append(str(_least(self.keep_from)))
            try:
                # Locked here and handed over, so that a ranking that waits for the build
                # cannot come between the start of the process and its taking the lock.
                lock = hold_lock(_lock_of(self.kept)) if os.name == "posix" else None
            except OSError:
                return 0
            if os.name == "posix" and lock is None:
                return 0  # another process builds it
            try:
                self._process = subprocess.Popen(
                    [*command, HELD] if lock is not None else command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=detached,
                    pass_fds=(lock,) if lock is not None else (),
                )
            except OSError:
                return 0
            finally:
                if lock is not None:
                    os.close(lock)
            self._detached, self._cached = detached, cached
            return cached

    def running(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    def wait(self) -> None:
        """Until a build running, this keeper's or another process's, has ended (kept or
        not; at most `BUILD_TIMEOUT`)."""
        process = self._process
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=BUILD_TIMEOUT)
        with contextlib.suppress(OSError), locked(_lock_of(self.kept), timeout=BUILD_TIMEOUT):
            pass

    def stop(self) -> None:
        """End a build still running unless it is detached (the reader is closing: the next
        one starts it again)."""
        process = self._process
        if process is not None and not self._detached and process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


BUILD_TIMEOUT = 900.0  # seconds a ranking waits for a build (minutes at 100,000 papers)


def _lock_of(kept: Path) -> Path:
    return kept.with_name(kept.name + ".lock")


def _least(keep_from: int | None) -> int:
    return KEEP_FROM if keep_from is None else keep_from


def _cached(cache_db: Path) -> int:
    """How many papers the cache holds (raises `CacheBusy`)."""
    cache = FeedCache(cache_db)
    try:
        ((count,),) = cache.rows("SELECT count(*) FROM papers", ())
        return int(count)
    finally:
        cache.close()


def main(argv: list[str]) -> int:
    """``python -m paperterm.service.keeper CACHE_DB KEPT [KEEP_FROM [--held]]``: what
    `Keeper` runs."""
    try:
        cache_db, kept = Path(argv[0]), Path(argv[1])
        keep_from = int(argv[2]) if len(argv) > 2 else None
    except (IndexError, ValueError):
        print(f"usage: python -m {MODULE} CACHE_DB KEPT [KEEP_FROM [{HELD}]]")
        return 2
    held = argv[3:] == [HELD]  # the lock came with a descriptor from the process that started this
    # Ended by the reader closing: unwind, so that the file being written is removed.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(1))
    try:
        keep_ready(cache_db, kept, keep_from=keep_from, held=held)
    except (OSError, CacheBusy) as exc:
        print(f"could not keep the For-you corpus: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
