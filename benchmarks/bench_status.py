"""`paperterm status`, as a tmux status line runs it, against Python's own start.

Goal (issue 13): the median of ``paperterm status`` (the installed script) at most 1.5x the
median of ``python -c "import sqlite3, tomllib"``, started the same way in the same run. The
home holds a trending feed fetched twice (150 papers, a look in between) and a state file of
2,000 read marks and 200 bookmarks. Printed beside it: ``python -c pass``, and the full path
(the tally made stale before every run by touching the state file), which is what one call
in a while costs after the reading state changed.

    python benchmarks/bench_status.py [--runs N]
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

from paperterm.records import replace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hf_data import NOW, collection_papers  # noqa: E402

from paperterm.feed.cache import FeedCache  # noqa: E402
from paperterm.feed.history import Mark  # noqa: E402
from paperterm.library import AddBookmark, MarkRead, StateStore  # noqa: E402
from paperterm.models import FeedSpec  # noqa: E402


def fill(home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "HF_ENDPOINT": "http://127.0.0.1:9",
    }
    papers = collection_papers()
    cache = FeedCache(home / "cache" / "paperterm" / "cache.sqlite3")
    trending, first = FeedSpec("trending"), NOW - dt.timedelta(hours=20)
    cache.store_feed(trending, trending, papers[-150:], first)
    cache.history.set_marks([Mark("seen:trending", first, tuple(p.id for p in papers[-150:]))])
    later = [replace(p, upvotes=p.upvotes + 3) for p in papers[-153:-3]]
    cache.store_feed(trending, trending, later, NOW)
    cache.close()
    store = StateStore(home / "data" / "paperterm" / "state.toml")
    store.load()
    store.apply(MarkRead(tuple(p.id for p in papers[:2000])))
    for paper in papers[2000:2200]:
        store.apply(AddBookmark(paper, tags=("bench",)))
    store.fold()
    return env


def timed(command: list[str], env: dict[str, str], before: object = None) -> float:
    if callable(before):
        before()
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    script = shutil.which("paperterm", path=str(Path(sys.executable).parent))
    if script is None:
        raise SystemExit("the paperterm script is not installed beside this python")
    with tempfile.TemporaryDirectory() as tmp:
        env = fill(Path(tmp))
        state = Path(tmp) / "data" / "paperterm" / "state.toml"

        def stale() -> None:
            os.utime(state, ns=(time.time_ns(), time.time_ns()))

        commands = {
            "python -c pass": ([sys.executable, "-c", "pass"], None),
            "import sqlite3, tomllib (goal base)": (
                [sys.executable, "-c", "import sqlite3, tomllib"],
                None,
            ),
            "paperterm status (tally current)": ([script, "status"], None),
            "paperterm status (state changed)": ([script, "status"], stale),
        }
        for command, before in commands.values():  # warm the page cache, .pyc and the tally
            timed(command, env, before)
        subprocess.run([script, "status"], env=env, check=True, stdout=subprocess.DEVNULL)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):  # interleaved, so drift hits every command alike
            for name, (command, before) in commands.items():
                samples[name].append(timed(command, env, before))
            # leave the tally current again for the next round's quick run
            subprocess.run([script, "status"], env=env, check=True, stdout=subprocess.DEVNULL)
        line = subprocess.run([script, "status"], env=env, check=True, capture_output=True)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians["import sqlite3, tomllib (goal base)"]
    print(f"median of {runs} runs each, interleaved; status says: {line.stdout.decode().strip()}")
    print(f"{'command':<38}{'median ms':>10}{'min ms':>9}{'vs base':>9}")
    for name, values in samples.items():
        print(
            f"{name:<38}{medians[name] * 1000:>10.1f}{min(values) * 1000:>9.1f}"
            f"{medians[name] / base:>8.2f}x"
        )
    ratio = medians["paperterm status (tally current)"] / base
    print(f"status / base: {ratio:.2f}x (goal <= 1.5x) -> {'ok' if ratio <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
