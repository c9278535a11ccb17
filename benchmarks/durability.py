"""Durability at any size, for bench_state.py: how long after a change it is on disk, how long
a big state delays the reader's first frame and its quit, and `paperterm bookmarks` on it.

* key → durable: a change applied and flushed to the journal (what the reader does after each
  key), against rewriting the whole file (`fold`, what every change cost before the journal),
  on states of 0.1, 2.5 and 50 MB. Median and 99th percentile over 200 changes.
* the reader on a pty: first painted frame and quit (q → exit) with the 50 MB state, against
  the same with the 0.1 MB state, interleaved.
* `paperterm bookmarks`: cold (no parse cache) and warm, 50 MB against 0.1 MB.
"""

from __future__ import annotations

import datetime as dt
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from paperterm.feed import FeedCache
from paperterm.library import AddBookmark, MarkRead, StateStore
from paperterm.models import FeedSpec, Paper

SIZES = {"0.1 MB": 100_000, "2.5 MB": 2_500_000, "50 MB": 50_000_000}


def fill(home: Path, papers: list[Paper], target: int) -> tuple[int, int, int]:
    """A state file of about `target` bytes (a tenth in read marks, the rest in bookmarks with
    real snapshots, ids made unique); returns (bytes, bookmarks, read marks)."""
    data = home / "data" / "paperterm"
    store = StateStore(
        data / "state.toml", cache=home / "cache" / "paperterm" / "state-cache.jsonl"
    )
    store.load()
    reads = max(1000, target // 10 // 45)
    store.apply(MarkRead(tuple(f"1000.{i:05d}" for i in range(reads))), save=False)
    count = max(10, int(target * 0.9 // 2600))
    marks = []
    for i in range(count):
        paper = papers[i % len(papers)]
        marks.append(
            AddBookmark(
                Paper.from_json({**paper.to_json(), "id": f"{3000 + i // 99999}.{i % 99999:05d}"})
            )
        )
    for op in marks:
        store.apply(op, save=False)
    store.sync()
    return (data / "state.toml").stat().st_size, count, reads


def latencies(home: Path, changes: int = 200) -> tuple[list[float], list[float]]:
    """ms per change: flushed to the journal, and folded into the whole file."""
    store = StateStore(home / "data" / "paperterm" / "state.toml",
                       cache=home / "cache" / "paperterm" / "state-cache.jsonl")  # fmt: skip
    store.load()
    flushed, folded = [], []
    for i in range(changes):
        start = time.perf_counter()
        store.apply(MarkRead((f"8888.{i:05d}",)), save=False)
        store.flush()
        flushed.append((time.perf_counter() - start) * 1000)
        if i < 12:  # the old way, a few times (seconds each at 50 MB)
            start = time.perf_counter()
            store.apply(MarkRead((f"7777.{i:05d}",)), save=False)
            store.sync()
            folded.append((time.perf_counter() - start) * 1000)
    store.sync()
    return flushed, folded


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", TEXTUAL_ANIMATIONS="none",
               XDG_CACHE_HOME=str(home / "cache"), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), HF_ENDPOINT="http://127.0.0.1:9")  # fmt: skip
    return env


BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self):
        yield Static("bare app ready unread")

Bare().run()
"""


def reader_round(home: Path, marker: bytes, argv: list[str] | None = None) -> tuple[float, float]:
    """Seconds to the first frame showing `marker`, and from q to the process's exit."""
    import pty

    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        command = argv or [sys.executable, "-m", "paperterm", "--offline"]
        os.execvpe(command[0], command, env_for(home))
    output, first = b"", None
    while time.perf_counter() - start < 60:
        if select.select([fd], [], [], 0.02)[0]:
            output += os.read(fd, 65536)
            if first is None and marker in output:
                first = time.perf_counter() - start
            if b"unread" in output and first is not None:
                break
    time.sleep(0.2)  # let the app settle: the quit is measured from an idle reader
    os.write(fd, b"q")
    quit_start = time.perf_counter()
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if select.select([fd], [], [], 0.005)[0]:
            with suppress(OSError):
                os.read(fd, 65536)
    quit_time = time.perf_counter() - quit_start
    os.close(fd)
    assert first is not None, output[-300:]
    return first, quit_time


