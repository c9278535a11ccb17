"""`paperterm fetch` with the persistent search index and without it, from outside: the whole
command in a fresh process against the fake HF API on 127.0.0.1, as cron or a user runs it.

* A day's fetch: the cache holds every fixture paper but those of the last days; each run
  fetches one of those days (new papers, as a day's fetch brings) into a fresh copy of it.
* Everything: every fixture month and trending into an empty cache (~9,900 papers); its end
  starts building For you's corpus in a process that goes on after it; the next run waits for
  that, and the time is reported apart.

"Without" is the same command with the index's maintenance switched off (nothing indexed,
no words logged), so the ratio is what the index costs a fetch. Runs alternate between the
two; medians.

    python benchmarks/bench_fetch.py [--days 7] [--everything-runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import store_days
from fakehf import FakeHF, serve
from hf_data import collection_papers

from paperterm.feed import FeedCache, searchindex
from paperterm.models import Paper
from paperterm.service.keeper import Keeper, keep_ready

NOW = dt.datetime(2026, 8, 21, 12, tzinfo=dt.UTC)
RUN = """
import sys
if sys.argv[1] == "without":
    from paperterm.feed import searchindex
    searchindex.store = lambda db, rows: None
from paperterm.__main__ import main
sys.exit(main(sys.argv[2:]))
"""


def cache_without(days: set[str], path: Path, *, index: bool) -> None:
    """Every fixture paper but those of `days`, stored day by day as `fetch` stores them."""
    papers: list[Paper] = [p for p in collection_papers() if str(p.feed_day) not in days]
    original = searchindex.store
    if not index:
        searchindex.store = lambda db, rows: None  # type: ignore[assignment]
    try:
        cache = FeedCache(path)
        store_days(cache, papers, NOW)
        cache.close()
    finally:
        searchindex.store = original


def fetch(home: Path, url: str, variant: str, specs: list[str]) -> float:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "HF_ENDPOINT": url,
        "NO_PROXY": "127.0.0.1",
    }
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RUN, variant, "fetch", *specs],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"fetch failed ({variant}): {result.stderr.strip()}")
    return seconds


def home_with(tmp: Path, name: str, cache: Path | None) -> Path:
    """A home with a copy of `cache`, and of the For-you corpus kept for it (a day's fetch
    finds the corpus the fetches before it kept)."""
    home = tmp / name
    shutil.rmtree(home, ignore_errors=True)
    (home / "cache" / "paperterm").mkdir(parents=True)
    if cache is not None:
        shutil.copy(cache, home / "cache" / "paperterm" / "cache.sqlite3")
        kept = cache.with_suffix(".postings")
        if not kept.exists():
            keep_ready(cache, kept)
        shutil.copy(kept, home / "cache" / "paperterm" / "for-you.postings")
    return home


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--everything-runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    fake = FakeHF()
    held = sorted(fake.by_day)[-args.days :]
    months = sorted({day[:7] for day in fake.by_day})
    with tempfile.TemporaryDirectory() as tmp_name, serve(fake) as url:
        tmp = Path(tmp_name)
        caches = {variant: tmp / f"{variant}.sqlite3" for variant in ("with", "without")}
        for variant, path in caches.items():
            cache_without(set(held), path, index=variant == "with")
        times: dict[str, list[float]] = {"with": [], "without": []}
        for i, day in enumerate(held):
            order = ("with", "without") if i % 2 == 0 else ("without", "with")
            for variant in order:
                home = home_with(tmp, variant, caches[variant])
                times[variant].append(fetch(home, url, variant, [f"daily:{day}"]))
        papers = sum(len(fake.by_day[day]) for day in held)
        w, wo = (statistics.median(times[v]) for v in ("with", "without"))
        print(f"fetch a day ({papers / len(held):.0f} new papers on average, {len(held)} days): "
              f"{w * 1000:.0f} ms with the index, {wo * 1000:.0f} ms without ({w / wo:.2f}x)")  # fmt: skip
        if not args.everything_runs:
            return
        everything = [f"monthly:{month}" for month in months] + ["trending"]
        times = {"with": [], "without": []}
        after: list[float] = []
        for i in range(args.everything_runs):
            order = ("with", "without") if i % 2 == 0 else ("without", "with")
            for variant in order:
                home = home_with(tmp, variant, None)
                times[variant].append(fetch(home, url, variant, everything))
                # The command leaves For you's corpus building in a process of its own: the
                # next run waits for it, and that time is reported apart.
                after.append(_timed_wait(home))
        w, wo = (statistics.median(times[v]) for v in ("with", "without"))
        print(f"fetch everything ({len(months)} months + trending, ~9,900 papers): {w:.1f} s with "
              f"the index, {wo:.1f} s without ({w / wo:.2f}x); For you's corpus then built in "
              f"the background, done {statistics.median(after):.1f} s after the command")  # fmt: skip


def _timed_wait(home: Path) -> float:
    cache = home / "cache" / "paperterm"
    started = time.perf_counter()
    Keeper(cache / "cache.sqlite3", cache / "for-you.postings").wait()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
