"""How long exporting and importing 10,000 bookmarks takes, per format.

Bookmarks are built from the 9,881 real fixture items (9,877 distinct papers), padded to
10,000 with copies under unused ids, every third one tagged and every fifth one with a note.
Each step runs three times and the best time is shown, with its ratio to a baseline measured
in the same run (plain ``json.dumps`` of every paper's ``to_json()``), so numbers from different
machines can be compared. Goal: every export under one second.

    python benchmarks/bench_export.py
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from paperterm.records import replace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hf_data import collection_items

from paperterm.exchange import EXPORT_FORMATS, export, keys_to_pin
from paperterm.exchange.importer import import_bibtex, import_json
from paperterm.feed.ingest import ingest_items
from paperterm.models import Bookmark

COUNT = 10_000
NOW = dt.datetime(2026, 8, 21, 15, 0, tzinfo=dt.UTC)
T = TypeVar("T")


def bookmarks() -> list[Bookmark]:
    papers = ingest_items(collection_items(), NOW, "daily").papers
    taken = {p.id for p in papers}
    padding = (f"2699.{n:05d}" for n in range(100_000) if f"2699.{n:05d}" not in taken)
    while len(papers) < COUNT:
        papers.append(replace(papers[len(papers) % 9_000], id=next(padding)))
    return [
        Bookmark(
            paper=paper,
            added_at=NOW - dt.timedelta(minutes=i),
            tags=("to-read", "llm") if i % 3 == 0 else (),
            note=f"Read section {i % 7}.\nCompare with the baseline." if i % 5 == 0 else "",
        )
        for i, paper in enumerate(papers[:COUNT])
    ]


def best(step: Callable[[], T], runs: int = 3) -> tuple[float, T]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    assert result is not None
    return min(times), result


def main() -> None:
    marks = bookmarks()
    baseline, _ = best(lambda: json.dumps([b.paper.to_json() for b in marks]))
    print(f"{len(marks)} bookmarks; baseline json.dumps of the papers: {baseline:.3f} s\n")
    print(f"{'step':<20}{'seconds':>9}{'x baseline':>12}{'output':>12}")

    def row(name: str, seconds: float, size: str = "") -> None:
        print(f"{name:<20}{seconds:>9.3f}{seconds / baseline:>12.1f}{size:>12}")

    seconds, pins = best(lambda: keys_to_pin(marks))
    row("keys_to_pin", seconds, f"{len(pins)} keys")
    marks = [replace(b, cite_key=pins[b.id]) for b in marks]
    outputs: dict[str, str] = {}
    for fmt in EXPORT_FORMATS:
        seconds, text = best(lambda fmt=fmt: export(marks, fmt))
        outputs[fmt] = text
        row(f"export {fmt}", seconds, f"{len(text.encode('utf-8')) / 1e6:.1f} MB")
    seconds, result = best(lambda: import_json(outputs["json"], now=NOW))
    row("import json", seconds, f"{len(result.bookmarks)} read")
    seconds, result = best(lambda: import_bibtex(outputs["bibtex"], now=NOW))
    row("import bibtex", seconds, f"{len(result.bookmarks)} read")


if __name__ == "__main__":
    main()
