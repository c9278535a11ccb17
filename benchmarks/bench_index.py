"""The persistent search index (FTS5 in the feed cache) at 10k and 100k papers.

The 10k set is the 9,877 fixture papers (28 months plus trending); the 100k set repeats them
with ids of their own (`corpus.scaled`): the same words, so the vocabulary stays that of 10k
papers — say so when quoting the 100k figures. For each size:

* storing everything as `paperterm fetch` stores it (one daily feed per feed day), with the
  index and without it (its maintenance switched off), and one more day's fetch into the full
  cache, both ways (median of runs);
* the cache's size on disk, with and without the index (after VACUUM);
* widening: every cached paper, in order, with its count (an empty query over everything);
* folding what is left of the word log into the vocabulary's rows, then a search of
  everything for a word: the first in a new process, then warm, then the first after one
  more day's fetch (its words read from the log); last key to ids and count;
* typing the benchmark queries one character at a time over everything: median, p95, max;
* the longest stall of a thread that asks to wake every millisecond while searches run in
  another (the UI loop's view of the GIL);
* the first search over a month's list (~600 papers) and a filtered `list`'s search step.

    python benchmarks/bench_index.py [--sizes 9877 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from paperterm.records import replace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import scaled, store_days

from paperterm.feed import FeedCache, searchindex, searchterms
from paperterm.models import FeedSpec, Paper
from paperterm.query import SearchContext, parse_query

NOW = dt.datetime(2026, 8, 21, 12, tzinfo=dt.UTC)
CONTEXT = SearchContext(today=NOW.date())
QUERIES = (
    "diffusion", "video generation", "trnasformer", "difusion model", "reinforcement learn",
    "Yann LeCun", 'author:"Yann LeCun"', "up:>50 diffusion", "llava", "agentic reasoning",
    "-diffusion video", "has:code agent", '"language model"', "mixture of experts",
    "age:<30d robot", "kw:rlhf", "multimodl benchmark", "speculative decod",
)  # fmt: skip


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def build(path: Path, papers: list[Paper], *, index: bool) -> float:
    original = searchindex.store
    if not index:
        searchindex.store = lambda db, rows: None  # type: ignore[assignment]
    try:
        cache = FeedCache(path)
        start = time.perf_counter()
        store_days(cache, papers, NOW)
        seconds = time.perf_counter() - start
        cache.close()
    finally:
        searchindex.store = original
    return seconds


def one_day(path: Path, papers: list[Paper], *, index: bool, runs: int = 7) -> float:
    """A day's fetch stored into the full cache: new papers (fresh ids), median of runs."""
    original = searchindex.store
    if not index:
        searchindex.store = lambda db, rows: None  # type: ignore[assignment]
    times = []
    try:
        cache = FeedCache(path)
        for run in range(runs):
            day = [replace(p, id=f"{2900 + run}.{i:05d}{int(index)}") for i, p in enumerate(papers)]
            spec = FeedSpec.parse(f"daily:2026-09-{run + 1:02d}")
            start = time.perf_counter()
            cache.store_feed(spec, spec, day, NOW)
            times.append(time.perf_counter() - start)
        cache.close()
    finally:
        searchindex.store = original
    return statistics.median(times)


def size(path: Path) -> int:
    cache = FeedCache(path)
    db = cache._connection()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    cache.close()
    return path.stat().st_size


def fresh(path: Path) -> FeedCache:
    """A cache as a new process opens it: nothing remembered."""
    searchterms.forget()
    return FeedCache(path)


def timed(cache: FeedCache, text: str, scope: list[str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    ids = cache.index.search_ids(parse_query(text), CONTEXT, scope)
    assert ids is not None
    return time.perf_counter() - start, len(ids)


def typing(cache: FeedCache) -> list[float]:
    times = []
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            times.append(timed(cache, query[:end])[0])
    return times


def stall_while(work: threading.Thread) -> float:
    """The longest wait past 1 ms of a thread sleeping 1 ms at a time while `work` runs."""
    worst = 0.0
    work.start()
    while work.is_alive():
        start = time.perf_counter()
        time.sleep(0.001)
        worst = max(worst, time.perf_counter() - start - 0.001)
    return worst


def report(size_: int, tmp: Path) -> None:
    papers = scaled(size_)
    with_index, without = tmp / f"with-{size_}.db", tmp / f"without-{size_}.db"
    print(f"\n== {size_:,} papers ({'fixtures' if size_ <= 9877 else 'fixtures repeated'})")
    t_without = build(without, papers, index=False)
    t_with = build(with_index, papers, index=True)
    print(f"store all by day: {t_with:.1f} s with the index, {t_without:.1f} s without "
          f"({t_with / t_without:.2f}x)")  # fmt: skip
    day = papers[:60]
    d_with, d_without = one_day(with_index, day, index=True), one_day(without, day, index=False)
    print(f"one day's fetch (60 papers) stored: {ms(d_with)} with, {ms(d_without)} without "
          f"({d_with / d_without:.2f}x)")  # fmt: skip
    folding = FeedCache(with_index)
    start = time.perf_counter()
    searchterms.fold(folding._connection(), str(with_index), now=True)
    print(f"the word log left after the stores folded into the vocabulary's rows: "
          f"{ms(time.perf_counter() - start)}")  # fmt: skip
    folding.close()
    s_with, s_without = size(with_index), size(without)
    print(f"on disk: {s_with / 2**20:.1f} MiB with the index, {s_without / 2**20:.1f} MiB "
          f"without ({s_with / s_without:.2f}x)")  # fmt: skip

    cache = fresh(with_index)
    widen, count = timed(cache, "")
    print(f"widen (every cached paper, ordered, counted): {ms(widen)} for {count:,}")
    first, count = timed(fresh(with_index), "diffusion")
    warm = [timed(cache, "diffusion")[0] for _ in range(7)]
    print(f"search everything for 'diffusion': first in a new process {ms(first)}, then median "
          f"{ms(statistics.median(warm))}, max {ms(max(warm))} ({count:,} found)")  # fmt: skip
    day_cache = FeedCache(with_index)
    spec = FeedSpec.parse("daily:2026-10-01")
    day_cache.store_feed(
        spec, spec, [replace(p, id=f"2999.{i:05d}") for i, p in enumerate(day)], NOW
    )
    after_day, _ = timed(fresh(with_index), "diffusion")
    print(f"first search in a new process after one more day's fetch (its words read from the "
          f"log): {ms(after_day)}")  # fmt: skip
    keys = typing(fresh(with_index))
    keys.sort()
    print(f"typing {len(keys)} keystrokes over everything: median {ms(statistics.median(keys))}, "
          f"p95 {ms(keys[int(len(keys) * 0.95)])}, max {ms(keys[-1])}")  # fmt: skip
    worker_cache: list[FeedCache] = []

    def work() -> None:
        worker_cache.append(FeedCache(with_index))
        typing(worker_cache[0])

    print(f"longest 1 ms-timer stall while typing runs in a thread: "
          f"{ms(stall_while(threading.Thread(target=work)))}")  # fmt: skip
    month = [p.id for p in papers if p.feed_day and p.feed_day.strftime("%Y-%m") == "2026-06"]
    month_first, found = timed(fresh(with_index), "difusion modle", month)
    print(f"first search over a month ({len(month)} papers), 'difusion modle': "
          f"{ms(month_first)} ({found} found)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[9877, 100_000])
    args = parser.parse_args()
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        for size_ in args.sizes:
            report(size_, Path(tmp))


if __name__ == "__main__":
    main()
