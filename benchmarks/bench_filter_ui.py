"""Typing in the reader's filter bar over 10k and 100k papers: latency and UI-loop stalls.

In a real (headless) app, the list shows N papers; the script types queries into the filter
bar one character at a time, as fast as keys arrive, and measures
  * keystroke -> the list shows that keystroke's result (search in a worker + list update);
  * the longest stall of the UI event loop meanwhile, from a task that asks to wake every
    millisecond (goal: never blocked longer than one frame, 16 ms).
The papers are stored in the feed cache first, as a fetch leaves them, so the persistent
search index answers; the first search after start and widening to everything (ctrl+a, until
the count is on screen) are timed separately. 100k papers are the fixtures' repeated with ids
of their own (`corpus.scaled`).

    python benchmarks/bench_filter_ui.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from appdata import make_service  # noqa: E402
from corpus import scaled  # noqa: E402

from paperterm.config import Settings  # noqa: E402
from paperterm.models import FeedSpec, Paper  # noqa: E402
from paperterm.service import FeedView  # noqa: E402
from paperterm.ui.app import PapertermApp  # noqa: E402

QUERIES = ["diffusion", "agent has:code", "reinforcment learning", "author:li", "up:>50 video",
           "-survey vision language", "kv cache", "tokenizer"]  # fmt: skip


class LoopWatch:
    """Longest time the event loop was late to wake a 1 ms sleeper."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            self.worst = max(self.worst, time.perf_counter() - start - 0.001)

    def start(self) -> None:
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._watch())

    def stop(self) -> float:
        assert self._task is not None
        self._task.cancel()
        return self.worst


async def measure(papers: list[Paper]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        service = make_service(Path(home))
        # In the cache, as a fetch leaves them: the persistent index answers the filter.
        for start in range(0, len(papers), 5000):
            service.feeds.cache.store_papers(papers[start : start + 5000])
        service.feeds.cache.index.fold()  # a fetch's last step
        view = FeedView(
            FeedSpec("trending"), FeedSpec("trending"), papers, service.clock(), "cache"
        )
        service.feeds.cached = lambda spec, wait=True: view  # type: ignore[method-assign]
        app = PapertermApp(service, offline=True, settings=Settings(auto_read_delay=0))
        latencies: list[float] = []
        stalls: list[float] = []
        async with app.run_test(size=(120, 36)) as pilot:
            reader = app.reader
            await pilot.press("slash")
            started = time.perf_counter()
            await pilot.press("x")
            while reader.filter.found is None or reader.filter.found.query.text != "x":
                await asyncio.sleep(0.0005)
            first = time.perf_counter() - started
            await app.workers.wait_for_complete()
            reader.clear_filter()
            reader.filter_bar.open()
            await pilot.pause()
            started = time.perf_counter()
            await pilot.press("ctrl+a")
            while reader.filter._everything is None:
                await asyncio.sleep(0.0005)
            widen = time.perf_counter() - started
            widened = len(reader.paper_list.papers)
            await pilot.press("ctrl+a")
            await app.workers.wait_for_complete()
            watch = LoopWatch()
            for query in QUERIES:
                reader.clear_filter()
                reader.filter_bar.open()
                await pilot.pause()
                watch.start()
                for length in range(1, len(query) + 1):
                    text = query[:length]
                    started = time.perf_counter()
                    reader.filter_bar.input.insert_text_at_cursor(query[length - 1])
                    while reader.filter.found is None or reader.filter.found.query.text != text:
                        await asyncio.sleep(0.0005)
                    latencies.append(time.perf_counter() - started)
                stalls.append(watch.stop())
        return {
            "first search (ms)": first * 1000,
            "widen, last key->count (ms)": widen * 1000,
            "papers widened to": widened,
            "keystroke median (ms)": statistics.median(latencies) * 1000,
            "keystroke p95 (ms)": statistics.quantiles(latencies, n=20)[-1] * 1000,
            "keystroke max (ms)": max(latencies) * 1000,
            "worst loop stall (ms)": max(stalls) * 1000,
        }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    sizes = parser.parse_args().sizes
    results = {n: await measure(scaled(n)) for n in sizes}
    keys = len("".join(QUERIES))
    print(f"{keys} keystrokes over {len(QUERIES)} queries, typed into the reader's filter bar")
    print(f"{'':<24}" + "".join(f"{n:>12,}" for n in sizes))
    for name in results[sizes[0]]:
        print(f"{name:<24}" + "".join(f"{results[n][name]:>12.2f}" for n in sizes))


if __name__ == "__main__":
    asyncio.run(main())