def bookmarks_command(home: Path, cold: bool) -> float:
    if cold:
        (home / "cache" / "paperterm" / "state-cache.jsonl").unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "paperterm", "bookmarks"], env=env_for(home),
                   capture_output=True, check=True)  # fmt: skip
    return time.perf_counter() - start


def report(papers: list[Paper], runs: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        homes: dict[str, Path] = {}
        print("key -> durable (apply + flush to the journal) against rewriting the whole file")
        print(
            f"{'state':<10}{'file':>10}{'flush med':>11}{'p99':>8}{'rewrite med':>13}{'ratio':>8}"
        )
        for name, target in SIZES.items():
            home = homes[name] = Path(tmp) / name.replace(" ", "")
            size, marks, reads = fill(home, papers, target)
            flushed, folded = latencies(home)
            med, fold_med = statistics.median(flushed), statistics.median(folded)
            print(f"{name:<10}{size / 1e6:>8.1f}MB{med:>9.1f}ms{p99(flushed):>6.1f}ms"
                  f"{fold_med:>11.0f}ms{fold_med / med:>7.0f}x   ({marks:,} bookmarks, {reads:,} read)")  # fmt: skip
        trending = papers[:100]
        for home in (homes["0.1 MB"], homes["50 MB"]):
            cache = FeedCache(home / "cache" / "paperterm" / "cache.sqlite3")
            cache.store_feed(
                FeedSpec("trending"), FeedSpec("trending"), trending, dt.datetime.now(dt.UTC)
            )
            cache.close()
            (home / "config" / "paperterm").mkdir(parents=True, exist_ok=True)
            (home / "config" / "paperterm" / "config.toml").write_text("auto_read_delay = 0\n")
        marker = trending[0].title[:30].encode()
        samples: dict[str, list[tuple[float, float]]] = {"0.1 MB": [], "50 MB": [], "bare": []}
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)

        def round_of(key: str) -> tuple[float, float]:
            if key == "bare":
                return reader_round(homes["0.1 MB"], b"bare app ready", [sys.executable, str(bare)])
            return reader_round(homes[key], marker)

        for key in samples:  # warm up .pyc files and caches
            round_of(key)
        for _ in range(runs):
            for key in samples:
                samples[key].append(round_of(key))
        print(f"\nthe reader on a pty, median of {runs} interleaved runs")
        small = samples["0.1 MB"]
        big = samples["50 MB"]
        first_small = statistics.median(s[0] for s in small) * 1000
        first_big = statistics.median(s[0] for s in big) * 1000
        quit_small = statistics.median(s[1] for s in small) * 1000
        quit_big = statistics.median(s[1] for s in big) * 1000
        print(f"first frame: 0.1 MB {first_small:.0f} ms, 50 MB {first_big:.0f} ms "
              f"(+{first_big - first_small:.0f} ms; goal <= +100 ms)")  # fmt: skip
        print(
            f"quit (q -> exit): 0.1 MB {quit_small:.0f} ms, 50 MB {quit_big:.0f} ms (goal <= 200 ms)"
        )
        shutil.rmtree(homes["2.5 MB"])
        rows = []
        for cold in (True, False):
            times = {k: statistics.median(bookmarks_command(homes[k], cold) for _ in range(3))
                     for k in ("0.1 MB", "50 MB")}  # fmt: skip
            rows.append((cold, times))
        print("\n`paperterm bookmarks`, median of 3")
        for cold, times in rows:
            label = "cold (no parse cache)" if cold else "warm"
            print(f"{label:<24} 0.1 MB {times['0.1 MB'] * 1000:.0f} ms, 50 MB {times['50 MB'] * 1000:.0f} ms"
                  f"{'  (goal <= 1 s)' if cold else ''}")  # fmt: skip
