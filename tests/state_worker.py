"""A separate paperterm process for the state tests: one run does one job on a state file.

    churn PATH            on a message, mark 9999.NNNNN read, each one flushed to the journal
                          and acknowledged, folding every fifth, until killed
    writer PATH NAME N GO FOLD
                          load, wait for file GO, then make N changes: each flushed to the
                          journal (FOLD "every": folded at once, as the command line does;
                          "end": folded once at the end, as the reader does)
    fsize PATH PART       save under a file size limit that the journal (PART "journal") or
                          only the fold (PART "file") runs into, then without it
    try PATH              load and make one change; report what happened

With PAPERTERM_TEST_STATE_CACHE set, the store keeps its parse cache at that path. Each job
sends one message per step: a JSON line on stdout when run as a script, or through the pipe
of a forked worker (tests/forked.py), so the test can follow it.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import sys
import time
from multiprocessing.connection import Connection
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


_channel: Connection | None = None  # set in a forked worker


def say(**fields: object) -> None:
    text = json.dumps(fields)
    if _channel is not None:
        _channel.send(json.loads(text))  # exactly what the script's JSON line would say
    else:
        print(text, flush=True)


def listen() -> str:
    return str(_channel.recv()) if _channel is not None else sys.stdin.readline()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def churn(path: Path) -> None:
    # Started ahead of time: the worker is ready while the previous one works, and loads only
    # after that one was killed.
    listen()
    store = open_store(path)
    store.load()
    start = sum(1 for paper_id in store.state.read if paper_id.startswith("9999."))
    say(step="ready", start=start)
    for i in range(start, 100_000):
        store.apply(MarkRead((f"9999.{i:05d}",)), save=False)
        assert store.flush() == () and not store.dirty
        say(ack=i)  # durable: in the journal
        if i % 5 == 4:
            assert store.fold() == ()


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


def writer(path: Path, name: str, count: int, go: Path, fold: str) -> None:
    store = open_store(path, lock_timeout=30)
    store.load()
    say(step="loaded")
    # Both writers load before either writes: each starts from a state the other will change.
    while not go.exists():
        time.sleep(0.001)
    notices: list[str] = []
    for op in writer_ops(name, count):
        if fold == "every":
            notices += store.apply(op).notices
        else:
            store.apply(op, save=False)
            notices += store.flush()
    if fold == "end":
        notices += store.fold()
    say(step="done", notices=notices, dirty=store.dirty, unfolded=store.unfolded)


def fsize(path: Path, part: str) -> None:
    store = open_store(path)
    store.load()
    before = digest(path)
    # Without this the kernel kills us with SIGXFSZ instead of failing the write with EFBIG.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # The journal starts empty: a limit of 0 stops it; half the file stops only the fold.
    limit = 0 if part == "journal" else path.stat().st_size // 2
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
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
        writer(path, argv[2], int(argv[3]), Path(argv[4]), argv[5])
    elif job == "fsize":
        fsize(path, argv[2])
    elif job == "try":
        attempt(path)
    else:
        raise SystemExit(f"unknown job {job!r}")


def run_forked(argv: list[str], env: dict[str, str], channel: Connection) -> None:
    """A job in a worker forked by tests/forked.py: messages go through `channel`."""
    global _channel
    os.environ.update(env)
    _channel = channel
    main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
