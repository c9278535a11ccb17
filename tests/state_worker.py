"""A separate paperterm process for the state tests: one run does one job on a state file.

    state_worker.py churn PATH            on a line of input, mark 9999.NNNNN read, one
                                          save each, until killed
    state_worker.py writer PATH NAME N GO  load, wait for file GO, then make N changes
    state_worker.py fsize PATH            save under a file size limit, then without it
    state_worker.py try PATH              load and make one change; report what happened

With PAPERTERM_TEST_STATE_CACHE set, the store keeps its parse cache at that path. Each job
prints one JSON line per step on stdout, so the test can follow it.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path

from paperterm.library import (
    AddBookmark,
    MarkRead,
    Operation,
    RemoveBookmark,
    SetNote,
    SetTags,
    StateStore,
)
from paperterm.models import Paper


def open_store(path: Path, lock_timeout: float = 5.0) -> StateStore:
    cache = os.environ.get("PAPERTERM_TEST_STATE_CACHE")
    return StateStore(path, lock_timeout=lock_timeout, cache=Path(cache) if cache else None)


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def churn(path: Path) -> None:
    # Started ahead of time: Python starts up while the previous writer works, and loads only
    # after that one was killed.
    sys.stdin.readline()
    store = open_store(path)
    store.load()
    start = sum(1 for paper_id in store.state.read if paper_id.startswith("9999."))
    say(step="ready", start=start)
    for i in range(start, 100_000):
        store.apply(MarkRead((f"9999.{i:05d}",)))


def writer_ops(name: str, count: int) -> list[Operation]:
    """The changes one writer makes: read marks, bookmarks, tags, notes and removals."""
    ops: list[Operation] = []
    for j in range(count):
        paper_id = f"{name}.{j:05d}"
        ops.append(MarkRead((paper_id,)))
        if j % 3 == 0:
            ops.append(
                AddBookmark(
                    Paper(paper_id, f"Paper {j} of {name}", (name,), "abstract"), tags=(name,)
                )
            )
            ops.append(SetNote(paper_id, f"note {j}"))
        if j % 6 == 3:
            ops.append(SetTags(f"{name}.{j - 3:05d}", (name, "later")))
        if j % 9 == 0 and j:
            ops.append(RemoveBookmark(f"{name}.{j - 9:05d}"))
    return ops


def writer(path: Path, name: str, count: int, go: Path) -> None:
    store = open_store(path, lock_timeout=30)
    store.load()
    say(step="loaded")
    # Both writers load before either writes: each starts from a state the other will change.
    while not go.exists():
        time.sleep(0.001)
    notices: list[str] = []
    for op in writer_ops(name, count):
        notices += store.apply(op).notices
    say(step="done", notices=notices, dirty=store.dirty)


def fsize(path: Path) -> None:
    store = open_store(path)
    store.load()
    before = digest(path)
    # Without this the kernel kills us with SIGXFSZ instead of failing the write with EFBIG.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (path.stat().st_size // 2, hard))
    big = Paper("3333.00001", "Too big to fit", ("Someone",), "x" * 5000)
    failed = store.apply(AddBookmark(big))
    say(
        step="limited",
        notices=failed.notices,
        saved=failed.saved,
        unchanged=digest(path) == before,
        temps=sorted(p.name for p in path.parent.glob(".*.tmp")),
    )
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    later = store.apply(MarkRead(("3333.00002",)))
    say(step="unlimited", notices=later.notices, saved=later.saved)


def attempt(path: Path) -> None:
    store = open_store(path)
    loaded = store.load()
    change = store.apply(MarkRead(("4444.00001",)))
    say(
        step="tried",
        load=loaded,
        notices=change.notices,
        saved=change.saved,
        bookmarks=len(store.state.bookmarks),
        read=len(store.state.read),
    )


def main(argv: list[str]) -> None:
    job, path = argv[0], Path(argv[1])
    if job == "churn":
        churn(path)
    elif job == "writer":
        writer(path, argv[2], int(argv[3]), Path(argv[4]))
    elif job == "fsize":
        fsize(path)
    elif job == "try":
        attempt(path)
    else:
        raise SystemExit(f"unknown job {job!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
