"""How long the state file takes to load and save with 10,000 read marks and 1,000 bookmarks.

Bookmark snapshots are real papers (the fixture collection, ingested as the app does). Every
row is timed against a baseline on the same document in the same run, the two alternating so
that a busy machine slows both alike; the medians and their ratio are printed. Baselines:
plain ``tomllib.loads`` for loading, plain ``tomli_w.dumps`` for saving. The store's numbers
include what the baselines leave out: validation, building the records, the lock, writing,
fsync and rename. Run: ``python benchmarks/bench_state.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hf_data import collection_items

from paperterm.ingest import ingest_items
from paperterm.models import Paper
from paperterm.state import AddBookmark, MarkRead, StateStore
from paperterm.statefile import SCHEMA_VERSION, bookmark_document

READ, BOOKMARKS, RUNS = 10_000, 1_000, 9
NOW = dt.datetime(2026, 8, 21, 15, 0, tzinfo=dt.UTC)
_ids = (f"9999.{i:05d}" for i in itertools.count())


def build(path: Path, papers: list[Paper], bookmarks: int) -> StateStore:
    """A store holding the benchmark state in memory, not yet saved."""
    ids = [p.id for p in papers][:READ]
    ids += [f"0000.{i:05d}" for i in range(READ - len(ids))]
    store = StateStore(path, clock=lambda: NOW)
    store.load()
    for i, paper in enumerate(papers[:bookmarks]):
        store.apply(AddBookmark(paper, tags=("bench", f"t{i % 7}")), save=False)
    store.apply(MarkRead(tuple(ids)), save=False)
    return store


def document(store: StateStore) -> dict[str, Any]:
    """The same state as one plain dict, for the tomli-w baseline."""
    state = store.state
    doc: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    if state.bookmarks:  # the store writes no empty tables
        doc["bookmarks"] = {k: bookmark_document(state.bookmarks[k]) for k in sorted(state.bookmarks)}
    doc["read"] = {k: state.read[k] for k in sorted(state.read)}
    return doc


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def paired(
    run: Callable[[], object], baseline: Callable[[], object],
    setup: Callable[[], object] = lambda: None,
) -> tuple[float, float]:
    ours, theirs = [], []
    for _ in range(RUNS):
        theirs.append(timed(baseline))
        setup()
        ours.append(timed(run))
    return statistics.median(ours), statistics.median(theirs)


def main() -> None:
    papers = ingest_items(collection_items(), NOW, "daily").papers
    run(papers, BOOKMARKS)
    print()
    print("for scale, the read marks alone:")
    run(papers, 0)


def run(papers: list[Paper], bookmarks: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.toml"
        store = build(path, papers, bookmarks)
        doc = document(store)
        text = tomli_w.dumps(doc, multiline_strings=True)

        def load() -> None:
            StateStore(path).load()

        def parse() -> None:
            tomllib.loads(path.read_text("utf-8"))

        def dump() -> None:
            tomli_w.dumps(doc, multiline_strings=True)

        def parse_and_dump() -> None:
            parse()
            dump()

        def one_change() -> None:
            store.apply(MarkRead((next(_ids),)))

        def new_process() -> None:  # what `paperterm read ID` costs: load, change, save
            StateStore(path).apply(MarkRead((next(_ids),)))

        other = StateStore(path)

        def another_instance_saves() -> None:
            other.apply(MarkRead((next(_ids),)))

        first = timed(store.sync), timed(dump)
        size = path.stat().st_size
        assert path.read_text("utf-8") == text  # the store writes what tomli-w writes
        rows = [
            ("load (parse + validate)", paired(load, parse), "tomllib.loads"),
            ("save, first in a process", first, "tomli_w.dumps"),
            ("save, one change", paired(one_change, dump), "tomli_w.dumps"),
            ("save, another instance saved since", paired(one_change, parse_and_dump,
                                                          another_instance_saves),
             "loads + dumps"),
            ("load + change + save, new store", paired(new_process, parse_and_dump),
             "loads + dumps"),
        ]
        print(f"state: {READ:,} read marks, {bookmarks:,} bookmarks with real snapshots")
        print(f"file: {size / 1024:,.0f} KiB, {text.count(chr(10)):,} lines")
        print(f"{'':38}{'ms':>8}{'baseline':>10}  ratio  baseline")
        for name, (ms, base), what in rows:
            print(f"{name:38}{ms:8.1f}{base:10.1f}  {ms / base:5.2f}  {what}")


if __name__ == "__main__":
    main()
