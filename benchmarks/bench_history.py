"""How big the feed history grows: a month of hourly trending fetches.

Each fetch stores 150 trending papers (real fixture papers, the fake server's trending order)
whose upvotes, comments and stars grow and whose order shuffles a little every hour, with a
new paper or two coming in each day. Stored through `FeedCache.store_feed`, so the retention
rule of `paperterm.feed.history` applies as it does for a user; the size without retention
(every snapshot kept) is printed beside it.

    python benchmarks/bench_history.py [--days N] [--papers N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

from paperterm.records import replace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hf_data import NOW, collection_papers  # noqa: E402

from paperterm.feed import history  # noqa: E402
from paperterm.feed.cache import FeedCache  # noqa: E402
from paperterm.models import FeedSpec, Paper  # noqa: E402


def fetches(days: int, size: int) -> list[tuple[dt.datetime, list[Paper]]]:
    """`days` * 24 hourly trending lists, oldest first."""
    rng = random.Random(13)
    pool = [p for p in collection_papers() if p.stars is not None]
    pool.sort(key=lambda p: -(p.stars or 0))
    shown = pool[:size]
    spare = pool[size:]
    start = NOW - dt.timedelta(days=days)
    out = []
    for hour in range(days * 24):
        if hour % 12 == 0 and spare:  # two newcomers a day push out the last ones
            shown = [spare.pop(0), *shown[:-1]]
        shown = [
            replace(
                p,
                upvotes=p.upvotes + rng.randint(0, 3),
                comments=p.comments + (rng.random() < 0.05),
                stars=(p.stars or 0) + rng.randint(0, 20),
            )
            for p in shown
        ]
        i = rng.randrange(len(shown) - 1)
        shown[i], shown[i + 1] = shown[i + 1], shown[i]
        out.append((start + dt.timedelta(hours=hour), list(shown)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--papers", type=int, default=150)
    args = parser.parse_args()
    runs = fetches(args.days, args.papers)
    raw = sum(len(history.pack(papers)) for _, papers in runs)
    with tempfile.TemporaryDirectory() as tmp:
        cache = FeedCache(Path(tmp) / "cache.sqlite3")
        trending = FeedSpec("trending")
        for at, papers in runs:
            cache.store_feed(trending, trending, papers, at)
        kept, size = cache.history.size()
        cache.close()
    one = raw / len(runs)
    print(f"{len(runs)} hourly fetches of {args.papers} papers over {args.days} days")
    print(f"one snapshot: {one / 1024:.2f} KiB packed")
    print(f"every snapshot kept: {raw / 1024:.0f} KiB")
    print(f"with retention: {kept} snapshots, {size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
