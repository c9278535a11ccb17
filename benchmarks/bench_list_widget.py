"""The reader's list with 100, 10k and 100k papers: does it slow down with size?

For each size, inside a real app (headless, 120x36), it measures
  * first frame: set the papers and render every visible row;
  * cursor move (j), page down, and replacing all rows (a refilter or a refresh);
each as "op + render" (the operation plus rendering the visible rows through the widget's
line API, which is what the compositor calls) and as "key -> idle" for the key presses
(Textual's whole path: key event, binding, action, message, refresh).

Goal (issue: the reader): 100k costs at most 1.5x what 100 costs, and every per-frame figure
stays under 16 ms.

    python benchmarks/bench_list_widget.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from corpus import scaled  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402

from paperterm.models import Paper  # noqa: E402
from paperterm.ui.app import PapertermApp  # noqa: E402
from paperterm.ui.widgets.paper_list import PaperList  # noqa: E402

SIZES = (100, 10_000, 100_000)
REPEAT = 30


class ListApp(App[None]):
    CSS = "PaperList { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield PaperList()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return PapertermApp.get_theme_variable_defaults(self)  # type: ignore[arg-type]


def render_visible(widget: PaperList) -> None:
    for y in range(widget.scrollable_content_region.height):
        widget.render_line(y)


def timed(action: Callable[[], None], widget: PaperList) -> float:
    started = time.perf_counter()
    action()
    render_visible(widget)
    return (time.perf_counter() - started) * 1000


async def measure(papers: list[Paper]) -> dict[str, float]:
    app = ListApp()
    results: dict[str, list[float]] = {"first frame": [], "cursor move": [], "page down": [],
                                       "replace all": [], "key j -> idle": [], "key PgDn -> idle": []}  # fmt: skip
    async with app.run_test(size=(120, 36)) as pilot:
        widget = app.query_one(PaperList)
        widget.focus()
        shuffled = papers[::-1]
        for i in range(REPEAT):
            results["first frame"].append(timed(lambda: widget.set_papers(papers), widget))
            results["cursor move"].append(timed(widget.action_cursor_down, widget))
            results["page down"].append(timed(widget.action_page_down, widget))
            data = shuffled if i % 2 else papers
            keep = widget.highlighted.id if widget.highlighted else None
            results["replace all"].append(
                timed(lambda d=data, k=keep: widget.set_papers(d, keep=k), widget)
            )
            await pilot.pause()
            started = time.perf_counter()
            await pilot.press("j")
            results["key j -> idle"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await pilot.press("pagedown")
            results["key PgDn -> idle"].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in results.items()}


async def main() -> None:
    table = {n: await measure(scaled(n)) for n in SIZES}
    names = list(table[SIZES[0]])
    print(f"median of {REPEAT} runs, ms (op + render of the visible rows; key -> idle end to end)")
    print(f"{'':<18}" + "".join(f"{n:>10,}" for n in SIZES) + f"{'100k/100':>10}")
    worst = 0.0
    for name in names:
        row = [table[n][name] for n in SIZES]
        worst = max(worst, *row[:4]) if "idle" not in name else worst
        print(f"{name:<18}" + "".join(f"{v:>10.2f}" for v in row) + f"{row[-1] / row[0]:>9.2f}x")
    ratios = [table[SIZES[-1]][n] / table[SIZES[0]][n] for n in names]
    print(f"largest 100k/100 ratio: {max(ratios):.2f}x (goal <= 1.5x); "
          f"largest op+render figure: {max(table[n][k] for n in SIZES for k in names[:4]):.2f} ms (goal < 16)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
