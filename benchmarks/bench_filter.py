"""Per-keystroke cost of the filter: parse, match and rank, on the real fixture papers.

Types realistic queries one character at a time against the 9,881 fixture items (ingested) and
against a 100,000-paper set made of shuffled copies with distinct ids, and prints median, p95
and max milliseconds per keystroke, the index build time, and the same figures for a naive
baseline (casefolded substring over all fields, the blobs prepared once) in the same run.

The build is timed against a baseline too: splitting every field of every paper into its set of
words once (casefold and a regular expression), the least any word index has to do. The 10k
build is the best of three, since the first large build in a process also pays for growing
the heap.

Each query starts with an empty word cache, as after a fresh index; within a query the cache
works as it does in the reader, where each keystroke extends the previous query.

    python benchmarks/bench_filter.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

from paperterm.records import replace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hf_data import collection_items  # noqa: E402

from paperterm.feed.ingest import ingest_items  # noqa: E402
from paperterm.models import Paper  # noqa: E402
from paperterm.query import PaperIndex, SearchContext  # noqa: E402

QUERIES = (
    "diffusion",
    "video generation",
    "trnasformer",
    "difusion model",
    "reinforcement learn",
    "Yann LeCun",
    'author:"Yann LeCun"',
    "up:>50 diffusion",
    "llava",
    "agentic reasoning",
    "-diffusion video",
    "has:code agent",
    '"language model"',
    "mixture of experts",
    "age:<30d robot",
    "kw:rlhf",
    "multimodl benchmark",
    "speculative decod",
)
BIG = 100_000
TODAY = dt.date(2026, 8, 21)


def load_papers() -> list[Paper]:
    fetched = dt.datetime(2026, 8, 21, tzinfo=dt.UTC)
    return ingest_items(collection_items(), fetched, "daily").papers


def scale(papers: list[Paper], size: int) -> list[Paper]:
    """`size` papers: copies of `papers` with distinct ids, in a shuffled order."""
    copies = [
        replace(paper, id=f"{paper.id}.{round_}")
        for round_ in range(size // len(papers) + 1)
        for paper in papers
    ][:size]
    random.Random(5).shuffle(copies)
    return copies


def keystrokes() -> list[str]:
    return [query[:end] for query in QUERIES for end in range(1, len(query) + 1)]


def time_index(index: PaperIndex, context: SearchContext) -> list[float]:
    times: list[float] = []
    for query in QUERIES:
        index.clear_cache()
        for end in range(1, len(query) + 1):
            start = time.perf_counter()
            index.search(query[:end], context)
            times.append((time.perf_counter() - start) * 1000)
    return times


def time_build(collection: list[Paper], runs: int) -> tuple[PaperIndex, float]:
    """The index and the fastest of `runs` builds, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        index = PaperIndex(collection)
        best = min(best, time.perf_counter() - start)
    return index, best


def time_split(papers: list[Paper]) -> float:
    """Seconds to split each field of each paper into its set of words, once."""
    word = re.compile(r"\w+")
    start = time.perf_counter()
    for p in papers:
        for text in (p.title, "\n".join(p.authors), "\n".join(p.ai_keywords), p.abstract):
            set(word.findall(text.casefold()))
    return time.perf_counter() - start


def time_naive(papers: list[Paper]) -> list[float]:
    blobs = [
        "\n".join((p.title, *p.authors, *p.ai_keywords, p.abstract)).casefold() for p in papers
    ]
    ids = [p.id for p in papers]
    times: list[float] = []
    for text in keystrokes():
        start = time.perf_counter()
        needle = text.casefold()
        [paper_id for paper_id, blob in zip(ids, blobs, strict=True) if needle in blob]
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def main() -> None:
    load_before = os.getloadavg()[0]
    papers = load_papers()
    context = SearchContext(
        today=TODAY,
        read=frozenset(p.id for p in papers[::3]),
        bookmarked=frozenset(p.id for p in papers[::50]),
    )
    rows: list[tuple[str, str, float, float, float]] = []
    builds: list[tuple[str, float, float]] = []
    ratios: list[tuple[str, float]] = []
    for label, collection, runs in (("10k", papers, 3), ("100k", scale(papers, BIG), 1)):
        index, seconds = time_build(collection, runs)
        builds.append((f"{label} ({len(index):,} papers)", seconds, time_split(collection)))
        ours = summary(time_index(index, context))
        naive = summary(time_naive(collection))
        rows.append((label, "paperterm", *ours))
        rows.append((label, "naive substring", *naive))
        ratios.append((label, naive[0] / ours[0]))
        del index

    print(f"{len(keystrokes())} keystrokes over {len(QUERIES)} queries of 1-20 characters")
    load_after = os.getloadavg()[0]
    print(f"load average (1 min) before/after: {load_before:.2f}/{load_after:.2f}, 2 cores\n")
    print(f"{'set':<6} {'matcher':<16} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for label, name, median, p95, worst in rows:
        print(f"{label:<6} {name:<16} {median:>10.2f} {p95:>8.2f} {worst:>8.2f}")
    print()
    for label, ratio in ratios:
        print(f"{label}: naive median / paperterm median = {ratio:.1f}x")
    print()
    for label, seconds, split in builds:
        print(f"index build {label}: {seconds:.2f} s = {seconds / split:.1f}x splitting the texts")
    print("\ngoals: median <= 16 ms at 10k, <= 50 ms at 100k, max <= 100 ms")


if __name__ == "__main__":
    main()
