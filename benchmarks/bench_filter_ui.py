"""Typing in the reader's filter bar with 10k and 100k papers cached: latency and UI-loop stalls.

In a real (headless) app showing a trending list of real size, with N papers in the feed
cache as a fetch leaves them (the persistent search index answers), the script measures
  * the first search right after start, in the trending list;
  * widening to everything (ctrl+a), last key -> the count on screen (the key is pressed
    through the test pilot, which first waits for the app to be idle: an upper bound);
  * searching everything cached, as the issue counts it: each query typed as fast as keys
    arrive, last key -> its final result on screen (a keystroke's search stops the one
    before it);
  * searching everything one key at a time, waiting for each key's result: every prefix of
    every query, single letters included (stricter than the above);
  * the longest stall of the UI event loop meanwhile, from a task that asks to wake every
    millisecond (goal: never blocked longer than 33 ms).
100k papers are the fixtures' repeated with ids of their own (`corpus.scaled`).

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

from appdata import make_service, trending_papers  # noqa: E402
from corpus import scaled  # noqa: E402

from paperterm import pause_collection  # noqa: E402
from paperterm.config import Settings  # noqa: E402
from paperterm.models import FeedSpec  # noqa: E402
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


async def measure(size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        service = make_service(Path(home))
        trending = trending_papers()
        # In the cache, as a fetch leaves them: the persistent index answers the filter. The
        # papers are not kept: a reader holds only what it shows (their objects would make
        # every full collection of the garbage collector walk them, here and not in use).
        papers = scaled(size)
        for start in range(0, len(papers), 5000):
            service.feeds.cache.store_papers(papers[start : start + 5000])
        del papers
        service.feeds.cache.store_papers(trending)
        service.feeds.cache.index.fold()  # a fetch's last step
        view = FeedView(
            FeedSpec("trending"), FeedSpec("trending"), tuple(trending), service.clock(), "cache"
        )
        service.feeds.cached = lambda spec, wait=True: view  # type: ignore[method-assign]
        # As the `paperterm` script starts the reader: the collector waits for the first frame,
        # then sets aside what start-up made.
        pause_collection()
        app = PapertermApp(service, offline=True, settings=Settings(auto_read_delay=0))
        keyed: list[float] = []
        typed: list[float] = []
        stalls: list[float] = []  # typing fast
        key_stalls: list[float] = []  # waiting for each key's result
        async with app.run_test(size=(120, 36)) as pilot:
            reader = app.reader

            async def result(text: str) -> None:
                while reader.filter.found is None or reader.filter.found.query.text != text:
                    await asyncio.sleep(0.0005)

            # Right after start (pilot.press would first wait for the app to be idle): the
            # bar opens and a key arrives as the user types them.
            reader.filter_bar.open()
            await asyncio.sleep(0)
            started = time.perf_counter()
            reader.filter_bar.input.insert_text_at_cursor("x")
            await result("x")
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
            await app.workers.wait_for_complete()
            watch = LoopWatch()
            for fast in (True, False):
                for query in QUERIES:
                    reader.filter_bar.input.value = ""
                    await result("")
                    await app.workers.wait_for_complete()
                    watch.start()
                    for length in range(1, len(query) + 1):
                        started = time.perf_counter()
                        reader.filter_bar.input.insert_text_at_cursor(query[length - 1])
                        if fast:
                            await asyncio.sleep(0)  # the next key as soon as the loop takes it
                        else:
                            await result(query[:length])
                            keyed.append(time.perf_counter() - started)
                    if fast:
                        await result(query)
                        typed.append(time.perf_counter() - started)
                    (stalls if fast else key_stalls).append(watch.stop())
        return {
            "first search (ms)": first * 1000,
            "widen, last key->count (ms)": widen * 1000,
            "papers widened to": widened,
            "everything: typed, median": statistics.median(typed) * 1000,
            "everything: typed, max": max(typed) * 1000,
            "each key: median (ms)": statistics.median(keyed) * 1000,
            "each key: p95 (ms)": statistics.quantiles(keyed, n=20)[-1] * 1000,
            "each key: max (ms)": max(keyed) * 1000,
            "worst loop stall (ms)": max(stalls + key_stalls) * 1000,
            "  stall typing fast": max(stalls) * 1000,
            "  stall, each key": max(key_stalls) * 1000,
        }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    sizes = parser.parse_args().sizes
    results = {n: await measure(n) for n in sizes}
    keys = len("".join(QUERIES))
    print(f"{len(QUERIES)} queries ({keys} keys) typed into the filter bar over everything cached")
    print("typed: last key -> final result, typing fast; each key: waiting for every key's result")
    print(f"{'':<24}" + "".join(f"{n:>12,}" for n in sizes))
    for name in results[sizes[0]]:
        print(f"{name:<24}" + "".join(f"{results[n][name]:>12.2f}" for n in sizes))


if __name__ == "__main__":
    asyncio.run(main())
