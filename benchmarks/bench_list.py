"""`paperterm list <100-paper feed> --offline` against a big and a small cache.

Goal (issue: foundation): reading a feed costs what the feed costs, not what the cache holds —
the run with 9,877 cached papers (all 580 fixture days stored as feeds, plus a 100-paper
trending snapshot) must take at most 1.2x the run with only those 100 papers cached. The floor
is `python -c "import httpx"`, started the same way in the same run.

Goal (issue: faster than newsboat): with ~10k cached, `list FEED --filter Q` costs at most
50 ms more than the same `list` without a filter, for trending (100 papers) and a month
(monthly:2026-06, 618 papers), the query typo-tolerant ("difusion modle"; and, for trending,
"difusion transfromers": words of nine letters and more may hold two typos, the slowest
look-up).

    python benchmarks/bench_list.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from corpus import store_days  # noqa: E402
from hf_data import NOW, collection_papers  # noqa: E402

from paperterm.feed.cache import FeedCache  # noqa: E402
from paperterm.models import FeedSpec  # noqa: E402

MONTH = FeedSpec.parse("monthly:2026-06")
QUERY = "difusion modle"
LONG_QUERY = "difusion transfromers"


def fill(cache_home: Path, *, everything: bool) -> int:
    papers = collection_papers()
    cache = FeedCache(cache_home / "paperterm" / "cache.sqlite3")
    trending = FeedSpec("trending")
    cache.store_feed(trending, trending, papers[-100:], NOW)
    if everything:
        store_days(cache, papers, NOW)
        month = sorted(
            (p for p in papers if p.feed_day and p.feed_day.strftime("%Y-%m") == "2026-06"),
            key=lambda p: -p.upvotes,
        )
        cache.store_feed(MONTH, MONTH, month, NOW)
    count = len(cache.all_papers())
    cache.close()
    return count


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp, "small"), Path(tmp, "big")
        counts = {"small": fill(small, everything=False), "big": fill(big, everything=True)}
        base_env = {
            **os.environ,
            "HF_ENDPOINT": "http://127.0.0.1:9",
            "XDG_DATA_HOME": tmp,
            "XDG_CONFIG_HOME": tmp,
        }
        listing = [sys.executable, "-m", "paperterm", "list", "trending", "--offline"]
        commands = {
            "import httpx (floor)": ([sys.executable, "-c", "import httpx"], base_env),
            f"list, cache of {counts['small']}": (
                listing,
                {**base_env, "XDG_CACHE_HOME": str(small)},
            ),
            f"list, cache of {counts['big']}": (listing, {**base_env, "XDG_CACHE_HOME": str(big)}),
        }
        big_env = {**base_env, "XDG_CACHE_HOME": str(big)}
        for feed in ("trending", str(MONTH)):
            plain = [sys.executable, "-m", "paperterm", "list", feed, "--offline"]
            commands[f"{feed}, 10k"] = (plain, big_env)
            commands[f"{feed} --filter, 10k"] = ([*plain, "--filter", QUERY], big_env)
        long_filter = ["list", "trending", "--offline", "--filter", LONG_QUERY]
        commands["trending --filter (long), 10k"] = (
            [sys.executable, "-m", "paperterm", *long_filter],
            big_env,
        )
        for command, env in commands.values():  # warm the page cache and .pyc files
            timed(command, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):  # interleaved, so drift hits every command alike
            for name, (command, env) in commands.items():
                samples[name].append(timed(command, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    floor, small_t, big_t = list(medians.values())[:3]
    print(f"median of {runs} runs each, interleaved")
    print(f"{'command':<34}{'median ms':>10}{'min ms':>9}{'vs floor':>10}")
    for name, values in samples.items():
        print(
            f"{name:<34}{medians[name] * 1000:>10.1f}{min(values) * 1000:>9.1f}"
            f"{medians[name] / floor:>9.2f}x"
        )
    ratio = big_t / small_t
    print(
        f"big cache / small cache: {ratio:.3f}x (goal <= 1.2x) -> {'ok' if ratio <= 1.2 else 'MISSED'}"
    )
    for feed, name, query in (
        ("trending", "trending --filter, 10k", QUERY),
        (str(MONTH), f"{MONTH} --filter, 10k", QUERY),
        ("trending", "trending --filter (long), 10k", LONG_QUERY),
    ):
        extra = (medians[name] - medians[f"{feed}, 10k"]) * 1000
        verdict = "ok" if extra <= 50 else "MISSED"
        print(
            f"{feed} --filter {query!r}: {extra:+.1f} ms over the plain list (goal <= +50 ms) -> {verdict}"
        )


if __name__ == "__main__":
    main()
