"""Start-up to the first painted frame: paperterm over a 10k-paper cache vs a bare Textual app.

Both run in a real pseudo-terminal (120x36), started the same way in the same run, and the
clock stops when a marker appears in what the process writes to the terminal: the first
trending title for paperterm, the text of the one Static for the bare app.

Goals: paperterm at most 1.5x the bare app (issue: the reader), 1.3x (issue: faster than
newsboat).

    python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from corpus import store_days  # noqa: E402
from hf_data import collection_papers  # noqa: E402
from ptyrun import run_on_pty  # noqa: E402

from paperterm.feed.cache import FeedCache  # noqa: E402
from paperterm.models import FeedSpec  # noqa: E402

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("bare app ready")

Bare().run()
"""


def fill_cache(cache_home: Path) -> str:
    """A cache of all 9,877 fixture papers; returns the first title of its trending feed."""
    now = dt.datetime.now(dt.UTC)
    papers = collection_papers()
    cache = FeedCache(cache_home / "paperterm" / "cache.sqlite3")
    store_days(cache, papers, now)
    trending = sorted(papers, key=lambda p: -(p.stars or 0))[:100]
    cache.store_feed(FeedSpec("trending"), FeedSpec("trending"), trending, now)
    cache.close()
    return trending[0].title[:30]


def first_frame(argv: list[str], env: dict[str, str], marker: bytes, timeout: float = 20) -> float:
    """Seconds from spawn until `marker` appears on the terminal."""
    output, elapsed = run_on_pty(argv, env, seconds=timeout, until=marker)
    if elapsed is None:
        raise RuntimeError(f"marker {marker!r} not seen; got {output[-300:]!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        marker = fill_cache(home / "cache").encode()
        (home / "bare.py").write_text(BARE_APP)
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
               "TEXTUAL_ANIMATIONS": "none", "XDG_CACHE_HOME": str(home / "cache"),
               "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
               "HF_ENDPOINT": "http://127.0.0.1:9"}  # fmt: skip
        commands = {
            "bare Textual app": ([sys.executable, str(home / "bare.py")], b"bare app ready"),
            "paperterm --offline": ([sys.executable, "-m", "paperterm", "--offline"], marker),
            "paperterm (online, fresh)": ([sys.executable, "-m", "paperterm"], marker),
        }
        for argv, mark in commands.values():  # warm caches and .pyc files
            first_frame(argv, env, mark)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, (argv, mark) in commands.items():
                samples[name].append(first_frame(argv, env, mark))
    bare = statistics.median(samples["bare Textual app"])
    print(f"first painted frame, median of {runs} interleaved runs in a 120x36 pty")
    print(f"{'':<28}{'median ms':>10}{'min ms':>9}{'vs bare':>9}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<28}{median * 1000:>10.0f}{min(values) * 1000:>9.0f}{median / bare:>8.2f}x")
    worst = max(statistics.median(v) for v in samples.values()) / bare
    for goal, issue in ((1.5, "the reader"), (1.3, "faster than newsboat")):
        verdict = "ok" if worst <= goal else "MISSED"
        print(f"worst ratio {worst:.2f}x (issue {issue}: goal <= {goal}x) -> {verdict}")


if __name__ == "__main__":
    main()
