"""Start-up, ready to triage: paperterm over a 10k-paper cache vs a bare Textual app.

Both run in a real pseudo-terminal (120x36), started the same way in the same run, and the
clock stops when a marker appears in what the process writes to the terminal: for the bare
app the text of its one Static; for paperterm the first trending title (its first frame) and
then the status line's unread count (ready: the list with its read marks). The ratios are of
ready; the first frame is shown beside it.

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
from ptyrun import run_on_pty, times_on_pty  # noqa: E402

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


READY = " unread \N{MIDDLE DOT}".encode()  # the status line's count: the state is read


def ready(argv: list[str], env: dict[str, str], marker: bytes) -> tuple[float, float]:
    """Seconds from spawn to the first frame (`marker`) and to ready (the unread count too)."""
    first, counted = times_on_pty(argv, env, (marker, READY), seconds=20)
    return first, max(first, counted)


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
            "paperterm --offline": [sys.executable, "-m", "paperterm", "--offline"],
            "paperterm (online, fresh)": [sys.executable, "-m", "paperterm"],
        }
        bare_argv, bare_marker = [sys.executable, str(home / "bare.py")], b"bare app ready"
        first_frame(bare_argv, env, bare_marker)  # warm caches and .pyc files
        for argv in commands.values():
            ready(argv, env, marker)
        bare: list[float] = []
        frames: dict[str, list[float]] = {name: [] for name in commands}
        readies: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            bare.append(first_frame(bare_argv, env, bare_marker))
            for name, argv in commands.items():
                frame, counted = ready(argv, env, marker)
                frames[name].append(frame)
                readies[name].append(counted)
    base = statistics.median(bare)
    print(f"start-up, median of {runs} interleaved runs in a 120x36 pty")
    print(f"{'':<28}{'first frame':>12}{'ready ms':>10}{'min ms':>8}{'vs bare':>9}")
    print(f"{'bare Textual app':<28}{base * 1000:>12.0f}{base * 1000:>10.0f}{min(bare) * 1000:>8.0f}"
          f"{1:>8.2f}x")  # fmt: skip
    for name in commands:
        frame, median = statistics.median(frames[name]), statistics.median(readies[name])
        print(f"{name:<28}{frame * 1000:>12.0f}{median * 1000:>10.0f}"
              f"{min(readies[name]) * 1000:>8.0f}{median / base:>8.2f}x")  # fmt: skip
    worst = max(statistics.median(v) for v in readies.values()) / base
    for goal, issue in ((1.5, "the reader"), (1.3, "faster than newsboat")):
        verdict = "ok" if worst <= goal else "MISSED"
        print(f"worst ratio, ready {worst:.2f}x (issue {issue}: goal <= {goal}x) -> {verdict}")


if __name__ == "__main__":
    main()
