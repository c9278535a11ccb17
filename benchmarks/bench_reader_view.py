"""The reading view on the largest real full text (2606.16517, 171k characters), kept in the
cache: how long R takes to show its first screen, and what one scroll step and one search
step cost, each against a baseline measured in the same run.

* First screen: from R's action until the compositor has drawn the last row of the laid-out,
  scrolled text, in the real app under `run_test` (120x36). Baseline: the same app pushing a
  bare screen with one Static, until its first refresh (what any screen costs: Textual 8
  waits 50 ms when switching screens).
  Goal: ≤ 150 ms.
* Scroll step: one line down, then every visible row drawn. Search step: `n` to the next
  match of a common word, then the screen drawn. Goal: each under one frame (16.7 ms).
* Parse and layout on their own, for each of the 19 real files.
* LaTeX to Unicode: the small table (`paperterm.paper.latex`) against pylatexenc's
  latex2text, on every paragraph of the 19 files with a backslash in it.
* Twice: the text kept parsed (as a fetch keeps it), and kept by an older parser (parsed
  when opened). That the reader's first frame loads none of the reading view is
  `tests/test_reading_view.py::test_the_reader_s_first_frame_loads_nothing_of_the_reading_view`;
  its start-up time is `bench_startup.py`.

    python benchmarks/bench_reader_view.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from appdata import until  # noqa: E402
from paper_texts import BIG, TEXTS, reading_app  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import Static  # noqa: E402

from paperterm.ui.widgets.paper_text import PaperText  # noqa: E402

SIZE = (120, 36)
FRAME_MS = 1000 / 60


class Bare(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.painted: list[float] = []

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("bare screen")

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.painted.append(time.perf_counter()))


def draw(widget) -> None:  # type: ignore[no-untyped-def]
    for y in range(widget.size.height):
        widget.render_line(y)


def step_ms(screen, step) -> float:  # type: ignore[no-untyped-def]
    """The median of 30 steps, each until every visible row is drawn, in ms."""
    steps = []
    for _ in range(30):
        started = time.perf_counter()
        step()
        draw(screen.text)
        steps.append((time.perf_counter() - started) * 1000)
    return statistics.median(steps)


PAINTED: list[float] = []  # when the compositor drew the last row of a settled text
_render_line = PaperText.render_line


def _recording(self: PaperText, y: int):  # type: ignore[no-untyped-def]
    strip = _render_line(self, y)
    if self.settled and y == self.size.height - 1 and not PAINTED:
        PAINTED.append(time.perf_counter())
    return strip


PaperText.render_line = _recording  # type: ignore[method-assign]


async def one_run(home: Path, parsed: bool) -> dict[str, float | list[str]]:
    from paperterm.paper import PARSER_VERSION, document_json, parse_paper

    app = reading_app(home)
    text = (TEXTS / f"{BIG}.md").read_text("utf-8")
    form = (PARSER_VERSION, document_json(parse_paper(text))) if parsed else None
    app.service.feeds.cache.store_text(BIG, text, app.service.clock(), form)
    result: dict[str, float | list[str]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await asyncio.sleep(0.3)  # the first frame is drawn and the app idle
        bare = Bare()
        started = time.perf_counter()
        app.push_screen(bare)
        await until(pilot, lambda: bool(bare.painted))
        result["bare screen"] = (bare.painted[0] - started) * 1000
        app.pop_screen()
        await pilot.pause()
        await asyncio.sleep(0.3)  # the screen switch and its repaint are over
        PAINTED.clear()
        started = time.perf_counter()
        app.action_read_paper()  # what R runs
        await until(pilot, lambda: bool(PAINTED))
        screen = app.screen
        result["first screen"] = (PAINTED[0] - started) * 1000
        result["scroll step"] = step_ms(screen, lambda: screen.action_scroll_lines(1))
        started = time.perf_counter()
        screen.matches = screen.text.layout_.find("model")
        screen.text.highlight(screen.matches)
        result["search (find all)"] = (time.perf_counter() - started) * 1000
        result["search step"] = step_ms(screen, lambda: screen.action_match(1))
        result["matches"] = [str(len(screen.matches))]
    return result


def parsing() -> None:
    from paperterm.paper import Layout, parse_paper

    print("\nparse + layout (width 118), each real file:")
    for path in sorted(TEXTS.glob("26*.md")):
        raw = path.read_text("utf-8")
        started = time.perf_counter()
        document = parse_paper(raw)
        parsed = time.perf_counter()
        Layout(document, 118)
        done = time.perf_counter()
        kind = "dump" if document.converted_only else "md  "
        print(f"  {path.stem} {kind} {len(raw):>7,} chars  parse {1000 * (parsed - started):5.1f} ms"
              f"  layout {1000 * (done - parsed):5.1f} ms")  # fmt: skip


def latex() -> None:
    from pylatexenc.latex2text import LatexNodes2Text

    from paperterm.paper.latex import to_unicode

    paragraphs = [
        chunk
        for path in sorted(TEXTS.glob("26*.md"))
        for chunk in re.split(r"\n\s*\n", path.read_text("utf-8"))
        if "\\" in chunk
    ]
    started = time.perf_counter()
    for chunk in paragraphs:
        to_unicode(chunk)
    table = time.perf_counter() - started
    converter = LatexNodes2Text(math_mode="text")
    started = time.perf_counter()
    for chunk in paragraphs:
        converter.latex_to_text(chunk)
    library = time.perf_counter() - started
    print(f"\nLaTeX to Unicode, {len(paragraphs)} paragraphs with a backslash:")
    print(f"  table {1000 * table:7.1f} ms   latex2text {1000 * library:7.1f} ms"
          f"   ratio {library / table:5.1f}x")  # fmt: skip
    sample = "50% of F_{\\max} and a_{t}\\in\\mathcal{A}"
    print(f"  {sample!r}: table {to_unicode(sample)!r}, latex2text "
          f"{converter.latex_to_text(sample)!r} (a % starts a comment there)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    for parsed in (True, False):
        report(args.runs, parsed)
    parsing()
    latex()


def report(count: int, parsed: bool) -> None:
    runs = []
    for _ in range(count):
        with tempfile.TemporaryDirectory() as home:
            runs.append(asyncio.run(one_run(Path(home), parsed)))
    how = (
        "kept parsed, as a fetch keeps it"
        if parsed
        else "kept unparsed (an older parser): parsed on opening"
    )
    print(f"\nreading view, {BIG} (171k characters) {how}, {SIZE[0]}x{SIZE[1]}, "
          f"median of {count} runs:")  # fmt: skip
    print(
        "  first screen, each run:",
        ", ".join(f"{float(r['first screen']):.0f}" for r in runs),
        "ms",
    )  # type: ignore[arg-type]
    for name in ("bare screen", "first screen", "scroll step", "search (find all)", "search step"):
        value = statistics.median(float(r[name]) for r in runs)  # type: ignore[arg-type]
        goal = {"first screen": 150.0, "scroll step": FRAME_MS, "search step": FRAME_MS}.get(name)
        verdict = (
            ""
            if goal is None
            else f"  goal ≤ {goal:.1f} ms: {'met' if value <= goal else 'MISSED'}"
        )
        print(f"  {name:<18} {value:7.1f} ms{verdict}")
    first = statistics.median(float(r["first screen"]) for r in runs)  # type: ignore[arg-type]
    bare = statistics.median(float(r["bare screen"]) for r in runs)  # type: ignore[arg-type]
    print(
        f"  first screen / bare screen: {first / bare:.1f}x; {runs[0]['matches'][0]} matches of 'model'"
    )


if __name__ == "__main__":
    main()
