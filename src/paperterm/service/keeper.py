"""The For-you corpus kept ready where papers are stored, so that a first ranking reads it
instead of building it.

Building the corpus counts every feature of every cached paper: about 0.8 ms a paper on a slow
machine, 8 s for 10,000. That is indexing work, and indexing belongs where papers are stored,
not on the way to a list. A kept corpus is grown by the papers fetched since it was built at
ranking time, which costs a fraction of a second (`paperterm.service.recommend`), as long as the
cache has not grown by more than a fifth; so a corpus is built here only when there is none
that can be grown and the cache holds at least `KEEP_FROM` papers (below that, building it in
the ranking stays under a second). After papers are stored:

* ``paperterm fetch`` builds it at its end, in its own process (`keep_ready`);
* the reader starts a process of its own for it (`Keeper.start`), so that neither its memory
  nor its loop pays for it; a ranking asked for meanwhile waits for that process
  (`Keeper.wait`) rather than building the same corpus a second time.

This module loads nothing of the recommender itself until it builds: the reader asks it
whether a build is due without loading the ranking code (`due`).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from pathlib import Path

from paperterm.feed import CacheBusy, FeedCache
from paperterm.keyed import keyed_about, write_keyed

KEPT_KIND = "paperterm for-you corpus"
KEEP_FROM = 1_000  # cached papers; fewer build in the ranking itself in well under a second
GROWN_AT_MOST = 0.2  # the share of new papers a kept corpus is grown by at ranking time
MODULE = "paperterm.service.keeper"


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


def keep_ready(cache_db: Path, kept: Path, *, keep_from: int | None = None) -> int:
    """Build and keep the corpus of every cached paper when one is due (`due`, or the kept one
    is of another version); how many papers it holds, 0 when nothing was built. Raises
    OSError when it cannot be written, `CacheBusy` when the cache is locked."""
    found = keyed_about(kept, KEPT_KIND)
    current = found is not None and found[0] == kept_key()
    if current and not due(cache_db, kept, keep_from=keep_from):
        return 0
    if not current and _cached(cache_db) < _least(keep_from):
        return 0
    from paperterm.recommend import Corpus

    cache = FeedCache(cache_db)
    try:
        papers = cache.all_papers()
    finally:
        cache.close()
    corpus = Corpus(papers)
    write_keyed(kept, KEPT_KIND, kept_key(), corpus.dump(), about={"papers": len(corpus)})
    return len(corpus)


class Keeper:
    """Builds the kept corpus in a process of its own, one at a time."""

    def __init__(self, cache_db: Path, kept: Path, *, keep_from: int | None = None) -> None:
        self.cache_db = cache_db
        self.kept = kept
        self.keep_from = keep_from
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> bool:
        """Start a build when one is due and none is running (call it from a worker thread: it
        reads the cache); whether one runs now."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return True
            try:
                if not due(self.cache_db, self.kept, keep_from=self.keep_from):
                    return False
            except CacheBusy:
                return False
            command = [sys.executable, "-m", MODULE, str(self.cache_db), str(self.kept)]
            try:
                self._process = subprocess.Popen(
                    [*command, str(_least(self.keep_from))],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            except OSError:
                return False
            return True

    def build(self) -> int:
        """`keep_ready` in this process (``paperterm fetch``: it has no screen to keep
        responsive); how many papers the corpus built holds, 0 when none was due."""
        with self._lock:
            return keep_ready(self.cache_db, self.kept, keep_from=self.keep_from)

    def running(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    def wait(self) -> None:
        """Until the build running, if any, has ended (kept or not)."""
        process = self._process
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=BUILD_TIMEOUT)

    def stop(self) -> None:
        """End a build still running (the reader is closing: the next one starts it again)."""
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


BUILD_TIMEOUT = 120.0  # seconds a ranking waits for a build before building its own


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
    """``python -m paperterm.service.keeper CACHE_DB KEPT [KEEP_FROM]``: what `Keeper` runs."""
    try:
        cache_db, kept = Path(argv[0]), Path(argv[1])
        keep_from = int(argv[2]) if len(argv) > 2 else None
    except (IndexError, ValueError):
        print("usage: python -m paperterm.service.keeper CACHE_DB KEPT [KEEP_FROM]")
        return 2
    try:
        keep_ready(cache_db, kept, keep_from=keep_from)
    except (OSError, CacheBusy) as exc:
        print(f"could not keep the For-you corpus: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
