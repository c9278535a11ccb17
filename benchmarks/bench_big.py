"""The reader over a large cache, from outside (tmux, 120x36), as `bench_newsboat.py` measures
it at 10k: launch to papers on screen, widening to everything (``/`` then ctrl+a, last key to
the count), searching everything for a word (last key to the final count), and the process's
memory (RSS) at each step.

The papers are the fixtures' repeated with ids of their own (`corpus.scaled`), stored as
`paperterm fetch` stores them, trending on top; say so when quoting the figures (the
vocabulary stays that of the fixtures' 9,877 papers).

    python benchmarks/bench_big.py [--size 100000] [--runs 3] [--word diffusion]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_newsboat import Terminal
from corpus import scaled, store_days

from paperterm.feed.cache import FeedCache
from paperterm.models import FeedSpec
from paperterm.query import SearchContext, parse_query


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--word", default="diffusion")
    args = parser.parse_args()
    papers = scaled(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        now = dt.datetime.now(dt.UTC)
        cache = FeedCache(home / "cache" / "paperterm" / "cache.sqlite3")
        start = time.perf_counter()
        store_days(cache, papers, now)
        trending = sorted((p for p in papers if p.title.isascii()), key=lambda p: -p.upvotes)[:50]
        cache.store_feed(FeedSpec("trending"), FeedSpec("trending"), trending, now)
        cache.index.fold()
        stored = time.perf_counter() - start
        context = SearchContext(today=now.date())
        total = len(cache.index.search_ids(parse_query(""), context) or [])
        found = len(cache.index.search_ids(parse_query(args.word), context) or [])
        cache.close()
        marker = trending[0].title[:30]
        env = {
            "TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none",
            "XDG_CACHE_HOME": str(home / "cache"), "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"), "HF_ENDPOINT": "http://127.0.0.1:9",
            "HOME": str(home), "PATH": os.environ["PATH"],
        }  # fmt: skip
        times: dict[str, list[float]] = {"launch": [], "widen": [], "search": []}
        rss: dict[str, list[float]] = {"at start": [], "everything in view": [], "searched": []}
        for run in range(args.runs):
            term = Terminal(f"bench-big-{os.getpid()}-{run}")
            try:
                start = term.start(f"{sys.executable} -m paperterm --offline", env)
                times["launch"].append(term.wait(marker, " unread ·") - start)
                rss["at start"].append(term.rss_mib())
                term.keys("/")
                time.sleep(0.3)
                sent = term.keys("C-a")
                times["widen"].append(term.wait(f"{total} papers") - sent)
                rss["everything in view"].append(term.rss_mib())
                sent = term.keys(args.word)
                times["search"].append(term.wait(f"{found} of {total} papers") - sent)
                rss["searched"].append(term.rss_mib())
            finally:
                term.kill()
    print(f"{len(papers):,} papers (fixtures repeated), stored in {stored:.0f} s; {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    for name, values in times.items():
        print(f"{name:<8} median {statistics.median(values) * 1000:6.0f} ms, "
              f"max {max(values) * 1000:6.0f} ms  ({', '.join(f'{v * 1000:.0f}' for v in values)})")  # fmt: skip
    for name, values in rss.items():
        print(f"RSS {name}: {max(values):.1f} MiB (max of runs)")


if __name__ == "__main__":
    main()
