"""How long the state file takes to load and save with 10,000 read marks and 1,000 bookmarks.

Bookmark snapshots are real papers (the fixture collection, ingested as the app does). Every
row is timed against a baseline on the same document in the same run, the two alternating so
that a busy machine slows both alike; the medians and their ratio are printed. Baselines:
plain ``tomllib.loads`` for loading, plain ``tomli_w.dumps`` for saving. The store's numbers
include what the baselines leave out: validation, building the records, the lock, writing,
fsync and rename, and keeping the parse cache current.

Loads and first saves are shown with the parse cache missing (cold: the file is parsed), with
a cache that only holds the state (the file was not written by this version: the first save
encodes everything once), and current (warm: the usual case, every save keeps it so). Every
first save is checked to write exactly what one ``tomli_w.dumps`` of the whole state gives.
Then the durability figures of `durability.py`: key → durable latency at 0.1 / 2.5 / 50 MB,
and the reader's first frame, its quit and `paperterm bookmarks` with a 50 MB state.
Run: ``python benchmarks/bench_state.py [--durability-only]``.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import durability
from hf_data import collection_items

from paperterm.feed.ingest import ingest_items
from paperterm.library import AddBookmark, MarkRead, StateStore
from paperterm.library.tomlfile import SCHEMA_VERSION, bookmark_document
from paperterm.models import Paper

READ, BOOKMARKS, RUNS = 10_000, 1_000, 9
NOW = dt.datetime(2026, 8, 21, 15, 0, tzinfo=dt.UTC)
_ids = (f"9999.{i:05d}" for i in itertools.count())


def build(path: Path, papers: list[Paper], bookmarks: int, cache: Path) -> StateStore:
    """A store holding the benchmark state in memory, not yet saved."""
    ids = [p.id for p in papers][:READ]
    ids += [f"0000.{i:05d}" for i in range(READ - len(ids))]
    store = StateStore(path, clock=lambda: NOW, cache=cache)
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
        doc["bookmarks"] = {
            k: bookmark_document(state.bookmarks[k]) for k in sorted(state.bookmarks)
        }
    doc["read"] = {k: state.read[k] for k in sorted(state.read)}
    return doc


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def paired(
    run: Callable[[], object],
    baseline: Callable[[], object],
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
    if "--durability-only" not in sys.argv:
        run(papers, BOOKMARKS)
        print()
        print("for scale, the read marks alone:")
        run(papers, 0)
        print()
    durability.report(papers)


def run(papers: list[Paper], bookmarks: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, cache = Path(tmp) / "data" / "state.toml", Path(tmp) / "cache" / "state.jsonl"
        store = build(path, papers, bookmarks, cache)
        doc = document(store)
        text = tomli_w.dumps(doc, multiline_strings=True)

        def parse() -> None:
            tomllib.loads(path.read_text("utf-8"))

        def dump() -> None:
            tomli_w.dumps(doc, multiline_strings=True)

        def parse_and_dump() -> None:
            parse()
            dump()

        rows: list[tuple[str, tuple[float, float], str]] = []
        rows.append(("save, every bookmark new", (timed(store.sync), timed(dump)), "tomli_w.dumps"))
        size = path.stat().st_size
        assert path.read_text("utf-8") == text  # the store writes what tomli-w writes

        loaded: list[StateStore] = []

        def load() -> None:
            loaded[:] = [StateStore(path, cache=cache)]
            loaded[0].load()

        def load_checked(cold: bool) -> Callable[[], None]:
            def setup() -> None:
                check(loaded)
                if cold:
                    cache.unlink(missing_ok=True)
                load()

            return setup

        def first_save() -> None:
            loaded[0].apply(MarkRead((next(_ids),)))

        rows.append(
            ("load, no cache kept", paired(lambda: StateStore(path).load(), parse), "tomllib.loads")
        )
        rows.append(
            (
                "load, cold cache (parse, then cache)",
                paired(load, parse, lambda: cache.unlink(missing_ok=True)),
                "tomllib.loads",
            )
        )
        rows.append(("load, cache of the state only", paired(load, parse), "tomllib.loads"))
        rows.append(
            (
                "first save after a cold load",
                paired(first_save, dump, load_checked(cold=True)),
                "tomli_w.dumps",
            )
        )
        check(loaded)
        rows.append(("load, warm cache", paired(load, parse), "tomllib.loads"))
        rows.append(
            (
                "first save after a warm load",
                paired(first_save, dump, load_checked(cold=False)),
                "tomli_w.dumps",
            )
        )
        check(loaded)

        later, other = StateStore(path, cache=cache), StateStore(path, cache=cache)
        later.apply(MarkRead((next(_ids),)))

        def one_change() -> None:
            later.apply(MarkRead((next(_ids),)))

        def another_instance_saves() -> None:
            other.apply(MarkRead((next(_ids),)))

        def new_process() -> None:  # what `paperterm read ID` costs: load, change, save
            StateStore(path, cache=cache).apply(MarkRead((next(_ids),)))

        rows.append(("later save, one change", paired(one_change, dump), "tomli_w.dumps"))
        check([later])
        rows.append(
            (
                "save, another instance saved since",
                paired(one_change, parse_and_dump, another_instance_saves),
                "loads + dumps",
            )
        )
        rows.append(
            (
                "load + change + save, new store",
                paired(new_process, parse_and_dump),
                "loads + dumps",
            )
        )
        print(f"state: {READ:,} read marks, {bookmarks:,} bookmarks with real snapshots")
        print(
            f"file: {size / 1024:,.0f} KiB, {text.count(chr(10)):,} lines; "
            f"parse cache: {cache.stat().st_size / 1024:,.0f} KiB"
        )
        print(f"{'':38}{'ms':>8}{'baseline':>10}  ratio  baseline")
        for name, (ms, base), what in rows:
            print(f"{name:38}{ms:8.1f}{base:10.1f}  {ms / base:5.2f}  {what}")


def check(stores: list[StateStore]) -> None:
    """The file holds exactly what one tomli-w dump of the (last) store's whole state gives."""
    if stores:
        expected = tomli_w.dumps(document(stores[-1]), multiline_strings=True)
        assert stores[-1].path.read_text("utf-8") == expected, "not what tomli-w writes"


if __name__ == "__main__":
    main()
