"""The benchmarks' data: the fixture papers at any size, and caches filled with them."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from paperterm.records import replace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hf_data import collection_papers  # noqa: E402

from paperterm.feed import FeedCache  # noqa: E402
from paperterm.models import FeedSpec, Paper  # noqa: E402


def scaled(size: int) -> list[Paper]:
    """`size` papers: the 9,877 fixture papers repeated, each copy with an id of its own."""
    base = collection_papers()
    return [
        replace(base[i % len(base)], id=f"{2400 + i // 99999:04d}.{i % 99999:05d}")
        for i in range(size)
    ]


def store_days(cache: FeedCache, papers: list[Paper], at: dt.datetime) -> None:
    """One daily feed per feed day of `papers`, as `paperterm fetch daily:DAY` stores it (the
    search index's word log folded in when it has grown, as after each fetch)."""
    by_day: dict[str, list[Paper]] = {}
    for paper in papers:
        by_day.setdefault(str(paper.feed_day), []).append(paper)
    for day, day_papers in by_day.items():
        spec = FeedSpec.parse(f"daily:{day}")
        cache.store_feed(spec, spec, day_papers, at)
        cache.index.fold()
